/* Folded ("collapsed") stacks: `frame1;frame2;...;frameN COUNT`, as written by
 * flamegraph.pl's stackcollapse-* scripts, py-spy, austin and Python 3.15's
 * sampler, and `stack COUNT1 COUNT2` as written by difffolded.pl.
 *
 * Reading follows flamegraph.pl's record rule (stack, one whitespace, a
 * non-negative integer or decimal count at the end of the line) with these
 * documented differences (docs/collapsed.md):
 *   - blank lines and lines starting with `#` are skipped and counted, never
 *     frames (flamegraph.pl turns `# duration: 825436` into a frame);
 *   - decimal counts stay exact: the metric carries as many decimals as the
 *     file's counts have (up to 9; more are rounded and counted);
 *   - a file is differential (two metrics, "before" and "after") when its
 *     first record has two counts; in a single-count file a second number is
 *     part of the leaf frame's text, in a differential file a one-count line
 *     has before = 0;
 *   - a record with no frames (` 5`) counts in the total, on no function;
 *   - a trailing `\r` is ignored (CRLF files).
 * Frames are read in the dialect of their producer, decided once per file
 * from its first lines: py-spy (`name (file:line)`), austin (`file:name:line`,
 * `P<pid>;T<tid>` roots), Python 3.15's sampler (`tid:N` roots,
 * `file.py:Qual.name:line`), perf/flamegraph.pl (`name`, `_[k]`, `name+0x1f`)
 * or plain (the whole text is the name). The line a frame names goes on the
 * tree node, never into the function's identity.
 * The input is streamed: memory grows with the distinct stacks, not the file.
 */
#include <ctype.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/limits.h"
#include "../lib/hmap.h"
#include "austin_common.h"
#include "format.h"
#include "stacks.h"

#define CHUNK (1u << 20)
#define MAX_LINE (64u << 20)
#define MAX_DECIMALS 9
#define VOTE_LINES 256 /* lines looked at to decide the dialect */
#define VOTE_FRAMES 64 /* frames looked at per line */

/* Function files that stand for a frame annotation (`name_[k]` etc.): the
 * suffix leaves the name but is kept, so writing the frame back is exact. */
static const struct {
    const char *suffix, *file;
    pk_kind kind;
} annotations[] = {
    {"_[k]", "[kernel]", PK_KIND_KERNEL},
    {"_[j]", "[jit]", PK_KIND_PYTHON},
    {"_[i]", "[inlined]", PK_KIND_NATIVE},
};
#define NANNOTATIONS (sizeof annotations / sizeof annotations[0])

typedef enum { D_PLAIN, D_PERF, D_PYSPY, D_AUSTIN, D_TACHYON, D_COUNT } dialect;
static const char *const dialect_names[D_COUNT] = {"plain", "perf", "py-spy", "austin", "tachyon"};

/* A distinct stack: its text in reader.keys and the tree node of its leaf. */
typedef struct {
    size_t key_off;
    size_t key_len;
    pk_id leaf;
} stack_rec;

/* Everything malloc'ed during a read, freed on success and on failure. */
typedef struct {
    pk_profile *p;
    pk_input *in;
    const pk_read_options *opt;
    char *buf;
    size_t buf_cap;
    stack_rec *stacks;
    size_t nstacks, capstacks;
    pk_hmap stack_index; /* stack text -> stacks[] */
    char *keys;
    size_t keys_len, keys_cap;
    pk_id *frames;
    int32_t *lines;
    size_t frames_cap, lines_cap;
    int diff;         /* -1 unknown, 0 one count per line, 1 two counts */
    int metric_after; /* metric of the (last) count */
    int metric_before;
    int decimals; /* of every count so far: values are count x 10^decimals */
    dialect dialect;
    bool decided, roots, any_line;
    int64_t total_after, total_before;
    uint64_t records, blank, comments, invalid, rounded, empty;
} reader;

static void reader_free(reader *r)
{
    free(r->buf);
    free(r->stacks);
    pk_hmap_free(&r->stack_index);
    free(r->keys);
    free(r->frames);
    free(r->lines);
    free(r);
}

