/* Tachyon binary: what Python 3.15's sampling profiler writes with
 * `python -m profiling.sampling ... --binary`. Byte-level facts:
 * shared/formats/tachyon-binary.md.
 *
 * A 64-byte header, the sample records (raw or one zstd frame), a string
 * table, a frame table, an optional stats block and a 32-byte footer; fixed
 * fields in the writer's byte order, the rest LEB128 varints. Records carry
 * each thread's stack as a change from its previous one (REPEAT, FULL,
 * SUFFIX, POP_PUSH): the reader keeps each thread's stack root first with
 * the tree node of every depth, so a sample costs a lookup only for the
 * frames that changed. Every sample goes to the tree and to the timeline
 * (its thread and time); its thread status flags are counted in the
 * metadata, as the model has no per-sample tags.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "../lib/bytes.h"
#include "../lib/hmap.h"
#include "../lib/limits.h"
#include "../lib/timeline.h"
#include "format.h"
#include "stacks.h"

#define MAGIC 0x54414348u
#define HEADER_SIZE 64
#define FOOTER_SIZE 32
#define STATS_SIZE 56
#define FRAME_MIN_BYTES 7 /* six one-byte varints and the opcode */
#define NO_OPCODE 0xff

enum { REC_REPEAT, REC_FULL, REC_SUFFIX, REC_POP_PUSH, REC_TYPES };
static const char *const status_names[] = {"has_gil",       "on_cpu",        "unknown",
                                           "gil_requested", "has_exception", "main_thread"};
#define NSTATUS (sizeof status_names / sizeof status_names[0])

typedef struct {
    pk_id func;
    int32_t line;
    bool internal; /* the profiler's own bootstrap (_sync_coordinator.py): left out */
    bool opcode;
} tframe;

typedef struct {
    uint64_t tid;
    uint32_t interp;
    uint32_t timeline; /* the timeline's thread index */
    pk_id root;        /* node the stacks hang from: the thread's root frame, or 0 */
    uint64_t t_us;     /* time of its last sample */
    uint32_t *frames;  /* the stack, root first (frame indexes) */
    pk_id *nodes;      /* the tree node at each depth (the node above when internal) */
    size_t depth, cap;
    uint64_t samples;
} tthread;

typedef struct {
    pk_input *in;
    pk_profile *p;
    const pk_read_options *opt;
    const uint8_t *file;
    size_t flen;
    bool swap;

    uint32_t version, compression, flags, thread_count;
    uint8_t py[3];
    uint64_t start_us, interval_us, sample_count, str_off, frm_off;
    uint32_t nstrings, nframes;
    const char **strings;
    tframe *frames;
    size_t frames_end; /* end of the frame table */

    tthread *threads;
    size_t nthreads, capthreads, last;
    sk_map thread_map;

    ZSTD_DStream *zstd;
    uint8_t *unpacked; /* zstd output, owned */
    const uint8_t *d;  /* the sample records */
    size_t dlen, pos;
    uint32_t *scratch; /* frame indexes of one record */
    size_t capscratch;

    int m_time, m_samples;
    int64_t ns_per_sample;
    uint64_t samples, records[REC_TYPES], status[NSTATUS], opcode_samples;
    bool have_stats;
    double stats[4]; /* duration_sec, sample_rate, error_rate, missed_samples */
    uint64_t stats_present;
} treader;

static void reader_free(void *ctx)
{
    treader *r = ctx;
    ZSTD_freeDStream(r->zstd);
    free(r->unpacked);
    free(r->scratch);
    free(r);
}

/* ---- fixed-width fields, in the writer's byte order ---- */

static uint64_t fixed(const treader *r, const uint8_t *b, size_t n)
{
    uint64_t v = 0;
    if (r->swap)
        for (size_t i = 0; i < n; i++)
            v = v << 8 | b[i];
    else
        for (size_t i = n; i-- > 0;)
            v = v << 8 | b[i];
    return v;
}

static double fixed_f64(const treader *r, const uint8_t *b)
{
    uint64_t bits = fixed(r, b, 8);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* ---- varints over a region (a table in the file, or the sample data) ---- */

typedef struct {
    treader *r;
    const uint8_t *b;
    size_t len, pos;
    uint64_t base; /* file offset of b[0], for messages; UINT64_MAX: decompressed data */
    const char *where;
} cursor;

static _Noreturn __attribute__((format(printf, 3, 4))) void cur_fail(const cursor *c, size_t at,
                                                                     const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->base == UINT64_MAX)
        pk_fail(c->r->in, HEADER_SIZE, "%s, at byte %zu of the decompressed sample data", msg, at);
    pk_fail(c->r->in, c->base + at, "%s", msg);
}

