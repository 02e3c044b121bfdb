/* The one profile model every reader fills and every writer reads.
 *
 * A profile has 1..PK_MAX_METRICS metrics (columns). It may hold:
 *   - a call graph: per function self/inclusive values and call counts, per
 *     caller->callee edge the calls and the values spent in the callee;
 *   - a call tree (calling-context tree) when the source had stacks;
 *   - per-line values when the source had line detail;
 *   - a timeline (lib/timeline.h): samples and event spans in the order they
 *     happened, when the source knows it.
 * The graph is derived from the tree exactly (pk_derive_graph); a tree can be
 * estimated from a graph (pk_derive_tree), which marks the profile estimated.
 *
 * Everything is owned by the profile: strings are interned in its arena and
 * freed with it. Ids are indexes into the profile's arrays; PK_NONE is "none".
 */
#ifndef PK_PROFILE_H
#define PK_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PK_MAX_METRICS 16
#define PK_NONE UINT32_MAX

typedef uint32_t pk_id;

typedef enum {
    PK_KIND_PYTHON,
    PK_KIND_NATIVE,
    PK_KIND_BUILTIN,
    PK_KIND_KERNEL,
    PK_KIND_GC,
    PK_KIND_IDLE,
    PK_KIND_PROCESS, /* a process root frame of a stack profile */
    PK_KIND_THREAD,  /* a thread root frame of a stack profile */
    PK_KIND_OTHER,
    PK_KIND_COUNT
} pk_kind;

const char *pk_kind_name(pk_kind kind);

/* Units are fixed strings: "ns" for all times, "bytes", "count", "samples".
 * Values are integers. A metric whose source wrote decimal values (a
 * collapsed file's `3.13`) keeps them exact as integers with `decimals`
 * digits after the point (313, decimals 2); every writer and display shows
 * them so (pk_value_text). `source_exp` says the source wrote the values in
 * steps of 10^source_exp of the unit (austin's microseconds into "ns": 3), so
 * a writer of unitless numbers (collapsed) can write what the source wrote. */
typedef struct {
    const char *name;
    const char *unit;
    int decimals;
    int source_exp;
} pk_metric;

typedef struct {
    const char *name;
    const char *file;
    int32_t line; /* first line of the function, 0 when unknown */
    pk_kind kind;
    /* call graph, filled by readers of graph formats or by pk_derive_graph:
     * the profile's metrics' values, held in its arena (pk_values) */
    int64_t *self;
    int64_t *incl;
    int64_t calls;  /* total calls (pstats nc), 0 when the source has no counts */
    int64_t pcalls; /* primitive (non-recursive) calls (pstats cc) */
} pk_function;

typedef struct {
    pk_id caller, callee;
    int64_t calls, pcalls;
    int64_t *self; /* callee's own value in these calls (pstats edge tt) */
    int64_t *incl; /* callee's inclusive value in these calls (edge ct) */
} pk_edge;

/* Node 0 is the tree's root: func PK_NONE, no values of its own. */
typedef struct {
    pk_id func;
    pk_id parent;
    pk_id first_child, next_sibling;
    int32_t line; /* line executing in func at this frame, 0 when unknown */
    int64_t self[PK_MAX_METRICS];
} pk_node;

/* Values while a line executed, callees included (line_profiler's sense). */
typedef struct {
    pk_id func;
    int32_t line;
    int64_t v[PK_MAX_METRICS];
} pk_line;

/* Where stacks show a function calling another: the line executing in the
 * caller at the call (0 when unknown) and the callee's inclusive values in
 * the calls from there. Recursion counts at the outermost call of each
 * caller->callee edge, as the edge's own value does, so a pair's call sites
 * add up to its edge. */
typedef struct {
    pk_id caller, callee;
    int32_t line;
    int64_t incl[PK_MAX_METRICS];
} pk_callsite;

typedef struct {
    const char *key, *value;
} pk_meta;

/* A point of a time series (memray's RSS and heap over time). */
typedef struct {
    int64_t t_ns;
    int64_t v[2];
} pk_series_point;

typedef struct pk_arena pk_arena;
typedef struct pk_index pk_index;
typedef struct pk_timeline pk_timeline;
typedef struct pk_heap_history pk_heap_history;
typedef struct pk_call_history pk_call_history;

typedef struct pk_profile {
    pk_arena *arena;
    pk_index *index; /* private hash tables */

    int nmetrics;
    pk_metric metrics[PK_MAX_METRICS];

    /* Functions and edges hold their values out of line, value_room of each
     * (the metrics when the first was made, or PK_MAX_METRICS once more came):
     * a profile of one metric does not carry sixteen. */
    int value_room;
    pk_function *funcs;
    size_t nfuncs, capfuncs;
    pk_edge *edges;
    size_t nedges, capedges;
    pk_node *nodes;
    size_t nnodes, capnodes;
    pk_line *lines;
    size_t nlines, caplines;
    pk_callsite *callsites; /* sorted by caller, callee, line (pk_derive_callsites) */
    size_t ncallsites, capcallsites;
    pk_meta *meta;
    size_t nmeta, capmeta;
    pk_series_point *series;
    size_t nseries, capseries;
    const char *series_names[2];
    pk_timeline *timeline;          /* samples and spans in time order, NULL without (timeline.h) */
    pk_heap_history *heap;          /* the heap epoch by epoch, when asked for (heap_history.h) */
    pk_call_history *calls_history; /* the graph epoch by epoch, when asked for (call_history.h) */

    bool has_graph;     /* funcs' values and edges are filled */
    bool has_tree;      /* nodes hold stacks */
    bool has_calls;     /* call counts are real (pstats, callgrind), not absent */
    bool estimated;     /* the tree was estimated from the graph */
    bool time_windowed; /* the reader kept only --time's window (memray, mprof) */
    const char *format; /* name of the format it was read from */
} pk_profile;

