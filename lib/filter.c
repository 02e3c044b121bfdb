/* Filters over the model: stacks are rewritten one by one into a new tree
 * (exact); graph-only profiles are filtered on functions and edges. */
#include "filter.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "timeline.h"

void pk_filter_init(pk_filter *f)
{
    memset(f, 0, sizeof *f);
    f->metric = -1;
}

void pk_filter_free(pk_filter *f)
{
    for (int i = 0; i < PK_FILTER_NREGEX; i++)
        for (int k = 0; k < f->nrx[i]; k++)
            pk_pattern_free(f->rx[i][k]);
    for (int i = 0; i < f->nmaps; i++) {
        pk_pattern_free(f->map_rx[i]);
        free(f->map_to[i]);
    }
    pk_filter_init(f);
}

static const char *const option_names[PK_FILTER_NREGEX] = {
    [PK_FILTER_FOCUS] = "focus",         [PK_FILTER_IGNORE] = "ignore",
    [PK_FILTER_HIDE] = "hide",           [PK_FILTER_SHOW] = "show",
    [PK_FILTER_SHOW_FROM] = "show-from", [PK_FILTER_PRUNE_FROM] = "prune-from",
    [PK_FILTER_ROOT] = "root",           [PK_FILTER_LEAF] = "leaf",
};

const char *pk_filter_option_name(pk_filter_regex which)
{
    return option_names[which];
}

int pk_filter_set_regex(pk_filter *f, pk_filter_regex which, const char *pattern, pk_error *err)
{
    if (f->nrx[which] == PK_FILTER_MAX_PATTERNS) {
        pk_error_set(err, "too many --%s patterns (at most %d)", option_names[which],
                     PK_FILTER_MAX_PATTERNS);
        return -1;
    }
    pk_pattern *rx = pk_pattern_new(pattern, err);
    if (!rx) return -1;
    f->rx[which][f->nrx[which]++] = rx;
    return 0;
}

int pk_filter_add_map(pk_filter *f, const char *spec, pk_error *err)
{
    const char *eq = strrchr(spec, '=');
    if (!eq || eq == spec) {
        pk_error_set(err, "bad map '%s': expected PATTERN=REPLACEMENT", spec);
        return -1;
    }
    if (f->nmaps == PK_FILTER_MAX_MAPS) {
        pk_error_set(err, "too many maps (at most %d)", PK_FILTER_MAX_MAPS);
        return -1;
    }
    size_t n = (size_t)(eq - spec);
    char *pattern = pk_xmalloc(n + 1);
    memcpy(pattern, spec, n);
    pattern[n] = '\0';
    pk_pattern *rx = pk_pattern_new(pattern, err);
    free(pattern);
    if (!rx) return -1;
    /* A bad replacement is found now rather than on the first file. */
    char *probe = pk_pattern_sub(rx, eq + 1, "", err);
    if (!probe) {
        pk_pattern_free(rx);
        return -1;
    }
    free(probe);
    f->map_rx[f->nmaps] = rx;
    f->map_to[f->nmaps] = pk_xmalloc(strlen(eq + 1) + 1);
    strcpy(f->map_to[f->nmaps], eq + 1);
    f->nmaps++;
    return 0;
}

int pk_filter_add_strip_prefix(pk_filter *f, const char *prefix, pk_error *err)
{
    if (f->nstrip_prefix == PK_FILTER_MAX_MAPS) {
        pk_error_set(err, "too many prefixes (at most %d)", PK_FILTER_MAX_MAPS);
        return -1;
    }
    f->strip_prefix[f->nstrip_prefix++] = prefix;
    return 0;
}

int pk_filter_set_granularity(pk_filter *f, const char *name, pk_error *err)
{
    if (strcmp(name, "function") == 0)
        f->granularity = PK_GRANULARITY_FUNCTION;
    else if (strcmp(name, "file") == 0)
        f->granularity = PK_GRANULARITY_FILE;
    else if (strcmp(name, "line") == 0)
        f->granularity = PK_GRANULARITY_LINE;
    else {
        pk_error_set(err, "unknown granularity '%s' (function, file or line)", name);
        return -1;
    }
    return 0;
}

static bool rewrites(const pk_filter *f)
{
    return f->strip_dirs || f->nstrip_prefix || f->nmaps || f->granularity != PK_GRANULARITY_KEEP;
}

bool pk_filter_active(const pk_filter *f)
{
    for (int i = 0; i < PK_FILTER_NREGEX; i++)
        if (f->nrx[i]) return true;
    return f->depth > 0 || f->threshold > 0 || f->path || f->collapse_recursion || rewrites(f) ||
           f->time_set;
}

/* One end of a window: empty is open; false when not a number of seconds. */
static bool time_end(const char *s, const char *e, double open, double *out)
{
    if (s == e) {
        *out = open;
        return true;
    }
    char buf[64];
    if ((size_t)(e - s) >= sizeof buf) return false;
    memcpy(buf, s, (size_t)(e - s));
    buf[e - s] = 0;
    char *end;
    *out = strtod(buf, &end);
    return *end == 0 && isfinite(*out) && *out >= 0 && *out < 9e9;
}

int pk_filter_set_time(pk_filter *f, const char *spec, pk_error *err)
{
    const char *colon = strchr(spec, ':');
    const char *end = spec + strlen(spec);
    if (!colon || !time_end(spec, colon, -INFINITY, &f->time_from) ||
        !time_end(colon + 1, end, INFINITY, &f->time_to) || f->time_to <= f->time_from) {
        pk_error_set(err,
                     "bad --time '%s' (START:END in seconds from the start, either side "
                     "optional: 10:20, :2.5, 10:)",
                     spec);
        return -1;
    }
    f->time_set = true;
    return 0;
}

/* ---- identities ---- */

/* Text grown on the heap while rewriting names. */
typedef struct {
    char *s;
    size_t len, cap;
} text;