static uint64_t varint(cursor *c, const char *what)
{
    uint64_t v = 0;
    size_t at = c->pos;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (c->pos >= c->len) cur_fail(c, at, "%s: %s ends inside a varint", c->where, what);
        uint8_t b = c->b[c->pos++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    cur_fail(c, at, "%s: %s is a varint longer than 10 bytes", c->where, what);
}

static uint32_t varint32(cursor *c, const char *what)
{
    size_t at = c->pos;
    uint64_t v = varint(c, what);
    if (v > UINT32_MAX) cur_fail(c, at, "%s: %s %" PRIu64 " is out of range", c->where, what, v);
    return (uint32_t)v;
}

static int32_t svarint(cursor *c, const char *what)
{
    uint32_t u = varint32(c, what);
    return (int32_t)(u >> 1) ^ -(int32_t)(u & 1);
}

static uint8_t byte(cursor *c, const char *what)
{
    if (c->pos >= c->len) cur_fail(c, c->pos, "%s: truncated before %s", c->where, what);
    return c->b[c->pos++];
}

/* ---- header, footer, stats ---- */

static void read_header(treader *r)
{
    const uint8_t *b = r->file;
    if (r->flen < HEADER_SIZE + FOOTER_SIZE)
        pk_fail(r->in, 0, "Tachyon binary of %zu bytes: too small for its header and footer",
                r->flen);
    uint32_t magic = (uint32_t)pk_le(b, 4);
    if (magic == MAGIC)
        r->swap = false;
    else if (magic == __builtin_bswap32(MAGIC))
        r->swap = true;
    else
        pk_fail(r->in, 0, "not a Tachyon binary: no HCAT/TACH magic");
    r->version = (uint32_t)fixed(r, b + 4, 4);
    memcpy(r->py, b + 8, 3);
    if (r->version != 1)
        pk_fail(r->in, 4,
                "Tachyon binary format version %" PRIu32 " (written by Python %u.%u.%u); "
                "only version 1 is known",
                r->version, r->py[0], r->py[1], r->py[2]);
    r->start_us = fixed(r, b + 12, 8);
    r->interval_us = fixed(r, b + 20, 8);
    r->sample_count = fixed(r, b + 28, 8);
    r->thread_count = (uint32_t)fixed(r, b + 36, 4);
    r->str_off = fixed(r, b + 40, 8);
    r->frm_off = fixed(r, b + 48, 8);
    r->compression = (uint32_t)fixed(r, b + 56, 4);
    r->flags = (uint32_t)fixed(r, b + 60, 4);
    size_t tail = r->flen - FOOTER_SIZE;
    if (r->str_off < HEADER_SIZE || r->str_off > tail)
        pk_fail(r->in, 40, "string table offset %" PRIu64 " outside the file (%zu bytes)",
                r->str_off, r->flen);
    if (r->frm_off < r->str_off || r->frm_off > tail)
        pk_fail(r->in, 48, "frame table offset %" PRIu64 " outside the file or before the strings",
                r->frm_off);
    if (r->compression > 1)
        pk_fail(r->in, 56, "unknown compression %" PRIu32 " (0 none, 1 zstd)", r->compression);
    if (r->interval_us > (uint64_t)INT64_MAX / 1000)
        pk_fail(r->in, 20, "sample interval %" PRIu64 " us out of range", r->interval_us);
    r->nstrings = (uint32_t)fixed(r, b + tail, 4);
    r->nframes = (uint32_t)fixed(r, b + tail + 4, 4);
}

/* The stats block ends 32 bytes before the end with `TACHSTAT`, version,
 * size; where it ends the frame table may not run. */
static void read_stats_block(treader *r)
{
    size_t tail = r->flen - FOOTER_SIZE;
    const uint8_t *b = r->file;
    if (tail < HEADER_SIZE + STATS_SIZE || memcmp(b + tail - 16, "TACHSTAT", 8) != 0) return;
    uint32_t size = (uint32_t)fixed(r, b + tail - 4, 4);
    if (size < STATS_SIZE || size > tail - HEADER_SIZE) return;
    const uint8_t *s = b + tail - size;
    for (int i = 0; i < 4; i++)
        r->stats[i] = fixed_f64(r, s + 8 * i);
    r->stats_present = fixed(r, s + 32, 8);
    r->have_stats = true;
}

/* ---- string and frame tables ---- */

static bool is_internal(const char *file)
{
    const char *base = strrchr(file, '/');
    return strcmp(base ? base + 1 : file, "_sync_coordinator.py") == 0;
}

static void read_tables(treader *r)
{
    pk_profile *p = r->p;
    size_t tail = r->flen - FOOTER_SIZE;
    cursor c = {r, r->file, tail, (size_t)r->str_off, 0, "string table"};
    if (r->nstrings > tail - r->str_off)
        pk_fail(r->in, tail, "%" PRIu32 " strings cannot fit in %zu bytes", r->nstrings,
                (size_t)(tail - r->str_off));
    r->strings = pk_alloc(p, (size_t)r->nstrings * sizeof *r->strings + 1);
    for (uint32_t i = 0; i < r->nstrings; i++) {
        size_t at = c.pos;
        uint64_t n = varint(&c, "string length");
        if (n > c.len - c.pos)
            cur_fail(&c, at,
                     "string table: string %" PRIu32 " of %" PRIu64 " bytes runs past the end", i,
                     n);
        r->strings[i] = pk_intern(p, (const char *)c.b + c.pos, (size_t)n);
        c.pos += (size_t)n;
    }
    if (c.pos > r->frm_off) pk_fail(r->in, r->frm_off, "string table runs into the frame table");
    c = (cursor){r, r->file, tail, (size_t)r->frm_off, 0, "frame table"};
    if (r->nframes > (tail - r->frm_off) / FRAME_MIN_BYTES)
        pk_fail(r->in, tail, "%" PRIu32 " frames cannot fit in %zu bytes", r->nframes,
                (size_t)(tail - r->frm_off));
    r->frames = pk_alloc(p, (size_t)r->nframes * sizeof *r->frames + 1);
    for (uint32_t i = 0; i < r->nframes; i++) {
        size_t at = c.pos;
        uint32_t file = varint32(&c, "file name index");
        uint32_t name = varint32(&c, "function name index");
        int32_t line = svarint(&c, "line");
        svarint(&c, "end line");
        svarint(&c, "column");
        svarint(&c, "end column");
        uint8_t opcode = byte(&c, "opcode");
        if (file >= r->nstrings || name >= r->nstrings)
            cur_fail(&c, at, "frame %" PRIu32 " names string %" PRIu32 " of %" PRIu32, i,
                     file >= r->nstrings ? file : name, r->nstrings);
        const char *fs = r->strings[file], *ns = r->strings[name];
        pk_kind kind = pk_kind_guess(ns, fs);
        if (strcmp(fs, "~") == 0)
            kind = strcmp(ns, "<GC>") == 0       ? PK_KIND_GC
                   : strcmp(ns, "<native>") == 0 ? PK_KIND_NATIVE
                                                 : PK_KIND_OTHER;
        r->frames[i] = (tframe){.func = pk_function_get_interned(p, ns, fs, 0, kind),
                                .line = line > 0 ? line : 0,
                                .internal = is_internal(fs),
                                .opcode = opcode != NO_OPCODE};
    }
    r->frames_end = c.pos;
}

/* ---- the sample data ---- */

/* One zstd frame (its size unknown: streamed), held to --max-memory and to
 * the bomb ratio of every compressed input. */
static void unpack_zstd(treader *r, const uint8_t *src, size_t len)
{
    ZSTD_DStream *z = r->zstd = ZSTD_createDStream();
    if (!z) pk_fail(r->in, HEADER_SIZE, "out of memory for zstd");
    ZSTD_inBuffer zin = {src, len, 0};
    size_t cap = len * 4 + 65536, n = 0, ret = 1;
    uint8_t *buf = pk_xmalloc(cap);
    r->unpacked = buf;
    while (zin.pos < zin.size || ret != 0) {
        if (n == cap) {
            if (cap >= pk_max_memory())
                pk_fail(r->in, HEADER_SIZE,
                        "memory limit of %llu MiB exceeded (the zstd sample data is larger; "
                        "--max-memory)",
                        (unsigned long long)(pk_max_memory() >> 20));
            pk_budget_charge(cap); /* charged before growing: a refusal frees the old buffer */
            cap *= 2;
            buf = r->unpacked = pk_xrealloc(buf, cap);
        }
        ZSTD_outBuffer zout = {buf, cap, n};
        size_t before = zin.pos;
        ret = ZSTD_decompressStream(z, &zout, &zin);
        if (ZSTD_isError(ret))
            pk_fail(r->in, HEADER_SIZE + zin.pos, "zstd sample data: %s", ZSTD_getErrorName(ret));
        n = zout.pos;
        if (n >= PK_BOMB_FLOOR && n / PK_BOMB_RATIO > len)
            pk_fail(r->in, HEADER_SIZE + zin.pos,
                    "zstd sample data expands more than %d times (%zu bytes from %zu): "
                    "refusing a decompression bomb",
                    PK_BOMB_RATIO, n, len);
        if (ret == 0 && zin.pos == zin.size) break;
        if (n < cap && zin.pos == before && zin.pos == zin.size)
            pk_fail(r->in, r->str_off, "zstd sample data ends inside its frame");
    }
    r->d = buf;
    r->dlen = n;
}

static tthread *thread_of(treader *r, const uint8_t *key)
{
    uint64_t tid = fixed(r, key, 8);
    uint32_t interp = (uint32_t)fixed(r, key + 8, 4);
    tthread *t = r->nthreads ? &r->threads[r->last] : NULL;
    if (t && t->tid == tid && t->interp == interp) return t;
    uint64_t h = pk_hash_bytes(key, 12);
    uint32_t i = sk_map_find(&r->thread_map, key, 12, h);
    if (i != SK_NONE) {
        r->last = i;
        return &r->threads[i];
    }
    if (r->nthreads >= r->thread_count)
        pk_fail(r->in, HEADER_SIZE,
                "the samples name more threads than the %" PRIu32 " the header counts",
                r->thread_count);
    pk_profile *p = r->p;
    SK_GROW(p, r->threads, r->capthreads, r->nthreads + 1);
    t = &r->threads[r->nthreads];
    memset(t, 0, sizeof *t);
    t->tid = tid;
    t->interp = interp;
    t->t_us = r->start_us;
    char name[64];
    if (interp)
        snprintf(name, sizeof name, "tid:%" PRIu64 " (interpreter %" PRIu32 ")", tid, interp);
    else
        snprintf(name, sizeof name, "tid:%" PRIu64, tid);
    const char *iname = pk_intern_cstr(p, name);
    t->timeline = pk_thread_get(p, interp, tid, iname);
    t->root = 0;
    if (r->opt && r->opt->threads) {
        pk_id f = pk_function_get_interned(p, iname, pk_intern(p, "", 0), 0, PK_KIND_THREAD);
        t->root = pk_tree_child(p, 0, f, 0);
    }
    sk_map_put(&r->thread_map, key, 12, h, (uint32_t)r->nthreads);
    r->last = r->nthreads;
    return &r->threads[r->nthreads++];
}

/* Frame indexes of a record: n of them, innermost first, into r->scratch. */
static void read_frames(treader *r, cursor *c, uint64_t n)
{
    if (n > c->len - c->pos) cur_fail(c, c->pos, "sample data: %" PRIu64 " frames cannot fit", n);
    pk_check_stack_depth((size_t)n);
    if (n > r->capscratch) {
        pk_budget_check((size_t)n * sizeof *r->scratch);
        r->capscratch = (size_t)n * 2;
        r->scratch = pk_xrealloc(r->scratch, r->capscratch * sizeof *r->scratch);
    }
    for (uint64_t i = 0; i < n; i++) {
        size_t at = c->pos;
        uint32_t f = varint32(c, "frame index");
        if (f >= r->nframes)
            cur_fail(c, at, "sample data: frame index %" PRIu32 " past the %" PRIu32 "-frame table",
                     f, r->nframes);
        r->scratch[i] = f;
    }
}

/* Put the n scratch frames (innermost first) on top of the thread's first
 * `keep` frames (root first). */
static void stack_set(treader *r, tthread *t, size_t keep, size_t n)
{
    pk_profile *p = r->p;
    size_t depth = keep + n;
    pk_check_stack_depth(depth);
    if (depth > t->cap) {
        size_t cap = depth * 2 > 64 ? depth * 2 : 64;
        uint32_t *frames = t->frames;
        pk_id *nodes = t->nodes;
        t->frames = pk_alloc(p, cap * sizeof *t->frames);
        t->nodes = pk_alloc(p, cap * sizeof *t->nodes);
        if (t->depth) {
            memcpy(t->frames, frames, t->depth * sizeof *frames);
            memcpy(t->nodes, nodes, t->depth * sizeof *nodes);
        }
        t->cap = cap;
    }
    pk_id node = keep ? t->nodes[keep - 1] : t->root;
    for (size_t i = 0; i < n; i++) {
        uint32_t fi = r->scratch[n - 1 - i];
        const tframe *f = &r->frames[fi];
        if (!f->internal) node = pk_tree_child(p, node, f->func, f->line);
        t->frames[keep + i] = fi;
        t->nodes[keep + i] = node;
    }
    t->depth = depth;
}

static void add_sample(treader *r, tthread *t, cursor *c, uint64_t dt, uint8_t status)
{
    pk_profile *p = r->p;
    size_t at = c->pos;
    t->t_us += dt;
    uint64_t rel = t->t_us - r->start_us;
    if (t->t_us < dt || rel > (uint64_t)INT64_MAX / 1000)
        cur_fail(c, at, "sample data: time out of range");
    pk_id node = t->depth ? t->nodes[t->depth - 1] : t->root;
    pk_sample s = {.node = node, .thread = t->timeline, .t_ns = (int64_t)rel * 1000};
    s.v[r->m_time] = r->ns_per_sample;
    s.v[r->m_samples] = 1;
    int64_t *self = p->nodes[node].self;
    if (__builtin_add_overflow(self[r->m_time], r->ns_per_sample, &self[r->m_time]))
        cur_fail(c, at, "sample data: a stack's time overflows 64 bits");
    self[r->m_samples] += 1;
    pk_sample_add(p, &s);
    for (size_t b = 0; b < NSTATUS; b++)
        r->status[b] += status >> b & 1;
    if (t->depth && r->frames[t->frames[t->depth - 1]].opcode) r->opcode_samples++;
    t->samples++;
    r->samples++;
}

static void read_record(treader *r, cursor *c)
{
    size_t at = c->pos;
    if (c->len - c->pos < 13) cur_fail(c, at, "sample data: truncated record");
    tthread *t = thread_of(r, c->b + c->pos);
    c->pos += 12;
    uint8_t type = c->b[c->pos++];
    if (type >= REC_TYPES) cur_fail(c, at + 12, "sample data: unknown record type %u", type);
    r->records[type]++;
    if (type == REC_REPEAT) {
        uint64_t count = varint(c, "repeat count");
        if (count > (c->len - c->pos) / 2)
            cur_fail(c, at + 13, "sample data: %" PRIu64 " repeats cannot fit", count);
        for (uint64_t i = 0; i < count; i++) {
            uint64_t dt = varint(c, "time delta");
            add_sample(r, t, c, dt, byte(c, "status"));
        }
        return;
    }
    uint64_t dt = varint(c, "time delta");
    uint8_t status = byte(c, "status");
    if (type == REC_FULL) {
        uint64_t n = varint(c, "depth");
        read_frames(r, c, n);
        stack_set(r, t, 0, (size_t)n);
    } else {
        size_t arg_at = c->pos;
        uint64_t a = varint(c, type == REC_SUFFIX ? "shared frames" : "popped frames");
        uint64_t n = varint(c, "new frames");
        if (a > t->depth)
            cur_fail(c, arg_at, "sample data: %s %" PRIu64 " frames of a %zu-frame stack",
                     type == REC_SUFFIX ? "keeps" : "pops", a, t->depth);
        read_frames(r, c, n);
        stack_set(r, t, type == REC_SUFFIX ? (size_t)a : t->depth - (size_t)a, (size_t)n);
    }
    add_sample(r, t, c, dt, status);
}

static void read_samples(treader *r)
{
    const uint8_t *region = r->file + HEADER_SIZE;
    size_t len = (size_t)(r->str_off - HEADER_SIZE);
    cursor c = {r, region, len, 0, HEADER_SIZE, "sample data"};
    if (r->compression == 1) {
        unpack_zstd(r, region, len);
        c = (cursor){r, r->d, r->dlen, 0, UINT64_MAX, "sample data"};
    }
    sk_map_init(&r->thread_map, r->p);
    while (c.pos < c.len)
        read_record(r, &c);
    if (r->samples != r->sample_count)
        pk_fail(r->in, 28, "the header counts %" PRIu64 " samples, the data holds %" PRIu64,
                r->sample_count, r->samples);
}

/* ---- metadata ---- */

static void meta_u64(pk_profile *p, const char *key, uint64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRIu64, v);
    pk_meta_set(p, key, pk_intern_cstr(p, num));
}

