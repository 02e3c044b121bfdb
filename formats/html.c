/* One self-contained HTML report: flame graph and icicle, sandwich view,
 * function table, hottest lines (with their source when embedded), memray's
 * memory over time, differential colours for pdiff.
 *
 * The page (formats/html/report.{html,css,js}) is compiled in as byte arrays;
 * the profile goes into it as JSON built with jansson, inside a
 * <script type="application/json"> whose '<', '>', '&' and U+2028/2029 are
 * written as \u escapes, so no name can close the element or start markup.
 * The page's script only ever sets names as text, never as markup, and its
 * Content-Security-Policy forbids every network request.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bytes.h"
#include "../lib/escape.h"
#include "../lib/flame.h"
#include "flame_common.h"
#include "../lib/call_history.h"
#include "../lib/heap_history.h"
#include "../lib/hmap.h"
#include "../lib/source.h"
#include "../lib/timeline.h"
#include "format.h"
#include "html_assets.h"

#define HTML_DEFAULT_MINWIDTH 0.01 /* % of the total: frames narrower are merged */
#define HTML_MAX_TABLE 20000       /* functions listed, the heaviest */
#define HTML_MAX_LINES 500         /* hottest lines listed */
#define HTML_MAX_SOURCE_LINES 400  /* source lines embedded per function */
#define HTML_MAX_SERIES 4000       /* points of the memory chart */
#define HTML_MAX_FRAMES 150000     /* about 5 MB of frames: wider merging past it */

/* ---- JSON helpers ---- */

static json_t *jstr(const char *s)
{
    char *scratch = NULL;
    json_t *j = json_string(pk_utf8_valid(s ? s : "", &scratch));
    free(scratch);
    return j ? j : json_string("");
}

static void add_int(json_t *arr, int64_t v)
{
    json_array_append_new(arr, json_integer((json_int_t)v));
}

/* ---- one view of a profile: functions, frames, table, lines ---- */

typedef struct {
    const pk_profile *p;
    int metric, metric2; /* metric2: "before" of a diff, or -1 */
    int32_t *fmap;       /* profile function -> index in the view's list, -1 */
    json_t *names, *files, *flines, *kinds;
    size_t nfuncs;
} view_funcs;

static int32_t func_ref(view_funcs *vf, pk_id id)
{
    if (id == PK_NONE || id >= vf->p->nfuncs) return -1;
    if (vf->fmap[id] >= 0) return vf->fmap[id];
    const pk_function *f = &vf->p->funcs[id];
    json_array_append_new(vf->names, jstr(f->name));
    json_array_append_new(vf->files, jstr(f->file));
    add_int(vf->flines, f->line);
    add_int(vf->kinds, f->kind);
    return vf->fmap[id] = (int32_t)vf->nfuncs++;
}

static json_t *frames_json(view_funcs *vf, const pk_flame *fl)
{
    json_t *parent = json_array(), *func = json_array(), *value = json_array(),
           *self = json_array(), *merged = json_array(), *value2 = json_array();
    for (size_t i = 0; i < fl->nrects; i++) {
        const pk_flame_rect *r = &fl->rects[i];
        add_int(parent, r->parent == PK_NONE ? -1 : (int64_t)r->parent);
        add_int(func, func_ref(vf, r->func));
        add_int(value, r->value);
        add_int(self, r->self);
        add_int(merged, r->merged);
        if (vf->metric2 >= 0) add_int(value2, r->value2);
    }
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o}", "parent", parent, "func", func, "value",
                          value, "self", self, "merged", merged);
    if (vf->metric2 >= 0)
        json_object_set_new(o, "value2", value2);
    else
        json_decref(value2);
    return o;
}

static const pk_profile *sort_p;
static int sort_m;

static int cmp_funcs(const void *x, const void *y)
{
    const pk_function *a = &sort_p->funcs[*(const pk_id *)x],
                      *b = &sort_p->funcs[*(const pk_id *)y];
    if (a->incl[sort_m] != b->incl[sort_m]) return a->incl[sort_m] > b->incl[sort_m] ? -1 : 1;
    return strcmp(a->name, b->name);
}