static void *grow(reader *r, void *ptr, size_t *cap, size_t need, size_t elem, uint64_t off)
{
    if (need <= *cap) return ptr;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / elem) pk_fail(r->in, off, "out of memory");
    pk_budget_charge((n - *cap) * elem); /* --max-memory covers a line without end too */
    void *q = realloc(ptr, n * elem);
    if (!q) pk_fail(r->in, off, "out of memory");
    *cap = n;
    return q;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

static bool starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(s, prefix, k) == 0;
}

static bool ends(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* ---- counts ---- */

/* A count `\d+(\.\d*)?` at the end of s[0..end), after whitespace. */
typedef struct {
    size_t int_start, int_end, frac_start, frac_end;
} count_span;

/* The index of the whitespace before the count, or SIZE_MAX when s[0..end)
 * does not end with one. */
static size_t find_count(const char *s, size_t end, count_span *c)
{
    size_t i = end;
    while (i > 0 && isdigit((unsigned char)s[i - 1]))
        i--;
    *c = (count_span){i, end, end, end};
    if (i > 0 && s[i - 1] == '.') {
        c->frac_start = i;
        c->int_end = i - 1;
        i = c->int_end;
        while (i > 0 && isdigit((unsigned char)s[i - 1]))
            i--;
        c->int_start = i;
    }
    if (c->int_start == c->int_end || c->int_start == 0 || !is_ws(s[c->int_start - 1]))
        return SIZE_MAX;
    return c->int_start - 1;
}

static int count_decimals(const count_span *c)
{
    size_t n = c->frac_end - c->frac_start;
    return n > MAX_DECIMALS ? MAX_DECIMALS : (int)n;
}

static int64_t pow10i(int n)
{
    int64_t v = 1;
    while (n-- > 0)
        v *= 10;
    return v;
}

/* The count at r->decimals; false when it does not fit in 64 bits. */
static bool count_value(reader *r, const char *s, const count_span *c, int64_t *out)
{
    int64_t v = 0;
    for (size_t k = c->int_start; k < c->int_end; k++)
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[k] - '0', &v))
            return false;
    size_t k = c->frac_start;
    for (int d = 0; d < r->decimals; d++) {
        int digit = k < c->frac_end ? s[k++] - '0' : 0;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, digit, &v)) return false;
    }
    /* digits beyond what the metric carries: rounded half up, and counted */
    if (k < c->frac_end) {
        if (s[k] >= '5' && __builtin_add_overflow(v, 1, &v)) return false;
        for (; k < c->frac_end; k++)
            if (s[k] != '0') {
                r->rounded++;
                break;
            }
    }
    *out = v;
    return true;
}

/* More decimals than the values so far carry: scale every value up, unless
 * the totals would overflow (then the extra digits are rounded). */
static void raise_decimals(reader *r, int want)
{
    if (want <= r->decimals) return;
    int64_t f = pow10i(want - r->decimals), a, b;
    if (__builtin_mul_overflow(r->total_after, f, &a) ||
        __builtin_mul_overflow(r->total_before, f, &b))
        return;
    pk_profile *p = r->p;
    for (size_t i = 0; i < p->nnodes; i++) {
        p->nodes[i].self[r->metric_after] *= f;
        if (r->diff > 0) p->nodes[i].self[r->metric_before] *= f;
    }
    r->total_after = a;
    r->total_before = b;
    r->decimals = want;
}

/* ---- frames ---- */

static bool is_digits(const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return false;
    return true;
}

static bool is_hex_offset(const char *s, size_t n)
{
    /* `+0x1f` */
    if (n < 4 || s[0] != '+' || s[1] != '0' || s[2] != 'x') return false;
    for (size_t i = 3; i < n; i++)
        if (!isxdigit((unsigned char)s[i])) return false;
    return true;
}

/* Length of the name before a perf `+0x1f` offset, or n. */
static size_t without_offset(const char *s, size_t n)
{
    const char *plus = NULL;
    for (size_t i = n; i-- > 0;)
        if (s[i] == '+') {
            plus = s + i;
            break;
        }
    return plus && plus > s && is_hex_offset(plus, (size_t)(s + n - plus)) ? (size_t)(plus - s) : n;
}

static int annotation_of(const char *s, size_t len)
{
    for (size_t a = 0; a < NANNOTATIONS; a++)
        if (ends(s, len, annotations[a].suffix)) return (int)a;
    return -1;
}

