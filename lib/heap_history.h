/* A heap's history, epoch by epoch (memray captures, for the HTML report's
 * memory chart): enough to give the peak, the leaks and the total of any run
 * of whole epochs exactly as --time over the same span would.
 *
 * Each change is one tree node's, in bytes:
 *   PK_HEAP_MADE   what epoch `at` allocated (made == at);
 *   PK_HEAP_FREED  what epoch `at` freed of what epoch `made` allocated (a
 *                  mapping split or shrunk frees part of one);
 *   PK_HEAP_PEAK   what the node held at epoch `at`'s high-water mark, less
 *                  what it held when the epoch began.
 * When epoch e begins a node holds its MADE and FREED of the epochs before
 * e. A window of epochs [i, j): its total is the MADE of epochs i..j-1; its
 * leaks add the FREED with i <= made <= at < j; its peak is the holdings at
 * the high-water mark of the last of its epochs with the highest mark.
 */
#ifndef PK_HEAP_HISTORY_H
#define PK_HEAP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

#define PK_HEAP_MAX_EPOCHS 127

typedef enum { PK_HEAP_MADE, PK_HEAP_FREED, PK_HEAP_PEAK } pk_heap_what;

typedef struct {
    pk_id node;
    uint8_t what, made, at;
    int64_t bytes;
} pk_heap_change;

struct pk_heap_history {
    size_t nepochs;
    int64_t *start_ms;   /* nepochs + 1: when each epoch begins, ms from the start; then the end */
    int64_t *high_water; /* nepochs: the most the heap held in each */
    pk_heap_change *changes;
    size_t nchanges, capchanges;
};

/* Epochs of the span [0, span_ms] of equal length, whole milliseconds:
 * epoch e begins at starts[e] = ceil(e * span_ms / nepochs), and
 * starts[nepochs] = span_ms (the call history's epochs are the same). */
void pk_epoch_starts(int64_t *starts, size_t nepochs, int64_t span_ms);
pk_heap_history *pk_heap_history_new(size_t nepochs, int64_t span_ms);
/* The epoch of a time in ms from the start (the last one from its end on). */
size_t pk_heap_history_epoch(const pk_heap_history *h, uint64_t ms);
void pk_heap_history_add(pk_heap_history *h, pk_heap_change c);
/* Each change's node becomes node_map[node] (a reader's locations to its
 * tree's nodes, a rebuilt tree's old nodes to its new ones). */
void pk_heap_history_map_nodes(pk_heap_history *h, const pk_id *node_map);
void pk_heap_history_free(pk_heap_history *h);

#endif