static json_t *table_json(view_funcs *vf)
{
    const pk_profile *p = vf->p;
    int m = vf->metric, m2 = vf->metric2;
    pk_id *ids = pk_xmalloc((p->nfuncs + 1) * sizeof *ids);
    size_t n = 0;
    for (size_t i = 0; i < p->nfuncs; i++) {
        const pk_function *f = &p->funcs[i];
        if (f->incl[m] || f->self[m] || (m2 >= 0 && (f->incl[m2] || f->self[m2])) || f->calls)
            ids[n++] = (pk_id)i;
    }
    sort_p = p;
    sort_m = m;
    pk_sort(ids, n, sizeof *ids, cmp_funcs);
    size_t shown = n < HTML_MAX_TABLE ? n : HTML_MAX_TABLE;
    json_t *func = json_array(), *self = json_array(), *incl = json_array(), *calls = json_array();
    json_t *self2 = json_array(), *incl2 = json_array();
    for (size_t i = 0; i < shown; i++) {
        const pk_function *f = &p->funcs[ids[i]];
        add_int(func, func_ref(vf, ids[i]));
        add_int(self, f->self[m]);
        add_int(incl, f->incl[m]);
        add_int(calls, f->calls);
        if (m2 >= 0) {
            add_int(self2, f->self[m2]);
            add_int(incl2, f->incl[m2]);
        }
    }
    free(ids);
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:I}", "func", func, "self", self, "incl", incl,
                          "calls", calls, "omitted", (json_int_t)(n - shown));
    if (m2 >= 0) {
        json_object_set_new(o, "self2", self2);
        json_object_set_new(o, "incl2", incl2);
    } else {
        json_decref(self2);
        json_decref(incl2);
    }
    return o;
}

static int cmp_lines(const void *x, const void *y)
{
    const pk_line *a = &sort_p->lines[*(const size_t *)x], *b = &sort_p->lines[*(const size_t *)y];
    if (a->v[sort_m] != b->v[sort_m]) return a->v[sort_m] > b->v[sort_m] ? -1 : 1;
    if (a->func != b->func) return a->func < b->func ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* The hottest lines, heaviest first; *order receives their indexes. */
static json_t *lines_json(view_funcs *vf, size_t **order, size_t *norder)
{
    const pk_profile *p = vf->p;
    size_t *idx = pk_xmalloc((p->nlines + 1) * sizeof *idx), n = 0;
    for (size_t i = 0; i < p->nlines; i++)
        if (p->lines[i].v[vf->metric] && p->lines[i].line > 0) idx[n++] = i;
    sort_p = p;
    sort_m = vf->metric;
    pk_sort(idx, n, sizeof *idx, cmp_lines);
    if (n > HTML_MAX_LINES) n = HTML_MAX_LINES;
    json_t *func = json_array(), *line = json_array(), *value = json_array();
    for (size_t i = 0; i < n; i++) {
        const pk_line *l = &p->lines[idx[i]];
        add_int(func, func_ref(vf, l->func));
        add_int(line, l->line);
        add_int(value, l->v[vf->metric]);
    }
    *order = idx;
    *norder = n;
    return json_pack("{s:o, s:o, s:o}", "func", func, "line", line, "value", value);
}

/* ---- embedded sources: per file, the lines around its hottest lines ---- */

typedef struct {
    const char *file;
    int32_t lo, hi;
} source_span;

static void note_span(source_span **spans, size_t *n, size_t *cap, const char *file, int32_t lo,
                      int32_t hi)
{
    for (size_t i = 0; i < *n; i++) {
        source_span *s = &(*spans)[i];
        if (strcmp(s->file, file) != 0) continue;
        if (lo < s->lo) s->lo = lo;
        if (hi > s->hi) s->hi = hi;
        return;
    }
    PK_GROW(*spans, *cap, *n + 1);
    (*spans)[(*n)++] = (source_span){file, lo, hi};
}

static json_t *source_json(const source_span *s, const char *root)
{
    pk_source *src = pk_source_open(s->file, root);
    if (!src) return NULL;
    json_t *lines = json_array();
    int32_t lo = s->lo < 1 ? 1 : s->lo;
    for (int32_t l = lo; l <= s->hi && (size_t)l <= src->nlines; l++) {
        char *copy = strndup(src->lines[l - 1], src->lens[l - 1]);
        json_array_append_new(lines, jstr(copy));
        free(copy);
    }
    pk_source_free(src);
    return json_pack("{s:i, s:o}", "first", (int)lo, "lines", lines);
}

static void embed_sources(json_t *sources, const pk_profile *p, const size_t *order, size_t n,
                          const char *root)
{
    source_span *spans = NULL;
    size_t nspans = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        const pk_line *l = &p->lines[order[i]];
        const pk_function *f = &p->funcs[l->func];
        if (!f->file || !*f->file || f->file[0] == '<' || f->file[0] == '[') continue;
        int32_t lo = f->line > 0 && f->line <= l->line && l->line - f->line < HTML_MAX_SOURCE_LINES
                         ? f->line
                         : l->line - 3;
        note_span(&spans, &nspans, &cap, f->file, lo, l->line + 3);
    }
    for (size_t i = 0; i < nspans; i++) {
        if (json_object_get(sources, spans[i].file)) continue;
        if (spans[i].hi - spans[i].lo > 4 * HTML_MAX_SOURCE_LINES)
            spans[i].hi = spans[i].lo + 4 * HTML_MAX_SOURCE_LINES;
        json_t *s = source_json(&spans[i], root);
        if (s) json_object_set_new(sources, spans[i].file, s);
    }
    free(spans);
}