/* Roots a producer puts before the frames: which kind, or PK_KIND_COUNT. */
static pk_kind root_kind(dialect d, const char *s, size_t len, size_t index, pk_kind prev)
{
    switch (d) {
    case D_TACHYON:
        return index == 0 && starts(s, len, "tid:") && is_digits(s + 4, len - 4) ? PK_KIND_THREAD
                                                                                 : PK_KIND_COUNT;
    case D_AUSTIN:
        if (index == 0 && len > 1 && s[0] == 'P' && is_digits(s + 1, len - 1))
            return PK_KIND_PROCESS;
        if ((index == 0 || (index == 1 && prev == PK_KIND_PROCESS)) && len > 1 && s[0] == 'T' &&
            strspn(s + 1, "0123456789abcdefABCDEFx:") >= len - 1)
            return PK_KIND_THREAD;
        return PK_KIND_COUNT;
    case D_PYSPY:
        if (index == 0 && starts(s, len, "process ") && isdigit((unsigned char)s[len > 8 ? 8 : 0]))
            return PK_KIND_PROCESS;
        if ((index == 0 || (index == 1 && prev == PK_KIND_PROCESS)) && starts(s, len, "thread ("))
            return PK_KIND_THREAD;
        return PK_KIND_COUNT;
    default:
        return PK_KIND_COUNT;
    }
}

static pk_kind guess_kind(const char *name, size_t len)
{
    if (memmem(name, len, ".py", 3) || (len > 0 && name[0] == '<' && memchr(name, '>', len)))
        return PK_KIND_PYTHON;
    return PK_KIND_NATIVE;
}

/* A frame in no Python dialect: the whole text, annotations and (perf)
 * offsets apart. */
static pk_id native_function(reader *r, const char *s, size_t len)
{
    int a = annotation_of(s, len);
    if (a >= 0) {
        const char *name = pk_intern(r->p, s, len - strlen(annotations[a].suffix));
        return pk_function_get_interned(r->p, name, pk_intern_cstr(r->p, annotations[a].file), 0,
                                        annotations[a].kind);
    }
    if (r->dialect != D_PLAIN) len = without_offset(s, len);
    const char *name = pk_intern(r->p, s, len);
    pk_kind kind = guess_kind(s, len);
    if (r->dialect == D_TACHYON || r->dialect == D_AUSTIN) {
        if (strcmp(name, "<GC>") == 0) kind = PK_KIND_GC;
        if (strcmp(name, "<native>") == 0) kind = PK_KIND_NATIVE;
    }
    return pk_function_get_interned(r->p, name, pk_intern_cstr(r->p, ""), 0, kind);
}

static pk_id frame_function(reader *r, const char *s, size_t len, size_t index, pk_kind *root,
                            int32_t *line)
{
    *line = 0;
    pk_kind rk = root_kind(r->dialect, s, len, index, *root);
    *root = rk;
    if (rk != PK_KIND_COUNT) {
        r->roots = true;
        return pk_function_get_interned(r->p, pk_intern(r->p, s, len), pk_intern_cstr(r->p, ""), 0,
                                        rk);
    }
    sk_frame f;
    if (r->dialect == D_PYSPY && annotation_of(s, len) < 0 && sk_frame_pyspy(s, len, &f)) {
        *line = f.line;
        const char *name = pk_intern(r->p, f.name, f.nlen), *file = pk_intern(r->p, f.file, f.flen);
        return pk_function_get_interned(r->p, name, file, 0, pk_kind_guess(name, file));
    }
    if ((r->dialect == D_AUSTIN || r->dialect == D_TACHYON) && annotation_of(s, len) < 0 &&
        sk_frame_colon(s, len, &f)) {
        *line = austin_is_native(f.file, f.flen) ? 0 : f.line; /* a symbol offset, not a line */
        return austin_func(r->p, f.file, f.flen, f.name, f.nlen);
    }
    return native_function(r, s, len);
}

/* Build the tree path of a stack seen for the first time; the root (0) when
 * it has no frames. Split like Perl: leading empty frames stay, trailing
 * ones go. */
