/* memory_profiler's `mprof run` files (mprofile_*.dat): one record a line,
 *   CMDLINE <command>
 *   MEM <MiB> <unix time>                    the process's RSS, every interval
 *   FUNC <name> <MiB> <t> <MiB> <t> [<level>] an @profile call: entry, exit
 *   CHLD <pid> <MiB> <unix time>             a child's RSS (mprof run -M)
 * written by two processes appending to one file, so in no order of time.
 *
 * Model (a call graph, no stacks): the process is the root function, kind
 * process, named by its command line; the decorated functions hang under it
 * as their levels and times nest; each child process (CHLD) is a root of its
 * own, kind process, as it ran beside the parent. Metrics:
 *   peak   (bytes) the most RSS seen while the function ran: its entry and
 *          exit values and the MEM samples between; self is the most seen
 *          while no decorated callee ran. A maximum, not a sum.
 *   growth (bytes) RSS at exit less RSS at entry, summed over the calls;
 *          self is what the callees' growth leaves.
 *   time   (ns) the calls' durations; self less the callees'.
 * --time keeps a window (seconds after the first MEM sample): each call,
 * child and the process cut to it, RSS at a cut being that of the latest
 * record before it (for a call: its entry or a MEM sample since).
 * The MEM samples are the memory series (the HTML report's memory chart);
 * with children, a second series adds their latest RSS to the parent's.
 * MiB are 2^20 bytes; values are turned into whole bytes and nanoseconds
 * exactly from their decimal text.
 * Asked for (the HTML report's memory chart), the reader keeps the graph's
 * history too (lib/call_history.h): each epoch read again as a window.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/call_history.h"
#include "../lib/hmap.h"
#include "../lib/limits.h"
#include "../lib/timeline.h"
#include "format.h"

enum { PEAK, GROWTH, TIME, NMETRICS };

typedef struct {
    int64_t t, bytes;
} mem_sample;

typedef struct {
    const char *name; /* interned */
    int64_t t0, t1, b0, b1;
    int level; /* -1 when the record has none */
    size_t parent;
    uint8_t first, last; /* the history's epochs it touches */
    bool kept;           /* in the window */
    int64_t peak, self_peak, growth, time;
} func_call;

typedef struct {
    uint64_t pid;
    mem_sample *s;
    size_t n, cap;
} child;

typedef struct {
    int64_t v[NMETRICS];
} values;

typedef struct {
    pk_input *in;
    pk_profile *p;
    const uint8_t *data;
    size_t len, line_start;
    const char *cmdline;
    mem_sample *mem;
    size_t nmem, capmem;
    func_call *calls;
    size_t ncalls, capcalls;
    child *children;
    size_t nchildren, capchildren;
    size_t ignored;
    int64_t t_first, t_last; /* the first and last time of any record */
    int64_t from, to;        /* the window: absolute ns, [from, to) */
    size_t *owner;           /* each MEM sample's innermost open call */
    int64_t *maxima;         /* a tree of the MEM samples' maxima (range_max) */
    size_t *scope, nscope;   /* the calls a window may keep: all, or an epoch's */
    pk_id *func;             /* per call: its function */
    values *callees;         /* per call: what its kept callees add up to */
    /* the history (pk_read_options.history_epochs) while it is made */
    pk_call_history *hist;
    int64_t *bounds; /* nepochs + 1: when each epoch begins, absolute ns */
    int epoch;       /* the epoch whose values add_values keeps, -1: the profile's */
    int64_t *rows;   /* per function, then per edge: the epoch's incl and self */
    size_t nrows;
} reader;

#define NO_PARENT SIZE_MAX

static bool is_record(const uint8_t *s, size_t n)
{
    static const char *const kinds[] = {"MEM ", "FUNC ", "CMDLINE ", "CHLD "};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        size_t k = strlen(kinds[i]);
        if (n >= k && !memcmp(s, kinds[i], k)) return true;
    }
    return false;
}

/* The first line is a record, and so are most lines of the head (mprof
 * skips records it does not know). */
static int probe_mprof(const uint8_t *head, size_t len)
{
    size_t records = 0, others = 0;
    for (size_t at = 0; at < len;) {
        const uint8_t *nl = memchr(head + at, '\n', len - at);
        size_t n = nl ? (size_t)(nl - (head + at)) : len - at;
        bool record = is_record(head + at, n);
        if (!records && !others && n && !record) return 0;
        if (nl || record) record ? records++ : (others += n > 0);
        at += n + 1;
    }
    return records > others ? 90 : 0;
}

/* ---- fields ---- */