pk_profile *pk_profile_new(void);
void pk_profile_free(pk_profile *p);

/* Strings live as long as the profile. */
const char *pk_intern(pk_profile *p, const char *s, size_t len);
const char *pk_intern_cstr(pk_profile *p, const char *s);
void *pk_alloc(pk_profile *p, size_t size); /* zeroed, profile-lifetime */

int pk_add_metric(pk_profile *p, const char *name, const char *unit); /* returns its index */
int pk_metric_find(const pk_profile *p, const char *name);            /* -1 when absent */
/* v of a metric with `decimals` digits after the point, exactly ("3.13",
 * "-0.5", "42"); returns the length written (snprintf's). */
int pk_value_text(char *buf, size_t size, int64_t v, int decimals);
/* Give metric m more decimals: every value of it is multiplied up. */
void pk_metric_rescale(pk_profile *p, int m, int decimals);
/* v as a double in the metric's unit (decimals applied). */
double pk_value_real(const pk_metric *m, int64_t v);

/* Functions are identified by (name, file, line); kind is set on creation. */
pk_id pk_function_get(pk_profile *p, const char *name, const char *file, int32_t line,
                      pk_kind kind);
/* The same for a name and file that pk_intern of this profile returned (a
 * reader's hot path: they are not hashed again). */
pk_id pk_function_get_interned(pk_profile *p, const char *name, const char *file, int32_t line,
                               pk_kind kind);
/* Guess a kind from the name and file as Python profilers write them. */
pk_kind pk_kind_guess(const char *name, const char *file);

/* Find or create the edge caller->callee. A reader that knows an edge is new
 * may instead append it with pk_edge_append: the index takes such edges in at
 * the next pk_edge_get/pk_edge_find. */
pk_edge *pk_edge_get(pk_profile *p, pk_id caller, pk_id callee);
pk_edge *pk_edge_append(pk_profile *p, pk_id caller, pk_id callee);
pk_edge *pk_edge_find(const pk_profile *p, pk_id caller, pk_id callee);

/* Tree: find or create the child of parent for (func, line). */
pk_id pk_tree_child(pk_profile *p, pk_id parent, pk_id func, int32_t line);
/* Add a root-first stack with its values; lines may be NULL. Returns the leaf. */
pk_id pk_tree_add_stack(pk_profile *p, const pk_id *funcs, const int32_t *lines, size_t depth,
                        const int64_t *values);
/* Inclusive values of every node (nnodes * nmetrics, row-major), caller frees. */
int64_t *pk_tree_inclusive(const pk_profile *p);

/* Lines: find or create the (func, line) entry. */
pk_line *pk_line_get(pk_profile *p, pk_id func, int32_t line);

void pk_meta_set(pk_profile *p, const char *key, const char *value);
const char *pk_meta_get(const pk_profile *p, const char *key);

void pk_series_add(pk_profile *p, int64_t t_ns, int64_t a, int64_t b);

/* Sum of self values of a metric over the whole profile. */
int64_t pk_total(const pk_profile *p, int metric);

/* Derivations (lib/derive.c). */
void pk_derive_graph(pk_profile *p); /* tree -> graph, exact, recursion counted once */
void pk_derive_lines(pk_profile *p); /* tree -> lines, for nodes that know their line */
/* Exact tree whose frames know their line -> call sites (replaced, the graph
 * derived first when missing); none otherwise. pk_tree_by_function calls it
 * before it drops the frames' lines. */
void pk_derive_callsites(pk_profile *p);
void pk_derive_tree(pk_profile *p); /* graph -> tree, estimated, recursion cut */
/* Make sure both views exist, deriving what is missing. */
void pk_ensure_graph(pk_profile *p);
void pk_ensure_tree(pk_profile *p);

/* Drop process/thread root frames from the tree, merging what they held. */
void pk_merge_threads(pk_profile *p);
/* One frame per function: sibling frames of one function at different lines
 * merged, every frame's line dropped (per-line values stay in p->lines,
 * derived first when missing, the calls' lines in p->callsites, derived
 * first, and the samples' stacks line by line in the timeline's sites). The
 * default view of every output; the graph is unchanged. */
void pk_tree_by_function(pk_profile *p);

/* Rebuild the index after a caller rewrote funcs/edges/nodes arrays wholesale. */
void pk_reindex(pk_profile *p);

#endif