static pk_id add_new_stack(reader *r, const char *s, size_t len, uint64_t off)
{
    while (len > 0 && s[len - 1] == ';')
        len--;
    if (len == 0) return 0;
    size_t depth = 0;
    const char *end = s + len;
    pk_kind root = PK_KIND_COUNT;
    for (const char *f = s;;) {
        const char *semi = memchr(f, ';', (size_t)(end - f));
        const char *fe = semi ? semi : end;
        if (depth == PK_MAX_STACK_DEPTH)
            pk_fail(r->in, off, "stack deeper than %d frames", PK_MAX_STACK_DEPTH);
        r->frames = grow(r, r->frames, &r->frames_cap, depth + 1, sizeof *r->frames, off);
        r->lines = grow(r, r->lines, &r->lines_cap, depth + 1, sizeof *r->lines, off);
        r->frames[depth] = frame_function(r, f, (size_t)(fe - f), depth, &root, &r->lines[depth]);
        r->any_line |= r->lines[depth] > 0;
        depth++;
        if (!semi) break;
        f = semi + 1;
    }
    pk_id node = 0;
    for (size_t i = 0; i < depth; i++)
        node = pk_tree_child(r->p, node, r->frames[i], r->lines[i]);
    return node;
}

typedef struct {
    const reader *r;
    const char *s;
    size_t len;
} stack_key;

static bool stack_is(const void *ctx, uint32_t id)
{
    const stack_key *k = ctx;
    const stack_rec *e = &k->r->stacks[id];
    return e->key_len == k->len && memcmp(k->r->keys + e->key_off, k->s, k->len) == 0;
}

/* The leaf node of a stack: one hash lookup for a stack seen before. */
static pk_id stack_leaf(reader *r, const char *s, size_t len, uint64_t off)
{
    stack_key k = {r, s, len};
    uint64_t h = pk_hash_bytes(s, len);
    uint32_t id = pk_hmap_get(&r->stack_index, h, stack_is, &k, (uint32_t)r->nstacks);
    if (id != r->nstacks) return r->stacks[id].leaf;
    /* Added to the index: the record must exist before anything can fail. */
    r->stacks = grow(r, r->stacks, &r->capstacks, r->nstacks + 1, sizeof *r->stacks, off);
    r->stacks[r->nstacks++] = (stack_rec){r->keys_len, len, PK_NONE};
    r->keys = grow(r, r->keys, &r->keys_cap, r->keys_len + len, 1, off);
    if (len) memcpy(r->keys + r->keys_len, s, len); /* keys is NULL until used */
    r->keys_len += len;
    return r->stacks[id].leaf = add_new_stack(r, s, len, off);
}

/* ---- the dialect, decided once from the first lines ---- */

typedef struct {
    uint32_t lines, tid_roots, austin_roots, pyspy, colon, perf;
} votes;

static void vote_frame(const char *f, size_t n, votes *v)
{
    sk_frame fr;
    if (annotation_of(f, n) >= 0 || (n > 2 && f[0] == '[' && f[n - 1] == ']') ||
        without_offset(f, n) < n) {
        v->perf++;
        return;
    }
    if (sk_frame_pyspy(f, n, &fr)) {
        v->pyspy++;
        return;
    }
    if (!memmem(f, n, "::", 2) && sk_frame_colon(f, n, &fr) &&
        ((fr.line > 0 && fr.nlen > 0) || sk_looks_like_file(fr.file, fr.flen)))
        v->colon++;
}

static void vote_line(const char *s, size_t len, votes *v)
{
    if (len > 0 && s[len - 1] == '\r') len--;
    if (len == 0 || s[0] == '#') return;
    count_span c;
    size_t end = find_count(s, len, &c);
    if (end == SIZE_MAX) return;
    size_t end2 = find_count(s, end, &c);
    if (end2 != SIZE_MAX) end = end2;
    v->lines++;
    const char *e = s + end, *f = s;
    for (size_t i = 0; f < e && i < VOTE_FRAMES; i++) {
        const char *semi = memchr(f, ';', (size_t)(e - f));
        const char *fe = semi ? semi : e;
        size_t n = (size_t)(fe - f);
        if (i == 0 && starts(f, n, "tid:") && is_digits(f + 4, n - 4)) {
            v->tid_roots++;
        } else if (i == 0 && n > 1 && f[0] == 'P' && is_digits(f + 1, n - 1) && semi &&
                   semi + 1 < e && semi[1] == 'T') {
            v->austin_roots++;
            const char *t = memchr(semi + 1, ';', (size_t)(e - semi - 1));
            if (!t) break;
            f = t + 1;
            continue;
        } else {
            vote_frame(f, n, v);
        }
        if (!semi) break;
        f = semi + 1;
    }
}

