/* pyinstrument (5.x): its session files (`-o X.pyisession`, `-r pyisession`)
 * and its JSON renderer's output (`-r json`).
 *
 * A session is every sample as a root-first stack of frame infos with the
 * time since the previous sample. A frame info is
 * `function NUL file NUL firstline` followed by attributes, each SOH, a
 * marker and a value (`cClass`, `l<line running>`, `h1`); the first frame
 * of every stack is the thread, `name NUL <thread> NUL ident`; C functions
 * have the file `<built-in>`; identifiers without NUL are pyinstrument's own
 * marks (`[await]`, `[out-of-context]`) and are kept as functions of that
 * name. Samples go to the tree, their times to the timeline; thread frames
 * stay only with --threads.
 *
 * The JSON renderer writes pyinstrument's processed call tree: each frame
 * with its inclusive time in seconds (6 decimals). A frame's self time is
 * its time less its children's; `[self]` frames are their parent's self time.
 */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/limits.h"
#include "../lib/timeline.h"
#include "format.h"
#include "json_path.h"

typedef struct {
    pk_input *in;
    pk_profile *p;
    json_t *root;
    pk_json_where where; /* where the reader is, for errors */
    pk_id *funcs;        /* one stack */
    int32_t *lines;
    size_t cap;
    int64_t clamped; /* renderer frames whose children exceed them (rounding) */
} reader;

static void at(reader *r, int level, const char *key, size_t index)
{
    pk_json_at(&r->where, level, key, index);
}

/* Fail at the current path. */
#define fail(r, ...) pk_json_fail((r)->in, &(r)->where, __VA_ARGS__)

/* Seconds to whole nanoseconds, or a failure. */
static int64_t seconds(reader *r, json_t *v)
{
    if (!json_is_number(v)) fail(r, "time is not a number");
    double ns = json_number_value(v) * 1e9;
    if (!(fabs(ns) < 9e18)) fail(r, "time out of range");
    return llround(ns);
}

static bool parse_int(const char *s, size_t len, int64_t max, int64_t *out)
{
    if (len == 0 || len > 19) return false;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v > max) return false;
    *out = v;
    return true;
}

/* ---- sessions ---------------------------------------------------------- */

typedef struct {
    pk_id func;
    int32_t line;    /* running line (the `l` attribute), 0 when absent */
    uint64_t thread; /* for thread frames: the ident */
    bool is_thread;
} frame;

static frame parse_frame(reader *r, const char *s, size_t len)
{
    pk_profile *p = r->p;
    frame f = {0};
    const char *soh = memchr(s, '\x01', len);
    size_t idlen = soh ? (size_t)(soh - s) : len;
    const char *nul1 = memchr(s, '\0', idlen);
    if (!nul1) { /* pyinstrument's own marks: [await], [out-of-context] */
        f.func = pk_function_get(p, pk_intern(p, s, idlen), "", 0, PK_KIND_OTHER);
        return f;
    }
    const char *file = nul1 + 1;
    const char *nul2 = memchr(file, '\0', (size_t)(s + idlen - file));
    if (!nul2) fail(r, "frame is not function NUL file NUL line");
    const char *num = nul2 + 1;
    size_t numlen = (size_t)(s + idlen - num);
    size_t namelen = (size_t)(nul1 - s), filelen = (size_t)(nul2 - file);
    int64_t first;
    if (filelen == 8 && memcmp(file, "<thread>", 8) == 0) {
        if (!parse_int(num, numlen, INT64_MAX, &first)) fail(r, "thread ident is not a number");
        char name[300];
        snprintf(name, sizeof name, "%.*s %.*s", (int)(namelen > 200 ? 200 : namelen), s,
                 (int)numlen, num);
        f.func = pk_function_get(p, pk_intern_cstr(p, name), "", 0, PK_KIND_THREAD);
        f.thread = (uint64_t)first;
        f.is_thread = true;
        return f;
    }
    if (!parse_int(num, numlen, INT32_MAX, &first)) fail(r, "first line is not a line number");
    const char *name = pk_intern(p, s, namelen), *fname = pk_intern(p, file, filelen);
    pk_kind kind = strcmp(fname, "<built-in>") == 0 ? PK_KIND_BUILTIN : pk_kind_guess(name, fname);
    f.func = pk_function_get_interned(p, name, fname, (int32_t)first, kind);
    for (const char *a = soh; a;) { /* attributes: SOH marker value */
        const char *end = memchr(a + 1, '\x01', (size_t)(s + len - a - 1));
        size_t alen = (size_t)((end ? end : s + len) - a - 1);
        int64_t l;
        if (alen > 1 && a[1] == 'l' && parse_int(a + 2, alen - 1, INT32_MAX, &l))
            f.line = (int32_t)l;
        a = end;
    }
    return f;
}

