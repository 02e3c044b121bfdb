/* memray capture files (memray run -o FILE.bin): header versions 11, 12 and 13,
 * streamed (all allocations) and aggregated captures. See
 * shared/formats/memray.md.
 *
 * The capture reader: one pass over the records. Memory grows with live
 * allocations, distinct stacks and code objects, never with the file: the
 * input is streamed through a buffer of our own. Records are decoded here
 * into tables (threads, code objects, stacks, locations: a stack on a
 * thread); allocation events go to memray_views.c, which keeps what each
 * location holds for the views (peak, leaks, temporary, total).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bytes.h"
#include "../lib/hmap.h"
#include "../lib/limits.h"
#include "memray.h"

#define MR_CHUNK (1u << 20)
#define MR_RECORD_MAX 64          /* longest fixed-size stream record */
#define MR_STRING_MAX (16u << 20) /* longest name or line table accepted */

static const char *const allocator_names[16] = {"?",
                                                "PYMALLOC_FREE",
                                                "PYMALLOC_MALLOC",
                                                "PYMALLOC_CALLOC",
                                                "PYMALLOC_REALLOC",
                                                "FREE",
                                                "MALLOC",
                                                "REALLOC",
                                                "CALLOC",
                                                "POSIX_MEMALIGN",
                                                "ALIGNED_ALLOC",
                                                "MEMALIGN",
                                                "VALLOC",
                                                "PVALLOC",
                                                "MMAP",
                                                "MUNMAP"};

/* ---- small hash maps ------------------------------------------------------ */

void *mr_table_alloc(size_t cap, size_t elem, size_t *charged_cap)
{
    if (cap > *charged_cap) {
        pk_budget_charge((cap - *charged_cap) * elem);
        *charged_cap = cap;
    }
    return pk_xcalloc(cap, elem);
}

void mr_map_init(u64map *m, size_t cap, size_t old_cap)
{
    m->slots = mr_table_alloc(cap, sizeof *m->slots, &old_cap);
    for (size_t i = 0; i < cap; i++)
        m->slots[i].val = PK_NONE;
    m->mask = cap - 1;
    m->n = 0;
}

uint32_t mr_map_find(const u64map *m, uint64_t key)
{
    for (size_t i = mix64(key) & m->mask;; i = (i + 1) & m->mask) {
        if (m->slots[i].val == PK_NONE) return PK_NONE;
        if (m->slots[i].key == key) return m->slots[i].val;
    }
}

void mr_map_put(u64map *m, uint64_t key, uint32_t val)
{
    if (2 * (m->n + 1) > m->mask + 1) {
        u64map bigger;
        mr_map_init(&bigger, 2 * (m->mask + 1), m->mask + 1);
        for (size_t i = 0; i <= m->mask; i++)
            if (m->slots[i].val != PK_NONE) mr_map_put(&bigger, m->slots[i].key, m->slots[i].val);
        free(m->slots);
        *m = bigger;
    }
    size_t i = mix64(key) & m->mask;
    while (m->slots[i].val != PK_NONE && m->slots[i].key != key)
        i = (i + 1) & m->mask;
    if (m->slots[i].val == PK_NONE) m->n++;
    m->slots[i].key = key;
    m->slots[i].val = val;
}

/* ---- the reader --------------------------------------------------------- */

static void reader_free(mr_reader *r)
{
    free(r->buf);
    for (size_t i = 0; i < r->ncodes; i++)
        free(r->codes[i].linetable);
    free(r->codes);
    free(r->code_by_id);
    free(r->nodes);
    free(r->node_slots);
    for (size_t i = 0; i < r->nthreads; i++) {
        free(r->threads[i].stack);
    }
    free(r->threads);
    free(r->thread_by_tid.slots);
    free(r->locs);
    free(r->loc_by_key.slots);
    mr_views_free(r);
    free(r->agg_frame_code);
    free(r->agg_frame_offset);
    free(r->agg_nodes);
    free(r->native_ip);
    free(r->native_parent);
    free(r->native_depth);
    free(r->native_func);
    free(r->native_func_gen);
    free(r->segments);
    free(r);
}

static uint64_t offset_of(const mr_reader *r, const uint8_t *at)
{
    return r->base + (uint64_t)(at - r->buf);
}

static uint64_t record_offset(const mr_reader *r)
{
    return r->rec ? offset_of(r, r->rec) : r->record_offset;
}

static void set_record_offset(mr_reader *r, uint64_t offset)
{
    r->rec = NULL;
    r->record_offset = offset;
}

/* Leave through pk_fail; memray_read's handler frees what we hold. */
_Noreturn void mr_fail(mr_reader *r, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pk_fail(r->in, record_offset(r), "%s", msg); /* unwinds through memray_read */
}

_Noreturn static void truncated(mr_reader *r)
{
    longjmp(r->truncated, 1);
}

/* ---- input ---------------------------------------------------------------- */

/* Make at least `need` bytes available at r->cur, unless the input ends. */
static void fill_slow(mr_reader *r, size_t need);

static inline void fill(mr_reader *r, size_t need)
{
    if ((size_t)(r->end - r->cur) < need && !r->eof) fill_slow(r, need);
}

static void fill_slow(mr_reader *r, size_t need)
{
    if (r->rec) set_record_offset(r, offset_of(r, r->rec)); /* the buffer moves */
    size_t have = (size_t)(r->end - r->cur);
    if (have >= need || r->eof) return;
    if (need > r->cap) {
        size_t at = (size_t)(r->cur - r->buf);
        r->buf = grow(r->buf, &r->cap, need, 1);
        r->cur = r->buf + at;
    }
    r->base += (uint64_t)(r->cur - r->buf);
    memmove(r->buf, r->cur, have);
    size_t len = have;
    while (len < r->cap && !r->eof) {
        size_t n = pk_input_read(r->in, r->buf + len, r->cap - len);
        if (n == 0) r->eof = true;
        len += n;
    }
    r->cur = r->buf;
    r->end = r->buf + len;
}

static uint8_t rd_u8(mr_reader *r)
{
    if (r->cur >= r->end) truncated(r);
    return *r->cur++;
}

static uint64_t rd_fixed(mr_reader *r, int n)
{
    fill(r, (size_t)n);
    if (r->end - r->cur < n) truncated(r);
    uint64_t v = pk_le(r->cur, (size_t)n);
    r->cur += n;
    return v;
}

static uint64_t rd_varint_checked(mr_reader *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        uint8_t b = rd_u8(r);
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    mr_fail(r, "varint longer than 10 bytes");
}