static void text_put(text *t, const char *s, size_t n)
{
    PK_GROW(t->s, t->cap, t->len + n + 1);
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

/* Apply one PATTERN=REPLACEMENT to every match in s, into out. */
static void apply_map(pk_pattern *rx, const char *to, const char *s, text *out)
{
    out->len = 0;
    pk_error err;
    char *r = pk_pattern_sub(rx, to, s, &err); /* checked when the map was added */
    text_put(out, r ? r : s, strlen(r ? r : s));
    free(r);
}

/* The file as the filter shows it: prefix stripped, maps, base name. */
static const char *rewrite_text(const pk_filter *f, const char *s, bool is_file, text *a, text *b)
{
    if (is_file)
        for (int i = 0; i < f->nstrip_prefix; i++) {
            size_t n = strlen(f->strip_prefix[i]);
            if (n && strncmp(s, f->strip_prefix[i], n) == 0) {
                s += n;
                break;
            }
        }
    for (int i = 0; i < f->nmaps; i++) {
        apply_map(f->map_rx[i], f->map_to[i], s, a);
        text *t = a;
        a = b;
        b = t;
        s = t->s;
    }
    if (is_file && f->strip_dirs) {
        const char *slash = strrchr(s, '/');
        if (slash && slash[1]) s = slash + 1;
    }
    return s;
}

typedef struct {
    pk_filter *f;
    pk_profile *src, *dst;
    pk_id *fmap;       /* src func -> dst func, created when first used */
    const char **name; /* src func -> rewritten name, file in dst */
    const char **file;
    int32_t *line;
    pk_kind *kind;
    uint16_t *bits; /* dst func -> which regexes match; bit 15: computed */
    size_t capbits;
    const bool *drop; /* dst func -> hidden (threshold pass), or NULL */
} rebuild;

static bool is_under(const char *file, const char *prefix)
{
    return strncmp(file, prefix, strlen(prefix)) == 0;
}

static bool any_pattern(const pk_filter *f, pk_filter_regex which, const pk_function *fn)
{
    for (int k = 0; k < f->nrx[which]; k++)
        if (pk_pattern_match_function(f->rx[which][k], fn)) return true;
    return false;
}

static uint16_t match_bits(const pk_filter *f, const pk_function *fn)
{
    uint16_t bits = 1u << 15;
    for (int i = 0; i < PK_FILTER_NREGEX; i++)
        if (any_pattern(f, (pk_filter_regex)i, fn)) bits |= (uint16_t)(1u << i);
    /* Bit 14: outside --path. */
    if (f->path && !is_under(fn->file, f->path)) bits |= 1u << 14;
    return bits;
}

/* Note which patterns match fn (each tried until it has matched once). */
static void note_matches(pk_filter *f, const pk_function *fn)
{
    for (int i = 0; i < PK_FILTER_NREGEX; i++)
        for (int k = 0; k < f->nrx[i]; k++)
            if (!f->matched[i][k] && pk_pattern_match_function(f->rx[i][k], fn))
                f->matched[i][k] = true;
    if (f->path && !f->path_matched && is_under(fn->file, f->path)) f->path_matched = true;
}

int pk_filter_check_matched(const pk_filter *f, pk_error *err)
{
    for (int i = 0; i < PK_FILTER_NREGEX; i++)
        for (int k = 0; k < f->nrx[i]; k++)
            if (!f->matched[i][k]) {
                pk_error_set(err, "--%s '%s': matches no function", option_names[i],
                             pk_pattern_text(f->rx[i][k]));
                return -1;
            }
    if (f->path && !f->path_matched) {
        pk_error_set(err, "--path '%s': no function's file is under it", f->path);
        return -1;
    }
    return 0;
}

static uint16_t bits_of(rebuild *r, pk_id func)
{
    if (func >= r->capbits) {
        size_t old = r->capbits;
        PK_GROW(r->bits, r->capbits, (size_t)func + 1);
        memset(r->bits + old, 0, (r->capbits - old) * sizeof *r->bits);
    }
    if (!r->bits[func]) r->bits[func] = match_bits(r->f, &r->dst->funcs[func]);
    return r->bits[func];
}

static void map_functions(rebuild *r)
{
    const pk_filter *f = r->f;
    size_t n = r->src->nfuncs;
    r->fmap = pk_xmalloc((n + 1) * sizeof *r->fmap);
    r->name = pk_xmalloc((n + 1) * sizeof *r->name);
    r->file = pk_xmalloc((n + 1) * sizeof *r->file);
    r->line = pk_xmalloc((n + 1) * sizeof *r->line);
    r->kind = pk_xmalloc((n + 1) * sizeof *r->kind);
    text a = {0}, b = {0};
    for (size_t i = 0; i < n; i++) {
        const pk_function *fn = &r->src->funcs[i];
        const char *file = pk_intern_cstr(r->dst, rewrite_text(f, fn->file, true, &a, &b));
        /* Maps rewrite the name of functions that have no file (folded frames). */
        const char *name = *fn->file ? fn->name : rewrite_text(f, fn->name, false, &a, &b);
        int32_t line = fn->line;
        if (f->granularity == PK_GRANULARITY_FILE && *file) name = file;
        if (f->granularity == PK_GRANULARITY_FUNCTION || f->granularity == PK_GRANULARITY_FILE)
            line = 0;
        r->name[i] = pk_intern_cstr(r->dst, name);
        r->file[i] = file;
        r->line[i] = line;
        r->kind[i] = f->granularity == PK_GRANULARITY_FILE ? pk_kind_guess("", file) : fn->kind;
        r->fmap[i] = PK_NONE;
    }
    free(a.s);
    free(b.s);
}

/* The dst function of src function i: created on first use, so functions
 * no kept stack reaches do not appear in the result. */
static pk_id mapped(rebuild *r, pk_id i)
{
    if (r->fmap[i] == PK_NONE)
        r->fmap[i] = pk_function_get(r->dst, r->name[i], r->file[i], r->line[i], r->kind[i]);
    return r->fmap[i];
}

static void map_all(rebuild *r)
{
    for (size_t i = 0; i < r->src->nfuncs; i++)
        mapped(r, (pk_id)i);
}

static void rebuild_free(rebuild *r)
{
    free(r->fmap);
    free(r->name);
    free(r->file);
    free(r->line);
    free(r->kind);
    free(r->bits);
}

/* ---- stacks ---- */

typedef struct {
    pk_id *func;
    int32_t *line;
    size_t n, cap;
} stack;

static bool has(uint16_t bits, pk_filter_regex which)
{
    return bits & (1u << which);
}

/* Frames root-first of src node id, mapped into dst. */
static void load_stack(rebuild *r, pk_id id, stack *s)
{
    s->n = 0;
    for (pk_id n = id; n != 0 && n != PK_NONE; n = r->src->nodes[n].parent)
        s->n++;
    if (s->n > s->cap) {
        s->cap = s->n;
        s->func = pk_xrealloc(s->func, s->cap * sizeof *s->func);
        s->line = pk_xrealloc(s->line, s->cap * sizeof *s->line);
    }
    size_t i = s->n;
    for (pk_id n = id; n != 0 && n != PK_NONE; n = r->src->nodes[n].parent) {
        const pk_node *node = &r->src->nodes[n];
        i--;
        /* by function, lines stay for per-line values and call sites
         * (pk_tree_by_function drops them after) */
        s->line[i] =
            r->f->granularity == PK_GRANULARITY_KEEP || r->f->granularity == PK_GRANULARITY_FUNCTION
                ? node->line
                : 0;
        if (r->drop && r->drop[node->func]) /* the threshold pass hides by source function */
            s->func[i] = PK_NONE;
        else if (r->f->granularity == PK_GRANULARITY_LINE && node->line > 0)
            s->func[i] = pk_function_get(r->dst, r->name[node->func], r->file[node->func],
                                         node->line, r->kind[node->func]);
        else
            s->func[i] = mapped(r, node->func);
    }
}

/* Keep frames [from, to) of s. */
static void keep_range(stack *s, size_t from, size_t to)
{
    memmove(s->func, s->func + from, (to - from) * sizeof *s->func);
    memmove(s->line, s->line + from, (to - from) * sizeof *s->line);
    s->n = to - from;
}

/* pprof's prune_from: scanning from the root, cut below the first match
 * that follows a frame which does not match (never prune everything). */
static void prune_from(rebuild *r, stack *s)
{
    bool seen_other = false;
    for (size_t i = 0; i < s->n; i++) {
        if (!has(bits_of(r, s->func[i]), PK_FILTER_PRUNE_FROM)) {
            seen_other = true;
        } else if (seen_other) {
            s->n = i + 1;
            return;
        }
    }
}

static void remove_frames(rebuild *r, stack *s)
{
    const pk_filter *f = r->f;
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (s->func[i] == PK_NONE) continue;
        uint16_t b = bits_of(r, s->func[i]);
        bool drop = (f->nrx[PK_FILTER_HIDE] && has(b, PK_FILTER_HIDE)) ||
                    (f->nrx[PK_FILTER_SHOW] && !has(b, PK_FILTER_SHOW)) || (b & (1u << 14));
        if (drop) continue;
        s->func[k] = s->func[i];
        s->line[k++] = s->line[i];
    }
    s->n = k;
}