/* ---- the time view: samples in order, each at its stack's site ---- */

/* The report's time data: per thread, its samples and spans as base64 of
 * varints (encode_samples, encode_spans); per site, its parent, function,
 * the flame frame that holds it and its line in the report's line list. The
 * page sums a dragged window's samples and clipped spans into every view. */
typedef struct {
    uint8_t *data;
    size_t len, cap, count;
    int64_t last_t; /* the last time encoded: µs for samples, ns for spans */
} byte_buf;

static void put_uvarint(byte_buf *b, uint64_t v)
{
    PK_GROW(b->data, b->cap, b->len + 10);
    b->len += pk_put_varint(b->data + b->len, v);
}

static void put_svarint(byte_buf *b, int64_t v)
{
    put_uvarint(b, pk_zigzag(v));
}

static json_t *base64_json(const uint8_t *in, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = pk_xmalloc((n + 2) / 3 * 4 + 1), *o = out;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        *o++ = abc[v >> 18 & 63];
        *o++ = abc[v >> 12 & 63];
        *o++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? abc[v & 63] : '=';
    }
    json_t *j = json_stringn(out, (size_t)(o - out));
    free(out);
    return j;
}

typedef struct {
    pk_id func;
    int32_t line;
    int32_t index; /* in the report's line list */
} listed_line;