static void decide_dialect(reader *r, const char *s, size_t len)
{
    votes v = {0};
    for (size_t pos = 0; pos < len && v.lines < VOTE_LINES;) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - s) : len;
        vote_line(s + pos, end - pos, &v);
        pos = end + 1;
    }
    dialect d;
    if (v.tid_roots > 0 && v.tid_roots * 2 >= v.lines)
        d = D_TACHYON;
    else if (v.austin_roots > 0 && v.austin_roots * 2 >= v.lines)
        d = D_AUSTIN;
    else if (v.pyspy == 0 && v.colon == 0)
        d = v.perf ? D_PERF : D_PLAIN;
    else
        d = v.pyspy >= v.colon ? D_PYSPY : D_AUSTIN;
    r->dialect = d;
    r->decided = true;
}

/* ---- records ---- */

static void start_metrics(reader *r, bool two_counts)
{
    r->diff = two_counts;
    if (two_counts) {
        r->metric_before = pk_add_metric(r->p, "before", "samples");
        r->metric_after = pk_add_metric(r->p, "after", "samples");
    } else {
        r->metric_after = pk_add_metric(r->p, "samples", "samples");
    }
}

static void add_value(reader *r, pk_id leaf, int metric, int64_t v, int64_t *total, uint64_t off)
{
    if (__builtin_add_overflow(*total, v, total))
        pk_fail(r->in, off, "total count overflows 64 bits");
    r->p->nodes[leaf].self[metric] += v;
}

static void read_line(reader *r, const char *s, size_t len, uint64_t off)
{
    if (len > 0 && s[len - 1] == '\r') len--;
    if (len == 0) {
        r->blank++;
        return;
    }
    if (s[0] == '#') {
        r->comments++;
        return;
    }
    count_span ca, cb;
    size_t stack_end = find_count(s, len, &ca);
    if (stack_end == SIZE_MAX) {
        r->invalid++;
        return;
    }
    size_t first_end = r->diff != 0 ? find_count(s, stack_end, &cb) : SIZE_MAX;
    if (r->diff < 0) start_metrics(r, first_end != SIZE_MAX);
    bool two = first_end != SIZE_MAX;
    if (two) stack_end = first_end;
    int want = count_decimals(&ca);
    if (two && count_decimals(&cb) > want) want = count_decimals(&cb);
    raise_decimals(r, want);
    int64_t after, before = 0;
    if (!count_value(r, s, &ca, &after) || (two && !count_value(r, s, &cb, &before))) {
        r->invalid++; /* not a count we can hold */
        return;
    }
    pk_id leaf = stack_leaf(r, s, stack_end, off);
    r->records++;
    r->empty += leaf == 0;
    add_value(r, leaf, r->metric_after, after, &r->total_after, off);
    if (r->diff) add_value(r, leaf, r->metric_before, before, &r->total_before, off);
}

/* Stream the input in chunks; a line may span chunks (the buffer grows). */
static void read_lines(reader *r)
{
    size_t len = 0;
    uint64_t base = 0; /* input offset of buf[0] */
    for (;;) {
        if (len == r->buf_cap) {
            if (r->buf_cap >= MAX_LINE)
                pk_fail(r->in, base, "line longer than %u MiB", MAX_LINE >> 20);
            r->buf = grow(r, r->buf, &r->buf_cap, r->buf_cap ? r->buf_cap * 2 : CHUNK, 1, base);
        }
        size_t got = pk_input_read(r->in, r->buf + len, r->buf_cap - len);
        len += got;
        if (!r->decided) decide_dialect(r, r->buf, len);
        size_t start = 0;
        for (;;) {
            char *nl = memchr(r->buf + start, '\n', len - start);
            if (!nl) break;
            size_t end = (size_t)(nl - r->buf);
            read_line(r, r->buf + start, end - start, base + start);
            start = end + 1;
        }
        if (got == 0) {
            if (start < len) read_line(r, r->buf + start, len - start, base + start);
            return;
        }
        memmove(r->buf, r->buf + start, len - start);
        len -= start;
        base += start;
    }
}