static inline uint64_t rd_varint(mr_reader *r)
{
    const uint8_t *p = r->cur;
    if (r->end - p < 10) return rd_varint_checked(r); /* near the end of the data */
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        uint8_t b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            r->cur = p;
            return v;
        }
    }
    mr_fail(r, "varint longer than 10 bytes");
}

static inline int64_t rd_svarint(mr_reader *r)
{
    uint64_t z = rd_varint(r);
    return (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
}

/* A NUL-terminated string, interned in the profile. */
static const char *rd_cstr(mr_reader *r)
{
    size_t scanned = 0;
    for (;;) {
        size_t have = (size_t)(r->end - r->cur);
        const uint8_t *nul = memchr(r->cur + scanned, 0, have - scanned);
        if (nul) {
            const char *s = pk_intern(r->p, (const char *)r->cur, (size_t)(nul - r->cur));
            r->cur = nul + 1;
            return s;
        }
        if (r->eof) truncated(r);
        if (have > MR_STRING_MAX) mr_fail(r, "string longer than %u bytes", MR_STRING_MAX);
        scanned = have;
        fill(r, have + 4096);
    }
}

/* ---- tables --------------------------------------------------------------- */

static thread_state *thread_get(mr_reader *r, uint64_t tid, uint32_t *index)
{
    uint32_t i = mr_map_find(&r->thread_by_tid, tid);
    if (i == PK_NONE) {
        r->threads = grow(r->threads, &r->capthreads, r->nthreads + 1, sizeof *r->threads);
        i = (uint32_t)r->nthreads++;
        r->threads[i] = (thread_state){.tid = tid};
        mr_map_put(&r->thread_by_tid, tid, i);
    }
    *index = i;
    return &r->threads[i];
}

static uint64_t node_hash(uint32_t parent, uint32_t code, int32_t offset)
{
    uint64_t h = (parent * 0x9e3779b97f4a7c15ULL) ^ (code * 0xc2b2ae3d27d4eb4fULL) ^
                 ((uint32_t)offset * 0x165667b19e3779f9ULL);
    return h ^ (h >> 29);
}

static void node_slots_rebuild(mr_reader *r, size_t cap)
{
    size_t old_cap = r->node_slots ? r->node_mask + 1 : 0;
    uint32_t *slots = mr_table_alloc(cap, sizeof *r->node_slots, &old_cap);
    free(r->node_slots);
    r->node_slots = slots;
    r->node_mask = cap - 1;
    for (uint32_t id = 1; id < r->nnodes; id++) {
        const stack_node *n = &r->nodes[id];
        size_t i = node_hash(n->parent, n->code, n->offset) & r->node_mask;
        while (r->node_slots[i])
            i = (i + 1) & r->node_mask;
        r->node_slots[i] = id + 1;
    }
}

/* The stack node for frame (code, offset) called from parent. */
static uint32_t node_get(mr_reader *r, uint32_t parent, uint32_t code, int32_t offset)
{
    size_t i = node_hash(parent, code, offset) & r->node_mask;
    for (; r->node_slots[i]; i = (i + 1) & r->node_mask) {
        const stack_node *n = &r->nodes[r->node_slots[i] - 1];
        if (n->parent == parent && n->code == code && n->offset == offset)
            return r->node_slots[i] - 1;
    }
    if (r->nnodes >= UINT32_MAX - 2) mr_fail(r, "too many distinct stacks");
    r->nodes = grow(r->nodes, &r->capnodes, r->nnodes + 1, sizeof *r->nodes);
    uint32_t id = (uint32_t)r->nnodes++;
    r->nodes[id] = (stack_node){parent, code, offset, r->nodes[parent].depth + 1, PK_NONE, 0};
    r->node_slots[i] = id + 1;
    if (2 * r->nnodes > r->node_mask + 1) node_slots_rebuild(r, 2 * (r->node_mask + 1));
    return id;
}

static uint32_t location_get(mr_reader *r, uint32_t node, uint32_t thread)
{
    uint64_t key = (uint64_t)node << 32 | thread;
    uint32_t id = mr_map_find(&r->loc_by_key, key);
    if (id != PK_NONE) return id;
    r->locs = grow(r->locs, &r->caplocs, r->nlocs + 1, sizeof *r->locs);
    id = (uint32_t)r->nlocs++;
    if (r->history && id > LIVE_LOC) mr_history_drop(r);
    r->locs[id] = (location){.node = node, .thread = thread};
    mr_map_put(&r->loc_by_key, key, id);
    return id;
}

/* The location of an allocation made now by the current thread. */
static uint32_t current_location(mr_reader *r, uint64_t native_id)
{
    thread_state *t = r->thread;
    uint32_t node = t->depth ? t->stack[t->depth - 1] : 0;
    if (r->keep_native && native_id) {
        if (native_id > r->native_nodes)
            mr_fail(r, "allocation with undefined native stack %" PRIu64, native_id);
        if (r->generations >= NATIVE_MARK) mr_fail(r, "too many memory maps");
        node = node_get(r, node, NATIVE_MARK | (uint32_t)r->generations, (int32_t)native_id);
    }
    stack_node *n = &r->nodes[node];
    if (n->loc_thread != r->cur_thread) {
        n->loc = location_get(r, node, r->cur_thread);
        n->loc_thread = r->cur_thread;
    }
    return n->loc;
}

static uint32_t code_index(mr_reader *r, uint64_t code_id)
{
    if (code_id >= r->capcode_ids || r->code_by_id[code_id] == PK_NONE)
        mr_fail(r, "frame of undefined code object %" PRIu64, code_id);
    return r->code_by_id[code_id];
}

/* ---- stream records (file_format 0) --------------------------------------- */

static void need_thread(mr_reader *r)
{
    if (!r->thread) mr_fail(r, "thread record before any CONTEXT_SWITCH");
}

/* One decoded ALLOCATION record: its location, then to the views. */
static inline __attribute__((always_inline)) void process_allocation(mr_reader *r,
                                                                     unsigned allocator,
                                                                     uint64_t addr, uint64_t size,
                                                                     uint64_t native_id)
{
    need_thread(r);
    r->n_records++;
    r->by_allocator[allocator]++;
    uint32_t loc = PK_NONE;
    bool dealloc = allocator == A_FREE || allocator == A_PYMALLOC_FREE || allocator == A_MUNMAP;
    if (!dealloc) {
        if (size > INT64_MAX / 4) mr_fail(r, "allocation size %" PRIu64 " out of range", size);
        loc = current_location(r, native_id);
    }
    mr_views_queue(r, allocator, addr, size, loc);
}

static void on_allocation(mr_reader *r, uint8_t type)
{
    unsigned allocator = type & 7, slot = (type >> 3) & 15;
    uint64_t addr;
    if (slot == 15) {
        r->last_ptr += (uint64_t)rd_svarint(r);
        addr = r->last_ptr << 3;
        r->cache_head = (r->cache_head - 1) & 15;
        r->cache[r->cache_head] = addr;
    } else {
        addr = r->cache[(r->cache_head + slot) & 15];
    }
    if (allocator == 0) {
        allocator = rd_u8(r);
        if (allocator < 8 || allocator > 15) mr_fail(r, "unknown allocator id %u", allocator);
    }
    bool simple_free = allocator == A_FREE || allocator == A_PYMALLOC_FREE;
    uint64_t native_id = 0;
    if (r->native_traces && !simple_free) native_id = r->last_native_id += (uint64_t)rd_svarint(r);
    uint64_t size = simple_free ? 0 : rd_varint(r);
    process_allocation(r, allocator, addr, size, native_id);
}

/* Push a frame (code definition, offset) on the current thread's stack. */
static void push_frame(mr_reader *r, uint32_t code, int64_t offset)
{
    if (offset < INT32_MIN || offset > INT32_MAX)
        mr_fail(r, "instruction offset %" PRId64 " out of range", offset);
    thread_state *t = r->thread;
    uint32_t parent = t->depth ? t->stack[t->depth - 1] : 0;
    uint32_t node = node_get(r, parent, code, (int32_t)offset);
    t->stack = grow(t->stack, &t->cap, t->depth + 1, sizeof *t->stack);
    t->stack[t->depth++] = node;
}

static void on_frame_push(mr_reader *r, bool is_entry)
{
    (void)is_entry; /* only matters when merging with native stacks */
    uint64_t code_id = rd_varint(r);
    int64_t offset = rd_svarint(r);
    need_thread(r);
    push_frame(r, code_index(r, code_id), offset);
}

static void on_frame_pop(mr_reader *r, unsigned count)
{
    need_thread(r);
    thread_state *t = r->thread;
    if (count > t->depth) mr_fail(r, "pop of %u frames from a stack of %zu", count, t->depth);
    t->depth -= count;
}

/* Define (or redefine) code object `id`; takes ownership of linetable. */
static void define_code(mr_reader *r, uint64_t id, const char *name, const char *file,
                        int64_t firstline, uint8_t *linetable, uint32_t ltlen)
{
    if (id > 2 * r->ncodes + 65536) {
        free(linetable);
        mr_fail(r, "code object id %" PRIu64 " out of sequence", id);
    }
    if (firstline < INT32_MIN || firstline > INT32_MAX) firstline = 0;
    if (r->ncodes >= NATIVE_MARK) {
        free(linetable);
        mr_fail(r, "too many code objects");
    }
    r->codes = grow(r->codes, &r->capcodes, r->ncodes + 1, sizeof *r->codes);
    r->codes[r->ncodes] = (code_def){name, file, (int32_t)firstline, ltlen, linetable, PK_NONE};
    size_t old = r->capcode_ids;
    r->code_by_id = grow(r->code_by_id, &r->capcode_ids, id + 1, sizeof *r->code_by_id);
    for (size_t i = old; i < r->capcode_ids; i++)
        r->code_by_id[i] = PK_NONE;
    r->code_by_id[id] = (uint32_t)r->ncodes++;
}

static void on_code_object(mr_reader *r)
{
    uint64_t id = rd_varint(r);
    const char *name = rd_cstr(r);
    const char *file = rd_cstr(r);
    r->last_firstline += (uint64_t)rd_svarint(r);
    uint64_t ltlen = rd_varint(r);
    if (ltlen > MR_STRING_MAX) mr_fail(r, "line table of %" PRIu64 " bytes", ltlen);
    fill(r, (size_t)ltlen);
    if ((uint64_t)(r->end - r->cur) < ltlen) truncated(r);
    uint8_t *lt = pk_xmalloc(ltlen);
    memcpy(lt, r->cur, ltlen);
    r->cur += ltlen;
    define_code(r, id, name, file, (int64_t)r->last_firstline, lt, (uint32_t)ltlen);
}

static void on_memory_record(mr_reader *r)
{
    uint64_t rss = rd_varint(r);
    uint64_t ms = rd_varint(r);
    r->memory_records++;
    mr_views_flush(r);
    /* past --time's window nothing is replayed: the heap would stand still */
    bool ended = r->window_ended;
    mr_views_time(r, (int64_t)(ms * 1000000u), ms);
    int64_t t_ns = (int64_t)((r->start_time + ms) * 1000000u);
    if (!ended) pk_series_add(r->p, t_ns, (int64_t)rss, r->heap);
}

static void on_segment_header(mr_reader *r)
{
    const char *image = rd_cstr(r);
    uint64_t n = rd_varint(r);
    uint64_t load = rd_fixed(r, 8);
    r->images++;
    for (uint64_t i = 0; i < n; i++) {
        r->rec = r->cur;
        fill(r, MR_RECORD_MAX);
        if (rd_u8(r) != 0x08)
            mr_fail(r, "SEGMENT_HEADER announces %" PRIu64 " segments, found %" PRIu64, n, i);
        uint64_t vaddr = rd_fixed(r, 8);
        uint64_t memsz = rd_varint(r);
        if (r->keep_native) {
            r->segments = grow(r->segments, &r->capsegments, r->nsegments + 1, sizeof *r->segments);
            r->segments[r->nsegments++] =
                (segment){load + vaddr, load + vaddr + memsz, load, image, r->generations};
        }
    }
}

static void on_native_trace_index(mr_reader *r)
{
    r->last_ip += (uint64_t)rd_svarint(r);
    r->last_native_id += (uint64_t)rd_svarint(r);
    r->native_nodes++;
    if (!r->keep_native) return;
    uint64_t parent = r->last_native_id;
    if (parent >= r->native_nodes) mr_fail(r, "native frame %" PRIu64 " before its parent", parent);
    if (r->native_nodes >= INT32_MAX) mr_fail(r, "too many native frames");
    size_t k = (size_t)r->native_nodes - 1, cap = r->capnative;
    r->native_ip = grow(r->native_ip, &cap, k + 1, sizeof *r->native_ip);
    cap = r->capnative;
    r->native_parent = grow(r->native_parent, &cap, k + 1, sizeof *r->native_parent);
    cap = r->capnative;
    r->native_depth = grow(r->native_depth, &cap, k + 1, sizeof *r->native_depth);
    cap = r->capnative;
    r->native_func = grow(r->native_func, &cap, k + 1, sizeof *r->native_func);
    cap = r->capnative;
    r->native_func_gen = grow(r->native_func_gen, &cap, k + 1, sizeof *r->native_func_gen);
    r->capnative = cap;
    r->native_ip[k] = r->last_ip;
    r->native_parent[k] = (uint32_t)parent;
    r->native_depth[k] = parent ? r->native_depth[parent - 1] + 1 : 1;
    r->native_func[k] = PK_NONE;
    if (r->native_depth[k] > r->max_native_depth) r->max_native_depth = r->native_depth[k];
}

static void on_object(mr_reader *r, uint8_t type)
{
    unsigned slot = (type >> 1) & 15;
    if (slot == 15) {
        r->last_ptr += (uint64_t)rd_svarint(r);
        r->cache_head = (r->cache_head - 1) & 15;
        r->cache[r->cache_head] = r->last_ptr << 3;
    }
    if (r->native_traces && (type & 1)) r->last_native_id += (uint64_t)rd_svarint(r);
    need_thread(r);
    r->objects++;
}

/* Records whose type number and layout every capture kind and version share:
 * native trace index, generation, segment header, thread name, context
 * switch. False when type is none of them. */
static bool shared_record(mr_reader *r, unsigned type)
{
    switch (type) {
    case 5:
        on_native_trace_index(r);
        return true;
    case 6:
        r->generations++;
        return true;
    case 7:
        on_segment_header(r);
        return true;
    case 10: {
        const char *name = rd_cstr(r);
        need_thread(r);
        r->thread->name = name;
        return true;
    }
    case 12: {
        uint64_t tid = rd_fixed(r, 8);
        r->thread = thread_get(r, tid, &r->cur_thread);
        return true;
    }
    default:
        return false;
    }
}

/* One record; false at the end of the stream. */
static bool stream_record(mr_reader *r)
{
    fill(r, MR_RECORD_MAX);
    if (r->cur >= r->end) return false;
    r->rec = r->cur;
    uint8_t type = *r->cur++;
    if (type & 0x80) {
        on_allocation(r, type);
    } else if (type & 0x40) {
        on_frame_push(r, type & 1);
    } else if (type & 0x20) {
        on_object(r, type);
    } else if (type & 0x10) {
        on_frame_pop(r, (type & 15) + 1u);
    } else {
        switch (type) {
        case 0x00: /* zero padding: end of data */
            return false;
        case 0x01:
            r->saw_trailer = true;
            return false;
        case 0x02:
            on_memory_record(r);
            break;
        case 0x0E:
            on_code_object(r);
            break;
        default:
            if (!shared_record(r, type)) mr_fail(r, "unknown record type 0x%02x", type);
        }
    }
    return true;
}

/* ---- version 11 (memray 1.11 - 1.18) ----------------------------------------
 * A record byte is a type in the low nibble and flags in the high one. Python
 * frames come as FRAME_INDEX records with their function, file and line. */

static void v11_allocation(mr_reader *r, unsigned allocator, bool with_native)
{
    if (allocator == 0) mr_fail(r, "allocation record without allocator");
    r->last_ptr += (uint64_t)rd_svarint(r);
    bool simple_free = allocator == A_FREE || allocator == A_PYMALLOC_FREE;
    uint64_t size = simple_free && !with_native ? 0 : rd_varint(r);
    uint64_t native_id = 0;
    if (with_native) native_id = r->last_native_id += (uint64_t)rd_svarint(r);
    process_allocation(r, allocator, r->last_ptr, size, native_id);
}

static void v11_frame_index(mr_reader *r)
{
    r->last_frame_id += (uint64_t)rd_svarint(r);
    const char *name = rd_cstr(r);
    const char *file = rd_cstr(r);
    r->last_line += (uint64_t)rd_svarint(r);
    define_code(r, r->last_frame_id, name, file, (int64_t)(int32_t)r->last_line, NULL, 0);
}

static bool v11_stream_record(mr_reader *r)
{
    fill(r, MR_RECORD_MAX);
    if (r->cur >= r->end) return false;
    r->rec = r->cur;
    uint8_t byte = *r->cur++;
    unsigned type = byte & 15, flags = byte >> 4;
    switch (type) {
    case 0:
        if (byte == 0) return false;
        if (flags != 1) mr_fail(r, "unknown record 0x%02x", byte);
        r->saw_trailer = true;
        return false;
    case 1:
    case 2:
        v11_allocation(r, flags, type == 2);
        break;
    case 3:
        v11_frame_index(r);
        break;
    case 4: {
        r->last_frame_id += (uint64_t)rd_svarint(r);
        need_thread(r);
        uint32_t code = code_index(r, r->last_frame_id);
        push_frame(r, code, r->codes[code].firstline);
        break;
    }
    case 9:
        on_frame_pop(r, flags + 1);
        break;
    case 11:
        on_memory_record(r);
        break;
    default:
        if (!shared_record(r, type)) mr_fail(r, "unknown record type 0x%02x", byte);
    }
    return true;
}

/* Aggregated v11: frames carry strings and a line, trace nodes are raw. */
static void v11_agg_frame(mr_reader *r)
{
    uint64_t id = rd_fixed(r, 8);
    const char *name = rd_cstr(r);
    const char *file = rd_cstr(r);
    int32_t line = (int32_t)rd_fixed(r, 4);
    rd_fixed(r, 1); /* is_entry_frame */
    define_code(r, id, name, file, line, NULL, 0);
}

static void v11_agg_trace(mr_reader *r)
{
    uint64_t frame_id = rd_fixed(r, 8);
    uint64_t parent = rd_fixed(r, 4);
    if (parent > r->nagg_nodes) mr_fail(r, "stack node with undefined parent %" PRIu64, parent);
    uint32_t code = code_index(r, frame_id);
    uint32_t parent_node = parent ? r->agg_nodes[parent - 1] : 0;
    uint32_t node = node_get(r, parent_node, code, r->codes[code].firstline);
    r->agg_nodes = grow(r->agg_nodes, &r->capagg_nodes, r->nagg_nodes + 1, sizeof *r->agg_nodes);
    r->agg_nodes[r->nagg_nodes++] = node;
}

/* ---- aggregated captures (file_format 1) ---------------------------------- */

static void on_agg_frame(mr_reader *r)
{
    uint64_t frame_id = rd_varint(r);
    uint64_t code_id = rd_varint(r);
    int64_t offset = rd_svarint(r);
    rd_u8(r); /* is_entry_frame */
    if (frame_id != r->nagg_frames)
        mr_fail(r, "python frame %" PRIu64 " out of sequence", frame_id);
    if (offset < INT32_MIN || offset > INT32_MAX)
        mr_fail(r, "instruction offset %" PRId64 " out of range", offset);
    size_t cap = r->capagg_frames;
    r->agg_frame_code = grow(r->agg_frame_code, &cap, r->nagg_frames + 1, sizeof(uint32_t));
    cap = r->capagg_frames;
    r->agg_frame_offset = grow(r->agg_frame_offset, &cap, r->nagg_frames + 1, sizeof(int32_t));
    r->capagg_frames = cap;
    r->agg_frame_code[r->nagg_frames] = code_index(r, code_id);
    r->agg_frame_offset[r->nagg_frames++] = (int32_t)offset;
}

static void on_agg_trace(mr_reader *r)
{
    uint64_t frame_id = rd_varint(r);
    uint64_t parent = rd_varint(r);
    if (frame_id >= r->nagg_frames)
        mr_fail(r, "stack of undefined python frame %" PRIu64, frame_id);
    if (parent > r->nagg_nodes) mr_fail(r, "stack node with undefined parent %" PRIu64, parent);
    uint32_t parent_node = parent ? r->agg_nodes[parent - 1] : 0;
    uint32_t node =
        node_get(r, parent_node, r->agg_frame_code[frame_id], r->agg_frame_offset[frame_id]);
    r->agg_nodes = grow(r->agg_nodes, &r->capagg_nodes, r->nagg_nodes + 1, sizeof *r->agg_nodes);
    r->agg_nodes[r->nagg_nodes++] = node;
}

static void on_agg_allocation(mr_reader *r)
{
    fill(r, 72);
    if (r->end - r->cur < 72) truncated(r);
    uint64_t f[9];
    for (int i = 0; i < 9; i++)
        f[i] = rd_fixed(r, 8);
    uint64_t tid = f[0], node_index = f[3];
    unsigned allocator = (unsigned)(f[1] & 0xff);
    if (node_index > r->nagg_nodes)
        mr_fail(r, "allocation of undefined stack %" PRIu64, node_index);
    for (int i = 5; i < 9; i++)
        if (f[i] > (uint64_t)INT64_MAX / 4)
            mr_fail(r, "aggregated allocation value %" PRIu64 " out of range", f[i]);
    uint32_t thread;
    thread_get(r, tid, &thread);
    uint32_t node = node_index ? r->agg_nodes[node_index - 1] : 0;
    if (r->keep_native && f[2]) {
        if (f[2] > r->native_nodes || f[4] >= NATIVE_MARK)
            mr_fail(r, "allocation with undefined native stack %" PRIu64, f[2]);
        node = node_get(r, node, NATIVE_MARK | (uint32_t)f[4], (int32_t)f[2]);
    }
    mr_views_aggregated(r, location_get(r, node, thread), (int64_t)f[5], (int64_t)f[6],
                        (int64_t)f[7], (int64_t)f[8]);
    if (allocator < 16) r->by_allocator[allocator]++;
    r->n_records++;
}

static bool aggregated_record(mr_reader *r)
{
    fill(r, MR_RECORD_MAX);
    if (r->cur >= r->end) return false;
    r->rec = r->cur;
    uint8_t type = *r->cur++;
    switch (type) {
    case 0x00:
        return false;
    case 1: { /* MEMORY_SNAPSHOT */
        uint64_t ms = rd_fixed(r, 8), rss = rd_fixed(r, 8), heap = rd_fixed(r, 8);
        r->memory_records++;
        pk_series_add(r->p, (int64_t)(ms * 1000000u), (int64_t)rss, (int64_t)heap);
        break;
    }
    case 2:
        on_agg_allocation(r);
        break;
    case 3:
        if (r->version == 11)
            v11_agg_trace(r);
        else
            on_agg_trace(r);
        break;
    case 4:
        if (r->version == 11)
            v11_agg_frame(r);
        else
            on_agg_frame(r);
        break;
    case 13: /* SURVIVING_OBJECT */
        rd_varint(r);
        if (r->native_traces) rd_varint(r);
        r->objects++;
        break;
    case 14:
        on_code_object(r);
        break;
    case 15:
        r->saw_trailer = true;
        return false;
    default:
        if (!shared_record(r, type)) mr_fail(r, "unknown aggregated record type 0x%02x", type);
    }
    return true;
}

/* ---- header --------------------------------------------------------------- */

static void read_header(mr_reader *r)
{
    fill(r, 64);
    set_record_offset(r, 0);
    if (r->end - r->cur < 11 || memcmp(r->cur, "memray\0", 7) != 0)
        mr_fail(r, "not a memray capture (bad magic)");
    r->cur += 7;
    r->version = (int)(int32_t)rd_fixed(r, 4);
    if (r->version < 11 || r->version > 13) {
        set_record_offset(r, 7);
        mr_fail(r, "unsupported memray capture version %d (11, 12 and 13 are supported)",
                r->version);
    }
    if (r->version >= 12) r->python_version = (uint32_t)rd_fixed(r, 4);
    r->native_traces = rd_fixed(r, 1) != 0;
    r->rec = r->cur;
    uint64_t format = rd_fixed(r, 1);
    if (format > 1) mr_fail(r, "unknown file format %" PRIu64, format);
    r->aggregated = format == 1;
    r->n_allocations_header = rd_fixed(r, 8);
    rd_fixed(r, 8); /* n_frames */
    r->start_time = rd_fixed(r, 8);
    r->end_time = rd_fixed(r, 8);
    const char *command_line = rd_cstr(r);
    pk_meta_set(r->p, "memray.command_line", command_line);
    char num[32];
    snprintf(num, sizeof num, "%" PRId32, (int32_t)rd_fixed(r, 4));
    pk_meta_set(r->p, "memray.pid", num);
    r->main_tid = rd_fixed(r, 8);
    r->skipped = rd_fixed(r, 8);
    r->python_allocator = (int)rd_fixed(r, 1);
    r->trace_python_allocators = rd_fixed(r, 1) != 0;
    if (r->version >= 12) r->track_object_lifetimes = rd_fixed(r, 1) != 0;
    if (r->version >= 13) {
        pk_meta_set(r->p, "memray.libdest", rd_cstr(r));
        for (int list = 0; list < 2; list++)
            while (*rd_cstr(r))
                ;
    }
}

static const char *python_allocator_name(int id)
{
    static const char *const names[] = {"?",     "pymalloc", "pymalloc debug", "malloc",
                                        "other", "mimalloc", "mimalloc debug"};
    return id >= 0 && id < 7 ? names[id] : "?";
}

static void meta_u64(pk_profile *p, const char *key, uint64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRIu64, v);
    pk_meta_set(p, key, num);
}