static bool any_match(rebuild *r, const stack *s, pk_filter_regex which)
{
    for (size_t i = 0; i < s->n; i++)
        if (has(bits_of(r, s->func[i]), which)) return true;
    return false;
}

/* Start the stack at its first match of which; false when none. */
static bool start_at_first(rebuild *r, stack *s, pk_filter_regex which)
{
    for (size_t i = 0; i < s->n; i++)
        if (has(bits_of(r, s->func[i]), which)) {
            keep_range(s, i, s->n);
            return true;
        }
    return false;
}

static bool end_at_last(rebuild *r, stack *s, pk_filter_regex which)
{
    for (size_t i = s->n; i-- > 0;)
        if (has(bits_of(r, s->func[i]), which)) {
            s->n = i + 1;
            return true;
        }
    return false;
}

static void collapse_recursion(stack *s)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (k && s->func[k - 1] == s->func[i]) {
            s->line[k - 1] = s->line[i]; /* the innermost call's line */
            continue;
        }
        s->func[k] = s->func[i];
        s->line[k++] = s->line[i];
    }
    s->n = k;
}

/* Rewrite one stack; false drops it. */
static bool filter_stack(rebuild *r, stack *s)
{
    const pk_filter *f = r->f;
    if (f->nrx[PK_FILTER_IGNORE] && any_match(r, s, PK_FILTER_IGNORE)) return false;
    if (f->nrx[PK_FILTER_FOCUS] && !any_match(r, s, PK_FILTER_FOCUS)) return false;
    remove_frames(r, s);
    if (f->nrx[PK_FILTER_SHOW_FROM] && !start_at_first(r, s, PK_FILTER_SHOW_FROM)) return false;
    if (f->nrx[PK_FILTER_ROOT] && !start_at_first(r, s, PK_FILTER_ROOT)) return false;
    if (f->nrx[PK_FILTER_LEAF] && !end_at_last(r, s, PK_FILTER_LEAF)) return false;
    if (f->nrx[PK_FILTER_PRUNE_FROM]) prune_from(r, s);
    if (f->collapse_recursion) collapse_recursion(s);
    if (f->depth > 0 && s->n > (size_t)f->depth) {
        /* With a leaf and no root, depth counts up from the leaf. */
        if (f->nrx[PK_FILTER_LEAF] && !f->nrx[PK_FILTER_ROOT])
            keep_range(s, s->n - (size_t)f->depth, s->n);
        else
            s->n = (size_t)f->depth;
    }
    return s->n > 0;
}

static void copy_header(pk_profile *dst, const pk_profile *src)
{
    for (int m = 0; m < src->nmetrics; m++) {
        int d = pk_add_metric(dst, src->metrics[m].name, src->metrics[m].unit);
        dst->metrics[d].decimals = src->metrics[m].decimals;
        dst->metrics[d].source_exp = src->metrics[m].source_exp;
    }
    for (size_t i = 0; i < src->nmeta; i++)
        pk_meta_set(dst, src->meta[i].key, src->meta[i].value);
    for (size_t i = 0; i < src->nseries; i++)
        pk_series_add(dst, src->series[i].t_ns, src->series[i].v[0], src->series[i].v[1]);
    for (int i = 0; i < 2; i++)
        if (src->series_names[i]) dst->series_names[i] = pk_intern_cstr(dst, src->series_names[i]);
    dst->format = src->format ? pk_intern_cstr(dst, src->format) : NULL;
    dst->estimated = src->estimated;
}

static bool any_value(const pk_node *n, int nm)
{
    for (int m = 0; m < nm; m++)
        if (n->self[m]) return true;
    return false;
}

/* Matching maps every frame of every stack, kept or not: drop the functions
 * no node of the rebuilt tree uses (before the graph is derived). */
