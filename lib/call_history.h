/* A call graph's history, epoch by epoch (mprof files, for the HTML report's
 * memory chart): enough to give the graph of any run of whole epochs exactly
 * as --time over the same span would, and so the tree estimated from it.
 *
 * A piece is what one function (or edge) got in one epoch: its inclusive and
 * own values of every metric, the parts of its calls inside the epoch. A
 * window of epochs [i, j) adds up the pieces of its epochs; a metric marked
 * in `maximum` (a peak) takes the largest of them instead. A piece marked
 * late counts only in a window that begins after epoch late_after: what a
 * value is where no memory sample reaches (mprof's process growth).
 *
 * A call is its function, the edge it came through (PK_NONE for a root) and
 * the first and last epochs it touches: it counts in [i, j) when first < j
 * and last >= i. Calls alike in all four are listed once, with their count,
 * where the first of them came. Calls come in the order the reader makes
 * functions and edges, so the first calls a window keeps make them in a
 * read's order.
 */
#ifndef PK_CALL_HISTORY_H
#define PK_CALL_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"
#include "profile.h"

typedef struct {
    pk_id id;
    uint8_t epoch;
    bool edge, late;
} pk_call_piece;

typedef struct {
    pk_id func, edge;
    uint8_t first, last;
    uint32_t count;
} pk_call_span;

struct pk_call_history {
    size_t nepochs;
    int64_t *start_ms; /* nepochs + 1, as pk_epoch_starts gives them */
    int nmetrics;
    uint32_t maximum; /* bit m: metric m is a maximum */
    size_t late_after;
    pk_call_piece *pieces;
    int64_t *values; /* per piece: nmetrics inclusive, then nmetrics own */
    size_t npieces, cappieces, capvalues;
    pk_call_span *calls;
    size_t ncalls, capcalls;
    pk_hmap call_index;
};

pk_call_history *pk_call_history_new(size_t nepochs, int64_t span_ms, int nmetrics);
void pk_call_history_add_piece(pk_call_history *h, pk_call_piece piece, const int64_t *incl,
                               const int64_t *self);
/* One more call of func through edge (PK_NONE: a root), epochs first..last. */
void pk_call_history_add_call(pk_call_history *h, pk_id func, pk_id edge, uint8_t first,
                              uint8_t last);
void pk_call_history_free(pk_call_history *h);

#endif
