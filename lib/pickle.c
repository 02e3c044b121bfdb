/* The safe pickle interpreter (see pickle.h). One pass over the opcodes with
 * a value stack, a separate mark stack (as CPython 3 does) and a memo; errors
 * unwind with longjmp to pk_pickle_load, which frees everything. */
#include "pickle.h"

#include <fnmatch.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "limits.h"

#define MAX_DECIMAL_DIGITS 4300 /* CPython's default limit for int(str) */

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    _Alignas(max_align_t) unsigned char data[];
} chunk;

struct pk_pickle {
    chunk *chunks;
    size_t allocated, budget;  /* the arena and the vm's arrays, in bytes */
    bool budget_is_max_memory; /* else PK_PICKLE_EXPANSION times the input */
    int protocol;
};

typedef struct {
    pk_pickle *pk;
    const uint8_t *data;
    size_t len, pos, op_offset;
    const char *const *allowed;
    pk_pvalue **stack;
    size_t nstack, capstack;
    size_t *marks;
    size_t nmarks, capmarks;
    pk_pvalue **memo;
    size_t capmemo, memo_count;
    pk_pvalue *none, *bools[2];
    jmp_buf jump;
    pk_pickle_error *err;
} vm;

/* ---- errors and memory ---- */

_Noreturn static void fail_at(vm *m, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail_at(vm *m, size_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->err->msg, sizeof m->err->msg, fmt, ap);
    va_end(ap);
    m->err->offset = offset;
    longjmp(m->jump, 1);
}

#define FAIL(m, ...) fail_at((m), (m)->op_offset, __VA_ARGS__)

/* Count bytes the interpreter is about to take against its budget. */
static void account(vm *m, size_t bytes)
{
    pk_pickle *pk = m->pk;
    if (bytes <= pk->budget - pk->allocated) {
        pk->allocated += bytes;
        return;
    }
    if (pk->budget_is_max_memory)
        FAIL(m, "memory limit of %llu MiB exceeded (--max-memory)",
             (unsigned long long)(pk_max_memory() >> 20));
    FAIL(m, "pickle expands beyond %d times its size", PK_PICKLE_EXPANSION);
}