static void meta_f64(pk_profile *p, const char *key, double v)
{
    char num[48];
    snprintf(num, sizeof num, "%.9g", v);
    pk_meta_set(p, key, pk_intern_cstr(p, num));
}

static void set_metadata(treader *r)
{
    pk_profile *p = r->p;
    static const char *const modes[] = {"wall", "cpu", "gil", "all", "exception"};
    static const char *const features[] = {"all_threads", "native", "gc", "opcodes", "blocking"};
    char text[128];
    snprintf(text, sizeof text, "%u.%u.%u", r->py[0], r->py[1], r->py[2]);
    pk_meta_set(p, "tachyon.python", pk_intern_cstr(p, text));
    pk_meta_set(p, "tachyon.compression", r->compression ? "zstd" : "none");
    if (r->swap) pk_meta_set(p, "tachyon.byte_order", "foreign");
    unsigned mode = r->flags & 7;
    if (mode >= 1 && mode <= 5) pk_meta_set(p, "tachyon.mode", modes[mode - 1]);
    if (r->flags & 8) {
        text[0] = '\0';
        for (int i = 0; i < 5; i++)
            if (r->flags >> (4 + i) & 1)
                snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s",
                         text[0] ? "," : "", features[i]);
        pk_meta_set(p, "tachyon.capture", pk_intern_cstr(p, text));
    }
    meta_u64(p, "sampling.interval_us", r->interval_us);
    meta_u64(p, "sampling.samples", r->samples);
    meta_u64(p, "tachyon.start_time_us", r->start_us); /* the profiler's monotonic clock */
    meta_u64(p, "tachyon.threads", r->nthreads);
    for (size_t b = 0; b < NSTATUS; b++) {
        snprintf(text, sizeof text, "tachyon.status.%s", status_names[b]);
        if (r->status[b]) meta_u64(p, pk_intern_cstr(p, text), r->status[b]);
    }
    if (r->opcode_samples) meta_u64(p, "tachyon.samples_with_opcode", r->opcode_samples);
    int64_t first, last;
    if (r->have_stats) {
        meta_f64(p, "duration_s", r->stats[0]);
        meta_f64(p, "tachyon.sample_rate", r->stats[1]);
        if (r->stats_present & 1) meta_f64(p, "tachyon.error_rate", r->stats[2]);
        if (r->stats_present & 2) meta_f64(p, "tachyon.missed_samples", r->stats[3]);
    } else if (pk_timeline_range(p, &first, &last)) {
        meta_f64(p, "duration_s", (double)last / 1e9);
    }
}

