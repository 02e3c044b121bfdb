/* A call graph's history in epochs (see call_history.h). */
#include "call_history.h"

#include <stdlib.h>
#include <string.h>

#include "heap_history.h"
#include "hmap.h"

pk_call_history *pk_call_history_new(size_t nepochs, int64_t span_ms, int nmetrics)
{
    pk_call_history *h = pk_xcalloc(1, sizeof *h);
    h->nepochs = nepochs;
    h->nmetrics = nmetrics;
    h->late_after = nepochs;
    h->start_ms = pk_xcalloc(nepochs + 1, sizeof *h->start_ms);
    pk_epoch_starts(h->start_ms, nepochs, span_ms);
    return h;
}

void pk_call_history_add_piece(pk_call_history *h, pk_call_piece piece, const int64_t *incl,
                               const int64_t *self)
{
    size_t nm = (size_t)h->nmetrics;
    PK_GROW(h->pieces, h->cappieces, h->npieces + 1);
    PK_GROW(h->values, h->capvalues, (h->npieces + 1) * 2 * nm);
    int64_t *v = h->values + h->npieces * 2 * nm;
    memcpy(v, incl, nm * sizeof *v);
    memcpy(v + nm, self, nm * sizeof *v);
    h->pieces[h->npieces++] = piece;
}

typedef struct {
    const pk_call_history *h;
    const pk_call_span *key;
} span_lookup;

static bool span_eq(const void *ctx, uint32_t id)
{
    const span_lookup *l = ctx;
    const pk_call_span *a = &l->h->calls[id], *b = l->key;
    return a->func == b->func && a->edge == b->edge && a->first == b->first && a->last == b->last;
}

void pk_call_history_add_call(pk_call_history *h, pk_id func, pk_id edge, uint8_t first,
                              uint8_t last)
{
    pk_call_span key = {func, edge, first, last, 1};
    span_lookup l = {h, &key};
    uint64_t hash = pk_hash_mix(pk_hash_mix(func, edge), (uint64_t)first << 8 | last);
    uint32_t id = pk_hmap_get(&h->call_index, hash, span_eq, &l, (uint32_t)h->ncalls);
    if (id < h->ncalls) {
        h->calls[id].count++;
        return;
    }
    PK_GROW(h->calls, h->capcalls, h->ncalls + 1);
    h->calls[h->ncalls++] = key;
}

void pk_call_history_free(pk_call_history *h)
{
    if (!h) return;
    free(h->start_ms);
    free(h->pieces);
    free(h->values);
    free(h->calls);
    pk_hmap_free(&h->call_index);
    free(h);
}
