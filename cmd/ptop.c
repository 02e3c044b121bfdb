/* ptop: the table of pstats.Stats.print_stats, for a profile of any format,
 * with print_callers and print_callees. Names, columns and sort keys are
 * pstats' own, so the output reads (and diffs) like Python's. */
#include <errno.h>
#include <signal.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../lib/pattern.h"
#include "cli.h"

/* ---- sort keys (pstats' sort_arg_dict_default) ---- */

enum field {
    F_PCALLS,
    F_CALLS,
    F_SELF,
    F_INCL,
    F_FILE,
    F_LINE,
    F_NAME,
    F_STDNAME,
    F_SELF_PERCALL, /* the percall column after tottime: tottime / ncalls */
    F_INCL_PERCALL, /* the one after cumtime: cumtime / primitive calls */
};

typedef struct {
    const char *word;
    enum field fields[3];
    int nfields;
    const char *desc; /* NULL: the metric's own words ("internal time") */
} sort_word;

static const sort_word sort_words[] = {
    {"calls", {F_CALLS}, 1, "call count"},
    {"ncalls", {F_CALLS}, 1, "call count"},
    {"cumtime", {F_INCL}, 1, NULL},
    {"cumulative", {F_INCL}, 1, NULL},
    {"filename", {F_FILE}, 1, "file name"},
    {"line", {F_LINE}, 1, "line number"},
    {"module", {F_FILE}, 1, "file name"},
    {"name", {F_NAME}, 1, "function name"},
    {"nfl", {F_NAME, F_FILE, F_LINE}, 3, "name/file/line"},
    {"pcalls", {F_PCALLS}, 1, "primitive call count"},
    {"stdname", {F_STDNAME}, 1, "standard name"},
    {"time", {F_SELF}, 1, NULL},
    {"tottime", {F_SELF}, 1, NULL},
};
enum { NWORDS = sizeof sort_words / sizeof sort_words[0], MAX_FIELDS = 32 };

/* Every column has a key: the ones pstats lacks are taken whole, never
 * abbreviated, so pstats' own abbreviations keep their meaning. */
static const sort_word column_words[] = {
    {"percall", {F_SELF_PERCALL}, 1, "\x01 per call"},
    {"cumpercall", {F_INCL_PERCALL}, 1, "\x02 per call"},
    {"lineno", {F_LINE}, 1, "line number"},
    {"function", {F_NAME}, 1, "function name"},
};

/* pstats accepts any prefix that is unique in its own peculiar sense: words
 * are visited in order and each adds its prefixes, longest first, until one
 * is taken already, which is then struck out. */
static const sort_word *find_sort_word(const char *key)
{
    for (size_t c = 0; c < sizeof column_words / sizeof column_words[0]; c++)
        if (strcmp(key, column_words[c].word) == 0) return &column_words[c];
    size_t klen = strlen(key);
    const sort_word *owner = NULL;
    bool struck = false;
    for (int w = 0; w < NWORDS; w++) {
        size_t len = strlen(sort_words[w].word);
        for (size_t n = len; n > 0; n--) {
            bool taken = false;
            for (int o = 0; o < w && !taken; o++)
                taken = strlen(sort_words[o].word) >= n &&
                        strncmp(sort_words[o].word, sort_words[w].word, n) == 0;
            if (taken) {
                if (n == klen && strncmp(key, sort_words[w].word, n) == 0) struck = true;
                break;
            }
            if (n == klen && strncmp(key, sort_words[w].word, n) == 0) owner = &sort_words[w];
        }
    }
    return struck ? NULL : owner;
}

/* ---- the table ---- */

typedef struct {
    pk_profile *p;
    int metric;
    bool seconds;     /* the metric is a time: print seconds as pstats does */
    bool bytes;       /* the metric is memory: print KiB, MiB, GiB */
    bool int_callers; /* pure-Python profile: callers are plain counts */
    char **std;       /* pstats' name of each function */
    size_t max_name;  /* longest of them */
    enum field fields[MAX_FIELDS];
    int nfields;
    char sort_type[512]; /* "cumulative time, call count" */
    size_t *by_callee;   /* edge indexes grouped by callee (and by caller) */
    size_t *callee_start;
    size_t *by_caller;
    size_t *caller_start;
} table;