static void drop_unused_functions(pk_profile *p)
{
    pk_id *map = pk_xmalloc((p->nfuncs + 1) * sizeof *map);
    for (size_t f = 0; f < p->nfuncs; f++)
        map[f] = PK_NONE;
    for (size_t i = 1; i < p->nnodes; i++)
        map[p->nodes[i].func] = 0;
    size_t k = 0;
    for (size_t f = 0; f < p->nfuncs; f++)
        if (map[f] != PK_NONE) {
            p->funcs[k] = p->funcs[f];
            map[f] = (pk_id)k++;
        }
    p->nfuncs = k;
    for (size_t i = 1; i < p->nnodes; i++)
        p->nodes[i].func = map[p->nodes[i].func];
    free(map);
    pk_reindex(p);
}

/* Whether stacks without frames pass f: when no pattern selects stacks. */
static bool keeps_empty_stacks(const pk_filter *f)
{
    for (int i = 0; i < PK_FILTER_NREGEX; i++)
        if (f->nrx[i]) return false;
    return !f->path;
}

/* Whether every stack comes through the filter as it was (a time window
 * drops whole samples and spans, and keeps the stacks of the rest). */
static bool keeps_stacks(const rebuild *r)
{
    return keeps_empty_stacks(r->f) && !r->drop && !r->f->collapse_recursion && r->f->depth <= 0;
}

/* The tree of src, filtered, into dst; the timeline follows its nodes
 * (a span's node is kept without a value of its own: its children have). */
static void rebuild_tree(rebuild *r)
{
    stack s = {0};
    const pk_profile *src = r->src;
    pk_id *map = src->timeline ? pk_xmalloc(src->nnodes * sizeof *map) : NULL;
    bool *span_node = pk_timeline_span_nodes(src);
    for (size_t i = 0; map && i < src->nnodes; i++)
        map[i] = PK_NONE;
    if (keeps_empty_stacks(r->f)) { /* samples without frames stay, at the root */
        for (int m = 0; m < src->nmetrics; m++)
            r->dst->nodes[0].self[m] += src->nodes[0].self[m];
        if (map) map[0] = 0;
    }
    for (size_t i = 1; i < src->nnodes; i++) {
        const pk_node *node = &src->nodes[i];
        if (!any_value(node, src->nmetrics) && !(span_node && span_node[i])) continue;
        load_stack(r, (pk_id)i, &s);
        if (!filter_stack(r, &s)) continue;
        pk_id leaf = pk_tree_add_stack(r->dst, s.func, s.line, s.n, node->self);
        if (map) map[i] = leaf;
    }
    free(s.func);
    free(s.line);
    free(span_node);
    if (map) {
        pk_timeline_copy_mapped(r->dst, src, map);
        free(map);
    }
    r->dst->has_tree = true;
    drop_unused_functions(r->dst);
    pk_derive_graph(r->dst);
    /* stacks as they were: each span kept is still one call */
    if (src->has_calls && pk_nspans(r->dst) && keeps_stacks(r)) pk_timeline_count_calls(r->dst);
    if (r->src->nlines) pk_derive_lines(r->dst);
}

/* Take dst's content into p; dst is freed with p's old content. */
static void replace(pk_profile *p, pk_profile *dst)
{
    pk_profile tmp = *p;
    *p = *dst;
    *dst = tmp;
    pk_profile_free(dst);
}

static int metric_of(const pk_filter *f, const pk_profile *p)
{
    return f->metric >= 0 && f->metric < p->nmetrics ? f->metric : 0;
}

/* Functions whose inclusive value is below the threshold. NULL if none. */
static bool *below_threshold(const pk_filter *f, const pk_profile *p)
{
    if (f->threshold <= 0 || p->nmetrics == 0) return NULL;
    int m = metric_of(f, p);
    double cut = f->threshold * (double)pk_total(p, m);
    bool *drop = pk_xcalloc(p->nfuncs + 1, sizeof *drop);
    bool any = false;
    for (size_t i = 0; i < p->nfuncs; i++)
        if ((double)p->funcs[i].incl[m] < cut) any = drop[i] = true;
    if (any) return drop;
    free(drop);
    return NULL;
}

/* Note which patterns match the functions as the filter rewrote them; -1
 * with err when one matches none and the caller does not check later. */
static int check_rewritten(rebuild *r, pk_error *err)
{
    for (size_t i = 0; i < r->src->nfuncs; i++) {
        pk_function fn = r->src->funcs[i];
        fn.name = r->name[i];
        fn.file = r->file[i];
        fn.line = r->line[i];
        note_matches(r->f, &fn);
    }
    return r->f->allow_unmatched ? 0 : pk_filter_check_matched(r->f, err);
}

/* The start of a rewrite of p: a new profile with p's header and r mapping
 * p's functions to their rewritten names; NULL (err set) when a pattern that
 * has to match matched nothing. */
static pk_profile *rewrite_start(pk_profile *p, pk_filter *f, rebuild *r, pk_error *err)
{
    pk_profile *dst = pk_profile_new();
    copy_header(dst, p);
    *r = (rebuild){.f = f, .src = p, .dst = dst};
    map_functions(r);
    if (check_rewritten(r, err) < 0) {
        rebuild_free(r);
        pk_profile_free(dst);
        return NULL;
    }
    return dst;
}

static int filter_stacks(pk_profile *p, pk_filter *f, pk_error *err)
{
    rebuild r;
    pk_profile *dst = rewrite_start(p, f, &r, err);
    if (!dst) return -1;
    rebuild_tree(&r);
    rebuild_free(&r);
    replace(p, dst);
    bool *drop = below_threshold(f, p);
    if (!drop) return 0;
    /* A second pass hides what the first left below the threshold. */
    pk_filter none;
    pk_filter_init(&none);
    dst = pk_profile_new();
    copy_header(dst, p);
    r = (rebuild){.f = &none, .src = p, .dst = dst};
    map_functions(&r);
    r.drop = drop;
    rebuild_tree(&r);
    rebuild_free(&r);
    free(drop);
    replace(p, dst);
    return 0;
}

/* ---- graph ---- */

/* Edges grouped by one end: the edges of function f are
 * edge[start[f]] .. edge[start[f + 1] - 1], in the profile's order. */
typedef struct {
    bool by_callee; /* grouped by callee (the edges into f), else by caller */
    size_t *start;  /* nfuncs + 1 offsets into edge */
    size_t *edge;   /* edge indexes */
} edge_index;