static void report(const reader *r)
{
    fprintf(stderr,
            "%s: %" PRIu64 " records, %zu distinct stacks, %" PRIu64
            " without frames; frames read as %s; skipped %" PRIu64 " blank, %" PRIu64
            " comment and %" PRIu64 " invalid lines; %" PRIu64 " counts rounded to %d decimals\n",
            pk_input_name(r->in), r->records, r->nstacks, r->empty, dialect_names[r->dialect],
            r->blank, r->comments, r->invalid, r->rounded, r->decimals);
}

static void set_meta_count(pk_profile *p, const char *key, uint64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRIu64, v);
    pk_meta_set(p, key, num);
}

static void collapsed_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    reader *r = calloc(1, sizeof *r);
    if (!r) pk_fail(in, 0, "out of memory");
    *r = (reader){.p = p, .in = in, .opt = opt, .diff = -1, .metric_before = -1};
    /* Free the temporaries whatever fails below, then unwind as before. */
    jmp_buf outer;
    memcpy(outer, *pk_input_catch(in), sizeof outer);
    if (setjmp(*pk_input_catch(in))) {
        reader_free(r);
        memcpy(*pk_input_catch(in), outer, sizeof outer);
        longjmp(*pk_input_catch(in), 1);
    }
    read_lines(r);
    memcpy(*pk_input_catch(in), outer, sizeof outer);
    if (r->records == 0) {
        uint64_t off = pk_input_offset(in);
        reader_free(r);
        pk_fail(in, off, "no stack records (lines `frame;frame;... COUNT`)");
    }
    if (opt && opt->verbose) report(r);
    set_meta_count(p, "collapsed.records", r->records);
    set_meta_count(p, "collapsed.skipped_lines", r->blank + r->comments + r->invalid);
    pk_meta_set(p, "collapsed.dialect", dialect_names[r->dialect]);
    for (int m = 0; m < p->nmetrics; m++)
        p->metrics[m].decimals = r->decimals;
    p->has_tree = true;
    p->format = "collapsed";
    bool roots = r->roots, lines = r->any_line;
    reader_free(r);
    if (roots && (!opt || !opt->threads)) pk_merge_threads(p);
    if (lines) pk_derive_lines(p);
    pk_derive_graph(p);
}

/* Bids on the first lines: records with `;` and a trailing count, among
 * which a few comments and invalid lines may be. A head shorter than
 * PK_HEAD_MAX is the whole input: its last line needs no newline. */
static int collapsed_probe(const uint8_t *head, size_t len)
{
    const char *s = (const char *)head;
    if (memchr(s, '\0', len)) return 0;
    int records = 0, with_semicolon = 0, invalid = 0, lines = 0;
    size_t pos = 0;
    while (pos < len && lines < 32) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        if (!nl && len == PK_HEAD_MAX) break; /* a partial last line tells nothing */
        size_t end = nl ? (size_t)(nl - s) : len;
        size_t e = end > pos && s[end - 1] == '\r' ? end - 1 : end;
        if (e > pos && s[pos] != '#') {
            lines++;
            count_span c;
            if (find_count(s + pos, e - pos, &c) == SIZE_MAX) {
                invalid++;
            } else {
                records++;
                with_semicolon += memchr(s + pos, ';', e - pos) != NULL;
            }
        }
        pos = end + 1;
    }
    /* A first line longer than the head (a very deep stack): text with `;`. */
    if (records == 0 && invalid == 0 && len == PK_HEAD_MAX && !memchr(s, '\n', len) &&
        memchr(s, ';', len)) {
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)s[i] < 0x20 && s[i] != '\t') return 0;
        return 10;
    }
    if (records == 0) return 0;
    if (invalid > 0 && (with_semicolon == 0 || invalid * 3 > records)) return 0;
    return with_semicolon ? (invalid ? 40 : 50) : 20;
}

/* ---- writer ---- */