static int cmp_listed(const void *x, const void *y)
{
    const listed_line *a = x, *b = y;
    if (a->func != b->func) return a->func < b->func ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

static int32_t listed_index(const listed_line *l, size_t n, pk_id func, int32_t line)
{
    listed_line key = {func, line, 0};
    const listed_line *hit = n ? bsearch(&key, l, n, sizeof *l, cmp_listed) : NULL;
    return hit ? hit->index : -1;
}

/* The sites: the timeline's own, or else the tree's nodes. */
static json_t *sites_json(view_funcs *vf, const pk_flame *fl, const pk_id *site_node,
                          const size_t *line_order, size_t nlisted)
{
    const pk_profile *p = vf->p;
    size_t nsites;
    const pk_site *sites = pk_timeline_sites(p, &nsites);
    if (!sites) nsites = p->nnodes;
    listed_line *listed = pk_xmalloc((nlisted + 1) * sizeof *listed);
    for (size_t i = 0; i < nlisted; i++) {
        const pk_line *l = &p->lines[line_order[i]];
        listed[i] = (listed_line){l->func, l->line, (int32_t)i};
    }
    pk_sort(listed, nlisted, sizeof *listed, cmp_listed);
    json_t *parent = json_array(), *func = json_array(), *frame = json_array(),
           *line = json_array();
    for (size_t s = 0; s < nsites; s++) {
        pk_site site =
            sites ? sites[s] : (pk_site){p->nodes[s].parent, p->nodes[s].func, p->nodes[s].line};
        add_int(parent, site.parent == PK_NONE ? -1 : (int64_t)site.parent);
        add_int(func, s ? func_ref(vf, site.func) : -1);
        add_int(frame, site_node[s] == PK_NONE ? -1 : (int64_t)fl->node_rect[site_node[s]]);
        add_int(line,
                s && site.line > 0 ? listed_index(listed, nlisted, site.func, site.line) : -1);
    }
    free(listed);
    return json_pack("{s:o, s:o, s:o, s:o}", "parent", parent, "func", func, "frame", frame, "line",
                     line);
}

/* Per thread: its samples and its spans, each an encoded stream. */
typedef struct {
    byte_buf samples, spans;
} thread_streams;

typedef struct {
    const pk_profile *p;
    int64_t first;
    size_t nsites, nthreads; /* streams[nthreads]: samples of no known thread */
    bool own_sites;
    pk_id *site_node; /* site -> the tree node of a sample or span at it */
    thread_streams *streams;
} time_encoder;

static byte_buf *stream_of(time_encoder *e, uint32_t thread, bool span)
{
    thread_streams *t = &e->streams[thread < e->nthreads ? thread : e->nthreads];
    return span ? &t->spans : &t->samples;
}

/* The site of a record, noting its node; PK_NONE for one to leave out. */
static pk_id site_of(time_encoder *e, pk_id node, pk_id own_site)
{
    pk_id site = e->own_sites ? own_site : node;
    if (node >= e->p->nnodes || site >= e->nsites) return PK_NONE;
    e->site_node[site] = node;
    return site;
}

/* Samples: site, change of the time in microseconds, value. */
static void encode_samples(time_encoder *e, int metric)
{
    pk_sample_iter it;
    pk_sample s;
    for (pk_samples_begin(e->p, &it); pk_samples_next(&it, &s);) {
        pk_id site = s.v[metric] ? site_of(e, s.node, s.site) : PK_NONE;
        if (site == PK_NONE) continue;
        byte_buf *b = stream_of(e, s.thread, false);
        int64_t us = (s.t_ns - e->first) / 1000;
        put_uvarint(b, site);
        put_svarint(b, us - b->last_t);
        put_svarint(b, s.v[metric]);
        b->last_t = us;
        b->count++;
    }
}

/* Spans (of the time metric): site, change of the start and the duration
 * in nanoseconds, so a window clips them as pconv --time does. */
static void encode_spans(time_encoder *e)
{
    pk_span_iter it;
    pk_span s;
    for (pk_spans_begin(e->p, &it); pk_spans_next(&it, &s);) {
        pk_id site = s.end_ns > s.start_ns ? site_of(e, s.node, s.site) : PK_NONE;
        if (site == PK_NONE) continue;
        byte_buf *b = stream_of(e, s.thread, true);
        int64_t start = s.start_ns - e->first;
        put_uvarint(b, site);
        put_svarint(b, start - b->last_t);
        put_svarint(b, s.end_ns - s.start_ns);
        b->last_t = start;
        b->count++;
    }
}

static json_t *threads_json(time_encoder *e)
{
    json_t *threads = json_array();
    for (size_t i = 0; i <= e->nthreads; i++) {
        thread_streams *t = &e->streams[i];
        if (t->samples.count || t->spans.count) {
            const pk_thread *th = i < e->nthreads ? pk_thread_at(e->p, (uint32_t)i) : NULL;
            json_array_append_new(threads, json_pack("{s:o, s:I, s:I, s:o, s:I, s:o}", "name",
                                                     jstr(th ? th->name : ""), "tid",
                                                     (json_int_t)(th ? th->tid : 0), "n",
                                                     (json_int_t)t->samples.count, "data",
                                                     base64_json(t->samples.data, t->samples.len),
                                                     "nspans", (json_int_t)t->spans.count, "spans",
                                                     base64_json(t->spans.data, t->spans.len)));
        }
        free(t->samples.data);
        free(t->spans.data);
    }
    return threads;
}

static json_t *time_json(view_funcs *vf, const pk_flame *fl, const size_t *line_order,
                         size_t nlisted)
{
    const pk_profile *p = vf->p;
    int64_t first, last;
    bool spans = pk_nspans(p) && vf->metric == 0; /* spans hold the time metric */
    if (!pk_timeline_timed(p) || (!pk_nsamples(p) && !spans) || !fl->node_rect ||
        !pk_timeline_range(p, &first, &last))
        return NULL;
    time_encoder e = {.p = p, .first = first, .nthreads = pk_nthreads(p)};
    e.own_sites = pk_timeline_sites(p, &e.nsites) != NULL;
    if (!e.own_sites) e.nsites = p->nnodes;
    e.site_node = pk_xmalloc((e.nsites + 1) * sizeof *e.site_node);
    memset(e.site_node, 0xff, (e.nsites + 1) * sizeof *e.site_node);
    e.streams = pk_xcalloc(e.nthreads + 1, sizeof *e.streams);
    encode_samples(&e, vf->metric);
    if (spans) encode_spans(&e);
    json_t *threads = threads_json(&e);
    free(e.streams);
    json_t *o =
        json_pack("{s:I, s:o, s:o}", "duration_us", (json_int_t)((last - first) / 1000), "sites",
                  sites_json(vf, fl, e.site_node, line_order, nlisted), "threads", threads);
    free(e.site_node);
    return o;
}

/* ---- the heap's history (memray): any run of epochs as its own view ---- */

/* The epochs, every node as a site (parent, function, line) and the
 * changes, each (what, node, epoch made, epoch at, bytes) in varints. */
static json_t *heap_json(view_funcs *vf)
{
    const pk_profile *p = vf->p;
    const pk_heap_history *h = p->heap;
    json_t *start = json_array(), *high = json_array();
    for (size_t e = 0; e <= h->nepochs; e++)
        add_int(start, h->start_ms[e]);
    for (size_t e = 0; e < h->nepochs; e++)
        add_int(high, h->high_water[e]);
    json_t *parent = json_array(), *func = json_array(), *line = json_array();
    for (size_t i = 0; i < p->nnodes; i++) {
        const pk_node *n = &p->nodes[i];
        add_int(parent, i ? (int64_t)n->parent : -1);
        add_int(func, i ? func_ref(vf, n->func) : -1);
        add_int(line, n->line);
    }
    byte_buf b = {0};
    for (size_t i = 0; i < h->nchanges; i++) {
        const pk_heap_change *c = &h->changes[i];
        put_uvarint(&b, c->what);
        put_uvarint(&b, c->node);
        put_uvarint(&b, c->made);
        put_uvarint(&b, c->at);
        put_svarint(&b, c->bytes);
    }
    json_t *o = json_pack("{s:o, s:o, s:{s:o, s:o, s:o}, s:I, s:o}", "start_ms", start, "high",
                          high, "sites", "parent", parent, "func", func, "line", line, "n",
                          (json_int_t)h->nchanges, "changes", base64_json(b.data, b.len));
    free(b.data);
    return o;
}

/* ---- the call graph's history (mprof): any run of epochs as its own view ---- */

/* The epochs, the functions (every one, as the view's list numbers them),
 * the edges, the calls (function, edge + 1, first and last epoch, count)
 * and the pieces (edge + 2 * late, id, epoch, then the values: inclusive
 * and own, an edge's inclusive alone, as the estimate reads them) in
 * varints. */
static json_t *calls_json(view_funcs *vf)
{
    const pk_profile *p = vf->p;
    const pk_call_history *h = p->calls_history;
    json_t *start = json_array(), *maximum = json_array(), *funcs = json_array();
    json_t *caller = json_array(), *callee = json_array();
    for (size_t e = 0; e <= h->nepochs; e++)
        add_int(start, h->start_ms[e]);
    for (int m = 0; m < h->nmetrics; m++)
        json_array_append_new(maximum, json_boolean(h->maximum >> m & 1));
    for (size_t i = 0; i < p->nfuncs; i++)
        add_int(funcs, func_ref(vf, (pk_id)i));
    for (size_t i = 0; i < p->nedges; i++) {
        add_int(caller, p->edges[i].caller);
        add_int(callee, p->edges[i].callee);
    }
    byte_buf calls = {0}, pieces = {0};
    for (size_t i = 0; i < h->ncalls; i++) {
        const pk_call_span *c = &h->calls[i];
        put_uvarint(&calls, c->func);
        put_uvarint(&calls, c->edge == PK_NONE ? 0 : (uint64_t)c->edge + 1);
        put_uvarint(&calls, c->first);
        put_uvarint(&calls, c->last);
        put_uvarint(&calls, c->count);
    }
    size_t nv = 2 * (size_t)h->nmetrics;
    for (size_t i = 0; i < h->npieces; i++) {
        const pk_call_piece *c = &h->pieces[i];
        put_uvarint(&pieces, (uint64_t)c->edge | (uint64_t)c->late << 1);
        put_uvarint(&pieces, c->id);
        put_uvarint(&pieces, c->epoch);
        for (size_t k = 0; k < (c->edge ? nv / 2 : nv); k++)
            put_svarint(&pieces, h->values[i * nv + k]);
    }
    json_t *o = json_pack("{s:o, s:I, s:o, s:I, s:o, s:{s:o, s:o}, s:I, s:o, s:I, s:o}", "start_ms",
                          start, "late_after", (json_int_t)h->late_after, "maximum", maximum,
                          "metric", (json_int_t)vf->metric, "funcs", funcs, "edges", "caller",
                          caller, "callee", callee, "ncalls", (json_int_t)h->ncalls, "calls",
                          base64_json(calls.data, calls.len), "npieces", (json_int_t)h->npieces,
                          "pieces", base64_json(pieces.data, pieces.len));
    free(calls.data);
    free(pieces.data);
    return o;
}

/* ---- a whole view ---- */

static bool is_diff(const pk_profile *p, const pk_write_options *opt)
{
    return opt->metric < 0 && pk_metric_find(p, "before") >= 0 && pk_metric_find(p, "after") >= 0;
}

static json_t *view_json(pk_profile *p, const char *name, const pk_write_options *opt,
                         bool with_time, json_t *sources, pk_error *err)
{
    view_funcs vf = {.p = p, .metric2 = -1};
    if (is_diff(p, opt)) {
        vf.metric = pk_metric_find(p, "after");
        vf.metric2 = pk_metric_find(p, "before");
    } else {
        vf.metric = opt->metric >= 0 ? opt->metric : 0;
    }
    if (vf.metric >= p->nmetrics) {
        pk_error_set(err, "no metric %d in the profile", vf.metric);
        return NULL;
    }
    pk_ensure_tree(p);
    pk_ensure_graph(p);
    pk_flame_options lo = {
        .metric = vf.metric,
        .metric2 = vf.metric2,
        .minwidth = opt->minwidth > 0 ? flame_minwidth_pct(opt, FLAME_DEFAULT_WIDTH)
                                      : HTML_DEFAULT_MINWIDTH,
        .reverse = opt->reverse,
    };
    pk_flame fl;
    if (pk_flame_layout(p, &lo, &fl, err) < 0) return NULL;
    /* Keep the page small and quick to open whatever the minwidth asked. */
    while (fl.nrects > HTML_MAX_FRAMES && lo.minwidth < 1) {
        pk_flame_free(&fl);
        lo.minwidth = lo.minwidth > 0 ? lo.minwidth * 4 : HTML_DEFAULT_MINWIDTH;
        if (pk_flame_layout(p, &lo, &fl, err) < 0) return NULL;
    }
    vf.fmap = pk_xmalloc((p->nfuncs + 1) * sizeof *vf.fmap);
    memset(vf.fmap, 0xff, (p->nfuncs + 1) * sizeof *vf.fmap);
    vf.names = json_array();
    vf.files = json_array();
    vf.flines = json_array();
    vf.kinds = json_array();
    json_t *frames = frames_json(&vf, &fl), *table = table_json(&vf);
    size_t *order = NULL, norder = 0;
    json_t *lines = lines_json(&vf, &order, &norder);
    json_t *time = with_time && vf.metric2 < 0 ? time_json(&vf, &fl, order, norder) : NULL;
    json_t *heap = with_time && p->heap && vf.metric == 0 && vf.metric2 < 0 && !opt->reverse
                       ? heap_json(&vf)
                       : NULL;
    json_t *calls =
        with_time && p->calls_history && vf.metric2 < 0 && !opt->reverse ? calls_json(&vf) : NULL;
    if (opt->embed_source) embed_sources(sources, p, order, norder, opt->source_root);
    free(order);
    free(vf.fmap);
    const pk_metric *m = &p->metrics[vf.metric];
    json_t *v = json_pack(
        "{s:o, s:o, s:o, s:I, s:I, s:b, s:f, s:o, s:o, s:o, s:{s:o, s:o, s:o, s:o}}", "name",
        jstr(name), "metric", jstr(m->name), "unit", jstr(m->unit), "total", (json_int_t)fl.total,
        "total2", (json_int_t)(vf.metric2 >= 0 ? pk_total(p, vf.metric2) : 0), "estimated",
        p->estimated, "minwidth", lo.minwidth, "frames", frames, "table", table, "lines", lines,
        "funcs", "name", vf.names, "file", vf.files, "line", vf.flines, "kind", vf.kinds);
    if (vf.metric2 >= 0) json_object_set_new(v, "metric2", jstr(p->metrics[vf.metric2].name));
    if (time) json_object_set_new(v, "time", time);
    if (heap) json_object_set_new(v, "heap", heap);
    if (calls) json_object_set_new(v, "calls", calls);
    const char *filtered = pk_meta_get(p, "filter.estimated");
    if (filtered) json_object_set_new(v, "filter_estimated", jstr(filtered));
    pk_flame_free(&fl);
    return v;
}

/* ---- memory over time (memray, mprof) ---- */

/* Two series (memray's rss and heap), or one when the second has no name
 * (mprof's rss): the peak is marked on the last of them. */
static json_t *series_json(const pk_profile *p)
{
    if (!p->nseries) return json_null();
    int marked = p->series_names[1] ? 1 : 0;
    size_t peak = 0;
    for (size_t i = 1; i < p->nseries; i++)
        if (p->series[i].v[marked] > p->series[peak].v[marked]) peak = i;
    size_t step = (p->nseries + HTML_MAX_SERIES - 1) / HTML_MAX_SERIES;
    json_t *t = json_array(), *a = json_array(), *b = json_array();
    for (size_t i = 0; i < p->nseries; i++) {
        if (i % step != 0 && i != peak && i != p->nseries - 1) continue;
        add_int(t, p->series[i].t_ns);
        add_int(a, p->series[i].v[0]);
        if (marked) add_int(b, p->series[i].v[1]);
    }
    return json_pack("{s:[o,o], s:o, s:o, s:o}", "names", jstr(p->series_names[0]),
                     marked ? jstr(p->series_names[1]) : json_null(), "t", t, "a", a, "b", b);
}

static json_t *meta_json(const pk_profile *p)
{
    json_t *o = json_object();
    for (size_t i = 0; i < p->nmeta; i++) {
        char *scratch = NULL;
        const char *key = pk_utf8_valid(p->meta[i].key, &scratch);
        json_object_set_new(o, key, jstr(p->meta[i].value));
        free(scratch);
    }
    return o;
}

static json_t *report_json(pk_profile *p, const pk_write_options *opt, pk_error *err)
{
    json_t *sources = json_object(), *views = json_array();
    const char *view = pk_meta_get(p, "memray.view");
    json_t *v = view_json(p, view ? view : "", opt, true, sources, err);
    for (size_t i = 0; v && i < opt->nviews; i++) {
        json_array_append_new(views, v);
        v = view_json(opt->views[i], opt->view_names[i], opt, false, sources, err);
    }
    if (!v) {
        json_decref(sources);
        json_decref(views);
        return NULL;
    }
    json_array_append_new(views, v);
    return json_pack("{s:i, s:o, s:o, s:b, s:b, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o}", "version",
                     1, "title", opt->title ? jstr(opt->title) : json_null(), "format",
                     jstr(p->format), "diff", is_diff(p, opt), "hasCalls", p->has_calls, "reverse",
                     opt->reverse, "inverted", opt->inverted, "countname",
                     opt->countname ? jstr(opt->countname) : json_null(), "views", views, "series",
                     series_json(p), "sources", sources, "meta", meta_json(p), "notes",
                     opt->notes ? jstr(opt->notes) : json_null());
}

/* ---- writing the page ---- */

/* JSON text safe inside <script>: '<' '>' '&' only occur in strings there,
 * where \u escapes mean the same; U+2028/2029 are escaped for old parsers. */
static int put_script_safe(const char *buf, size_t size, void *data)
{
    FILE *f = data;
    size_t run = 0; /* bytes before i that need no escape, not yet written */
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)buf[i];
        bool sep = c == 0xE2 && i + 2 < size && (unsigned char)buf[i + 1] == 0x80 &&
                   ((unsigned char)buf[i + 2] == 0xA8 || (unsigned char)buf[i + 2] == 0xA9);
        if (c != '<' && c != '>' && c != '&' && !sep) {
            run++;
            continue;
        }
        fwrite(buf + i - run, 1, run, f);
        run = 0;
        if (sep) {
            fprintf(f, "\\u%04x", (unsigned char)buf[i + 2] == 0xA8 ? 0x2028 : 0x2029);
            i += 2;
        } else
            fprintf(f, "\\u%04x", c);
    }
    fwrite(buf + size - run, 1, run, f);
    return 0;
}