static void edge_index_build(const pk_profile *p, bool by_callee, edge_index *x)
{
    x->by_callee = by_callee;
    x->start = pk_xcalloc(p->nfuncs + 2, sizeof *x->start);
    x->edge = pk_xmalloc((p->nedges + 1) * sizeof *x->edge);
    for (size_t e = 0; e < p->nedges; e++)
        x->start[(by_callee ? p->edges[e].callee : p->edges[e].caller) + 1]++;
    for (size_t i = 0; i < p->nfuncs; i++)
        x->start[i + 1] += x->start[i];
    size_t *fill = pk_xmalloc((p->nfuncs + 1) * sizeof *fill);
    memcpy(fill, x->start, (p->nfuncs + 1) * sizeof *fill);
    for (size_t e = 0; e < p->nedges; e++)
        x->edge[fill[by_callee ? p->edges[e].callee : p->edges[e].caller]++] = e;
    free(fill);
}

static void edge_index_free(edge_index *x)
{
    free(x->start);
    free(x->edge);
}

/* The function at the other end of the k-th edge of the index. */
static pk_id edge_index_other(const pk_profile *p, const edge_index *x, size_t k)
{
    const pk_edge *e = &p->edges[x->edge[k]];
    return x->by_callee ? e->caller : e->callee;
}

/* Mark (reach[f] = 1) what the seeds reach within max_steps (0 = any),
 * not expanding past functions in stop. */
static void reach_from(const pk_profile *p, const edge_index *a, const bool *seed, const bool *stop,
                       int max_steps, bool *reach)
{
    size_t n = p->nfuncs;
    pk_id *queue = pk_xmalloc((n + 1) * sizeof *queue);
    int *dist = pk_xmalloc((n + 1) * sizeof *dist);
    size_t head = 0, tail = 0;
    for (size_t i = 0; i < n; i++) {
        reach[i] = seed[i];
        dist[i] = 1;
        if (seed[i]) queue[tail++] = (pk_id)i;
    }
    while (head < tail) {
        pk_id f = queue[head++];
        if ((stop && stop[f]) || (max_steps > 0 && dist[f] >= max_steps)) continue;
        for (size_t k = a->start[f]; k < a->start[f + 1]; k++) {
            pk_id g = edge_index_other(p, a, k);
            if (reach[g]) continue;
            reach[g] = true;
            dist[g] = dist[f] + 1;
            queue[tail++] = g;
        }
    }
    free(queue);
    free(dist);
}

/* Graph roots: functions nobody else calls (all functions if none). */
static void graph_roots(const pk_profile *p, bool *roots)
{
    bool any = false;
    for (size_t i = 0; i < p->nfuncs; i++)
        roots[i] = true;
    for (size_t i = 0; i < p->nedges; i++)
        if (p->edges[i].caller != p->edges[i].callee) roots[p->edges[i].callee] = false;
    for (size_t i = 0; i < p->nfuncs; i++)
        any |= roots[i];
    if (!any)
        for (size_t i = 0; i < p->nfuncs; i++)
            roots[i] = true;
}

typedef struct {
    pk_profile *p;
    edge_index out, in; /* edges by caller (to callees), by callee (to callers) */
    bool *seed, *reach, *keep;
} graph_ctx;

static bool matches(const pk_filter *f, const uint16_t *bits, pk_filter_regex which, size_t i)
{
    return f->nrx[which] && has(bits[i], which);
}

/* keep &= what the matches of which reach (callees: out, callers: in). */
static void keep_reached(graph_ctx *g, const pk_filter *f, const uint16_t *bits,
                         pk_filter_regex which, const edge_index *a, int steps)
{
    for (size_t i = 0; i < g->p->nfuncs; i++)
        g->seed[i] = matches(f, bits, which, i);
    reach_from(g->p, a, g->seed, NULL, steps, g->reach);
    for (size_t i = 0; i < g->p->nfuncs; i++)
        g->keep[i] &= g->reach[i];
}

static void focus_graph(graph_ctx *g, const pk_filter *f, const uint16_t *bits)
{
    size_t n = g->p->nfuncs;
    bool *down = pk_xmalloc((n + 1) * sizeof *down);
    for (size_t i = 0; i < n; i++)
        g->seed[i] = matches(f, bits, PK_FILTER_FOCUS, i);
    reach_from(g->p, &g->out, g->seed, NULL, 0, down);
    reach_from(g->p, &g->in, g->seed, NULL, 0, g->reach);
    for (size_t i = 0; i < n; i++)
        g->keep[i] &= down[i] || g->reach[i];
    free(down);
}

static void prune_graph(graph_ctx *g, const pk_filter *f, const uint16_t *bits)
{
    size_t n = g->p->nfuncs;
    bool *stop = pk_xmalloc((n + 1) * sizeof *stop);
    for (size_t i = 0; i < n; i++)
        stop[i] = matches(f, bits, PK_FILTER_PRUNE_FROM, i);
    graph_roots(g->p, g->seed);
    reach_from(g->p, &g->out, g->seed, stop, 0, g->reach);
    for (size_t i = 0; i < n; i++) {
        g->keep[i] &= g->reach[i];
        /* What the pruned callees took folds into the match, as on stacks. */
        if (stop[i] && g->reach[i])
            memcpy(g->p->funcs[i].self, g->p->funcs[i].incl,
                   (size_t)g->p->nmetrics * sizeof *g->p->funcs[i].self);
    }
    free(stop);
}

static void depth_graph(graph_ctx *g, const pk_filter *f, const uint16_t *bits)
{
    if (f->nrx[PK_FILTER_ROOT])
        keep_reached(g, f, bits, PK_FILTER_ROOT, &g->out, f->depth);
    else if (f->nrx[PK_FILTER_LEAF])
        keep_reached(g, f, bits, PK_FILTER_LEAF, &g->in, f->depth);
    else {
        graph_roots(g->p, g->seed);
        reach_from(g->p, &g->out, g->seed, NULL, f->depth, g->reach);
        for (size_t i = 0; i < g->p->nfuncs; i++)
            g->keep[i] &= g->reach[i];
    }
}

