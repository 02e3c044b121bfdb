/* The Firefox Profiler's processed profile JSON ("gecko"), as Python 3.15's
 * sampler writes it with --gecko and the Firefox Profiler exports it.
 * Facts: shared/formats/gecko.md.
 *
 * Tables are objects of equal-length columns. A sample names a stackTable
 * entry; a stack entry is a frame on top of its prefix entry; a frame names
 * a funcTable entry and its line; names are indexes into the string array
 * (shared.stringArray, or the thread's own stringArray/stringTable in older
 * versions). Each stack entry becomes a tree node once (memoised), so a
 * sample costs one lookup. Samples keep their thread and time in the
 * timeline. The writer is at the bottom.
 */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/escape.h"
#include "../lib/hmap.h"
#include "../lib/limits.h"
#include "../lib/timeline.h"
#include "format.h"
#include "json_path.h"
#include "stacks.h"

typedef struct {
    pk_input *in;
    pk_profile *p;
    const pk_read_options *opt;
    json_t *root;
    json_t *strings; /* the shared string array, or NULL */
    char where[96];  /* the table being read, for messages */
    int m_time, m_samples, m_weight;
    double interval_ms;
    uint64_t nsamples, nthreads;
    const char *weight_type;
    bool ours; /* written by this writer: funcTable.lineNumber is the def line */
} reader;

static _Noreturn __attribute__((format(printf, 2, 3))) void fail(reader *r, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pk_fail(r->in, 0, "%s%s%s", r->where, r->where[0] ? ": " : "", msg);
}

/* A table's column: an array of the table's length (NULL when absent and
 * not required). */
static json_t *column(reader *r, json_t *table, const char *name, size_t len, bool required)
{
    json_t *c = json_object_get(table, name);
    if (!c || json_is_null(c)) {
        if (required) fail(r, "no '%s' column", name);
        return NULL;
    }
    if (!json_is_array(c) || json_array_size(c) != len)
        fail(r, "column '%s' is not an array of the table's %zu entries", name, len);
    return c;
}

static size_t table_length(reader *r, json_t *table, const char *first)
{
    if (!json_is_object(table)) fail(r, "not a table (an object of columns)");
    json_t *len = json_object_get(table, "length");
    if (json_is_integer(len) && json_integer_value(len) >= 0)
        return (size_t)json_integer_value(len);
    json_t *c = json_object_get(table, first);
    if (!json_is_array(c)) fail(r, "no length and no '%s' column", first);
    return json_array_size(c);
}

/* An index in [0, n), or -1 for null. */
static int64_t index_at(reader *r, json_t *col, size_t i, size_t n, const char *what)
{
    json_t *v = json_array_get(col, i);
    if (!v || json_is_null(v)) return -1;
    if (!json_is_integer(v)) fail(r, "%s %zu is not an integer", what, i);
    json_int_t x = json_integer_value(v);
    if (x < 0 || (uint64_t)x >= n)
        fail(r, "%s %zu is %" JSON_INTEGER_FORMAT ", outside 0..%zu", what, i, x, n);
    return x;
}

static const char *string_at(reader *r, json_t *strings, int64_t i)
{
    json_t *s = json_array_get(strings, (size_t)i);
    if (!json_is_string(s)) fail(r, "string %" PRId64 " is not a string", i);
    return pk_intern(r->p, json_string_value(s), json_string_length(s));
}

/* The thread's string array: shared.stringArray, or its own. */
static json_t *thread_strings(reader *r, json_t *th)
{
    json_t *s = json_object_get(th, "stringArray");
    if (!json_is_array(s)) s = json_object_get(th, "stringTable");
    if (!json_is_array(s)) s = r->strings;
    if (!json_is_array(s)) fail(r, "no string array (shared.stringArray or the thread's)");
    return s;
}

