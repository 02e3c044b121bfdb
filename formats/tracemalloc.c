/* tracemalloc snapshots: what tracemalloc.Snapshot.dump() writes, a pickle of
 *   Snapshot.__dict__ = {'traces': _Traces, 'traceback_limit': N}
 *   _Traces.__dict__  = {'_traces': [(domain, size, frames, total_nframe), ...]}
 * with frames a tuple of (filename, lineno) pairs, innermost first.
 *
 * The pickle is decoded by the safe interpreter (lib/pickle.h), allowed to
 * name exactly the two classes tracemalloc pickles. Each trace is one live
 * block: its stack (reversed: oldest frame first) gets "bytes" = its size and
 * "allocations" = 1. tracemalloc knows no function names, only lines, so a
 * frame's function is its line ("workload.py:139" in that file at that line):
 * the functions' self values are statistics('lineno'), their inclusive values
 * statistics('lineno', cumulative=True), the stacks statistics('traceback').
 * Domains (numpy's 389047 beside Python's 0) are not part of the stacks, as
 * tracemalloc does not group by them; their totals are kept as meta.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/hmap.h"
#include "../lib/limits.h"
#include "../lib/pickle.h"
#include "format.h"

static const char *const allowed_globals[] = {
    "tracemalloc.Snapshot",
    "tracemalloc._Traces",
    NULL,
};

static int probe_tracemalloc(const uint8_t *head, size_t len)
{
    if (len < 2 || head[0] != 0x80 || head[1] < 2 || head[1] > 5) return 0;
    size_t n = len < 256 ? len : 256;
    bool module = memmem(head, n, "tracemalloc", 11) != NULL;
    bool snapshot = memmem(head, n, "Snapshot", 8) != NULL;
    return module && snapshot ? 95 : 0;
}

/* A frames tuple already placed in the tree (CPython shares one tuple per
 * distinct traceback, so pickle's memo hands the same value back). */
typedef struct {
    const pk_pvalue *frames;
    pk_id leaf;
} known_stack;

typedef struct {
    size_t traces, bytes;
} domain_total;

typedef struct {
    pk_profile *p;
    pk_pickle_error err; /* the first content error */
    known_stack *known;
    size_t nknown, capknown;
    pk_hmap index;
    pk_id *funcs;
    int32_t *lines;
    size_t capframes;
    int64_t domains[16][3]; /* domain, traces, bytes: the first 16 domains seen */
    size_t ndomains, other_domains;
    size_t truncated;
} walk;

static bool is_seq(const pk_pvalue *v)
{
    return v->type == PK_PV_TUPLE || v->type == PK_PV_LIST;
}

static bool known_eq(const void *ctx, uint32_t id)
{
    const void *const *k = ctx;
    const walk *w = k[0];
    return w->known[id].frames == k[1];
}

/* The function of one frame: its line, named "base:line". */
static bool frame_func(walk *w, const pk_pvalue *pair, pk_id *func, int32_t *line)
{
    if (!is_seq(pair) || pair->u.seq.n != 2 || pair->u.seq.items[0]->type != PK_PV_STR ||
        pair->u.seq.items[1]->type != PK_PV_INT)
        return pk_pickle_bad(&w->err, pair, "frame is not (filename, lineno)");
    const pk_pvalue *file = pair->u.seq.items[0];
    int64_t lineno = pair->u.seq.items[1]->u.i;
    if (lineno < 0 || lineno > INT32_MAX)
        return pk_pickle_bad(&w->err, pair, "frame line number out of range");
    pk_profile *p = w->p;
    const char *path = pk_intern(p, file->u.str.data, file->u.str.len);
    const char *slash = strrchr(path, '/');
    char name[160];
    snprintf(name, sizeof name, "%.120s:%" PRId64, slash && slash[1] ? slash + 1 : path, lineno);
    bool unknown = lineno == 0 && !strcmp(path, "<unknown>");
    *line = (int32_t)lineno;
    *func = pk_function_get(p, name, path, *line, unknown ? PK_KIND_OTHER : PK_KIND_PYTHON);
    return true;
}

