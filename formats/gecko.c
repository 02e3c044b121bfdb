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
    double t0; /* earliest sample time of all threads (ms) */
    bool any_time;
    uint64_t nsamples, nthreads;
    const char *weight_type;
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
        int64_t ri = res ? index_at(r, res, i, SIZE_MAX, "resource") : -1;
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
        ids[i] = pk_function_get_interned(r->p, fn, fs, 0, kind);
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
    char label[160], tachyon[40];
    snprintf(tachyon, sizeof tachyon, "Thread-%" PRIu64, t);
    if (!name || !name[0] || strcmp(name, tachyon) == 0)
        snprintf(label, sizeof label, "tid:%" PRIu64, t);
    else
        snprintf(label, sizeof label, "tid:%" PRIu64 " %.120s", t, name);
    const char *l = pk_intern_cstr(r->p, label);
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
        if (times) s.t_ns = llround((times[i] - r->t0) * 1e6);
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

/* The earliest sample time of all threads, so times start at 0. */
static void find_t0(reader *r, json_t *threads)
{
    for (size_t k = 0; k < json_array_size(threads); k++) {
        json_t *samples = json_object_get(json_array_get(threads, k), "samples");
        json_t *time = json_object_get(samples, "time");
        json_t *d = json_object_get(samples, "timeDeltas");
        json_t *v = json_array_get(json_is_array(time) ? time : d, 0);
        if (!json_is_number(v)) continue;
        double t = json_number_value(v);
        if (!r->any_time || t < r->t0) r->t0 = t;
        r->any_time = true;
    }
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

static void free_document(void *root)
{
    json_decref(root);
}

static void gecko_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    size_t len;
    const char *buf = (const char *)pk_input_all(in, &len);
    json_error_t jerr;
    reader r = {.in = in, .p = p, .opt = opt};
    r.root = json_loadb(buf, len, JSON_ALLOW_NUL, &jerr);
    if (!r.root) pk_fail(in, (uint64_t)jerr.position, "%s", jerr.text);
    pk_input_on_fail(in, free_document, r.root);
    json_t *meta = json_object_get(r.root, "meta");
    json_t *threads = json_object_get(r.root, "threads");
    if (!json_is_object(meta) || !json_is_array(threads))
        fail(&r, "not a Firefox Profiler profile: no meta object and threads array");
    json_t *interval = json_object_get(meta, "interval");
    r.interval_ms = json_is_number(interval) ? json_number_value(interval) : 0;
    if (!(r.interval_ms >= 0 && r.interval_ms < 1e9)) r.interval_ms = 0;
    r.strings = json_object_get(json_object_get(r.root, "shared"), "stringArray");
    set_metrics(&r, threads);
    find_t0(&r, threads);
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
    pk_input_on_fail(in, NULL, NULL);
    json_decref(r.root);
    p->has_tree = true;
    pk_derive_lines(p);
    pk_derive_graph(p);
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
    .write = NULL,
};