static void meta_i64(pk_profile *p, const char *key, int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, v);
    pk_meta_set(p, key, num);
}

static void set_meta(mr_reader *r, int64_t peak, int64_t leaked_bytes, int64_t leaked_count)
{
    pk_profile *p = r->p;
    meta_u64(p, "memray.header_version", (uint64_t)r->version);
    if (r->python_version) {
        char v[32];
        snprintf(v, sizeof v, "%u.%u.%u", r->python_version >> 24, (r->python_version >> 16) & 255,
                 (r->python_version >> 8) & 255);
        pk_meta_set(p, "memray.python_version", v);
    }
    pk_meta_set(p, "memray.file_format",
                r->aggregated ? "AGGREGATED_ALLOCATIONS" : "ALL_ALLOCATIONS");
    pk_meta_set(p, "memray.native_traces", r->native_traces ? "true" : "false");
    pk_meta_set(p, "memray.trace_python_allocators", r->trace_python_allocators ? "true" : "false");
    pk_meta_set(p, "memray.track_object_lifetimes", r->track_object_lifetimes ? "true" : "false");
    pk_meta_set(p, "memray.python_allocator", python_allocator_name(r->python_allocator));
    meta_u64(p, "memray.main_thread_id", r->main_tid);
    meta_u64(p, "memray.skipped_frames_on_main_tid", r->skipped);
    meta_u64(p, "memray.header_n_allocations", r->n_allocations_header);
    meta_u64(p, "memray.start_time_ms", r->start_time);
    meta_u64(p, "memray.end_time_ms", r->end_time);
    /* the header's times, or the last memory record's when it was not rewritten */
    uint64_t ms = r->end_time > r->start_time ? r->end_time - r->start_time : 0;
    if (!r->aggregated && (uint64_t)r->now_ns / 1000000u > ms) ms = (uint64_t)r->now_ns / 1000000u;
    if (ms) {
        char d[32];
        snprintf(d, sizeof d, "%.3f", (double)ms / 1e3);
        pk_meta_set(p, "duration_s", d);
    }
    pk_meta_set(p, "memray.view", r->view_name);
    meta_i64(p, "memray.peak_memory", peak);
    meta_i64(p, "memray.leaked_bytes", leaked_bytes);
    meta_i64(p, "memray.leaked_allocations", leaked_count);
    meta_u64(p, "memray.threads", r->nthreads);
    if (!r->aggregated) {
        meta_u64(p, "memray.records", r->n_records);
        meta_u64(p, "memray.total_allocations", r->total_allocs);
        meta_u64(p, "memray.total_bytes_allocated", r->total_bytes);
    }
    if (r->native_traces) {
        meta_u64(p, "memray.native_stack_nodes", r->native_nodes);
        meta_u64(p, "memray.native_images", r->images);
        pk_meta_set(p, "memray.native_frames",
                    r->keep_native ? "image+offset, not symbolized"
                                   : "left out: Python stacks only (pconv --native adds them)");
    }
    char counts[16 * 40] = "";
    size_t used = 0;
    for (int a = 1; a < 16; a++)
        if (r->by_allocator[a] && used < sizeof counts)
            used += (size_t)snprintf(counts + used, sizeof counts - used, "%s%s=%" PRIu64,
                                     used ? " " : "", allocator_names[a], r->by_allocator[a]);
    pk_meta_set(p, "memray.records_by_allocator", counts);
}

