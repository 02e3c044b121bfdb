/* Tachyon JSON lines: what Python 3.15's sampler writes with --jsonl. One
 * JSON object a line, by "type": meta (interval, mode), string_table
 * ({str_id, value}), frame_table ({frame_id, path_str_id, func_str_id, line,
 * end_line, col, end_col}), agg (per frame: self and cumulative samples),
 * end (samples_total). No stacks and no threads: it reads as a call graph
 * without edges, functions' own samples exact, and per-line values.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/hmap.h"
#include "format.h"

typedef struct {
    pk_input *in;
    pk_profile *p;
    uint64_t line_off; /* the line being read, for messages */
    json_t *doc;       /* that line's object */
    const char **strings;
    size_t nstrings, capstrings;
    pk_id *frame_func;
    int32_t *frame_line;
    bool *frame_set;
    size_t nframes, capframes;
    int m_time, m_samples;
    int64_t interval_us;
    int64_t total, sum_self;
    bool have_meta, have_end;
    uint64_t records;
} jreader;

static void free_doc(void *ctx)
{
    jreader *r = ctx;
    json_decref(r->doc);
    free(r->strings);
    free(r->frame_func);
    free(r->frame_line);
    free(r->frame_set);
}

static int64_t int_field(jreader *r, json_t *o, const char *key, int64_t lo, int64_t hi)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v)) pk_fail(r->in, r->line_off, "'%s' is not an integer", key);
    json_int_t x = json_integer_value(v);
    if (x < lo || x > hi)
        pk_fail(r->in, r->line_off, "'%s' %" JSON_INTEGER_FORMAT " out of range", key, x);
    return x;
}

static json_t *array_field(jreader *r, json_t *o, const char *key)
{
    json_t *a = json_object_get(o, key);
    if (!json_is_array(a)) pk_fail(r->in, r->line_off, "no '%s' array", key);
    return a;
}

static void grow_index(jreader *r, size_t id)
{
    if (id < r->capframes) return;
    size_t cap = r->capframes ? r->capframes : 256;
    while (cap <= id)
        cap *= 2;
    r->frame_func = pk_xrealloc(r->frame_func, cap * sizeof *r->frame_func);
    r->frame_line = pk_xrealloc(r->frame_line, cap * sizeof *r->frame_line);
    r->frame_set = pk_xrealloc(r->frame_set, cap * sizeof *r->frame_set);
    memset(r->frame_set + r->capframes, 0, (cap - r->capframes) * sizeof *r->frame_set);
    r->capframes = cap;
}

static void read_strings(jreader *r, json_t *o)
{
    json_t *a = array_field(r, o, "strings");
    size_t i;
    json_t *s;
    json_array_foreach(a, i, s)
    {
        size_t id = (size_t)int_field(r, s, "str_id", 0, (int64_t)json_array_size(a) * 4 + 1024);
        json_t *v = json_object_get(s, "value");
        if (!json_is_string(v)) pk_fail(r->in, r->line_off, "string %zu has no value", id);
        if (id >= r->capstrings) {
            size_t cap = r->capstrings ? r->capstrings : 256;
            while (cap <= id)
                cap *= 2;
            r->strings = pk_xrealloc(r->strings, cap * sizeof *r->strings);
            memset(r->strings + r->capstrings, 0, (cap - r->capstrings) * sizeof *r->strings);
            r->capstrings = cap;
        }
        r->strings[id] = pk_intern(r->p, json_string_value(v), json_string_length(v));
        if (id >= r->nstrings) r->nstrings = id + 1;
    }
}

static const char *string_of(jreader *r, int64_t id)
{
    if ((size_t)id >= r->nstrings || !r->strings[id])
        pk_fail(r->in, r->line_off, "string %" PRId64 " is not in the string table", id);
    return r->strings[id];
}

static void read_frames(jreader *r, json_t *o)
{
    json_t *a = array_field(r, o, "frames");
    size_t i;
    json_t *f;
    json_array_foreach(a, i, f)
    {
        size_t id = (size_t)int_field(r, f, "frame_id", 0, (int64_t)json_array_size(a) * 4 + 1024);
        const char *file = string_of(r, int_field(r, f, "path_str_id", 0, INT32_MAX));
        const char *name = string_of(r, int_field(r, f, "func_str_id", 0, INT32_MAX));
        json_t *lv = json_object_get(f, "line");
        int64_t line = json_is_integer(lv) ? json_integer_value(lv) : 0;
        grow_index(r, id);
        pk_kind kind = strcmp(file, "~") == 0 && strcmp(name, "<GC>") == 0 ? PK_KIND_GC
                       : strcmp(file, "~") == 0 && strcmp(name, "<native>") == 0
                           ? PK_KIND_NATIVE
                           : pk_kind_guess(name, file);
        r->frame_func[id] = pk_function_get_interned(r->p, name, file, 0, kind);
        r->frame_line[id] = line > 0 && line <= INT32_MAX ? (int32_t)line : 0;
        r->frame_set[id] = true;
        if (id >= r->nframes) r->nframes = id + 1;
    }
}

