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
    bool json, lines, normalize, full_paths;
    int sort;          /* SORT_* */
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
    /* decimal values (scalene's percentages) compare as they are when both
     * sides have the same decimals */
    if (before->metrics[mb].decimals == after->metrics[ma].decimals)
        d->metrics[BEFORE].decimals = d->metrics[AFTER].decimals = after->metrics[ma].decimals;
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

/* ---- values for people: one unit for the whole table ---- */

typedef struct {
    const char *suffix; /* " s", " MiB", "" */
    double div;
    int decimals;
} scale;

/* The unit of a table whose largest value is big: seconds down to
 * nanoseconds, bytes up to GiB; counts as they are. */
static scale pick_scale(const pk_metric *m, int64_t big)
{
    const char *unit = m->unit;
    double b = (double)abs64(big);
    if (m->decimals > 0)
        return (scale){strcmp(unit, "%") == 0 ? " %" : "", pow(10, m->decimals), 3};
    if (strcmp(unit, "ns") == 0) {
        if (b >= 1e9) return (scale){" s", 1e9, 3};
        if (b >= 1e6) return (scale){" ms", 1e6, 3};
        if (b >= 1e3) return (scale){" \xC2\xB5s", 1e3, 3};
        return (scale){" ns", 1, 0};
    }
    if (strcmp(unit, "bytes") == 0) {
        if (b >= 1073741824.0) return (scale){" GiB", 1073741824.0, 3};
        if (b >= 1048576.0) return (scale){" MiB", 1048576.0, 3};
        if (b >= 1024.0) return (scale){" KiB", 1024.0, 3};
        return (scale){" B", 1, 0};
    }
    return (scale){"", 1, 0};
}

static void fmt_value(char *buf, size_t size, const scale *sc, int64_t v, bool sign)
{
    if (sc->decimals == 0)
        snprintf(buf, size, sign ? "%+" PRId64 "%s" : "%" PRId64 "%s", v, sc->suffix);
    else
        snprintf(buf, size, sign ? "%+.*f%s" : "%.*f%s", sc->decimals, (double)v / sc->div,
                 sc->suffix);
}

static void fmt_pct(char *buf, size_t size, int64_t before, int64_t after)
{
    double p = pct(before, after);
    if (isnan(p))
        snprintf(buf, size, "%s", after ? "new" : "");
    else if (after == 0 && before != 0)
        snprintf(buf, size, "gone");
    else
        snprintf(buf, size, "%+.1f %%", p);
}

/* ---- the rows ---- */

enum { SORT_SELF, SORT_INCL, SORT_PCT, SORT_NAME };

static const pk_profile *sort_profile;
static int sort_key;

/* |relative change| of the self values: a new function first. */
static double pct_key(const pk_function *f)
{
    if (f->self[BEFORE] == 0) return f->self[AFTER] ? INFINITY : 0;
    return fabs(pct(f->self[BEFORE], f->self[AFTER]));
}

static int cmp_names(const pk_function *a, const pk_function *b)
{
    int c = strcmp(a->name, b->name);
    if (!c) c = strcmp(a->file, b->file);
    return c ? c : (a->line > b->line) - (a->line < b->line);
}

static int cmp_rows(const void *x, const void *y)
{
    const pk_function *a = &sort_profile->funcs[*(const pk_id *)x];
    const pk_function *b = &sort_profile->funcs[*(const pk_id *)y];
    if (sort_key == SORT_NAME) return cmp_names(a, b);
    int64_t ia = abs64(a->incl[AFTER] - a->incl[BEFORE]),
            ib = abs64(b->incl[AFTER] - b->incl[BEFORE]);
    int64_t sa = abs64(a->self[AFTER] - a->self[BEFORE]),
            sb = abs64(b->self[AFTER] - b->self[BEFORE]);
    if (sort_key == SORT_PCT) {
        double pa = pct_key(a), pb = pct_key(b);
        if (pa != pb) return pa > pb ? -1 : 1;
    }
    int64_t ka = sort_key == SORT_INCL ? ia : sa, kb = sort_key == SORT_INCL ? ib : sb;
    if (ka != kb) return ka > kb ? -1 : 1;
    int64_t la = sort_key == SORT_INCL ? sa : ia, lb = sort_key == SORT_INCL ? sb : ib;
    if (la != lb) return la > lb ? -1 : 1;
    return cmp_names(a, b);
}

static const char *status_of(const pk_function *f)
{
    bool was = f->incl[BEFORE] || f->self[BEFORE], is = f->incl[AFTER] || f->self[AFTER];
    return was && !is ? "gone" : !was && is ? "new" : "";
}