/* funcTable entries as model functions. */
static pk_id *read_funcs(reader *r, json_t *th, json_t *strings, size_t *nfuncs)
{
    size_t ns = json_array_size(strings);
    json_t *ft = json_object_get(th, "funcTable");
    json_t *rt = json_object_get(th, "resourceTable");
    snprintf(r->where + strlen(r->where), 24, ".funcTable");
    size_t n = table_length(r, ft, "name");
    json_t *name = column(r, ft, "name", n, true);
    json_t *file = column(r, ft, "fileName", n, false);
    json_t *res = column(r, ft, "resource", n, false);
    json_t *fline = r->ours ? column(r, ft, "lineNumber", n, false) : NULL;
    size_t nres = 0;
    json_t *rname = NULL;
    if (res && json_is_object(rt)) {
        nres = table_length(r, rt, "name");
        rname = column(r, rt, "name", nres, false);
    }
    pk_id *ids = pk_alloc(r->p, (n + 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        const char *fn = string_at(r, strings, index_at(r, name, i, ns, "name"));
        int64_t fi = file ? index_at(r, file, i, ns, "fileName") : -1;
        json_t *rv = res ? json_array_get(res, i) : NULL; /* -1: none */
        int64_t ri = json_is_integer(rv) && json_integer_value(rv) == -1 ? -1
                     : res ? index_at(r, res, i, SIZE_MAX, "resource")
                           : -1;
        const char *fs = "";
        if (fi >= 0)
            fs = string_at(r, strings, fi);
        else if (ri >= 0 && (size_t)ri < nres && rname)
            fs = string_at(r, strings, index_at(r, rname, (size_t)ri, ns, "resource name"));
        else
            fs = pk_intern(r->p, "", 0);
        pk_kind kind = pk_kind_guess(fn, fs);
        if (strcmp(fs, "~") == 0 || fs[0] == '\0')
            kind = strcmp(fn, "<GC>") == 0       ? PK_KIND_GC
                   : strcmp(fn, "<native>") == 0 ? PK_KIND_NATIVE
                                                 : kind;
        json_t *lv = fline ? json_array_get(fline, i) : NULL;
        json_int_t line = json_is_integer(lv) ? json_integer_value(lv) : 0;
        ids[i] = pk_function_get_interned(r->p, fn, fs,
                                          line > 0 && line <= INT32_MAX ? (int32_t)line : 0, kind);
    }
    *nfuncs = n;
    return ids;
}

typedef struct {
    pk_id *func;   /* per frame */
    int32_t *line; /* per frame */
    size_t nframes;
    int64_t *prefix, *frame; /* per stack entry */
    pk_id *node;             /* per stack entry, PK_NONE until made */
    size_t nstacks;
} thread_tables;

static void read_frames_table(reader *r, json_t *th, const pk_id *funcs, size_t nfuncs,
                              thread_tables *t)
{
    json_t *ft = json_object_get(th, "frameTable");
    size_t n = table_length(r, ft, "func");
    json_t *func = column(r, ft, "func", n, true);
    json_t *line = column(r, ft, "line", n, false);
    t->func = pk_alloc(r->p, (n + 1) * sizeof *t->func);
    t->line = pk_alloc(r->p, (n + 1) * sizeof *t->line);
    for (size_t i = 0; i < n; i++) {
        int64_t f = index_at(r, func, i, nfuncs, "frame's func");
        if (f < 0) fail(r, "frame %zu has no func", i);
        t->func[i] = funcs[f];
        json_t *l = line ? json_array_get(line, i) : NULL;
        json_int_t v = json_is_integer(l) ? json_integer_value(l) : 0;
        t->line[i] = v > 0 && v <= INT32_MAX ? (int32_t)v : 0;
    }
    t->nframes = n;
}

static void read_stack_table(reader *r, json_t *th, thread_tables *t)
{
    json_t *st = json_object_get(th, "stackTable");
    size_t n = table_length(r, st, "frame");
    json_t *frame = column(r, st, "frame", n, true);
    json_t *prefix = column(r, st, "prefix", n, true);
    pk_budget_check(n * 20);
    t->frame = pk_alloc(r->p, (n + 1) * sizeof *t->frame);
    t->prefix = pk_alloc(r->p, (n + 1) * sizeof *t->prefix);
    t->node = pk_alloc(r->p, (n + 1) * sizeof *t->node);
    for (size_t i = 0; i < n; i++) {
        t->frame[i] = index_at(r, frame, i, t->nframes, "stack's frame");
        if (t->frame[i] < 0) fail(r, "stack %zu has no frame", i);
        t->prefix[i] = index_at(r, prefix, i, n, "stack's prefix");
        t->node[i] = PK_NONE;
    }
    t->nstacks = n;
}

/* The tree node of stack entry s under root: its prefix chain is walked up
 * to an entry already made, then made downwards. */
static pk_id stack_node(reader *r, thread_tables *t, int64_t s, pk_id root, int64_t *chain)
{
    if (s < 0) return root;
    size_t n = 0;
    for (int64_t c = s; c >= 0 && t->node[c] == PK_NONE; c = t->prefix[c]) {
        if (n >= t->nstacks) fail(r, "stack %" PRId64 "'s prefixes loop", s);
        chain[n++] = c;
    }
    pk_check_stack_depth(n);
    int64_t top = n ? t->prefix[chain[n - 1]] : s;
    pk_id node = top >= 0 ? t->node[top] : root;
    while (n-- > 0) {
        int64_t c = chain[n];
        int64_t f = t->frame[c];
        node = pk_tree_child(r->p, node, t->func[f], t->line[f]);
        t->node[c] = node;
    }
    return node;
}

static double number_at(reader *r, json_t *col, size_t i, const char *what)
{
    json_t *v = json_array_get(col, i);
    if (!json_is_number(v)) fail(r, "%s %zu is not a number", what, i);
    double d = json_number_value(v);
    if (!(fabs(d) < 1e15)) fail(r, "%s %zu is out of range", what, i);
    return d;
}

/* The thread's sample times in ms (time, or the running sum of timeDeltas). */
static double *sample_times(reader *r, json_t *samples, size_t n)
{
    json_t *time = column(r, samples, "time", n, false);
    json_t *deltas = time ? NULL : column(r, samples, "timeDeltas", n, false);
    if (!time && !deltas) return NULL;
    double *t = pk_alloc(r->p, (n + 1) * sizeof *t), sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (time) {
            t[i] = number_at(r, time, i, "time");
        } else {
            sum += number_at(r, deltas, i, "time delta");
            t[i] = sum;
        }
    }
    return t;
}

