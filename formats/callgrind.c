/* Callgrind profiles (valgrind --tool=callgrind, yappi, pyprof2calltree), read
 * and written. The format is line based: `key: value` headers, `spec=value`
 * position and name lines (names compressed as `(id) name` then `(id)`), and
 * cost lines `position cost...`. The line after `calls=` is the inclusive cost
 * of those calls at the call site, not part of the caller's self cost.
 * Notes: shared/formats/callgrind.md.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/hmap.h"
#include "format.h"

/* ======================================================================
 * Writer
 * ====================================================================== */

/* Output through a large buffer: numbers and names are most of the file. */
typedef struct {
    FILE *f;
    char buf[1 << 16];
    size_t n;
} out_buf;

static void out_flush(out_buf *o)
{
    fwrite(o->buf, 1, o->n, o->f);
    o->n = 0;
}

/* Room for n more bytes (n at most the buffer's size). */
static inline void out_room(out_buf *o, size_t n)
{
    if (sizeof o->buf - o->n < n) out_flush(o);
}

static inline void out_mem(out_buf *o, const char *s, size_t len)
{
    if (len > sizeof o->buf) {
        out_flush(o);
        fwrite(s, 1, len, o->f);
        return;
    }
    out_room(o, len);
    memcpy(o->buf + o->n, s, len);
    o->n += len;
}

/* A string literal: its length is known when compiling. */
#define out_lit(o, s) out_mem((o), (s), sizeof(s) - 1)

static inline void out_char(out_buf *o, char c)
{
    out_room(o, 1);
    o->buf[o->n++] = c;
}

/* Most lines are ids and numbers: a line's room is made once, then its
 * pieces are written unchecked through a cursor (out_at .. out_end). Room
 * for a whole line of numbers: */
enum { LINE_ROOM = 64 + 21 * (2 + PK_MAX_METRICS) };

static inline char *out_at(out_buf *o, size_t n)
{
    out_room(o, n);
    return o->buf + o->n;
}

static inline void out_end(out_buf *o, char *end)
{
    o->n = (size_t)(end - o->buf);
}

static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233"
                            "34353637383940414243444546474849505152535455565758596061626364656667"
                            "6869707172737475767778798081828384858687888990919293949596979899";

/* u < 100 as exactly two digits. */
static inline char *fmt_2(char *p, uint32_t u)
{
    memcpy(p, pairs + 2 * u, 2);
    return p + 2;
}

/* u < 100 as one or two digits. */
static inline char *fmt_lead(char *p, uint32_t u)
{
    if (u >= 10) return fmt_2(p, u);
    *p = (char)('0' + u);
    return p + 1;
}

/* u < 10^8 at p: most numbers are short ids and lines, so the digit count
 * is found by range, and each range writes its pairs without a loop.
 * Returns the end. */
static inline __attribute__((always_inline)) char *fmt_small(char *p, uint32_t u)
{
    if (u < 100) return fmt_lead(p, u);
    if (u < 10000) return fmt_2(fmt_lead(p, u / 100), u % 100);
    if (u < 1000000) {
        uint32_t lo = u % 10000;
        return fmt_2(fmt_2(fmt_lead(p, u / 10000), lo / 100), lo % 100);
    }
    uint32_t lo = u % 1000000, mid = lo / 100;
    return fmt_2(fmt_2(fmt_2(fmt_lead(p, u / 1000000), mid / 100), mid % 100), lo % 100);
}

/* u < 10^8 as exactly 8 digits: four independent pairs. */
static inline void fmt_8(char *p, uint32_t u)
{
    uint32_t hi = u / 10000, lo = u % 10000;
    memcpy(p, pairs + 2 * (hi / 100), 2);
    memcpy(p + 2, pairs + 2 * (hi % 100), 2);
    memcpy(p + 4, pairs + 2 * (lo / 100), 2);
    memcpy(p + 6, pairs + 2 * (lo % 100), 2);
}

/* v at p (at most 20 bytes), in blocks of eight digits so that the
 * arithmetic is 32-bit: numbers are half of the output. Returns the end. */
static inline char *fmt_int(char *p, int64_t v)
{
    const uint64_t e8 = 100000000;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    if (v < 0) *p++ = '-';
    if (u < e8) return fmt_small(p, (uint32_t)u);
    if (u < e8 * e8) {
        p = fmt_small(p, (uint32_t)(u / e8));
    } else {
        p = fmt_small(p, (uint32_t)(u / (e8 * e8)));
        fmt_8(p, (uint32_t)(u / e8 % e8));
        p += 8;
    }
    fmt_8(p, (uint32_t)(u % e8));
    return p + 8;
}

/* A name on one line: control characters (newlines above all) become spaces. */
static void out_name(out_buf *o, const char *s)
{
    size_t n = 0;
    while (s[n] && (unsigned char)s[n] >= 0x20 && s[n] != 0x7f)
        n++;
    out_mem(o, s, n);
    for (const unsigned char *c = (const unsigned char *)s + n; *c; c++)
        out_char(o, *c < 0x20 || *c == 0x7f ? ' ' : (char)*c);
}

/* One cost line of a function's self cost: nm values, so rows are
 * row_size bytes apart (a profile of one metric does not carry sixteen). */
typedef struct {
    pk_id func;
    int32_t line;
    int64_t v[];
} self_row;

typedef struct {
    uint32_t file_id; /* compressed id of its file, 1-based */
    int32_t line;
    bool named;  /* its name was written once already */
    bool munged; /* shown as "name:line" (same name and file, other line) */
} fn_info;

