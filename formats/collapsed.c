/* Folded ("collapsed") stacks: `frame1;frame2;...;frameN COUNT`, as written by
 * flamegraph.pl's stackcollapse-* scripts, py-spy and austin, and
 * `stack COUNT1 COUNT2` as written by difffolded.pl.
 *
 * Reading follows flamegraph.pl's record rule (stack, one whitespace, a
 * non-negative integer or decimal count at the end of the line) with these
 * documented differences (docs/collapsed.md):
 *   - blank lines and lines starting with `#` are skipped and counted, never
 *     frames (flamegraph.pl turns `# duration: 825436` into a frame);
 *   - decimal counts are rounded to the nearest integer (the model is exact
 *     integers);
 *   - a file is differential (two metrics, "before" and "after") when its
 *     first record has two counts; in a single-count file a second number is
 *     part of the leaf frame's text, in a differential file a one-count line
 *     has before = 0;
 *   - a trailing `\r` is ignored (CRLF files).
 * The input is streamed: memory grows with the distinct stacks, not the file.
 */
#include <ctype.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/limits.h"
#include "../lib/hmap.h"
#include "format.h"

#define CHUNK (1u << 20)
#define MAX_LINE (64u << 20)

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
    size_t frames_cap;
    int diff;         /* -1 unknown, 0 one count per line, 1 two counts */
    int metric_after; /* metric of the (last) count */
    int metric_before;
    int64_t total_after, total_before;
    uint64_t records, blank, comments, invalid, rounded;
} reader;

