/* speedscope's JSON file format (https://www.speedscope.app/file-format-schema.json):
 * shared frames, then profiles that are either sampled (stacks of frame
 * indexes with weights) or evented (open/close frame events at times).
 * Reading keeps each profile as a thread root frame (merged unless asked to
 * keep them); writing emits one sampled profile of one metric from the tree.
 */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/escape.h"
#include "../lib/timeline.h"
#include "format.h"
#include "json_path.h"
#include "../lib/hmap.h"
#include "stacks.h"

#define SCHEMA "https://www.speedscope.app/file-format-schema.json"

typedef struct {
    pk_input *in;
    pk_profile *p;
    json_t *root;
    pk_json_where where; /* where the reader is, for errors */
    pk_id *frame_func;
    int32_t *frame_line;
    size_t nframes;
    double scale; /* unit -> model unit */
    const char *unit;
    sk_stack prev, cur;
} reader;

/* ---- where an error is ------------------------------------------------- */

static void at(reader *r, int level, const char *key, size_t index)
{
    pk_json_at(&r->where, level, key, index);
}

/* Fail at the current path (the document is freed). */
#define fail(r, ...) pk_json_fail((r)->in, &(r)->where, __VA_ARGS__)

static const struct {
    const char *unit, *metric, *munit;
    double scale;
} units[] = {
    {"nanoseconds", "time", "ns", 1},    {"microseconds", "time", "ns", 1e3},
    {"milliseconds", "time", "ns", 1e6}, {"seconds", "time", "ns", 1e9},
    {"bytes", "bytes", "bytes", 1},      {"none", "samples", "samples", 1},
};

static void set_unit(reader *r, json_t *prof)
{
    const char *unit = json_string_value(json_object_get(prof, "unit"));
    if (!unit) unit = "none";
    at(r, 2, "unit", 0);
    if (r->unit) {
        if (strcmp(unit, r->unit) != 0) fail(r, "'%s' after profiles in '%s'", unit, r->unit);
        return;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strcmp(unit, units[i].unit) == 0) {
            r->unit = units[i].unit;
            r->scale = units[i].scale;
            pk_add_metric(r->p, units[i].metric, units[i].munit);
            return;
        }
    fail(r, "unknown unit '%s'", unit);
}

static int64_t value(reader *r, json_t *v)
{
    if (!json_is_number(v)) fail(r, "weight or time is not a number");
    double d = json_number_value(v) * r->scale;
    if (!(fabs(d) < 4e18)) fail(r, "weight or time out of range");
    return (int64_t)llround(d);
}

static void read_frames(reader *r)
{
    json_t *frames = json_object_get(json_object_get(r->root, "shared"), "frames");
    at(r, 0, "shared", 0);
    at(r, 1, "frames", 0);
    if (!json_is_array(frames)) fail(r, "no frames array");
    r->nframes = json_array_size(frames);
    r->frame_func = pk_alloc(r->p, (r->nframes + 1) * sizeof(pk_id));
    r->frame_line = pk_alloc(r->p, (r->nframes + 1) * sizeof(int32_t));
    for (size_t i = 0; i < r->nframes; i++) {
        json_t *f = json_array_get(frames, i);
        const char *name = json_string_value(json_object_get(f, "name"));
        at(r, 2, NULL, i);
        if (!name) fail(r, "frame without a name");
        const char *file = json_string_value(json_object_get(f, "file"));
        json_t *line = json_object_get(f, "line");
        double l = json_is_number(line) ? json_number_value(line) : 0;
        name = pk_intern_cstr(r->p, name);
        file = pk_intern_cstr(r->p, file ? file : "");
        r->frame_func[i] = pk_function_get(r->p, name, file, 0, pk_kind_guess(name, file));
        r->frame_line[i] = l >= 0 && l <= INT32_MAX ? (int32_t)l : 0;
    }
}

/* The frame a sample or event names (the path points at it). */
static size_t frame_at(reader *r, json_t *index)
{
    if (!json_is_integer(index)) fail(r, "frame index is not an integer");
    json_int_t i = json_integer_value(index);
    if (i < 0 || (size_t)i >= r->nframes)
        fail(r, "frame index %" JSON_INTEGER_FORMAT " out of range (%zu frames)", i, r->nframes);
    return (size_t)i;
}