static void grow_stack(reader *r, size_t n)
{
    if (n <= r->cap) return;
    pk_check_stack_depth(n);
    size_t cap = r->cap ? r->cap : 64;
    while (cap < n)
        cap *= 2;
    r->funcs = pk_alloc(r->p, cap * sizeof *r->funcs);
    r->lines = pk_alloc(r->p, cap * sizeof *r->lines);
    r->cap = cap;
}

static void read_records(reader *r, json_t *records)
{
    pk_profile *p = r->p;
    int64_t t = 0;
    for (size_t i = 0; i < json_array_size(records); i++) {
        json_t *rec = json_array_get(records, i);
        at(r, 1, NULL, i);
        if (!json_is_array(rec) || json_array_size(rec) != 2 ||
            !json_is_array(json_array_get(rec, 0)))
            fail(r, "record is not [stack, time]");
        json_t *stack = json_array_get(rec, 0);
        at(r, 2, NULL, 1);
        int64_t ns = seconds(r, json_array_get(rec, 1));
        size_t n = json_array_size(stack), depth = 0;
        grow_stack(r, n);
        uint32_t thread = UINT32_MAX;
        for (size_t k = 0; k < n; k++) {
            json_t *s = json_array_get(stack, k);
            at(r, 2, NULL, 0);
            at(r, 3, NULL, k);
            if (!json_is_string(s)) fail(r, "frame is not a string");
            frame f = parse_frame(r, json_string_value(s), json_string_length(s));
            if (f.is_thread) {
                char name[200];
                const char *fn = p->funcs[f.func].name;
                snprintf(name, sizeof name, "%.*s", (int)strcspn(fn, " "), fn);
                thread = pk_thread_get(p, 0, f.thread, name);
            }
            r->funcs[depth] = f.func;
            r->lines[depth++] = f.line;
        }
        if (thread == UINT32_MAX) thread = pk_thread_get(p, 0, 0, NULL);
        int64_t v[PK_MAX_METRICS] = {ns, 1};
        pk_sample s = {.node = pk_tree_add_stack(p, r->funcs, r->lines, depth, v),
                       .thread = thread,
                       .t_ns = t,
                       .v = {ns, 1}};
        pk_sample_add(p, &s);
        t += ns;
    }
}

static void meta_number(pk_profile *p, const char *key, json_t *v, const char *fmt)
{
    if (!json_is_number(v)) return;
    char buf[48];
    snprintf(buf, sizeof buf, fmt, json_number_value(v));
    pk_meta_set(p, key, buf);
}

static void read_session(reader *r, const pk_read_options *opt)
{
    pk_profile *p = r->p;
    json_t *records = json_object_get(r->root, "frame_records");
    at(r, 0, "frame_records", 0);
    if (!json_is_array(records)) fail(r, "not an array");
    pk_add_metric(p, "time", "ns");
    pk_add_metric(p, "samples", "samples");
    pk_timeline_get(p, PK_CLOCK_NS);
    read_records(r, records);
    meta_number(p, "pyinstrument.min_interval", json_object_get(r->root, "min_interval"), "%.17g");
    meta_number(p, "pyinstrument.max_interval", json_object_get(r->root, "max_interval"), "%.17g");
    p->has_tree = true;
    if (!opt || !opt->threads) pk_merge_threads(p);
    pk_derive_lines(p);
    pk_derive_graph(p);
}

/* ---- the JSON renderer's tree ------------------------------------------ */

