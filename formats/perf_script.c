/* `perf script` text (Linux perf's default sample dump), as FlameGraph's
 * stackcollapse-perf.pl reads it, with CPython's perf trampoline frames
 * (`py::qualname:file`). See shared/formats/perf.md.
 *
 *   <comm> [<pid>/]<tid> [<cpu>] <time>: [<period>] <event>:
 *   \t<addr> <symbol>[+0x<off>] (<dso>)      leaf first, one line a frame
 *   <empty line>
 *
 * Each sample is one stack (root first) with its period added to the
 * metric of its event (cpu-clock and task-clock periods are nanoseconds: the
 * "time" metric; other events count) and one to "samples"; with --threads
 * the command is the root frame, as in stackcollapse-perf.pl's output. Frame
 * names are made the way stackcollapse-perf.pl makes them (offsets cut,
 * `[unknown]` named after its dso, the same tidying), so the folded stacks
 * written from the model are that script's; kernel frames are of kind
 * kernel with their dso in brackets as file. Samples keep their thread and
 * time in the timeline. The input is streamed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/hmap.h"
#include "../lib/limits.h"
#include "../lib/timeline.h"
#include "format.h"
#include "stacks.h"

#define CHUNK ((size_t)1 << 20)
#define MAX_LINE ((size_t)64 << 20)

typedef struct {
    pk_id leaf;
    uint32_t thread;
    uint32_t event;
    int64_t t_ns;
    int64_t period;
} sample_rec;

typedef struct {
    uint32_t off, n; /* functions of a frame line in r->pool */
} frame_entry;

typedef struct {
    uint64_t tid;
    uint32_t timeline; /* pk_thread index */
    sk_stack prev;
} thread_rec;

typedef struct {
    char *name; /* the event as perf prints it, `cpu-clock:ppp` */
    int metric;
} event_rec;

typedef struct {
    pk_input *in;
    pk_profile *p;
    const pk_read_options *opt;
    char *buf;
    size_t cap;
    sk_map frames; /* frame text -> frames[] */
    frame_entry *fr;
    size_t nfr, capfr;
    pk_id *pool;
    size_t npool, cappool;
    sk_map comms; /* comm -> function of its root frame */
    thread_rec *threads;
    size_t nthreads, capthreads;
    size_t last_thread;
    event_rec events[PK_MAX_METRICS];
    size_t nevents;
    int samples_metric;
    /* the sample being read */
    bool in_sample, java;
    pk_id comm_func;
    uint64_t pid, tid;
    int64_t t_ns;
    int64_t period;
    int event;       /* -1: none given, -2: past the metrics we can hold */
    uint32_t *lines; /* frames[] of its frame lines, leaf first */
    size_t nlines, caplines;
    sk_stack cur;
    char *name; /* scratch for tidying a frame name */
    size_t capname;
    char *key; /* scratch for a frame's key */
    size_t capkey;
    sample_rec *samples;
    size_t nsamples, capsamples;
    uint64_t unparsed, dropped, headers, frame_lines;
    uint64_t first_unparsed;
    bool any_time;
    int64_t t_min;
} reader;

