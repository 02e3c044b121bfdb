/* memory_profiler's line-by-line report (`python -m memory_profiler
 * script.py`): one table per @profile function,
 *
 *   Filename: workload.py
 *
 *   Line #    Mem usage    Increment  Occurrences   Line Contents
 *   =============================================================
 *      139   56.520 MiB   56.520 MiB           1   @profile
 *      140                                         def grow_cache(cache, n):
 *
 * rows laid out by '{0:>6} {1:>12} {2:>12}  {3:>10}   {4:<}', the memory
 * cells '{:W.Pf} MiB' (a wide value widens its row, so the numbers are read
 * as fields, not columns), blank cells for lines without a measurement. The
 * program's own output may surround the tables; it is skipped.
 *
 * Model: a function per table, named from its `def` line, in the file the
 * table names, at its first row's line (the decorator's, as co_firstlineno);
 * per line the metrics "increment" and "usage" (bytes, from the MiB text
 * exactly) and "occurrences" (count). A function's increment and occurrences
 * are its lines' sums, its usage their most (self = inclusive: the report
 * says nothing of callees).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/hmap.h"
#include "format.h"

#define HEADER "Line #    Mem usage    Increment  Occurrences   Line Contents"
#define CONTENTS_COLUMN 47 /* 6 + 1 + 12 + 1 + 12 + 2 + 10 + 3 */

enum { INCREMENT, USAGE, OCCURRENCES };

static int probe_memory_profiler(const uint8_t *head, size_t len)
{
    const uint8_t *h = memmem(head, len, HEADER, strlen(HEADER));
    if (!h) return 0;
    return memmem(head, (size_t)(h - head), "Filename: ", 10) ? 95 : 60;
}

typedef struct {
    const char *s;
    size_t n;
} text;

typedef struct {
    pk_input *in;
    pk_profile *p;
    const char *data;
    size_t len, pos, line_start;
    size_t tables;
} reader;

static bool next_line(reader *r, text *line)
{
    if (r->pos >= r->len) return false;
    const char *s = r->data + r->pos;
    const char *nl = memchr(s, '\n', r->len - r->pos);
    size_t n = nl ? (size_t)(nl - s) : r->len - r->pos;
    r->line_start = r->pos;
    r->pos += n + (nl != NULL);
    if (n && s[n - 1] == '\r') n--;
    *line = (text){s, n};
    return true;
}

static bool starts(text t, const char *prefix)
{
    size_t k = strlen(prefix);
    return t.n >= k && !memcmp(t.s, prefix, k);
}

static bool blank(text t)
{
    for (size_t i = 0; i < t.n; i++)
        if (t.s[i] != ' ' && t.s[i] != '\t') return false;
    return true;
}

/* The next whitespace-separated field from *at. */
static text field(text t, size_t *at)
{
    size_t i = *at;
    while (i < t.n && t.s[i] == ' ')
        i++;
    size_t start = i;
    while (i < t.n && t.s[i] != ' ')
        i++;
    *at = i;
    return (text){t.s + start, i - start};
}

static bool parse_int(text f, int64_t max, int64_t *out)
{
    if (!f.n || f.n > 18) return false;
    int64_t v = 0;
    for (size_t i = 0; i < f.n; i++) {
        if (f.s[i] < '0' || f.s[i] > '9') return false;
        v = v * 10 + (f.s[i] - '0');
    }
    if (v > max) return false;
    *out = v;
    return true;
}