_Noreturn static void bad_line(reader *r, const char *what)
{
    pk_fail(r->in, r->line_start, "%s", what);
}

/* The next space-separated field of [*at, end). */
static bool next_field(const char **at, const char *end, const char **f, size_t *n)
{
    const char *s = *at;
    while (s < end && *s == ' ')
        s++;
    const char *e = s;
    while (e < end && *e != ' ')
        e++;
    *f = s;
    *n = (size_t)(e - s);
    *at = e;
    return *n > 0;
}

/* "123.4567" as 1234567 and 4 decimals; digits and one point only. */
static bool parse_decimal(const char *s, size_t n, uint64_t *mant, int *decimals)
{
    uint64_t m = 0;
    int digits = 0, dec = -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' && dec < 0) {
            dec = 0;
            continue;
        }
        if (s[i] < '0' || s[i] > '9' || ++digits > 18) return false;
        m = m * 10 + (uint64_t)(s[i] - '0');
        if (dec >= 0) dec++;
    }
    if (!digits) return false;
    *mant = m;
    *decimals = dec < 0 ? 0 : dec;
    return true;
}

static uint64_t pow10u(int k)
{
    uint64_t v = 1;
    while (k-- > 0)
        v *= 10;
    return v;
}

/* m / 10^d * scale, rounded to the nearest whole number. */
static bool scaled(uint64_t m, int d, uint64_t scale, int64_t *out)
{
    unsigned __int128 v = (unsigned __int128)m * scale, div = pow10u(d);
    v = (v + div / 2) / div;
    if (v > INT64_MAX) return false;
    *out = (int64_t)v;
    return true;
}

static int64_t mib_field(reader *r, const char **at, const char *end, const char *what)
{
    const char *f;
    size_t n;
    uint64_t m;
    int d;
    int64_t bytes;
    if (!next_field(at, end, &f, &n) || !parse_decimal(f, n, &m, &d) ||
        !scaled(m, d, 1u << 20, &bytes))
        bad_line(r, what);
    return bytes;
}

static int64_t time_field(reader *r, const char **at, const char *end, const char *what)
{
    const char *f;
    size_t n;
    uint64_t m;
    int d;
    int64_t ns = 0;
    bool ok = next_field(at, end, &f, &n) && parse_decimal(f, n, &m, &d);
    if (ok && d <= 9)
        ok = scaled(m, 0, pow10u(9 - d), &ns);
    else if (ok)
        ok = scaled(m, d - 9, 1, &ns);
    if (!ok) bad_line(r, what);
    return ns;
}

/* ---- records ---- */

static void read_mem(reader *r, const char *at, const char *end)
{
    int64_t b = mib_field(r, &at, end, "MEM record: bad memory (MiB)");
    int64_t t = time_field(r, &at, end, "MEM record: bad time");
    PK_GROW(r->mem, r->capmem, r->nmem + 1);
    r->mem[r->nmem++] = (mem_sample){t, b};
}

static void read_func(reader *r, const char *at, const char *end)
{
    const char *name, *f;
    size_t nname, n;
    if (!next_field(&at, end, &name, &nname)) bad_line(r, "FUNC record without a name");
    func_call c = {.name = pk_intern(r->p, name, nname), .level = -1, .parent = NO_PARENT};
    c.b0 = mib_field(r, &at, end, "FUNC record: bad memory at entry (MiB)");
    c.t0 = time_field(r, &at, end, "FUNC record: bad time at entry");
    c.b1 = mib_field(r, &at, end, "FUNC record: bad memory at exit (MiB)");
    c.t1 = time_field(r, &at, end, "FUNC record: bad time at exit");
    if (next_field(&at, end, &f, &n)) {
        uint64_t level;
        int d;
        if (!parse_decimal(f, n, &level, &d) || d || memchr(f, '.', n) || level > 100000)
            bad_line(r, "FUNC record: bad stack level");
        c.level = (int)level;
    }
    if (c.t1 < c.t0) bad_line(r, "FUNC record: exit before entry");
    PK_GROW(r->calls, r->capcalls, r->ncalls + 1);
    r->calls[r->ncalls++] = c;
}

static child *child_of(reader *r, uint64_t pid)
{
    for (size_t i = 0; i < r->nchildren; i++)
        if (r->children[i].pid == pid) return &r->children[i];
    PK_GROW(r->children, r->capchildren, r->nchildren + 1);
    r->children[r->nchildren] = (child){.pid = pid};
    return &r->children[r->nchildren++];
}