/* ---- line numbers from CPython line tables -------------------------------- */

static unsigned lt_varint6(const uint8_t *t, size_t n, size_t *i)
{
    unsigned v = 0, shift = 0;
    while (*i < n && shift < 32) {
        uint8_t b = t[(*i)++];
        v |= (unsigned)(b & 63) << shift;
        shift += 6;
        if (!(b & 64)) break;
    }
    return v;
}

static int32_t line_311(const code_def *c, int64_t offset)
{
    const uint8_t *t = c->linetable;
    size_t n = c->ltlen, i = 0;
    uint64_t unit = (uint64_t)offset / 2, addr = 0;
    int64_t line = c->firstline;
    while (i < n && t[i]) {
        uint8_t h = t[i++];
        unsigned code = (h >> 3) & 15, len = (h & 7) + 1u;
        if (code == 15) {
        } else if (code == 14 || code == 13) {
            unsigned u = lt_varint6(t, n, &i);
            line += (u & 1) ? -(int64_t)(u >> 1) : (int64_t)(u >> 1);
            if (code == 14)
                for (int k = 0; k < 3; k++)
                    lt_varint6(t, n, &i);
        } else if (code >= 10) {
            line += code - 10;
            i += 2;
        } else {
            i += 1;
        }
        if (unit >= addr && unit < addr + len) break;
        addr += len;
    }
    return line < 0 || line > INT32_MAX ? 0 : (int32_t)line;
}

