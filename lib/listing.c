/* Line listings (see listing.h): per function, the source beside its per-line
 * values, laid out as line_profiler 4.0's show_func does. */
#include "listing.h"

#include <inttypes.h>

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "hmap.h"
#include "source.h"

typedef struct {
    char header[64];       /* "Time" */
    int metric;            /* value metric */
    int count;             /* hits-like metric or -1 */
    char count_header[64]; /* "Hits" */
    const char *per_header;
    bool is_time;
    double out_unit;     /* seconds, for times */
    double tick_unit;    /* the profile's timer unit, seconds */
    int64_t ns_per_tick; /* whole ns per tick, 0 when not whole */
    int decimals;        /* of the value metric (scalene's percentages) */
} columns;

typedef struct {
    pk_id func;
    size_t first, n; /* its lines in the sorted line order */
    int64_t value, count;
} func_view;

/* Sources by file name (interned, so compared by address), read once. */
typedef struct {
    const char *file;
    pk_source *src; /* NULL when not found */
    bool warned;
} source_entry;

typedef struct {
    const char *source_root, *prog;
    FILE *out;
    source_entry *sources;
    size_t nsources, capsources;
    size_t missing; /* source files not found */
    pk_hmap index;
} listing;

static bool entry_eq(const void *ctx, uint32_t id)
{
    const void *const *k = ctx;
    const listing *L = k[0];
    return L->sources[id].file == k[1];
}

static source_entry *source_of(listing *L, const char *file)
{
    uint64_t h = pk_hash_mix(5, (uint64_t)(uintptr_t)file);
    const void *key[2] = {L, file};
    uint32_t id = pk_hmap_find(&L->index, h, entry_eq, key);
    if (id != UINT32_MAX) return &L->sources[id];
    PK_GROW(L->sources, L->capsources, L->nsources + 1);
    source_entry *e = &L->sources[L->nsources];
    *e = (source_entry){file, pk_source_open(file, L->source_root), false};
    pk_hmap_insert(&L->index, h, (uint32_t)L->nsources++);
    return e;
}

static void free_sources(listing *L)
{
    for (size_t i = 0; i < L->nsources; i++)
        pk_source_free(L->sources[i].src);
    free(L->sources);
    pk_hmap_free(&L->index);
}

static void warn_file(const listing *L, const char *what, const char *file, const char *why)
{
    fprintf(stderr, "%s: warning: %s", L->prog, what);
    pk_put_line_safe(stderr, file);
    fprintf(stderr, "%s\n", why);
}

/* ---- values as line_profiler prints them ----
 * line_profiler 4.0 formats with %5.1f into fixed columns (6 9 12 8 8): a
 * wider value pushes the rest of its row right, never scientific notation. */

/* value (ns) times factor, computed from ticks like line_profiler when exact */
static double scaled(const columns *c, int64_t ns, double unit_out)
{
    if (c->ns_per_tick > 1 && ns % c->ns_per_tick == 0)
        return (double)(ns / c->ns_per_tick) * (c->tick_unit / unit_out);
    return (double)ns * (1e-9 / unit_out);
}

static void format_value(const columns *c, int64_t v, char *buf, size_t size)
{
    if (!c->is_time) {
        if (c->decimals > 0)
            pk_value_text(buf, size, v, c->decimals);
        else
            snprintf(buf, size, "%lld", (long long)v);
        return;
    }
    double x = scaled(c, v, c->out_unit);
    snprintf(buf, size, "%5.1f", x);
}

static void format_per(const columns *c, int64_t v, int64_t count, char *buf, size_t size)
{
    buf[0] = '\0';
    if (count == 0) return;
    double x = c->is_time ? scaled(c, v, c->out_unit) / (double)count
                          : pk_value_real(&(pk_metric){.decimals = c->decimals}, v) / (double)count;
    snprintf(buf, size, "%5.1f", x);
}

static void format_count(int64_t n, char *buf, size_t size)
{
    snprintf(buf, size, "%lld", (long long)n);
}

/* ---- one function ---- */

typedef struct {
    char count[32], value[48], per[48], pct[16];
} row;