static void push_frame(reader *r, json_t *index)
{
    size_t i = frame_at(r, index);
    sk_stack_push(r->p, &r->cur, r->frame_func[i], r->frame_line[i]);
}

static pk_id commit(reader *r, int64_t v)
{
    int64_t values[PK_MAX_METRICS] = {v};
    return sk_stack_commit(r->p, &r->prev, &r->cur, values);
}

/* Where a profile's time starts (its startValue), in the metric's unit. */
static int64_t start_value(reader *r, json_t *prof)
{
    json_t *start = json_object_get(prof, "startValue");
    at(r, 2, "startValue", 0);
    return json_is_number(start) ? value(r, start) : 0;
}

/* Samples go to the timeline one after the other, each lasting its weight
 * (as speedscope's time order lays them out); without a unit of time, their
 * order is all there is. */
static void read_sampled(reader *r, json_t *prof, pk_id thread, uint32_t tl)
{
    bool timed = pk_timeline_clock(r->p->timeline) == PK_CLOCK_NS;
    int64_t t = timed ? start_value(r, prof) : 0;
    json_t *samples = json_object_get(prof, "samples");
    json_t *weights = json_object_get(prof, "weights");
    at(r, 2, "samples", 0);
    if (!json_is_array(samples)) fail(r, "sampled profile without samples");
    at(r, 2, "weights", 0);
    if (weights &&
        (!json_is_array(weights) || json_array_size(weights) != json_array_size(samples)))
        fail(r, "%zu weights for %zu samples", json_array_size(weights), json_array_size(samples));
    for (size_t i = 0; i < json_array_size(samples); i++) {
        json_t *stack = json_array_get(samples, i);
        at(r, 2, "samples", 0);
        at(r, 3, NULL, i);
        if (!json_is_array(stack)) fail(r, "sample is not an array");
        sk_stack_push(r->p, &r->cur, thread, 0);
        for (size_t j = 0; j < json_array_size(stack); j++) {
            at(r, 4, NULL, j);
            push_frame(r, json_array_get(stack, j));
        }
        int64_t weight = (int64_t)r->scale;
        if (weights) {
            at(r, 2, "weights", 0);
            at(r, 3, NULL, i);
            weight = value(r, json_array_get(weights, i));
        }
        pk_sample smp = {.node = commit(r, weight), .thread = tl, .t_ns = t, .v = {weight}};
        pk_sample_add(r->p, &smp);
        t += timed ? weight : 1;
    }
}

/* A frame open in an evented profile: its tree node is made when a span of
 * it (or of a frame it holds) lasts. */
typedef struct {
    pk_id func, node;
    int32_t line;
    int64_t start;
} open_frame;

/* The node of open frame k, with its parents'. */
static pk_id open_node(reader *r, open_frame *fr, size_t k, pk_id root)
{
    if (fr[k].node == PK_NONE)
        fr[k].node =
            pk_tree_child(r->p, k ? open_node(r, fr, k - 1, root) : root, fr[k].func, fr[k].line);
    return fr[k].node;
}

/* Time between consecutive events goes to the stack open in between; each
 * frame's open-to-close is a span of the timeline. */