static void reader_free(reader *r)
{
    free(r->buf);
    free(r->stacks);
    pk_hmap_free(&r->stack_index);
    free(r->keys);
    free(r->frames);
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

/* A count `\d+(\.\d*)?` ending at end, preceded by whitespace. Returns the
 * index of that whitespace, or SIZE_MAX when s[0..end) does not end so. */
static size_t parse_count(reader *r, const char *s, size_t end, int64_t *value)
{
    size_t i = end;
    while (i > 0 && isdigit((unsigned char)s[i - 1]))
        i--;
    size_t int_start = i, int_end = end, frac = end;
    if (i > 0 && s[i - 1] == '.') {
        frac = i;
        int_end = i - 1;
        i = int_end;
        while (i > 0 && isdigit((unsigned char)s[i - 1]))
            i--;
        int_start = i;
    }
    if (int_start == int_end || int_start == 0 || !is_ws(s[int_start - 1])) return SIZE_MAX;
    int64_t v = 0;
    for (size_t k = int_start; k < int_end; k++) {
        if (v > (INT64_MAX - 9) / 10)
            return SIZE_MAX; /* not a count we can hold: the line is invalid */
        v = v * 10 + (s[k] - '0');
    }
    if (frac < end) {
        if (s[frac] >= '5') v++;
        for (size_t k = frac; k < end; k++)
            if (s[k] != '0') {
                r->rounded++;
                break;
            }
    }
    *value = v;
    return int_start - 1;
}

static pk_kind guess_kind(const char *name, size_t len)
{
    if (memmem(name, len, ".py", 3) || (len > 0 && name[0] == '<' && memchr(name, '>', len)))
        return PK_KIND_PYTHON;
    return PK_KIND_NATIVE;
}

static pk_id frame_function(reader *r, const char *s, size_t len)
{
    for (size_t a = 0; a < NANNOTATIONS; a++) {
        size_t n = strlen(annotations[a].suffix);
        if (len >= n && memcmp(s + len - n, annotations[a].suffix, n) == 0) {
            const char *name = pk_intern(r->p, s, len - n);
            return pk_function_get(r->p, name, annotations[a].file, 0, annotations[a].kind);
        }
    }
    const char *name = pk_intern(r->p, s, len);
    return pk_function_get(r->p, name, "", 0, guess_kind(s, len));
}

/* Build the tree path of a stack seen for the first time; PK_NONE when it
 * has no frames. Split like Perl: leading empty frames stay, trailing ones go. */
static pk_id add_new_stack(reader *r, const char *s, size_t len, uint64_t off)
{
    while (len > 0 && s[len - 1] == ';')
        len--;
    if (len == 0) return PK_NONE;
    size_t depth = 0;
    const char *end = s + len;
    for (const char *f = s;;) {
        const char *semi = memchr(f, ';', (size_t)(end - f));
        const char *fe = semi ? semi : end;
        if (depth == PK_MAX_STACK_DEPTH)
            pk_fail(r->in, off, "stack deeper than %d frames", PK_MAX_STACK_DEPTH);
        r->frames = grow(r, r->frames, &r->frames_cap, depth + 1, sizeof *r->frames, off);
        r->frames[depth++] = frame_function(r, f, (size_t)(fe - f));
        if (!semi) break;
        f = semi + 1;
    }
    pk_id node = 0;
    for (size_t i = 0; i < depth; i++)
        node = pk_tree_child(r->p, node, r->frames[i], 0);
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
    size_t frames_len = len;
    while (frames_len > 0 && s[frames_len - 1] == ';')
        frames_len--;
    if (frames_len == 0) return PK_NONE; /* no frames: not a stack */
    stack_key k = {r, s, len};
    uint64_t h = pk_hash_bytes(s, len);
    uint32_t id = pk_hmap_get(&r->stack_index, h, stack_is, &k, (uint32_t)r->nstacks);
    if (id != r->nstacks) return r->stacks[id].leaf;
    /* Added to the index: the record must exist before anything can fail. */
    r->stacks = grow(r, r->stacks, &r->capstacks, r->nstacks + 1, sizeof *r->stacks, off);
    r->stacks[r->nstacks++] = (stack_rec){r->keys_len, len, PK_NONE};
    r->keys = grow(r, r->keys, &r->keys_cap, r->keys_len + len, 1, off);
    memcpy(r->keys + r->keys_len, s, len);
    r->keys_len += len;
    return r->stacks[id].leaf = add_new_stack(r, s, len, off);
}

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
    int64_t after, before = 0;
    size_t stack_end = parse_count(r, s, len, &after);
    if (stack_end == SIZE_MAX) {
        r->invalid++;
        return;
    }
    size_t first_end = r->diff != 0 ? parse_count(r, s, stack_end, &before) : SIZE_MAX;
    if (r->diff < 0) start_metrics(r, first_end != SIZE_MAX);
    if (first_end != SIZE_MAX)
        stack_end = first_end;
    else
        before = 0;
    pk_id leaf = stack_leaf(r, s, stack_end, off);
    if (leaf == PK_NONE) {
        r->invalid++;
        return;
    }
    r->records++;
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
            "%s: %" PRIu64 " records, %zu distinct stacks; skipped %" PRIu64 " blank, %" PRIu64
            " comment and %" PRIu64 " invalid lines; %" PRIu64 " fractional counts rounded\n",
            pk_input_name(r->in), r->records, r->nstacks, r->blank, r->comments, r->invalid,
            r->rounded);
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
    p->has_tree = true;
    p->format = "collapsed";
    reader_free(r);
    pk_derive_graph(p);
}

/* Bids on the first lines: records with `;` and a trailing count. */
static int collapsed_probe(const uint8_t *head, size_t len)
{
    const char *s = (const char *)head;
    if (memchr(s, '\0', len)) return 0;
    int records = 0, with_semicolon = 0;
    size_t pos = 0;
    while (pos < len && records < 4) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        if (!nl) break; /* a partial last line tells nothing */
        size_t end = (size_t)(nl - s);
        size_t e = end > pos && s[end - 1] == '\r' ? end - 1 : end;
        if (e > pos && s[pos] != '#') {
            size_t i = e;
            while (i > pos && (isdigit((unsigned char)s[i - 1]) || s[i - 1] == '.'))
                i--;
            if (i == e || i == pos || !is_ws(s[i - 1])) return 0;
            records++;
            with_semicolon += memchr(s + pos, ';', e - pos) != NULL;
        }
        pos = end + 1;
    }
    /* A first line longer than the head (a very deep stack): text with `;`. */
    if (records == 0 && pos == 0 && len == PK_HEAD_MAX && memchr(s, ';', len)) {
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)s[i] < 0x20 && s[i] != '\t') return 0;
        return 10;
    }
    if (records == 0) return 0;
    return with_semicolon ? 50 : 20;
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

