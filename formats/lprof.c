/* line_profiler .lprof files: one pickle of a LineStats object whose state is
 * {'timings': {(file, first_line, name): [(line, hits, ticks), ...]},
 *  'unit': seconds per tick}.
 *
 * The pickle is decoded by the safe interpreter (lib/pickle.h), allowed to
 * name only the LineStats class (any module: 2.x, 3.x-5.0.0 and 5.0.1+ lay it
 * out differently) and what protocol 0 needs to rebuild it.
 *
 * Model: metrics "time" (ns) and "hits" (count); every (function, line) goes
 * to p->lines. line_profiler's line times include the callees, and the file
 * has no call graph, so a function's self and inclusive values are both the
 * sum of its lines (nested profiled functions are counted in each). Functions
 * decorated but never called are kept with zeros. The timer unit is kept as
 * meta "lprof.unit".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/pickle.h"
#include "format.h"

static const char *const allowed_globals[] = {
    "*.LineStats",
    "LineStats",
    "copyreg._reconstructor",
    "copy_reg._reconstructor",
    "builtins.object",
    "__builtin__.object",
    NULL,
};

static int probe_lprof(const uint8_t *head, size_t len)
{
    bool pickled = (len >= 2 && head[0] == 0x80 && head[1] <= 5) || (len >= 1 && head[0] == 'c');
    if (!pickled) return 0;
    bool stats = memmem(head, len, "LineStats", 9) != NULL;
    bool timings = memmem(head, len, "timings", 7) != NULL;
    return stats ? (timings ? 95 : 80) : 0;
}

/* Ticks to ns. Exact when a tick is a whole number of ns (1e-9, 1e-6 ...). */
typedef struct {
    double unit;
    int64_t ns_per_tick; /* 0 when not whole */
} tick_scale;

static tick_scale scale_for(double unit)
{
    tick_scale s = {unit, 0};
    double k = unit * 1e9, r = nearbyint(k);
    if (r >= 1 && r < 1e15 && fabs(k - r) <= r * 1e-9) s.ns_per_tick = (int64_t)r;
    return s;
}

static bool ticks_to_ns(const tick_scale *s, int64_t ticks, int64_t *ns)
{
    if (s->ns_per_tick) return !__builtin_mul_overflow(ticks, s->ns_per_tick, ns);
    long double v = (long double)ticks * s->unit * 1e9L;
    if (!(fabsl(v) < 9.2e18L)) return false;
    *ns = llroundl(v);
    return true;
}

/* Walking the decoded value: a content error is kept, the pickle freed, then
 * the read fails. */
typedef struct {
    pk_input *in;
    pk_profile *p;
    tick_scale scale;
    pk_pickle_error err; /* the first content error */
} walk;

static bool int_of(const pk_pvalue *v, int64_t *out)
{
    if (v->type == PK_PV_INT)
        *out = v->u.i;
    else if (v->type == PK_PV_BOOL)
        *out = v->u.b;
    else if (v->type == PK_PV_FLOAT && fabs(v->u.f) < 9.2e18)
        *out = llround(v->u.f);
    else
        return false;
    return true;
}

static bool is_tuple(const pk_pvalue *v, size_t n)
{
    return (v->type == PK_PV_TUPLE || v->type == PK_PV_LIST) && v->u.seq.n == n;
}

static bool add_line(walk *w, pk_id f, const pk_pvalue *entry)
{
    if (!is_tuple(entry, 3))
        return pk_pickle_bad(&w->err, entry, "timing entry is not (line, hits, time)");
    int64_t line, hits, ticks, ns;
    pk_pvalue *const *it = entry->u.seq.items;
    if (!int_of(it[0], &line) || !int_of(it[1], &hits) || !int_of(it[2], &ticks))
        return pk_pickle_bad(&w->err, entry,
                             "timing entry holds a value that is not a 64-bit number");
    if (line < 0 || line > INT32_MAX)
        return pk_pickle_bad(&w->err, it[0], "line number out of range");
    if (!ticks_to_ns(&w->scale, ticks, &ns))
        return pk_pickle_bad(&w->err, it[2], "line time out of range");
    pk_line *l = pk_line_get(w->p, f, (int32_t)line);
    pk_function *fn = &w->p->funcs[f];
    if (__builtin_add_overflow(l->v[0], ns, &l->v[0]) ||
        __builtin_add_overflow(l->v[1], hits, &l->v[1]) ||
        __builtin_add_overflow(fn->self[0], ns, &fn->self[0]) ||
        __builtin_add_overflow(fn->self[1], hits, &fn->self[1]))
        return pk_pickle_bad(&w->err, entry, "time or hits overflow");
    fn->incl[0] = fn->self[0];
    fn->incl[1] = fn->self[1];
    return true;
}