static void read_evented(reader *r, json_t *prof, pk_id thread, uint32_t tl)
{
    open_frame *fr = NULL;
    size_t nfr = 0, capfr = 0;
    pk_id root = PK_NONE;
    json_t *events = json_object_get(prof, "events");
    at(r, 2, "events", 0);
    if (!json_is_array(events)) fail(r, "evented profile without events");
    sk_stack open = {0};
    sk_stack_push(r->p, &open, thread, 0);
    int64_t last = 0;
    for (size_t i = 0; i < json_array_size(events); i++) {
        json_t *ev = json_array_get(events, i);
        const char *type = json_string_value(json_object_get(ev, "type"));
        at(r, 3, NULL, i);
        at(r, 4, "at", 0);
        int64_t time = value(r, json_object_get(ev, "at"));
        if (i > 0 && time < last) fail(r, "event before the one preceding it");
        at(r, 4, "type", 0);
        if (!type) fail(r, "event without a type");
        if (i > 0 && time > last && open.depth > 1) {
            for (size_t k = 0; k < open.depth; k++)
                sk_stack_push(r->p, &r->cur, open.funcs[k], open.lines[k]);
            commit(r, time - last);
        }
        last = time;
        json_t *frame = json_object_get(ev, "frame");
        if (strcmp(type, "O") == 0) {
            at(r, 4, "frame", 0);
            push_frame(r, frame);
            sk_stack_push(r->p, &open, r->cur.funcs[0], r->cur.lines[0]);
            SK_GROW(r->p, fr, capfr, nfr + 1);
            fr[nfr++] = (open_frame){r->cur.funcs[0], PK_NONE, r->cur.lines[0], time};
            r->cur.depth = 0;
        } else if (strcmp(type, "C") == 0) {
            at(r, 4, "frame", 0);
            size_t closed = frame_at(r, frame);
            if (open.depth < 2 || open.funcs[open.depth - 1] != r->frame_func[closed])
                fail(r, "close event does not match the open frame");
            open.depth--;
            nfr--;
            if (time > fr[nfr].start) {
                if (root == PK_NONE) root = pk_tree_child(r->p, 0, thread, 0);
                pk_id node = open_node(r, fr, nfr, root);
                pk_span_add(r->p, &(pk_span){.node = node,
                                             .thread = tl,
                                             .start_ns = fr[nfr].start,
                                             .end_ns = time});
            }
        } else {
            fail(r, "unknown event type '%s'", type);
        }
    }
    at(r, 2, "events", 0);
    if (open.depth > 1) fail(r, "%zu frames left open at the end", open.depth - 1);
}

static void set_duration(pk_profile *p)
{
    int64_t first, last;
    if (pk_timeline_clock(p->timeline) != PK_CLOCK_NS || !pk_timeline_range(p, &first, &last))
        return;
    char num[48];
    snprintf(num, sizeof num, "%.9f", (double)(last - first) / 1e9);
    pk_meta_set(p, "duration_s", pk_intern_cstr(p, num));
}

static void speedscope_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    reader r = {.in = in, .p = p};
    /* A NUL inside a name is kept up to it (pk_intern), not refused. */
    r.root = pk_json_load(in, JSON_ALLOW_NUL, &r.where);
    const char *schema = json_string_value(json_object_get(r.root, "$schema"));
    at(&r, 0, "$schema", 0);
    if (!schema || !strstr(schema, "speedscope")) fail(&r, "not a speedscope file");
    json_t *profiles = json_object_get(r.root, "profiles");
    at(&r, 0, "profiles", 0);
    if (!json_is_array(profiles) || json_array_size(profiles) == 0) fail(&r, "no profiles");
    read_frames(&r);
    for (size_t i = 0; i < json_array_size(profiles); i++) {
        json_t *prof = json_array_get(profiles, i);
        const char *type = json_string_value(json_object_get(prof, "type"));
        const char *name = json_string_value(json_object_get(prof, "name"));
        at(&r, 0, "profiles", 0);
        at(&r, 1, NULL, i);
        at(&r, 2, "type", 0);
        if (!type) fail(&r, "profile without a type");
        set_unit(&r, prof);
        char tname[48];
        if (!name) {
            snprintf(tname, sizeof(tname), "profile %zu", i);
            name = tname;
        }
        pk_id thread = pk_function_get(p, pk_intern_cstr(p, name), "", 0, PK_KIND_THREAD);
        pk_timeline_get(p, strcmp(p->metrics[0].unit, "ns") == 0 ? PK_CLOCK_NS : PK_CLOCK_ORDER);
        uint32_t tl = pk_thread_get(p, 0, i, name);
        if (strcmp(type, "sampled") == 0)
            read_sampled(&r, prof, thread, tl);
        else if (strcmp(type, "evented") == 0)
            read_evented(&r, prof, thread, tl);
        else
            fail(&r, "unknown profile type '%s'", type);
    }
    const char *name = json_string_value(json_object_get(r.root, "name"));
    if (name) pk_meta_set(p, "speedscope.name", name);
    const char *exporter = json_string_value(json_object_get(r.root, "exporter"));
    if (exporter) pk_meta_set(p, "speedscope.exporter", exporter);
    set_duration(p);
    pk_json_done(in, r.root);
    p->has_tree = true;
    if (!opt || !opt->threads) pk_merge_threads(p);
    pk_derive_lines(p);
    pk_derive_graph(p);
}

/* ---- writer ------------------------------------------------------------ */