static uint32_t timeline_thread(reader *r, json_t *th, pk_id *root)
{
    json_t *tid = json_object_get(th, "tid"), *pid = json_object_get(th, "pid");
    const char *name = json_string_value(json_object_get(th, "name"));
    uint64_t t = json_is_integer(tid)  ? (uint64_t)json_integer_value(tid)
                 : json_is_string(tid) ? strtoull(json_string_value(tid), NULL, 10)
                                       : r->nthreads;
    uint64_t p = json_is_integer(pid)  ? (uint64_t)json_integer_value(pid)
                 : json_is_string(pid) ? strtoull(json_string_value(pid), NULL, 10)
                                       : 0;
    char label[40], tachyon[40];
    snprintf(tachyon, sizeof tachyon, "Thread-%" PRIu64, t);
    snprintf(label, sizeof label, "tid:%" PRIu64, t);
    /* Tachyon's Thread-N is named as its collapsed output names it */
    bool plain = !name || !name[0] || strcmp(name, tachyon) == 0;
    const char *l = plain ? pk_intern_cstr(r->p, label) : pk_intern_cstr(r->p, name);
    *root = 0;
    if (r->opt && r->opt->threads)
        *root = pk_tree_child(
            r->p, 0, pk_function_get_interned(r->p, l, pk_intern(r->p, "", 0), 0, PK_KIND_THREAD),
            0);
    return pk_thread_get(r->p, p, t, name ? name : l);
}

static void read_thread_samples(reader *r, json_t *th, thread_tables *t)
{
    pk_profile *p = r->p;
    json_t *samples = json_object_get(th, "samples");
    size_t n = table_length(r, samples, "stack");
    json_t *stack = column(r, samples, "stack", n, true);
    json_t *weight = column(r, samples, "weight", n, false);
    double *times = sample_times(r, samples, n);
    pk_id root;
    uint32_t thread = timeline_thread(r, th, &root);
    int64_t *chain = pk_alloc(p, (t->nstacks + 1) * sizeof *chain);
    int64_t per = r->interval_ms > 0 ? llround(r->interval_ms * 1e6) : 0;
    for (size_t i = 0; i < n; i++) {
        pk_id node =
            stack_node(r, t, index_at(r, stack, i, t->nstacks, "sample's stack"), root, chain);
        int64_t w = 1;
        if (weight) {
            double d = number_at(r, weight, i, "weight");
            w = r->m_weight == r->m_time ? llround(d * 1e6) : llround(d);
        }
        pk_sample s = {.node = node, .thread = thread};
        if (times) s.t_ns = llround(times[i] * 1e6);
        if (r->m_weight == r->m_samples) {
            s.v[r->m_samples] = w;
            s.v[r->m_time] = w * per;
        } else {
            s.v[r->m_weight] = w;
        }
        for (int m = 0; m < p->nmetrics; m++)
            p->nodes[node].self[m] += s.v[m];
        if (times) pk_sample_add(p, &s);
    }
    r->nsamples += n;
}

/* Metrics from the first thread's weightType: samples (and time, samples ×
 * the interval), tracing-ms (time), bytes. */
static void set_metrics(reader *r, json_t *threads)
{
    json_t *samples = json_object_get(json_array_get(threads, 0), "samples");
    const char *type = json_string_value(json_object_get(samples, "weightType"));
    r->weight_type = type ? type : "samples";
    r->m_time = pk_add_metric(r->p, "time", "ns");
    if (strcmp(r->weight_type, "tracing-ms") == 0) {
        r->m_samples = -1;
        r->m_weight = r->m_time;
    } else if (strcmp(r->weight_type, "bytes") == 0) {
        r->m_samples = -1;
        r->m_weight = pk_add_metric(r->p, "bytes", "bytes");
    } else {
        r->m_samples = pk_add_metric(r->p, "samples", "samples");
        r->m_weight = r->m_samples;
    }
}

static void meta_num(pk_profile *p, const char *key, double v)
{
    char num[48];
    snprintf(num, sizeof num, "%.9g", v);
    pk_meta_set(p, key, pk_intern_cstr(p, num));
}