static void put_title(FILE *f, json_t *report)
{
    const char *title = json_string_value(json_object_get(report, "title"));
    if (title) {
        pk_put_xml(f, title);
        return;
    }
    fputs("Profile report", f);
}

static int put_marker(FILE *f, const char *name, size_t len, json_t *report)
{
    if (len == 5 && memcmp(name, "TITLE", 5) == 0)
        put_title(f, report);
    else if (len == 3 && memcmp(name, "CSS", 3) == 0)
        fwrite(html_css, 1, html_css_len, f);
    else if (len == 2 && memcmp(name, "JS", 2) == 0)
        fwrite(html_js, 1, html_js_len, f);
    else if (len == 6 && memcmp(name, "TIMEJS", 6) == 0)
        fwrite(html_time_js, 1, html_time_js_len, f);
    else if (len == 6 && memcmp(name, "HEAPJS", 6) == 0)
        fwrite(html_heap_js, 1, html_heap_js_len, f);
    else if (len == 7 && memcmp(name, "CALLSJS", 7) == 0)
        fwrite(html_calls_js, 1, html_calls_js_len, f);
    else if (len == 4 && memcmp(name, "DATA", 4) == 0) {
        /* U+2028 split across two callback chunks is impossible: jansson
         * hands over whole escaped strings; the compact form keeps it small. */
        if (json_dump_callback(report, put_script_safe, f,
                               JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6)) != 0)
            return -1;
    } else
        return 1;
    return 0;
}

static int html_write(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err)
{
    json_t *report = report_json(p, opt, err);
    if (!report) return -1;
    const char *t = html_template, *end = html_template + html_template_len;
    int rc = 0;
    while (t < end && rc == 0) {
        const char *at = memchr(t, '@', (size_t)(end - t));
        const char *close = at ? memchr(at + 1, '@', (size_t)(end - at - 1)) : NULL;
        if (!close) {
            fwrite(t, 1, (size_t)(end - t), f);
            break;
        }
        fwrite(t, 1, (size_t)(at - t), f);
        int r = put_marker(f, at + 1, (size_t)(close - at - 1), report);
        if (r < 0) rc = -1;
        if (r > 0) { /* not a marker: the '@' is text */
            fputc('@', f);
            t = at + 1;
        } else
            t = close + 1;
    }
    json_decref(report);
    if (rc < 0) pk_error_set(err, "cannot write the report's data");
    return rc;
}

const pk_format pk_format_html = {
    .name = "html",
    .patterns = "*.html *.htm",
    .description = "self-contained interactive HTML report",
    .write = html_write,
};