/* Rows that changed or exist, sorted by key. */
static pk_id *table_rows(const pk_profile *d, int key, size_t *n)
{
    pk_id *rows = pk_xmalloc((d->nfuncs + 1) * sizeof *rows);
    size_t k = 0;
    for (size_t i = 0; i < d->nfuncs; i++) {
        const pk_function *f = &d->funcs[i];
        if (f->incl[BEFORE] || f->incl[AFTER] || f->self[BEFORE] || f->self[AFTER])
            rows[k++] = (pk_id)i;
    }
    sort_profile = d;
    sort_key = key;
    pk_sort(rows, k, sizeof *rows, cmp_rows);
    *n = k;
    return rows;
}

/* "name (file:line)", control characters as spaces. */
static void put_function(FILE *out, const pk_function *f)
{
    for (const char *c = f->name; *c; c++)
        fputc((unsigned char)*c < 0x20 ? ' ' : *c, out);
    if (*f->file) {
        fputs(" (", out);
        for (const char *c = f->file; *c; c++)
            fputc((unsigned char)*c < 0x20 ? ' ' : *c, out);
        if (f->line > 0) fprintf(out, ":%" PRId32, f->line);
        fputc(')', out);
    }
}

/* "1.155 s -> 2.211 s  +1.056 s  +91.4 %", columns aligned. */
static void print_cells(FILE *out, const scale *sc, int64_t before, int64_t after)
{
    char b[48], a[48], c[48], p[32];
    fmt_value(b, sizeof b, sc, before, false);
    fmt_value(a, sizeof a, sc, after, false);
    fmt_value(c, sizeof c, sc, after - before, true);
    fmt_pct(p, sizeof p, before, after);
    fprintf(out, " %12s \xE2\x86\x92 %-12s %12s %9s", b, a, c, p);
}

/* The biggest movers by self change, as "name +1.2 s (+570.0 %)". */
static void print_movers(FILE *out, const pk_profile *d, const scale *sc)
{
    size_t n;
    pk_id *rows = table_rows(d, SORT_SELF, &n);
    int shown = 0;
    for (size_t i = 0; i < n && shown < 3; i++) {
        const pk_function *f = &d->funcs[rows[i]];
        int64_t change = f->self[AFTER] - f->self[BEFORE];
        if (change == 0) break;
        char c[48], p[32];
        fmt_value(c, sizeof c, sc, change, true);
        fmt_pct(p, sizeof p, f->self[BEFORE], f->self[AFTER]);
        fprintf(out, "%s", shown ? ", " : "; biggest movers (self): ");
        for (const char *ch = f->name; *ch; ch++)
            fputc((unsigned char)*ch < 0x20 ? ' ' : *ch, out);
        fprintf(out, " %s (%s)", c, p);
        shown++;
    }
    free(rows);
}

static bool paths_normalized(const pk_profile *d)
{
    for (size_t i = 0; i < d->nfuncs; i++)
        if (strncmp(d->funcs[i].file, "<stdlib>/", 9) == 0 ||
            strncmp(d->funcs[i].file, "<site-packages>/", 16) == 0)
            return true;
    return false;
}

