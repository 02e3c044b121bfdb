/* memray captures: what formats/memray.c (the capture reader: input, the
 * records of every header version, the tables of threads, code objects,
 * stacks and locations, the model built from them) and formats/memray_views.c
 * (what the allocation events make: the live set, the high-water mark,
 * temporary allocations, mmap'd ranges, and each view's values) share.
 * Private to those two files.
 */
#ifndef PK_FORMAT_MEMRAY_H
#define PK_FORMAT_MEMRAY_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "../lib/heap_history.h"
#include "../lib/hmap.h"
#include "../lib/limits.h"
#include "format.h"

/* Allocator ids that end or change an allocation rather than make one. */
enum {
    A_PYMALLOC_FREE = 1,
    A_FREE = 5,
    A_MMAP = 14,
    A_MUNMAP = 15,
};

typedef enum { VIEW_PEAK, VIEW_LEAKS, VIEW_TEMPORARY, VIEW_TOTAL } mr_view;

/* pk_grow's doubling, overflow checks and --max-memory budget, in the
 * assigning form the call sites use. */
static inline void *grow(void *arr, size_t *cap, size_t need, size_t elem)
{
    pk_grow(&arr, cap, need, elem);
    return arr;
}

/* ---- small hash maps (memray.c) ------------------------------------------ */

static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* A zeroed table of `cap` slots. Tables are charged to --max-memory as they
 * pass the largest size already charged for them, like arrays in pk_grow. */
void *mr_table_alloc(size_t cap, size_t elem, size_t *charged_cap);

/* u64 -> u32, no deletion; val PK_NONE marks an empty slot. */
typedef struct {
    uint64_t key;
    uint32_t val;
} map_slot;

typedef struct {
    map_slot *slots;
    size_t mask, n;
} u64map;

/* A table of `cap` slots replacing one of `old_cap` (0 for a new one). */
void mr_map_init(u64map *m, size_t cap, size_t old_cap);
uint32_t mr_map_find(const u64map *m, uint64_t key);
void mr_map_put(u64map *m, uint64_t key, uint32_t val);

/* Live allocations: address -> (size, location), with deletion (backward
 * shift). 16-byte slots keep the table small enough to stay in cache: keys
 * are address | 1 (addresses are multiples of 8, so 0 = empty), and sizes of
 * 4 GiB or more live in a side table. */
#define LIVE_BIG UINT32_MAX

typedef struct {
    uint64_t key;
    uint32_t size; /* LIVE_BIG: see big_sizes */
    uint32_t loc;  /* | LIVE_OLD: made before --time's window; with the
                    * heap's history, its epoch in the bits above LIVE_LOC */
} live_slot;

#define LIVE_OLD 0x80000000u
#define LIVE_LOC 0x00ffffffu /* the location's bits with the heap's history */
#define LIVE_EPOCH_SHIFT 24

typedef struct {
    live_slot *slots;
    size_t mask, n;
    unsigned shift;
    u64map big_index; /* address -> index in big_sizes */
    uint64_t *big_sizes;
    size_t nbig, capbig;
} live_map;

/* The home slot of a key (address | 1): Fibonacci hashing on the top bits.
 * Inline here, for the reader to prefetch it when it queues an event. */
static inline size_t live_home(const live_map *m, uint64_t key)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> m->shift);
}

/* ---- the reader's state ------------------------------------------------- */

typedef struct {
    const char *name, *file;
    int32_t firstline;
    uint32_t ltlen;
    uint8_t *linetable;
    pk_id func;
} code_def;

/* A Python stack is a node of a prefix tree: (parent, frame). Node 0 is the
 * empty stack. */
typedef struct {
    uint32_t parent;
    uint32_t code; /* index into code_defs */
    int32_t offset;
    uint32_t depth;
    uint32_t loc_thread, loc; /* the location of this stack on loc_thread */
} stack_node;

/* View temporary: the latest allocation at each address, with its thread
 * and its rank among that thread's allocations. */
typedef struct {
    uint64_t key; /* address | 1, 0 = empty */
    uint64_t seq, size;
    uint32_t thread, loc;
} recent_slot;

typedef struct {
    recent_slot *slots;
    size_t mask, n;
    size_t charged_cap; /* rebuilt smaller or larger: charge its largest */
} recent_map;

typedef struct {
    uint64_t tid;
    const char *name;
    uint32_t *stack; /* node ids, outermost first */
    size_t depth, cap;
    uint64_t seq; /* allocations made so far (view temporary) */
} thread_state;