/* What the output needs of an edge or a call site, copied out in one
 * sequential pass; its nm values are in arc_incl, at nm times its index. */
typedef struct {
    pk_id callee;
    int32_t line; /* the caller's line at the call, 0: its first line */
    int64_t calls;
} call_arc;

typedef struct {
    pk_profile *p;
    out_buf *o;
    int nm;
    fn_info *info;    /* per function, compact: the loops below touch it at random */
    bool *file_named; /* per file id: its name written once already */
    char *rows;       /* self cost rows, sorted by function then line */
    size_t nrows, caprows, row_size;
    size_t *row_start; /* rows of function i: row_start[i] .. row_start[i+1] */
    call_arc *arcs;    /* edges sorted by caller */
    int64_t *arc_incl; /* their inclusive values, nm per arc */
    size_t *arc_start; /* arcs of function i: arc_start[i] .. arc_start[i+1] */
    int64_t totals[PK_MAX_METRICS];
} cg_writer;

static int cmp_rows(const void *a, const void *b)
{
    const self_row *x = a, *y = b;
    if (x->func != y->func) return x->func < y->func ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static inline self_row *row_at(const cg_writer *w, size_t k)
{
    return (self_row *)(w->rows + k * w->row_size);
}

static int push_row(cg_writer *w, pk_id func, int32_t line, const int64_t *v)
{
    if (w->nrows == w->caprows) {
        size_t ncap = w->caprows ? w->caprows * 2 : 1024;
        char *r = realloc(w->rows, ncap * w->row_size);
        if (!r) return -1;
        w->rows = r;
        w->caprows = ncap;
    }
    self_row *r = row_at(w, w->nrows++);
    r->func = func;
    r->line = line;
    memcpy(r->v, v, (size_t)w->nm * sizeof *r->v);
    return 0;
}

/* Sort rows and merge equal (function, line) pairs. */
static void merge_rows(cg_writer *w)
{
    if (w->nrows == 0) return;
    /* rows made one per function come in order already: no sort needed */
    size_t sorted = 1;
    while (sorted < w->nrows && cmp_rows(row_at(w, sorted - 1), row_at(w, sorted)) <= 0)
        sorted++;
    if (sorted < w->nrows) qsort(w->rows, w->nrows, w->row_size, cmp_rows);
    size_t out = 0;
    for (size_t i = 0; i < w->nrows; i++) {
        self_row *last = out ? row_at(w, out - 1) : NULL, *r = row_at(w, i);
        if (last && last->func == r->func && last->line == r->line) {
            for (int m = 0; m < w->nm; m++)
                last->v[m] += r->v[m];
        } else if (out++ != i) {
            memcpy(row_at(w, out - 1), r, w->row_size);
        }
    }
    w->nrows = out;
}

/* Rows from the source's line detail: stack nodes know the line they ran, so
 * their self values are exact per line; otherwise p->lines, used only for
 * functions whose line values add up to no more than their self cost (line
 * values that include callees would count the callees twice). */
static int collect_line_rows(cg_writer *w)
{
    pk_profile *p = w->p;
    if (p->has_tree && p->nnodes > 1) {
        for (size_t i = 1; i < p->nnodes; i++) {
            const pk_node *n = &p->nodes[i];
            if (n->func == PK_NONE || n->func >= p->nfuncs) continue;
            bool zero = true;
            for (int m = 0; m < w->nm; m++)
                zero &= n->self[m] == 0;
            if (zero) continue;
            int32_t line = n->line > 0 ? n->line : p->funcs[n->func].line;
            if (push_row(w, n->func, line, n->self) < 0) return -1;
        }
        return 0;
    }
    for (size_t i = 0; i < p->nlines; i++) {
        const pk_line *l = &p->lines[i];
        if (l->func < p->nfuncs && push_row(w, l->func, l->line, l->v) < 0) return -1;
    }
    return 0;
}

/* Make each function's rows add up to its self cost: the remainder goes on
 * its definition line; rows exceeding the self cost are replaced by it. */
static int reconcile_rows(cg_writer *w)
{
    pk_profile *p = w->p;
    size_t n = w->nrows, i = 0;
    bool *drop = calloc(n + 1, sizeof *drop);
    if (!drop) return -1;
    for (pk_id f = 0; f < p->nfuncs; f++) {
        int64_t sum[PK_MAX_METRICS] = {0}, rest[PK_MAX_METRICS] = {0};
        size_t first = i;
        for (; i < n && row_at(w, i)->func == f; i++)
            for (int m = 0; m < w->nm; m++)
                sum[m] += row_at(w, i)->v[m];
        bool negative = false, nonzero = first == i;
        for (int m = 0; m < w->nm; m++) {
            rest[m] = p->funcs[f].self[m] - sum[m];
            negative |= rest[m] < 0;
            nonzero |= rest[m] != 0;
        }
        if (negative) {
            for (size_t k = first; k < i; k++)
                drop[k] = true;
            memcpy(rest, p->funcs[f].self, (size_t)p->nmetrics * sizeof *rest);
        }
        if ((negative || nonzero) && push_row(w, f, p->funcs[f].line, rest) < 0) {
            free(drop);
            return -1;
        }
    }
    size_t out = 0;
    for (size_t k = 0; k < w->nrows; k++)
        if ((k >= n || !drop[k]) && out++ != k)
            memcpy(row_at(w, out - 1), row_at(w, k), w->row_size);
    w->nrows = out;
    free(drop);
    merge_rows(w);
    return 0;
}

static int build_rows(cg_writer *w)
{
    const pk_profile *p = w->p;
    /* room for the rows of both passes: no growing on the usual path */
    w->row_size = sizeof(self_row) + (size_t)w->nm * sizeof(int64_t);
    w->caprows = (p->has_tree && p->nnodes > 1 ? p->nnodes : p->nlines) + p->nfuncs + 1;
    w->rows = malloc(w->caprows * w->row_size);
    if (!w->rows) return -1;
    if (collect_line_rows(w) < 0) return -1;
    merge_rows(w);
    if (reconcile_rows(w) < 0) return -1;
    w->row_start = calloc(w->p->nfuncs + 1, sizeof *w->row_start);
    if (!w->row_start) return -1;
    for (size_t k = 0; k < w->nrows; k++)
        w->row_start[row_at(w, k)->func + 1]++;
    for (size_t f = 0; f < w->p->nfuncs; f++)
        w->row_start[f + 1] += w->row_start[f];
    return 0;
}

/* Stacks say where each call was made: their call sites are the arcs (one
 * per caller line). Call counts are per edge only, so a profile with them
 * keeps its edges. */
static bool arcs_are_callsites(pk_profile *p)
{
    if (p->has_calls) return false;
    if (p->ncallsites == 0) pk_derive_callsites(p);
    return p->ncallsites > 0;
}

/* Arc i of the output: call site i or edge i. */
static pk_id arc_at(const pk_profile *p, bool sites, size_t i, call_arc *arc, const int64_t **incl)
{
    if (sites) {
        const pk_callsite *c = &p->callsites[i];
        *arc = (call_arc){.callee = c->callee, .line = c->line};
        *incl = c->incl;
        return c->caller;
    }
    const pk_edge *e = &p->edges[i];
    *arc = (call_arc){.callee = e->callee, .calls = e->calls};
    *incl = e->incl;
    return e->caller;
}

/* Arcs grouped by caller (a counting sort, stable), read in memory order. */
static int build_arcs(cg_writer *w)
{
    pk_profile *p = w->p;
    bool sites = arcs_are_callsites(p);
    size_t n = sites ? p->ncallsites : p->nedges;
    w->arc_start = calloc(p->nfuncs + 2, sizeof *w->arc_start);
    w->arcs = malloc((n + 1) * sizeof *w->arcs);
    w->arc_incl = malloc((n * (size_t)w->nm + 1) * sizeof *w->arc_incl);
    if (!w->arc_start || !w->arcs || !w->arc_incl) return -1;
    size_t *next = w->arc_start + 1;
    call_arc arc;
    const int64_t *incl;
    for (size_t i = 0; i < n; i++) {
        pk_id caller = arc_at(p, sites, i, &arc, &incl);
        if (caller < p->nfuncs && arc.callee < p->nfuncs) w->arc_start[caller + 2]++;
    }
    for (size_t f = 0; f < p->nfuncs; f++)
        w->arc_start[f + 2] += w->arc_start[f + 1];
    for (size_t i = 0; i < n; i++) {
        pk_id caller = arc_at(p, sites, i, &arc, &incl);
        if (caller >= p->nfuncs || arc.callee >= p->nfuncs) continue;
        size_t k = next[caller]++;
        w->arcs[k] = arc;
        memcpy(w->arc_incl + k * (size_t)w->nm, incl, (size_t)w->nm * sizeof *w->arc_incl);
    }
    return 0;
}

/* Interned strings are shared, so files and (file, name) pairs are told
 * apart by their pointers. */
static uint64_t ptr_hash(const void *a, const void *b)
{
    return pk_hash_mix(pk_hash_mix(0, (uint64_t)(uintptr_t)a), (uint64_t)(uintptr_t)b);
}

typedef struct {
    const pk_profile *p;
    const char *file, *name; /* name NULL: match the file alone */
} func_key;

static bool same_key(const void *ctx, uint32_t id)
{
    const func_key *k = ctx;
    const pk_function *f = &k->p->funcs[id];
    return f->file == k->file && (!k->name || f->name == k->name);
}

/* Files get ids in order of first use; KCachegrind and callgrind_annotate
 * know a function by file and name, so functions sharing both (same-named
 * methods in one file) get ":line" added, as pyprof2calltree does. */
static int index_names(cg_writer *w)
{
    pk_profile *p = w->p;
    w->info = calloc(p->nfuncs + 1, sizeof *w->info);
    w->file_named = calloc(p->nfuncs + 2, sizeof *w->file_named);
    if (!w->info || !w->file_named) return -1;
    pk_hmap files = {0}, pairs = {0};
    pk_hmap_reserve(&pairs, p->nfuncs); /* one table, not its doublings */
    uint32_t nfiles = 0;
    for (pk_id f = 0; f < p->nfuncs; f++) {
        const pk_function *fn = &p->funcs[f];
        w->info[f].line = fn->line;
        func_key k = {p, fn->file, NULL};
        uint64_t h = ptr_hash(fn->file, NULL);
        uint32_t first = pk_hmap_find(&files, h, same_key, &k);
        if (first == UINT32_MAX) {
            pk_hmap_insert(&files, h, f);
            w->info[f].file_id = ++nfiles;
        } else {
            w->info[f].file_id = w->info[first].file_id;
        }
        k.name = fn->name;
        h = ptr_hash(fn->file, fn->name);
        first = pk_hmap_find(&pairs, h, same_key, &k);
        if (first == UINT32_MAX) {
            pk_hmap_insert(&pairs, h, f);
        } else {
            w->info[f].munged = true;
            w->info[first].munged = true;
        }
    }
    pk_hmap_free(&files);
    pk_hmap_free(&pairs);
    return 0;
}

/* ` v...` and the newline, at p in a line's room. */
static char *fmt_costs(const cg_writer *w, char *p, const int64_t *v)
{
    for (int m = 0; m < w->nm; m++) {
        *p++ = ' ';
        p = fmt_int(p, v[m]);
    }
    *p++ = '\n';
    return p;
}

static void put_costs(cg_writer *w, const int64_t *v)
{
    out_end(w->o, fmt_costs(w, out_at(w->o, LINE_ROOM), v));
}

/* The name specs, padded so each is copied as one 8-byte move. */
enum spec { SPEC_FL, SPEC_FN, SPEC_CFL, SPEC_CFN };
static const char spec_text[][8] = {"fl=(", "fn=(", "cfl=(", "cfn=("};
static const uint8_t spec_len[] = {4, 4, 5, 5};

/* `spec=(id)`, the compressed name, with the room for a line after it. */
static char *fmt_id(out_buf *o, enum spec spec, int64_t id)
{
    char *p = out_at(o, LINE_ROOM);
    memcpy(p, spec_text[spec], 8);
    p = fmt_int(p + spec_len[spec], id);
    *p++ = ')';
    return p;
}

/* `spec=(id) name` the first time a file is named, `spec=(id)` after. */
static void put_file(cg_writer *w, enum spec spec, pk_id f)
{
    uint32_t id = w->info[f].file_id;
    char *p = fmt_id(w->o, spec, id);
    if (!w->file_named[id]) {
        const char *file = w->p->funcs[f].file;
        w->file_named[id] = true;
        *p++ = ' ';
        out_end(w->o, p);
        out_name(w->o, file && *file ? file : "???");
        p = out_at(w->o, 1);
    }
    *p++ = '\n';
    out_end(w->o, p);
}

static void put_func(cg_writer *w, enum spec spec, pk_id f)
{
    char *p = fmt_id(w->o, spec, (int64_t)f + 1);
    if (!w->info[f].named) {
        const pk_function *fn = &w->p->funcs[f];
        w->info[f].named = true;
        *p++ = ' ';
        out_end(w->o, p);
        out_name(w->o, fn->name && *fn->name ? fn->name : "???");
        p = out_at(w->o, 32);
        if (w->info[f].munged) {
            *p++ = ':';
            p = fmt_int(p, fn->line);
        }
    }
    *p++ = '\n';
    out_end(w->o, p);
}

static void put_function(cg_writer *w, pk_id f)
{
    put_file(w, SPEC_FL, f);
    put_func(w, SPEC_FN, f);
    for (size_t k = w->row_start[f]; k < w->row_start[f + 1]; k++) {
        const self_row *r = row_at(w, k);
        char *p = fmt_int(out_at(w->o, LINE_ROOM), r->line);
        out_end(w->o, fmt_costs(w, p, r->v));
        for (int m = 0; m < w->nm; m++)
            w->totals[m] += r->v[m];
    }
    for (size_t k = w->arc_start[f]; k < w->arc_start[f + 1]; k++) {
        const call_arc *e = &w->arcs[k];
        put_file(w, SPEC_CFL, e->callee);
        put_func(w, SPEC_CFN, e->callee);
        /* Stacks have no counts: 0 would hide the arc. A call graph's 0 is
         * real (threads started before profiling), pyprof2calltree's calls=0. */
        char *p = out_at(w->o, LINE_ROOM);
        memcpy(p, "calls=", 6);
        p = fmt_int(p + 6, e->calls > 0 || w->p->has_calls ? e->calls : 1);
        *p++ = ' ';
        p = fmt_int(p, w->info[e->callee].line);
        *p++ = '\n';
        p = fmt_int(p, e->line > 0 ? e->line : w->info[f].line);
        out_end(w->o, fmt_costs(w, p, w->arc_incl + k * (size_t)w->nm));
    }
    out_char(w->o, '\n');
}

/* Times and bytes are named by their unit, unless another metric has the
 * same unit (scalene's allocation, peak and average bytes): event names must
 * differ. */
static const char *event_name(const pk_profile *p, int m)
{
    const char *unit = p->metrics[m].unit;
    if (strcmp(unit, "ns") != 0 && strcmp(unit, "bytes") != 0) return p->metrics[m].name;
    for (int k = 0; k < p->nmetrics; k++)
        if (k != m && strcmp(p->metrics[k].unit, unit) == 0) return p->metrics[m].name;
    return unit;
}

/* Samples that had no frame at all (austin's idle threads) sit on the root. */
static void add_frameless(const pk_profile *p, int64_t *sum)
{
    if (!p->has_tree || p->estimated || p->nnodes == 0) return;
    for (int m = 0; m < p->nmetrics; m++)
        sum[m] += p->nodes[0].self[m];
}

static void put_header(cg_writer *w)
{
    out_lit(w->o, "# callgrind format\nversion: 1\ncreator: profkit\npositions: line\nevents:");
    for (int m = 0; m < w->nm; m++) {
        out_char(w->o, ' ');
        /* an event name is one word */
        for (const char *c = event_name(w->p, m); *c; c++)
            out_char(w->o, (unsigned char)*c <= ' ' || *c == 0x7f ? '_' : *c);
    }
    out_char(w->o, '\n');
    /* summary = the sum of the self costs written below, and of the samples
     * without frames, which count in the total and in no function
     * (docs/identity.md) */
    int64_t sum[PK_MAX_METRICS] = {0};
    for (size_t k = 0; k < w->nrows; k++)
        for (int m = 0; m < w->nm; m++)
            sum[m] += row_at(w, k)->v[m];
    add_frameless(w->p, sum);
    out_lit(w->o, "summary:");
    put_costs(w, sum);
    out_char(w->o, '\n');
}

static void writer_free(cg_writer *w)
{
    free(w->info);
    free(w->file_named);
    free(w->rows);
    free(w->row_start);
    free(w->arcs);
    free(w->arc_incl);
    free(w->arc_start);
    free(w->o);
}

static int callgrind_write(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err)
{
    (void)opt;
    pk_ensure_graph(p);
    cg_writer w = {.p = p, .nm = p->nmetrics};
    w.o = malloc(sizeof *w.o);
    if (!w.o || build_rows(&w) < 0 || build_arcs(&w) < 0 || index_names(&w) < 0) {
        writer_free(&w);
        pk_error_set(err, "out of memory");
        return -1;
    }
    w.o->f = f;
    w.o->n = 0;
    put_header(&w);
    for (pk_id fn = 0; fn < p->nfuncs; fn++)
        put_function(&w, fn);
    add_frameless(p, w.totals);
    out_lit(w.o, "totals:");
    put_costs(&w, w.totals);
    out_flush(w.o);
    writer_free(&w);
    return 0;
}

/* ======================================================================
 * Reader
 * ====================================================================== */

struct id_name {
    uint64_t id;
    const char *name;
};

/* Compressed name ids -> names, one map per id space. */
typedef struct {
    struct id_name *entries;
    size_t n, cap;
    pk_hmap index; /* id -> entries[] */
} id_map;

enum { PENDING_NONE, PENDING_CALLS, PENDING_JUMP };
enum { MAX_POSITIONS = 2 };

typedef struct {
    pk_input *in;
    pk_profile *p;
    const char *buf;
    size_t len, line_start;
    id_map files, fns, objs;
    int npos, line_col; /* position columns, and which one is the line (-1: none) */
    int nevents;        /* events in the file; the first PK_MAX_METRICS are kept */
    int64_t scale[PK_MAX_METRICS];
    int64_t last[MAX_POSITIONS];
    bool yappi;
    const char *unknown;       /* "???": a file never named */
    const char *fl, *cur_file; /* fn's file, and the file lines are in now (fi/fe) */
    const char *fn_name, *fn_file;
    pk_id fn; /* resolved lazily: fn= alone (yappi's definitions) creates nothing */
    /* The call being described: cfn= and cfl=/cfi= in either order, bound
     * at calls= (lsprofcalltree writes cfi= after cfn=). */
    const char *cfl, *cfn_name;
    pk_id cfn;
    int pending;
    int64_t pending_calls;
    pk_id pending_callee; /* bound at calls=, whatever cfl=/cfn= come before its cost line */
    int32_t *minline;     /* per function: the lowest line seen, for functions of line 0 */
    size_t capminline;
} cg_reader;

static void id_map_free(id_map *m)
{
    free(m->entries);
    pk_hmap_free(&m->index);
}

static void reader_cleanup(cg_reader *r)
{
    id_map_free(&r->files);
    id_map_free(&r->fns);
    id_map_free(&r->objs);
    free(r->minline);
    memset(&r->files, 0, sizeof r->files);
    memset(&r->fns, 0, sizeof r->fns);
    memset(&r->objs, 0, sizeof r->objs);
    r->minline = NULL;
}

static void cleanup_on_fail(void *r)
{
    reader_cleanup(r);
}

_Noreturn static void cg_fail(cg_reader *r, const char *what)
{
    pk_fail(r->in, r->line_start, "%s", what); /* cleanup_on_fail runs */
}

typedef struct {
    const id_map *m;
    uint64_t id;
} id_key;

static bool id_is(const void *ctx, uint32_t i)
{
    const id_key *k = ctx;
    return k->m->entries[i].id == k->id;
}

/* Name id, or rename it: a later definition of an id wins. */
static void id_map_put(id_map *m, uint64_t id, const char *name)
{
    id_key k = {m, id};
    uint32_t i = pk_hmap_get(&m->index, pk_hash_mix(11, id), id_is, &k, (uint32_t)m->n);
    if (i == m->n) {
        PK_GROW(m->entries, m->cap, m->n + 1);
        m->n++;
    }
    m->entries[i] = (struct id_name){id, name};
}

static const char *id_map_get(const id_map *m, uint64_t id)
{
    id_key k = {m, id};
    uint32_t i = pk_hmap_find(&m->index, pk_hash_mix(11, id), id_is, &k);
    return i == UINT32_MAX ? NULL : m->entries[i].name;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* An unsigned decimal (or 0x hex) number at *s; advances *s. */
static uint64_t parse_uint(cg_reader *r, const char **s, const char *end)
{
    const char *q = *s;
    uint64_t v = 0;
    int base = 10;
    if (end - q > 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        base = 16;
        q += 2;
    }
    const char *digits = q;
    for (; q < end; q++) {
        int d;
        if (is_digit(*q))
            d = *q - '0';
        else if (base == 16 && ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f'))
            d = (*q | 0x20) - 'a' + 10;
        else
            break;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) cg_fail(r, "number too large");
        v = v * (uint64_t)base + (uint64_t)d;
    }
    if (q == digits) cg_fail(r, "number expected");
    *s = q;
    return v;
}

static int64_t parse_int63(cg_reader *r, const char **s, const char *end)
{
    uint64_t v = parse_uint(r, s, end);
    if (v > INT64_MAX) cg_fail(r, "number too large");
    return (int64_t)v;
}

static const char *skip_spaces(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    return s;
}

/* The next word of [*s, end), words parted by spaces and tabs: its start in
 * *word and *s just past it; false at the end. */
static bool next_word(const char **s, const char *end, const char **word)
{
    const char *p = skip_spaces(*s, end);
    if (p == end) return false;
    *word = p;
    while (p < end && *p != ' ' && *p != '\t')
        p++;
    *s = p;
    return true;
}

/* Length of a leading "(digits)" followed by the end or a space; 0 if none
 * (uncompressed names such as "(below main)" start with '(' too). */
static size_t id_prefix_len(const char *v, const char *end)
{
    const char *q = v;
    if (q == end || *q++ != '(') return 0;
    while (q < end && is_digit(*q))
        q++;
    if (q == v + 1 || q == end || *q != ')') return 0;
    q++;
    return q == end || *q == ' ' ? (size_t)(q - v) : 0;
}

/* `(id) name`, `(id)` or `name`: the name, defining the id on first use.
 * NULL for an id never defined (yappi refers to file ids it never defines). */
static const char *spec_name(cg_reader *r, id_map *m, const char *v, const char *end)
{
    size_t idlen = id_prefix_len(v, end);
    if (idlen == 0) return pk_intern(r->p, v, (size_t)(end - v));
    const char *q = v + 1;
    uint64_t id = parse_uint(r, &q, end);
    q = v + idlen;
    if (skip_spaces(q, end) == end) return id_map_get(m, id);
    q++;
    const char *name = pk_intern(r->p, q, (size_t)(end - q));
    id_map_put(m, id, name);
    return name;
}

static const char *fn_name(cg_reader *r, const char *v, const char *end)
{
    const char *name = spec_name(r, &r->fns, v, end);
    /* yappi calls functions it never names: keep the id as the name */
    return name ? name : pk_intern(r->p, v, (size_t)(end - v));
}

static const char *file_name(cg_reader *r, const char *v, const char *end)
{
    const char *name = spec_name(r, &r->files, v, end);
    return name ? name : r->unknown;
}

static void note_line(cg_reader *r, pk_id f, int32_t line)
{
    if (f >= r->capminline) {
        size_t cap = r->capminline ? r->capminline : 256;
        while (cap <= f)
            cap *= 2;
        int32_t *m = realloc(r->minline, cap * sizeof *m);
        if (!m) cg_fail(r, "out of memory");
        memset(m + r->capminline, 0, (cap - r->capminline) * sizeof *m);
        r->minline = m;
        r->capminline = cap;
    }
    if (line > 0 && (r->minline[f] == 0 || line < r->minline[f])) r->minline[f] = line;
}

/* yappi names functions "name module:line"; split that into name and line. */
static pk_id get_function(cg_reader *r, const char *name, const char *file)
{
    int32_t line = 0;
    if (r->yappi) {
        const char *sp = strchr(name, ' ');
        const char *colon = strrchr(name, ':');
        if (sp && colon && colon > sp && colon[1]) {
            const char *d = colon + 1;
            int64_t v = 0;
            while (*d && is_digit(*d) && v < INT32_MAX / 10)
                v = v * 10 + (*d++ - '0');
            if (!*d) {
                line = (int32_t)v;
                if (file == r->unknown) file = pk_intern(r->p, sp + 1, (size_t)(colon - sp - 1));
                name = pk_intern(r->p, name, (size_t)(sp - name));
            }
        }
    }
    pk_id f = pk_function_get(r->p, name, file, line, pk_kind_guess(name, file));
    note_line(r, f, 0);
    return f;
}

static pk_id current_function(cg_reader *r)
{
    if (!r->fn_name) cg_fail(r, "cost line before any fn=");
    if (r->fn == PK_NONE) r->fn = get_function(r, r->fn_name, r->fn_file);
    return r->fn;
}

/* One position column: +N, -N, * (relative to the previous line) or absolute. */
static int64_t parse_position(cg_reader *r, const char **s, const char *end, int64_t prev)
{
    const char *q = *s;
    int64_t v;
    if (q < end && *q == '*') {
        q++;
        v = prev;
    } else if (q < end && (*q == '+' || *q == '-')) {
        char sign = *q++;
        int64_t d = parse_int63(r, &q, end);
        if (d > INT32_MAX || prev > INT64_MAX / 2 || prev < INT64_MIN / 2)
            cg_fail(r, "position out of range");
        v = sign == '+' ? prev + d : prev - d;
    } else {
        v = parse_int63(r, &q, end);
    }
    if (q < end && *q != ' ' && *q != '\t') cg_fail(r, "bad position");
    *s = q;
    return v;
}

static int32_t line_of(cg_reader *r, const int64_t *pos)
{
    if (r->line_col < 0) return 0;
    int64_t l = pos[r->line_col];
    return l > 0 && l <= INT32_MAX ? (int32_t)l : 0;
}

static void add_costs(cg_reader *r, int64_t *dst, const int64_t *v)
{
    for (int m = 0; m < r->p->nmetrics; m++)
        if (__builtin_add_overflow(dst[m], v[m], &dst[m])) cg_fail(r, "cost overflows");
}

static void cost_line(cg_reader *r, const char *s, const char *end)
{
    if (r->nevents == 0) cg_fail(r, "cost line before the events: line");
    int64_t pos[MAX_POSITIONS];
    for (int c = 0; c < r->npos; c++) {
        s = skip_spaces(s, end);
        pos[c] = r->last[c] = parse_position(r, &s, end, r->last[c]);
    }
    int64_t v[PK_MAX_METRICS] = {0};
    for (int e = 0;; e++) {
        s = skip_spaces(s, end);
        if (s == end) break;
        if (e >= r->nevents) cg_fail(r, "more costs than events");
        int64_t c = parse_int63(r, &s, end);
        if (s < end && *s != ' ' && *s != '\t') cg_fail(r, "bad cost");
        if (e < r->p->nmetrics && __builtin_mul_overflow(c, r->scale[e], &v[e]))
            cg_fail(r, "cost overflows");
    }
    int32_t line = line_of(r, pos);
    pk_id f = current_function(r);
    if (r->pending == PENDING_JUMP) {
        r->pending = PENDING_NONE;
        return;
    }
    if (r->pending == PENDING_CALLS) {
        r->pending = PENDING_NONE;
        pk_edge *e = pk_edge_get(r->p, f, r->pending_callee);
        if (__builtin_add_overflow(e->calls, r->pending_calls, &e->calls))
            cg_fail(r, "call count overflows");
        add_costs(r, e->incl, v);
    } else {
        add_costs(r, r->p->funcs[f].self, v);
        note_line(r, f, line);
    }
    if (line > 0 && r->cur_file == r->fn_file) add_costs(r, pk_line_get(r->p, f, line)->v, v);
}

static void define_events(cg_reader *r, const char *s, const char *end)
{
    int n = 0;
    for (const char *w; next_word(&s, end, &w);) {
        if (r->nevents) {
            n++;
            continue;
        }
        if (n < PK_MAX_METRICS) {
            size_t len = (size_t)(s - w);
            r->scale[n] = 1;
            if (len == 2 && memcmp(w, "ns", 2) == 0) {
                pk_add_metric(r->p, "time", "ns");
            } else if (r->yappi && len == 5 && memcmp(w, "Ticks", 5) == 0) {
                pk_add_metric(r->p, "time", "ns"); /* yappi's ticks are microseconds */
                r->scale[n] = 1000;
            } else {
                pk_add_metric(r->p, pk_intern(r->p, w, len), "count");
            }
        }
        n++;
    }
    if (n == 0) cg_fail(r, "events: names no event");
    if (r->nevents && n != r->nevents) cg_fail(r, "events: differs from the first events: line");
    if (!r->nevents && n > PK_MAX_METRICS)
        pk_warn(r->in, "%d events, only the first %d are kept", n, PK_MAX_METRICS);
    r->nevents = n;
}

static void define_positions(cg_reader *r, const char *s, const char *end)
{
    if (r->nevents) cg_fail(r, "positions: after events:");
    int n = 0;
    r->line_col = -1;
    for (const char *w; next_word(&s, end, &w);) {
        if (n == MAX_POSITIONS) cg_fail(r, "too many position kinds");
        if (s - w == 4 && memcmp(w, "line", 4) == 0) r->line_col = n;
        n++;
    }
    if (n == 0) cg_fail(r, "positions: names nothing");
    r->npos = n;
}

static void header_line(cg_reader *r, const char *key, size_t klen, const char *v, const char *end)
{
    v = skip_spaces(v, end);
#define KEY(s) (klen == sizeof(s) - 1 && memcmp(key, s, klen) == 0)
    if (KEY("events")) {
        define_events(r, v, end);
    } else if (KEY("positions")) {
        define_positions(r, v, end);
    } else if (KEY("creator")) {
        r->yappi = end - v >= 5 && memcmp(v, "yappi", 5) == 0;
        pk_meta_set(r->p, "callgrind.creator", pk_intern(r->p, v, (size_t)(end - v)));
    } else if (KEY("cmd")) {
        pk_meta_set(r->p, "callgrind.cmd", pk_intern(r->p, v, (size_t)(end - v)));
    }
    /* version, pid, part, desc, event, summary, totals...: nothing to keep */
#undef KEY
}

static void spec_line(cg_reader *r, const char *key, size_t klen, const char *v, const char *end)
{
#define KEY(s) (klen == sizeof(s) - 1 && memcmp(key, s, klen) == 0)
    if (KEY("fn")) {
        r->fn_name = fn_name(r, v, end);
        r->fn_file = r->cur_file = r->fl ? r->fl : r->unknown; /* fn= before any fl= */
        r->fn = PK_NONE;
        r->cfl = NULL;
        r->pending = PENDING_NONE;
    } else if (KEY("fl")) {
        r->fl = r->cur_file = file_name(r, v, end);
    } else if (KEY("fi") || KEY("fe")) {
        r->cur_file = file_name(r, v, end);
        /* A function named without fl= whose fi= comes before its first cost
         * (lsprofcalltree's fn= then fi=) is in that file, as callgrind_annotate
         * and KCachegrind take it; later fi=/fe= are inlined code's lines. */
        if (r->fn == PK_NONE && r->fn_name && r->fn_file == r->unknown) r->fn_file = r->cur_file;
    } else if (KEY("cfl") || KEY("cfi")) {
        r->cfl = file_name(r, v, end);
        r->cfn = PK_NONE; /* a cfi= after cfn= names the callee's file */
    } else if (KEY("cfn")) {
        r->cfn_name = fn_name(r, v, end);
        r->cfn = PK_NONE;
    } else if (KEY("ob") || KEY("cob") || KEY("jfi") || KEY("jfn")) {
        spec_name(r, KEY("jfn") ? &r->fns : KEY("jfi") ? &r->files : &r->objs, v, end);
    } else if (KEY("calls")) {
        if (!r->cfn_name) cg_fail(r, "calls= without cfn=");
        if (r->cfn == PK_NONE) r->cfn = get_function(r, r->cfn_name, r->cfl ? r->cfl : r->cur_file);
        r->cfl = NULL;
        r->pending_callee = r->cfn;
        r->pending_calls = parse_int63(r, &v, end);
        int64_t pos[MAX_POSITIONS] = {0};
        for (int c = 0; c < r->npos; c++) {
            v = skip_spaces(v, end);
            if (v == end) break;
            pos[c] = parse_position(r, &v, end, r->last[c]);
        }
        note_line(r, r->cfn, line_of(r, pos));
        r->pending = PENDING_CALLS;
    } else if (KEY("jump") || KEY("jcnd")) {
        r->pending = PENDING_JUMP;
    }
#undef KEY
}

static void parse_line(cg_reader *r, const char *s, const char *end)
{
    if (end > s && end[-1] == '\r') end--;
    const char *t = skip_spaces(s, end);
    if (t == end || *t == '#') return;
    if (is_digit(*t) || *t == '+' || *t == '-' || *t == '*') {
        cost_line(r, t, end);
        return;
    }
    const char *k = t;
    while (t < end && (is_digit(*t) || *t == '_' || ((*t | 0x20) >= 'a' && (*t | 0x20) <= 'z')))
        t++;
    if (t > k && t < end && *t == '=')
        spec_line(r, k, (size_t)(t - k), t + 1, end);
    else if (t > k && t < end && *t == ':')
        header_line(r, k, (size_t)(t - k), t + 1, end);
    else
        cg_fail(r, "not a callgrind line");
}

/* Call counts and inclusive costs from the edges; lines for functions that
 * were named without one. */
static void finish_graph(cg_reader *r)
{
    pk_profile *p = r->p;
    for (size_t i = 0; i < p->nfuncs; i++)
        memcpy(p->funcs[i].incl, p->funcs[i].self, (size_t)p->nmetrics * sizeof *p->funcs[i].incl);
    for (size_t i = 0; i < p->nedges; i++) {
        pk_edge *e = &p->edges[i];
        pk_function *callee = &p->funcs[e->callee];
        callee->calls += e->calls;
        e->pcalls = e->calls;
        if (e->caller != e->callee) {
            callee->pcalls += e->calls;
            add_costs(r, p->funcs[e->caller].incl, e->incl);
        }
    }
    /* Call costs count nested calls again through mutual recursion: no
     * function can take more than the whole. */
    for (int m = 0; m < p->nmetrics; m++) {
        int64_t total = 0;
        for (size_t i = 0; i < p->nfuncs; i++)
            if (__builtin_add_overflow(total, p->funcs[i].self[m], &total))
                cg_fail(r, "cost overflows");
        for (size_t i = 0; i < p->nfuncs; i++)
            if (total >= 0 && p->funcs[i].incl[m] > total) p->funcs[i].incl[m] = total;
    }
    bool moved = false;
    for (size_t i = 0; i < p->nfuncs && i < r->capminline; i++) {
        if (p->funcs[i].line == 0 && r->minline[i] > 0) {
            p->funcs[i].line = r->minline[i];
            moved = true;
        }
    }
    if (moved) pk_reindex(p);
    p->has_graph = true;
    p->has_calls = true;
}

static void callgrind_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    (void)opt;
    cg_reader r = {.in = in, .p = p, .npos = 1, .line_col = 0, .fn = PK_NONE, .cfn = PK_NONE};
    /* Whatever fails the read, ours or the budget's, frees the tables. */
    pk_input_on_fail(in, cleanup_on_fail, &r);
    r.unknown = r.cur_file = pk_intern_cstr(p, "???"); /* calls= may come before fl= */
    r.buf = (const char *)pk_input_all(in, &r.len);
    for (size_t pos = 0; pos < r.len;) {
        const char *nl = memchr(r.buf + pos, '\n', r.len - pos);
        size_t end = nl ? (size_t)(nl - r.buf) : r.len;
        r.line_start = pos;
        parse_line(&r, r.buf + pos, r.buf + end);
        pos = end + 1;
    }
    r.line_start = r.len;
    if (r.nevents == 0) cg_fail(&r, "no events: line");
    finish_graph(&r);
    pk_input_on_fail(in, NULL, NULL);
    reader_cleanup(&r);
}

static bool head_has(const uint8_t *head, size_t len, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= len; i++)
        if ((i == 0 || head[i - 1] == '\n') && memcmp(head + i, s, n) == 0) return true;
    return false;
}

static int callgrind_probe(const uint8_t *head, size_t len)
{
    if (len >= 18 && memcmp(head, "# callgrind format", 18) == 0) return 100;
    if (!head_has(head, len, "events: ")) return 0;
    if (head_has(head, len, "version: 1") || head_has(head, len, "event: ") ||
        head_has(head, len, "fn="))
        return 80;
    return 30;
}

const pk_format pk_format_callgrind = {
    .name = "callgrind",
    .patterns = "callgrind.out* cachegrind.out* *.callgrind *.callgrind.out",
    .description = "valgrind callgrind profile (KCachegrind, callgrind_annotate)",
    .probe = callgrind_probe,
    .read = callgrind_read,
    .write = callgrind_write,
};