static void *arena_alloc(vm *m, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    chunk *c = m->pk->chunks;
    if (!c || c->size - c->used < size) {
        size_t want = size > 60000 ? size : 60000;
        account(m, want);
        c = malloc(sizeof *c + want);
        if (!c) FAIL(m, "out of memory");
        c->size = want;
        c->used = 0;
        c->next = m->pk->chunks;
        m->pk->chunks = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

/* Grow a malloc'ed array of pointers or sizes to hold at least n items. */
static void *grow(vm *m, void *arr, size_t *cap, size_t n, size_t item)
{
    if (n <= *cap) return arr;
    size_t c = *cap ? *cap : 16;
    while (c < n)
        c *= 2;
    account(m, (c - *cap) * item);
    void *p = realloc(arr, c * item);
    if (!p) FAIL(m, "out of memory");
    *cap = c;
    return p;
}

/* ---- reading operands ---- */

static void need(vm *m, uint64_t n, const char *what)
{
    if (n > m->len - m->pos)
        FAIL(m, "truncated %s: needs %llu bytes, %zu left", what, (unsigned long long)n,
             m->len - m->pos);
}

static uint64_t read_le(vm *m, int n, const char *what)
{
    need(m, (uint64_t)n, what);
    uint64_t v = pk_le(m->data + m->pos, (size_t)n);
    m->pos += (size_t)n;
    return v;
}

/* A text operand up to '\n' (excluded); protocol 0. */
static const char *read_line(vm *m, size_t *n, const char *what)
{
    const uint8_t *start = m->data + m->pos;
    const uint8_t *nl = memchr(start, '\n', m->len - m->pos);
    if (!nl) FAIL(m, "truncated %s: no end of line", what);
    *n = (size_t)(nl - start);
    m->pos += *n + 1;
    return (const char *)start;
}

/* ---- values ---- */

static pk_pvalue *new_value(vm *m, pk_pv_type type)
{
    pk_pvalue *v = arena_alloc(m, sizeof *v);
    v->type = type;
    v->offset = m->op_offset;
    if (type == PK_PV_TUPLE || type == PK_PV_LIST || type == PK_PV_DICT) v->depth = 1;
    return v;
}

static pk_pvalue *new_int(vm *m, int64_t i)
{
    pk_pvalue *v = new_value(m, PK_PV_INT);
    v->u.i = i;
    return v;
}

static pk_pvalue *new_str(vm *m, pk_pv_type type, const void *data, size_t n)
{
    pk_pvalue *v = new_value(m, type);
    char *s = arena_alloc(m, n + 1);
    memcpy(s, data, n);
    v->u.str.data = s;
    v->u.str.len = n;
    return v;
}

/* Record that child now sits inside parent, bounding the nesting. */
static void nest(vm *m, pk_pvalue *parent, const pk_pvalue *child)
{
    uint32_t d = child->depth + 1;
    if (d > PK_PICKLE_MAX_DEPTH) FAIL(m, "nesting deeper than %d", PK_PICKLE_MAX_DEPTH);
    if (d > parent->depth) parent->depth = d;
}

static void seq_add(vm *m, pk_pvalue *seq, pk_pvalue *item)
{
    nest(m, seq, item);
    if (seq->u.seq.n == seq->u.seq.cap) {
        size_t cap = seq->u.seq.cap ? seq->u.seq.cap * 2 : 4;
        pk_pvalue **items = arena_alloc(m, cap * sizeof *items);
        if (seq->u.seq.n) memcpy(items, seq->u.seq.items, seq->u.seq.n * sizeof *items);
        seq->u.seq.items = items;
        seq->u.seq.cap = cap;
    }
    seq->u.seq.items[seq->u.seq.n++] = item;
}

/* Duplicate keys are kept; lookups take the last one, as Python's dict would. */
static void dict_add(vm *m, pk_pvalue *dict, pk_pvalue *key, pk_pvalue *val)
{
    nest(m, dict, key);
    nest(m, dict, val);
    if (dict->u.dict.n == dict->u.dict.cap) {
        size_t cap = dict->u.dict.cap ? dict->u.dict.cap * 2 : 4;
        pk_pvalue **keys = arena_alloc(m, cap * sizeof *keys);
        pk_pvalue **vals = arena_alloc(m, cap * sizeof *vals);
        if (dict->u.dict.n) {
            memcpy(keys, dict->u.dict.keys, dict->u.dict.n * sizeof *keys);
            memcpy(vals, dict->u.dict.vals, dict->u.dict.n * sizeof *vals);
        }
        dict->u.dict.keys = keys;
        dict->u.dict.vals = vals;
        dict->u.dict.cap = cap;
    }
    dict->u.dict.keys[dict->u.dict.n] = key;
    dict->u.dict.vals[dict->u.dict.n++] = val;
}

/* ---- the stack ---- */

static size_t mark_base(const vm *m)
{
    return m->nmarks ? m->marks[m->nmarks - 1] : 0;
}

static void push(vm *m, pk_pvalue *v)
{
    m->stack = grow(m, m->stack, &m->capstack, m->nstack + 1, sizeof *m->stack);
    m->stack[m->nstack++] = v;
}

static pk_pvalue *pop(vm *m)
{
    if (m->nstack <= mark_base(m)) FAIL(m, "stack underflow");
    return m->stack[--m->nstack];
}

static pk_pvalue *top(vm *m)
{
    if (m->nstack <= mark_base(m)) FAIL(m, "stack underflow");
    return m->stack[m->nstack - 1];
}

static pk_pvalue *pop_type(vm *m, pk_pv_type type, const char *what)
{
    pk_pvalue *v = pop(m);
    if (v->type != type) FAIL(m, "%s expected, found %s", what, pk_pv_type_name(v->type));
    return v;
}

static void push_mark(vm *m)
{
    if (m->nmarks >= PK_PICKLE_MAX_DEPTH) FAIL(m, "nesting deeper than %d", PK_PICKLE_MAX_DEPTH);
    m->marks = grow(m, m->marks, &m->capmarks, m->nmarks + 1, sizeof *m->marks);
    m->marks[m->nmarks++] = m->nstack;
}

/* Items above the last mark (valid until the next push); pops them and the mark. */
static pk_pvalue **pop_mark(vm *m, size_t *n)
{
    if (!m->nmarks) FAIL(m, "no MARK before this opcode");
    size_t base = m->marks[--m->nmarks];
    *n = m->nstack - base;
    m->nstack = base;
    return m->stack ? m->stack + base : NULL; /* nothing pushed yet: no items */
}

/* ---- numbers ---- */

/* Little-endian two's complement bytes to an int, or a big int if too wide. */
static pk_pvalue *int_from_le(vm *m, const uint8_t *b, size_t n)
{
    if (n == 0) return new_int(m, 0);
    bool negative = b[n - 1] & 0x80;
    size_t sig = n;
    while (sig > 1 && b[sig - 1] == (negative ? 0xff : 0x00) &&
           ((b[sig - 2] & 0x80) != 0) == negative)
        sig--;
    if (sig > 8) {
        pk_pvalue *v = new_str(m, PK_PV_BYTES, b, sig);
        v->type = PK_PV_BIGINT;
        return v;
    }
    uint64_t u = negative ? UINT64_MAX : 0;
    for (size_t i = 0; i < sig; i++) {
        u &= ~((uint64_t)0xff << (8 * i));
        u |= (uint64_t)b[i] << (8 * i);
    }
    int64_t i;
    memcpy(&i, &u, sizeof i);
    return new_int(m, i);
}

/* Decimal text ("-123") to an int or a big int. */
static pk_pvalue *int_from_decimal(vm *m, const char *s, size_t n)
{
    bool negative = false;
    if (n && (s[0] == '-' || s[0] == '+')) {
        negative = s[0] == '-';
        s++;
        n--;
    }
    if (n == 0 || n > MAX_DECIMAL_DIGITS) FAIL(m, "bad integer text");
    /* magnitude in base 256, little-endian; one spare byte for the sign */
    size_t cap = n / 2 + 2, used = 1;
    uint8_t *mag = calloc(cap, 1);
    if (!mag) FAIL(m, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            free(mag);
            FAIL(m, "bad integer text");
        }
        unsigned carry = (unsigned)(s[i] - '0');
        for (size_t j = 0; j < used; j++) {
            unsigned x = mag[j] * 10u + carry;
            mag[j] = (uint8_t)x;
            carry = x >> 8;
        }
        if (carry) mag[used++] = (uint8_t)carry;
    }
    used++; /* room for a clear sign bit */
    if (negative) {
        unsigned carry = 1;
        for (size_t j = 0; j < used; j++) {
            unsigned x = (uint8_t)~mag[j] + carry;
            mag[j] = (uint8_t)x;
            carry = x >> 8;
        }
    }
    /* int_from_le allocates from the arena and may fail: copy first */
    uint8_t small[MAX_DECIMAL_DIGITS / 2 + 2];
    memcpy(small, mag, used);
    free(mag);
    return int_from_le(m, small, used);
}

static pk_pvalue *float_from_text(vm *m, const char *s, size_t n)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf) FAIL(m, "bad float text");
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end;
    double d = strtod(buf, &end);
    if (*end) FAIL(m, "bad float text");
    pk_pvalue *v = new_value(m, PK_PV_FLOAT);
    v->u.f = d;
    return v;
}

