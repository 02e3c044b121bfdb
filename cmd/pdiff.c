/* pdiff: what changed between two profiles of any format. */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/hmap.h"
#include "../lib/pattern.h"
#include "cli.h"

typedef struct {
    pk_cli cli;
    pk_pattern *fail_on; /* --fail-on, or NULL */
    long rows;
    bool json, lines, normalize, sort_self;
    double fail_above; /* percent, < 0 when unset */
} options;

/* ---- the differential profile: metric 0 "before", 1 "after" ---- */

enum { BEFORE = 0, AFTER = 1 };

static void put_value(int64_t *dst, int col, const int64_t *src, int m)
{
    dst[col] = src[m];
}

/* Add side's graph (and tree, when it has one) into column col of d. */
static void add_side(pk_profile *d, const pk_profile *s, int m, int col)
{
    pk_id *fmap = pk_xmalloc((s->nfuncs + 1) * sizeof *fmap);
    for (size_t i = 0; i < s->nfuncs; i++) {
        const pk_function *f = &s->funcs[i];
        fmap[i] = pk_function_get(d, f->name, f->file, f->line, f->kind);
        pk_function *g = &d->funcs[fmap[i]];
        put_value(g->self, col, f->self, m);
        put_value(g->incl, col, f->incl, m);
    }
    for (size_t i = 0; i < s->nedges; i++) {
        const pk_edge *e = &s->edges[i];
        pk_edge *g = pk_edge_get(d, fmap[e->caller], fmap[e->callee]);
        put_value(g->self, col, e->self, m);
        put_value(g->incl, col, e->incl, m);
    }
    if (s->has_tree) {
        pk_id *nmap = pk_xmalloc(s->nnodes * sizeof *nmap);
        nmap[0] = 0;
        for (size_t i = 1; i < s->nnodes; i++) {
            const pk_node *n = &s->nodes[i];
            nmap[i] = pk_tree_child(d, nmap[n->parent], fmap[n->func], n->line);
            d->nodes[nmap[i]].self[col] += n->self[m];
        }
        free(nmap);
        d->has_tree = true;
    }
    free(fmap);
}

static pk_profile *build_diff(pk_profile *before, int mb, pk_profile *after, int ma, bool want_tree)
{
    pk_profile *d = pk_profile_new();
    const char *unit = after->metrics[ma].unit;
    pk_add_metric(d, "before", unit);
    pk_add_metric(d, "after", unit);
    d->format = pk_intern_cstr(d, "diff");
    /* Stack outputs need stacks on both sides: estimated for a graph. */
    if (want_tree) {
        pk_ensure_tree(before);
        pk_ensure_tree(after);
    }
    add_side(d, before, mb, BEFORE);
    add_side(d, after, ma, AFTER);
    d->has_graph = true;
    d->estimated = before->estimated || after->estimated;
    if (d->estimated) pk_meta_set(d, "diff.estimated", "stacks estimated from a call graph");
    /* The table comes from the graphs: estimated only where a filter was. */
    if (pk_meta_get(before, "filter.estimated") || pk_meta_get(after, "filter.estimated"))
        pk_meta_set(d, "filter.estimated", "graph profile filtered or functions merged");
    return d;
}

/* ---- choosing the metric ---- */

static int pick_metrics(const options *o, const pk_profile *b, const pk_profile *a, int *mb,
                        int *ma, pk_error *err)
{
    const char *name = o->cli.metric ? o->cli.metric : (a->nmetrics ? a->metrics[0].name : "");
    *ma = pk_metric_find(a, name);
    *mb = pk_metric_find(b, name);
    /* Without --metric, two single-metric profiles of one unit compare. */
    if (!o->cli.metric && *mb < 0 && a->nmetrics && b->nmetrics &&
        strcmp(a->metrics[0].unit, b->metrics[0].unit) == 0)
        *mb = 0;
    if (*ma < 0 || *mb < 0) {
        pk_error_set(err, "no metric '%s' in both profiles (before: %s, after: %s)", name,
                     b->nmetrics ? b->metrics[0].name : "none",
                     a->nmetrics ? a->metrics[0].name : "none");
        return -1;
    }
    if (strcmp(a->metrics[*ma].unit, b->metrics[*mb].unit) != 0) {
        pk_error_set(err, "metric '%s' is in %s before and %s after", name, b->metrics[*mb].unit,
                     a->metrics[*ma].unit);
        return -1;
    }
    return 0;
}