static const char *annotation_suffix(const pk_function *f)
{
    for (size_t a = 0; a < NANNOTATIONS; a++)
        if (f->file && strcmp(f->file, annotations[a].file) == 0) return annotations[a].suffix;
    if (f->kind == PK_KIND_KERNEL && (!f->file || !*f->file)) return "_[k]";
    return NULL;
}

/* A name on one line: `;` (the separator) becomes `:`, control characters
 * become spaces. */
static void put_name(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        putc(c == ';' ? ':' : c < 0x20 || c == 0x7F ? ' ' : c, f);
    }
}

/* Length of s without a trailing ` <digits>` that would read as a count. */
static size_t count_like_tail(const char *s, size_t n)
{
    size_t i = n;
    while (i > 0 && (isdigit((unsigned char)s[i - 1]) || s[i - 1] == '.'))
        i--;
    return i < n && i > 0 && is_ws(s[i - 1]) ? i - 1 : n;
}

/* How frames with a file are written: py-spy's `name (file:line)`, or
 * austin's `file:name:line` for what came from austin or Python's sampler. */
typedef struct {
    const pk_profile *p;
    bool colon_style;
    int metric, before; /* before: -1 unless differential */
    int exp_m, exp_b;   /* decimal digits of the written values */
} wctx;

static void put_frame(FILE *f, const wctx *w, const pk_node *node, bool leaf)
{
    const pk_function *fn = &w->p->funcs[node->func];
    const char *suffix = annotation_suffix(fn);
    size_t n = strlen(fn->name);
    /* a file in brackets names a binary image (perf's [kernel.kallsyms]), not a source */
    bool has_file = fn->file && *fn->file && strcmp(fn->file, "~") != 0 && fn->file[0] != '[' &&
                    fn->kind != PK_KIND_THREAD && fn->kind != PK_KIND_PROCESS;
    if (!suffix && has_file) {
        int32_t line = node->line ? node->line : fn->line;
        if (w->colon_style && !strchr(fn->name, ':')) {
            put_name(f, fn->file, strlen(fn->file));
            putc(':', f);
            put_name(f, fn->name, n);
            if (line > 0) fprintf(f, ":%" PRId32, line);
            return;
        }
        put_name(f, fn->name, n);
        fputs(" (", f);
        put_name(f, fn->file, strlen(fn->file));
        if (line > 0) fprintf(f, ":%" PRId32, line);
        putc(')', f);
        return;
    }
    /* austin's special frames have an empty file: `:INVALID`, `:GC` */
    if (w->colon_style && !suffix && (!fn->file || !*fn->file) &&
        (fn->kind == PK_KIND_OTHER || (fn->kind == PK_KIND_GC && fn->name[0] != '<')))
        putc(':', f);
    /* A leaf name ending in ` 12` would read as a second count: `_12`. */
    size_t cut = leaf && !suffix ? count_like_tail(fn->name, n) : n;
    put_name(f, fn->name, cut);
    if (cut < n) {
        putc('_', f);
        put_name(f, fn->name + cut + 1, n - cut - 1);
    }
    if (suffix) fputs(suffix, f);
}

/* v with exp decimal digits, as short as exact: `12`, `3.13`. */
static void put_count(FILE *f, int64_t v, int exp)
{
    char buf[48];
    int n = pk_value_text(buf, sizeof buf, v, exp);
    if (exp > 0 && n > 0 && (size_t)n < sizeof buf) {
        while (buf[n - 1] == '0')
            n--;
        if (buf[n - 1] == '.') n--;
    }
    fprintf(f, " %.*s", n, buf);
}

static void put_stack(FILE *f, const wctx *w, const pk_id *path, size_t depth)
{
    for (size_t i = 0; i < depth; i++) {
        if (i) putc(';', f);
        put_frame(f, w, &w->p->nodes[path[i]], i + 1 == depth);
    }
}

typedef struct {
    pk_id parent;
    const char *name, *file;
    int32_t line;
    pk_id id;
} child_key;

