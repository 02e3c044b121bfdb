/* scalene's JSON profile (`scalene --json`, 1.5.x): per file, per line and per
 * function CPU shares (Python, native, system), GPU, memory (allocation
 * volume, allocation samples, peak and average footprint), copy volume, and
 * the program's footprint over time.
 *
 * scalene reports CPU as percentages of all CPU samples of the run, already
 * split by utilisation: the model keeps them as percentages ("%", 6 decimals)
 * and adds their sum as "cpu". MB (MiB) become bytes. Functions carry the
 * values scalene computed for them, which are not the sums of their lines
 * (module-level lines belong to no function); lines keep their own values.
 * scalene's lines do not say which function holds them, so each is put
 * under the function starting nearest above it, or under the file's
 * <module> when an unindented statement lies between.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/hmap.h"
#include "format.h"
#include "json_path.h"

#define MB 1048576.0

enum { CPU, GPU, MEMORY };

/* The per-line keys and the metrics they become. The first three CPU ones
 * sum to "cpu", which is metric 0. */
static const struct {
    const char *key, *name, *unit;
    double scale; /* to the metric's unit */
    int decimals, group;
} columns[] = {
    {"n_cpu_percent_python", "cpu_python", "%", 1, 6, CPU},
    {"n_cpu_percent_c", "cpu_native", "%", 1, 6, CPU},
    {"n_sys_percent", "cpu_system", "%", 1, 6, CPU},
    {"n_gpu_percent", "gpu", "%", 1, 6, GPU},
    {"n_gpu_avg_memory_mb", "gpu_mem_avg", "bytes", MB, 0, GPU},
    {"n_gpu_peak_memory_mb", "gpu_mem_peak", "bytes", MB, 0, GPU},
    {"n_malloc_mb", "alloc", "bytes", MB, 0, MEMORY},
    {"n_mallocs", "alloc_samples", "samples", 1, 0, MEMORY},
    {"n_peak_mb", "mem_peak", "bytes", MB, 0, MEMORY},
    {"n_avg_mb", "mem_avg", "bytes", MB, 0, MEMORY},
    {"n_python_fraction", "alloc_python", "%", 100, 6, MEMORY},
    {"n_usage_fraction", "alloc_share", "%", 100, 6, MEMORY},
    {"n_copy_mb_s", "copy", "bytes/s", MB, 0, MEMORY},
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

typedef struct {
    int32_t lineno;
    const char *text;
    int64_t v[PK_MAX_METRICS];
} line_entry;

typedef struct {
    pk_input *in;
    pk_profile *p;
    json_t *root;
    pk_json_where where;  /* where the reader is, for errors */
    int metric[NCOLUMNS]; /* metric of each column, -1 when its group is off */
    int cpu;              /* the sum of the three CPU shares */
    line_entry *lines;    /* one file's lines, sorted */
    size_t nlines;
} reader;

static void at(reader *r, int level, const char *key, size_t index)
{
    pk_json_at(&r->where, level, key, index);
}

/* Fail at the current path. */
#define fail(r, ...) pk_json_fail((r)->in, &(r)->where, __VA_ARGS__)

static json_t *member(reader *r, int level, json_t *obj, const char *key, int type)
{
    at(r, level, key, 0);
    json_t *v = json_object_get(obj, key);
    if (!v) fail(r, "missing");
    bool ok = type == JSON_REAL ? json_is_number(v) : json_typeof(v) == (json_type)type;
    if (!ok) fail(r, "not of the expected type");
    return v;
}

/* A JSON number scaled to an integer of the metric, or a failure. */
static int64_t scaled(reader *r, json_t *v, double scale, int decimals)
{
    double d = json_number_value(v) * scale * pow(10, decimals);
    if (!(fabs(d) < 9e18)) fail(r, "value out of range");
    return llround(d);
}

static void add_metrics(reader *r, bool gpu, bool memory)
{
    pk_profile *p = r->p;
    r->cpu = pk_add_metric(p, "cpu", "%");
    p->metrics[r->cpu].decimals = 6;
    for (size_t c = 0; c < NCOLUMNS; c++) {
        r->metric[c] = -1;
        if ((columns[c].group == GPU && !gpu) || (columns[c].group == MEMORY && !memory)) continue;
        int m = pk_add_metric(p, columns[c].name, columns[c].unit);
        p->metrics[m].decimals = columns[c].decimals;
        r->metric[c] = m;
    }
}

/* The values of a line or function entry at path level `level`. */
static void entry_values(reader *r, int level, json_t *e, int64_t *v)
{
    for (size_t c = 0; c < NCOLUMNS; c++) {
        if (r->metric[c] < 0) continue;
        json_t *x = member(r, level, e, columns[c].key, JSON_REAL);
        v[r->metric[c]] = scaled(r, x, columns[c].scale, columns[c].decimals);
        if (columns[c].group == CPU) v[r->cpu] += v[r->metric[c]];
    }
}

static int32_t entry_lineno(reader *r, int level, json_t *e)
{
    json_t *n = member(r, level, e, "lineno", JSON_INTEGER);
    json_int_t l = json_integer_value(n);
    if (l < 0 || l > INT32_MAX) fail(r, "line number out of range");
    return (int32_t)l;
}

static void read_functions(reader *r, const char *file, json_t *funcs)
{
    pk_profile *p = r->p;
    for (size_t i = 0; i < json_array_size(funcs); i++) {
        json_t *e = json_array_get(funcs, i);
        at(r, 3, NULL, i);
        if (!json_is_object(e)) fail(r, "not an object");
        json_t *name = member(r, 4, e, "line", JSON_STRING);
        int32_t lineno = entry_lineno(r, 4, e);
        int64_t v[PK_MAX_METRICS] = {0};
        entry_values(r, 4, e, v);
        const char *n = pk_intern(p, json_string_value(name), json_string_length(name));
        pk_id f = pk_function_get_interned(p, n, file, lineno, PK_KIND_PYTHON);
        pk_function *fn = &p->funcs[f];
        for (int m = 0; m < p->nmetrics; m++) {
            fn->self[m] += v[m];
            fn->incl[m] = fn->self[m];
        }
    }
}

static int cmp_line_entry(const void *a, const void *b)
{
    const line_entry *x = a, *y = b;
    return (x->lineno > y->lineno) - (x->lineno < y->lineno);
}

static void read_lines(reader *r, json_t *lines)
{
    r->nlines = json_array_size(lines);
    r->lines = pk_alloc(r->p, (r->nlines ? r->nlines : 1) * sizeof *r->lines);
    for (size_t i = 0; i < r->nlines; i++) {
        json_t *e = json_array_get(lines, i);
        at(r, 3, NULL, i);
        if (!json_is_object(e)) fail(r, "not an object");
        line_entry *l = &r->lines[i];
        l->text = json_string_value(member(r, 4, e, "line", JSON_STRING));
        l->lineno = entry_lineno(r, 4, e);
        entry_values(r, 4, e, l->v);
    }
    pk_sort(r->lines, r->nlines, sizeof *r->lines, cmp_line_entry);
}

/* A statement at module level: unindented, and not a def, class or decorator
 * that opens a function. */
static bool module_statement(const char *text)
{
    if (!text || !*text || *text == ' ' || *text == '\t' || *text == '\n' || *text == '#')
        return false;
    return strncmp(text, "def ", 4) && strncmp(text, "async def ", 10) &&
           strncmp(text, "class ", 6) && *text != '@';
}

/* The file's functions by first line, for placing its lines. */
typedef struct {
    int32_t line;
    pk_id func;
} start;

static int cmp_start(const void *a, const void *b)
{
    const start *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

static void place_lines(reader *r, const char *file, size_t first_func)
{
    pk_profile *p = r->p;
    size_t nstarts = p->nfuncs - first_func;
    start *starts = pk_alloc(p, (nstarts ? nstarts : 1) * sizeof *starts);
    for (size_t i = 0; i < nstarts; i++)
        starts[i] = (start){p->funcs[first_func + i].line, (pk_id)(first_func + i)};
    pk_sort(starts, nstarts, sizeof *starts, cmp_start);
    pk_id module = PK_NONE, current = PK_NONE;
    size_t k = 0;
    for (size_t i = 0; i < r->nlines; i++) {
        const line_entry *l = &r->lines[i];
        for (; k < nstarts && starts[k].line <= l->lineno; k++)
            current = starts[k].func;
        if (module_statement(l->text)) current = PK_NONE;
        pk_id f = current;
        if (f == PK_NONE) {
            if (module == PK_NONE)
                module = pk_function_get_interned(p, pk_intern_cstr(p, "<module>"), file, 1,
                                                  PK_KIND_PYTHON);
            f = module;
        }
        pk_line *pl = pk_line_get(p, f, l->lineno);
        for (int m = 0; m < p->nmetrics; m++)
            pl->v[m] += l->v[m];
    }
}

static void meta_number(pk_profile *p, const char *key, double v)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.17g", v);
    pk_meta_set(p, key, buf);
}

static void read_file(reader *r, const char *name, json_t *fd)
{
    pk_profile *p = r->p;
    at(r, 1, name, 0);
    if (!json_is_object(fd)) fail(r, "not an object");
    const char *file = pk_intern_cstr(p, name);
    json_t *pct = member(r, 2, fd, "percent_cpu_time", JSON_REAL);
    json_t *funcs = member(r, 2, fd, "functions", JSON_ARRAY);
    size_t first_func = p->nfuncs;
    read_functions(r, file, funcs);
    json_t *lines = member(r, 2, fd, "lines", JSON_ARRAY);
    read_lines(r, lines);
    place_lines(r, file, first_func);
    char key[256];
    snprintf(key, sizeof key, "scalene.file.%s.percent_cpu_time", name);
    meta_number(p, key, json_number_value(pct));
    json_t *leaks = json_object_get(fd, "leaks");
    const char *lineno;
    json_t *leak;
    json_object_foreach(leaks, lineno, leak)
    {
        snprintf(key, sizeof key, "scalene.leak.%s:%s", name, lineno);
        char val[80];
        snprintf(val, sizeof val, "likelihood %.17g, %.17g MB/s",
                 json_number_value(json_object_get(leak, "likelihood")),
                 json_number_value(json_object_get(leak, "velocity_mb_s")));
        pk_meta_set(p, key, val);
    }
}

/* The program's footprint over time: [[ns since start, MB], ...]. */
static void read_samples(reader *r, json_t *samples)
{
    pk_profile *p = r->p;
    for (size_t i = 0; i < json_array_size(samples); i++) {
        json_t *s = json_array_get(samples, i);
        at(r, 1, NULL, i);
        if (!json_is_array(s) || json_array_size(s) != 2 ||
            !json_is_integer(json_array_get(s, 0)) || !json_is_number(json_array_get(s, 1)))
            fail(r, "not a [time, MB] pair");
        int64_t t = json_integer_value(json_array_get(s, 0));
        int64_t b = scaled(r, json_array_get(s, 1), MB, 0);
        pk_series_add(p, t, b, 0);
    }
    p->series_names[0] = "footprint";
    p->series_names[1] = NULL; /* one series */
}

static void read_top(reader *r)
{
    pk_profile *p = r->p;
    json_t *root = r->root;
    json_t *elapsed = member(r, 0, root, "elapsed_time_sec", JSON_REAL);
    json_t *mem = json_object_get(root, "memory");
    at(r, 0, "memory", 0);
    if (!json_is_boolean(mem)) fail(r, "missing or not true/false");
    bool memory = json_is_true(mem);
    json_t *gpu = json_object_get(root, "gpu");
    add_metrics(r, json_is_true(gpu), memory);
    meta_number(p, "duration_s", json_number_value(elapsed));
    const char *program = json_string_value(json_object_get(root, "program"));
    if (program) pk_meta_set(p, "scalene.program", program);
    pk_meta_set(p, "scalene.memory", memory ? "true" : "false");
    pk_meta_set(p, "scalene.gpu", json_is_true(gpu) ? "true" : "false");
    json_t *v;
    if (json_is_number(v = json_object_get(root, "alloc_samples")))
        meta_number(p, "scalene.alloc_samples", json_number_value(v));
    if (json_is_number(v = json_object_get(root, "growth_rate")))
        meta_number(p, "scalene.growth_rate_pct", json_number_value(v));
    if (json_is_number(v = json_object_get(root, "max_footprint_mb")))
        meta_number(p, "scalene.max_footprint_mb", json_number_value(v));
    const char *fname = json_string_value(json_object_get(root, "max_footprint_fname"));
    json_t *fline = json_object_get(root, "max_footprint_lineno");
    if (fname && json_is_integer(fline)) {
        char at_[300];
        snprintf(at_, sizeof at_, "%s:%lld", fname, (long long)json_integer_value(fline));
        pk_meta_set(p, "scalene.max_footprint_at", at_);
    }
}

static void scalene_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    (void)opt;
    reader r = {.in = in, .p = p};
    r.root = pk_json_load(in, 0, &r.where);
    if (!json_is_object(r.root)) fail(&r, "not a scalene profile (no object)");
    read_top(&r);
    json_t *files = member(&r, 0, r.root, "files", JSON_OBJECT);
    const char *name;
    json_t *fd;
    json_object_foreach(files, name, fd) read_file(&r, name, fd);
    json_t *samples = json_object_get(r.root, "samples");
    if (samples) {
        member(&r, 0, r.root, "samples", JSON_ARRAY);
        read_samples(&r, samples);
    }
    pk_json_done(in, r.root);
    p->has_graph = true;
}

/* Keys sorted as scalene writes them: "alloc_samples" then "elapsed_time_sec". */
static int scalene_probe(const uint8_t *head, size_t len)
{
    size_t i = 0;
    while (i < len && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t'))
        i++;
    if (i == len || head[i] != '{') return 0;
    bool elapsed = memmem(head, len, "\"elapsed_time_sec\"", 18) != NULL;
    bool scalene = memmem(head, len, "\"alloc_samples\"", 15) ||
                   memmem(head, len, "\"max_footprint_mb\"", 18) ||
                   memmem(head, len, "\"n_cpu_percent_python\"", 22);
    return elapsed && scalene ? 95 : 0;
}

const pk_format pk_format_scalene = {
    .name = "scalene",
    .patterns = "*.json",
    .description = "scalene JSON profile (--json): CPU, memory, GPU and copy per line and function",
    .probe = scalene_probe,
    .read = scalene_read,
    .write = NULL,
};