/* Which functions of the (rewritten) graph p the filter keeps. */
static bool *graph_keep(pk_profile *p, const pk_filter *f)
{
    size_t n = p->nfuncs;
    graph_ctx g = {.p = p};
    g.keep = pk_xmalloc((n + 1) * sizeof *g.keep);
    g.seed = pk_xmalloc((n + 1) * sizeof *g.seed);
    g.reach = pk_xmalloc((n + 1) * sizeof *g.reach);
    uint16_t *bits = pk_xmalloc((n + 1) * sizeof *bits);
    for (size_t i = 0; i < n; i++) {
        bits[i] = match_bits(f, &p->funcs[i]);
        g.keep[i] =
            !matches(f, bits, PK_FILTER_IGNORE, i) && !matches(f, bits, PK_FILTER_HIDE, i) &&
            !(f->nrx[PK_FILTER_SHOW] && !has(bits[i], PK_FILTER_SHOW)) && !(bits[i] & (1u << 14));
    }
    edge_index_build(p, false, &g.out);
    edge_index_build(p, true, &g.in);
    if (f->nrx[PK_FILTER_FOCUS]) focus_graph(&g, f, bits);
    if (f->nrx[PK_FILTER_SHOW_FROM]) keep_reached(&g, f, bits, PK_FILTER_SHOW_FROM, &g.out, 0);
    if (f->nrx[PK_FILTER_ROOT] && f->depth <= 0)
        keep_reached(&g, f, bits, PK_FILTER_ROOT, &g.out, 0);
    if (f->nrx[PK_FILTER_LEAF] && (f->depth <= 0 || f->nrx[PK_FILTER_ROOT]))
        keep_reached(&g, f, bits, PK_FILTER_LEAF, &g.in, 0);
    if (f->nrx[PK_FILTER_PRUNE_FROM]) prune_graph(&g, f, bits);
    if (f->depth > 0) depth_graph(&g, f, bits);
    bool *low = below_threshold(f, p);
    for (size_t i = 0; low && i < n; i++)
        g.keep[i] &= !low[i];
    free(low);
    edge_index_free(&g.out);
    edge_index_free(&g.in);
    free(g.seed);
    free(g.reach);
    free(bits);
    return g.keep;
}

static void add_values(int64_t *dst, const int64_t *src, int nm)
{
    for (int m = 0; m < nm; m++)
        dst[m] += src[m];
}

/* src's functions and edges into dst through map (PK_NONE drops). Returns
 * whether two functions became one (their inclusive values are then summed,
 * an estimate). */
static bool copy_graph(const pk_profile *src, pk_profile *dst, const pk_id *map, bool calls_ok)
{
    bool merged = false;
    int nm = src->nmetrics;
    uint8_t *used = pk_xcalloc(dst->nfuncs + 1, 1);
    for (size_t i = 0; i < src->nfuncs; i++) {
        if (map[i] == PK_NONE) continue;
        pk_function *d = &dst->funcs[map[i]];
        const pk_function *s = &src->funcs[i];
        merged |= used[map[i]]++ > 0;
        add_values(d->self, s->self, nm);
        add_values(d->incl, s->incl, nm);
        d->calls += s->calls;
        d->pcalls += s->pcalls;
    }
    for (size_t i = 0; i < src->nedges; i++) {
        const pk_edge *s = &src->edges[i];
        if (map[s->caller] == PK_NONE || map[s->callee] == PK_NONE) continue;
        pk_edge *d = pk_edge_get(dst, map[s->caller], map[s->callee]);
        add_values(d->self, s->self, nm);
        add_values(d->incl, s->incl, nm);
        d->calls += s->calls;
        d->pcalls += s->pcalls;
    }
    for (size_t i = 0; i < src->nlines; i++) { /* per-line values follow their function */
        const pk_line *s = &src->lines[i];
        if (map[s->func] != PK_NONE)
            add_values(pk_line_get(dst, map[s->func], s->line)->v, s->v, nm);
    }
    free(used);
    dst->has_graph = true;
    dst->has_calls = calls_ok;
    return merged;
}

/* ---- graph: values through the matches ----
 *
 * A call graph has no stacks, but its edges say how much of a callee's
 * inclusive value was spent in calls from each caller. That recomputes
 * --focus, --ignore, --root, --show-from and --leaf where it can: a match
 * keeps its own values, its direct callers their edges into it (exact), and
 * the rest is split in proportion along the edges -- what a function spends
 * under a match (its "down" fraction: the share of its inclusive value that
 * comes from calls made under a match) and what flows from it into a match
 * (its "up" fraction). Both are fixed points, found by relaxation from the
 * matches (recursion converges). Whatever is not exactly 0 or 1 is an
 * estimate, and the profile says so. */

/* frac[i * nm + m]: matches 1; down: the share of i's inclusive value spent
 * in calls from functions under a match; up: the share of it spent calling
 * into a match. */
static void propagate(const pk_profile *p, const bool *match, bool down, double *frac)
{
    int nm = p->nmetrics;
    size_t n = p->nfuncs;
    edge_index from, toward; /* from: edges bringing the fraction; toward: to visit next */
    edge_index_build(p, down, &from);
    edge_index_build(p, !down, &toward);
    pk_id *order = pk_xmalloc((n + 1) * sizeof *order);
    bool *seen = pk_xcalloc(n + 1, sizeof *seen);
    size_t norder = 0;
    for (size_t i = 0; i < n; i++) {
        for (int m = 0; m < nm; m++)
            frac[i * nm + m] = match[i] ? 1 : 0;
        if (match[i]) seen[i] = true, order[norder++] = (pk_id)i;
    }
    /* Breadth first from the matches, so chains settle in one pass. */
    for (size_t head = 0; head < norder; head++) {
        pk_id f = order[head];
        for (size_t k = toward.start[f]; k < toward.start[f + 1]; k++) {
            pk_id g = edge_index_other(p, &toward, k);
            if (!seen[g]) seen[g] = true, order[norder++] = g;
        }
    }
    for (int pass = 0; pass < 200; pass++) {
        bool changed = false;
        for (size_t o = 0; o < norder; o++) {
            pk_id f = order[o];
            if (match[f]) continue;
            for (int m = 0; m < nm; m++) {
                double sum = 0, most = 0;
                for (size_t k = from.start[f]; k < from.start[f + 1]; k++) {
                    const pk_edge *e = &p->edges[from.edge[k]];
                    if (e->caller == e->callee) continue;
                    double x = frac[(down ? e->caller : e->callee) * nm + m];
                    sum += (double)e->incl[m] * x;
                    if (x > most) most = x;
                }
                int64_t incl = p->funcs[f].incl[m];
                double v = incl > 0 ? sum / (double)incl : most;
                if (v > 1) v = 1;
                if (v - frac[f * nm + m] > 1e-12 || frac[f * nm + m] - v > 1e-12) changed = true;
                frac[f * nm + m] = v;
            }
        }
        if (!changed) break;
    }
    free(order);
    free(seen);
    edge_index_free(&from);
    edge_index_free(&toward);
}