/* ---- the table ---- */

static double pct(int64_t before, int64_t after)
{
    return before ? 100.0 * (double)(after - before) / (double)llabs(before) : NAN;
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? -v : v;
}

static const pk_profile *sort_profile;
static bool sort_by_self;

static int cmp_rows(const void *x, const void *y)
{
    const pk_function *a = &sort_profile->funcs[*(const pk_id *)x];
    const pk_function *b = &sort_profile->funcs[*(const pk_id *)y];
    int64_t ia = abs64(a->incl[AFTER] - a->incl[BEFORE]),
            ib = abs64(b->incl[AFTER] - b->incl[BEFORE]);
    int64_t sa = abs64(a->self[AFTER] - a->self[BEFORE]),
            sb = abs64(b->self[AFTER] - b->self[BEFORE]);
    int64_t ka = sort_by_self ? sa : ia, kb = sort_by_self ? sb : ib;
    if (ka != kb) return ka > kb ? -1 : 1;
    int64_t la = sort_by_self ? ia : sa, lb = sort_by_self ? ib : sb;
    if (la != lb) return la > lb ? -1 : 1;
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->file, b->file);
}

static const char *status_of(const pk_function *f)
{
    bool was = f->incl[BEFORE] || f->self[BEFORE], is = f->incl[AFTER] || f->self[AFTER];
    return was && !is ? "gone" : !was && is ? "new" : "";
}

/* Rows that changed or exist, sorted. */
static pk_id *table_rows(const pk_profile *d, size_t *n)
{
    pk_id *rows = pk_xmalloc((d->nfuncs + 1) * sizeof *rows);
    size_t k = 0;
    for (size_t i = 0; i < d->nfuncs; i++) {
        const pk_function *f = &d->funcs[i];
        if (f->incl[BEFORE] || f->incl[AFTER] || f->self[BEFORE] || f->self[AFTER])
            rows[k++] = (pk_id)i;
    }
    sort_profile = d;
    qsort(rows, k, sizeof *rows, cmp_rows);
    *n = k;
    return rows;
}

static void fmt_pct(char *buf, size_t size, int64_t before, int64_t after)
{
    double p = pct(before, after);
    if (isnan(p))
        snprintf(buf, size, "%s", after ? "new" : "");
    else
        snprintf(buf, size, "%+.1f%%", p);
}

static void print_cells(FILE *f, int64_t before, int64_t after)
{
    char p[32];
    fmt_pct(p, sizeof p, before, after);
    fprintf(f, " %14" PRId64 " %14" PRId64 " %+14" PRId64 " %8s", before, after, after - before, p);
}

static void print_text(FILE *out, const pk_profile *d, const char *metric, const pk_id *rows,
                       size_t nrows, size_t limit)
{
    int64_t tb = pk_total(d, BEFORE), ta = pk_total(d, AFTER);
    char p[32];
    fmt_pct(p, sizeof p, tb, ta);
    fprintf(out, "metric: %s (%s)%s\n", metric, d->metrics[AFTER].unit,
            pk_meta_get(d, "filter.estimated") ? "  [estimated: functions of a call graph merged]"
                                               : "");
    fprintf(out, "total: before %" PRId64 ", after %" PRId64 ", change %+" PRId64 " (%s)\n\n", tb,
            ta, ta - tb, p);
    fprintf(out, "%-5s %14s %14s %14s %8s %14s %14s %14s %8s  %s\n", "", "self before",
            "self after", "self change", "self %", "incl before", "incl after", "incl change",
            "incl %", "function");
    for (size_t i = 0; i < nrows && i < limit; i++) {
        const pk_function *f = &d->funcs[rows[i]];
        fprintf(out, "%-5s", status_of(f));
        print_cells(out, f->self[BEFORE], f->self[AFTER]);
        print_cells(out, f->incl[BEFORE], f->incl[AFTER]);
        fprintf(out, "  %s", f->name);
        if (*f->file) fprintf(out, " (%s)", f->file);
        if (f->line > 0) fprintf(out, ":%" PRId32, f->line);
        fputc('\n', out);
    }
}

static json_t *json_change(int64_t before, int64_t after)
{
    double p = pct(before, after);
    return json_pack("{s:I, s:I, s:I, s:o}", "before", (json_int_t)before, "after",
                     (json_int_t)after, "change", (json_int_t)(after - before), "change_pct",
                     isnan(p) ? json_null() : json_real(p));
}