/* The leaf node of a frames tuple, oldest frame at the root. */
static bool stack_of(walk *w, const pk_pvalue *frames, pk_id *leaf)
{
    if (!is_seq(frames)) return pk_pickle_bad(&w->err, frames, "trace frames are not a tuple");
    uint64_t h = pk_hash_mix(11, (uint64_t)(uintptr_t)frames);
    const void *key[2] = {w, frames};
    uint32_t id = pk_hmap_find(&w->index, h, known_eq, key);
    if (id != UINT32_MAX) {
        *leaf = w->known[id].leaf;
        return true;
    }
    size_t n = frames->u.seq.n;
    pk_check_stack_depth(n);
    if (n > w->capframes) {
        w->capframes = n;
        w->funcs = pk_xrealloc(w->funcs, n * sizeof *w->funcs);
        w->lines = pk_xrealloc(w->lines, n * sizeof *w->lines);
    }
    for (size_t i = 0; i < n; i++)
        if (!frame_func(w, frames->u.seq.items[n - 1 - i], &w->funcs[i], &w->lines[i]))
            return false;
    pk_id node = 0;
    for (size_t i = 0; i < n; i++)
        node = pk_tree_child(w->p, node, w->funcs[i], w->lines[i]);
    PK_GROW(w->known, w->capknown, w->nknown + 1);
    w->known[w->nknown] = (known_stack){frames, node};
    pk_hmap_insert(&w->index, h, (uint32_t)w->nknown++);
    *leaf = node;
    return true;
}

static void count_domain(walk *w, int64_t domain, int64_t size)
{
    for (size_t i = 0; i < w->ndomains; i++)
        if (w->domains[i][0] == domain) {
            w->domains[i][1]++;
            w->domains[i][2] += size;
            return;
        }
    if (w->ndomains == sizeof w->domains / sizeof w->domains[0]) {
        w->other_domains++;
        return;
    }
    int64_t *d = w->domains[w->ndomains++];
    d[0] = domain, d[1] = 1, d[2] = size;
}

/* (domain, size, frames, total_nframe); Python before 3.9 wrote no total_nframe. */
static bool add_trace(walk *w, const pk_pvalue *t)
{
    if (!is_seq(t) || (t->u.seq.n != 3 && t->u.seq.n != 4))
        return pk_pickle_bad(&w->err, t, "trace is not (domain, size, frames, total_nframe)");
    pk_pvalue *const *it = t->u.seq.items;
    if (it[0]->type != PK_PV_INT || it[0]->u.i < 0 || it[0]->u.i > UINT32_MAX)
        return pk_pickle_bad(&w->err, it[0], "trace domain is not an unsigned 32-bit number");
    if (it[1]->type != PK_PV_INT || it[1]->u.i < 0)
        return pk_pickle_bad(&w->err, it[1], "trace size is not a number of bytes");
    pk_id leaf;
    if (!stack_of(w, it[2], &leaf)) return false;
    if (t->u.seq.n == 4 && it[3]->type == PK_PV_INT && (uint64_t)it[3]->u.i > it[2]->u.seq.n)
        w->truncated++;
    int64_t *self = w->p->nodes[leaf].self;
    if (__builtin_add_overflow(self[0], it[1]->u.i, &self[0]))
        return pk_pickle_bad(&w->err, t, "bytes overflow");
    self[1]++;
    count_domain(w, it[0]->u.i, it[1]->u.i);
    return true;
}

static const pk_pvalue *state_of(walk *w, const pk_pvalue *v, const char *cls)
{
    if (v->type != PK_PV_OBJECT || strcmp(v->u.obj.cls->u.global.name, cls)) {
        char msg[80];
        snprintf(msg, sizeof msg, "not a tracemalloc.%s object", cls);
        pk_pickle_bad(&w->err, v, msg);
        return NULL;
    }
    const pk_pvalue *state = v->u.obj.state;
    if (!state || state->type != PK_PV_DICT) {
        pk_pickle_bad(&w->err, v, "tracemalloc object without its state dict");
        return NULL;
    }
    return state;
}

