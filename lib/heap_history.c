/* A heap's history in epochs (see heap_history.h). */
#include "heap_history.h"

#include <stdlib.h>

#include "hmap.h"

void pk_epoch_starts(int64_t *starts, size_t nepochs, int64_t span_ms)
{
    for (size_t e = 0; e <= nepochs; e++) /* a span of ms stays far below 2^56 */
        starts[e] = (int64_t)((e * (uint64_t)span_ms + nepochs - 1) / nepochs);
}

pk_heap_history *pk_heap_history_new(size_t nepochs, int64_t span_ms)
{
    pk_heap_history *h = pk_xcalloc(1, sizeof *h);
    h->nepochs = nepochs;
    h->start_ms = pk_xcalloc(nepochs + 1, sizeof *h->start_ms);
    h->high_water = pk_xcalloc(nepochs, sizeof *h->high_water);
    pk_epoch_starts(h->start_ms, nepochs, span_ms);
    return h;
}

size_t pk_heap_history_epoch(const pk_heap_history *h, uint64_t ms)
{
    uint64_t span = (uint64_t)h->start_ms[h->nepochs];
    if (ms >= span) return h->nepochs - 1;
    return (size_t)(ms * h->nepochs / span);
}

void pk_heap_history_add(pk_heap_history *h, pk_heap_change c)
{
    PK_GROW(h->changes, h->capchanges, h->nchanges + 1);
    h->changes[h->nchanges++] = c;
}

void pk_heap_history_map_nodes(pk_heap_history *h, const pk_id *node_map)
{
    for (size_t i = 0; i < h->nchanges; i++)
        h->changes[i].node = node_map[h->changes[i].node];
}

void pk_heap_history_free(pk_heap_history *h)
{
    if (!h) return;
    free(h->start_ms);
    free(h->high_water);
    free(h->changes);
    free(h);
}