/* pstats' func_std_string (lib/pattern.h); frames of stack profiles that
 * know no file (collapsed stacks) are shown by name alone rather than as
 * ":0(name)". Control characters become spaces. */
static char *std_name(const pk_function *f, bool pstats_names)
{
    size_t n = pk_function_std_name(f, !pstats_names, NULL, 0) + 1;
    char *s = malloc(n);
    if (!s) return NULL;
    pk_function_std_name(f, !pstats_names, s, n);
    for (char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = ' ';
    return s;
}

/* Columns are characters as Python counts them: UTF-8 continuation bytes add none. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

static void put_ljust(const char *s, size_t width)
{
    fputs(s, stdout);
    for (size_t w = text_width(s); w < width; w++)
        putchar(' ');
}

static int64_t field_int(const table *t, size_t i, enum field f)
{
    const pk_function *fn = &t->p->funcs[i];
    switch (f) {
    case F_PCALLS:
        return fn->pcalls;
    case F_CALLS:
        return fn->calls;
    case F_SELF:
        return fn->self[t->metric];
    case F_INCL:
        return fn->incl[t->metric];
    case F_LINE:
        return fn->line;
    default:
        return 0;
    }
}

/* A per-call value as the column shows it; a function without calls has a
 * blank there and sorts last. */
static double per_call(const table *t, size_t i, enum field f)
{
    const pk_function *fn = &t->p->funcs[i];
    int64_t calls = f == F_SELF_PERCALL ? fn->calls : fn->pcalls;
    int64_t v = f == F_SELF_PERCALL ? fn->self[t->metric] : fn->incl[t->metric];
    return calls > 0 ? (double)v / (double)calls : -1.0;
}

static int cmp_field(const table *t, size_t a, size_t b, enum field f)
{
    const pk_function *x = &t->p->funcs[a], *y = &t->p->funcs[b];
    switch (f) {
    case F_SELF_PERCALL:
    case F_INCL_PERCALL: {
        double u = per_call(t, a, f), v = per_call(t, b, f);
        return (u < v) - (u > v);
    }
    case F_FILE:
        return strcmp(x->file ? x->file : "", y->file ? y->file : "");
    case F_NAME:
        return strcmp(x->name ? x->name : "", y->name ? y->name : "");
    case F_STDNAME:
        return strcmp(t->std[a], t->std[b]);
    case F_LINE: {
        int64_t u = field_int(t, a, f), v = field_int(t, b, f);
        return (u > v) - (u < v);
    }
    default: { /* counts and values: largest first */
        int64_t u = field_int(t, a, f), v = field_int(t, b, f);
        return (u < v) - (u > v);
    }
    }
}

static int cmp_functions(const void *pa, const void *pb, void *ctx)
{
    const table *t = ctx;
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    for (int k = 0; k < t->nfields; k++) {
        int c = cmp_field(t, a, b, t->fields[k]);
        if (c) return c;
    }
    return (a > b) - (a < b); /* stable, as Python's sort */
}

/* pstats compares callers by their key tuple (file, line, name). */
static int cmp_keys(const void *pa, const void *pb, void *ctx)
{
    const table *t = ctx;
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int c = cmp_field(t, a, b, F_FILE);
    if (!c) c = cmp_field(t, a, b, F_LINE);
    return c ? c : cmp_field(t, a, b, F_NAME);
}

static int add_sort_keys(table *t, const char *arg)
{
    if (strspn(arg, ",") == strlen(arg)) {
        pk_cli_usage_error("empty sort key");
        return -1;
    }
    char *copy = strdup(arg);
    if (!copy) return -1;
    for (char *save = NULL, *k = strtok_r(copy, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
        const sort_word *w = find_sort_word(k);
        if (!w || t->nfields + w->nfields > MAX_FIELDS) {
            pk_cli_usage_error("unknown or ambiguous sort key '%s'", k);
            free(copy);
            return -1;
        }
        memcpy(t->fields + t->nfields, w->fields, (size_t)w->nfields * sizeof *w->fields);
        t->nfields += w->nfields;
        char desc[128];
        if (w->desc) /* \x01 and \x02 are expanded by describe_sort */
            snprintf(desc, sizeof desc, "%s", w->desc);
        else
            snprintf(desc, sizeof desc, "%s", w->fields[0] == F_SELF ? "\x01" : "\x02");
        size_t used = strlen(t->sort_type);
        snprintf(t->sort_type + used, sizeof t->sort_type - used, "%s%s", used ? ", " : "", desc);
    }
    free(copy);
    return 0;
}

/* Expand the placeholders of metric-dependent sort descriptions. */
static void describe_sort(const table *t, char *out, size_t size)
{
    const char *metric = t->p->metrics[t->metric].name;
    size_t n = 0;
    out[0] = '\0';
    for (const char *s = t->sort_type; *s && n + 1 < size; s++) {
        if (*s == '\x01' || *s == '\x02') {
            const char *w = *s == '\x01' ? "internal" : "cumulative";
            n += (size_t)snprintf(out + n, size - n, "%s %s", w, t->seconds ? "time" : metric);
        } else {
            out[n++] = *s;
            out[n] = '\0';
        }
        if (n >= size) n = size - 1;
    }
}

/* ---- number columns ---- */

/* Memory in 12 columns: "      512 B", "   12.3 KiB", "    4.0 GiB". */
static void human_bytes(char *buf, size_t size, double v)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (v > -1024 && v < 1024) {
        snprintf(buf, size, "%.0f B", v);
        return;
    }
    int u = -1;
    while (u < 4 && (v <= -1024 || v >= 1024)) {
        v /= 1024;
        u++;
    }
    snprintf(buf, size, "%.1f %s", v, units[u]);
}

static void put_value(const table *t, int64_t v)
{
    if (t->bytes) {
        char buf[32];
        human_bytes(buf, sizeof buf, (double)v);
        printf("%12s", buf);
    } else if (t->seconds) {
        printf("%8.3f", (double)v / 1e9);
    } else if (t->p->metrics[t->metric].decimals > 0) { /* scalene's percentages */
        printf("%12.3f", pk_value_real(&t->p->metrics[t->metric], v));
    } else {
        printf("%12" PRId64, v);
    }
}

static void put_per_call(const table *t, int64_t v, int64_t calls)
{
    if (calls == 0)
        printf("%*s", t->seconds ? 8 : 12, "");
    else if (t->seconds)
        printf("%8.3f", (double)v / 1e9 / (double)calls);
    else if (t->bytes) {
        char buf[32];
        human_bytes(buf, sizeof buf, (double)v / (double)calls);
        printf("%12s", buf);
    } else
        printf("%12.1f", pk_value_real(&t->p->metrics[t->metric], v) / (double)calls);
}

static void format_calls(char *buf, size_t size, int64_t nc, int64_t cc)
{
    if (nc != cc)
        snprintf(buf, size, "%" PRId64 "/%" PRId64, nc, cc);
    else
        snprintf(buf, size, "%" PRId64, nc);
}

/* ---- sections ---- */

/* "bytes", "samples"; for plain counts the metric's name ("Ir"). */
static const char *unit_words(const pk_profile *p, int m)
{
    const char *unit = p->metrics[m].unit;
    return strcmp(unit, "count") == 0 ? p->metrics[m].name : unit;
}

static const char *human(int64_t v, char *buf, size_t size)
{
    human_bytes(buf, size, (double)v);
    return buf;
}

static void print_header(const table *t, const char *path)
{
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0) {
        char when[64];
        struct tm tm;
        strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", localtime_r(&st.st_mtime, &tm));
        printf("%s    %s\n\n", when, path);
    }
    const pk_profile *p = t->p;
    char buf[48];
    int64_t total = pk_total(p, t->metric), calls = 0, pcalls = 0;
    for (size_t i = 0; i < p->nfuncs; i++) {
        calls += p->funcs[i].calls;
        pcalls += p->funcs[i].pcalls;
    }
    printf("        ");
    if (p->has_calls) {
        printf(" %" PRId64 " function calls ", calls);
        if (calls != pcalls) printf("(%" PRId64 " primitive calls) ", pcalls);
        if (t->seconds)
            printf("in %.3f seconds\n\n", (double)total / 1e9);
        else if (t->bytes)
            printf("and %s (%" PRId64 " bytes)\n\n", human(total, buf, sizeof buf), total);
        else
            printf("and %" PRId64 " %s\n\n", total, unit_words(p, t->metric));
    } else if (t->seconds) {
        printf(" %.3f seconds in %zu functions\n\n", (double)total / 1e9, p->nfuncs);
    } else if (t->bytes) {
        printf(" %s (%" PRId64 " bytes) in %zu functions\n\n", human(total, buf, sizeof buf), total,
               p->nfuncs);
    } else {
        pk_value_text(buf, sizeof buf, total, p->metrics[t->metric].decimals);
        printf(" %s %s in %zu functions\n\n", buf, unit_words(p, t->metric), p->nfuncs);
    }
    /* Not pstats' own: a filtered call graph says what is estimated. */
    const char *estimated = pk_meta_get(p, "filter.estimated");
    if (estimated) printf("   Estimated: %s\n\n", estimated);
}

