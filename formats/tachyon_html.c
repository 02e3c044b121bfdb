/* Tachyon's flame graph HTML: the page Python 3.15's sampler writes with
 * --flamegraph (or --diff-flamegraph), read back through the JSON tree it
 * embeds (`const EMBEDDED_DATA = {...};`). Each node is a frame (funcname,
 * filename, lineno indexing the page's string table) with its own samples
 * (`self`) and, per thread, [total, self] (`thread_values`).
 *
 * Tachyon leaves out nodes under 0.1 % of the samples; what they held is
 * kept under a "[small frames]" child of the node above them, so totals and
 * inclusive values stay those of the page. A differential page reads as a
 * before/after pair (metrics "before" and "after", as difffolded lines do):
 * after = the node's own samples, before = its `baseline`, which Tachyon
 * apportions over lines (fractional: both metrics keep 3 decimals); stacks
 * only in the baseline come from its `elided_flamegraph`.
 */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/limits.h"
#include "format.h"

#define TAG "const EMBEDDED_DATA = "
#define DIFF_DECIMALS 3
#define MAX_THREADS 4096

typedef struct {
    pk_input *in;
    pk_profile *p;
    const pk_read_options *opt;
    json_t *root, *strings;
    bool diff;
    int m_after, m_before, m_time; /* m_after is "samples" on a plain page */
    int64_t interval_ns, scale;
    /* per thread id: its root frame node (with --threads) */
    uint64_t tids[MAX_THREADS];
    pk_id roots[MAX_THREADS];
    size_t nthreads;
    pk_id small;
} hreader;

static void free_doc(void *root)
{
    json_decref(root);
}

static const char *str_of(hreader *r, json_t *v)
{
    if (json_is_string(v)) return pk_intern(r->p, json_string_value(v), json_string_length(v));
    if (json_is_integer(v) && r->strings) {
        json_t *s = json_array_get(r->strings, (size_t)json_integer_value(v));
        if (json_is_string(s)) return pk_intern(r->p, json_string_value(s), json_string_length(s));
    }
    pk_fail(r->in, 0, "flame graph node names a string that is not in the page's table");
}

static double num(hreader *r, json_t *v, const char *what)
{
    if (!v || json_is_null(v)) return 0;
    if (!json_is_number(v)) pk_fail(r->in, 0, "flame graph node: %s is not a number", what);
    double d = json_number_value(v);
    if (!(d >= 0 && d < 1e15)) pk_fail(r->in, 0, "flame graph node: %s %g out of range", what, d);
    return d;
}

/* The root node of thread tid (made on first sight), or 0 without --threads. */
static pk_id thread_root(hreader *r, uint64_t tid)
{
    if (!r->opt || !r->opt->threads) return 0;
    for (size_t i = 0; i < r->nthreads; i++)
        if (r->tids[i] == tid) return r->roots[i];
    if (r->nthreads == MAX_THREADS) pk_fail(r->in, 0, "more than %d threads", MAX_THREADS);
    char name[40];
    snprintf(name, sizeof name, "tid:%" PRIu64, tid);
    pk_id f = pk_function_get(r->p, pk_intern_cstr(r->p, name), "", 0, PK_KIND_THREAD);
    r->tids[r->nthreads] = tid;
    r->roots[r->nthreads] = pk_tree_child(r->p, 0, f, 0);
    return r->roots[r->nthreads++];
}

/* The node for frame under parent; under a thread's own root when parent
 * is the tree's root. */
static pk_id frame_node(hreader *r, pk_id parent, json_t *n)
{
    const char *name = str_of(r, json_object_get(n, "funcname"));
    json_t *fv = json_object_get(n, "filename");
    const char *file = fv ? str_of(r, fv) : "";
    json_t *lv = json_object_get(n, "lineno"); /* -1: no location */
    double line = json_is_number(lv) && json_number_value(lv) < 0 ? 0 : num(r, lv, "lineno");
    pk_kind kind = pk_kind_guess(name, file);
    if (strcmp(file, "~") == 0 || !file[0])
        kind = strcmp(name, "<GC>") == 0       ? PK_KIND_GC
               : strcmp(name, "<native>") == 0 ? PK_KIND_NATIVE
                                               : kind;
    pk_id f = pk_function_get(r->p, name, file, 0, kind);
    return pk_tree_child(r->p, parent, f, line <= INT32_MAX ? (int32_t)line : 0);
}