static void set_metadata(reader *r, json_t *meta)
{
    pk_profile *p = r->p;
    const char *from = json_string_value(json_object_get(meta, "importedFrom"));
    const char *product = json_string_value(json_object_get(meta, "product"));
    if (from) pk_meta_set(p, "gecko.imported_from", pk_intern_cstr(p, from));
    if (product) pk_meta_set(p, "gecko.product", pk_intern_cstr(p, product));
    json_t *v = json_object_get(meta, "startTime");
    if (json_is_number(v)) meta_num(p, "gecko.start_time_ms", json_number_value(v));
    if (r->interval_ms > 0) meta_num(p, "sampling.interval_us", r->interval_ms * 1000);
    char num[32];
    snprintf(num, sizeof num, "%" PRIu64, r->nsamples);
    pk_meta_set(p, "sampling.samples", pk_intern_cstr(p, num));
    pk_meta_set(p, "gecko.weight_type", pk_intern_cstr(p, r->weight_type));
    int64_t first, last;
    if (pk_timeline_range(p, &first, &last)) meta_num(p, "duration_s", (double)last / 1e9);
}

static void gecko_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    reader r = {.in = in, .p = p, .opt = opt};
    r.root = pk_json_load(in, JSON_ALLOW_NUL, NULL);
    json_t *meta = json_object_get(r.root, "meta");
    json_t *threads = json_object_get(r.root, "threads");
    if (!json_is_object(meta) || !json_is_array(threads))
        fail(&r, "not a Firefox Profiler profile: no meta object and threads array");
    json_t *interval = json_object_get(meta, "interval");
    r.interval_ms = json_is_number(interval) ? json_number_value(interval) : 0;
    if (!(r.interval_ms >= 0 && r.interval_ms < 1e9)) r.interval_ms = 0;
    r.strings = json_object_get(json_object_get(r.root, "shared"), "stringArray");
    const char *product = json_string_value(json_object_get(meta, "product"));
    r.ours = product && strcmp(product, "profkit") == 0;
    set_metrics(&r, threads);
    pk_timeline_get(p, PK_CLOCK_NS);
    for (size_t k = 0; k < json_array_size(threads); k++) {
        json_t *th = json_array_get(threads, k);
        snprintf(r.where, sizeof r.where, "threads[%zu]", k);
        if (json_is_array(json_object_get(json_object_get(th, "samples"), "schema")))
            fail(&r, "raw Gecko tables (schema and data) are not read");
        json_t *strings = thread_strings(&r, th);
        size_t nfuncs;
        pk_id *funcs = read_funcs(&r, th, strings, &nfuncs);
        thread_tables t = {0};
        snprintf(r.where, sizeof r.where, "threads[%zu].frameTable", k);
        read_frames_table(&r, th, funcs, nfuncs, &t);
        snprintf(r.where, sizeof r.where, "threads[%zu].stackTable", k);
        read_stack_table(&r, th, &t);
        snprintf(r.where, sizeof r.where, "threads[%zu].samples", k);
        read_thread_samples(&r, th, &t);
        r.nthreads++;
    }
    r.where[0] = '\0';
    set_metadata(&r, meta);
    pk_json_done(in, r.root);
    p->has_tree = true;
    pk_derive_lines(p);
    pk_derive_graph(p);
}

/* ======================================================================
 * Writer: a processed profile the Firefox Profiler opens, in the layout
 * Python 3.15's sampler writes. One metric is written as the samples'
 * weight. Threads: the tree's thread roots when every root frame is one,
 * else the timeline's threads, else one. Samples: the timeline's, with
 * their times, or one per tree node with a value of its own (times then
 * count the interval up). Each thread gets the stack, frame, func and
 * resource tables of the nodes its samples use; strings are shared.
 * ====================================================================== */

typedef struct {
    pk_id node;
    int64_t t_ns, w;
} wsample;

typedef struct {
    pk_profile *p;
    FILE *f;
    int metric;
    const char *weight_type;
    double interval_ms;
    sk_map strings; /* text -> index */
    const char **string_list;
    size_t nstrings, capstrings;
    /* per thread, reset between threads */
    pk_id *stack_of;  /* node -> stack index, PK_NONE */
    pk_id *func_of;   /* func -> func index, PK_NONE */
    sk_map frames;    /* (func index, line) -> frame index */
    sk_map resources; /* file -> resource index */
} gwriter;

static uint32_t string_index(gwriter *w, const char *s)
{
    size_t n = strlen(s);
    uint64_t h = pk_hash_bytes(s, n);
    uint32_t i = sk_map_find(&w->strings, s, n, h);
    if (i != SK_NONE) return i;
    SK_GROW(w->p, w->string_list, w->capstrings, w->nstrings + 1);
    w->string_list[w->nstrings] = s;
    sk_map_put(&w->strings, s, n, h, (uint32_t)w->nstrings);
    return (uint32_t)w->nstrings++;
}