/* pstats' get_print_list: the sorted list cut by a regex and a count, the
 * "Ordered by" message, and the width of the name column. */
static size_t print_list(const table *t, const size_t *order, size_t n, pk_pattern *re,
                         const char *re_text, long limit, size_t *out)
{
    char desc[600];
    describe_sort(t, desc, sizeof desc);
    printf("   Ordered by: %s\n", desc);
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (!re || pk_pattern_match_function(re, &t->p->funcs[order[i]])) out[count++] = order[i];
    if (re && count != n)
        printf("   List reduced from %zu to %zu due to restriction <'%s'>\n", n, count, re_text);
    if (limit >= 0 && (size_t)limit < count) {
        printf("   List reduced from %zu to %ld due to restriction <%ld>\n", count, limit, limit);
        count = (size_t)limit;
    }
    putchar('\n');
    return count;
}

static size_t name_width(const table *t, const size_t *list, size_t count)
{
    if (count == t->p->nfuncs) return t->max_name + 2;
    size_t w = 0;
    for (size_t i = 0; i < count; i++)
        if (text_width(t->std[list[i]]) > w) w = text_width(t->std[list[i]]);
    return w + 2;
}

static void print_title(const table *t)
{
    const char *metric = t->p->metrics[t->metric].name;
    bool calls = t->p->has_calls;
    if (t->seconds && calls)
        puts("   ncalls  tottime  percall  cumtime  percall filename:lineno(function)");
    else if (t->seconds)
        puts("  tottime  cumtime filename:lineno(function)");
    else if (calls)
        printf("   ncalls %12s %12s %12s %12s filename:lineno(function)\n", metric, "percall",
               "cumulative", "percall");
    else
        printf("%12s %12s filename:lineno(function)\n", metric, "cumulative");
}