static int print_json(FILE *out, const pk_profile *d, const char *metric, const pk_id *rows,
                      size_t nrows, size_t limit)
{
    json_t *funcs = json_array();
    for (size_t i = 0; i < nrows && i < limit; i++) {
        const pk_function *f = &d->funcs[rows[i]];
        json_array_append_new(funcs, json_pack("{s:s, s:s, s:i, s:s, s:o, s:o}", "name", f->name,
                                               "file", f->file, "line", (int)f->line, "status",
                                               *status_of(f) ? status_of(f) : "changed", "self",
                                               json_change(f->self[BEFORE], f->self[AFTER]), "incl",
                                               json_change(f->incl[BEFORE], f->incl[AFTER])));
    }
    json_t *root =
        json_pack("{s:s, s:s, s:b, s:o, s:o}", "metric", metric, "unit", d->metrics[AFTER].unit,
                  "estimated", pk_meta_get(d, "filter.estimated") != NULL, "total",
                  json_change(pk_total(d, BEFORE), pk_total(d, AFTER)), "functions", funcs);
    int rc = json_dumpf(root, out, JSON_INDENT(1) | JSON_ENSURE_ASCII);
    fputc('\n', out);
    json_decref(root);
    return rc;
}

/* ---- --fail-above ---- */

static bool grew_above(int64_t before, int64_t after, double limit)
{
    if (after <= before) return false;
    return before <= 0 || 100.0 * (double)(after - before) / (double)before > limit;
}

static bool check_failure(const options *o, const pk_profile *d)
{
    if (o->fail_above < 0) return false;
    bool failed = false;
    int64_t tb = pk_total(d, BEFORE), ta = pk_total(d, AFTER);
    if (grew_above(tb, ta, o->fail_above)) {
        fprintf(stderr, "%s: total grew by more than %g%%: %" PRId64 " -> %" PRId64 "\n",
                pk_cli_name, o->fail_above, tb, ta);
        failed = true;
    }
    for (size_t i = 0; o->fail_on && i < d->nfuncs; i++) {
        const pk_function *f = &d->funcs[i];
        bool match = pk_pattern_match_function(o->fail_on, f);
        if (match && grew_above(f->incl[BEFORE], f->incl[AFTER], o->fail_above)) {
            fprintf(stderr, "%s: %s grew by more than %g%%: %" PRId64 " -> %" PRId64 "\n",
                    pk_cli_name, f->name, o->fail_above, f->incl[BEFORE], f->incl[AFTER]);
            failed = true;
        }
    }
    return failed;
}

/* ---- main ---- */

static int own_option(void *ctx, int id, const char *arg)
{
    options *o = ctx;
    char *end;
    switch (id) {
    case PK_O_DIFF_SORT:
        if (strcmp(arg, "self") && strcmp(arg, "incl"))
            return pk_cli_usage_error("bad --sort '%s' (incl or self)", arg);
        o->sort_self = strcmp(arg, "self") == 0;
        return 0;
    case PK_O_JSON:
        o->json = true;
        return 0;
    case PK_O_LINES:
        o->lines = true;
        return 0;
    case PK_O_NORMALIZE:
        o->normalize = true;
        return 0;
    case PK_O_FAIL_ABOVE:
        o->fail_above = strtod(arg, &end);
        if (*end == '%') end++;
        if (*end || end == arg || !(o->fail_above >= 0))
            return pk_cli_usage_error("bad --fail-above '%s'", arg);
        return 0;
    case PK_O_FAIL_ON: {
        pk_error err;
        if (o->fail_on) return pk_cli_usage_error("--fail-on given twice");
        if (!(o->fail_on = pk_pattern_new(arg, &err)))
            return pk_cli_usage_error("--fail-on: %s", err.msg);
        return 0;
    }
    }
    return 0;
}

static int parse_options(int argc, char **argv, options *o)
{
    int rc = pk_cli_parse(&o->cli, "pdiff", argc, argv, own_option, o);
    if (rc) return rc;
    o->rows = o->cli.rows < 0 ? 20 : o->cli.rows;
    o->cli.filter.allow_unmatched = true; /* checked over both sides */
    if (o->fail_on && o->fail_above < 0) return pk_cli_usage_error("--fail-on needs --fail-above");
    /* Functions match by (file, name) unless asked otherwise. */
    if (!o->lines && o->cli.filter.granularity == PK_GRANULARITY_KEEP)
        o->cli.filter.granularity = PK_GRANULARITY_FUNCTION;
    return 0;
}