/* A high-water mark of the heap (memray's HighWaterMarkAggregator): the
 * peaks passed so far, each recorded on its falling edge, so the last
 * moment that reaches the maximum wins. */
typedef struct {
    int64_t heap_at_peak;
    uint64_t peaks;
} hwm_state;

/* What a location held at the last peak it saw, and its changes since. */
typedef struct {
    uint64_t last_peak;
    int64_t peak_count, peak_bytes;
    int64_t since_count, since_bytes;
} hwm_share;

/* What one location did in the current epoch of the heap's history. */
typedef struct {
    uint32_t epoch;      /* the epoch these are of, + 1; 0: none yet */
    int64_t made, freed; /* bytes allocated, and freed of those */
    hwm_share peak;      /* changes from the epoch's start, at its mark */
} epoch_share;

/* What one (stack, thread) location holds. */
typedef struct {
    uint32_t node, thread;
    hwm_share whole; /* at the capture's (or --time window's) high-water mark */
    epoch_share epoch;
    int64_t total_count, total_bytes;
    int64_t temp_count, temp_bytes;
    int64_t leak_count, leak_bytes; /* aggregated captures only */
    int64_t old_count, old_bytes;   /* held from before --time's window */
} location;

typedef struct {
    uint64_t start, end;
    uint32_t loc;
    bool old;      /* mapped before --time's window */
    uint8_t epoch; /* mapped in this epoch of the heap's history */
} mapping;

typedef struct {
    uint64_t addr, size;
    uint32_t loc, thread;
    uint8_t allocator;
} pending_alloc;

/* A loaded image's segment, in the memory map of one generation. */
typedef struct {
    uint64_t start, end, load;
    const char *image;
    uint64_t generation;
} segment;

/* Stack nodes whose code has this bit are markers: "native stack `offset`
 * of generation `code & ~NATIVE_MARK` on top of the parent Python stack". */
#define NATIVE_MARK 0x80000000u

#define MR_BATCH 32

typedef struct {
    pk_input *in;
    pk_profile *p;
    const pk_read_options *opt;
    jmp_buf truncated;
    jmp_buf outer; /* where pk_fail went before we took it over */

    /* input buffer */
    uint8_t *buf;
    const uint8_t *cur, *end;
    size_t cap;
    uint64_t base; /* file offset of buf[0] */
    bool eof;
    const uint8_t *rec;     /* start of the current record in buf, or NULL: */
    uint64_t record_offset; /* ... then its offset is this */

    /* header */
    int version;
    uint32_t python_version;
    bool native_traces, aggregated;
    uint64_t n_allocations_header, start_time, end_time, main_tid, skipped;
    int python_allocator;
    bool trace_python_allocators, track_object_lifetimes;

    /* decoding registers */
    uint64_t cache[16]; /* ring: entry i is cache[(cache_head + i) & 15] */
    unsigned cache_head;
    uint64_t last_ptr, last_native_id, last_ip, last_firstline;
    uint64_t last_frame_id, last_line; /* version 11 */
    thread_state *thread;              /* current thread */
    uint32_t cur_thread;

    /* tables */
    code_def *codes;
    size_t ncodes, capcodes;
    uint32_t *code_by_id; /* memray code id -> code_defs index */
    size_t capcode_ids;
    stack_node *nodes;
    size_t nnodes, capnodes;
    uint32_t *node_slots; /* node id + 1, 0 = empty */
    size_t node_mask;
    thread_state *threads;
    size_t nthreads, capthreads;
    u64map thread_by_tid;
    location *locs;
    size_t nlocs, caplocs;
    u64map loc_by_key;
    uint64_t native_nodes, images, generations;
    /* native stacks, kept with --native: node k = (ip, parent) at k - 1 */
    bool keep_native;
    uint64_t *native_ip;
    uint32_t *native_parent, *native_depth;
    pk_id *native_func;
    uint32_t *native_func_gen;
    size_t capnative, max_native_depth;
    segment *segments;
    size_t nsegments, capsegments;
    /* aggregated: python frames and stack-tree nodes */
    uint32_t *agg_frame_code;
    int32_t *agg_frame_offset;
    size_t nagg_frames, capagg_frames;
    uint32_t *agg_nodes;
    size_t nagg_nodes, capagg_nodes;

    /* statistics */
    uint64_t n_records, by_allocator[16];
    uint64_t memory_records, objects;
    bool saw_trailer;

    /* the views' (memray_views.c): events queued, then applied */
    mr_view view;
    const char *view_name;   /* as --view named it, for the profile's metadata */
    uint64_t temp_threshold; /* temporary: freed within this many allocations */
    pending_alloc pending[MR_BATCH];
    size_t npending;
    live_map live;     /* live allocations */
    recent_map recent; /* temporary: the latest allocation at each address */
    mapping *maps;     /* mmap'd ranges */
    size_t nmaps, capmaps;
    int64_t heap;
    hwm_state hwm;
    uint32_t loc_mask; /* live_slot.loc's location bits */
    uint64_t total_allocs, total_bytes;
    /* --time: events take the time of the memory record before them */
    int64_t now_ns;               /* since the capture's start */
    int64_t win_from, win_to;     /* the window, ns; the whole run without one */
    bool in_window, window_ended; /* events counted / dropped */
    /* the heap's history (pk_read_options.history_epochs): changes name
     * locations until the tree is built */
    pk_heap_history *history;
    uint32_t epoch;      /* the current one */
    hwm_state epoch_hwm; /* its high-water mark */
    uint32_t *touched;   /* locations changed in it */
    size_t ntouched, captouched;
    u64map freed_index; /* (location, epoch made) -> its change, for frees of earlier epochs */
} mr_reader;