static void print_row(const table *t, size_t i)
{
    const pk_function *f = &t->p->funcs[i];
    int64_t self = f->self[t->metric], incl = f->incl[t->metric];
    if (t->p->has_calls) {
        char c[48];
        format_calls(c, sizeof c, f->calls, f->pcalls);
        printf("%9s ", c);
        put_value(t, self);
        putchar(' ');
        put_per_call(t, self, f->calls);
        putchar(' ');
        put_value(t, incl);
        putchar(' ');
        put_per_call(t, incl, f->pcalls);
    } else {
        put_value(t, self);
        putchar(' ');
        put_value(t, incl);
    }
    printf(" %s\n", t->std[i]);
}

/* One function and its callers (arrow "<-") or callees ("->"), as
 * pstats' print_call_line. */
static void print_call_line(const table *t, size_t width, size_t func, bool callers)
{
    const pk_profile *p = t->p;
    const size_t *idx = callers ? t->by_callee : t->by_caller;
    const size_t *start = callers ? t->callee_start : t->caller_start;
    size_t n = start[func + 1] - start[func];
    put_ljust(t->std[func], width);
    fputs(callers ? "<- " : "-> ", stdout);
    if (n == 0) {
        putchar('\n');
        return;
    }
    for (size_t k = 0; k < n; k++) {
        const pk_edge *e = &p->edges[idx[start[func] + k]];
        size_t other = callers ? e->caller : e->callee;
        if (t->int_callers) {
            if (k) printf("%*s", (int)(width + 3), "");
            printf("%s(%" PRId64 ") ", t->std[other], e->calls);
            put_value(t, p->funcs[other].incl[t->metric]);
            putchar('\n');
            continue;
        }
        char c[48];
        format_calls(c, sizeof c, e->calls, e->pcalls);
        if (k) printf("%*s", (int)(width + 1), "");
        printf("%*s ", k ? 9 : 7, c);
        put_value(t, e->self[t->metric]);
        putchar(' ');
        put_value(t, e->incl[t->metric]);
        printf("  %s\n", t->std[other]);
    }
}