static void add(hreader *r, pk_id node, int m, double v)
{
    if (m < 0 || v == 0) return;
    pk_node *n = &r->p->nodes[node];
    n->self[m] += llround(v * (double)r->scale);
    if (m == r->m_after && r->m_time >= 0) n->self[r->m_time] += llround(v) * r->interval_ns;
}

static pk_id small_child(hreader *r, pk_id node)
{
    if (r->small == PK_NONE)
        r->small = pk_function_get(r->p, "[small frames]", "", 0, PK_KIND_OTHER);
    return pk_tree_child(r->p, node, r->small, 0);
}

/* A node's [total, self] for thread tid from thread_values; false when
 * the thread has none there. */
static bool thread_value(hreader *r, json_t *n, const char *tid, double *total, double *self)
{
    json_t *tv = json_object_get(json_object_get(n, "thread_values"), tid);
    if (!tv) return false;
    if (!json_is_array(tv) || json_array_size(tv) < 2)
        pk_fail(r->in, 0, "flame graph node: thread_values of %s is not [total, self]", tid);
    *total = num(r, json_array_get(tv, 0), "thread total");
    *self = num(r, json_array_get(tv, 1), "thread self");
    return true;
}

static json_t *children_of(hreader *r, json_t *n)
{
    if (!json_is_object(n)) pk_fail(r->in, 0, "flame graph node is not an object");
    json_t *c = json_object_get(n, "children");
    if (c && !json_is_array(c)) pk_fail(r->in, 0, "flame graph node: children is not an array");
    return c;
}

/* The whole page's tree: own samples (or baseline), and what the left-out
 * small children held. */
static void walk(hreader *r, json_t *n, pk_id node, size_t depth, int metric, bool baseline)
{
    pk_check_stack_depth(depth);
    json_t *children = children_of(r, n);
    double self = num(r, json_object_get(n, baseline ? "baseline" : "self"), "self");
    add(r, node, metric, self);
    if (!baseline) {
        double rest = num(r, json_object_get(n, "value"), "value") - self;
        for (size_t i = 0; i < json_array_size(children); i++)
            rest -= num(r, json_object_get(json_array_get(children, i), "value"), "value");
        if (rest > 0.5) add(r, node ? small_child(r, node) : 0, metric, rest);
    }
    for (size_t i = 0; i < json_array_size(children); i++) {
        json_t *c = json_array_get(children, i);
        children_of(r, c);
        walk(r, c, frame_node(r, node, c), depth + 1, metric, baseline);
    }
}

/* One thread's part of the tree (--threads), under its root frame. */
static void walk_thread(hreader *r, json_t *n, pk_id node, const char *tid, size_t depth)
{
    pk_check_stack_depth(depth);
    json_t *children = children_of(r, n);
    double total, self;
    if (!thread_value(r, n, tid, &total, &self)) return;
    add(r, node, r->m_after, self);
    double rest = total - self;
    for (size_t i = 0; i < json_array_size(children); i++) {
        double ct, cs;
        json_t *c = json_array_get(children, i);
        children_of(r, c);
        if (thread_value(r, c, tid, &ct, &cs)) rest -= ct;
    }
    if (rest > 0.5) add(r, small_child(r, node), r->m_after, rest);
    for (size_t i = 0; i < json_array_size(children); i++) {
        json_t *c = json_array_get(children, i);
        double ct, cs;
        if (thread_value(r, c, tid, &ct, &cs))
            walk_thread(r, c, frame_node(r, node, c), tid, depth + 1);
    }
}

/* Per thread when asked and the page says how samples split by thread. */
static void walk_current(hreader *r)
{
    json_t *tvs = json_object_get(r->root, "thread_values");
    if (!r->opt || !r->opt->threads || !json_is_object(tvs) || !json_object_size(tvs)) {
        walk(r, r->root, 0, 0, r->m_after, false);
        return;
    }
    const char *tid;
    json_t *v;
    json_object_foreach(tvs, tid, v)
    {
        char *end;
        unsigned long long t = strtoull(tid, &end, 10);
        if (end == tid || *end) pk_fail(r->in, 0, "thread id '%s' is not a number", tid);
        walk_thread(r, r->root, thread_root(r, t), tid, 0);
    }
}

