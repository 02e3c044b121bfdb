/* Time in the model: what happened when, beside the aggregated tree.
 *
 * A source that knows the order of its samples or the spans of its events
 * (austin, MOJO, speedscope, memray, Python 3.15's sampler, trace events)
 * keeps them here, each pointing at a tree node. The reader adds to the tree
 * exactly what it records here: a sample's values are added to its node's
 * self values, and a span's node holds the span's duration (its self is the
 * duration less its children's), so a time window can rebuild the tree from
 * the kept samples or clipped spans alone.
 *
 * Storage is a compact byte stream (a few bytes a sample: varint node id,
 * delta-coded time and values), read back in order with an iterator. A
 * profile without time has p->timeline == NULL and costs nothing.
 */
#ifndef PK_TIMELINE_H
#define PK_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "profile.h"

typedef enum {
    PK_CLOCK_NS,    /* t_ns is nanoseconds since the profile's start */
    PK_CLOCK_ORDER, /* t_ns is only the sample's index: order, no duration */
} pk_clock;

typedef struct {
    uint64_t pid, tid; /* as the source names them (0 when unknown) */
    const char *name;  /* interned, "" when unknown */
} pk_thread;

/* One sample: the leaf node of its stack (0 for an empty stack), its thread
 * (an index into the timeline's threads), when, and the values it carries.
 * site is the leaf of its stack at line granularity, an index into the
 * timeline's sites, when the timeline keeps them (pk_timeline_sites). */
typedef struct {
    pk_id node;
    pk_id site;
    uint32_t thread;
    int64_t t_ns;
    int64_t v[PK_MAX_METRICS];
} pk_sample;

/* One event span: a frame's node, open on its thread from start to end;
 * site as a sample's. */
typedef struct {
    pk_id node;
    pk_id site;
    uint32_t thread;
    int64_t start_ns, end_ns;
} pk_span;

/* The profile's timeline, created on first use with the given clock (a
 * reader that wants PK_CLOCK_ORDER asks for it before anything else). */
pk_timeline *pk_timeline_get(pk_profile *p, pk_clock clock);
pk_clock pk_timeline_clock(const pk_timeline *t);

/* The index of thread (pid, tid), added on first sight; name may be NULL,
 * and a later non-empty name replaces an empty one. */
uint32_t pk_thread_get(pk_profile *p, uint64_t pid, uint64_t tid, const char *name);
size_t pk_nthreads(const pk_profile *p);
const pk_thread *pk_thread_at(const pk_profile *p, uint32_t index);

/* Append a sample or a span. Samples and spans may come in any order of
 * time, but iteration gives them back in the order they were added. */
void pk_sample_add(pk_profile *p, const pk_sample *s);
void pk_span_add(pk_profile *p, const pk_span *s);
size_t pk_nsamples(const pk_profile *p);
size_t pk_nspans(const pk_profile *p);
/* Earliest and latest time seen (samples and span ends); false when none. */
bool pk_timeline_range(const pk_profile *p, int64_t *first_ns, int64_t *last_ns);

/* Sequential readers; it ends when next returns false. */
typedef struct {
    const pk_timeline *t;
    size_t pos, left;
    int64_t step;
    pk_sample prev;
} pk_sample_iter;
void pk_samples_begin(const pk_profile *p, pk_sample_iter *it);
bool pk_samples_next(pk_sample_iter *it, pk_sample *out);

typedef struct {
    const pk_timeline *t;
    size_t pos, left;
    int64_t step;
    pk_span prev;
} pk_span_iter;
void pk_spans_begin(const pk_profile *p, pk_span_iter *it);
bool pk_spans_next(pk_span_iter *it, pk_span *out);

/* For code that rebuilds the tree into a new profile (filters, granularity,
 * thread merging): copy src's timeline into dst with every node id passed
 * through node_map (src node -> dst node); samples and spans mapped to
 * PK_NONE are dropped. Threads are copied as they are. */
void pk_timeline_copy_mapped(pk_profile *dst, const pk_profile *src, const pk_id *node_map);

/* A frame of the tree as it was before its frames' lines were dropped
 * (pk_tree_by_function): the samples' stacks line by line, for per-line
 * values of a time window. parent is a site index (PK_NONE at the root). */
typedef struct {
    pk_id parent, func;
    int32_t line;
} pk_site;

/* Keep p's tree as sites, before a rebuild merges the frames' lines away:
 * the rebuild's pk_timeline_copy_mapped points every sample and span at the
 * site of its old node. Nothing when the timeline is empty or already keeps
 * sites (the first, finest tree is kept). */
void pk_timeline_keep_sites(pk_profile *p);
/* The sites, or NULL (and *n = 0) when the timeline keeps none. */
const pk_site *pk_timeline_sites(const pk_profile *p, size_t *n);

/* Whether p's timeline has times (samples or spans on a clock of ns). */
bool pk_timeline_timed(const pk_profile *p);

/* first + offset_ns: a window's end as a time, clamped where the sum
 * leaves 64 bits (an open end is INT64_MIN or INT64_MAX). */
static inline int64_t pk_window_end(int64_t first, int64_t offset_ns)
{
    int64_t t;
    if (__builtin_add_overflow(first, offset_ns, &t)) return offset_ns < 0 ? INT64_MIN : INT64_MAX;
    return t;
}

/* Keep the window [from_ns, to_ns) of p's timeline, in ns from its first
 * time: samples inside it, spans clipped to it. The tree's self values
 * become what the kept samples and clipped spans make; nodes left without
 * values stay in the tree with zeros (a rebuild drops them). */
void pk_timeline_window(pk_profile *p, int64_t from_ns, int64_t to_ns);

/* Call counts from the spans: each is one call of its node's function from
 * its parent's, primitive unless an ancestor frame is of the same function
 * (spans nest as their stacks). Sets has_calls. */
void pk_timeline_count_calls(pk_profile *p);

/* Which nodes some span points at (nnodes flags, caller frees), or NULL. */
bool *pk_timeline_span_nodes(const pk_profile *p);

void pk_timeline_free(pk_timeline *t);

#endif