/* "-0.473" MiB to bytes, rounded to the nearest, exactly from the text. */
static bool parse_mib(text f, int64_t *bytes)
{
    bool neg = f.n && f.s[0] == '-';
    uint64_t m = 0, div = 1;
    int digits = 0;
    bool point = false;
    for (size_t i = neg; i < f.n; i++) {
        if (f.s[i] == '.' && !point) {
            point = true;
            continue;
        }
        if (f.s[i] < '0' || f.s[i] > '9' || ++digits > 18) return false;
        m = m * 10 + (uint64_t)(f.s[i] - '0');
        if (point) div *= 10;
    }
    if (!digits) return false;
    unsigned __int128 v = ((unsigned __int128)m * (1u << 20) + div / 2) / div;
    if (v > INT64_MAX) return false;
    *bytes = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

/* One memory cell: a number and "MiB". */
static bool mib_cell(text row, size_t *at, int64_t *bytes)
{
    text num = field(row, at), unit = field(row, at);
    return parse_mib(num, bytes) && unit.n == 3 && !memcmp(unit.s, "MiB", 3);
}

typedef struct {
    int32_t line;
    bool has_values;
    int64_t v[3];
    text contents;
} row;

/* A row: its line number, then either three values and the source, or
 * blank cells up to the source's column. */
static bool parse_row(text t, row *out)
{
    size_t at = 0;
    int64_t line;
    if (!parse_int(field(t, &at), INT32_MAX, &line)) return false;
    *out = (row){.line = (int32_t)line};
    if (t.n > CONTENTS_COLUMN && blank((text){t.s + at, CONTENTS_COLUMN - at})) {
        out->contents = (text){t.s + CONTENTS_COLUMN, t.n - CONTENTS_COLUMN};
        return true;
    }
    if (blank((text){t.s + at, t.n - at})) return true; /* an empty source line */
    if (!mib_cell(t, &at, &out->v[USAGE]) || !mib_cell(t, &at, &out->v[INCREMENT]) ||
        !parse_int(field(t, &at), INT64_MAX, &out->v[OCCURRENCES]))
        return false;
    out->has_values = true;
    if (at + 3 <= t.n) out->contents = (text){t.s + at + 3, t.n - at - 3};
    return true;
}

/* "def name(" or "async def name(" in a line of source. */
static bool def_name(text c, text *name)
{
    if (!c.s) return false; /* a row without source */
    size_t i = 0;
    while (i < c.n && (c.s[i] == ' ' || c.s[i] == '\t'))
        i++;
    text rest = {c.s + i, c.n - i};
    if (starts(rest, "async ")) rest.s += 6, rest.n -= 6;
    if (!starts(rest, "def ")) return false;
    size_t k = 4;
    while (k < rest.n && rest.s[k] == ' ')
        k++;
    size_t start = k;
    while (k < rest.n && rest.s[k] != '(' && rest.s[k] != ' ' && rest.s[k] != ':')
        k++;
    if (k == start) return false;
    *name = (text){rest.s + start, k - start};
    return true;
}

typedef struct {
    row *rows;
    size_t n, cap;
} table;

static void add_function(reader *r, text file, const table *t)
{
    pk_profile *p = r->p;
    text name = {0};
    for (size_t i = 0; i < t->n && !name.n; i++)
        def_name(t->rows[i].contents, &name);
    char fallback[48];
    if (!name.n) {
        snprintf(fallback, sizeof fallback, "<function at line %d>", t->rows[0].line);
        name = (text){fallback, strlen(fallback)};
    }
    pk_id f = pk_function_get(p, pk_intern(p, name.s, name.n), pk_intern(p, file.s, file.n),
                              t->rows[0].line, PK_KIND_PYTHON);
    pk_function *fn = &p->funcs[f];
    for (size_t i = 0; i < t->n; i++) {
        const row *w = &t->rows[i];
        if (!w->has_values) continue;
        pk_line *l = pk_line_get(p, f, w->line);
        fn = &p->funcs[f];
        l->v[USAGE] = l->v[USAGE] > w->v[USAGE] ? l->v[USAGE] : w->v[USAGE];
        fn->self[USAGE] = fn->self[USAGE] > w->v[USAGE] ? fn->self[USAGE] : w->v[USAGE];
        static const int summed[] = {INCREMENT, OCCURRENCES};
        for (size_t k = 0; k < 2; k++) {
            int m = summed[k];
            if (__builtin_add_overflow(l->v[m], w->v[m], &l->v[m]) ||
                __builtin_add_overflow(fn->self[m], w->v[m], &fn->self[m]))
                pk_fail(r->in, r->line_start, "values overflow");
        }
        memcpy(fn->incl, fn->self, (size_t)r->p->nmetrics * sizeof *fn->incl);
    }
}

/* After "Filename:": a blank line, the header, the rule, the rows. Without
 * the header it was the program's own output: skipped. */
static void read_table(reader *r, text file, table *t)
{
    text line = {0};
    size_t resume = r->pos;
    t->n = 0;
    while (next_line(r, &line) && blank(line))
        ;
    if (!starts(line, HEADER)) {
        r->pos = resume;
        return;
    }
    if (!next_line(r, &line) || !starts(line, "===="))
        pk_fail(r->in, r->line_start, "no ==== line under the table header");
    while (next_line(r, &line) && !blank(line)) {
        PK_GROW(t->rows, t->cap, t->n + 1);
        if (!parse_row(line, &t->rows[t->n]))
            pk_fail(r->in, r->line_start, "table row is not 'line  MiB  MiB  occurrences  source'");
        t->n++;
    }
    if (!t->n) pk_fail(r->in, r->line_start, "table without rows");
    add_function(r, file, t);
    r->tables++;
}

static void free_table(void *ctx)
{
    table *t = ctx;
    free(t->rows);
}

static void read_memory_profiler(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    (void)opt;
    reader r = {.in = in, .p = p};
    r.data = (const char *)pk_input_all(in, &r.len);
    pk_add_metric(p, "increment", "bytes");
    pk_add_metric(p, "usage", "bytes");
    pk_add_metric(p, "occurrences", "count");
    table t = {0};
    pk_input_on_fail(in, free_table, &t);
    text line;
    while (next_line(&r, &line))
        if (starts(line, "Filename: ")) read_table(&r, (text){line.s + 10, line.n - 10}, &t);
    pk_input_on_fail(in, NULL, NULL);
    free(t.rows);
    if (!r.tables) pk_fail(in, 0, "no 'Filename:' table of memory_profiler");
    char buf[24];
    snprintf(buf, sizeof buf, "%zu", r.tables);
    pk_meta_set(p, "memory_profiler.tables", buf);
    p->has_graph = true;
}

const pk_format pk_format_memory_profiler = {
    .name = "memory-profiler",
    .patterns = "",
    .description = "memory_profiler's line-by-line report (python -m memory_profiler)",
    .probe = probe_memory_profiler,
    .read = read_memory_profiler,
    .write = NULL,
};