static int cmp_child(const void *a, const void *b)
{
    const child_key *x = a, *y = b;
    if (x->parent != y->parent) return x->parent < y->parent ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (!c) c = strcmp(x->file, y->file);
    if (!c) c = (x->line > y->line) - (x->line < y->line);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* The record of a node (path[depth - 1]; depth 0: the root, samples
 * without frames, written with an empty stack as flamegraph.pl counts it). */
static void put_record(FILE *f, const wctx *w, const pk_id *path, size_t depth)
{
    const pk_node *node = &w->p->nodes[depth ? path[depth - 1] : 0];
    int64_t after = node->self[w->metric];
    if (w->before >= 0 && (node->self[w->before] || after)) {
        put_stack(f, w, path, depth);
        put_count(f, node->self[w->before], w->exp_b);
        put_count(f, after, w->exp_m);
        putc('\n', f);
    } else if (w->before < 0 && after > 0) {
        put_stack(f, w, path, depth);
        put_count(f, after, w->exp_m);
        putc('\n', f);
    }
}

/* One line per node with a value, children in name order so that the
 * output does not depend on the order stacks were read in. */
static int write_sorted(FILE *f, const wctx *w)
{
    const pk_profile *p = w->p;
    size_t n = p->nnodes > 0 ? p->nnodes - 1 : 0;
    child_key *keys = malloc((n ? n : 1) * sizeof *keys);
    size_t *first = calloc(p->nnodes + 1, sizeof *first);
    pk_id *path = malloc((n + 1) * sizeof *path);
    size_t *next = malloc((n + 1) * sizeof *next);
    if (!keys || !first || !path || !next) {
        free(keys), free(first), free(path), free(next);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const pk_node *node = &p->nodes[i + 1];
        const pk_function *fn = &p->funcs[node->func];
        keys[i] = (child_key){node->parent, fn->name, fn->file ? fn->file : "", node->line,
                              (pk_id)(i + 1)};
    }
    pk_sort(keys, n, sizeof *keys, cmp_child);
    /* first[v]..first[v + 1]: the sorted children of node v */
    for (size_t i = 0; i < n; i++)
        first[keys[i].parent + 1]++;
    for (size_t v = 0; v < p->nnodes; v++)
        first[v + 1] += first[v];
    size_t depth = 0;
    path[0] = 0;
    next[0] = first[0];
    put_record(f, w, NULL, 0);
    for (;;) {
        pk_id v = path[depth];
        if (next[depth] < first[v + 1]) {
            pk_id c = keys[next[depth]++].id;
            path[++depth] = c;
            next[depth] = first[c];
            put_record(f, w, path + 1, depth);
        } else if (depth-- == 0) {
            break;
        }
    }
    free(keys), free(first), free(path), free(next);
    return 0;
}

static bool colon_style(const pk_profile *p)
{
    const char *d = pk_meta_get(p, "collapsed.dialect");
    if (d) return strcmp(d, "austin") == 0 || strcmp(d, "tachyon") == 0;
    return p->format && (strcmp(p->format, "austin") == 0 || strcmp(p->format, "mojo") == 0);
}

static int value_exp(const pk_metric *m)
{
    int e = m->decimals + m->source_exp;
    return e > 0 ? e : 0;
}

static int collapsed_write(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err)
{
    pk_ensure_tree(p);
    int before = pk_metric_find(p, "before"), after = pk_metric_find(p, "after");
    bool diff = before >= 0 && after >= 0 && (!opt || opt->metric < 0);
    int metric = diff                                                   ? after
                 : opt && opt->metric >= 0 && opt->metric < p->nmetrics ? opt->metric
                                                                        : 0;
    if (p->nmetrics == 0) {
        pk_error_set(err, "the profile has no metric to write");
        return -1;
    }
    wctx w = {p,
              colon_style(p),
              metric,
              diff ? before : -1,
              value_exp(&p->metrics[metric]),
              diff ? value_exp(&p->metrics[before]) : 0};
    if (write_sorted(f, &w) < 0) {
        pk_error_set(err, "out of memory");
        return -1;
    }
    return 0;
}

const pk_format pk_format_collapsed = {
    .name = "collapsed",
    .patterns = "*.folded *.collapsed *.stacks",
    .description = "folded stacks (flamegraph.pl, py-spy, stackcollapse-*, difffolded.pl)",
    .probe = collapsed_probe,
    .read = collapsed_read,
    .write = collapsed_write,
};