static void put_json_string(FILE *f, const char *s)
{
    char *scratch;
    json_t *v = json_string(pk_utf8_valid(s, &scratch));
    free(scratch);
    json_dumpf(v, f, JSON_ENCODE_ANY);
    json_decref(v);
}

static const char *base_name(const char *file)
{
    const char *b = strrchr(file, '/');
    return b ? b + 1 : file;
}

static int category_of(pk_kind k)
{
    switch (k) {
    case PK_KIND_PYTHON:
        return 1;
    case PK_KIND_NATIVE:
    case PK_KIND_BUILTIN:
    case PK_KIND_KERNEL:
        return 2;
    case PK_KIND_GC:
        return 3;
    default:
        return 0;
    }
}

/* Growable columns of one thread's tables. */
typedef struct {
    int64_t *a, *b, *c, *d;
    size_t n, cap;
} cols;

static void cols_add(pk_profile *p, cols *c, int64_t a, int64_t b, int64_t x, int64_t d)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        int64_t **arr[4] = {&c->a, &c->b, &c->c, &c->d};
        for (int k = 0; k < 4; k++) {
            int64_t *n = pk_alloc(p, cap * sizeof *n);
            if (c->n) memcpy(n, *arr[k], c->n * sizeof *n);
            *arr[k] = n;
        }
        c->cap = cap;
    }
    c->a[c->n] = a;
    c->b[c->n] = b;
    c->c[c->n] = x;
    c->d[c->n] = d;
    c->n++;
}

typedef struct {
    cols stacks; /* frame, prefix (-1 none), category */
    cols frames; /* func, line, category */
    cols funcs;  /* name string, file string (-1 none), resource, line * 2 + is python */
    cols res;    /* name string */
} tables;

static int64_t func_index(gwriter *w, tables *t, pk_id func)
{
    if (w->func_of[func] != PK_NONE) return w->func_of[func];
    const pk_function *fn = &w->p->funcs[func];
    int64_t file = -1, res = -1;
    if (fn->file && fn->file[0]) {
        const char *b = base_name(fn->file);
        file = string_index(w, fn->file);
        uint64_t h = pk_hash_bytes(b, strlen(b));
        uint32_t r = sk_map_find(&w->resources, b, strlen(b), h);
        if (r == SK_NONE) {
            r = (uint32_t)t->res.n;
            cols_add(w->p, &t->res, string_index(w, b), 0, 0, 0);
            sk_map_put(&w->resources, b, strlen(b), h, r);
        }
        res = r;
    }
    int64_t line = fn->line > 0 ? fn->line : 0;
    cols_add(w->p, &t->funcs, string_index(w, fn->name), file, res,
             line * 2 + (fn->kind == PK_KIND_PYTHON));
    return w->func_of[func] = (pk_id)(t->funcs.n - 1);
}

static int64_t frame_index_of(gwriter *w, tables *t, const pk_node *n)
{
    int64_t fi = func_index(w, t, n->func);
    int64_t key[2] = {fi, n->line};
    uint64_t h = pk_hash_bytes(key, sizeof key);
    uint32_t i = sk_map_find(&w->frames, key, sizeof key, h);
    if (i != SK_NONE) return i;
    cols_add(w->p, &t->frames, fi, n->line, category_of(w->p->funcs[n->func].kind), 0);
    sk_map_put(&w->frames, key, sizeof key, h, (uint32_t)(t->frames.n - 1));
    return (int64_t)t->frames.n - 1;
}

/* The stack index of node (PK_NONE for base, the thread's root), its
 * prefixes made first. */
static int64_t stack_index(gwriter *w, tables *t, pk_id node, pk_id base, pk_id *chain)
{
    size_t n = 0;
    for (pk_id c = node; c != base && c != 0 && w->stack_of[c] == PK_NONE;
         c = w->p->nodes[c].parent)
        chain[n++] = c;
    while (n-- > 0) {
        const pk_node *nd = &w->p->nodes[chain[n]];
        int64_t prefix =
            nd->parent == base || nd->parent == 0 ? -1 : (int64_t)w->stack_of[nd->parent];
        int64_t fr = frame_index_of(w, t, nd);
        cols_add(w->p, &t->stacks, fr, prefix, t->frames.c[fr], 0);
        w->stack_of[chain[n]] = (pk_id)(t->stacks.n - 1);
    }
    return node == base || node == 0 ? -1 : (int64_t)w->stack_of[node];
}

static void put_column(FILE *f, const char *name, const int64_t *v, size_t n, bool nullneg)
{
    fprintf(f, "\"%s\":[", name);
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', f);
        if (nullneg && v[i] < 0)
            fputs("null", f);
        else
            fprintf(f, "%" PRId64, v[i]);
    }
    fputs("],", f);
}

static void put_repeat(FILE *f, const char *name, const char *value, size_t n)
{
    fprintf(f, "\"%s\":[", name);
    for (size_t i = 0; i < n; i++)
        fprintf(f, i ? ",%s" : "%s", value);
    fputs("],", f);
}