static void read_child(reader *r, const char *at, const char *end)
{
    const char *f;
    size_t n;
    uint64_t pid;
    int d;
    if (!next_field(&at, end, &f, &n) || !parse_decimal(f, n, &pid, &d) || d || memchr(f, '.', n))
        bad_line(r, "CHLD record: bad process id");
    int64_t b = mib_field(r, &at, end, "CHLD record: bad memory (MiB)");
    int64_t t = time_field(r, &at, end, "CHLD record: bad time");
    child *c = child_of(r, pid);
    PK_GROW(c->s, c->cap, c->n + 1);
    c->s[c->n++] = (mem_sample){t, b};
}

static void read_records(reader *r)
{
    if (!r->len) pk_fail(r->in, 0, "empty file: not an mprof file");
    const char *s = (const char *)r->data, *end = s + r->len;
    for (const char *line = s; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *stop = nl ? nl : end;
        r->line_start = (size_t)(line - s);
        if (stop > line && stop[-1] == '\r') stop--;
        const char *sp = memchr(line, ' ', (size_t)(stop - line));
        size_t klen = sp ? (size_t)(sp - line) : (size_t)(stop - line);
        const char *rest = sp ? sp + 1 : stop;
        if (klen == 3 && !memcmp(line, "MEM", 3))
            read_mem(r, rest, stop);
        else if (klen == 4 && !memcmp(line, "FUNC", 4))
            read_func(r, rest, stop);
        else if (klen == 4 && !memcmp(line, "CHLD", 4))
            read_child(r, rest, stop);
        else if (klen == 7 && !memcmp(line, "CMDLINE", 7))
            r->cmdline = pk_intern(r->p, rest, (size_t)(stop - rest));
        else if (stop > line)
            r->ignored++; /* mprof skips fields it does not know */
        line = nl ? nl + 1 : end;
    }
    if (!r->nmem && !r->ncalls && !r->nchildren)
        pk_fail(r->in, 0, "no MEM, FUNC or CHLD record: not an mprof file");
}

/* ---- nesting and values ---- */

static int cmp_sample(const void *a, const void *b)
{
    const mem_sample *x = a, *y = b;
    return (x->t > y->t) - (x->t < y->t);
}

/* Callers first: by entry time, an outer level before an inner one. */
static int cmp_call(const void *a, const void *b)
{
    const func_call *x = a, *y = b;
    if (x->t0 != y->t0) return x->t0 < y->t0 ? -1 : 1;
    if (x->level != y->level) return x->level < y->level ? -1 : 1;
    return (x->t1 < y->t1) - (x->t1 > y->t1);
}

/* Each call's parent: the innermost open call that holds it in time and,
 * when levels are written, has a lower level. */