/* ---- strings ---- */

static size_t put_utf8(char *out, uint32_t cp)
{
    if ((cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff) cp = 0xfffd;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* n hex digits at s, or -1. */
static long parse_hex(const char *s, int n)
{
    long v = 0;
    for (int i = 0; i < n; i++) {
        int d = hex_digit(s[i]);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

/* UNICODE: raw-unicode-escape, i.e. latin-1 with \uXXXX and \UXXXXXXXX. */
static pk_pvalue *unicode_from_raw_escape(vm *m, const char *s, size_t n)
{
    char *out = arena_alloc(m, 2 * n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int width = 0;
        if (c == '\\' && i + 1 < n) width = s[i + 1] == 'u' ? 4 : s[i + 1] == 'U' ? 8 : 0;
        if (width) {
            if (n - i - 2 < (size_t)width) FAIL(m, "bad \\u escape in UNICODE");
            long cp = parse_hex(s + i + 2, width);
            if (cp < 0) FAIL(m, "bad \\u escape in UNICODE");
            o += put_utf8(out + o, (uint32_t)cp);
            i += 1 + (size_t)width;
        } else {
            o += put_utf8(out + o, c);
        }
    }
    pk_pvalue *v = new_value(m, PK_PV_STR);
    v->u.str.data = out;
    v->u.str.len = o;
    return v;
}

static size_t string_escape(vm *m, const char *s, size_t n, size_t *i, char *out)
{
    static const char simple_in[] = "\\'\"abfnrtv", simple_out[] = "\\'\"\a\b\f\n\r\t\v";
    char c = s[*i];
    const char *p = c ? strchr(simple_in, c) : NULL;
    if (p) {
        *out = simple_out[p - simple_in];
        return 1;
    }
    if (c == 'x') {
        long v = *i + 2 < n ? parse_hex(s + *i + 1, 2) : -1;
        if (v < 0) FAIL(m, "bad \\x escape in STRING");
        *i += 2;
        *out = (char)v;
        return 1;
    }
    if (c >= '0' && c <= '7') {
        int v = 0, k = 0;
        while (k < 3 && *i < n && s[*i] >= '0' && s[*i] <= '7') {
            v = v * 8 + s[(*i)++] - '0';
            k++;
        }
        (*i)--;
        *out = (char)v;
        return 1;
    }
    out[0] = '\\'; /* unknown escapes stay as written */
    out[1] = c;
    return 2;
}

/* STRING: a Python 2 repr, quoted, with backslash escapes. */
static pk_pvalue *string_from_repr(vm *m, const char *s, size_t n)
{
    if (n < 2 || (s[0] != '\'' && s[0] != '"') || s[n - 1] != s[0])
        FAIL(m, "STRING operand is not quoted");
    char *out = arena_alloc(m, n + 1);
    size_t o = 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == '\\' && i + 2 < n) {
            i++;
            o += string_escape(m, s, n - 1, &i, out + o);
        } else {
            out[o++] = s[i];
        }
    }
    pk_pvalue *v = new_value(m, PK_PV_STR);
    v->u.str.data = out;
    v->u.str.len = o;
    return v;
}

static void push_counted(vm *m, pk_pv_type type, int width, const char *what)
{
    uint64_t n = read_le(m, width, what);
    if (width == 4 && type == PK_PV_STR && m->data[m->op_offset] == 'T' && n > INT32_MAX)
        FAIL(m, "negative length");
    need(m, n, what);
    push(m, new_str(m, type, m->data + m->pos, (size_t)n));
    m->pos += (size_t)n;
}

/* ---- globals and objects ---- */

/* A name for a message: printable ASCII only, cut short. */
static void safe_name(char *out, size_t size, const char *s)
{
    size_t o = 0;
    for (; *s && o + 4 < size; s++)
        out[o++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    if (*s) memcpy(out + o, "...", 3), o += 3;
    out[o] = 0;
}

static void push_global(vm *m, const char *module, size_t nmod, const char *name, size_t nname)
{
    pk_pvalue *g = new_value(m, PK_PV_GLOBAL);
    char *mod = arena_alloc(m, nmod + 1), *nam = arena_alloc(m, nname + 1);
    memcpy(mod, module, nmod);
    memcpy(nam, name, nname);
    char *full = malloc(nmod + nname + 2);
    if (!full) FAIL(m, "out of memory");
    memcpy(full, mod, nmod);
    full[nmod] = '.';
    memcpy(full + nmod + 1, nam, nname + 1);
    bool ok = strlen(mod) == nmod && strlen(nam) == nname;
    bool allowed = false;
    for (const char *const *a = m->allowed; ok && a && *a && !allowed; a++)
        allowed = fnmatch(*a, full, 0) == 0;
    char shown[64];
    safe_name(shown, sizeof shown, full);
    free(full);
    if (!allowed) FAIL(m, "unsupported pickle content: global %s", shown);
    g->u.global.module = mod;
    g->u.global.name = nam;
    push(m, g);
}

static bool is_reconstructor(const pk_pvalue *g)
{
    return (!strcmp(g->u.global.module, "copyreg") || !strcmp(g->u.global.module, "copy_reg")) &&
           !strcmp(g->u.global.name, "_reconstructor");
}

static pk_pvalue *new_object(vm *m, const pk_pvalue *cls, pk_pvalue *args)
{
    pk_pvalue *o = new_value(m, PK_PV_OBJECT);
    o->u.obj.cls = cls;
    o->u.obj.args = args;
    if (args) nest(m, o, args);
    return o;
}

static void op_reduce(vm *m)
{
    pk_pvalue *args = pop_type(m, PK_PV_TUPLE, "REDUCE arguments (a tuple)");
    pk_pvalue *fn = pop_type(m, PK_PV_GLOBAL, "REDUCE callable (a global)");
    const pk_pvalue *cls = fn;
    if (is_reconstructor(fn)) {
        if (args->u.seq.n < 1 || args->u.seq.items[0]->type != PK_PV_GLOBAL)
            FAIL(m, "_reconstructor without a class");
        cls = args->u.seq.items[0];
    }
    push(m, new_object(m, cls, args));
}

static void op_newobj(vm *m, bool ex)
{
    pk_pvalue *kwargs = ex ? pop_type(m, PK_PV_DICT, "NEWOBJ_EX keywords (a dict)") : NULL;
    pk_pvalue *args = pop_type(m, PK_PV_TUPLE, "NEWOBJ arguments (a tuple)");
    pk_pvalue *cls = pop_type(m, PK_PV_GLOBAL, "NEWOBJ class (a global)");
    pk_pvalue *o = new_object(m, cls, args);
    if (kwargs) nest(m, o, kwargs);
    push(m, o);
}

static void op_build(vm *m)
{
    pk_pvalue *state = pop(m);
    pk_pvalue *o = top(m);
    if (o->type != PK_PV_OBJECT) FAIL(m, "BUILD on %s", pk_pv_type_name(o->type));
    nest(m, o, state);
    o->u.obj.state = state;
}

/* ---- memo ---- */

static size_t memo_index_text(vm *m, const char *what)
{
    size_t n;
    const char *s = read_line(m, &n, what);
    size_t idx = 0;
    if (n == 0 || n > 10) FAIL(m, "bad memo index");
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') FAIL(m, "bad memo index");
        idx = idx * 10 + (size_t)(s[i] - '0');
    }
    return idx;
}

static void memo_put(vm *m, size_t idx)
{
    /* a real pickle spends at least two bytes per memo entry */
    if (idx >= PK_PICKLE_MAX_MEMO || idx > m->len) FAIL(m, "bad memo index %zu", idx);
    pk_pvalue *v = top(m);
    size_t old = m->capmemo;
    m->memo = grow(m, m->memo, &m->capmemo, idx + 1, sizeof *m->memo);
    if (m->capmemo > old) memset(m->memo + old, 0, (m->capmemo - old) * sizeof *m->memo);
    if (!m->memo[idx]) m->memo_count++;
    m->memo[idx] = v;
}

static void memo_get(vm *m, size_t idx)
{
    if (idx >= m->capmemo || !m->memo[idx]) FAIL(m, "bad memo index %zu", idx);
    push(m, m->memo[idx]);
}

/* ---- the opcodes ---- */

static void op_tuple_n(vm *m, size_t n)
{
    pk_pvalue *items[3];
    for (size_t i = n; i > 0; i--)
        items[i - 1] = pop(m);
    pk_pvalue *t = new_value(m, PK_PV_TUPLE);
    for (size_t i = 0; i < n; i++)
        seq_add(m, t, items[i]);
    push(m, t);
}

static void op_from_mark(vm *m, pk_pv_type type)
{
    size_t n;
    pk_pvalue **items = pop_mark(m, &n);
    pk_pvalue *v = new_value(m, type);
    if (type == PK_PV_DICT) {
        if (n % 2) FAIL(m, "odd number of items for a dict");
        for (size_t i = 0; i < n; i += 2)
            dict_add(m, v, items[i], items[i + 1]);
    } else {
        for (size_t i = 0; i < n; i++)
            seq_add(m, v, items[i]);
    }
    push(m, v);
}

static void op_appends(vm *m)
{
    size_t n;
    pk_pvalue **items = pop_mark(m, &n);
    pk_pvalue *list = top(m);
    if (list->type != PK_PV_LIST) FAIL(m, "APPENDS to %s", pk_pv_type_name(list->type));
    for (size_t i = 0; i < n; i++)
        seq_add(m, list, items[i]);
}

static void op_setitems(vm *m)
{
    size_t n;
    pk_pvalue **items = pop_mark(m, &n);
    pk_pvalue *dict = top(m);
    if (dict->type != PK_PV_DICT) FAIL(m, "SETITEMS on %s", pk_pv_type_name(dict->type));
    if (n % 2) FAIL(m, "odd number of items for SETITEMS");
    for (size_t i = 0; i < n; i += 2)
        dict_add(m, dict, items[i], items[i + 1]);
}

static void op_text_int(vm *m, bool is_long)
{
    size_t n;
    const char *s = read_line(m, &n, is_long ? "LONG" : "INT");
    if (is_long && n && s[n - 1] == 'L') n--;
    if (!is_long && n == 2 && s[0] == '0' && (s[1] == '0' || s[1] == '1')) {
        pk_pvalue *b = new_value(m, PK_PV_BOOL);
        b->u.b = s[1] == '1';
        push(m, b);
        return;
    }
    push(m, int_from_decimal(m, s, n));
}

static void op_long_bin(vm *m, int width)
{
    uint64_t n = read_le(m, width, "LONG length");
    if (width == 4 && n > INT32_MAX) FAIL(m, "negative length");
    need(m, n, "LONG");
    push(m, int_from_le(m, m->data + m->pos, (size_t)n));
    m->pos += (size_t)n;
}

static void op_binfloat(vm *m)
{
    need(m, 8, "BINFLOAT");
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | m->data[m->pos + (size_t)i];
    m->pos += 8;
    pk_pvalue *v = new_value(m, PK_PV_FLOAT);
    memcpy(&v->u.f, &u, sizeof u);
    push(m, v);
}

static void op_global_text(vm *m)
{
    size_t nmod, nname;
    const char *mod = read_line(m, &nmod, "GLOBAL module");
    const char *name = read_line(m, &nname, "GLOBAL name");
    push_global(m, mod, nmod, name, nname);
}

static void op_stack_global(vm *m)
{
    pk_pvalue *name = pop_type(m, PK_PV_STR, "STACK_GLOBAL name (a str)");
    pk_pvalue *mod = pop_type(m, PK_PV_STR, "STACK_GLOBAL module (a str)");
    push_global(m, mod->u.str.data, mod->u.str.len, name->u.str.data, name->u.str.len);
}

static void op_pop(vm *m)
{
    if (m->nstack > mark_base(m)) {
        m->nstack--;
    } else {
        size_t n;
        pop_mark(m, &n);
    }
}

/* None, True and False: one value each, shared (they are immutable). */
static void push_simple(vm *m, pk_pv_type type, bool b)
{
    pk_pvalue **shared = type == PK_PV_NONE ? &m->none : &m->bools[b];
    if (!*shared) {
        *shared = new_value(m, type);
        (*shared)->u.b = b;
    }
    push(m, *shared);
}

static void op_text_string(vm *m, uint8_t op)
{
    size_t n;
    const char *s = read_line(m, &n, op == 'V' ? "UNICODE" : "STRING");
    push(m, op == 'V' ? unicode_from_raw_escape(m, s, n) : string_from_repr(m, s, n));
}

static void op_frame(vm *m)
{
    uint64_t n = read_le(m, 8, "FRAME");
    need(m, n, "FRAME");
}

static void op_proto(vm *m)
{
    int proto = (int)read_le(m, 1, "PROTO");
    if (proto > 5) FAIL(m, "unsupported pickle protocol %d", proto);
    if (proto > m->pk->protocol) m->pk->protocol = proto;
}

static void op_list_item(vm *m, bool dict)
{
    pk_pvalue *val = pop(m);
    pk_pvalue *key = dict ? pop(m) : NULL;
    pk_pvalue *c = top(m);
    if (c->type != (dict ? PK_PV_DICT : PK_PV_LIST))
        FAIL(m, "%s on %s", dict ? "SETITEM" : "APPEND", pk_pv_type_name(c->type));
    if (dict)
        dict_add(m, c, key, val);
    else
        seq_add(m, c, val);
}

/* Run one opcode; true at STOP. */
static bool step(vm *m, uint8_t op)
{
    switch (op) {
    case 0x80:
        op_proto(m);
        break;
    case 0x95:
        op_frame(m);
        break;
    case '.':
        return true;
    case '(':
        push_mark(m);
        break;
    case '0':
        op_pop(m);
        break;
    case '1':
        pop_mark(m, &(size_t){0});
        break;
    case '2':
        push(m, top(m));
        break;
    case 'N':
        push_simple(m, PK_PV_NONE, false);
        break;
    case 0x88:
        push_simple(m, PK_PV_BOOL, true);
        break;
    case 0x89:
        push_simple(m, PK_PV_BOOL, false);
        break;
    case 'I':
        op_text_int(m, false);
        break;
    case 'L':
        op_text_int(m, true);
        break;
    case 'J':
        push(m, new_int(m, (int32_t)(uint32_t)read_le(m, 4, "BININT")));
        break;
    case 'K':
        push(m, new_int(m, (int64_t)read_le(m, 1, "BININT1")));
        break;
    case 'M':
        push(m, new_int(m, (int64_t)read_le(m, 2, "BININT2")));
        break;
    case 0x8a:
        op_long_bin(m, 1);
        break;
    case 0x8b:
        op_long_bin(m, 4);
        break;
    case 'F': {
        size_t n;
        const char *s = read_line(m, &n, "FLOAT");
        push(m, float_from_text(m, s, n));
        break;
    }
    case 'G':
        op_binfloat(m);
        break;
    case 'V':
    case 'S':
        op_text_string(m, op);
        break;
    case 'X':
        push_counted(m, PK_PV_STR, 4, "BINUNICODE");
        break;
    case 0x8c:
        push_counted(m, PK_PV_STR, 1, "SHORT_BINUNICODE");
        break;
    case 0x8d:
        push_counted(m, PK_PV_STR, 8, "BINUNICODE8");
        break;
    case 'T':
        push_counted(m, PK_PV_STR, 4, "BINSTRING");
        break;
    case 'U':
        push_counted(m, PK_PV_STR, 1, "SHORT_BINSTRING");
        break;
    case 'B':
        push_counted(m, PK_PV_BYTES, 4, "BINBYTES");
        break;
    case 'C':
        push_counted(m, PK_PV_BYTES, 1, "SHORT_BINBYTES");
        break;
    case 0x8e:
        push_counted(m, PK_PV_BYTES, 8, "BINBYTES8");
        break;
    case 0x96:
        push_counted(m, PK_PV_BYTES, 8, "BYTEARRAY8");
        break;
    case ')':
        push(m, new_value(m, PK_PV_TUPLE));
        break;
    case 0x85:
        op_tuple_n(m, 1);
        break;
    case 0x86:
        op_tuple_n(m, 2);
        break;
    case 0x87:
        op_tuple_n(m, 3);
        break;
    case 't':
        op_from_mark(m, PK_PV_TUPLE);
        break;
    case ']':
        push(m, new_value(m, PK_PV_LIST));
        break;
    case 'l':
        op_from_mark(m, PK_PV_LIST);
        break;
    case 'a':
        op_list_item(m, false);
        break;
    case 'e':
        op_appends(m);
        break;
    case '}':
        push(m, new_value(m, PK_PV_DICT));
        break;
    case 'd':
        op_from_mark(m, PK_PV_DICT);
        break;
    case 's':
        op_list_item(m, true);
        break;
    case 'u':
        op_setitems(m);
        break;
    case 'c':
        op_global_text(m);
        break;
    case 0x93:
        op_stack_global(m);
        break;
    case 'R':
        op_reduce(m);
        break;
    case 0x81:
        op_newobj(m, false);
        break;
    case 0x92:
        op_newobj(m, true);
        break;
    case 'b':
        op_build(m);
        break;
    case 'p':
        memo_put(m, memo_index_text(m, "PUT"));
        break;
    case 'q':
        memo_put(m, (size_t)read_le(m, 1, "BINPUT"));
        break;
    case 'r':
        memo_put(m, (size_t)read_le(m, 4, "LONG_BINPUT"));
        break;
    case 0x94:
        memo_put(m, m->memo_count);
        break;
    case 'g':
        memo_get(m, memo_index_text(m, "GET"));
        break;
    case 'h':
        memo_get(m, (size_t)read_le(m, 1, "BINGET"));
        break;
    case 'j':
        memo_get(m, (size_t)read_le(m, 4, "LONG_BINGET"));
        break;
    case 'P':
    case 'Q':
    case 'i':
    case 'o':
    case 0x82:
    case 0x83:
    case 0x84:
    case 0x8f:
    case 0x90:
    case 0x91:
    case 0x97:
    case 0x98:
        FAIL(m, "unsupported pickle content: opcode 0x%02x", op);
    default:
        FAIL(m, "unknown pickle opcode 0x%02x", op);
    }
    return false;
}

static const pk_pvalue *run(vm *m)
{
    for (;;) {
        m->op_offset = m->pos;
        if (m->pos >= m->len) FAIL(m, "truncated pickle: no STOP opcode");
        uint8_t op = m->data[m->pos++];
        if (step(m, op)) break;
    }
    pk_pvalue *result = pop(m);
    if (m->nmarks) FAIL(m, "MARK left open at STOP");
    return result;
}

const pk_pvalue *pk_pickle_load(const uint8_t *data, size_t len, const char *const *allowed,
                                pk_pickle **owner, pk_pickle_error *err)
{
    *owner = NULL;
    pk_pickle *pk = calloc(1, sizeof *pk);
    vm *m = calloc(1, sizeof *m);
    if (!pk || !m) {
        free(pk);
        free(m);
        err->offset = 0;
        snprintf(err->msg, sizeof err->msg, "out of memory");
        return NULL;
    }
    pk->budget = len > (SIZE_MAX - (1u << 20)) / PK_PICKLE_EXPANSION
                     ? SIZE_MAX
                     : len * PK_PICKLE_EXPANSION + (1u << 20);
    size_t left = pk_budget_left();
    if (left < pk->budget) {
        pk->budget = left;
        pk->budget_is_max_memory = true;
    }
    m->pk = pk;
    m->data = data;
    m->len = len;
    m->allowed = allowed;
    m->err = err;
    const pk_pvalue *volatile result = NULL;
    if (!setjmp(m->jump)) result = run(m);
    free(m->stack);
    free(m->marks);
    free(m->memo);
    free(m);
    if (!result) {
        pk_pickle_free(pk);
        return NULL;
    }
    *owner = pk;
    return result;
}

void pk_pickle_free(pk_pickle *pk)
{
    if (!pk) return;
    while (pk->chunks) {
        chunk *next = pk->chunks->next;
        free(pk->chunks);
        pk->chunks = next;
    }
    free(pk);
}

int pk_pickle_protocol(const pk_pickle *pk)
{
    return pk->protocol;
}

const pk_pvalue *pk_pvalue_dict_get(const pk_pvalue *dict, const char *key)
{
    if (!dict || dict->type != PK_PV_DICT) return NULL;
    size_t klen = strlen(key);
    for (size_t i = dict->u.dict.n; i > 0; i--) {
        const pk_pvalue *k = dict->u.dict.keys[i - 1];
        if (k->type == PK_PV_STR && k->u.str.len == klen && !memcmp(k->u.str.data, key, klen))
            return dict->u.dict.vals[i - 1];
    }
    return NULL;
}

const char *pk_pv_type_name(pk_pv_type type)
{
    static const char *const names[] = {"None",  "bool", "int",  "int",    "float",  "str", "bytes",
                                        "tuple", "list", "dict", "global", "object", "mark"};
    return (unsigned)type < sizeof names / sizeof *names ? names[type] : "?";
}