static void set_meta_int(pk_profile *p, const char *key, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    pk_meta_set(p, key, buf);
}

static void set_domain_meta(walk *w)
{
    char key[64];
    for (size_t i = 0; i < w->ndomains; i++) {
        snprintf(key, sizeof key, "tracemalloc.domain.%" PRId64 ".traces", w->domains[i][0]);
        set_meta_int(w->p, key, w->domains[i][1]);
        snprintf(key, sizeof key, "tracemalloc.domain.%" PRId64 ".bytes", w->domains[i][0]);
        set_meta_int(w->p, key, w->domains[i][2]);
    }
    if (w->other_domains) set_meta_int(w->p, "tracemalloc.domain.more", (int64_t)w->other_domains);
}

static bool read_snapshot(walk *w, const pk_pvalue *root)
{
    const pk_pvalue *snap = state_of(w, root, "Snapshot");
    if (!snap) return false;
    const pk_pvalue *traces = pk_pvalue_dict_get(snap, "traces");
    const pk_pvalue *limit = pk_pvalue_dict_get(snap, "traceback_limit");
    if (!traces) return pk_pickle_bad(&w->err, snap, "Snapshot without 'traces'");
    if (!limit || limit->type != PK_PV_INT)
        return pk_pickle_bad(&w->err, snap, "Snapshot without 'traceback_limit'");
    const pk_pvalue *tstate = state_of(w, traces, "_Traces");
    if (!tstate) return false;
    const pk_pvalue *list = pk_pvalue_dict_get(tstate, "_traces");
    if (!list || !is_seq(list))
        return pk_pickle_bad(&w->err, tstate, "_Traces without its '_traces' list");
    for (size_t i = 0; i < list->u.seq.n; i++)
        if (!add_trace(w, list->u.seq.items[i])) return false;
    set_meta_int(w->p, "tracemalloc.traceback_limit", limit->u.i);
    set_meta_int(w->p, "tracemalloc.traces", (int64_t)list->u.seq.n);
    set_meta_int(w->p, "tracemalloc.tracebacks", (int64_t)w->nknown);
    set_meta_int(w->p, "tracemalloc.truncated", (int64_t)w->truncated);
    set_domain_meta(w);
    return true;
}

typedef struct {
    pk_pickle *pk;
    walk *w;
} temporaries;

static void free_walk(walk *w)
{
    free(w->known);
    free(w->funcs);
    free(w->lines);
    pk_hmap_free(&w->index);
}

static void free_temporaries(void *ctx)
{
    temporaries *t = ctx;
    pk_pickle_free(t->pk);
    free_walk(t->w);
}

static void read_tracemalloc(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    (void)opt;
    size_t len;
    const uint8_t *data = pk_input_all(in, &len);
    pk_pickle *pk;
    pk_pickle_error perr;
    const pk_pvalue *root = pk_pickle_load(data, len, allowed_globals, &pk, &perr);
    if (!root) pk_fail(in, perr.offset, "%s", perr.msg);
    walk w = {.p = p};
    temporaries tmp = {pk, &w};
    pk_input_on_fail(in, free_temporaries, &tmp); /* building the model may fail the read */
    pk_add_metric(p, "bytes", "bytes");
    pk_add_metric(p, "allocations", "count");
    bool ok = read_snapshot(&w, root);
    pk_input_on_fail(in, NULL, NULL);
    pk_pickle_free(pk);
    free_walk(&w);
    if (!ok) pk_fail(in, w.err.offset, "%s", w.err.msg);
    p->has_tree = true;
    pk_derive_graph(p);
    pk_derive_lines(p);
}

const pk_format pk_format_tracemalloc = {
    .name = "tracemalloc",
    .patterns = "*.tracemalloc",
    .description = "tracemalloc snapshots (Snapshot.dump), read by a safe pickle interpreter",
    .probe = probe_tracemalloc,
    .read = read_tracemalloc,
    .write = NULL,
};