static void print_text(FILE *out, const pk_profile *d, const char *metric, const pk_id *rows,
                       size_t nrows, size_t limit, bool lines)
{
    int64_t tb = pk_total(d, BEFORE), ta = pk_total(d, AFTER);
    scale sc = pick_scale(&d->metrics[AFTER], tb > ta ? tb : ta);
    char b[48], a[48], c[48], p[32];
    fmt_value(b, sizeof b, &sc, tb, false);
    fmt_value(a, sizeof a, &sc, ta, false);
    fmt_value(c, sizeof c, &sc, ta - tb, true);
    fmt_pct(p, sizeof p, tb, ta);
    /* The verdict, in one line. */
    fprintf(out, "%s: %s \xE2\x86\x92 %s (%s, %s)", metric, b, a, c, p);
    print_movers(out, d, &sc);
    fputc('\n', out);
    fprintf(out, "functions matched by file and name%s%s\n", lines ? " and first line" : "",
            paths_normalized(d) ? "; standard library and site-packages files by their path "
                                  "below that root (--full-paths: whole paths)"
                                : "");
    const char *estimated = pk_meta_get(d, "filter.estimated");
    if (estimated) fprintf(out, "estimated: %s\n", estimated);
    if (limit == 0 || nrows == 0) return;
    fprintf(out, "\n%-5s %12s   %-12s %12s %9s %12s   %-12s %12s %9s  %s\n", "", "self before",
            "after", "change", "", "incl before", "after", "change", "", "function");
    for (size_t i = 0; i < nrows && i < limit; i++) {
        const pk_function *f = &d->funcs[rows[i]];
        fprintf(out, "%-5s", status_of(f));
        print_cells(out, &sc, f->self[BEFORE], f->self[AFTER]);
        print_cells(out, &sc, f->incl[BEFORE], f->incl[AFTER]);
        fputs("  ", out);
        put_function(out, f);
        fputc('\n', out);
    }
    if (nrows > limit) fprintf(out, "(%zu more: -n all)\n", nrows - limit);
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

static void print_grew(const pk_profile *d, const char *what, double limit, int64_t before,
                       int64_t after)
{
    scale sc = pick_scale(&d->metrics[AFTER], before > after ? before : after);
    char b[48], a[48], p[32];
    fmt_value(b, sizeof b, &sc, before, false);
    fmt_value(a, sizeof a, &sc, after, false);
    fmt_pct(p, sizeof p, before, after);
    fprintf(stderr, "%s: %s grew by more than %g %%: %s \xE2\x86\x92 %s (%s)\n", pk_cli_name, what,
            limit, b, a, p);
}

static bool check_failure(const options *o, const pk_profile *d)
{
    if (o->fail_above < 0) return false;
    bool failed = false;
    int64_t tb = pk_total(d, BEFORE), ta = pk_total(d, AFTER);
    if (grew_above(tb, ta, o->fail_above)) {
        print_grew(d, "the total", o->fail_above, tb, ta);
        failed = true;
    }
    for (size_t i = 0; o->fail_on && i < d->nfuncs; i++) {
        const pk_function *f = &d->funcs[i];
        bool match = pk_pattern_match_function(o->fail_on, f);
        if (match && grew_above(f->incl[BEFORE], f->incl[AFTER], o->fail_above)) {
            print_grew(d, f->name, o->fail_above, f->incl[BEFORE], f->incl[AFTER]);
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
    case PK_O_DIFF_SORT: {
        static const char *const keys[] = {
            [SORT_SELF] = "self", [SORT_INCL] = "incl", [SORT_PCT] = "pct", [SORT_NAME] = "name"};
        for (int k = 0; k < 4; k++)
            if (strcmp(arg, keys[k]) == 0) {
                o->sort = k;
                return 0;
            }
        return pk_cli_usage_error("bad --sort '%s' (self, incl, pct or name)", arg);
    }
    case PK_O_FULL_PATHS:
        o->full_paths = true;
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
    /* After the user's maps: the standard library and site-packages by
     * their path below that root, whatever the interpreter's prefix and
     * version (/usr/lib/python3.11/random.py = ~/.pyenv/.../python3.12/random.py). */
    static const char *const roots[] = {
        "^.*?[/\\\\]lib[/\\\\]python[0-9.]*[/\\\\](?:site|dist)-packages[/\\\\]=<site-packages>/",
        "(?i)^[a-z]:[/\\\\].*?[/\\\\]lib[/\\\\]site-packages[/\\\\]=<site-packages>/",
        "^.*?[/\\\\]lib[/\\\\]python[0-9]+\\.[0-9]+[/\\\\]=<stdlib>/",
        "(?i)^[a-z]:[/\\\\].*?[/\\\\]python[0-9]*[/\\\\]lib[/\\\\]=<stdlib>/",
    };
    for (size_t i = 0; !o->full_paths && i < sizeof roots / sizeof roots[0]; i++) {
        pk_error err;
        if (pk_filter_add_map(&o->cli.filter, roots[i], &err) < 0)
            return pk_cli_usage_error("%s", err.msg);
    }
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
    if (pk_cli_apply_filter(p, &o->cli.filter, NULL, path, err) < 0) {
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
    size_t nrows;
    pk_id *rows = table_rows(d, o->sort, &nrows);
    const char *metric = after->metrics[ma].name;
    /* With -o - the profile takes stdout and the table goes to stderr. */
    FILE *table = o->cli.output && strcmp(o->cli.output, "-") == 0 ? stderr : stdout;
    if (o->json)
        print_json(table, d, metric, rows, nrows, (size_t)o->rows);
    else
        print_text(table, d, metric, rows, nrows, (size_t)o->rows, o->lines);
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
    pk_formats_add_drawing();
    int rc = parse_options(argc, argv, &o);
    if (rc == 0) rc = run(&o, o.cli.inputs);
    pk_cli_free(&o.cli);
    pk_pattern_free(o.fail_on);
    return rc < 0 ? PK_EXIT_OK : rc;
}