static void put_thread(gwriter *w, const char *name, uint64_t tid, bool main, const wsample *s,
                       size_t ns, pk_id base)
{
    pk_profile *p = w->p;
    FILE *f = w->f;
    tables t = {0};
    memset(w->stack_of, 0xff, p->nnodes * sizeof *w->stack_of);
    memset(w->func_of, 0xff, (p->nfuncs + 1) * sizeof *w->func_of);
    sk_map_init(&w->frames, p);
    sk_map_init(&w->resources, p);
    pk_id *chain = pk_alloc(p, (p->nnodes + 1) * sizeof *chain);
    int64_t *stack = pk_alloc(p, (ns + 1) * sizeof *stack);
    bool weighted = false;
    for (size_t i = 0; i < ns; i++) {
        stack[i] = stack_index(w, &t, s[i].node, base, chain);
        weighted = weighted || s[i].w != 1;
    }
    fputs("{\"name\":", f);
    put_json_string(f, name);
    fprintf(f,
            ",\"isMainThread\":%s,\"processStartupTime\":0,\"processShutdownTime\":null,"
            "\"registerTime\":0,\"unregisterTime\":null,\"pausedRanges\":[],\"pid\":\"0\","
            "\"tid\":%" PRIu64 ",\"processType\":\"default\",\"processName\":\"profkit\",",
            main ? "true" : "false", tid);
    /* samples */
    fputs("\"samples\":{", f);
    put_column(f, "stack", stack, ns, true);
    fputs("\"time\":[", f);
    for (size_t i = 0; i < ns; i++)
        fprintf(f, i ? ",%.17g" : "%.17g", (double)s[i].t_ns / 1e6);
    fputs("],", f);
    put_repeat(f, "eventDelay", "null", ns);
    if (weighted) {
        fputs("\"weight\":[", f);
        for (size_t i = 0; i < ns; i++) {
            if (strcmp(w->weight_type, "tracing-ms") == 0)
                fprintf(f, i ? ",%.17g" : "%.17g", (double)s[i].w / 1e6);
            else
                fprintf(f, i ? ",%" PRId64 : "%" PRId64, s[i].w);
        }
        fputs("],", f);
    } else {
        fputs("\"weight\":null,", f);
    }
    fprintf(f, "\"weightType\":\"%s\",\"length\":%zu},", w->weight_type, ns);
    /* stackTable */
    size_t n = t.stacks.n;
    fputs("\"stackTable\":{", f);
    put_column(f, "frame", t.stacks.a, n, false);
    put_column(f, "category", t.stacks.c, n, false);
    put_repeat(f, "subcategory", "0", n);
    put_column(f, "prefix", t.stacks.b, n, true);
    fprintf(f, "\"length\":%zu},", n);
    /* frameTable */
    n = t.frames.n;
    fputs("\"frameTable\":{", f);
    put_repeat(f, "address", "-1", n);
    put_column(f, "category", t.frames.c, n, false);
    put_repeat(f, "subcategory", "0", n);
    put_column(f, "func", t.frames.a, n, false);
    put_repeat(f, "innerWindowID", "null", n);
    put_repeat(f, "implementation", "null", n);
    put_repeat(f, "optimizations", "null", n);
    for (size_t i = 0; i < n; i++)
        if (t.frames.b[i] <= 0) t.frames.b[i] = -1;
    put_column(f, "line", t.frames.b, n, true);
    put_repeat(f, "column", "null", n);
    put_repeat(f, "inlineDepth", "0", n);
    put_repeat(f, "nativeSymbol", "null", n);
    fprintf(f, "\"length\":%zu},", n);
    /* funcTable */
    n = t.funcs.n;
    fputs("\"funcTable\":{", f);
    put_column(f, "name", t.funcs.a, n, false);
    fputs("\"isJS\":[", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, i ? ",%s" : "%s", t.funcs.d[i] & 1 ? "true" : "false");
    fputs("],\"relevantForJS\":[", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, i ? ",%s" : "%s", t.funcs.d[i] & 1 ? "true" : "false");
    fputs("],", f);
    put_column(f, "resource", t.funcs.c, n, false);
    put_column(f, "fileName", t.funcs.b, n, true);
    for (size_t i = 0; i < n; i++)
        t.funcs.d[i] = t.funcs.d[i] >> 1 ? t.funcs.d[i] >> 1 : -1;
    put_column(f, "lineNumber", t.funcs.d, n, true);
    put_repeat(f, "columnNumber", "null", n);
    fprintf(f, "\"length\":%zu},", n);
    /* resourceTable */
    n = t.res.n;
    fputs("\"resourceTable\":{", f);
    put_repeat(f, "lib", "null", n);
    put_column(f, "name", t.res.a, n, false);
    put_repeat(f, "host", "null", n);
    put_repeat(f, "type", "1", n);
    fprintf(f, "\"length\":%zu},", n);
    fputs("\"nativeSymbols\":{\"libIndex\":[],\"address\":[],\"name\":[],\"functionSize\":[],"
          "\"length\":0},",
          f);
    fputs("\"markers\":{\"data\":[],\"name\":[],\"startTime\":[],\"endTime\":[],\"phase\":[],"
          "\"category\":[],\"length\":0}}",
          f);
}