static void tachyon_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    treader *r = pk_xcalloc(1, sizeof *r);
    r->in = in;
    r->p = p;
    r->opt = opt;
    pk_input_on_fail(in, reader_free, r);
    r->file = pk_input_all(in, &r->flen);
    read_header(r);
    read_stats_block(r);
    read_tables(r);
    r->m_time = pk_add_metric(p, "time", "ns");
    r->m_samples = pk_add_metric(p, "samples", "samples");
    r->ns_per_sample = (int64_t)r->interval_us * 1000;
    pk_timeline_get(p, PK_CLOCK_NS);
    read_samples(r);
    set_metadata(r);
    pk_input_on_fail(in, NULL, NULL);
    reader_free(r);
    p->has_tree = true;
    pk_derive_lines(p);
    pk_derive_graph(p);
}

/* The magic in either byte order and version 1 (a later version is read far
 * enough to be refused with its number). */
static int tachyon_probe(const uint8_t *head, size_t len)
{
    if (len < 8) return 0;
    if (memcmp(head, "HCAT", 4) != 0 && memcmp(head, "TACH", 4) != 0) return 0;
    return len >= HEADER_SIZE ? 95 : 60;
}

const pk_format pk_format_tachyon = {
    .name = "tachyon",
    .patterns = "*.bin",
    .description = "Python 3.15 sampling profiler (Tachyon) binary, raw or zstd",
    .probe = tachyon_probe,
    .read = tachyon_read,
    .write = NULL,
};