static int64_t scaled(int64_t v, double factor)
{
    return factor >= 1 ? v : factor <= 0 ? 0 : llround((double)v * factor);
}

/* Calls through kept paths: at least one when any share is. */
static int64_t scaled_calls(int64_t v, double factor)
{
    int64_t n = scaled(v, factor);
    return n == 0 && v > 0 && factor > 0 ? 1 : n;
}

static bool inexact(double x)
{
    return x > 1e-12 && x < 1 - 1e-12;
}

/* One filter of the kind which, on p's graph, through the values. Returns
 * whether something was estimated. */
static bool flow_filter(pk_profile *p, pk_filter *f, pk_filter_regex which)
{
    size_t n = p->nfuncs;
    int nm = p->nmetrics, mc = metric_of(f, p);
    bool *match = pk_xcalloc(n + 1, sizeof *match);
    for (size_t i = 0; i < n; i++)
        match[i] = any_pattern(f, which, &p->funcs[i]);
    double *down = NULL, *up = NULL;
    bool focus = which == PK_FILTER_FOCUS || which == PK_FILTER_IGNORE;
    if (focus || which == PK_FILTER_ROOT || which == PK_FILTER_SHOW_FROM) {
        down = pk_xmalloc((n * nm + 1) * sizeof *down);
        propagate(p, match, true, down);
    }
    if (focus || which == PK_FILTER_LEAF) {
        up = pk_xmalloc((n * nm + 1) * sizeof *up);
        propagate(p, match, false, up);
    }
    /* Per function and metric: the share of its self and inclusive values
     * kept (for --ignore: the share through the matches, taken away). */
    double *fs = pk_xmalloc((n * nm + 1) * sizeof *fs), *fi = pk_xmalloc((n * nm + 1) * sizeof *fi);
    bool estimated = false;
    for (size_t i = 0; i < n; i++)
        for (int m = 0; m < nm; m++) {
            size_t k = i * nm + m;
            double d = down ? down[k] : 0, u = up ? up[k] : 0;
            if (match[i]) {
                fi[k] = fs[k] = 1;
            } else if (focus) {
                fi[k] = d > u ? d : u;
                fs[k] = d;
            } else if (which == PK_FILTER_LEAF) {
                fi[k] = u;
                fs[k] = 0;
            } else {
                fi[k] = fs[k] = d;
            }
            estimated |= inexact(fi[k]) || inexact(fs[k]);
        }
    bool ignore = which == PK_FILTER_IGNORE;
    pk_profile *dst = pk_profile_new();
    copy_header(dst, p);
    pk_id *map = pk_xmalloc((n + 1) * sizeof *map);
    for (size_t i = 0; i < n; i++) {
        const pk_function *src = &p->funcs[i];
        double keep_calls = ignore ? 1 - fi[i * nm + mc] : fi[i * nm + mc];
        bool kept = ignore ? !match[i] && keep_calls > 1e-12 : fi[i * nm + mc] > 0 || match[i];
        map[i] = PK_NONE;
        if (!kept) continue;
        /* d: the kept share of src (its own arrays: src's values stay) */
        int64_t self[PK_MAX_METRICS], incl[PK_MAX_METRICS];
        pk_function d = *src;
        d.self = self;
        d.incl = incl;
        bool any = match[i];
        for (int m = 0; m < nm; m++) {
            size_t k = i * nm + m;
            d.incl[m] =
                ignore ? src->incl[m] - scaled(src->incl[m], fi[k]) : scaled(src->incl[m], fi[k]);
            d.self[m] =
                ignore ? src->self[m] - scaled(src->self[m], fs[k]) : scaled(src->self[m], fs[k]);
            /* --leaf: what the cut callees took is the match's own */
            if (which == PK_FILTER_LEAF && match[i]) d.self[m] = d.incl[m];
            any |= d.incl[m] != 0;
        }
        d.calls = ignore ? src->calls - scaled(src->calls, 1 - keep_calls)
                         : scaled(src->calls, keep_calls);
        d.pcalls = ignore ? src->pcalls - scaled(src->pcalls, 1 - keep_calls)
                          : scaled(src->pcalls, keep_calls);
        /* What rounds to nothing is no longer there, as on stacks; what has
         * values was called at least once. */
        if (!any && d.calls == 0) continue;
        if (d.calls == 0 && src->calls > 0) d.calls = 1;
        if (d.pcalls == 0 && src->pcalls > 0) d.pcalls = 1;
        map[i] = pk_function_get(dst, src->name, src->file, src->line, src->kind);
        pk_function *to = &dst->funcs[map[i]];
        memcpy(to->self, d.self, (size_t)nm * sizeof *d.self);
        memcpy(to->incl, d.incl, (size_t)nm * sizeof *d.incl);
        to->calls = d.calls;
        to->pcalls = d.pcalls;
    }
    for (size_t e = 0; e < p->nedges; e++) {
        const pk_edge *s = &p->edges[e];
        if (map[s->caller] == PK_NONE || map[s->callee] == PK_NONE) continue;
        /* The share of the edge's calls made through a match. */
        double factor[PK_MAX_METRICS] = {0}, self_factor[PK_MAX_METRICS] = {0};
        for (int m = 0; m < nm; m++) {
            double dc = down ? down[s->caller * nm + m] : 0, ub = up ? up[s->callee * nm + m] : 0;
            if (match[s->callee] && which != PK_FILTER_ROOT && which != PK_FILTER_SHOW_FROM)
                factor[m] = self_factor[m] = 1;
            else if (focus)
                factor[m] = dc > ub ? dc : ub, self_factor[m] = dc;
            else if (which == PK_FILTER_LEAF)
                factor[m] = ub, self_factor[m] = 0;
            else
                factor[m] = self_factor[m] = dc;
            estimated |= inexact(factor[m]) || inexact(self_factor[m]);
        }
        double fc = ignore ? 1 - factor[mc] : factor[mc];
        if (fc <= 0 && !ignore) continue;
        pk_edge *d = pk_edge_get(dst, map[s->caller], map[s->callee]);
        for (int m = 0; m < nm; m++) {
            d->incl[m] =
                ignore ? s->incl[m] - scaled(s->incl[m], factor[m]) : scaled(s->incl[m], factor[m]);
            d->self[m] = ignore ? s->self[m] - scaled(s->self[m], self_factor[m])
                                : scaled(s->self[m], self_factor[m]);
            if (which == PK_FILTER_LEAF && match[s->callee]) d->self[m] = d->incl[m];
        }
        d->calls = ignore ? scaled(s->calls, fc) : scaled_calls(s->calls, fc);
        d->pcalls = ignore ? scaled(s->pcalls, fc) : scaled_calls(s->pcalls, fc);
    }
    for (size_t i = 0; i < p->nlines; i++) {
        const pk_line *s = &p->lines[i];
        if (map[s->func] == PK_NONE) continue;
        pk_line *d = pk_line_get(dst, map[s->func], s->line);
        for (int m = 0; m < nm; m++) {
            double x = fi[s->func * nm + m];
            d->v[m] += ignore ? s->v[m] - scaled(s->v[m], x) : scaled(s->v[m], x);
        }
    }
    dst->has_graph = true;
    dst->has_calls = p->has_calls;
    replace(p, dst);
    free(map);
    free(match);
    free(down);
    free(up);
    free(fs);
    free(fi);
    return estimated;
}