static int32_t line_310(const code_def *c, int64_t offset)
{
    const uint8_t *t = c->linetable;
    uint64_t target = (uint64_t)offset * 2, start = 0;
    int64_t line = c->firstline;
    for (size_t i = 0; i + 1 < c->ltlen; i += 2) {
        uint64_t end = start + t[i];
        int8_t delta = (int8_t)t[i + 1];
        if (delta != -128) line += delta;
        if (target < end) break;
        start = end;
    }
    return line < 0 || line > INT32_MAX ? 0 : (int32_t)line;
}

static int32_t line_lnotab(const code_def *c, int64_t offset)
{
    const uint8_t *t = c->linetable;
    uint64_t addr = 0;
    int64_t line = c->firstline;
    for (size_t i = 0; i + 1 < c->ltlen; i += 2) {
        addr += t[i];
        if (addr > (uint64_t)offset) break;
        line += (int8_t)t[i + 1];
    }
    return line < 0 || line > INT32_MAX ? 0 : (int32_t)line;
}

static int32_t frame_line(const mr_reader *r, const code_def *c, int32_t offset)
{
    if (r->version < 12) return offset; /* version 11 frames carry their line directly */
    if (offset < 0) return 0;
    if (c->ltlen == 0) return c->firstline;
    if (r->python_version >= 0x030B0000) return line_311(c, offset);
    if (r->python_version >= 0x030A0000) return line_310(c, offset);
    return line_lnotab(c, offset);
}