static void print_calls_section(const table *t, const size_t *order, pk_pattern *re,
                                const char *re_text, long limit, bool callers, size_t *list)
{
    size_t count = print_list(t, order, t->p->nfuncs, re, re_text, limit, list);
    if (count == 0) return;
    size_t width = name_width(t, list, count);
    put_ljust("Function ", width);
    puts(callers ? "was called by..." : "called...");
    if (!t->int_callers && t->p->nedges > 0) {
        printf("%*s", (int)width, "");
        if (t->seconds)
            puts("    ncalls  tottime  cumtime");
        else
            printf("    ncalls %12s %12s\n", t->p->metrics[t->metric].name, "cumulative");
    }
    for (size_t i = 0; i < count; i++)
        print_call_line(t, width, list[i], callers);
    puts("\n");
}

typedef struct {
    const table *t;
    bool by_callee;
} edge_order;

/* Edges of one function, by the other end's key. */
static int cmp_edges(const void *pa, const void *pb, void *ctx)
{
    const edge_order *o = ctx;
    const pk_edge *x = &o->t->p->edges[*(const size_t *)pa];
    const pk_edge *y = &o->t->p->edges[*(const size_t *)pb];
    size_t a = o->by_callee ? x->caller : x->callee, b = o->by_callee ? y->caller : y->callee;
    return cmp_keys(&a, &b, (void *)o->t);
}

/* Edge indexes grouped by one end, each group sorted by the other end's key. */
static int group_edges(table *t, bool by_callee, size_t **idx_out, size_t **start_out)
{
    const pk_profile *p = t->p;
    size_t *start = calloc(p->nfuncs + 2, sizeof *start);
    size_t *idx = malloc((p->nedges + 1) * sizeof *idx);
    if (!start || !idx) {
        free(start);
        free(idx);
        return -1;
    }
    for (size_t e = 0; e < p->nedges; e++)
        start[(by_callee ? p->edges[e].callee : p->edges[e].caller) + 2]++;
    for (size_t f = 0; f < p->nfuncs; f++)
        start[f + 2] += start[f + 1];
    for (size_t e = 0; e < p->nedges; e++)
        idx[start[(by_callee ? p->edges[e].callee : p->edges[e].caller) + 1]++] = e;
    edge_order o = {t, by_callee};
    for (size_t f = 0; f < p->nfuncs; f++)
        qsort_r(idx + start[f], start[f + 1] - start[f], sizeof *idx, cmp_edges, &o);
    *idx_out = idx;
    *start_out = start;
    return 0;
}

static void table_free(table *t)
{
    if (t->std)
        for (size_t i = 0; i < t->p->nfuncs; i++)
            free(t->std[i]);
    free(t->std);
    free(t->by_callee);
    free(t->callee_start);
    free(t->by_caller);
    free(t->caller_start);
}

static int table_init(table *t, bool callers, bool callees)
{
    pk_profile *p = t->p;
    const pk_metric *m = &p->metrics[t->metric];
    t->seconds = strcmp(m->unit, "ns") == 0;
    t->bytes = strcmp(m->unit, "bytes") == 0;
    const char *producer = pk_meta_get(p, "pstats.producer");
    t->int_callers = producer && strcmp(producer, "profile") == 0;
    t->std = calloc(p->nfuncs + 1, sizeof *t->std);
    if (!t->std) return -1;
    for (size_t i = 0; i < p->nfuncs; i++) {
        if (!(t->std[i] = std_name(&p->funcs[i], p->format && strcmp(p->format, "pstats") == 0)))
            return -1;
        if (text_width(t->std[i]) > t->max_name) t->max_name = text_width(t->std[i]);
    }
    if (callers && group_edges(t, true, &t->by_callee, &t->callee_start) < 0) return -1;
    if (callees && group_edges(t, false, &t->by_caller, &t->caller_start) < 0) return -1;
    return 0;
}

typedef struct {
    const char *path, *callers, *callees;
    pk_pattern *callers_rx, *callees_rx; /* NULL for '' (all) */
    const char *sorts[16];
    int nsorts;
    long limit;
} options;