typedef struct {
    pk_profile *p;
    FILE *f;
    int metric;
    sk_map frames;   /* (func, line) -> frame index */
    pk_id *frame_of; /* per node */
    size_t nframes;
    json_t *frame_list;
} writer;

/* Names are untrusted bytes: invalid UTF-8 becomes U+FFFD. */
static json_t *utf8_string(const char *s)
{
    char *scratch;
    json_t *v = json_string(pk_utf8_valid(s ? s : "", &scratch));
    free(scratch);
    return v;
}

static uint32_t frame_index(writer *w, const pk_node *n)
{
    const pk_function *fn = &w->p->funcs[n->func];
    /* One frame per function (its first line): the sandwich view lists a
     * function once. At --granularity line the function is the line. */
    int32_t line = fn->line > 0 ? fn->line : 0;
    uint32_t key[2] = {n->func, (uint32_t)line};
    uint64_t h = pk_hash_bytes(key, sizeof(key));
    uint32_t i = sk_map_find(&w->frames, key, sizeof(key), h);
    if (i != SK_NONE) return i;
    json_t *fr = json_object();
    json_object_set_new(fr, "name", utf8_string(fn->name));
    if (fn->file && *fn->file) json_object_set_new(fr, "file", utf8_string(fn->file));
    if (line > 0) json_object_set_new(fr, "line", json_integer(line));
    json_array_append_new(w->frame_list, fr);
    i = (uint32_t)w->nframes++;
    sk_map_put(&w->frames, key, sizeof(key), h, i);
    return i;
}

static const char *speedscope_unit(const char *unit)
{
    if (strcmp(unit, "ns") == 0) return "nanoseconds";
    if (strcmp(unit, "bytes") == 0) return "bytes";
    return "none";
}

/* One sample per node with a value of its own: the path from the root. */
static int64_t write_samples(writer *w, pk_id *path)
{
    pk_profile *p = w->p;
    int64_t total = 0;
    bool first = true;
    fputs("\"samples\":[", w->f);
    for (size_t n = 0; n < p->nnodes; n++) {
        if (p->nodes[n].self[w->metric] == 0) continue;
        size_t depth = 0;
        for (pk_id q = (pk_id)n; q != 0 && q != PK_NONE; q = p->nodes[q].parent)
            path[depth++] = q;
        fputs(first ? "[" : ",[", w->f);
        for (size_t k = depth; k-- > 0;)
            fprintf(w->f, k + 1 < depth ? ",%" PRIu32 : "%" PRIu32, w->frame_of[path[k]]);
        fputc(']', w->f);
        first = false;
        total += p->nodes[n].self[w->metric];
    }
    fputs("],\"weights\":[", w->f);
    first = true;
    for (size_t n = 0; n < p->nnodes; n++) {
        int64_t v = p->nodes[n].self[w->metric];
        if (v != 0) {
            fprintf(w->f, first ? "%" PRId64 : ",%" PRId64, v);
            first = false;
        }
    }
    fputc(']', w->f);
    return total;
}

/* ---- chronology: the timeline's samples and spans, thread by thread ---- */

static void write_stack(writer *w, pk_id node, pk_id *path)
{
    const pk_profile *p = w->p;
    size_t depth = 0;
    for (pk_id q = node; q != 0 && q != PK_NONE; q = p->nodes[q].parent)
        path[depth++] = q;
    fputc('[', w->f);
    for (size_t k = depth; k-- > 0;)
        fprintf(w->f, k + 1 < depth ? ",%" PRIu32 : "%" PRIu32, w->frame_of[path[k]]);
    fputc(']', w->f);
}

static void write_thread_name(writer *w, uint32_t t)
{
    const pk_thread *th = pk_thread_at(w->p, t);
    json_t *name = th && *th->name ? utf8_string(th->name)
                                   : json_sprintf("thread %" PRIu64, th ? th->tid : (uint64_t)t);
    char *text = json_dumps(name, JSON_ENCODE_ANY);
    fprintf(w->f, "\"name\":%s,", text);
    free(text);
    json_decref(name);
}

/* Samples of one thread, in the order they were taken. */
typedef struct {
    pk_id node;
    int64_t weight, t_ns;
} tl_sample;

/* One sampled profile per thread, one sample per sample of the timeline,
 * in order, each weighing its value. */