static int pick_weight(gwriter *w, const pk_write_options *opt)
{
    pk_profile *p = w->p;
    int s = pk_metric_find(p, "samples");
    w->metric = opt && opt->metric >= 0 && opt->metric < p->nmetrics ? opt->metric : s >= 0 ? s : 0;
    const char *unit = p->metrics[w->metric].unit;
    w->weight_type = strcmp(unit, "ns") == 0      ? "tracing-ms"
                     : strcmp(unit, "bytes") == 0 ? "bytes"
                                                  : "samples";
    const char *iv = pk_meta_get(p, "sampling.interval_us");
    if (!iv) iv = pk_meta_get(p, "austin.interval");
    double us = iv ? strtod(iv, NULL) : 0;
    int t = pk_metric_find(p, "time");
    if (!(us > 0) && t >= 0 && s >= 0 && pk_total(p, s) > 0)
        us = (double)pk_total(p, t) / (double)pk_total(p, s) / 1e3;
    w->interval_ms = us > 0 && us < 1e12 ? us / 1e3 : 1.0;
    return 0;
}

/* The root frame node above node (a child of the tree's root), 0 for the root. */
static pk_id root_of(const pk_profile *p, pk_id node)
{
    while (node != 0 && p->nodes[node].parent != 0)
        node = p->nodes[node].parent;
    return node;
}

static bool thread_rooted(const pk_profile *p)
{
    bool any = false;
    for (pk_id c = p->nnodes ? p->nodes[0].first_child : PK_NONE; c != PK_NONE;
         c = p->nodes[c].next_sibling) {
        pk_kind k = p->funcs[p->nodes[c].func].kind;
        if (k != PK_KIND_THREAD) return false;
        any = true;
    }
    return any;
}

/* A thread root named tid:N keeps N as the tid and Tachyon's Thread-N name,
 * so reading the file back names it tid:N again. */
static void thread_identity(const char *root, uint64_t index, uint64_t *tid, const char **name,
                            char *buf, size_t size)
{
    char *end;
    if (strncmp(root, "tid:", 4) == 0) {
        unsigned long long n = strtoull(root + 4, &end, 10);
        if (end != root + 4 && *end == '\0') {
            *tid = n;
            snprintf(buf, size, "Thread-%llu", n);
            *name = buf;
            return;
        }
    }
    *tid = index;
    *name = root;
}