static int run(table *t, const options *o)
{
    pk_profile *p = t->p;
    if (table_init(t, o->callers != NULL, o->callees != NULL) < 0) {
        fprintf(stderr, "ptop: out of memory\n");
        return PK_EXIT_ERROR;
    }
    size_t *order = malloc((p->nfuncs + 1) * sizeof *order);
    size_t *list = malloc((p->nfuncs + 1) * sizeof *list);
    if (!order || !list) {
        free(order);
        free(list);
        fprintf(stderr, "ptop: out of memory\n");
        return PK_EXIT_ERROR;
    }
    for (size_t i = 0; i < p->nfuncs; i++)
        order[i] = i;
    qsort_r(order, p->nfuncs, sizeof *order, cmp_functions, t);

    print_header(t, o->path);
    size_t count = print_list(t, order, p->nfuncs, NULL, NULL, o->limit, list);
    if (count) {
        print_title(t);
        for (size_t i = 0; i < count; i++)
            print_row(t, list[i]);
        puts("\n");
    }
    int rc = PK_EXIT_OK;
    const char *sections[2] = {o->callers, o->callees};
    for (int s = 0; s < 2 && rc == PK_EXIT_OK; s++) {
        if (!sections[s]) continue;
        pk_pattern *re = s == 0 ? o->callers_rx : o->callees_rx;
        print_calls_section(t, order, re, sections[s], o->limit, s == 0, list);
    }
    free(order);
    free(list);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (errno == EPIPE) return rc; /* the reader went away: quietly done */
        fprintf(stderr, "ptop: error writing the output\n");
        return PK_EXIT_ERROR;
    }
    return rc;
}

static int own_option(void *ctx, int id, const char *arg)
{
    options *o = ctx;
    switch (id) {
    case PK_O_PTOP_SORT:
        if (o->nsorts == (int)(sizeof o->sorts / sizeof o->sorts[0]))
            return pk_cli_usage_error("too many --sort options");
        o->sorts[o->nsorts++] = arg;
        return 0;
    case PK_O_CALLERS:
    case PK_O_CALLEES: {
        pk_pattern **rx = id == PK_O_CALLERS ? &o->callers_rx : &o->callees_rx;
        pk_error err;
        pk_pattern_free(*rx);
        *rx = NULL;
        if (*arg && !(*rx = pk_pattern_new(arg, &err)))
            return pk_cli_usage_error("--%s: %s", id == PK_O_CALLERS ? "callers" : "callees",
                                      err.msg);
        *(id == PK_O_CALLERS ? &o->callers : &o->callees) = arg;
        return 0;
    }
    }
    return 0;
}

static int ptop(pk_cli *cli, options *o)
{
    o->path = cli->inputs[0];
    o->limit = cli->rows == LONG_MAX ? -1 : cli->rows;
    table t = {0};
    for (int s = 0; s < o->nsorts; s++)
        if (add_sort_keys(&t, o->sorts[s]) < 0) return PK_EXIT_ERROR;
    if (o->nsorts == 0) add_sort_keys(&t, "cumulative");
    pk_error err = {{0}};
    pk_profile *p = pk_cli_read(cli, &err);
    if (!p) return pk_cli_error(&err);
    pk_ensure_graph(p);
    int rc;
    for (int k = 0; k < t.nfields && !p->has_calls; k++)
        if (t.fields[k] == F_SELF_PERCALL || t.fields[k] == F_INCL_PERCALL) {
            rc = pk_cli_usage_error("sort key percall/cumpercall: %s profiles count no calls, "
                                    "so they have no per-call columns",
                                    p->format ? p->format : "these");
            pk_profile_free(p);
            return rc;
        }
    t.p = p;
    /* The metric exists: pk_cli_read checked it. */
    t.metric = pk_cli_metric(p, cli->metric, &err);
    rc = run(&t, o);
    table_free(&t);
    pk_profile_free(p);
    return rc;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a closed pipe ends the output with EPIPE, quietly */
    options o = {0};
    pk_cli cli;
    int rc = pk_cli_parse(&cli, "ptop", argc, argv, own_option, &o);
    if (rc == 0) rc = ptop(&cli, &o);
    pk_cli_free(&cli);
    pk_pattern_free(o.callers_rx);
    pk_pattern_free(o.callees_rx);
    return rc < 0 ? PK_EXIT_OK : rc;
}