static void set_metadata(hreader *r, json_t *stats)
{
    pk_profile *p = r->p;
    char num_text[48];
    static const char *const keys[][2] = {{"duration_sec", "duration_s"},
                                          {"sample_rate", "tachyon.sample_rate"},
                                          {"error_rate", "tachyon.error_rate"},
                                          {"missed_samples", "tachyon.missed_samples"},
                                          {"baseline_samples", "tachyon.baseline_samples"},
                                          {"current_samples", "tachyon.current_samples"}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *v = json_object_get(stats, keys[i][0]);
        if (!json_is_number(v)) continue;
        snprintf(num_text, sizeof num_text, "%.9g", json_number_value(v));
        pk_meta_set(p, keys[i][1], pk_intern_cstr(p, num_text));
    }
    snprintf(num_text, sizeof num_text, "%" PRId64, r->interval_ns / 1000);
    if (r->interval_ns) pk_meta_set(p, "sampling.interval_us", pk_intern_cstr(p, num_text));
    json_t *value = json_object_get(r->root, "value");
    if (json_is_number(value)) {
        snprintf(num_text, sizeof num_text, "%.0f", json_number_value(value));
        pk_meta_set(p, "sampling.samples", pk_intern_cstr(p, num_text));
    }
    pk_meta_set(p, "tachyon.page", r->diff ? "differential flame graph" : "flame graph");
}

static void html_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    size_t len;
    const char *text = (const char *)pk_input_all(in, &len);
    const char *at = memmem(text, len, TAG, strlen(TAG));
    if (!at) pk_fail(in, 0, "no `" TAG "` in the page");
    size_t off = (size_t)(at - text) + strlen(TAG);
    json_error_t err;
    hreader r = {.in = in, .p = p, .opt = opt, .small = PK_NONE, .m_before = -1, .m_time = -1};
    r.root = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK, &err);
    if (!r.root) pk_fail(in, off + (uint64_t)err.position, "embedded data: %s", err.text);
    pk_input_on_fail(in, free_doc, r.root);
    if (!json_is_object(r.root)) pk_fail(in, off, "embedded data is not an object");
    r.strings = json_object_get(r.root, "strings");
    if (r.strings && !json_is_array(r.strings)) pk_fail(in, off, "strings is not an array");
    json_t *stats = json_object_get(r.root, "stats");
    r.diff = json_is_true(json_object_get(stats, "is_differential"));
    json_t *iv = json_object_get(stats, "sample_interval_usec");
    r.interval_ns =
        json_is_integer(iv) && json_integer_value(iv) > 0 && json_integer_value(iv) < 1000000000
            ? json_integer_value(iv) * 1000
            : 0;
    if (r.diff) {
        r.m_before = pk_add_metric(p, "before", "samples");
        r.m_after = pk_add_metric(p, "after", "samples");
        p->metrics[r.m_before].decimals = p->metrics[r.m_after].decimals = DIFF_DECIMALS;
        r.scale = 1000;
    } else {
        r.m_time = pk_add_metric(p, "time", "ns");
        r.m_after = pk_add_metric(p, "samples", "samples");
        r.scale = 1;
    }
    walk_current(&r);
    if (r.diff) {
        walk(&r, r.root, 0, 0, r.m_before, true);
        json_t *elided = json_object_get(stats, "elided_flamegraph");
        if (json_is_object(elided)) walk(&r, elided, 0, 0, r.m_before, true);
    }
    set_metadata(&r, stats);
    pk_input_on_fail(in, NULL, NULL);
    json_decref(r.root);
    p->has_tree = true;
    pk_derive_lines(p);
    pk_derive_graph(p);
}

static int html_probe(const uint8_t *head, size_t len)
{
    if (!memmem(head, len, "<html", 5) && !memmem(head, len, "<!DOCTYPE", 9) &&
        !memmem(head, len, "<!doctype", 9))
        return 0;
    /* the data sits far below the head: the page's title and its script names say it */
    if (memmem(head, len, "Tachyon", 7) || memmem(head, len, "tachyon", 7)) return 60;
    return 0;
}

const pk_format pk_format_tachyon_html = {
    .name = "tachyon-flamegraph",
    .patterns = "*.flamegraph.html",
    .description = "Python 3.15's sampler (Tachyon) flame graph HTML, plain or differential",
    .probe = html_probe,
    .read = html_read,
    .write = NULL,
};