static int gecko_write(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err)
{
    pk_ensure_tree(p);
    if (!p->has_tree || p->nmetrics == 0) {
        pk_error_set(err, "gecko: the profile has no stacks");
        return -1;
    }
    gwriter w = {.p = p, .f = f};
    pick_weight(&w, opt);
    sk_map_init(&w.strings, p);
    string_index(&w, "(root)");
    w.stack_of = pk_alloc(p, (p->nnodes + 1) * sizeof *w.stack_of);
    w.func_of = pk_alloc(p, (p->nfuncs + 1) * sizeof *w.func_of);
    /* the samples, with the thread (group) each goes to */
    size_t ns = 0, cap = 0;
    wsample *s = NULL;
    uint32_t *group = NULL;
    size_t capg = 0;
    bool by_root = thread_rooted(p);
    size_t ntl = pk_nsamples(p);
    if (ntl) {
        pk_sample_iter it;
        pk_sample smp;
        pk_samples_begin(p, &it);
        while (pk_samples_next(&it, &smp)) {
            SK_GROW(p, s, cap, ns + 1);
            SK_GROW(p, group, capg, ns + 1);
            s[ns] = (wsample){smp.node, smp.t_ns, smp.v[w.metric]};
            group[ns++] = by_root ? root_of(p, smp.node) : smp.thread;
        }
    } else {
        for (pk_id n = 0; n < p->nnodes; n++) { /* the root's: samples without frames */
            int64_t v = p->nodes[n].self[w.metric];
            if (!v) continue;
            SK_GROW(p, s, cap, ns + 1);
            SK_GROW(p, group, capg, ns + 1);
            s[ns] = (wsample){n, 0, v};
            group[ns++] = by_root ? root_of(p, n) : 0;
        }
    }
    /* threads: each group's samples in their order */
    size_t ngroups = by_root ? p->nnodes : ntl ? pk_nthreads(p) + 1 : 1;
    size_t *count = pk_alloc(p, (ngroups + 1) * sizeof *count);
    for (size_t i = 0; i < ns; i++)
        count[group[i]]++;
    wsample *sorted = pk_alloc(p, (ns + 1) * sizeof *sorted);
    size_t *start = pk_alloc(p, (ngroups + 1) * sizeof *start);
    for (size_t g = 0; g < ngroups; g++)
        start[g + 1] = start[g] + count[g];
    size_t *fill = pk_alloc(p, (ngroups + 1) * sizeof *fill);
    memcpy(fill, start, ngroups * sizeof *fill);
    for (size_t i = 0; i < ns; i++)
        sorted[fill[group[i]]++] = s[i];
    if (!ntl) { /* made-up times: each thread's samples one after another */
        bool counts = strcmp(w.weight_type, "samples") == 0;
        for (size_t g = 0; g < ngroups; g++) {
            double t = 0;
            for (size_t i = start[g]; i < start[g] + count[g]; i++) {
                sorted[i].t_ns = llround(t * 1e6);
                t += w.interval_ms * (counts ? (double)sorted[i].w : 1.0);
            }
        }
    }
    const char *misc = p->estimated ? "profkit: stacks estimated from the call graph" : "profkit";
    fprintf(f,
            "{\"meta\":{\"interval\":%.17g,\"startTime\":0,\"abi\":\"\",\"misc\":\"%s\","
            "\"oscpu\":\"\",\"platform\":\"\",\"processType\":0,\"categories\":[",
            w.interval_ms, misc);
    static const char *const cats[][2] = {
        {"Other", "grey"},    {"Python", "yellow"},   {"Native", "blue"},
        {"GC", "orange"},     {"GIL", "green"},       {"CPU", "purple"},
        {"Code Type", "red"}, {"Opcodes", "magenta"}, {"Exception", "lightblue"}};
    for (size_t i = 0; i < sizeof cats / sizeof cats[0]; i++)
        fprintf(f, "%s{\"name\":\"%s\",\"color\":\"%s\",\"subcategories\":[\"Other\"]}",
                i ? "," : "", cats[i][0], cats[i][1]);
    fputs("],\"stackwalk\":0,\"toolkit\":\"\",\"version\":32,\"preprocessedProfileVersion\":57,"
          "\"appBuildID\":\"\",\"physicalCPUs\":0,\"logicalCPUs\":0,\"CPUName\":\"\","
          "\"product\":\"profkit\",\"symbolicated\":true,\"markerSchema\":[],"
          "\"importedFrom\":\"profkit\",\"extensions\":{\"id\":[],\"name\":[],\"baseURL\":[],"
          "\"length\":0}},\"libs\":[],\"threads\":[",
          f);
    bool first = true;
    char buf[64];
    for (size_t g = 0; g < ngroups; g++) {
        if (!count[g] && (by_root || ntl)) continue;
        uint64_t tid = g;
        const char *name = "main";
        pk_id base = 0;
        if (by_root) {
            base = (pk_id)g;
            thread_identity(g ? p->funcs[p->nodes[g].func].name : "", g, &tid, &name, buf,
                            sizeof buf);
        } else if (ntl && g < pk_nthreads(p)) {
            const pk_thread *th = pk_thread_at(p, (uint32_t)g);
            tid = th->tid;
            name = th->name && th->name[0] ? th->name : "main";
            thread_identity(name, tid, &tid, &name, buf, sizeof buf);
        }
        if (!first) fputc(',', f);
        put_thread(&w, name, tid, first, sorted + start[g], count[g], base);
        first = false;
    }
    fputs("],\"pages\":[],\"shared\":{\"stringArray\":[", f);
    for (size_t i = 0; i < w.nstrings; i++) {
        if (i) fputc(',', f);
        put_json_string(f, w.string_list[i]);
    }
    fputs("],\"sources\":{\"length\":0,\"uuid\":[],\"filename\":[]}}}\n", f);
    return 0;
}

/* `{"meta":` first with the profiler's fields in the head. */
static int gecko_probe(const uint8_t *head, size_t len)
{
    size_t i = 0;
    while (i < len && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t'))
        i++;
    if (i == len || head[i] != '{') return 0;
    bool meta = memmem(head, len, "\"meta\"", 6) != NULL;
    bool gecko = memmem(head, len, "\"preprocessedProfileVersion\"", 28) ||
                 memmem(head, len, "\"stackTable\"", 12) ||
                 (memmem(head, len, "\"interval\"", 10) && memmem(head, len, "\"startTime\"", 11) &&
                  memmem(head, len, "\"categories\"", 12));
    return meta && gecko ? 85 : 0;
}

const pk_format pk_format_gecko = {
    .name = "gecko",
    .patterns = "*.gecko.json",
    .description = "Firefox Profiler processed JSON (Python 3.15's sampler --gecko, Firefox)",
    .probe = gecko_probe,
    .read = gecko_read,
    .write = gecko_write,
};
