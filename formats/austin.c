/* austin text output: 3.x and 4.x (`P<pid>;T[<iid>:]<tid>;file:func:line;... metric`)
 * and 1.0.x (`[Process <pid>;]Thread <hex>;func (file);L<line>;... metric`).
 * See shared/formats/austin.md. Each sample becomes a stack rooted at its
 * process and thread frames; those are merged away unless asked to keep them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../lib/limits.h"
#include "austin_common.h"
#include "format.h"
#include "../lib/hmap.h"
#include "stacks.h"

typedef enum { DIALECT_UNKNOWN, DIALECT_3, DIALECT_1 } dialect;

/* The newest austin whose text this reads: 4.x (austin-python's mojo2austin
 * of a MOJO v4 capture; austin 4 itself writes only MOJO). */
#define AUSTIN_NEWEST 4

typedef struct {
    pk_id func;
    int32_t line;
} frame;

/* The part of the input being parsed: whole lines are taken from it and it is
 * refilled from the stream, so memory follows the longest line, not the file. */
typedef struct {
    char *data;
    size_t cap, start, end;
    uint64_t base; /* input offset of data[0] */
    bool eof;
} window;

#ifndef WINDOW_CHUNK /* overridable to test refills with tiny windows */
#define WINDOW_CHUNK ((size_t)1 << 20)
#endif

typedef struct {
    pk_input *in;
    pk_profile *p;
    window win;
    dialect dialect;
    bool mode_known; /* `# mode:` seen */
    austin_metrics am;
    int v1_fields;  /* 1.0.x: metric fields per line (1 or 3) */
    bool v1_memory; /* 1.0.x: a single field holds KiB, not µs */
    bool seen_idle; /* 1.0.x `<idle>` frames: written by -s (cpu mode) only */
    sk_map frames;  /* frame text -> index in fr */
    frame *fr;
    size_t nfr, capfr;
    austin_threads threads;
    sk_stack cur;
    austin_maps maps;
    const char *err_at; /* where the current sample went wrong */
    int64_t lines, blank_lines, metadata_lines, sample_lines;
} reader;

static uint64_t offset_of(const reader *r, const char *at)
{
    return r->win.base + (uint64_t)(at - r->win.data);
}

#define LIMIT_US ((int64_t)1 << 40) /* 12 days: keeps sums far from overflow */
#define LIMIT_BYTES ((int64_t)1 << 50)

static const char *find_last(const char *s, const char *e, char c)
{
    for (const char *q = e; q > s; q--)
        if (q[-1] == c) return q - 1;
    return NULL;
}

static const char *find_char(const char *s, const char *e, char c)
{
    const char *q = memchr(s, c, (size_t)(e - s));
    return q ? q : e;
}

static bool starts(const char *s, const char *e, const char *prefix)
{
    size_t n = strlen(prefix);
    return (size_t)(e - s) >= n && memcmp(s, prefix, n) == 0;
}