static void format_row(const columns *c, const pk_line *l, int64_t total, row *r)
{
    int64_t count = c->count >= 0 ? l->v[c->count] : 0;
    r->count[0] = r->per[0] = r->pct[0] = '\0';
    if (c->count >= 0) {
        format_count(count, r->count, sizeof r->count);
        format_per(c, l->v[c->metric], count, r->per, sizeof r->per);
    }
    format_value(c, l->v[c->metric], r->value, sizeof r->value);
    if (total != 0)
        snprintf(r->pct, sizeof r->pct, "%5.1f", 100.0 * (double)l->v[c->metric] / (double)total);
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

typedef struct {
    int line, count, value, per, pct;
} widths;

static void print_row(FILE *out, const widths *w, const columns *c, int32_t lineno, const row *r,
                      const char *text, size_t len)
{
    fprintf(out, "%*d ", w->line, lineno);
    if (c->count >= 0) fprintf(out, "%*s ", w->count, r ? r->count : "");
    fprintf(out, "%*s ", w->value, r ? r->value : "");
    if (c->count >= 0) fprintf(out, "%*s ", w->per, r ? r->per : "");
    fprintf(out, "%*s  ", w->pct, r ? r->pct : "");
    if (text) fwrite(text, 1, len, out);
    fputc('\n', out);
}

static void print_header(FILE *out, const widths *w, const columns *c)
{
    char pct[sizeof c->header + 2];
    snprintf(pct, sizeof pct, "%% %s", c->header);
    int n = fprintf(out, "%*s ", w->line, "Line #");
    if (c->count >= 0) n += fprintf(out, "%*s ", w->count, c->count_header);
    n += fprintf(out, "%*s ", w->value, c->header);
    if (c->count >= 0) n += fprintf(out, "%*s ", w->per, c->per_header);
    n += fprintf(out, "%*s  %s\n", w->pct, pct, "Line Contents");
    for (int i = 0; i < n - 1; i++)
        fputc('=', out);
    fputc('\n', out);
}

static void print_total(FILE *out, const columns *c, int64_t total)
{
    if (c->is_time)
        fprintf(out, "Total time: %g s\n", scaled(c, total, 1.0));
    else {
        char buf[48];
        pk_value_text(buf, sizeof buf, total, c->decimals);
        fprintf(out, "Total %s: %s\n", c->header, buf);
    }
}

/* The lines shown: a Python function's block in the source, widened to cover
 * every line that has values (the source may have changed since); for other
 * code, from its first line to its last line with values. */
static void shown_range(const pk_function *f, const pk_source *src, const pk_line *ls, size_t n,
                        int32_t *from, int32_t *to)
{
    int32_t lo = f->line > 0 ? f->line : (n ? ls[0].line : 1);
    int32_t hi = lo;
    if (src && f->line > 0 && f->kind == PK_KIND_PYTHON) {
        size_t block = pk_source_python_block(src, f->line);
        if (block) hi = f->line + (int32_t)block - 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (ls[i].line < lo) lo = ls[i].line;
        if (ls[i].line > hi) hi = ls[i].line;
    }
    *from = lo;
    *to = hi;
}

static void print_source_rows(FILE *out, const widths *w, const columns *c, const pk_function *f,
                              const pk_source *src, const pk_line *ls, const row *rows, size_t n)
{
    int32_t from, to;
    shown_range(f, src, ls, n, &from, &to);
    size_t k = 0;
    for (int64_t line = from; line <= to; line++) {
        while (k < n && ls[k].line < line)
            k++;
        const row *r = k < n && ls[k].line == line ? &rows[k] : NULL;
        bool have = line >= 1 && (size_t)line <= src->nlines;
        print_row(out, w, c, (int32_t)line, r, have ? src->lines[line - 1] : NULL,
                  have ? src->lens[line - 1] : 0);
    }
}

#define MISSING_NAMED 3 /* missing files named one by one; then only counted */

/* Once per file when lines are missing, once per function when its header
 * is not where the profile says. */
static void warn_mismatch(listing *L, source_entry *e, const pk_function *f, const pk_line *ls,
                          size_t n)
{
    int32_t maxline = n ? ls[n - 1].line : 0;
    if (!e->src) {
        if (!e->warned && f->file && *f->file && L->missing++ < MISSING_NAMED)
            warn_file(L, "could not find ", f->file, " (try --source-root)");
        e->warned = true;
    } else if ((size_t)maxline > e->src->nlines) {
        if (!e->warned)
            warn_file(L, "", e->src->path,
                      " is shorter than the profile says: it changed since it was profiled");
        e->warned = true;
    } else if (f->line > 0 && f->kind == PK_KIND_PYTHON && !pk_source_is_header(e->src, f->line)) {
        fprintf(stderr, "%s: warning: no function header at line %d for ", L->prog, f->line);
        pk_put_line_safe(stderr, f->name);
        fputs(" in ", stderr);
        pk_put_line_safe(stderr, e->src->path);
        fputs(": it changed since it was profiled\n", stderr);
    }
}

static void print_function(listing *L, const pk_profile *p, const columns *c, const func_view *fv,
                           const pk_line *ls)
{
    FILE *out = L->out;
    const pk_function *f = &p->funcs[fv->func];
    source_entry *entry = source_of(L, f->file);
    const pk_source *src = entry->src;
    warn_mismatch(L, entry, f, ls, fv->n);
    print_total(out, c, fv->value);
    fputs("File: ", out);
    pk_put_line_safe(out, f->file ? f->file : "");
    fputs("\nFunction: ", out);
    pk_put_line_safe(out, f->name);
    fprintf(out, " at line %d\n\n", f->line);

    row *rows = pk_xmalloc((fv->n ? fv->n : 1) * sizeof *rows);
    widths w = {6, c->count >= 0 ? 9 : 0, 12, c->count >= 0 ? 8 : 0, 8};
    w.count = max_int(w.count, (int)strlen(c->count_header));
    w.value = max_int(w.value, (int)strlen(c->header));
    w.per = max_int(w.per, (int)strlen(c->per_header));
    w.pct = max_int(w.pct, (int)strlen(c->header) + 2);
    for (size_t i = 0; i < fv->n; i++)
        format_row(c, &ls[i], fv->value, &rows[i]);
    print_header(out, &w, c);
    if (src) {
        print_source_rows(out, &w, c, f, src, ls, rows, fv->n);
    } else { /* only the lines with values, without their text */
        for (size_t i = 0; i < fv->n; i++)
            print_row(out, &w, c, ls[i].line, &rows[i], NULL, 0);
    }
    fputc('\n', out);
    free(rows);
}

/* ---- choosing and ordering functions ---- */

static int cmp_lines(const void *a, const void *b)
{
    const pk_line *x = a, *y = b;
    if (x->func != y->func) return x->func < y->func ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

typedef struct {
    const pk_profile *p;
    const char *key;
} sort_ctx;

static int cmp_name(const pk_profile *p, const func_view *x, const func_view *y)
{
    const pk_function *f = &p->funcs[x->func], *g = &p->funcs[y->func];
    int r = strcmp(f->file ? f->file : "", g->file ? g->file : "");
    if (r) return r;
    if (f->line != g->line) return f->line < g->line ? -1 : 1;
    return strcmp(f->name, g->name);
}

static int cmp_views(const void *a, const void *b, void *ctx)
{
    const func_view *x = a, *y = b;
    const sort_ctx *s = ctx;
    if (!strcmp(s->key, "time") && x->value != y->value) return x->value > y->value ? -1 : 1;
    if (!strcmp(s->key, "hits") && x->count != y->count) return x->count > y->count ? -1 : 1;
    return cmp_name(s->p, x, y);
}

/* Functions with line values; for line_profiler files also those never run. */
static func_view *collect(const pk_profile *p, const columns *c, pk_line *ls, size_t *nviews)
{
    bool keep_empty = pk_meta_get(p, "lprof.unit") != NULL;
    func_view *v = pk_xcalloc(p->nfuncs ? p->nfuncs : 1, sizeof *v);
    size_t *at = pk_xmalloc((p->nfuncs ? p->nfuncs : 1) * sizeof *at);
    for (size_t i = 0; i < p->nfuncs; i++)
        at[i] = SIZE_MAX;
    size_t n = 0;
    for (size_t i = 0; i < p->nlines; i++) {
        pk_id f = ls[i].func;
        if (at[f] == SIZE_MAX) at[f] = n, v[n++] = (func_view){.func = f, .first = i};
        func_view *fv = &v[at[f]];
        fv->n++;
        fv->value += ls[i].v[c->metric];
        if (c->count >= 0) fv->count += ls[i].v[c->count];
    }
    for (size_t i = 0; keep_empty && i < p->nfuncs; i++)
        if (at[i] == SIZE_MAX) v[n++] = (func_view){.func = (pk_id)i};
    free(at);
    *nviews = n;
    return v;
}

/* ---- columns ---- */

static void capitalized(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s", name);
    if (buf[0] >= 'a' && buf[0] <= 'z') buf[0] = (char)(buf[0] - 'a' + 'A');
}

/* The value metric, a hits-like count beside it, headers and time units. */
static int pick_columns(const pk_profile *p, const pk_listing_options *o, columns *c, pk_error *err)
{
    if (p->nmetrics == 0) {
        pk_error_set(err, "the profile has no metrics");
        return -1;
    }
    c->metric = pk_metric_find(p, o->metric ? o->metric : "time");
    if (o->metric && c->metric < 0) {
        pk_error_set(err, "the profile has no metric '%s'", o->metric);
        return -1;
    }
    if (c->metric < 0) c->metric = 0;
    c->is_time = strcmp(p->metrics[c->metric].unit, "ns") == 0;
    c->decimals = p->metrics[c->metric].decimals;
    /* the Hits column: "hits", else a count beside a value that is no count
     * (allocations beside bytes, not one callgrind event beside another) */
    c->count = pk_metric_find(p, "hits");
    bool value_counts = !strcmp(p->metrics[c->metric].unit, "count");
    for (int m = 0; c->count < 0 && !value_counts && m < p->nmetrics; m++)
        if (m != c->metric && !strcmp(p->metrics[m].unit, "count")) c->count = m;
    if (c->count == c->metric) c->count = -1;
    capitalized(c->header, sizeof c->header, p->metrics[c->metric].name);
    c->count_header[0] = '\0';
    c->per_header = "";
    if (c->count >= 0) {
        capitalized(c->count_header, sizeof c->count_header, p->metrics[c->count].name);
        c->per_header = !strcmp(p->metrics[c->count].name, "hits") ? "Per Hit" : "Average";
    }
    const char *stored = pk_meta_get(p, "lprof.unit");
    c->tick_unit = stored ? strtod(stored, NULL) : 1e-9;
    if (!(c->tick_unit > 0)) c->tick_unit = 1e-9;
    double k = nearbyint(c->tick_unit * 1e9);
    c->ns_per_tick = k >= 1 && fabs(c->tick_unit * 1e9 - k) <= k * 1e-9 ? (int64_t)k : 0;
    c->out_unit = o->unit > 0 ? o->unit : c->tick_unit;
    return 0;
}

static void print_listing(listing *L, const pk_profile *p, const columns *c,
                          const pk_listing_options *o)
{
    pk_line *ls = pk_xmalloc((p->nlines ? p->nlines : 1) * sizeof *ls);
    if (p->nlines) memcpy(ls, p->lines, p->nlines * sizeof *ls);
    pk_sort(ls, p->nlines, sizeof *ls, cmp_lines);
    size_t n;
    func_view *views = collect(p, c, ls, &n);
    sort_ctx sc = {p, o->sort ? o->sort : o->limit >= 0 ? "time" : "name"};
    qsort_r(views, n, sizeof *views, cmp_views, &sc);
    if (o->skip_zero) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (views[i].value != 0) views[k++] = views[i];
        n = k;
    }
    if (o->limit >= 0 && (size_t)o->limit < n) n = (size_t)o->limit;
    if (c->is_time) fprintf(L->out, "Timer unit: %g s\n\n", c->out_unit);
    for (size_t i = 0; i < n; i++)
        print_function(L, p, c, &views[i], ls + views[i].first);
    /* line_profiler's summary: the total of each function, in its order */
    for (size_t i = 0; o->summary && i < n; i++) {
        const pk_function *f = &p->funcs[views[i].func];
        if (c->is_time)
            fprintf(L->out, "%6.2f seconds - ", (double)views[i].value / 1e9);
        else {
            char buf[48];
            pk_value_text(buf, sizeof buf, views[i].value, c->decimals);
            fprintf(L->out, "%s %s - ", buf, p->metrics[c->metric].name);
        }
        fprintf(L->out, "%s:%" PRId32 " - %s\n", f->file, f->line, f->name);
    }
    free(views);
    free(ls);
}

void pk_listing_options_init(pk_listing_options *o)
{
    *o = (pk_listing_options){.unit = 1e-6, .limit = -1, .prog = "profkit"};
}

int pk_write_listing(const pk_profile *p, FILE *out, const pk_listing_options *o, pk_error *err)
{
    columns c = {0};
    if (pick_columns(p, o, &c, err) != 0) return -1;
    if (p->nlines == 0 && !pk_meta_get(p, "lprof.unit")) {
        pk_error_set(err, "the profile has no per-line values");
        return -1;
    }
    listing L = {.source_root = o->source_root, .prog = o->prog, .out = out};
    print_listing(&L, p, &c, o);
    if (L.missing > MISSING_NAMED)
        fprintf(stderr, "%s: warning: %zu more source files not found\n", L.prog,
                L.missing - MISSING_NAMED);
    free_sources(&L);
    return 0;
}