static void write_sampled(writer *w, const char *unit, pk_id *path, int64_t first)
{
    pk_profile *p = w->p;
    size_t nt = pk_nthreads(p), n = pk_nsamples(p);
    size_t *start = pk_xcalloc(nt + 2, sizeof *start);
    tl_sample *all = pk_xmalloc((n + 1) * sizeof *all);
    pk_sample_iter it;
    pk_sample s;
    for (pk_samples_begin(p, &it); pk_samples_next(&it, &s);)
        start[(s.thread < nt ? s.thread : nt) + 1]++;
    for (size_t t = 0; t <= nt; t++)
        start[t + 1] += start[t];
    size_t *fill = pk_xmalloc((nt + 1) * sizeof *fill);
    memcpy(fill, start, (nt + 1) * sizeof *fill);
    for (pk_samples_begin(p, &it); pk_samples_next(&it, &s);)
        all[fill[s.thread < nt ? s.thread : nt]++] = (tl_sample){s.node, s.v[w->metric], s.t_ns};
    free(fill);
    bool timed = pk_timeline_clock(p->timeline) == PK_CLOCK_NS && strcmp(unit, "nanoseconds") == 0;
    bool comma = false;
    for (size_t t = 0; t <= nt; t++) {
        if (start[t] == start[t + 1]) continue;
        fputs(comma ? ",{\"type\":\"sampled\"," : "{\"type\":\"sampled\",", w->f);
        comma = true;
        write_thread_name(w, (uint32_t)t);
        int64_t begin = timed ? all[start[t]].t_ns - first : 0, end = begin;
        fprintf(w->f, "\"unit\":\"%s\",\"startValue\":%" PRId64 ",\"samples\":[", unit, begin);
        for (size_t i = start[t]; i < start[t + 1]; i++) {
            if (i > start[t]) fputc(',', w->f);
            write_stack(w, all[i].node, path);
        }
        fputs("],\"weights\":[", w->f);
        for (size_t i = start[t]; i < start[t + 1]; i++) {
            fprintf(w->f, i > start[t] ? ",%" PRId64 : "%" PRId64, all[i].weight);
            end += all[i].weight;
        }
        fprintf(w->f, "],\"endValue\":%" PRId64 "}", end);
    }
    free(all);
    free(start);
}

static int cmp_span(const void *a, const void *b)
{
    const pk_span *x = a, *y = b;
    if (x->thread != y->thread) return x->thread < y->thread ? -1 : 1;
    if (x->start_ns != y->start_ns) return x->start_ns < y->start_ns ? -1 : 1;
    return (x->end_ns < y->end_ns) - (x->end_ns > y->end_ns); /* the outer one first */
}

static void close_until(writer *w, pk_span *open, size_t *depth, int64_t at, int64_t first)
{
    while (*depth && open[*depth - 1].end_ns <= at) {
        pk_span *o = &open[--*depth];
        fprintf(w->f, ",{\"type\":\"C\",\"frame\":%" PRIu32 ",\"at\":%" PRId64 "}",
                w->frame_of[o->node], o->end_ns - first);
    }
}

/* One evented profile per thread: each span opens and closes its frame. */
static void write_evented(writer *w, int64_t first, int64_t last)
{
    pk_profile *p = w->p;
    size_t n = pk_nspans(p);
    pk_span *all = pk_xmalloc((n + 1) * sizeof *all), *open = pk_xmalloc((n + 1) * sizeof *open);
    pk_span_iter it;
    size_t k = 0;
    for (pk_spans_begin(p, &it); pk_spans_next(&it, &all[k]);)
        if (all[k].node != 0 && all[k].node < p->nnodes) k++;
    pk_sort(all, k, sizeof *all, cmp_span);
    for (size_t i = 0; i < k;) {
        uint32_t t = all[i].thread;
        fputs(i ? ",{\"type\":\"evented\"," : "{\"type\":\"evented\",", w->f);
        write_thread_name(w, t);
        fprintf(w->f,
                "\"unit\":\"nanoseconds\",\"startValue\":0,\"endValue\":%" PRId64
                ",\"events\":[{\"type\":\"O\",\"frame\":%" PRIu32 ",\"at\":%" PRId64 "}",
                last - first, w->frame_of[all[i].node], all[i].start_ns - first);
        size_t depth = 0;
        open[depth++] = all[i++];
        for (; i < k && all[i].thread == t; i++) {
            close_until(w, open, &depth, all[i].start_ns, first);
            /* a span reaching past the one it starts in ends with it */
            if (depth && all[i].end_ns > open[depth - 1].end_ns)
                all[i].end_ns = open[depth - 1].end_ns;
            fprintf(w->f, ",{\"type\":\"O\",\"frame\":%" PRIu32 ",\"at\":%" PRId64 "}",
                    w->frame_of[all[i].node], all[i].start_ns - first);
            open[depth++] = all[i];
        }
        close_until(w, open, &depth, INT64_MAX, first);
        fputs("]}", w->f);
    }
    free(all);
    free(open);
}