/* Leave through pk_fail at the current record; memray_read's handler frees
 * what the reader holds. */
__attribute__((format(printf, 2, 3))) _Noreturn void mr_fail(mr_reader *r, const char *fmt, ...);

/* Sums of sizes and counts: a real capture stays far below 2^63, a hostile
 * one may not. */
static inline void add_checked(mr_reader *r, int64_t *sum, int64_t v)
{
    if (__builtin_add_overflow(*sum, v, sum))
        mr_fail(r, "allocation sizes or counts overflow 64 bits");
}

/* ---- the views (memray_views.c) ------------------------------------------ */

/* The view named by --view (peak, high-water-mark, leaks, temporary, total). */
mr_view mr_view_parse(pk_input *in, const pk_read_options *opt);
void mr_views_init(mr_reader *r);
void mr_views_free(mr_reader *r);

/* Apply the queued allocation events in order. */
void mr_views_flush(mr_reader *r);

/* Time moves to now_ns, `ms` after the start (a memory record): --time's
 * window opens or ends, an epoch of the heap's history ends. */
void mr_views_time(mr_reader *r, int64_t now_ns, uint64_t ms);

/* The replay is over: a --time window that began after the last memory
 * record begins now, with nothing in it. */
void mr_views_end(mr_reader *r);

/* The heap's history in epochs of the span [0, span_ms]; changes name
 * locations until mr_history_finish hands it over (NULL without one). */
void mr_history_start(mr_reader *r, size_t nepochs, int64_t span_ms);
void mr_history_drop(mr_reader *r);
pk_heap_history *mr_history_finish(mr_reader *r);

/* One allocation event (allocator, address, size) at location loc (PK_NONE
 * for a deallocation) by the current thread: counted in the totals, then
 * queued. Events are applied in batches, with the live set's slot of each
 * address prefetched when it is queued: the live set is the one structure
 * touched at random. */
static inline __attribute__((always_inline)) void
mr_views_queue(mr_reader *r, unsigned allocator, uint64_t addr, uint64_t size, uint32_t loc)
{
    if (r->window_ended) return;
    if (loc != PK_NONE && r->in_window) {
        location *l = &r->locs[loc];
        r->total_allocs++;
        r->total_bytes += size;
        l->total_count++;
        add_checked(r, &l->total_bytes, (int64_t)size);
    }
    __builtin_prefetch(&r->live.slots[live_home(&r->live, addr | 1)]);
    r->pending[r->npending++] = (pending_alloc){addr, size, loc, r->cur_thread, (uint8_t)allocator};
    if (r->npending == MR_BATCH) mr_views_flush(r);
}

/* What an aggregated capture recorded for a location: held at the peak and
 * at exit, counts and bytes. */
void mr_views_aggregated(mr_reader *r, uint32_t loc, int64_t peak_count, int64_t leak_count,
                         int64_t peak_bytes, int64_t leak_bytes);

/* The view's (bytes, allocations) of location l. */
void mr_view_values(const mr_reader *r, const location *l, int64_t v[2]);

/* The peak, and what was never freed. */
void mr_views_totals(mr_reader *r, int64_t *peak, int64_t *leaked_bytes, int64_t *leaked_count);

#endif