static void read_agg(jreader *r, json_t *o)
{
    pk_profile *p = r->p;
    json_t *a = array_field(r, o, "entries");
    int64_t ns = r->interval_us * 1000;
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        size_t id = (size_t)int_field(r, e, "frame_id", 0, INT32_MAX);
        if (id >= r->nframes || !r->frame_set[id])
            pk_fail(r->in, r->line_off, "frame %zu is not in the frame table", id);
        int64_t self = int_field(r, e, "self", 0, INT64_MAX / 4 / (ns ? ns : 1));
        int64_t cum = int_field(r, e, "cumulative", 0, INT64_MAX / 4 / (ns ? ns : 1));
        pk_function *f = &p->funcs[r->frame_func[id]];
        f->self[r->m_samples] += self;
        f->self[r->m_time] += self * ns;
        f->incl[r->m_samples] += cum;
        f->incl[r->m_time] += cum * ns;
        pk_line *l = pk_line_get(p, r->frame_func[id], r->frame_line[id]);
        l->v[r->m_samples] += cum;
        l->v[r->m_time] += cum * ns;
        r->sum_self += self;
    }
}

static void meta_set_num(pk_profile *p, const char *key, int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, v);
    pk_meta_set(p, key, pk_intern_cstr(p, num));
}

static void read_record(jreader *r, const char *line, size_t len)
{
    json_error_t err;
    r->doc = json_loadb(line, len, 0, &err);
    if (!r->doc) pk_fail(r->in, r->line_off + (uint64_t)err.position, "%s", err.text);
    const char *type = json_string_value(json_object_get(r->doc, "type"));
    if (!type) pk_fail(r->in, r->line_off, "a line without a \"type\"");
    if (strcmp(type, "meta") == 0) {
        json_t *iv = json_object_get(r->doc, "sample_interval_usec");
        r->interval_us =
            json_is_integer(iv) && json_integer_value(iv) > 0 && json_integer_value(iv) < 1000000000
                ? json_integer_value(iv)
                : 0;
        const char *mode = json_string_value(json_object_get(r->doc, "mode"));
        if (mode) pk_meta_set(r->p, "tachyon.mode", pk_intern_cstr(r->p, mode));
        r->have_meta = true;
    } else if (!r->have_meta) {
        pk_fail(r->in, r->line_off, "a '%s' line before the meta line", type);
    } else if (strcmp(type, "string_table") == 0) {
        read_strings(r, r->doc);
    } else if (strcmp(type, "frame_table") == 0) {
        read_frames(r, r->doc);
    } else if (strcmp(type, "agg") == 0) {
        read_agg(r, r->doc);
    } else if (strcmp(type, "end") == 0) {
        r->total = int_field(r, r->doc, "samples_total", 0, INT64_MAX);
        r->have_end = true;
    }
    r->records++;
    json_decref(r->doc);
    r->doc = NULL;
}

static void jsonl_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    (void)opt;
    jreader r = {.in = in, .p = p};
    pk_input_on_fail(in, free_doc, &r);
    size_t len;
    const char *text = (const char *)pk_input_all(in, &len);
    r.m_time = pk_add_metric(p, "time", "ns");
    r.m_samples = pk_add_metric(p, "samples", "samples");
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - text) : len;
        r.line_off = at;
        size_t s = at;
        while (s < end && (text[s] == ' ' || text[s] == '\r' || text[s] == '\t'))
            s++;
        if (s < end) read_record(&r, text + at, end - at);
        at = end + 1;
    }
    if (!r.have_meta) pk_fail(in, 0, "no meta line");
    if (r.have_end && r.total != r.sum_self)
        pk_warn(in, "the end line counts %" PRId64 " samples, the frames' own samples %" PRId64,
                r.total, r.sum_self);
    meta_set_num(p, "sampling.interval_us", r.interval_us);
    meta_set_num(p, "sampling.samples", r.have_end ? r.total : r.sum_self);
    pk_input_on_fail(in, NULL, NULL);
    free_doc(&r);
    p->has_graph = true;
}

/* The first line is Tachyon's meta record. */
static int jsonl_probe(const uint8_t *head, size_t len)
{
    const char *nl = memchr(head, '\n', len);
    size_t n = nl ? (size_t)(nl - (const char *)head) : len;
    if (n < 10 || head[0] != '{') return 0;
    bool meta =
        memmem(head, n, "\"type\":\"meta\"", 13) || memmem(head, n, "\"type\": \"meta\"", 14);
    bool tachyon =
        memmem(head, n, "\"sample_interval_usec\"", 22) || memmem(head, n, "\"run_id\"", 8);
    return meta && tachyon ? 90 : 0;
}

const pk_format pk_format_tachyon_jsonl = {
    .name = "tachyon-jsonl",
    .patterns = "*.jsonl",
    .description = "Python 3.15's sampler (Tachyon) JSON lines: per-frame sample counts",
    .probe = jsonl_probe,
    .read = jsonl_read,
    .write = NULL,
};