static void put_frame(FILE *f, const pk_profile *p, const pk_node *node, bool leaf)
{
    const pk_function *fn = &p->funcs[node->func];
    const char *suffix = annotation_suffix(fn);
    size_t n = strlen(fn->name);
    /* a file in brackets names a binary image (perf's [kernel.kallsyms]), not a source */
    if (!suffix && fn->file && *fn->file && strcmp(fn->file, "~") != 0 && fn->file[0] != '[') {
        int32_t line = node->line ? node->line : fn->line;
        put_name(f, fn->name, n);
        fputs(" (", f);
        put_name(f, fn->file, strlen(fn->file));
        if (line > 0) fprintf(f, ":%" PRId32, line);
        putc(')', f);
        return;
    }
    /* A leaf name ending in ` 12` would read as a second count: `_12`. */
    size_t cut = leaf && !suffix ? count_like_tail(fn->name, n) : n;
    put_name(f, fn->name, cut);
    if (cut < n) {
        putc('_', f);
        put_name(f, fn->name + cut + 1, n - cut - 1);
    }
    if (suffix) fputs(suffix, f);
}

static void put_stack(FILE *f, const pk_profile *p, const pk_id *path, size_t depth)
{
    for (size_t i = 0; i < depth; i++) {
        if (i) putc(';', f);
        put_frame(f, p, &p->nodes[path[i]], i + 1 == depth);
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

static void put_record(FILE *f, const pk_profile *p, const pk_id *path, size_t depth, int metric,
                       int before)
{
    const pk_node *node = &p->nodes[path[depth - 1]];
    if (before >= 0 && (node->self[before] || node->self[metric])) {
        put_stack(f, p, path, depth);
        fprintf(f, " %" PRId64 " %" PRId64 "\n", node->self[before], node->self[metric]);
    } else if (before < 0 && node->self[metric] > 0) {
        put_stack(f, p, path, depth);
        fprintf(f, " %" PRId64 "\n", node->self[metric]);
    }
}

/* One line per node with a value, children in name order so that the
 * output does not depend on the order stacks were read in. */
static int write_sorted(FILE *f, const pk_profile *p, int metric, int before)
{
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
    qsort(keys, n, sizeof *keys, cmp_child);
    /* first[v]..first[v + 1]: the sorted children of node v */
    for (size_t i = 0; i < n; i++)
        first[keys[i].parent + 1]++;
    for (size_t v = 0; v < p->nnodes; v++)
        first[v + 1] += first[v];
    size_t depth = 0;
    path[0] = 0;
    next[0] = first[0];
    for (;;) {
        pk_id v = path[depth];
        if (next[depth] < first[v + 1]) {
            pk_id c = keys[next[depth]++].id;
            path[++depth] = c;
            next[depth] = first[c];
            put_record(f, p, path + 1, depth, metric, before);
        } else if (depth-- == 0) {
            break;
        }
    }
    free(keys), free(first), free(path), free(next);
    return 0;
}

static int collapsed_write(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err)
{
    pk_ensure_tree(p);
    int before = pk_metric_find(p, "before"), after = pk_metric_find(p, "after");
    bool diff = before >= 0 && after >= 0 && (!opt || opt->metric < 0);
    int metric = diff                                                   ? after
                 : opt && opt->metric >= 0 && opt->metric < p->nmetrics ? opt->metric
                                                                        : 0;
    if (write_sorted(f, p, metric, diff ? before : -1) < 0) {
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