static bool all_digits(const char *s, const char *e)
{
    if (s >= e) return false;
    for (; s < e; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

/* ---- metadata ---------------------------------------------------------- */

static void metadata_line(reader *r, const char *s, const char *e)
{
    const char *colon = memchr(s, ':', (size_t)(e - s));
    if (!colon) return; /* a comment, not metadata */
    const char *v = colon + 1 < e && colon[1] == ' ' ? colon + 2 : colon + 1;
    size_t klen = (size_t)(colon - s);
    if (klen == 4 && memcmp(s, "mode", 4) == 0 && !r->am.ready)
        r->mode_known = austin_mode_parse(v, (size_t)(e - v), &r->am.mode);
    uint64_t major;
    const char *dot = find_char(v, e, '.');
    if (klen == 6 && memcmp(s, "austin", 6) == 0 && sk_parse_u64(v, dot, &major) &&
        major > AUSTIN_NEWEST)
        pk_fail(r->in, offset_of(r, v), "austin %.*s is newer than this reader knows (up to %d.x)",
                (int)(e - v > 32 ? 32 : e - v), v, AUSTIN_NEWEST);
    austin_meta_add(r->p, &r->maps, s, klen, v, (size_t)(e - v));
}

/* ---- frames ------------------------------------------------------------ */

/* The frame interned for the text [s, e), or SK_NONE. */
static uint32_t frame_find(reader *r, const char *s, const char *e, uint64_t *h)
{
    *h = pk_hash_bytes(s, (size_t)(e - s));
    return sk_map_find(&r->frames, s, (size_t)(e - s), *h);
}

static uint32_t frame_add(reader *r, const char *s, const char *e, uint64_t h, pk_id func,
                          int32_t line)
{
    SK_GROW(r->p, r->fr, r->capfr, r->nfr + 1);
    r->fr[r->nfr] = (frame){func, line};
    sk_map_put(&r->frames, s, (size_t)(e - s), h, (uint32_t)r->nfr);
    return (uint32_t)r->nfr++;
}

static bool parse_line_number(const char *s, const char *e, int32_t *line)
{
    uint64_t v = 0;
    if (s < e && (!sk_parse_u64(s, e, &v) || v > INT32_MAX)) return false;
    *line = (int32_t)v;
    return true;
}

/* 3.x frame `file:function:line`, split from the right. */
static const char *frame3(reader *r, const char *s, const char *e, uint32_t *out)
{
    uint64_t h;
    if ((*out = frame_find(r, s, e, &h)) != SK_NONE) return NULL;
    const char *c2 = find_last(s, e, ':');
    const char *c1 = c2 ? find_last(s, c2, ':') : NULL;
    if (!c1) return "frame is not file:function:line";
    int32_t line;
    if (!parse_line_number(c2 + 1, e, &line)) return "bad line number in frame";
    if (austin_is_native(s, (size_t)(c1 - s))) line = 0; /* a symbol offset, not a line */
    pk_id f = austin_func(r->p, s, (size_t)(c1 - s), c1 + 1, (size_t)(c2 - c1 - 1));
    *out = frame_add(r, s, e, h, f, line);
    return NULL;
}

/* 1.0.x frame `function (file)` + `L<line>`, `function (file:line)`, or
 * `<idle>`. [s, e) is the frame item; *next is the item after it, consumed
 * when it is the line. */
static const char *frame1(reader *r, const char *s, const char *e, const char *end,
                          const char **next, uint32_t *out)
{
    const char *ne = find_char(*next, end, ';');
    bool has_line = *next < end && **next == 'L' && all_digits(*next + 1, ne);
    const char *span_end = has_line ? ne : e;
    uint64_t h;
    if ((*out = frame_find(r, s, span_end, &h)) == SK_NONE) {
        const char *func = s, *func_end = e, *file = e, *file_end = e;
        int32_t line = 0;
        const char *paren = NULL;
        for (const char *q = e - 1; q > s; q--)
            if (q[0] == '(' && q[-1] == ' ') {
                paren = q;
                break;
            }
        if (paren && e[-1] == ')') {
            func_end = paren - 1;
            file = paren + 1;
            file_end = e - 1;
            const char *c = find_last(file, file_end, ':');
            if (has_line) {
                if (!parse_line_number(*next + 1, ne, &line)) return "bad line number";
            } else if (c && all_digits(c + 1, file_end)) {
                if (!parse_line_number(c + 1, file_end, &line)) return "bad line number";
                file_end = c;
            }
        } else if (starts(s, e, "Bad sample")) {
            func = "INVALID";
            func_end = func + 7;
            file = file_end = "";
        } else if (e - s == 6 && memcmp(s, "<idle>", 6) == 0) {
            r->seen_idle = true;
        } else {
            return "frame is not `function (file)`";
        }
        pk_id f =
            austin_func(r->p, file, (size_t)(file_end - file), func, (size_t)(func_end - func));
        *out = frame_add(r, s, span_end, h, f, line);
    }
    if (has_line) *next = ne < end ? ne + 1 : end;
    return NULL;
}

/* ---- metrics ----------------------------------------------------------- */

static bool parse_time(const char *s, const char *e, int64_t *us)
{
    uint64_t v;
    if (!sk_parse_u64(s, e, &v) || v > (uint64_t)LIMIT_US) return false;
    *us = (int64_t)v;
    return true;
}

static bool parse_mem(const char *s, const char *e, int64_t scale, int64_t *bytes)
{
    int64_t v;
    if (!sk_parse_i64(s, e, &v) || v > LIMIT_BYTES || v < -LIMIT_BYTES) return false;
    *bytes = v * scale;
    return true;
}

/* The 3.x metric field of a sample. */
static const char *metrics3(reader *r, const char *s, const char *e, int64_t *values)
{
    int64_t t = 0, mem = 0;
    bool idle = false;
    if (r->am.mode == AUSTIN_FULL) {
        const char *c1 = find_char(s, e, ','), *c2 = c1 < e ? find_char(c1 + 1, e, ',') : e;
        if (c2 == e || !parse_time(s, c1, &t) ||
            !(c2 - c1 == 2 && (c1[1] == '0' || c1[1] == '1')) || !parse_mem(c2 + 1, e, 1, &mem))
            return "metric is not time,idle,memory";
        idle = c1[1] == '1';
    } else if (r->am.mode == AUSTIN_MEMORY) {
        if (!parse_mem(s, e, 1, &mem)) return "bad memory metric";
    } else if (!parse_time(s, e, &t)) {
        return "bad time metric";
    }
    austin_values(&r->am, t, mem, idle, values);
    return NULL;
}

static const char *metrics1(reader *r, const char *s, const char *e, int64_t *values)
{
    int64_t t = 0, alloc = 0, dealloc = 0;
    if (r->v1_fields == 3) {
        const char *a = find_char(s, e, ' '), *b = a < e ? find_char(a + 1, e, ' ') : e;
        if (b == e || !parse_time(s, a, &t) || !parse_mem(a + 1, b, 1024, &alloc) ||
            !parse_mem(b + 1, e, 1024, &dealloc))
            return "metric is not `time alloc dealloc`";
    } else if (r->v1_memory) {
        if (!parse_mem(s, e, 1024, &alloc)) return "bad memory metric";
    } else if (!parse_time(s, e, &t)) {
        return "bad time metric";
    }
    austin_values(&r->am, t, alloc + dealloc, false, values);
    if (r->am.alloc >= 0) { /* 1.0 reports both sides separately */
        values[r->am.alloc] = alloc > 0 ? alloc : 0;
        values[r->am.dealloc] = dealloc < 0 ? -dealloc : 0;
    }
    return NULL;
}

/* ---- samples ----------------------------------------------------------- */

static const char *fail_here(reader *r, const char *at, const char *msg)
{
    r->err_at = at;
    return msg;
}

static size_t thread3(reader *r, const char *s, const char *e, const char **rest, const char **err)
{
    const char *pe = find_char(s, e, ';');
    const char *ts = pe < e ? pe + 1 : e, *te = find_char(ts, e, ';');
    if (!(*s == 'P' && all_digits(s + 1, pe)) || te - ts < 2 || *ts != 'T') {
        *err = fail_here(r, s, "sample does not start with P<pid>;T<tid>");
        return 0;
    }
    if (pe - s > 40 || te - ts > 80) {
        *err = fail_here(r, s, "process or thread id too long");
        return 0;
    }
    char proc[48], thr[88];
    snprintf(proc, sizeof(proc), "%.*s", (int)(pe - s), s);
    snprintf(thr, sizeof(thr), "%.*s", (int)(te - ts), ts);
    *rest = te < e ? te + 1 : e;
    *err = NULL;
    return austin_thread_get(r->p, &r->threads, s, (size_t)(te - s), proc, thr);
}

static size_t thread1(reader *r, const char *s, const char *e, const char **rest, const char **err)
{
    char proc[48] = "", thr[88];
    const char *q = s;
    for (;;) {
        const char *ie = find_char(q, e, ';');
        if (starts(q, ie, "Process ")) {
            if (!all_digits(q + 8, ie) || ie - q > 40) {
                *err = fail_here(r, q, "bad `Process <pid>` field");
                return 0;
            }
            snprintf(proc, sizeof(proc), "P%.*s", (int)(ie - q - 8), q + 8);
            q = ie < e ? ie + 1 : e;
            continue;
        }
        if (!starts(q, ie, "Thread ") || ie - q > 80 || ie - q < 8) {
            *err = fail_here(r, q, "sample does not start with `Thread <id>`");
            return 0;
        }
        snprintf(thr, sizeof(thr), "T%.*s", (int)(ie - q - 7), q + 7);
        *rest = ie < e ? ie + 1 : e;
        break;
    }
    char key[140];
    int n = snprintf(key, sizeof(key), "%s;%s", proc, thr);
    *err = NULL;
    return austin_thread_get(r->p, &r->threads, key, (size_t)n, proc[0] ? proc : NULL, thr);
}

/* The start of the metric field: the last `fields` space-separated items. */
static const char *metric_start(const char *s, const char *e, int fields)
{
    const char *q = e;
    for (int i = 0; i < fields && q; i++)
        q = find_last(s, q, ' ');
    return q;
}

static const char *sample(reader *r, const char *s, const char *e)
{
    int fields = r->dialect == DIALECT_1 ? r->v1_fields : 1;
    const char *sp = metric_start(s, e, fields);
    if (!sp) return fail_here(r, s, "sample line without a metric");
    const char *rest, *err;
    size_t ti =
        r->dialect == DIALECT_1 ? thread1(r, s, sp, &rest, &err) : thread3(r, s, sp, &rest, &err);
    if (err) return err;
    austin_push_roots(r->p, &r->threads.v[ti], &r->cur);
    while (rest < sp) {
        const char *fe = find_char(rest, sp, ';');
        const char *next = fe < sp ? fe + 1 : sp;
        if (fe == rest) return fail_here(r, rest, "empty frame");
        uint32_t fi;
        err = r->dialect == DIALECT_1 ? frame1(r, rest, fe, sp, &next, &fi)
                                      : frame3(r, rest, fe, &fi);
        if (err) return fail_here(r, rest, err);
        sk_stack_push(r->p, &r->cur, r->fr[fi].func, r->fr[fi].line);
        rest = next;
    }
    int64_t values[PK_MAX_METRICS] = {0};
    err = r->dialect == DIALECT_1 ? metrics1(r, sp + 1, e, values) : metrics3(r, sp + 1, e, values);
    if (err) return fail_here(r, sp + 1, err);
    austin_sample(r->p, &r->am, &r->threads.v[ti], &r->cur, values);
    return NULL;
}

/* ---- dialect and mode -------------------------------------------------- */

static bool is_int_token(const char *s, const char *e)
{
    return all_digits(s + (s < e && *s == '-'), e);
}

/* 1.0.x has no metadata: the metric fields tell the mode. */
static void setup_v1(reader *r, const char *s, const char *e)
{
    int n = 0;
    const char *q = e;
    while (n < 3) {
        const char *sp = find_last(s, q, ' ');
        if (!sp || !is_int_token(sp + 1, q)) break;
        n++;
        q = sp;
    }
    r->v1_fields = n == 3 ? 3 : 1;
    austin_mode mode = AUSTIN_FULL;
    if (n != 3) {
        /* memory: every value a positive multiple of a 4 KiB page */
        r->v1_memory = true;
        /* judged on the buffered part of the file */
        const char *end = r->win.data + r->win.end;
        for (const char *l = s; l < end && r->v1_memory;) {
            const char *le = find_char(l, end, '\n');
            const char *sp = find_last(l, le, ' ');
            uint64_t v;
            if (sp && sk_parse_u64(sp + 1, le, &v) && (v == 0 || v % 4)) r->v1_memory = false;
            l = le + 1;
        }
        mode = r->v1_memory ? AUSTIN_MEMORY : AUSTIN_WALL; /* cpu: told by <idle> frames */
    }
    pk_meta_set(r->p, "austin.mode", austin_mode_name(mode));
    austin_metrics_setup(r->p, &r->am, mode);
}

static void first_sample(reader *r, const char *s, const char *e)
{
    if (starts(s, e, "Thread ") || starts(s, e, "Process ")) {
        r->dialect = DIALECT_1;
        setup_v1(r, s, e);
        return;
    }
    if (!(e - s >= 2 && s[0] == 'P' && s[1] >= '0' && s[1] <= '9'))
        pk_fail(r->in, offset_of(r, s), "not an austin sample line");
    r->dialect = DIALECT_3;
    if (!r->mode_known) {
        const char *sp = find_last(s, e, ' ');
        r->am.mode = sp && memchr(sp, ',', (size_t)(e - sp)) ? AUSTIN_FULL : AUSTIN_WALL;
        pk_meta_set(r->p, "austin.mode", austin_mode_name(r->am.mode));
    }
    austin_metrics_setup(r->p, &r->am, r->am.mode);
}

static void refill(reader *r)
{
    window *w = &r->win;
    size_t keep = w->end - w->start;
    w->base += w->start;
    if (keep == w->cap) { /* one line fills the window: widen it */
        if (w->cap * 2 > pk_max_memory())
            pk_fail(r->in, w->base, "line longer than the memory limit");
        char *wider = pk_alloc(r->p, w->cap * 2);
        memcpy(wider, w->data + w->start, keep);
        w->data = wider;
        w->cap *= 2;
    } else {
        memmove(w->data, w->data + w->start, keep);
    }
    w->start = 0;
    w->end = keep;
    size_t n = pk_input_read(r->in, w->data + w->end, w->cap - w->end);
    if (n == 0) w->eof = true;
    w->end += n;
}

/* The next line [*s, *e) without its newline; false at the end of the input.
 * *complete: the line ended with a newline. */
static bool next_line(reader *r, const char **s, const char **e, bool *complete)
{
    window *w = &r->win;
    for (;;) {
        char *nl = memchr(w->data + w->start, '\n', w->end - w->start);
        if (nl || (w->eof && w->start < w->end)) {
            *s = w->data + w->start;
            *e = nl ? nl : w->data + w->end;
            *complete = nl != NULL;
            w->start = nl ? (size_t)(nl + 1 - w->data) : w->end;
            return true;
        }
        if (w->eof) return false;
        refill(r);
    }
}

static void austin_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    reader r = {0};
    r.in = in;
    r.p = p;
    r.win.cap = WINDOW_CHUNK;
    r.win.data = pk_alloc(p, r.win.cap);
    sk_map_init(&r.frames, p);
    austin_threads_init(&r.threads, p);
    const char *s, *e;
    bool complete;
    while (next_line(&r, &s, &e, &complete)) {
        const char *le = e > s && e[-1] == '\r' ? e - 1 : e;
        r.lines++;
        if (le == s) {
            r.blank_lines++;
        } else if (*s == '#') {
            r.metadata_lines++;
            if (starts(s, le, "# ")) metadata_line(&r, s + 2, le);
        } else {
            r.sample_lines++;
            if (r.dialect == DIALECT_UNKNOWN) first_sample(&r, s, le);
            const char *err = sample(&r, s, le);
            if (err && !complete) { /* a capture cut short mid-line */
                pk_warn(in, "offset %" PRIu64 ": incomplete last sample ignored", offset_of(&r, s));
                r.cur.depth = 0;
                break;
            }
            if (err) pk_fail(in, offset_of(&r, r.err_at), "%s", err);
        }
    }
    if (r.dialect == DIALECT_UNKNOWN && !pk_meta_get(p, "austin.version"))
        pk_fail(in, 0, "no austin samples or metadata");
    if (r.dialect == DIALECT_1 && r.am.mode == AUSTIN_WALL && r.seen_idle) {
        r.am.mode = AUSTIN_CPU;
        pk_meta_set(p, "austin.mode", austin_mode_name(r.am.mode));
    }
    austin_maps_finish(p, &r.maps);
    pk_meta_set(p, "austin.format", r.dialect == DIALECT_1 ? "austin-1.0-text" : "austin-3-text");
    austin_meta_count(p, "austin.lines.total", r.lines);
    austin_meta_count(p, "austin.lines.blank", r.blank_lines);
    austin_meta_count(p, "austin.lines.metadata", r.metadata_lines);
    austin_meta_count(p, "austin.lines.samples", r.sample_lines);
    austin_finish(p, &r.am, opt);
}

static bool digits_then(const uint8_t *s, size_t len, size_t i, char stop)
{
    size_t start = i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    return i > start && i < len && s[i] == (uint8_t)stop;
}

static int austin_probe(const uint8_t *head, size_t len)
{
    const char *s = (const char *)head;
    if ((len >= 9 && memcmp(s, "# austin:", 9) == 0) || (len >= 7 && memcmp(s, "# map: ", 7) == 0))
        return 95;
    if (len >= 2 && s[0] == 'P' && digits_then(head, len, 1, ';')) {
        const char *t = memchr(s, ';', len);
        /* austin 3.x always writes metadata first: bare P;T stacks are more
         * likely collapsed stacks made from it, so bid below that reader */
        if (t && (size_t)(t - s) + 1 < len && t[1] == 'T') return 5;
    }
    if ((len >= 7 && memcmp(s, "Thread ", 7) == 0) ||
        (len >= 8 && memcmp(s, "Process ", 8) == 0 && digits_then(head, len, 8, ';')))
        return 80;
    return 0;
}

const pk_format pk_format_austin = {
    .name = "austin",
    .patterns = "*.austin *.austin.txt",
    .description = "austin text output (1.0.x and 3.x, every mode)",
    .probe = austin_probe,
    .read = austin_read,
    .write = NULL,
};