static int filter_graph(pk_profile *p, pk_filter *f, pk_error *err)
{
    bool estimated = false;
    if (rewrites(f)) {
        rebuild r;
        pk_profile *dst = rewrite_start(p, f, &r, err);
        if (!dst) return -1;
        map_all(&r);
        estimated = copy_graph(p, dst, r.fmap, p->has_calls);
        rebuild_free(&r);
        replace(p, dst);
    } else {
        for (size_t i = 0; i < p->nfuncs; i++)
            note_matches(f, &p->funcs[i]);
        if (!f->allow_unmatched && pk_filter_check_matched(f, err) < 0) return -1;
    }
    /* What values can follow, first; then what only removes functions. */
    static const pk_filter_regex flows[] = {PK_FILTER_IGNORE, PK_FILTER_FOCUS, PK_FILTER_SHOW_FROM,
                                            PK_FILTER_ROOT, PK_FILTER_LEAF};
    bool flowed = false;
    for (size_t k = 0; k < sizeof flows / sizeof flows[0]; k++)
        if (f->nrx[flows[k]]) flowed |= flow_filter(p, f, flows[k]);
    estimated |= flowed;
    bool *keep = graph_keep(p, f);
    pk_id *map = pk_xmalloc((p->nfuncs + 1) * sizeof *map);
    pk_profile *dst = pk_profile_new();
    copy_header(dst, p);
    for (size_t i = 0; i < p->nfuncs; i++) {
        const pk_function *fn = &p->funcs[i];
        map[i] = keep[i] ? pk_function_get(dst, fn->name, fn->file, fn->line, fn->kind) : PK_NONE;
        estimated |= !keep[i];
    }
    copy_graph(p, dst, map, p->has_calls);
    free(keep);
    free(map);
    replace(p, dst);
    if (estimated)
        pk_meta_set(p, "filter.estimated",
                    "a call graph filtered without its stacks: values beyond the matches and "
                    "their direct callers are estimated in proportion to the calls");
    return 0;
}

int64_t pk_filter_time_ns(double seconds)
{
    double ns = seconds * 1e9;
    if (!isfinite(ns)) return ns < 0 ? INT64_MIN : INT64_MAX;
    return ns <= -9.2e18 ? INT64_MIN : ns >= 9.2e18 ? INT64_MAX : (int64_t)llround(ns);
}

/* Keep f's window of p's timeline (the tree is rebuilt by the caller), or
 * note the one the reader kept. */
static int apply_time(pk_profile *p, const pk_filter *f, pk_error *err)
{
    if (!p->time_windowed && (!pk_timeline_timed(p) || !p->has_tree || p->estimated)) {
        pk_error_set(err, "has no timeline: --time needs samples or events with times");
        return -1;
    }
    if (!p->time_windowed)
        pk_timeline_window(p, pk_filter_time_ns(f->time_from), pk_filter_time_ns(f->time_to));
    char from_s[32] = "", to_s[32] = "", text[80];
    if (isfinite(f->time_from)) snprintf(from_s, sizeof from_s, "%.9g", f->time_from);
    if (isfinite(f->time_to)) snprintf(to_s, sizeof to_s, "%.9g", f->time_to);
    snprintf(text, sizeof text, "%s:%s", from_s, to_s);
    pk_meta_set(p, "time.window_s", text);
    return 0;
}

int pk_filter_apply(pk_profile *p, pk_filter *f, pk_error *err)
{
    if (pk_filter_active(f)) {
        if (f->time_set && apply_time(p, f, err) < 0) return -1;
        int rc = p->has_tree && !p->estimated ? filter_stacks(p, f, err) : filter_graph(p, f, err);
        if (rc < 0) return rc;
    }
    /* Every view is by function unless lines were asked for: the frames a
     * function had at different lines become one (docs/identity.md). */
    if (f->granularity != PK_GRANULARITY_LINE) pk_tree_by_function(p);
    return 0;
}

/* ---- scaling ---- */

static void scale_values(int64_t *v, int nm, int64_t num, int64_t den)
{
    for (int m = 0; m < nm; m++)
        v[m] = (int64_t)((double)v[m] * (double)num / (double)den);
}

void pk_profile_scale(pk_profile *p, int64_t num, int64_t den)
{
    if (den == 0) return;
    int nm = p->nmetrics;
    for (size_t i = 0; i < p->nnodes; i++)
        scale_values(p->nodes[i].self, nm, num, den);
    for (size_t i = 0; i < p->nlines; i++)
        scale_values(p->lines[i].v, nm, num, den);
    for (size_t i = 0; i < p->ncallsites; i++)
        scale_values(p->callsites[i].incl, nm, num, den);
    if (p->has_tree && !p->estimated) {
        /* Stacks scale one by one (as difffolded.pl -n); the rest follows. */
        pk_derive_graph(p);
        return;
    }
    for (size_t i = 0; i < p->nfuncs; i++) {
        scale_values(p->funcs[i].self, nm, num, den);
        scale_values(p->funcs[i].incl, nm, num, den);
    }
    for (size_t i = 0; i < p->nedges; i++) {
        scale_values(p->edges[i].self, nm, num, den);
        scale_values(p->edges[i].incl, nm, num, den);
    }
}