/* Adds the frame under parent; returns its time (ns). */
static int64_t read_frame(reader *r, json_t *fr, pk_id parent, size_t depth)
{
    pk_profile *p = r->p;
    pk_check_stack_depth(depth);
    if (!json_is_object(fr)) fail(r, "frame is not an object");
    const char *name = json_string_value(json_object_get(fr, "function"));
    const char *file = json_string_value(json_object_get(fr, "file_path"));
    json_t *line = json_object_get(fr, "line_no");
    json_t *children = json_object_get(fr, "children");
    if (!name || !file || !json_is_integer(line) || !json_is_array(children))
        fail(r, "frame without function, file_path, line_no or children");
    json_int_t first = json_integer_value(line);
    if (first < 0 || first > INT32_MAX) fail(r, "line_no out of range");
    int64_t time = seconds(r, json_object_get(fr, "time"));
    if (parent != 0 && strcmp(name, "[self]") == 0 && !*file) { /* the parent's own time */
        p->nodes[parent].self[0] += time;
        return time;
    }
    pk_kind kind = strcmp(file, "<built-in>") == 0 ? PK_KIND_BUILTIN
                   : name[0] == '[' && !*file      ? PK_KIND_OTHER
                                                   : pk_kind_guess(name, file);
    pk_id f =
        pk_function_get(p, pk_intern_cstr(p, name), pk_intern_cstr(p, file), (int32_t)first, kind);
    pk_id node = pk_tree_child(p, parent, f, 0);
    int64_t inner = 0;
    for (size_t i = 0; i < json_array_size(children); i++) {
        /* the path names only the top: nested frames are found by jansson's
         * own position when they fail to parse, and by depth here */
        inner += read_frame(r, json_array_get(children, i), node, depth + 1);
    }
    int64_t self = time - inner;
    if (self < 0) { /* children's rounded times may add up past the parent's */
        r->clamped++;
        self = 0;
    }
    p->nodes[node].self[0] += self;
    return time;
}

static void read_tree(reader *r, json_t *top)
{
    pk_profile *p = r->p;
    pk_add_metric(p, "time", "ns");
    at(r, 0, "root_frame", 0);
    if (!json_is_null(top)) read_frame(r, top, 0, 1);
    if (r->clamped) {
        char buf[32];
        snprintf(buf, sizeof buf, "%" PRId64, r->clamped);
        pk_meta_set(p, "pyinstrument.children_over_parent", buf);
    }
    meta_number(p, "pyinstrument.await_time", json_object_get(top, "await_time"), "%.6f");
    p->has_tree = true;
    pk_derive_graph(p);
}

/* ---- both ---------------------------------------------------------------- */

static void read_facts(reader *r)
{
    pk_profile *p = r->p;
    json_t *root = r->root;
    meta_number(p, "pyinstrument.start_time", json_object_get(root, "start_time"), "%.17g");
    meta_number(p, "duration_s", json_object_get(root, "duration"), "%.17g");
    meta_number(p, "pyinstrument.sample_count", json_object_get(root, "sample_count"), "%.0f");
    meta_number(p, "pyinstrument.cpu_time_s", json_object_get(root, "cpu_time"), "%.17g");
    const char *target = json_string_value(json_object_get(root, "target_description"));
    if (target) pk_meta_set(p, "pyinstrument.target", target);
}

static void pyinstrument_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    reader r = {.in = in, .p = p};
    r.root = pk_json_load(in, JSON_ALLOW_NUL, &r.where); /* frame infos hold NULs */
    if (!json_is_object(r.root)) fail(&r, "not a pyinstrument session or JSON output");
    json_t *tree = json_object_get(r.root, "root_frame");
    if (tree) {
        pk_meta_set(p, "pyinstrument.kind", "json");
        read_tree(&r, tree);
    } else {
        pk_meta_set(p, "pyinstrument.kind", "session");
        read_session(&r, opt);
    }
    read_facts(&r);
    pk_json_done(in, r.root);
}

static int pyinstrument_probe(const uint8_t *head, size_t len)
{
    size_t i = 0;
    while (i < len && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t'))
        i++;
    if (i == len || head[i] != '{') return 0;
    bool start = memmem(head, len, "\"start_time\"", 12) && memmem(head, len, "\"duration\"", 10);
    bool ours = memmem(head, len, "\"frame_records\"", 15) ||
                memmem(head, len, "\"start_call_stack\"", 18) ||
                memmem(head, len, "\"root_frame\"", 12);
    return start && ours ? 95 : 0;
}

const pk_format pk_format_pyinstrument = {
    .name = "pyinstrument",
    .patterns = "*.pyisession",
    .description = "pyinstrument session (.pyisession) and JSON renderer output",
    .probe = pyinstrument_probe,
    .read = pyinstrument_read,
    .write = NULL,
};