static void nest_calls(reader *r)
{
    size_t *open = pk_scratch_hold(pk_xmalloc((r->ncalls + 1) * sizeof *open)), depth = 0;
    for (size_t i = 0; i < r->ncalls; i++) {
        func_call *c = &r->calls[i];
        while (depth) {
            const func_call *top = &r->calls[open[depth - 1]];
            bool holds = top->t1 >= c->t1 && (c->level < 0 || top->level < c->level);
            if (holds) break;
            depth--;
        }
        c->parent = depth ? open[depth - 1] : NO_PARENT;
        open[depth++] = i;
    }
    pk_scratch_free(open);
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* ---- the window ----
 * --time keeps [from, to); without it the window is everything. A call, a
 * child or the process is in it when its time overlaps it or its entry or
 * exit falls in it. Between records RSS is that of the latest one (a call
 * reads its entry and the MEM samples since, as its peak does; a child its
 * CHLD samples), so a value cut at a window's edge is one record seen from
 * both sides: growth and time of adjacent windows add up, and the larger of
 * their peaks is the whole run's. */

static bool in_window(const reader *r, int64_t t)
{
    return t >= r->from && t < r->to;
}

static int64_t overlap(const reader *r, int64_t t0, int64_t t1)
{
    int64_t a = max64(t0, r->from), b = min64(t1, r->to);
    return b > a ? b - a : 0;
}

static bool spans_window(const reader *r, int64_t t0, int64_t t1)
{
    return overlap(r, t0, t1) > 0 || in_window(r, t0) || in_window(r, t1);
}

/* The first of n samples (sorted) after t. */
static size_t first_after(const mem_sample *s, size_t n, int64_t t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid].t <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The latest of n samples at or before t, else the first. */
static size_t latest_at(const mem_sample *s, size_t n, int64_t t)
{
    size_t k = first_after(s, n, t);
    return k ? k - 1 : 0;
}

/* A run of samples (the process's, a child's) cut to the window: the
 * samples from the one at its start to the one at its end. */
static bool track_window(const reader *r, const mem_sample *s, size_t n, size_t *lo, size_t *hi,
                         values *v)
{
    if (!n || !spans_window(r, s[0].t, s[n - 1].t)) return false;
    *lo = latest_at(s, n, max64(s[0].t, r->from));
    *hi = latest_at(s, n, min64(s[n - 1].t, r->to));
    v->v[PEAK] = 0;
    for (size_t k = *lo; k <= *hi; k++)
        v->v[PEAK] = max64(v->v[PEAK], s[k].bytes);
    v->v[GROWTH] = s[*hi].bytes - s[*lo].bytes;
    v->v[TIME] = overlap(r, s[0].t, s[n - 1].t);
    return true;
}

/* ---- calls ---- */

/* Each MEM sample's innermost open call, NO_PARENT for the process's own. */
static void own_samples(reader *r)
{
    r->owner = pk_xmalloc((r->nmem + 1) * sizeof *r->owner);
    size_t *open = pk_scratch_hold(pk_xmalloc((r->ncalls + 1) * sizeof *open));
    size_t depth = 0, next = 0;
    for (size_t k = 0; k < r->nmem; k++) {
        int64_t t = r->mem[k].t;
        while (next < r->ncalls && r->calls[next].t0 <= t)
            open[depth++] = next++;
        while (depth && r->calls[open[depth - 1]].t1 < t)
            depth--;
        r->owner[k] = depth ? open[depth - 1] : NO_PARENT;
    }
    pk_scratch_free(open);
}

/* Call i's RSS at t inside it, after its entry and before its exit: the
 * latest sample since its entry, else its entry; *own when that record is
 * the call's. */
static int64_t call_rss_at(const reader *r, size_t i, int64_t t, bool *own)
{
    const func_call *c = &r->calls[i];
    size_t k = first_after(r->mem, r->nmem, t);
    *own = !k || r->mem[k - 1].t < c->t0 || r->owner[k - 1] == i;
    return !k || r->mem[k - 1].t < c->t0 ? c->b0 : r->mem[k - 1].bytes;
}

/* The most of samples [lo, hi) in a tree of maxima (tree[n + k] = sample k). */
static int64_t range_max(const int64_t *tree, size_t n, size_t lo, size_t hi)
{
    int64_t best = 0;
    for (lo += n, hi += n; lo < hi; lo /= 2, hi /= 2) {
        if (lo & 1) best = max64(best, tree[lo++]);
        if (hi & 1) best = max64(best, tree[--hi]);
    }
    return best;
}

/* What every window (--time's, the history's epochs) reads: each MEM
 * sample's owner, the tree of their maxima, room for each call's function
 * and callees, and the calls in scope (all of them, in order). */
static void prepare_windows(reader *r)
{
    size_t n = r->nmem;
    own_samples(r);
    int64_t *tree = r->maxima = pk_xcalloc(2 * n + 1, sizeof *tree);
    for (size_t k = 0; k < n; k++)
        tree[n + k] = r->mem[k].bytes;
    for (size_t k = n; k-- > 1;)
        tree[k] = max64(tree[2 * k], tree[2 * k + 1]);
    r->func = pk_xmalloc((r->ncalls + 1) * sizeof *r->func);
    r->callees = pk_xmalloc((r->ncalls + 1) * sizeof *r->callees);
    r->scope = pk_xmalloc((r->ncalls + 1) * sizeof *r->scope);
    for (size_t i = 0; i < r->ncalls; i++)
        r->scope[i] = i;
    r->nscope = r->ncalls;
}

/* Call i in the window: RSS at its two ends there, and the samples between. */
static void call_window(reader *r, size_t i)
{
    func_call *c = &r->calls[i];
    c->kept = spans_window(r, c->t0, c->t1);
    if (!c->kept) return;
    int64_t from = max64(c->t0, r->from), to = min64(c->t1, r->to);
    bool own_from = true, own_to = true;
    int64_t b_from = from == c->t0   ? c->b0
                     : from == c->t1 ? c->b1 /* the window starts at its exit */
                                     : call_rss_at(r, i, from, &own_from);
    int64_t b_to = to == c->t1 ? c->b1 : call_rss_at(r, i, to, &own_to);
    c->growth = b_to - b_from;
    c->time = overlap(r, c->t0, c->t1);
    c->self_peak = max64(own_from ? b_from : 0, own_to ? b_to : 0);
    size_t lo = first_after(r->mem, r->nmem, from - (from > INT64_MIN));
    size_t hi = first_after(r->mem, r->nmem, to);
    c->peak = max64(max64(b_from, b_to), range_max(r->maxima, r->nmem, lo, hi));
}

/* Every call's values in the window; returns the process's own peak there:
 * its RSS when no call held it, among its samples [lo, hi] in the window
 * (none when lo > hi). */
static int64_t call_values(reader *r, size_t lo, size_t hi)
{
    for (size_t k = 0; k < r->nscope; k++)
        call_window(r, r->scope[k]);
    int64_t process_own = 0;
    for (size_t k = lo; k <= hi; k++) {
        int64_t t = r->mem[k].t;
        if (r->owner[k] == NO_PARENT)
            process_own = max64(process_own, r->mem[k].bytes);
        else if (t >= r->from && t <= r->to) /* in the window: the call's own RSS */
            r->calls[r->owner[k]].self_peak =
                max64(r->calls[r->owner[k]].self_peak, r->mem[k].bytes);
    }
    return process_own;
}

/* Sums past 64 bits end the read: every command adds these values up. */
_Noreturn static void too_large(const reader *r)
{
    pk_fail(r->in, 0, "times or memory too large: their sums leave 64 bits");
}

static int64_t sum(const reader *r, int64_t a, int64_t b)
{
    int64_t v;
    if (__builtin_add_overflow(a, b, &v)) too_large(r);
    return v;
}

static int64_t less(const reader *r, int64_t a, int64_t b)
{
    int64_t v;
    if (__builtin_sub_overflow(a, b, &v)) too_large(r);
    return v;
}

/* What the callees leave: incl less callees, the peak as it is. */
static values own_values(const reader *r, int64_t self_peak, const values *incl,
                         const values *callees)
{
    values v = {{self_peak}};
    for (int m = GROWTH; m < NMETRICS; m++)
        v.v[m] = less(r, incl->v[m], callees->v[m]);
    return v;
}

/* Peaks are maxima, the rest add up. */
static void accumulate(const reader *r, int64_t *incl_to, int64_t *self_to, const values *incl,
                       const values *self)
{
    incl_to[PEAK] = max64(incl_to[PEAK], incl->v[PEAK]);
    self_to[PEAK] = max64(self_to[PEAK], self->v[PEAK]);
    for (int m = GROWTH; m < NMETRICS; m++) {
        incl_to[m] = sum(r, incl_to[m], incl->v[m]);
        self_to[m] = sum(r, self_to[m], self->v[m]);
    }
}

/* Row k of the epoch being made: its incl, then its self. */
static void add_to_row(const reader *r, size_t k, const values *incl, const values *self)
{
    if (k >= r->nrows) return; /* not in the whole run: cannot be */
    int64_t *row = r->rows + k * 2 * NMETRICS;
    accumulate(r, row, row + NMETRICS, incl, self);
}

/* A call of callee from caller (PK_NONE: a root) into the profile, or while
 * the history is made into the epoch's rows; returns the edge, PK_NONE for a
 * root. */
static pk_id add_values(const reader *r, pk_id caller, pk_id callee, const values *incl,
                        const values *self)
{
    pk_profile *p = r->p;
    if (r->epoch >= 0) {
        add_to_row(r, callee, incl, self);
        const pk_edge *e = caller == PK_NONE ? NULL : pk_edge_find(p, caller, callee);
        if (e) add_to_row(r, p->nfuncs + (size_t)(e - p->edges), incl, self);
        return PK_NONE;
    }
    pk_function *f = &p->funcs[callee];
    accumulate(r, f->incl, f->self, incl, self);
    f->calls++;
    f->pcalls++;
    if (caller == PK_NONE) return PK_NONE;
    pk_edge *e = pk_edge_get(p, caller, callee);
    accumulate(r, e->incl, e->self, incl, self);
    e->calls++;
    e->pcalls++;
    return (pk_id)(e - p->edges);
}

/* ---- the history's epochs ---- */

/* The epoch of time t: the last that begins at or before it, else the
 * first. */
static uint8_t epoch_of(const reader *r, int64_t t)
{
    size_t lo = 1, hi = r->hist->nepochs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->bounds[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint8_t)(lo - 1);
}

/* A call the whole run keeps, while the history is made: its epochs. */
static void note_call(const reader *r, pk_id func, pk_id edge, int64_t t0, int64_t t1)
{
    if (!r->hist || r->epoch >= 0) return;
    pk_call_history_add_call(r->hist, func, edge, epoch_of(r, t0), epoch_of(r, t1));
}

/* The kept calls of the scope: functions made in the order of their first
 * calls (an epoch's were all made by the whole run's), callees' values. */
static void add_calls(reader *r, pk_id root, values *root_children)
{
    pk_profile *p = r->p;
    pk_id *func = r->func;
    values *callees = r->callees;
    for (size_t k = 0; k < r->nscope; k++) {
        size_t i = r->scope[k];
        callees[i] = (values){{0}};
        if (r->calls[i].kept && r->epoch < 0)
            func[i] = pk_function_get(p, r->calls[i].name, "", 0, PK_KIND_PYTHON);
    }
    for (size_t k = 0; k < r->nscope; k++) {
        const func_call *c = &r->calls[r->scope[k]];
        if (!c->kept) continue;
        values *up = c->parent == NO_PARENT ? root_children : &callees[c->parent];
        up->v[GROWTH] = sum(r, up->v[GROWTH], c->growth);
        up->v[TIME] = sum(r, up->v[TIME], c->time);
    }
    for (size_t k = 0; k < r->nscope; k++) {
        size_t i = r->scope[k];
        const func_call *c = &r->calls[i];
        if (!c->kept) continue;
        values incl = {{c->peak, c->growth, c->time}};
        values self = own_values(r, c->self_peak, &incl, &callees[i]);
        pk_id caller = c->parent == NO_PARENT ? root : func[c->parent];
        /* a function under itself: that call is not primitive */
        for (size_t up = c->parent; up != NO_PARENT && r->epoch < 0; up = r->calls[up].parent)
            if (func[up] == func[i]) {
                p->funcs[func[i]].pcalls--;
                break;
            }
        note_call(r, func[i], add_values(r, caller, func[i], &incl, &self), c->t0, c->t1);
    }
}

/* Each child process is a root of its own: it ran beside the parent. */
static void add_children(reader *r)
{
    pk_profile *p = r->p;
    for (size_t i = 0; i < r->nchildren; i++) {
        child *c = &r->children[i];
        size_t lo, hi;
        values v;
        if (!track_window(r, c->s, c->n, &lo, &hi, &v)) continue;
        char name[48];
        snprintf(name, sizeof name, "child %" PRIu64, c->pid);
        pk_id f = pk_function_get(p, name, "", 0, PK_KIND_PROCESS);
        note_call(r, f, PK_NONE, c->s[0].t, c->s[c->n - 1].t);
        add_values(r, PK_NONE, f, &v, &v);
    }
}

/* The first and last time of any record. */
static void run_span(reader *r)
{
    int64_t t0 = INT64_MAX, t1 = INT64_MIN;
    if (r->nmem) {
        t0 = r->mem[0].t;
        t1 = r->mem[r->nmem - 1].t;
    }
    for (size_t i = 0; i < r->ncalls; i++) {
        t0 = min64(t0, r->calls[i].t0);
        t1 = max64(t1, r->calls[i].t1);
    }
    for (size_t i = 0; i < r->nchildren; i++) {
        const child *c = &r->children[i];
        t0 = min64(t0, c->s[0].t);
        t1 = max64(t1, c->s[c->n - 1].t);
    }
    r->t_first = t0;
    r->t_last = t1;
}

/* The process and its calls: its samples' peak and growth (its calls'
 * growth without them) and the time of every record, in the window. */
static void add_process(reader *r)
{
    pk_profile *p = r->p;
    int64_t t0 = r->t_first, t1 = r->t_last;
    if (!spans_window(r, t0, t1)) return;
    const char *name = r->cmdline && *r->cmdline ? r->cmdline : "<process>";
    pk_id root = pk_function_get(p, name, "", 0, PK_KIND_PROCESS);
    note_call(r, root, PK_NONE, t0, t1);
    values children = {{0}}, incl = {{0}};
    size_t lo = 1, hi = 0; /* the samples in the window: none without MEM records */
    bool sampled = track_window(r, r->mem, r->nmem, &lo, &hi, &incl);
    int64_t self_peak = call_values(r, lo, hi);
    add_calls(r, root, &children);
    /* An epoch after the last sample keeps that growth apart: it counts
     * only in a window with no sample (call_history.h, late pieces). */
    bool late = !sampled && r->epoch >= 0;
    if (!sampled && !late) incl.v[GROWTH] = children.v[GROWTH];
    for (size_t k = 0; k < r->nscope; k++)
        if (r->calls[r->scope[k]].kept)
            incl.v[PEAK] = max64(incl.v[PEAK], r->calls[r->scope[k]].peak);
    incl.v[TIME] = overlap(r, t0, t1);
    values self = own_values(r, self_peak, &incl, &children);
    add_values(r, PK_NONE, root, &incl, &self);
    if (late && children.v[GROWTH]) {
        int64_t growth[NMETRICS] = {[GROWTH] = children.v[GROWTH]};
        pk_call_history_add_piece(r->hist, (pk_call_piece){root, (uint8_t)r->epoch, false, true},
                                  growth, growth);
    }
}

/* The functions' own values are summed into totals by every command. */
static void check_totals(const reader *r)
{
    for (int m = 0; m < NMETRICS; m++) {
        int64_t total = 0;
        for (size_t f = 0; f < r->p->nfuncs; f++)
            total = sum(r, total, r->p->funcs[f].self[m]);
    }
}

/* RSS over time; with children, the parent's plus each child's latest. */
static void add_series(reader *r)
{
    pk_profile *p = r->p;
    p->series_names[0] = pk_intern_cstr(p, "rss");
    p->series_names[1] = r->nchildren ? pk_intern_cstr(p, "rss with children") : NULL;
    size_t *next = pk_xcalloc(r->nchildren + 1, sizeof *next);
    for (size_t k = 0; k < r->nmem; k++) {
        int64_t total = r->mem[k].bytes;
        for (size_t i = 0; i < r->nchildren; i++) {
            const child *c = &r->children[i];
            while (next[i] < c->n && c->s[next[i]].t <= r->mem[k].t)
                next[i]++;
            if (next[i]) total += c->s[next[i] - 1].bytes;
        }
        pk_series_add(p, r->mem[k].t, r->mem[k].bytes, r->nchildren ? total : 0);
    }
    free(next);
}

/* --time's window, from seconds after the first MEM sample (the memory
 * chart's start) to absolute times. */
static void set_window(reader *r, const pk_read_options *opt)
{
    r->from = INT64_MIN;
    r->to = INT64_MAX;
    if (!opt || !opt->time_set) return;
    int64_t start = r->nmem ? r->mem[0].t : r->t_first;
    r->from = pk_window_end(start, opt->time_from_ns);
    r->to = pk_window_end(start, opt->time_to_ns);
    r->p->time_windowed = true;
}

/* ---- the history ---- */

/* Past this many (call, epoch) pairs the history costs more than the read. */
#define HISTORY_MAX_WORK ((size_t)1 << 24)

/* Epochs of the run, from the first MEM sample (the memory chart's start,
 * --time's zero) to its last record, at most one a millisecond: of the whole
 * run, unfiltered, when asked for. */
static void start_history(reader *r, const pk_read_options *opt)
{
    if (!opt || opt->history_epochs <= 0 || opt->time_set || !r->nmem) return;
    int64_t start = r->mem[0].t, t1 = r->t_last, span = t1 - start; /* times are >= 0 */
    int64_t span_ms = span / 1000000 + (span % 1000000 != 0);
    if (span <= 0 || span_ms > ((int64_t)1 << 40) || t1 > INT64_MAX - 1000000) return;
    size_t n = (size_t)opt->history_epochs;
    if (n > UINT8_MAX) n = UINT8_MAX;
    if (n > (size_t)span_ms) n = (size_t)span_ms;
    r->hist = r->p->calls_history = pk_call_history_new(n, span_ms, NMETRICS);
    r->hist->maximum = 1u << PEAK;
    r->bounds = pk_xmalloc((n + 1) * sizeof *r->bounds);
    for (size_t e = 0; e <= n; e++)
        r->bounds[e] = start + r->hist->start_ms[e] * 1000000;
    r->hist->late_after = epoch_of(r, r->mem[r->nmem - 1].t);
    size_t work = 0;
    for (size_t i = 0; i < r->ncalls; i++) {
        r->calls[i].first = epoch_of(r, r->calls[i].t0);
        r->calls[i].last = epoch_of(r, r->calls[i].t1);
        work += (size_t)(r->calls[i].last - r->calls[i].first) + 1;
    }
    if (work > HISTORY_MAX_WORK) {
        pk_call_history_free(r->hist);
        r->hist = r->p->calls_history = NULL;
    }
}

/* The epoch's rows as pieces, those with a value. */
static void keep_rows(reader *r)
{
    for (size_t k = 0; k < r->nrows; k++) {
        const int64_t *row = r->rows + k * 2 * NMETRICS;
        bool any = false;
        for (int m = 0; m < 2 * NMETRICS; m++)
            any |= row[m] != 0;
        if (!any) continue;
        bool edge = k >= r->p->nfuncs;
        pk_id id = (pk_id)(edge ? k - r->p->nfuncs : k);
        pk_call_history_add_piece(r->hist, (pk_call_piece){id, (uint8_t)r->epoch, edge, false}, row,
                                  row + NMETRICS);
    }
}

/* The calls of epoch e in scope: those of the last epoch still running,
 * and those from next on that begin in it (calls begin in order). */
static void epoch_scope(reader *r, size_t e, size_t *next)
{
    size_t n = 0;
    for (size_t k = 0; k < r->nscope; k++)
        if (r->calls[r->scope[k]].last >= e) r->scope[n++] = r->scope[k];
    for (; *next < r->ncalls && r->calls[*next].first <= e; ++*next)
        if (r->calls[*next].last >= e) r->scope[n++] = *next;
    r->nscope = n;
}

/* Each epoch read again as a window of the calls that touch it, its values
 * kept in rows of the whole run's functions and edges. */
static void make_history(reader *r)
{
    if (!r->hist) return;
    size_t n = r->hist->nepochs, next = 0;
    r->nrows = r->p->nfuncs + r->p->nedges;
    r->rows = pk_xmalloc((r->nrows * 2 * NMETRICS + 1) * sizeof *r->rows);
    r->nscope = 0;
    for (size_t e = 0; e < n; e++) {
        epoch_scope(r, e, &next);
        r->from = e ? r->bounds[e] : INT64_MIN;
        r->to = e + 1 < n ? r->bounds[e + 1] : INT64_MAX;
        r->epoch = (int)e;
        memset(r->rows, 0, r->nrows * 2 * NMETRICS * sizeof *r->rows);
        add_process(r);
        add_children(r);
        keep_rows(r);
    }
    r->epoch = -1;
    r->from = INT64_MIN;
    r->to = INT64_MAX;
}

static void set_meta(reader *r)
{
    pk_profile *p = r->p;
    char buf[64];
    if (r->cmdline) pk_meta_set(p, "mprof.cmdline", r->cmdline);
    snprintf(buf, sizeof buf, "%zu", r->nmem);
    pk_meta_set(p, "mprof.samples", buf);
    snprintf(buf, sizeof buf, "%zu", r->nchildren);
    pk_meta_set(p, "mprof.children", buf);
    if (r->nmem) {
        int64_t t0 = r->mem[0].t, t1 = r->mem[r->nmem - 1].t;
        snprintf(buf, sizeof buf, "%" PRId64 ".%09" PRId64, t0 / 1000000000, t0 % 1000000000);
        pk_meta_set(p, "start_time", buf);
        snprintf(buf, sizeof buf, "%.4f", (double)(t1 - t0) / 1e9);
        pk_meta_set(p, "duration_s", buf);
    }
}

static void free_reader(void *ctx)
{
    reader *r = ctx;
    free(r->mem);
    free(r->calls);
    free(r->owner);
    free(r->maxima);
    free(r->func);
    free(r->callees);
    free(r->scope);
    free(r->bounds);
    free(r->rows);
    for (size_t i = 0; i < r->nchildren; i++)
        free(r->children[i].s);
    free(r->children);
}

static void read_mprof(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    reader r = {.in = in, .p = p, .epoch = -1};
    r.data = pk_input_all(in, &r.len);
    pk_input_on_fail(in, free_reader, &r);
    read_records(&r);
    pk_add_metric(p, "peak", "bytes");
    pk_add_metric(p, "growth", "bytes");
    pk_add_metric(p, "time", "ns");
    pk_sort(r.mem, r.nmem, sizeof *r.mem, cmp_sample);
    pk_sort(r.calls, r.ncalls, sizeof *r.calls, cmp_call);
    nest_calls(&r);
    prepare_windows(&r);
    for (size_t i = 0; i < r.nchildren; i++)
        pk_sort(r.children[i].s, r.children[i].n, sizeof *r.children[i].s, cmp_sample);
    run_span(&r);
    set_window(&r, opt);
    start_history(&r, opt);
    add_process(&r);
    add_children(&r);
    check_totals(&r);
    make_history(&r);
    add_series(&r);
    set_meta(&r);
    if (r.ignored && opt->verbose) pk_warn(in, "%zu lines of unknown records skipped", r.ignored);
    pk_input_on_fail(in, NULL, NULL);
    free_reader(&r);
    p->has_graph = true;
    p->has_calls = true;
}

const pk_format pk_format_mprof = {
    .name = "mprof",
    .patterns = "mprofile_*.dat",
    .description = "memory_profiler's mprof run files: memory over time, @profile calls",
    .probe = probe_mprof,
    .read = read_mprof,
    .write = NULL,
};