/* ---- building the model --------------------------------------------------- */

/* ---- building the model --------------------------------------------------- */

static pk_id code_function(mr_reader *r, uint32_t code)
{
    code_def *c = &r->codes[code];
    if (c->func == PK_NONE)
        c->func = pk_function_get(r->p, c->name, c->file, r->version < 12 ? 0 : c->firstline,
                                  PK_KIND_PYTHON);
    return c->func;
}

static pk_id thread_function(mr_reader *r, const thread_state *t)
{
    char name[96];
    if (t->name && *t->name)
        snprintf(name, sizeof name, "Thread %" PRIu64 " (%.60s)", t->tid, t->name);
    else
        snprintf(name, sizeof name, "Thread %" PRIu64, t->tid);
    return pk_function_get(r->p, name, "", 0, PK_KIND_THREAD);
}

static int segment_order(const void *a, const void *b)
{
    const segment *x = a, *y = b;
    if (x->generation != y->generation) return x->generation < y->generation ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The segment of generation gen holding ip, or NULL (segments sorted). */
static const segment *segment_find(const mr_reader *r, uint64_t gen, uint64_t ip)
{
    size_t lo = 0, hi = r->nsegments; /* first segment after (gen, ip) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const segment *s = &r->segments[mid];
        if (s->generation < gen || (s->generation == gen && s->start <= ip))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) return NULL;
    const segment *s = &r->segments[lo - 1];
    return s->generation == gen && ip < s->end ? s : NULL;
}

/* A native frame, named as the capture allows: image+offset (the address
 * to give addr2line with that image), or the bare address. */
static pk_id native_function(mr_reader *r, uint32_t k, uint32_t gen)
{
    size_t i = k - 1;
    if (r->native_func[i] != PK_NONE && r->native_func_gen[i] == gen) return r->native_func[i];
    uint64_t ip = r->native_ip[i];
    const segment *s = segment_find(r, gen, ip);
    char name[320];
    const char *file = "";
    if (s) {
        const char *base = strrchr(s->image, '/');
        snprintf(name, sizeof name, "%.256s+0x%" PRIx64, base ? base + 1 : s->image,
                 ip - 1 - s->load);
        file = s->image;
    } else {
        snprintf(name, sizeof name, "0x%" PRIx64, ip);
    }
    r->native_func[i] = pk_function_get(r->p, name, file, 0, PK_KIND_NATIVE);
    r->native_func_gen[i] = gen;
    return r->native_func[i];
}

/* Native stack k, innermost frame first, into funcs/lines; its length. */
static size_t native_frames(mr_reader *r, uint32_t k, uint32_t gen, pk_id *funcs, int32_t *lines)
{
    size_t depth = 0;
    for (; k; k = r->native_parent[k - 1]) {
        funcs[depth] = native_function(r, k, gen);
        lines[depth++] = 0;
    }
    return depth;
}

/* Each location with a value in the view becomes a stack of the tree; with
 * loc_node, every location does (a node of no value if need be), and
 * loc_node[i] receives location i's node. */
static void build_tree(mr_reader *r, pk_id *loc_node)
{
    pk_profile *p = r->p;
    size_t maxdepth = 1 + r->max_native_depth;
    for (size_t i = 0; i < r->nnodes; i++)
        if (r->nodes[i].depth + 2 + r->max_native_depth > maxdepth)
            maxdepth = r->nodes[i].depth + 2 + r->max_native_depth;
    /* held: adding stacks to the model may fail the read */
    pk_id *funcs = pk_scratch_hold(pk_xmalloc(maxdepth * sizeof *funcs));
    int32_t *lines = pk_scratch_hold(pk_xmalloc(maxdepth * sizeof *lines));
    int32_t *node_line = pk_scratch_hold(pk_xmalloc(r->nnodes * sizeof *node_line));
    for (size_t i = 0; i < r->nnodes; i++)
        node_line[i] = INT32_MIN;
    pk_id unknown = PK_NONE;
    pk_sort(r->segments, r->nsegments, sizeof *r->segments, segment_order);

    for (size_t i = 0; i < r->nlocs; i++) {
        const location *l = &r->locs[i];
        int64_t v[2];
        mr_view_values(r, l, v);
        if (v[0] == 0 && v[1] == 0 && !loc_node) continue;
        const thread_state *t = &r->threads[l->thread];
        uint64_t skip = t->tid == r->main_tid ? r->skipped : 0;
        size_t depth = 0;
        uint32_t n = l->node;
        if (r->nodes[n].code & NATIVE_MARK) {
            depth = native_frames(r, (uint32_t)r->nodes[n].offset, r->nodes[n].code & ~NATIVE_MARK,
                                  funcs, lines);
            n = r->nodes[n].parent;
        }
        for (; n && r->nodes[n].depth > skip; n = r->nodes[n].parent) {
            const stack_node *sn = &r->nodes[n];
            if (node_line[n] == INT32_MIN)
                node_line[n] = frame_line(r, &r->codes[sn->code], sn->offset);
            funcs[depth] = code_function(r, sn->code);
            lines[depth++] = node_line[n];
        }
        if (depth == 0) {
            if (unknown == PK_NONE)
                unknown = pk_function_get(p, "<unknown>", "<unknown>", 0, PK_KIND_OTHER);
            funcs[depth] = unknown;
            lines[depth++] = 0;
        }
        if (r->opt && r->opt->threads) {
            funcs[depth] = thread_function(r, t);
            lines[depth++] = 0;
        }
        for (size_t a = 0, b = depth - 1; a < b; a++, b--) {
            pk_id f = funcs[a];
            funcs[a] = funcs[b];
            funcs[b] = f;
            int32_t ln = lines[a];
            lines[a] = lines[b];
            lines[b] = ln;
        }
        pk_id node = pk_tree_add_stack(p, funcs, lines, depth, v);
        if (loc_node) loc_node[i] = node;
    }
    pk_scratch_free(funcs);
    pk_scratch_free(lines);
    pk_scratch_free(node_line);
    p->has_tree = true;
}

static void finish(mr_reader *r)
{
    int64_t peak, leaked_bytes, leaked_count;
    mr_views_totals(r, &peak, &leaked_bytes, &leaked_count);
    set_meta(r, peak, leaked_bytes, leaked_count);
    pk_heap_history *h = r->p->heap = mr_history_finish(r);
    pk_id *loc_node = h ? pk_scratch_hold(pk_xmalloc((r->nlocs + 1) * sizeof *loc_node)) : NULL;
    build_tree(r, loc_node);
    if (h) { /* its changes name their tree nodes from here */
        pk_heap_history_map_nodes(h, loc_node);
        pk_scratch_free(loc_node);
    }
    pk_derive_graph(r->p);
    pk_derive_lines(r->p);
}

/* Another view of the same replay into profile p: what the capture's header
 * and replay put in the first profile (metadata, memory over time), then the
 * view's own tree. Functions are made again, in p. */
static void finish_also(mr_reader *r, pk_profile *p, const char *view, size_t header_meta)
{
    const pk_profile *first = r->p;
    p->format = first->format;
    p->time_windowed = first->time_windowed;
    p->series_names[0] = first->series_names[0];
    p->series_names[1] = first->series_names[1];
    pk_add_metric(p, "bytes", "bytes");
    pk_add_metric(p, "allocations", "count");
    for (size_t i = 0; i < header_meta; i++)
        pk_meta_set(p, first->meta[i].key, first->meta[i].value);
    for (size_t i = 0; i < first->nseries; i++)
        pk_series_add(p, first->series[i].t_ns, first->series[i].v[0], first->series[i].v[1]);
    for (size_t i = 0; i < r->ncodes; i++)
        r->codes[i].func = PK_NONE;
    for (size_t i = 0; r->native_func && i < r->capnative; i++)
        r->native_func[i] = PK_NONE;
    r->p = p;
    r->view = mr_view_parse(r->in, &(pk_read_options){.view = view});
    r->view_name = view;
    finish(r);
    r->p = (pk_profile *)first;
}

/* The views asked for beside the main one must come from this replay: the
 * temporary view needs tracking the replay did not do. */
static void check_also(mr_reader *r, const pk_read_options *opt)
{
    for (size_t i = 0; opt && i < opt->nalso; i++) {
        mr_view v = mr_view_parse(r->in, &(pk_read_options){.view = opt->also_views[i]});
        if (v == VIEW_TEMPORARY && r->view != VIEW_TEMPORARY)
            mr_fail(r, "the temporary view cannot be made beside another");
    }
}

/* --time: the events of the window count, those before it only make the
 * live set and the heap it starts from, those after it are not replayed.
 * An event's time is that of the memory record before it. */
static void start_window(mr_reader *r, const pk_read_options *opt)
{
    r->in_window = true;
    r->win_from = INT64_MIN;
    r->win_to = INT64_MAX;
    if (!opt || !opt->time_set) return;
    if (r->aggregated) {
        set_record_offset(r, 16);
        mr_fail(r, "an aggregated capture keeps no allocation times: --time needs one made "
                   "without --aggregate");
    }
    r->win_from = opt->time_from_ns;
    r->win_to = opt->time_to_ns;
    r->in_window = r->win_from <= 0;
    r->window_ended = r->win_to <= 0;
    r->p->time_windowed = true;
}

/* The heap's history for the report's memory chart, whose windows show the
 * peak, leaks and total: epochs of the span the header gives (a capture
 * that was not finished has none), of the whole capture (not of a --time
 * window), at most one a millisecond. */
static void start_history(mr_reader *r, const pk_read_options *opt)
{
    uint64_t span = r->end_time > r->start_time ? r->end_time - r->start_time : 0;
    if (!opt || opt->history_epochs <= 0 || opt->time_set || r->aggregated ||
        r->view == VIEW_TEMPORARY || span == 0 || span > ((uint64_t)1 << 40))
        return;
    size_t n = (size_t)opt->history_epochs;
    if (n > PK_HEAP_MAX_EPOCHS) n = PK_HEAP_MAX_EPOCHS;
    if (n > span) n = (size_t)span;
    mr_history_start(r, n, (int64_t)span);
}

/* An aggregated capture keeps only the peak and the leaks. */
static bool capture_has_view(const mr_reader *r, mr_view v)
{
    return !r->aggregated || (v != VIEW_TOTAL && v != VIEW_TEMPORARY);
}

/* ---- entry points --------------------------------------------------------- */

static int memray_probe(const uint8_t *head, size_t len)
{
    if (len >= 7 && memcmp(head, "memray\0", 7) == 0) return 100;
    return 0;
}

static void memray_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    mr_view view = mr_view_parse(in, opt);
    mr_reader *r = pk_xcalloc(1, sizeof *r);
    r->in = in;
    r->p = p;
    r->opt = opt;
    r->view = view;
    r->view_name = opt && opt->view ? opt->view : "peak";
    r->keep_native = opt && opt->native;
    r->temp_threshold =
        opt && opt->temporary_threshold > 0 ? (uint64_t)opt->temporary_threshold : 1;

    /* Any failure, ours, the budget's or the input layer's, frees our
     * tables first. */
    jmp_buf *catcher = pk_input_catch(in);
    memcpy(r->outer, *catcher, sizeof(jmp_buf));
    if (setjmp(*catcher)) {
        memcpy(*catcher, r->outer, sizeof(jmp_buf));
        reader_free(r);
        longjmp(*catcher, 1);
    }
    r->buf = grow(NULL, &r->cap, MR_CHUNK, 1);
    r->cur = r->end = r->buf;
    r->nodes = grow(NULL, &r->capnodes, 1024, sizeof *r->nodes);
    r->nodes[0] = (stack_node){0, 0, 0, 0, PK_NONE, 0};
    r->nnodes = 1;
    node_slots_rebuild(r, 2048);
    mr_map_init(&r->thread_by_tid, 16, 0);
    mr_map_init(&r->loc_by_key, 1024, 0);
    mr_views_init(r);

    if (setjmp(r->truncated)) mr_fail(r, "capture ends inside the header");
    read_header(r);
    if (!capture_has_view(r, view)) {
        set_record_offset(r, 16);
        mr_fail(r, "an aggregated capture keeps only the peak and the leaks, not view '%s'",
                view == VIEW_TOTAL ? "total" : "temporary");
    }
    check_also(r, opt);
    start_window(r, opt);
    start_history(r, opt);

    p->series_names[0] = "rss";
    p->series_names[1] = "heap";
    pk_add_metric(p, "bytes", "bytes");
    pk_add_metric(p, "allocations", "count");

    volatile bool cut = false;
    if (!setjmp(r->truncated)) {
        if (r->aggregated)
            while (aggregated_record(r))
                ;
        else if (r->version == 11)
            while (v11_stream_record(r))
                ;
        else
            while (stream_record(r))
                ;
    } else {
        cut = true;
    }
    mr_views_flush(r);
    mr_views_end(r);
    if (cut)
        pk_warn(in,
                "offset %" PRIu64 ": the capture ends inside a record; read %" PRIu64 " records",
                record_offset(r), r->n_records);
    else if (!r->saw_trailer)
        pk_warn(in,
                "offset %" PRIu64 ": no trailer, the capture was not finished; read %" PRIu64
                " records",
                offset_of(r, r->cur), r->n_records);
    size_t header_meta = p->nmeta;
    finish(r);
    for (size_t i = 0; opt && i < opt->nalso; i++)
        if (capture_has_view(r, mr_view_parse(in, &(pk_read_options){.view = opt->also_views[i]})))
            finish_also(r, opt->also[i], opt->also_views[i], header_meta);
    memcpy(*catcher, r->outer, sizeof(jmp_buf)); /* pk_fail goes back where it went */
    reader_free(r);
}

const pk_format pk_format_memray = {
    .name = "memray",
    .patterns = "*.bin *.memray",
    .description = "memray capture (memray run -o FILE.bin), peak/leaks/temporary/total views",
    .probe = memray_probe,
    .read = memray_read,
    .write = NULL,
};