static void reader_free(void *ctx)
{
    reader *r = ctx;
    free(r->buf);
    free(r->lines);
    free(r->name);
    free(r->key);
    free(r->samples);
    for (size_t i = 0; i < r->nevents; i++)
        free(r->events[i].name);
    free(r);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_word(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* ---- frames ------------------------------------------------------------------ */

static void name_reserve(reader *r, size_t n)
{
    if (n > r->capname) PK_GROW(r->name, r->capname, n);
}

/* One part of a symbol (symbols hold inlined frames as a->b), tidied as
 * stackcollapse-perf.pl does: `[unknown]` named after the dso, `;` made
 * `:`, what follows a `(` dropped (unless it is a Go method or an anonymous
 * namespace), quotes removed, a Java `L` prefix dropped. */
static size_t tidy(reader *r, const char *s, size_t n, const char *mod, size_t modlen, bool inlined)
{
    name_reserve(r, n + modlen + 8);
    char *out = r->name;
    size_t len = 0;
    if (n == 9 && memcmp(s, "[unknown]", 9) == 0) {
        out[len++] = '[';
        if (modlen == 9 && memcmp(mod, "[unknown]", 9) == 0) {
            memcpy(out + len, "unknown", 7), len += 7;
        } else {
            const char *slash = memrchr(mod, '/', modlen);
            const char *b = slash ? slash + 1 : mod;
            memcpy(out + len, b, (size_t)(mod + modlen - b)), len += (size_t)(mod + modlen - b);
        }
        out[len++] = ']';
    } else {
        memcpy(out, s, n);
        len = n;
    }
    for (size_t i = 0; i < len; i++)
        if (out[i] == ';') out[i] = ':';
    /* Go methods (pkg.(*T).M) keep their parentheses */
    bool go = false;
    for (size_t i = 0; i + 1 < len && !go; i++)
        if (out[i] == '.' && out[i + 1] == '(')
            for (size_t j = i + 2; j + 1 < len; j++)
                if (out[j] == ')' && out[j + 1] == '.') {
                    go = true;
                    break;
                }
    if (!go)
        for (size_t i = 0; i < len; i++)
            if (out[i] == '(' &&
                !(len - i - 1 >= 20 && memcmp(out + i + 1, "anonymous namespace)", 20) == 0)) {
                len = i;
                break;
            }
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (out[i] != '"' && out[i] != '\'') out[k++] = out[i];
    len = k;
    if (r->java && len && out[0] == 'L' && memchr(out, '/', len)) memmove(out, out + 1, --len);
    if (inlined && !memmem(out, len, "_[i]", 4)) memcpy(out + len, "_[i]", 4), len += 4;
    return len;
}

/* Kernel code: perf's [kernel.kallsyms], a vmlinux image, or a module in
 * brackets at a kernel address. */
static bool kernel_dso(const char *mod, size_t n, uint64_t addr)
{
    if (n >= 8 && memcmp(mod, "[kernel.", 8) == 0) return true;
    if (n >= 7 && memmem(mod, n, "vmlinux", 7)) return true;
    if (n < 3 || mod[0] != '[' || mod[n - 1] != ']') return false;
    if ((n == 9 && memcmp(mod, "[unknown]", 9) == 0) || (n == 6 && memcmp(mod, "[vdso]", 6) == 0) ||
        (n == 10 && memcmp(mod, "[vsyscall]", 10) == 0))
        return false;
    return addr >= 0xffff800000000000ULL;
}

static uint32_t add_frame(reader *r, const char *sym, size_t n, const char *mod, size_t modlen,
                          uint64_t addr)
{
    pk_profile *p = r->p;
    bool kernel = kernel_dso(mod, modlen, addr);
    char file[80];
    size_t flen = 0;
    if (kernel) { /* where it came from: [kernel.kallsyms], [module], [vmlinux] */
        const char *slash = memrchr(mod, '/', modlen);
        const char *b = mod[0] == '[' || !slash ? mod : slash + 1;
        size_t bl = (size_t)(mod + modlen - b);
        if (bl > 60) bl = 60;
        flen = (size_t)snprintf(file, sizeof file, b[0] == '[' ? "%.*s" : "[%.*s]", (int)bl, b);
    }
    uint32_t off = (uint32_t)r->npool, count = 0;
    for (const char *part = sym, *end = sym + n;;) {
        const char *arrow = memmem(part, (size_t)(end - part), "->", 2);
        const char *pe = arrow ? arrow : end;
        size_t len = tidy(r, part, (size_t)(pe - part), mod, modlen, count > 0);
        pk_kind kind = kernel                                       ? PK_KIND_KERNEL
                       : len > 4 && memcmp(r->name, "py::", 4) == 0 ? PK_KIND_PYTHON
                                                                    : PK_KIND_NATIVE;
        const char *name = pk_intern(p, r->name, len);
        const char *f = pk_intern(p, file, flen);
        SK_GROW(p, r->pool, r->cappool, r->npool + 1);
        r->pool[r->npool++] = pk_function_get_interned(p, name, f, 0, kind);
        count++;
        if (!arrow) break;
        part = arrow + 2;
    }
    SK_GROW(p, r->fr, r->capfr, r->nfr + 1);
    r->fr[r->nfr] = (frame_entry){off, count};
    return (uint32_t)r->nfr++;
}

/* `\s*(\w+)\s*(.+) \((.*)\)` as Perl matches it: the dso runs from the last
 * ` (` that a `)` follows to the last `)`. */
static bool frame_line(reader *r, const char *s, size_t n)
{
    const char *e = s + n;
    const char *close = memrchr(s, ')', n);
    if (!close) return false;
    const char *q = NULL;
    for (const char *c = close; c > s + 1;) {
        c = memrchr(s, '(', (size_t)(c - s));
        if (!c) break;
        if (c > s && c[-1] == ' ' && c + 1 <= close) {
            q = c - 1;
            break;
        }
    }
    if (!q) return false;
    const char *a = s;
    while (a < e && is_space(*a))
        a++;
    const char *w = a;
    while (w < e && is_word(*w))
        w++;
    if (w == a) return false;
    const char *st = w;
    while (st < e && is_space(*st))
        st++;
    if (st > q - 1) st = q - 1; /* the symbol takes at least one character */
    if (st <= a) return false;
    uint64_t addr = 0;
    for (const char *c = a; c < w && c - a < 16; c++)
        addr = addr << 4 | (uint64_t)(is_digit(*c) ? *c - '0' : (*c | 0x20) - 'a' + 10);
    const char *sym = st, *sym_end = q;
    /* `+0x<hex>` offsets go */
    const char *h = sym_end;
    while (h > sym && is_hex(h[-1]))
        h--;
    if (h < sym_end && h - sym >= 3 && h[-1] == 'x' && h[-2] == '0' && h[-3] == '+')
        sym_end = h - 3;
    if (sym_end > sym && *sym == '(') return true; /* a process name: skipped */
    const char *mod = q + 2;
    size_t modlen = (size_t)(close - mod);
    /* the key: symbol, dso, whether Java tidying applies, kernel address */
    size_t slen = (size_t)(sym_end - sym), klen = slen + modlen + 2;
    if (klen > r->capkey) PK_GROW(r->key, r->capkey, klen);
    char *key = r->key;
    memcpy(key, sym, slen);
    key[slen] = 0;
    memcpy(key + slen + 1, mod, modlen);
    key[klen - 1] = (char)(r->java | (addr >= 0xffff800000000000ULL ? 2 : 0));
    uint64_t hash = pk_hash_bytes(key, klen);
    uint32_t f = sk_map_find(&r->frames, key, klen, hash);
    if (f == SK_NONE) {
        f = add_frame(r, sym, slen, mod, modlen, addr);
        sk_map_put(&r->frames, key, klen, hash, f);
    }
    if (r->in_sample) {
        if (r->nlines == r->caplines) PK_GROW(r->lines, r->caplines, r->nlines + 1);
        r->lines[r->nlines++] = f;
    }
    return true;
}

/* ---- samples ----------------------------------------------------------------- */

static thread_rec *thread_for(reader *r, const char *comm)
{
    if (r->nthreads && r->threads[r->last_thread].tid == r->tid) return &r->threads[r->last_thread];
    for (size_t i = 0; i < r->nthreads; i++) /* a process has a handful of threads */
        if (r->threads[i].tid == r->tid) return &r->threads[r->last_thread = i];
    r->last_thread = r->nthreads;
    SK_GROW(r->p, r->threads, r->capthreads, r->nthreads + 1);
    thread_rec *t = &r->threads[r->nthreads++];
    memset(t, 0, sizeof *t);
    t->tid = r->tid;
    t->timeline = pk_thread_get(r->p, r->pid, r->tid, comm);
    return t;
}

static int event_metric(reader *r, const char *ev, size_t n)
{
    for (size_t i = 0; i < r->nevents; i++)
        if (strlen(r->events[i].name) == n && memcmp(r->events[i].name, ev, n) == 0) return (int)i;
    if (r->p->nmetrics >= PK_MAX_METRICS) return -2;
    pk_profile *p = r->p;
    size_t base = strcspn(ev, ":");
    if (base > n) base = n;
    bool clock = (base == 9 && memcmp(ev, "cpu-clock", 9) == 0) ||
                 (base == 10 && memcmp(ev, "task-clock", 10) == 0);
    const char *name = pk_intern(p, ev, base);
    if (clock && pk_metric_find(p, "time") < 0) name = "time";
    if (pk_metric_find(p, name) >= 0) name = pk_intern(p, ev, n);
    if (pk_metric_find(p, name) >= 0) return -2;
    event_rec *e = &r->events[r->nevents];
    e->name = pk_xmalloc(n + 1);
    memcpy(e->name, ev, n);
    e->name[n] = 0;
    e->metric = pk_add_metric(p, name, clock ? "ns" : "count");
    if (r->samples_metric < 0) r->samples_metric = pk_add_metric(p, "samples", "samples");
    return (int)r->nevents++;
}

static void end_sample(reader *r)
{
    if (!r->in_sample) return;
    r->in_sample = false;
    pk_profile *p = r->p;
    if (r->event == -2) {
        r->dropped++;
        r->nlines = 0;
        return;
    }
    if (r->event < 0) r->event = event_metric(r, "", 0); /* no event named: one of its own */
    if (r->event < 0) {
        r->dropped++;
        r->nlines = 0;
        return;
    }
    thread_rec *t = thread_for(r, p->funcs[r->comm_func].name);
    if (r->opt && r->opt->threads) sk_stack_push(p, &r->cur, r->comm_func, 0);
    for (size_t i = r->nlines; i-- > 0;) {
        const frame_entry *fe = &r->fr[r->lines[i]];
        for (uint32_t k = 0; k < fe->n; k++)
            sk_stack_push(p, &r->cur, r->pool[fe->off + k], 0);
    }
    r->nlines = 0;
    int64_t values[PK_MAX_METRICS] = {0};
    values[r->events[r->event].metric] = r->period;
    values[r->samples_metric] = 1;
    pk_id leaf = sk_stack_commit(p, &t->prev, &r->cur, values);
    if (r->nsamples == r->capsamples) PK_GROW(r->samples, r->capsamples, r->nsamples + 1);
    r->samples[r->nsamples++] =
        (sample_rec){leaf, t->timeline, (uint32_t)r->event, r->t_ns, r->period};
}

/* `seconds.micro` to ns */
static bool parse_time(const char *s, const char *e, int64_t *ns)
{
    const char *dot = memchr(s, '.', (size_t)(e - s));
    uint64_t secs, frac = 0;
    if (!dot || !sk_parse_u64(s, dot, &secs) || secs > 4000000000ULL) return false;
    int digits = 0;
    for (const char *c = dot + 1; c < e; c++, digits++) {
        if (!is_digit(*c)) return false;
        if (digits < 9) frac = frac * 10 + (uint64_t)(*c - '0');
    }
    for (; digits < 9; digits++)
        frac *= 10;
    *ns = (int64_t)(secs * 1000000000ULL + frac);
    return true;
}

/* A sample header, as stackcollapse-perf.pl's two patterns take it:
 * `^(\S.+?)\s+(\d+)/...` (command, then ids) and `:\s*(\d+)*\s+(\S+):\s*$`. */
static bool header_line(reader *r, const char *s, size_t n)
{
    const char *e = s + n;
    if (n < 2 || is_space(s[0])) return false;
    const char *comm_end = NULL, *pid_s = NULL, *pid_e = NULL, *tid_s = NULL, *tid_e = NULL;
    for (const char *c = s + 2; c < e; c++) {
        if (!is_space(*c)) continue;
        const char *d = c;
        while (d < e && is_space(*d))
            d++;
        const char *d1 = d;
        while (d < e && is_digit(*d))
            d++;
        if (d == d1) continue;
        const char *d2 = d;
        while (d < e && *d == '/')
            d++;
        const char *d3 = d;
        while (d < e && is_digit(*d))
            d++;
        if (d == e || !is_space(*d)) continue;
        comm_end = c, pid_s = d1, pid_e = d2, tid_s = d3, tid_e = d;
        break;
    }
    if (!comm_end) return false;
    end_sample(r);
    r->headers++;
    /* the time: the token before the first `:` after the ids */
    uint64_t a, b = 0;
    sk_parse_u64(pid_s, pid_e, &a);
    bool two = tid_e > tid_s && sk_parse_u64(tid_s, tid_e, &b) && b != 0;
    r->pid = two ? a : 0;
    r->tid = two ? b : a;
    r->t_ns = 0;
    const char *colon = memchr(tid_e, ':', (size_t)(e - tid_e));
    if (colon) {
        const char *ts = colon;
        while (ts > tid_e && !is_space(ts[-1]))
            ts--;
        int64_t t;
        if (parse_time(ts, colon, &t)) {
            r->t_ns = t;
            if (!r->any_time || t < r->t_min) r->t_min = t;
            r->any_time = true;
        }
    }
    /* event and period: the last token ends with `:`, after whitespace, after
     * optional digits (the period), after a `:` */
    r->period = 1;
    r->event = -1;
    const char *t_end = e;
    while (t_end > s && is_space(t_end[-1]))
        t_end--;
    const char *t_start = t_end;
    while (t_start > s && !is_space(t_start[-1]))
        t_start--;
    if (t_end - t_start >= 2 && t_end[-1] == ':' && t_start > s) {
        const char *c = t_start;
        while (c > s && is_space(c[-1]))
            c--;
        const char *digits_end = c;
        while (c > s && is_digit(c[-1]))
            c--;
        const char *digits_start = c;
        while (c > s && is_space(c[-1]))
            c--;
        if (c > s && c[-1] == ':') {
            r->event = event_metric(r, t_start, (size_t)(t_end - 1 - t_start));
            uint64_t v;
            if (digits_end > digits_start && sk_parse_u64(digits_start, digits_end, &v) &&
                v <= (uint64_t)1 << 62)
                r->period = digits_end - digits_start == 1 && *digits_start == '0' ? 1 : (int64_t)v;
        }
    }
    /* the command, spaces made `_` as in the folded output */
    size_t clen = (size_t)(comm_end - s);
    name_reserve(r, clen + 1);
    for (size_t i = 0; i < clen; i++)
        r->name[i] = s[i] == ' ' ? '_' : s[i];
    r->java = clen >= 4 && memcmp(s, "java", 4) == 0;
    r->comm_func = PK_NONE;
    pk_profile *p = r->p;
    uint64_t h = pk_hash_bytes(r->name, clen);
    uint32_t f = sk_map_find(&r->comms, r->name, clen, h);
    if (f == SK_NONE) {
        f = pk_function_get_interned(p, pk_intern(p, r->name, clen), pk_intern(p, "", 0), 0,
                                     PK_KIND_THREAD);
        sk_map_put(&r->comms, r->name, clen, h, f);
    }
    r->comm_func = f;
    r->in_sample = true;
    return true;
}

static void line(reader *r, const char *s, size_t n, uint64_t off)
{
    if (n > 0 && s[0] == '#') return;
    if (n == 0) {
        end_sample(r);
        return;
    }
    if (header_line(r, s, n)) return;
    r->frame_lines++;
    if (frame_line(r, s, n)) return;
    if (!r->unparsed++) r->first_unparsed = off;
}

static void read_lines(reader *r)
{
    size_t len = 0;
    uint64_t base = 0;
    for (;;) {
        if (len == r->cap) {
            if (r->cap >= MAX_LINE)
                pk_fail(r->in, base, "line longer than %zu MiB", MAX_LINE >> 20);
            PK_GROW(r->buf, r->cap, r->cap ? r->cap * 2 : CHUNK);
        }
        size_t got = pk_input_read(r->in, r->buf + len, r->cap - len);
        len += got;
        size_t start = 0;
        for (;;) {
            char *nl = memchr(r->buf + start, '\n', len - start);
            if (!nl) break;
            size_t end = (size_t)(nl - r->buf);
            line(r, r->buf + start, end - start, base + start);
            start = end + 1;
        }
        if (got == 0) {
            if (start < len) line(r, r->buf + start, len - start, base + start);
            return;
        }
        memmove(r->buf, r->buf + start, len - start);
        len -= start;
        base += start;
    }
}

static void meta_u64(pk_profile *p, const char *key, uint64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRIu64, v);
    pk_meta_set(p, key, num);
}

static void perf_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    reader *r = pk_xcalloc(1, sizeof *r);
    r->in = in;
    r->p = p;
    r->opt = opt;
    r->samples_metric = -1;
    sk_map_init(&r->frames, p);
    sk_map_init(&r->comms, p);
    pk_input_on_fail(in, reader_free, r);
    pk_timeline_get(p, PK_CLOCK_NS);
    read_lines(r);
    end_sample(r);
    if (r->nsamples == 0)
        pk_fail(in, pk_input_offset(in),
                "no samples (perf script's `comm tid time: event:` lines)");
    /* the timeline, now that every event has its metric */
    for (size_t i = 0; i < r->nsamples; i++) {
        const sample_rec *s = &r->samples[i];
        pk_sample smp = {.node = s->leaf, .thread = s->thread, .t_ns = s->t_ns - r->t_min};
        smp.v[r->events[s->event].metric] = s->period;
        smp.v[r->samples_metric] = 1;
        pk_sample_add(p, &smp);
    }
    meta_u64(p, "perf.samples", r->nsamples);
    for (size_t i = 0; i < r->nevents; i++) {
        char key[300];
        snprintf(key, sizeof key, "perf.event.%d", (int)i);
        pk_meta_set(p, pk_intern_cstr(p, key), r->events[i].name);
    }
    if (r->unparsed) meta_u64(p, "perf.unparsed_lines", r->unparsed);
    if (r->dropped) meta_u64(p, "perf.dropped_samples", r->dropped);
    int64_t first, last;
    if (pk_timeline_range(p, &first, &last)) {
        char num[48];
        snprintf(num, sizeof num, "%.9f", (double)(last - first) / 1e9);
        pk_meta_set(p, "duration_s", num);
    }
    if (opt && opt->verbose)
        fprintf(stderr,
                "%s: %zu samples of %zu events, %zu threads, %zu distinct frames; %" PRIu64
                " lines not understood (first at offset %" PRIu64 "), %" PRIu64
                " samples of events past %d dropped\n",
                pk_input_name(in), r->nsamples, r->nevents, r->nthreads, r->nfr, r->unparsed,
                r->first_unparsed, r->dropped, PK_MAX_METRICS - 1);
    pk_input_on_fail(in, NULL, NULL);
    reader_free(r);
    p->has_tree = true;
    pk_derive_graph(p);
}

/* A first sample: a header line ending in `event:` and a tab-indented frame. */
static int perf_probe(const uint8_t *head, size_t len)
{
    const char *s = (const char *)head, *e = s + len;
    while (s < e && *s == '#') { /* perf script --header */
        const char *nl = memchr(s, '\n', (size_t)(e - s));
        if (!nl) return 0;
        s = nl + 1;
    }
    const char *nl = memchr(s, '\n', (size_t)(e - s));
    if (!nl || nl == s || is_space(*s)) return 0;
    const char *t = nl;
    while (t > s && is_space(t[-1]))
        t--;
    if (t == s || t[-1] != ':' || !memchr(s, ':', (size_t)(t - 1 - s))) return 0;
    for (const char *c = s; c < nl; c++)
        if ((unsigned char)*c < 0x20 && *c != '\t') return 0;
    if (nl + 1 < e && (nl[1] == '\t' || nl[1] == ' ' || nl[1] == '\n')) return 70;
    return 0;
}

const pk_format pk_format_perf_script = {
    .name = "perf-script",
    .patterns = "*.perf.txt *.perf-script",
    .description = "perf script text (Linux perf samples with call stacks)",
    .probe = perf_probe,
    .read = perf_read,
    .write = NULL,
};