static pk_profile *read_side(options *o, const char *path, pk_error *err)
{
    pk_profile *p = pk_read_profile(path, o->cli.from, &o->cli.read, err);
    if (!p) return NULL;
    pk_ensure_graph(p);
    if (pk_cli_apply_filter(p, &o->cli.filter, NULL, err) < 0) {
        pk_profile_free(p);
        return NULL;
    }
    return p;
}

static int write_diff(const options *o, pk_profile *d, pk_error *err)
{
    pk_write_options wopt = o->cli.write;
    /* difffolded.pl's two-count lines are what the collapsed writer
     * writes for a before/after profile. */
    const char *to = o->cli.to && strcmp(o->cli.to, "difffolded") == 0 ? "collapsed" : o->cli.to;
    /* Flame graphs and folded stacks show both columns (metric -1); other
     * formats draw one metric: the after profile's. */
    const pk_format *fmt = to ? pk_format_by_name(to) : pk_format_for_path(o->cli.output, true);
    if (fmt && strncmp(fmt->name, "flamegraph", 10) != 0 && strcmp(fmt->name, "collapsed") != 0 &&
        strcmp(fmt->name, "html") != 0)
        wopt.metric = AFTER;
    return pk_write_profile(d, o->cli.output, to, &wopt, err);
}

/* --fail-on matching no function could never fire: an error. */
static bool fail_on_matches(const options *o, const pk_profile *b, const pk_profile *a,
                            pk_error *err)
{
    if (!o->fail_on) return true;
    for (int side = 0; side < 2; side++) {
        const pk_profile *p = side ? a : b;
        for (size_t i = 0; i < p->nfuncs; i++)
            if (pk_pattern_match_function(o->fail_on, &p->funcs[i])) return true;
    }
    pk_error_set(err, "--fail-on '%s': matches no function", pk_pattern_text(o->fail_on));
    return false;
}

static int run(options *o, char **inputs)
{
    pk_error err = {{0}};
    pk_profile *before = read_side(o, inputs[0], &err), *after = NULL, *d = NULL;
    int rc = PK_EXIT_ERROR, mb, ma;
    /* A filter's pattern has to match a function on either side. */
    if (!before || !(after = read_side(o, inputs[1], &err)) ||
        pk_filter_check_matched(&o->cli.filter, &err) < 0 ||
        !fail_on_matches(o, before, after, &err) ||
        pick_metrics(o, before, after, &mb, &ma, &err) < 0) {
        pk_cli_error(&err);
        goto done;
    }
    int64_t tb = pk_total(before, mb), ta = pk_total(after, ma);
    if (o->normalize && tb) pk_profile_scale(before, ta, tb);
    d = build_diff(before, mb, after, ma, o->cli.output != NULL);
    sort_by_self = o->sort_self;
    size_t nrows;
    pk_id *rows = table_rows(d, &nrows);
    const char *metric = after->metrics[ma].name;
    /* With -o - the profile takes stdout and the table goes to stderr. */
    FILE *table = o->cli.output && strcmp(o->cli.output, "-") == 0 ? stderr : stdout;
    if (o->json)
        print_json(table, d, metric, rows, nrows, (size_t)o->rows);
    else
        print_text(table, d, metric, rows, nrows, (size_t)o->rows);
    free(rows);
    if (fflush(table) != 0) {
        pk_error_set(&err, "cannot write the table");
        pk_cli_error(&err);
        goto done;
    }
    if (o->cli.output && write_diff(o, d, &err) < 0) {
        pk_cli_error(&err);
        goto done;
    }
    rc = check_failure(o, d) ? PK_EXIT_CHECK : PK_EXIT_OK;
done:
    pk_profile_free(before);
    pk_profile_free(after);
    pk_profile_free(d);
    return rc;
}

int main(int argc, char **argv)
{
    options o = {.fail_above = -1};
    int rc = parse_options(argc, argv, &o);
    if (rc == 0) rc = run(&o, o.cli.inputs);
    pk_cli_free(&o.cli);
    pk_pattern_free(o.fail_on);
    return rc < 0 ? PK_EXIT_OK : rc;
}