static bool add_function(walk *w, const pk_pvalue *key, const pk_pvalue *list)
{
    if (!is_tuple(key, 3) || key->u.seq.items[0]->type != PK_PV_STR ||
        key->u.seq.items[2]->type != PK_PV_STR)
        return pk_pickle_bad(&w->err, key, "timings key is not (file, line, name)");
    int64_t first;
    if (!int_of(key->u.seq.items[1], &first) || first < 0 || first > INT32_MAX)
        return pk_pickle_bad(&w->err, key, "function line out of range");
    if (list->type != PK_PV_LIST && list->type != PK_PV_TUPLE)
        return pk_pickle_bad(&w->err, list, "timings value is not a list");
    const pk_pvalue *file = key->u.seq.items[0], *name = key->u.seq.items[2];
    pk_profile *p = w->p;
    pk_id f = pk_function_get(p, pk_intern(p, name->u.str.data, name->u.str.len),
                              pk_intern(p, file->u.str.data, file->u.str.len), (int32_t)first,
                              PK_KIND_PYTHON);
    for (size_t i = 0; i < list->u.seq.n; i++)
        if (!add_line(w, f, list->u.seq.items[i])) return false;
    return true;
}

/* The unit as Python's repr would print it. */
static void set_unit_meta(pk_profile *p, double unit)
{
    char buf[40];
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, unit);
        if (strtod(buf, NULL) == unit) break;
    }
    pk_meta_set(p, "lprof.unit", buf);
}

static bool read_stats(walk *w, const pk_pvalue *root)
{
    const pk_pvalue *state = root;
    if (root->type == PK_PV_OBJECT) {
        if (strcmp(root->u.obj.cls->u.global.name, "LineStats"))
            return pk_pickle_bad(&w->err, root, "not a LineStats object");
        state = root->u.obj.state;
        if (!state) return pk_pickle_bad(&w->err, root, "LineStats object without state");
    }
    if (state->type != PK_PV_DICT)
        return pk_pickle_bad(&w->err, state, "LineStats state is not a dict");
    const pk_pvalue *timings = pk_pvalue_dict_get(state, "timings");
    const pk_pvalue *unit = pk_pvalue_dict_get(state, "unit");
    if (!timings || timings->type != PK_PV_DICT)
        return pk_pickle_bad(&w->err, state, "no 'timings' dict");
    double u = 0;
    if (unit && unit->type == PK_PV_FLOAT)
        u = unit->u.f;
    else if (unit && unit->type == PK_PV_INT)
        u = (double)unit->u.i;
    if (!(u > 0 && u < 1e6)) return pk_pickle_bad(&w->err, unit ? unit : state, "no valid 'unit'");
    w->scale = scale_for(u);
    set_unit_meta(w->p, u);
    if (root->type == PK_PV_OBJECT) {
        char cls[256];
        snprintf(cls, sizeof cls, "%s.%s", root->u.obj.cls->u.global.module,
                 root->u.obj.cls->u.global.name);
        pk_meta_set(w->p, "lprof.class", cls);
    }
    for (size_t i = 0; i < timings->u.dict.n; i++)
        if (!add_function(w, timings->u.dict.keys[i], timings->u.dict.vals[i])) return false;
    return true;
}

static void free_pickle(void *pk)
{
    pk_pickle_free(pk);
}

static void read_lprof(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    (void)opt;
    size_t len;
    const uint8_t *data = pk_input_all(in, &len);
    pk_pickle *pk;
    pk_pickle_error perr;
    const pk_pvalue *root = pk_pickle_load(data, len, allowed_globals, &pk, &perr);
    if (!root) pk_fail(in, perr.offset, "%s", perr.msg);
    pk_input_on_fail(in, free_pickle, pk); /* building the model may fail the read */
    pk_add_metric(p, "time", "ns");
    pk_add_metric(p, "hits", "count");
    walk w = {.in = in, .p = p};
    bool ok = read_stats(&w, root);
    char proto[8];
    snprintf(proto, sizeof proto, "%d", pk_pickle_protocol(pk));
    pk_input_on_fail(in, NULL, NULL);
    pk_pickle_free(pk);
    if (!ok) pk_fail(in, w.err.offset, "%s", w.err.msg);
    pk_meta_set(p, "lprof.protocol", proto);
    p->has_graph = true;
}

const pk_format pk_format_lprof = {
    .name = "lprof",
    .patterns = "*.lprof",
    .description = "line_profiler (kernprof -l) pickled LineStats",
    .probe = probe_lprof,
    .read = read_lprof,
    .write = NULL,
};