/* Whether the profiles written are the timeline's (true) or the tree's. */
static bool write_chronology(writer *w, const char *unit, pk_id *path)
{
    pk_profile *p = w->p;
    int64_t first = 0, last = 0;
    pk_timeline_range(p, &first, &last);
    if (pk_nsamples(p)) {
        write_sampled(w, unit, path, first);
        return true;
    }
    if (pk_nspans(p) && w->metric == 0 && strcmp(unit, "nanoseconds") == 0) {
        write_evented(w, first, last);
        return true;
    }
    return false;
}

static int speedscope_write(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err)
{
    pk_ensure_tree(p);
    if (!p->has_tree || p->nmetrics == 0) {
        pk_error_set(err, "speedscope: the profile has no stacks");
        return -1;
    }
    writer w = {.p = p, .f = f, .metric = opt && opt->metric >= 0 ? opt->metric : 0};
    if (w.metric >= p->nmetrics) {
        pk_error_set(err, "speedscope: no metric %d", w.metric);
        return -1;
    }
    sk_map_init(&w.frames, p);
    w.frame_list = json_array();
    w.frame_of = pk_alloc(p, p->nnodes * sizeof(pk_id));
    for (size_t i = 1; i < p->nnodes; i++)
        w.frame_of[i] = frame_index(&w, &p->nodes[i]);
    const pk_metric *m = &p->metrics[w.metric];
    json_t *head = json_pack("{s:s,s:s,s:i}", "$schema", SCHEMA, "exporter", "profkit",
                             "activeProfileIndex", 0);
    json_t *shared = json_pack("{s:o}", "frames", w.frame_list);
    char *head_text = json_dumps(head, JSON_COMPACT);
    char *shared_text = json_dumps(shared, JSON_COMPACT);
    /* stacks estimated from a call graph (pstats) say so where speedscope shows it */
    json_t *metric_name = utf8_string(m->name);
    json_t *name = p->estimated ? json_sprintf("%s (estimated from the call graph)",
                                               json_string_value(metric_name))
                                : json_incref(metric_name);
    json_decref(metric_name);
    char *name_text = json_dumps(name, JSON_ENCODE_ANY);
    json_decref(name);
    /* head without its closing brace, then the parts written as they go */
    fprintf(f, "%.*s,\"shared\":%s,\"profiles\":[", (int)strlen(head_text) - 1, head_text,
            shared_text);
    pk_id *path = pk_alloc(p, (p->nnodes + 1) * sizeof(pk_id));
    if (write_chronology(&w, speedscope_unit(m->unit), path)) {
        fputs("]}\n", f);
    } else {
        fprintf(f, "{\"type\":\"sampled\",\"name\":%s,", name_text);
        fprintf(f, "\"unit\":\"%s\",\"startValue\":0,", speedscope_unit(m->unit));
        int64_t total = write_samples(&w, path);
        fprintf(f, ",\"endValue\":%" PRId64 "}]}\n", total);
    }
    free(head_text);
    free(shared_text);
    free(name_text);
    json_decref(head);
    json_decref(shared);
    return 0;
}

static int speedscope_probe(const uint8_t *head, size_t len)
{
    size_t i = 0;
    while (i < len && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t'))
        i++;
    if (i == len || head[i] != '{') return 0;
    const char *s = memmem(head, len, "\"$schema\"", 9);
    return s && memmem(s, len - (size_t)((const uint8_t *)s - head), "speedscope", 10) ? 100 : 0;
}

const pk_format pk_format_speedscope = {
    .name = "speedscope",
    .patterns = "*.speedscope.json *.speedscope",
    .description = "speedscope JSON (sampled and evented profiles)",
    .probe = speedscope_probe,
    .read = speedscope_read,
    .write = speedscope_write,
};
