/* pstats: the marshal dump of cProfile, profile and yappi statistics
 * (Python 2.7 to 3.15, and Python 3.15's sampler). Byte-level facts: shared/formats/pstats.md.
 *
 * The file is one marshal value: { (file, line, name): (cc, nc, tt, ct,
 * { caller_key: (nc, cc, tt, ct) or int }) }. The decoder walks it in place
 * (no tree is built): a value is read into a small tagged `mval`; containers
 * leave the cursor on their first item. Marshal's reference table keeps one
 * tagged slot per flagged object; a reference to a container is followed by
 * decoding it again from its recorded offset ("replay"), within a budget so a
 * crafted file cannot make the work quadratic. Key tuples remember the
 * function they resolved to, so the usual `r` caller keys cost one lookup.
 *
 * The writer (below the reader) writes any profile back as such a dict.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/bytes.h"
#include "../lib/escape.h"
#include "../lib/hmap.h"
#include "format.h"

#define FLAG_REF 0x80
#define MAX_DEPTH 200 /* real code objects nest about 20 deep */

enum mtype {
    MV_PENDING, /* a reserved slot whose object is still being decoded */
    MV_NULL,    /* '0': ends a dict */
    MV_NONE,
    MV_BOOL,
    MV_INT,
    MV_BIGINT, /* 'l' beyond int64: fine to skip, an error where a number is needed */
    MV_FLOAT,
    MV_STR, /* any string or bytes type */
    MV_SEQ, /* tuple, list, set, frozenset: `code` says which */
    MV_DICT,
    MV_CODE, /* a code object: pos/n is its co_name */
    MV_OTHER /* complex, Ellipsis, StopIteration */
};

typedef struct {
    uint8_t type;  /* enum mtype */
    uint8_t code;  /* marshal type code, without FLAG_REF */
    bool fresh;    /* container whose items follow at the cursor */
    uint32_t n;    /* string length or item count */
    uint32_t slot; /* reference slot holding this value, PK_NONE */
    uint32_t str;  /* py2 interned-string table entry, PK_NONE */
    size_t pos;    /* string bytes, first item of a container */
    union {
        int64_t i;
        double f;
    } v;
} mval;

/* One entry of marshal's reference table (v3+). A file has one for every
 * shared number and tuple, hundreds of thousands: 16 bytes each, a string's
 * bytes and interned copy kept apart (few are strings). */
typedef struct {
    uint8_t type, code;
    uint32_t n;
    union {
        size_t pos; /* a container's first item */
        int64_t i;
        double f;
        uint32_t str; /* MV_STR and MV_CODE: their entry in slot_strs */
    } v;
} ref_slot;

/* A string met while decoding, interned on first use (s). */
typedef struct {
    size_t pos;
    uint32_t n;
    const char *s;
} str_entry;

typedef struct {
    str_entry *e;
    size_t n, cap;
} str_table;

enum code_layout { CODE_UNKNOWN = -1, CODE_PY27, CODE_PY36, CODE_PY38, CODE_PY311, CODE_LAYOUTS };

typedef struct {
    const uint8_t *base;
    size_t len, pos;
    pk_input *in;  /* NULL when probing */
    pk_profile *p; /* NULL when probing */

    ref_slot *slots;
    pk_id *key_func; /* per slot: the function a key tuple resolved to, or PK_NONE;
                        apart from the slots, so the usual `r` caller key is one small read */
    size_t nslots, capslots;
    str_table strs;      /* Python 2's interned strings ('t' strings, 'R' refs) */
    str_table slot_strs; /* the strings (and code objects' names) of slots */

    int replay;                     /* > 0: decoding again, register nothing */
    size_t replay_used, replay_max; /* bytes decoded again, and the budget */
    int layout;                     /* code object layout, found by trying */

    jmp_buf *trial; /* set: a failure unwinds here instead of pk_fail */
    bool truncated; /* the last failure was running out of bytes */
    size_t fail_at; /* the last failure under a trial, and why */
    char fail_msg[256];

    /* what the producer betrays */
    bool int_callers, code_key, yappi_names;
    bool sampled; /* Tachyon's ('__sampled__',) marker was seen */

    /* Edges are appended unhashed when known new: edge_mark[caller] is the
     * callee (+1) whose callers dict gave (caller, callee) last, and a callee
     * listed twice (two keys, one function) takes the hashed path. */
    uint32_t *edge_mark;
    bool *listed;
    size_t capmarks;
    bool callee_twice;
} dec;

/* ---- failing ---- */

static void dec_free(dec *d)
{
    free(d->slots);
    free(d->key_func);
    free(d->strs.e);
    free(d->slot_strs.e);
    free(d->edge_mark);
    free(d->listed);
    d->slots = NULL;
    d->key_func = NULL;
    d->strs.e = NULL;
    d->slot_strs.e = NULL;
    d->edge_mark = NULL;
    d->listed = NULL;
}

static void dec_free_on_fail(void *d)
{
    dec_free(d);
}

static _Noreturn __attribute__((format(printf, 3, 4))) void dec_fail(dec *d, size_t off,
                                                                     const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (d->trial) {
        d->fail_at = off;
        snprintf(d->fail_msg, sizeof d->fail_msg, "%s", msg);
        longjmp(*d->trial, 1);
    }
    pk_fail(d->in, off, "%s", msg); /* dec_free_on_fail runs */
}

static void need(dec *d, size_t n, const char *what)
{
    if (d->len - d->pos < n) {
        d->truncated = true;
        dec_fail(d, d->pos, "truncated %s: needs %zu bytes, %zu left", what, n, d->len - d->pos);
    }
}

/* ---- primitive reads (little-endian) ---- */

static uint64_t rd_le(dec *d, int n, const char *what)
{
    need(d, (size_t)n, what);
    uint64_t v = pk_le(d->base + d->pos, (size_t)n);
    d->pos += (size_t)n;
    return v;
}

static uint32_t le32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static int32_t rd_i32(dec *d, const char *what)
{
    return (int32_t)(uint32_t)rd_le(d, 4, what);
}

static uint32_t rd_len(dec *d, bool wide, size_t item_min, const char *what)
{
    size_t at = d->pos;
    int64_t n = wide ? rd_i32(d, what) : (int64_t)rd_le(d, 1, what);
    if (n < 0) dec_fail(d, at, "negative %s length %lld", what, (long long)n);
    if ((uint64_t)n * item_min > d->len - d->pos) {
        d->truncated = true;
        dec_fail(d, at, "%s of %lld items or bytes, only %zu bytes left", what, (long long)n,
                 d->len - d->pos);
    }
    return (uint32_t)n;
}

/* 'l': |n| 15-bit digits, the sign of n is the sign of the value. */
static void rd_long(dec *d, mval *m)
{
    size_t at = d->pos;
    int32_t n = rd_i32(d, "long");
    uint32_t digits = n < 0 ? (uint32_t) - (int64_t)n : (uint32_t)n;
    if (digits > (d->len - d->pos) / 2) {
        d->truncated = true;
        dec_fail(d, at, "truncated long of %u digits", digits);
    }
    uint64_t v = 0;
    bool big = false;
    for (uint32_t i = 0; i < digits; i++) {
        uint32_t digit = (uint32_t)rd_le(d, 2, "long digit");
        if (digit >= 1u << 15) dec_fail(d, d->pos - 2, "long digit out of range");
        if (i >= 5 || (i == 4 && digit >= 1u << 3))
            big = big || digit != 0;
        else
            v |= (uint64_t)digit << (15 * i);
    }
    m->type = big ? MV_BIGINT : MV_INT;
    m->v.i = n < 0 ? -(int64_t)v : (int64_t)v;
}

/* 'f': the text float of marshal versions 0 and 1. */
static double rd_text_float(dec *d)
{
    uint32_t n = rd_len(d, false, 1, "text float");
    char buf[257];
    memcpy(buf, d->base + d->pos, n);
    buf[n] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (n == 0 || *end != '\0') dec_fail(d, d->pos, "bad text float");
    d->pos += n;
    return v;
}

/* ---- the reference tables ---- */

static uint32_t slot_reserve(dec *d)
{
    if (d->nslots == d->capslots) {
        size_t cap = d->capslots ? d->capslots * 2 : 1024;
        ref_slot *s = realloc(d->slots, cap * sizeof *s);
        if (s) d->slots = s;
        pk_id *kf = realloc(d->key_func, cap * sizeof *kf);
        if (kf) d->key_func = kf;
        if (!s || !kf) dec_fail(d, d->pos, "out of memory");
        d->capslots = cap;
    }
    d->key_func[d->nslots] = PK_NONE;
    ref_slot *s = &d->slots[d->nslots];
    memset(s, 0, sizeof *s);
    s->type = MV_PENDING;
    return (uint32_t)d->nslots++;
}

/* The string m into table t; returns its index. */
static uint32_t str_append(dec *d, str_table *t, const mval *m)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        str_entry *e = realloc(t->e, cap * sizeof *e);
        if (!e) dec_fail(d, d->pos, "out of memory");
        t->e = e;
        t->cap = cap;
    }
    t->e[t->n] = (str_entry){.pos = m->pos, .n = m->n, .s = NULL};
    return (uint32_t)t->n++;
}

static bool has_string(uint8_t type)
{
    return type == MV_STR || type == MV_CODE;
}

static void slot_store(dec *d, uint32_t idx, const mval *m)
{
    ref_slot *s = &d->slots[idx];
    s->type = m->type;
    s->code = m->code;
    s->n = m->n;
    if (m->type == MV_INT || m->type == MV_BIGINT || m->type == MV_BOOL)
        s->v.i = m->v.i;
    else if (m->type == MV_FLOAT)
        s->v.f = m->v.f;
    else if (has_string(m->type))
        s->v.str = str_append(d, &d->slot_strs, m);
    else
        s->v.pos = m->pos;
}

static void slot_load(dec *d, uint32_t idx, mval *m)
{
    const ref_slot *s = &d->slots[idx];
    m->type = s->type;
    m->code = s->code;
    m->n = s->n;
    if (s->type == MV_INT || s->type == MV_BIGINT || s->type == MV_BOOL)
        m->v.i = s->v.i;
    else if (s->type == MV_FLOAT)
        m->v.f = s->v.f;
    else if (has_string(s->type))
        m->pos = d->slot_strs.e[s->v.str].pos;
    else
        m->pos = s->v.pos;
    m->slot = idx;
}

/* ---- objects ---- */

static void obj_begin(dec *d, mval *m, int depth);

/* Consume what is left of a fresh container without looking at it. */
static void obj_finish(dec *d, const mval *m, int depth)
{
    if (!m->fresh) return;
    mval item;
    if (m->type == MV_SEQ) {
        for (uint32_t i = 0; i < m->n; i++) {
            obj_begin(d, &item, depth + 1);
            obj_finish(d, &item, depth + 1);
        }
    } else if (m->type == MV_DICT) {
        for (;;) {
            size_t at = d->pos;
            obj_begin(d, &item, depth + 1);
            if (item.type == MV_NULL) break;
            obj_finish(d, &item, depth + 1);
            obj_begin(d, &item, depth + 1);
            if (item.type == MV_NULL) dec_fail(d, at, "dict key without a value");
            obj_finish(d, &item, depth + 1);
        }
    }
}

/* A full object of an expected type, its items skipped. */
static void obj_expect(dec *d, mval *m, int depth, uint8_t type, const char *what)
{
    size_t at = d->pos;
    obj_begin(d, m, depth);
    if (m->type != type || (type == MV_SEQ && m->code != '(' && m->code != ')'))
        dec_fail(d, at, "code object: %s has the wrong type", what);
    obj_finish(d, m, depth);
}

/* One code object in a given layout (pstats.md section 5). */
static void code_parse(dec *d, int layout, mval *m, int depth)
{
    static const int nints[CODE_LAYOUTS] = {4, 5, 6, 5};
    need(d, (size_t)nints[layout] * 4, "code object header");
    d->pos += (size_t)nints[layout] * 4;
    mval f, name;
    obj_expect(d, &f, depth, MV_STR, "co_code");
    obj_expect(d, &f, depth, MV_SEQ, "co_consts");
    if (layout == CODE_PY311) {
        /* co_names is written here too, although pstats.md leaves it out */
        obj_expect(d, &f, depth, MV_SEQ, "co_names");
        obj_expect(d, &f, depth, MV_SEQ, "co_localsplusnames");
        obj_expect(d, &f, depth, MV_STR, "co_localspluskinds");
        obj_expect(d, &f, depth, MV_STR, "co_filename");
        obj_expect(d, &name, depth, MV_STR, "co_name");
        obj_expect(d, &f, depth, MV_STR, "co_qualname");
        rd_i32(d, "co_firstlineno");
        obj_expect(d, &f, depth, MV_STR, "co_linetable");
        obj_expect(d, &f, depth, MV_STR, "co_exceptiontable");
    } else {
        obj_expect(d, &f, depth, MV_SEQ, "co_names");
        obj_expect(d, &f, depth, MV_SEQ, "co_varnames");
        obj_expect(d, &f, depth, MV_SEQ, "co_freevars");
        obj_expect(d, &f, depth, MV_SEQ, "co_cellvars");
        obj_expect(d, &f, depth, MV_STR, "co_filename");
        obj_expect(d, &name, depth, MV_STR, "co_name");
        rd_i32(d, "co_firstlineno");
        obj_expect(d, &f, depth, MV_STR, "co_lnotab");
    }
    m->type = MV_CODE;
    m->pos = name.pos;
    m->n = name.n;
}

/* The layout is not written in the file: try each on the first code object
 * (a wrong one fails its type checks quickly), then keep the one that fit.
 * When none fits, the failure that got furthest explains best. */
static void code_read(dec *d, mval *m, int depth)
{
    if (d->layout != CODE_UNKNOWN) {
        code_parse(d, d->layout, m, depth);
        return;
    }
    size_t at = d->pos, nslots = d->nslots, nstrs = d->strs.n, nslot_strs = d->slot_strs.n;
    jmp_buf *outer = d->trial;
    volatile size_t best_at = at;
    volatile bool best_truncated = false;
    char best_msg[sizeof d->fail_msg] = "";
    for (volatile int layout = 0; layout < CODE_LAYOUTS; layout++) {
        jmp_buf jb;
        d->trial = &jb;
        d->layout = layout;
        d->truncated = false;
        if (setjmp(jb) == 0) {
            code_parse(d, layout, m, depth);
            d->trial = outer;
            d->truncated = false;
            return;
        }
        if (d->fail_at > best_at) {
            best_at = d->fail_at;
            best_truncated = d->truncated;
            memcpy(best_msg, d->fail_msg, sizeof best_msg);
        }
        d->pos = at;
        d->nslots = nslots;
        d->strs.n = nstrs;
        d->slot_strs.n = nslot_strs;
    }
    d->trial = outer;
    d->layout = CODE_UNKNOWN;
    d->truncated = best_truncated;
    dec_fail(d, best_at, "code object of no known layout (Python 2.7, 3.6 to 3.15): %s", best_msg);
}

static void obj_ref(dec *d, mval *m, uint8_t t, size_t at)
{
    int32_t idx = rd_i32(d, "reference");
    if (t == 'R') {
        if (idx < 0 || (size_t)idx >= d->strs.n)
            dec_fail(d, at, "string reference %d out of range (%zu strings)", idx, d->strs.n);
        m->type = MV_STR;
        m->code = 't';
        m->pos = d->strs.e[idx].pos;
        m->n = d->strs.e[idx].n;
        m->str = (uint32_t)idx;
        return;
    }
    if (idx < 0 || (size_t)idx >= d->nslots)
        dec_fail(d, at, "reference %d out of range (%zu objects)", idx, d->nslots);
    if (d->slots[idx].type == MV_PENDING)
        dec_fail(d, at, "reference %d to an object not yet complete", idx);
    slot_load(d, (uint32_t)idx, m);
}

/* Read one object's type byte and scalar payload. A container stops on its
 * first item (m->fresh) unless it came from a reference. */
static void obj_begin(dec *d, mval *m, int depth)
{
    size_t at = d->pos;
    if (depth > MAX_DEPTH) dec_fail(d, at, "objects nested deeper than %d", MAX_DEPTH);
    uint8_t b = (uint8_t)rd_le(d, 1, "object");
    uint8_t t = b & (uint8_t)~FLAG_REF;
    memset(m, 0, sizeof *m);
    m->slot = PK_NONE;
    m->str = PK_NONE;
    m->code = t;
    uint32_t slot = PK_NONE;
    if (b & FLAG_REF) {
        if (t == '0' || t == 'r' || t == 'R')
            dec_fail(d, at, "type code 0x%02x cannot be flagged", b);
        if (!d->replay) slot = slot_reserve(d);
    }
    switch (t) {
    case '0':
        m->type = MV_NULL;
        break;
    case 'N':
        m->type = MV_NONE;
        break;
    case 'T':
    case 'F':
        m->type = MV_BOOL;
        m->v.i = t == 'T';
        break;
    case 'S':
    case '.':
        m->type = MV_OTHER;
        break;
    case 'i':
        m->type = MV_INT;
        m->v.i = rd_i32(d, "int");
        break;
    case 'I':
        m->type = MV_INT;
        m->v.i = (int64_t)rd_le(d, 8, "int64");
        break;
    case 'l':
        rd_long(d, m);
        break;
    case 'g':
        m->type = MV_FLOAT;
        {
            uint64_t bits = rd_le(d, 8, "float");
            memcpy(&m->v.f, &bits, sizeof m->v.f);
        }
        break;
    case 'f':
        m->type = MV_FLOAT;
        m->v.f = rd_text_float(d);
        break;
    case 'y':
        need(d, 16, "complex");
        d->pos += 16;
        m->type = MV_OTHER;
        break;
    case 'x':
        rd_text_float(d);
        rd_text_float(d);
        m->type = MV_OTHER;
        break;
    case 's':
    case 't':
    case 'u':
    case 'a':
    case 'A':
    case 'z':
    case 'Z':
        m->type = MV_STR;
        m->n = rd_len(d, t != 'z' && t != 'Z', 1, "string");
        m->pos = d->pos;
        d->pos += m->n;
        if (t == 't' && !d->replay) {
            m->str = str_append(d, &d->strs, m);
        }
        break;
    case '(':
    case ')':
    case '[':
    case '<':
    case '>':
        m->type = MV_SEQ;
        m->n = rd_len(d, t != ')', 1, "sequence");
        m->pos = d->pos;
        m->fresh = true;
        break;
    case '{':
    case '}': /* frozendict (marshal 6, Python 3.15): pairs up to '0', as a dict */
        m->type = MV_DICT;
        m->pos = d->pos;
        m->fresh = true;
        break;
    case ':': /* slice (marshal 5, Python 3.14): start, stop, step */
        for (int i = 0; i < 3; i++) {
            mval item;
            obj_begin(d, &item, depth + 1);
            obj_finish(d, &item, depth + 1);
        }
        m->type = MV_OTHER;
        break;
    case 'c':
        code_read(d, m, depth + 1);
        break;
    case 'r':
    case 'R':
        obj_ref(d, m, t, at);
        break;
    default:
        dec_fail(d, at, "unknown marshal type code 0x%02x", b);
    }
    if (slot != PK_NONE) {
        slot_store(d, slot, m);
        m->slot = slot;
    }
}

/* ---- following a reference to a container ---- */

typedef struct {
    bool replayed;
    size_t saved, start;
} items_cursor;

static void items_open(dec *d, const mval *m, items_cursor *c)
{
    *c = (items_cursor){.replayed = !m->fresh};
    if (!c->replayed) return;
    if (d->replay_used > d->replay_max)
        dec_fail(d, d->pos, "references make the file decode more than %zu bytes", d->replay_max);
    c->saved = d->pos;
    c->start = m->pos;
    d->pos = m->pos;
    d->replay++;
}

static void items_close(dec *d, const items_cursor *c)
{
    if (!c->replayed) return;
    d->replay_used += d->pos - c->start;
    d->pos = c->saved;
    d->replay--;
}

/* ---- pstats on top of marshal ---- */

static const char *str_interned(dec *d, const mval *m)
{
    str_entry *in_slot = m->slot != PK_NONE ? &d->slot_strs.e[d->slots[m->slot].v.str] : NULL;
    str_entry *in_strs = m->str != PK_NONE ? &d->strs.e[m->str] : NULL;
    if (in_slot && in_slot->s) return in_slot->s;
    if (in_strs && in_strs->s) return in_strs->s;
    const char *s = pk_intern(d->p, (const char *)d->base + m->pos, m->n);
    if (in_slot) in_slot->s = s;
    if (in_strs) in_strs->s = s;
    return s;
}

/* A number as cProfile writes it (each is a shared object, so flagged or a
 * reference to one), read without the general walk: a flagged 'i' or 'g' takes
 * its slot, an `r` to a number reads the slot. False: the general walk. */
static inline __attribute__((always_inline)) bool number_fast(dec *d, int depth, uint8_t *type,
                                                              int64_t *i, double *f)
{
    size_t at = d->pos;
    const uint8_t *b = d->base + at;
    if (depth > MAX_DEPTH) return false;
    if (d->len - at >= 5 && b[0] == 'r') {
        uint32_t idx = le32(b + 1);
        if (idx >= d->nslots) return false;
        const ref_slot *slot = &d->slots[idx];
        if (slot->type == MV_FLOAT)
            *f = slot->v.f;
        else if (slot->type == MV_INT || slot->type == MV_BOOL)
            *i = slot->v.i;
        else
            return false;
        *type = slot->type;
        d->pos += 5;
        return true;
    }
    bool is_int = d->len - at >= 5 && b[0] == ('i' | FLAG_REF);
    bool is_float = d->len - at >= 9 && b[0] == ('g' | FLAG_REF);
    if (!is_int && !is_float) return false;
    ref_slot *slot = NULL;
    if (!d->replay) {
        uint32_t idx = slot_reserve(d); /* may move the slots */
        slot = &d->slots[idx];
    }
    if (is_int) {
        *i = (int32_t)le32(b + 1);
        *type = MV_INT;
        d->pos += 5;
    } else {
        uint64_t bits = (uint64_t)le32(b + 5) << 32 | le32(b + 1);
        memcpy(f, &bits, sizeof *f);
        *type = MV_FLOAT;
        d->pos += 9;
    }
    if (slot) {
        slot->type = *type;
        slot->code = b[0] & (uint8_t)~FLAG_REF;
        if (is_int)
            slot->v.i = *i;
        else
            slot->v.f = *f;
    }
    return true;
}

static int64_t want_count(dec *d, int depth, const char *what)
{
    size_t at = d->pos;
    if (d->len - at >= 5 && d->base[at] == 'i') { /* the usual case, unflagged */
        d->pos += 5;
        return (int32_t)le32(d->base + at + 1);
    }
    uint8_t type;
    int64_t i;
    double f;
    if (number_fast(d, depth, &type, &i, &f)) {
        if (type == MV_FLOAT) dec_fail(d, at, "%s is not an integer", what);
        return i;
    }
    mval m;
    obj_begin(d, &m, depth);
    if (m.type == MV_BIGINT) dec_fail(d, at, "%s does not fit in 64 bits", what);
    if (m.type != MV_INT && m.type != MV_BOOL) dec_fail(d, at, "%s is not an integer", what);
    return m.v.i;
}

/* llround without the libm call (one per time): for |x| < 2^63 the integral
 * part fits an int64 exactly, and x minus it is exact too. Halves round away
 * from zero, as llround does. */
static inline int64_t round_ns(double x)
{
    int64_t t = (int64_t)x;
    double frac = x - (double)t;
    return t + (frac >= 0.5) - (frac <= -0.5);
}

static int64_t want_time_ns(dec *d, int depth, const char *what)
{
    size_t at = d->pos;
    mval m;
    double s;
    uint8_t type;
    int64_t i;
    if (d->len - at >= 9 && d->base[at] == 'g') { /* the usual case, unflagged */
        uint64_t bits = (uint64_t)le32(d->base + at + 5) << 32 | le32(d->base + at + 1);
        memcpy(&s, &bits, sizeof s);
        d->pos += 9;
    } else if (number_fast(d, depth, &type, &i, &s)) {
        if (type != MV_FLOAT) s = (double)i;
    } else {
        obj_begin(d, &m, depth);
        if (m.type == MV_FLOAT)
            s = m.v.f;
        else if (m.type == MV_INT || m.type == MV_BOOL)
            s = (double)m.v.i;
        else
            dec_fail(d, at, "%s is not a number", what);
    }
    double ns = s * 1e9;
    if (!(fabs(ns) < 9.2e18)) dec_fail(d, at, "%s of %g s is out of range", what, s);
    return round_ns(ns);
}

static void note_names(dec *d, const char *name, const char *file, int32_t line, bool code)
{
    /* yappi writes qualified Class.method names and module names as the file
     * of builtins; cProfile's names are bare co_names or <...> builtins. */
    if (name[0] != '<' && strchr(name, '.')) d->yappi_names = true;
    if (line == 0 && !code && file[0] && strcmp(file, "~") != 0 && strcmp(file, "profile") != 0)
        d->yappi_names = true;
    if (code || (line == 0 && strcmp(file, "profile") == 0)) d->code_key = true;
}

/* (file, line, name) -> function. A code object in the name slot (the fake
 * top frame of `python -m profile`) is named by its co_name, e.g. <module>;
 * file and line stay as the key has them ("profile", 0). */
static pk_id read_key(dec *d, int depth)
{
    size_t at = d->pos;
    if (d->len - at >= 5 && d->base[at] == 'r') {
        /* a reference to a key already resolved: no decoding at all */
        uint32_t idx = le32(d->base + at + 1);
        if (idx < d->nslots && d->key_func[idx] != PK_NONE) {
            d->pos += 5;
            return d->key_func[idx];
        }
    }
    mval key;
    obj_begin(d, &key, depth);
    if (key.type != MV_SEQ || (key.code != '(' && key.code != ')'))
        dec_fail(d, at, "key is not a (file, line, name) tuple");
    if (key.slot != PK_NONE && d->key_func[key.slot] != PK_NONE) return d->key_func[key.slot];
    if (key.n != 3) dec_fail(d, at, "key tuple has %u items, expected (file, line, name)", key.n);
    items_cursor c;
    items_open(d, &key, &c);
    mval file, name;
    size_t item_at = d->pos;
    obj_begin(d, &file, depth + 1);
    if (file.type != MV_STR) dec_fail(d, item_at, "file name of a key is not a string");
    int64_t line = want_count(d, depth + 1, "line number");
    if (line < INT32_MIN || line > INT32_MAX)
        dec_fail(d, item_at, "line number %lld out of range", (long long)line);
    item_at = d->pos;
    obj_begin(d, &name, depth + 1);
    if (name.type != MV_STR && name.type != MV_CODE)
        dec_fail(d, item_at, "function name of a key is neither a string nor a code object");
    items_close(d, &c);
    const char *fs = str_interned(d, &file), *ns = str_interned(d, &name);
    note_names(d, ns, fs, (int32_t)line, name.type == MV_CODE);
    pk_id id = pk_function_get_interned(d->p, ns, fs, (int32_t)line, pk_kind_guess(ns, fs));
    if (key.slot != PK_NONE) d->key_func[key.slot] = id;
    return id;
}

/* Room in the per-function marks for every function made so far. */
static void marks_fit(dec *d)
{
    size_t n = d->p->nfuncs;
    if (n <= d->capmarks) return;
    size_t cap = d->capmarks ? d->capmarks : 1024;
    while (cap < n)
        cap *= 2;
    uint32_t *mark = realloc(d->edge_mark, cap * sizeof *mark);
    if (mark) d->edge_mark = mark;
    bool *listed = realloc(d->listed, cap * sizeof *listed);
    if (listed) d->listed = listed;
    if (!mark || !listed) dec_fail(d, d->pos, "out of memory");
    memset(mark + d->capmarks, 0, (cap - d->capmarks) * sizeof *mark);
    memset(listed + d->capmarks, 0, (cap - d->capmarks) * sizeof *listed);
    d->capmarks = cap;
}

/* The edge (caller, callee): appended without a hash lookup unless this
 * callee's entry may already have given it. */
static pk_edge *edge_for(dec *d, pk_id caller, pk_id callee)
{
    pk_profile *p = d->p;
    marks_fit(d);
    if (d->callee_twice || d->edge_mark[caller] == callee + 1)
        return pk_edge_get(p, caller, callee);
    d->edge_mark[caller] = callee + 1;
    return pk_edge_append(p, caller, callee);
}

/* An unflagged tuple of n items starts at the cursor: its header is consumed
 * and the items follow (the usual value tuples, read without a slot). */
static bool plain_tuple(dec *d, uint32_t n)
{
    const uint8_t *b = d->base + d->pos;
    size_t left = d->len - d->pos, head;
    uint8_t code = b[0] & (uint8_t)~FLAG_REF;
    if (left >= 2 && code == ')' && b[1] == n)
        head = 2;
    else if (left >= 5 && code == '(' && le32(b + 1) == n)
        head = 5;
    else
        return false;
    d->pos += head;
    if ((b[0] & FLAG_REF) && !d->replay) {
        /* flagged (cProfile's tuples often are): a later `r` may replay it */
        mval m = {.type = MV_SEQ, .code = code, .n = n, .pos = d->pos};
        slot_store(d, slot_reserve(d), &m);
    }
    return true;
}

/* A callers entry: (nc, cc, tt, ct) from cProfile and yappi, a plain call
 * count from the pure-Python profile module. */
static void read_edge(dec *d, pk_id caller, pk_id callee, int depth)
{
    size_t at = d->pos;
    mval v = {0};
    int64_t nc = 0, cc = 0, tt = 0, ct = 0;
    if (plain_tuple(d, 4)) {
        nc = want_count(d, depth + 1, "caller call count");
        cc = want_count(d, depth + 1, "caller primitive call count");
        tt = want_time_ns(d, depth + 1, "caller tottime");
        ct = want_time_ns(d, depth + 1, "caller cumtime");
    } else {
        obj_begin(d, &v, depth);
    }
    if (v.type == MV_PENDING) {
        /* a plain tuple, read above */
    } else if (v.type == MV_INT || v.type == MV_BOOL) {
        nc = cc = v.v.i;
        d->int_callers = true;
    } else if (v.type == MV_SEQ && (v.code == '(' || v.code == ')') && v.n == 4) {
        items_cursor c;
        items_open(d, &v, &c);
        nc = want_count(d, depth + 1, "caller call count");
        cc = want_count(d, depth + 1, "caller primitive call count");
        tt = want_time_ns(d, depth + 1, "caller tottime");
        ct = want_time_ns(d, depth + 1, "caller cumtime");
        items_close(d, &c);
    } else if (v.type == MV_BIGINT) {
        dec_fail(d, at, "caller call count does not fit in 64 bits");
    } else {
        dec_fail(d, at, "caller value is neither a count nor an (nc, cc, tt, ct) tuple");
    }
    pk_edge *e = edge_for(d, caller, callee);
    e->calls = nc;
    e->pcalls = cc;
    e->self[0] = tt;
    e->incl[0] = ct;
}

static void read_callers(dec *d, pk_id callee, int depth)
{
    size_t at = d->pos;
    mval callers;
    obj_begin(d, &callers, depth);
    if (callers.type != MV_DICT) dec_fail(d, at, "callers is not a dict");
    items_cursor c;
    items_open(d, &callers, &c);
    for (;;) {
        need(d, 1, "callers dict");
        if (d->base[d->pos] == '0') {
            d->pos++;
            break;
        }
        pk_id caller = read_key(d, depth + 1);
        read_edge(d, caller, callee, depth + 1);
    }
    items_close(d, &c);
}

/* (cc, nc, tt, ct, callers); the counts are stored as written and swapped
 * later if the file turns out to be yappi's. */
static void read_entry(dec *d, pk_id callee, int depth)
{
    size_t at = d->pos;
    items_cursor c = {0};
    if (!plain_tuple(d, 5)) {
        mval v;
        obj_begin(d, &v, depth);
        if (v.type != MV_SEQ || (v.code != '(' && v.code != ')'))
            dec_fail(d, at, "value is not a (cc, nc, tt, ct, callers) tuple");
        if (v.n != 5)
            dec_fail(d, at, "value tuple has %u items, expected (cc, nc, tt, ct, callers)", v.n);
        items_open(d, &v, &c);
    }
    int64_t cc = want_count(d, depth + 1, "primitive call count");
    int64_t nc = want_count(d, depth + 1, "call count");
    int64_t tt = want_time_ns(d, depth + 1, "tottime");
    int64_t ct = want_time_ns(d, depth + 1, "cumtime");
    read_callers(d, callee, depth + 1);
    items_close(d, &c);
    pk_function *f = &d->p->funcs[callee];
    f->pcalls = cc;
    f->calls = nc;
    f->self[0] = tt;
    f->incl[0] = ct;
}

/* Python 3.15's sampler (Tachyon) adds the entry ('__sampled__',): True to
 * say its counts are samples. Consumed here when the next key is a 1-tuple. */
static bool read_marker(dec *d)
{
    size_t at = d->pos, left = d->len - at;
    const uint8_t *b = d->base + at;
    uint8_t code = left ? b[0] & (uint8_t)~FLAG_REF : 0;
    bool one =
        (left >= 2 && code == ')' && b[1] == 1) || (left >= 5 && code == '(' && le32(b + 1) == 1);
    if (!one) return false;
    mval key, item, value;
    obj_begin(d, &key, 1);
    items_cursor c;
    items_open(d, &key, &c);
    size_t item_at = d->pos;
    obj_begin(d, &item, 2);
    items_close(d, &c);
    if (item.type != MV_STR || item.n != 11 || memcmp(d->base + item.pos, "__sampled__", 11) != 0)
        dec_fail(d, item_at, "key tuple of 1 item that is not the ('__sampled__',) marker");
    obj_begin(d, &value, 1);
    obj_finish(d, &value, 1);
    d->sampled = true;
    return true;
}

static void read_stats(dec *d)
{
    mval top;
    obj_begin(d, &top, 0);
    if (top.type != MV_DICT) dec_fail(d, 0, "not a pstats file: the marshal value is not a dict");
    for (;;) {
        need(d, 1, "stats dict");
        if (d->base[d->pos] == '0') {
            d->pos++;
            break;
        }
        if (read_marker(d)) continue;
        pk_id callee = read_key(d, 1);
        marks_fit(d);
        d->callee_twice = d->listed[callee];
        d->listed[callee] = true;
        read_entry(d, callee, 1);
    }
}

/* yappi stores (total, primitive) where cProfile stores (primitive, total).
 * Its names betray it; so does a primitive count above the total, which
 * cProfile never writes. */
static const char *settle_producer(dec *d)
{
    pk_profile *p = d->p;
    if (d->sampled) return "tachyon";
    if (d->int_callers || d->code_key) return "profile";
    bool reversed = false;
    for (size_t i = 0; i < p->nfuncs && !reversed; i++)
        reversed = p->funcs[i].pcalls > p->funcs[i].calls;
    if (!d->yappi_names && !reversed) return "cProfile";
    for (size_t i = 0; i < p->nfuncs; i++) {
        pk_function *f = &p->funcs[i];
        int64_t t = f->calls;
        f->calls = f->pcalls;
        f->pcalls = t;
        /* yappi files builtins under their module ("builtins", "_operator"), line 0 */
        if (f->line == 0 && !strchr(f->file, '/') && f->kind == PK_KIND_PYTHON)
            f->kind = PK_KIND_BUILTIN;
    }
    return "yappi";
}

/* pyinstrument's pstats renderer does not count calls: every count, of
 * functions and of callers, is -1. Such a file has no call counts. */
static bool uncounted(pk_profile *p)
{
    if (p->nfuncs == 0) return false;
    for (size_t i = 0; i < p->nfuncs; i++)
        if (p->funcs[i].calls != -1 || p->funcs[i].pcalls != -1) return false;
    for (size_t i = 0; i < p->nedges; i++)
        if (p->edges[i].calls != -1 || p->edges[i].pcalls != -1) return false;
    for (size_t i = 0; i < p->nfuncs; i++)
        p->funcs[i].calls = p->funcs[i].pcalls = 0;
    for (size_t i = 0; i < p->nedges; i++)
        p->edges[i].calls = p->edges[i].pcalls = 0;
    return true;
}

static void dec_init(dec *d, const uint8_t *data, size_t len)
{
    memset(d, 0, sizeof *d);
    d->base = data;
    d->len = len;
    d->layout = CODE_UNKNOWN;
    d->replay_max = 8 * len + 65536;
}

/* A sampled file: slot 0 holds a function's own samples, slot 1 those with
 * it on the stack, the times are those times the interval, and a caller's
 * count is the samples under that caller. They become a samples metric
 * beside the time; the counts stay as stored, so the file writes back. */
static void settle_sampled(pk_profile *p)
{
    int s = pk_add_metric(p, "samples", "samples");
    int64_t direct = 0, direct_ns = 0;
    for (size_t i = 0; i < p->nfuncs; i++) {
        pk_function *f = &p->funcs[i];
        f->self[s] = f->pcalls;
        f->incl[s] = f->calls;
        direct += f->pcalls;
        direct_ns += f->self[0];
    }
    for (size_t i = 0; i < p->nedges; i++)
        p->edges[i].incl[s] = p->edges[i].calls;
    pk_meta_set(p, "pstats.sampled", "true");
    if (direct > 0) {
        char num[32];
        snprintf(num, sizeof num, "%.6g", (double)direct_ns / (double)direct / 1e3);
        pk_meta_set(p, "sampling.interval_us", pk_intern_cstr(p, num));
        snprintf(num, sizeof num, "%lld", (long long)direct);
        pk_meta_set(p, "sampling.samples", pk_intern_cstr(p, num));
    }
}

static void pstats_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    (void)opt;
    dec d;
    size_t len;
    const uint8_t *data = pk_input_all(in, &len);
    dec_init(&d, data, len);
    d.in = in;
    d.p = p;
    /* Whatever fails the read, ours or the budget's, frees the tables. */
    pk_input_on_fail(in, dec_free_on_fail, &d);
    pk_add_metric(p, "time", "ns");
    read_stats(&d);
    if (d.pos != d.len) pk_warn(in, "%zu bytes after the statistics ignored", d.len - d.pos);
    bool counted = d.sampled || !uncounted(p);
    pk_meta_set(p, "pstats.producer", counted ? settle_producer(&d) : "pyinstrument");
    if (d.sampled) settle_sampled(p);
    pk_input_on_fail(in, NULL, NULL);
    dec_free(&d);
    p->has_graph = true;
    p->has_calls = counted;
}

/* ======================================================================
 * Writer: one marshal (version 4) dict, as cProfile's dump_stats writes it;
 * each key tuple and file name is written once and referenced after.
 * Choices for profiles that did not come from a deterministic profiler:
 * docs/pstats-write.md.
 * ====================================================================== */

typedef struct {
    FILE *f;
} mw;

static void mw_byte(mw *w, uint8_t b)
{
    putc(b, w->f);
}

static void mw_u32(mw *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fwrite(b, 1, 4, w->f);
}

/* 'i' when it fits in 32 bits, else 'l': a signed count of 15-bit digits. */
static void mw_int(mw *w, int64_t v)
{
    if (v >= INT32_MIN && v <= INT32_MAX) {
        mw_byte(w, 'i');
        mw_u32(w, (uint32_t)(int32_t)v);
        return;
    }
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint16_t digits[5];
    int n = 0;
    for (; mag; mag >>= 15)
        digits[n++] = (uint16_t)(mag & 0x7fff);
    mw_byte(w, 'l');
    mw_u32(w, (uint32_t)(v < 0 ? -n : n));
    for (int i = 0; i < n; i++) {
        mw_byte(w, (uint8_t)digits[i]);
        mw_byte(w, (uint8_t)(digits[i] >> 8));
    }
}

static void mw_float(mw *w, double v)
{
    mw_byte(w, 'g');
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    for (int i = 0; i < 8; i++)
        mw_byte(w, (uint8_t)(bits >> (8 * i)));
}

/* s must be valid UTF-8: 'z'/'a' for ASCII (what marshal itself writes),
 * 'u' for the rest. */
static void mw_str(mw *w, const char *s, uint8_t flag)
{
    size_t len = strlen(s);
    bool ascii = true;
    for (size_t i = 0; i < len && ascii; i++)
        ascii = (unsigned char)s[i] < 0x80;
    if (ascii && len < 256) {
        mw_byte(w, 'z' | flag);
        mw_byte(w, (uint8_t)len);
    } else {
        mw_byte(w, (ascii ? 'a' : 'u') | flag);
        mw_u32(w, (uint32_t)len);
    }
    fwrite(s, 1, len, w->f);
}

/* What is written per function and per edge. */
typedef struct {
    const char *file, *name; /* valid UTF-8, unique together with line */
    int64_t nc, cc;
    bool present;
} out_func;

typedef struct {
    int64_t nc, cc;
} out_edge;

typedef struct {
    pk_profile *p;
    int metric;
    double mul, div; /* seconds = value * mul / div */
    out_func *funcs;
    out_edge *edges;
    pk_id *by_callee, *first_edge; /* edges grouped by callee: counting sort */
    char **scratch;                /* strings made here, freed at the end */
    size_t nscratch, capscratch;
    bool yappi, int_callers, sampled;
    /* marshal references: a key tuple or a file name is written once with
     * FLAG_REF, then as 'r' + its slot */
    uint32_t nslots;
    pk_id *key_slot;    /* per function */
    const char **files; /* distinct file names written so far */
    uint32_t *file_slot;
    size_t nfiles, capfiles;
    pk_hmap file_index;
} pw;

/* The written metric of values (a function's or an edge's self or incl). */
static double pw_seconds(const pw *w, const int64_t *values)
{
    if (w->metric < 0) return 0.0;
    return (double)values[w->metric] * w->mul / w->div;
}

/* Time metrics are ns; a sample count becomes time when the interval is
 * known; any other unit is written as it is, one unit per "second". */
static void pick_metric(pw *w, const pk_write_options *opt)
{
    pk_profile *p = w->p;
    w->mul = w->div = 1.0;
    if (p->nmetrics == 0) {
        w->metric = -1;
        return;
    }
    int t = pk_metric_find(p, "time");
    w->metric = opt && opt->metric >= 0 && opt->metric < p->nmetrics ? opt->metric : t >= 0 ? t : 0;
    const pk_metric *m = &p->metrics[w->metric];
    const char *interval = pk_meta_get(p, "austin.interval"); /* microseconds */
    if (strcmp(m->unit, "ns") == 0) {
        w->div = 1e9;
    } else if (strcmp(m->name, "samples") == 0 && interval) {
        char *end;
        double us = strtod(interval, &end);
        if (*end == '\0' && us > 0 && us < 1e12) {
            w->mul = us;
            w->div = 1e6;
        }
    }
}

static void keep_scratch(pw *w, char *s)
{
    if (!s) return;
    PK_GROW(w->scratch, w->capscratch, w->nscratch + 1);
    w->scratch[w->nscratch++] = s;
}

typedef struct {
    const pw *w;
    const char *file, *name;
    int32_t line;
} key_probe;

static uint64_t key_hash(const char *file, int32_t line, const char *name)
{
    uint64_t h = pk_hash_bytes(file, strlen(file));
    h = pk_hash_mix(h, (uint64_t)(uint32_t)line);
    return pk_hash_mix(h, pk_hash_bytes(name, strlen(name)));
}

static bool key_eq(const void *ctx, uint32_t id)
{
    const key_probe *k = ctx;
    const out_func *o = &k->w->funcs[id];
    return k->w->p->funcs[id].line == k->line && strcmp(o->file, k->file) == 0 &&
           strcmp(o->name, k->name) == 0;
}

/* Names are made valid UTF-8 (invalid bytes become U+FFFD). Two keys that
 * became equal that way would merge into one dict entry: the later one gets
 * a " (2)", " (3)" ... suffix. */
static void name_keys(pw *w)
{
    pk_profile *p = w->p;
    pk_hmap seen = {0};
    for (pk_id i = 0; i < p->nfuncs; i++) {
        out_func *o = &w->funcs[i];
        if (!o->present) continue;
        char *s1, *s2;
        o->file = pk_utf8_valid(p->funcs[i].file, &s1);
        o->name = pk_utf8_valid(p->funcs[i].name, &s2);
        keep_scratch(w, s1);
        keep_scratch(w, s2);
        const char *base = o->name;
        for (unsigned k = 2;; k++) {
            key_probe probe = {w, o->file, o->name, p->funcs[i].line};
            uint64_t h = key_hash(o->file, p->funcs[i].line, o->name);
            if (pk_hmap_find(&seen, h, key_eq, &probe) == UINT32_MAX) {
                pk_hmap_insert(&seen, h, i);
                break;
            }
            size_t len = strlen(base) + 16;
            char *renamed = pk_xmalloc(len);
            snprintf(renamed, len, "%s (%u)", base, k);
            keep_scratch(w, renamed);
            o->name = renamed;
        }
    }
    pk_hmap_free(&seen);
}

/* Calling contexts as stacks of functions: the tree may split one such stack
 * into several nodes by line, which must count once. */
typedef struct {
    pk_id *parent, *func;
    size_t n;
    pk_hmap index;
} ctx_set;

typedef struct {
    const ctx_set *s;
    pk_id parent, func;
} ctx_probe;

static bool ctx_eq(const void *c, uint32_t id)
{
    const ctx_probe *k = c;
    return k->s->parent[id] == k->parent && k->s->func[id] == k->func;
}

/* The context id of func called in context parent; *fresh when new. */
static pk_id ctx_get(ctx_set *s, pk_id parent, pk_id func, bool *fresh)
{
    uint64_t h = pk_hash_mix(pk_hash_mix(0, parent), func);
    ctx_probe k = {s, parent, func};
    uint32_t id = pk_hmap_find(&s->index, h, ctx_eq, &k);
    *fresh = id == UINT32_MAX;
    if (!*fresh) return id;
    s->parent[s->n] = parent;
    s->func[s->n] = func;
    pk_hmap_insert(&s->index, h, (uint32_t)s->n);
    return (pk_id)s->n++;
}

typedef struct {
    pw *w;
    int64_t *incl; /* per node inclusive samples, NULL: weigh contexts */
    int samples, nm;
    uint32_t *func_active, *edge_active; /* frames of it on the current path */
    pk_id *node_edge, *node_ctx;
    ctx_set ctx;
} count_walk;

static void count_enter(count_walk *c, pk_id id)
{
    pk_profile *p = c->w->p;
    const pk_node *n = &p->nodes[id];
    int64_t weight = 1;
    if (c->incl) {
        weight = c->incl[(size_t)id * c->nm + c->samples];
    } else {
        bool fresh;
        c->node_ctx[id] = ctx_get(&c->ctx, c->node_ctx[n->parent], n->func, &fresh);
        if (!fresh) weight = 0;
    }
    out_func *o = &c->w->funcs[n->func];
    o->present = true;
    o->nc += weight;
    if (c->func_active[n->func]++ == 0) o->cc += weight;
    c->node_edge[id] = PK_NONE;
    pk_edge *e = n->parent ? pk_edge_find(p, p->nodes[n->parent].func, n->func) : NULL;
    if (!e) return;
    pk_id eid = (pk_id)(e - p->edges);
    c->node_edge[id] = eid;
    c->w->edges[eid].nc += weight;
    if (c->edge_active[eid]++ == 0) c->w->edges[eid].cc += weight;
}

static void count_leave(count_walk *c, pk_id id)
{
    c->func_active[c->w->p->nodes[id].func]--;
    if (c->node_edge[id] != PK_NONE) c->edge_active[c->node_edge[id]]--;
}

/* Counts of a stack profile, from its tree. A frame weighs the samples under
 * it (its inclusive "samples"); without that metric each distinct calling
 * context (stack of functions) weighs 1. nc sums every frame of the
 * function, cc only the outermost ones, as cProfile counts recursive calls
 * as not primitive; edges likewise, recursion judged per (caller, callee)
 * pair as cProfile does. */
static void counts_from_tree(pw *w)
{
    pk_profile *p = w->p;
    size_t nn = p->nnodes + 1;
    count_walk c = {.w = w, .samples = pk_metric_find(p, "samples"), .nm = p->nmetrics};
    c.incl = c.samples >= 0 ? pk_tree_inclusive(p) : NULL;
    c.func_active = pk_xcalloc(p->nfuncs + 1, sizeof *c.func_active);
    c.edge_active = pk_xcalloc(p->nedges + 1, sizeof *c.edge_active);
    c.node_edge = pk_xmalloc(nn * sizeof *c.node_edge);
    c.node_ctx = pk_xmalloc(nn * sizeof *c.node_ctx);
    c.ctx.parent = pk_xmalloc(nn * sizeof *c.ctx.parent);
    c.ctx.func = pk_xmalloc(nn * sizeof *c.ctx.func);
    c.node_ctx[0] = PK_NONE;
    pk_id *stack = pk_xmalloc(nn * sizeof *stack);
    size_t depth = 0;
    pk_id cur = p->nnodes ? p->nodes[0].first_child : PK_NONE;
    while (cur != PK_NONE) {
        count_enter(&c, cur);
        stack[depth++] = cur;
        pk_id next = p->nodes[cur].first_child;
        /* No child: leave finished frames until one has a next sibling. */
        while (next == PK_NONE && depth) {
            pk_id done = stack[--depth];
            count_leave(&c, done);
            next = p->nodes[done].next_sibling;
        }
        cur = next;
    }
    free(c.incl);
    free(c.func_active);
    free(c.edge_active);
    free(c.node_edge);
    free(c.node_ctx);
    free(c.ctx.parent);
    free(c.ctx.func);
    pk_hmap_free(&c.ctx.index);
    free(stack);
}

static void plan_counts(pw *w)
{
    pk_profile *p = w->p;
    if (p->has_tree && !p->has_calls) {
        counts_from_tree(w);
        return;
    }
    /* a graph: its own counts, or one call per function and edge if it has none */
    for (pk_id i = 0; i < p->nfuncs; i++) {
        const pk_function *f = &p->funcs[i];
        w->funcs[i] = (out_func){
            .present = true, .nc = p->has_calls ? f->calls : 1, .cc = p->has_calls ? f->pcalls : 1};
    }
    for (size_t i = 0; i < p->nedges; i++) {
        const pk_edge *e = &p->edges[i];
        w->edges[i] =
            (out_edge){.nc = p->has_calls ? e->calls : 1, .cc = p->has_calls ? e->pcalls : 1};
    }
}

static void group_by_callee(pw *w)
{
    pk_profile *p = w->p;
    w->first_edge = pk_xcalloc(p->nfuncs + 1, sizeof *w->first_edge);
    w->by_callee = pk_xmalloc((p->nedges + 1) * sizeof *w->by_callee);
    for (size_t i = 0; i < p->nedges; i++)
        w->first_edge[p->edges[i].callee + 1]++;
    for (size_t f = 0; f < p->nfuncs; f++)
        w->first_edge[f + 1] += w->first_edge[f];
    pk_id *fill = pk_xmalloc((p->nfuncs + 1) * sizeof *fill);
    memcpy(fill, w->first_edge, (p->nfuncs + 1) * sizeof *fill);
    for (size_t i = 0; i < p->nedges; i++)
        w->by_callee[fill[p->edges[i].callee]++] = (pk_id)i;
    free(fill);
}

static void put_ref(mw *m, uint32_t slot)
{
    mw_byte(m, 'r');
    mw_u32(m, slot);
}

typedef struct {
    const pw *w;
    const char *s;
} file_probe;

static bool file_eq(const void *ctx, uint32_t id)
{
    const file_probe *k = ctx;
    return k->w->files[id] == k->s;
}

/* File names are interned: one pointer per distinct name. */
static void put_file(pw *w, mw *m, const char *file)
{
    uint64_t h = pk_hash_mix(0, (uint64_t)(uintptr_t)file);
    file_probe k = {w, file};
    uint32_t id = pk_hmap_find(&w->file_index, h, file_eq, &k);
    if (id != UINT32_MAX) {
        put_ref(m, w->file_slot[id]);
        return;
    }
    if (w->nfiles == w->capfiles) {
        w->capfiles = w->capfiles ? 2 * w->capfiles : 64;
        w->files = pk_xrealloc(w->files, w->capfiles * sizeof *w->files);
        w->file_slot = pk_xrealloc(w->file_slot, w->capfiles * sizeof *w->file_slot);
    }
    w->files[w->nfiles] = file;
    w->file_slot[w->nfiles] = w->nslots++;
    pk_hmap_insert(&w->file_index, h, (uint32_t)w->nfiles++);
    mw_str(m, file, FLAG_REF);
}

/* The flagged tuple takes its slot before its items do, as marshal reads. */
static void put_key(pw *w, mw *m, pk_id id)
{
    if (w->key_slot[id] != PK_NONE) {
        put_ref(m, w->key_slot[id]);
        return;
    }
    w->key_slot[id] = w->nslots++;
    mw_byte(m, ')' | FLAG_REF);
    mw_byte(m, 3);
    put_file(w, m, w->funcs[id].file);
    mw_int(m, w->p->funcs[id].line);
    mw_str(m, w->funcs[id].name, 0);
}

/* {caller_key: (nc, cc, tt, ct)}, or the plain call count `profile` writes. */
static void put_callers(pw *w, mw *m, pk_id callee)
{
    pk_profile *p = w->p;
    mw_byte(m, '{');
    for (pk_id k = w->first_edge[callee]; k < w->first_edge[callee + 1]; k++) {
        pk_id eid = w->by_callee[k];
        const pk_edge *e = &p->edges[eid];
        if (!w->funcs[e->caller].present) continue;
        put_key(w, m, e->caller);
        if (w->int_callers) {
            mw_int(m, w->edges[eid].nc);
            continue;
        }
        mw_byte(m, ')');
        mw_byte(m, 4);
        mw_int(m, w->edges[eid].nc);
        mw_int(m, w->edges[eid].cc);
        mw_float(m, pw_seconds(w, e->self));
        mw_float(m, pw_seconds(w, e->incl));
    }
    mw_byte(m, '0');
}

/* (cc, nc, tt, ct, callers); yappi's files hold (nc, cc, ...), restored. */
static void put_entry(pw *w, mw *m, pk_id id)
{
    const pk_function *f = &w->p->funcs[id];
    const out_func *o = &w->funcs[id];
    put_key(w, m, id);
    mw_byte(m, ')');
    mw_byte(m, 5);
    mw_int(m, w->yappi ? o->nc : o->cc);
    mw_int(m, w->yappi ? o->cc : o->nc);
    mw_float(m, pw_seconds(w, f->self));
    mw_float(m, pw_seconds(w, f->incl));
    put_callers(w, m, id);
}

/* A pstats input is written back in its producer's own layout: yappi's
 * swapped counts, profile's int callers. Not after a merge of several inputs
 * (the first input's meta would speak for all), and int callers only while
 * every edge is a plain count. */
static void restore_producer(pw *w)
{
    pk_profile *p = w->p;
    const char *producer = pk_meta_get(p, "pstats.producer");
    if (!p->has_calls || !producer || pk_meta_get(p, "input.1")) return;
    w->yappi = strcmp(producer, "yappi") == 0;
    w->sampled = strcmp(producer, "tachyon") == 0;
    w->int_callers = strcmp(producer, "profile") == 0 || w->sampled;
    for (size_t i = 0; i < p->nedges && w->int_callers; i++) {
        const pk_edge *e = &p->edges[i];
        w->int_callers = e->calls == e->pcalls && e->self[0] == 0 && e->incl[0] == 0;
    }
}

static void pw_free(pw *w)
{
    for (size_t i = 0; i < w->nscratch; i++)
        free(w->scratch[i]);
    free(w->scratch);
    free(w->funcs);
    free(w->edges);
    free(w->by_callee);
    free(w->first_edge);
    free(w->key_slot);
    free(w->files);
    free(w->file_slot);
    pk_hmap_free(&w->file_index);
}

static int pstats_write(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err)
{
    (void)err;
    pk_ensure_graph(p);
    pw w = {.p = p};
    restore_producer(&w);
    pick_metric(&w, opt);
    w.funcs = pk_xcalloc(p->nfuncs + 1, sizeof *w.funcs);
    w.edges = pk_xcalloc(p->nedges + 1, sizeof *w.edges);
    plan_counts(&w);
    name_keys(&w);
    group_by_callee(&w);
    w.key_slot = pk_xmalloc((p->nfuncs + 1) * sizeof *w.key_slot);
    memset(w.key_slot, 0xff, (p->nfuncs + 1) * sizeof *w.key_slot);
    mw m = {f};
    mw_byte(&m, '{');
    for (pk_id i = 0; i < p->nfuncs; i++)
        if (w.funcs[i].present) put_entry(&w, &m, i);
    if (w.sampled) { /* ('__sampled__',): True, last as Tachyon writes it */
        mw_byte(&m, ')');
        mw_byte(&m, 1);
        mw_str(&m, "__sampled__", 0);
        mw_byte(&m, 'T');
    }
    mw_byte(&m, '0');
    pw_free(&w);
    return 0;
}

/* ---- probe ---- */

enum { STAGE_NONE, STAGE_DICT, STAGE_KEY, STAGE_FILE, STAGE_NAME, STAGE_ENTRY };

static bool is_tuple(const mval *m, uint32_t n)
{
    return m->type == MV_SEQ && (m->code == '(' || m->code == ')') && m->n == n;
}

/* Walk the first entry as far as the head goes; the stage reached says how
 * sure we are. Any mismatch longjmps to the caller's trial. */
static void probe_walk(dec *d, volatile int *stage)
{
    mval m;
    obj_begin(d, &m, 0);
    if (m.type != MV_DICT) longjmp(*d->trial, 1);
    *stage = STAGE_DICT;
    obj_begin(d, &m, 1);
    if (m.type == MV_NULL) return;
    if (!is_tuple(&m, 3) || !m.fresh) longjmp(*d->trial, 1);
    *stage = STAGE_KEY;
    obj_begin(d, &m, 2);
    if (m.type != MV_STR) longjmp(*d->trial, 1);
    *stage = STAGE_FILE;
    obj_begin(d, &m, 2);
    if (m.type != MV_INT) longjmp(*d->trial, 1);
    if (d->pos < d->len && (d->base[d->pos] & (uint8_t)~FLAG_REF) == 'c')
        *stage = STAGE_NAME; /* ("profile", 0, <code>): a large first key */
    obj_begin(d, &m, 2);
    if (m.type != MV_STR && m.type != MV_CODE) longjmp(*d->trial, 1);
    *stage = STAGE_NAME;
    obj_begin(d, &m, 1);
    if (!is_tuple(&m, 5) || !m.fresh) longjmp(*d->trial, 1);
    for (int i = 0; i < 4; i++) {
        obj_begin(d, &m, 2);
        bool ok = i < 2 ? m.type == MV_INT : (m.type == MV_FLOAT || m.type == MV_INT);
        if (!ok) longjmp(*d->trial, 1);
    }
    obj_begin(d, &m, 2);
    if (m.type != MV_DICT) longjmp(*d->trial, 1);
    *stage = STAGE_ENTRY;
}

static int pstats_probe(const uint8_t *head, size_t len)
{
    if (len < 2 || (head[0] & (uint8_t)~FLAG_REF) != '{') return 0;
    dec d;
    dec_init(&d, head, len);
    jmp_buf jb;
    d.trial = &jb;
    volatile int stage = STAGE_NONE;
    int score;
    if (setjmp(jb) == 0) {
        probe_walk(&d, &stage);
        if (stage == STAGE_ENTRY)
            score = 95;
        else
            score = len == 2 ? 30 : 5; /* "{0": an empty stats dict */
    } else if (d.truncated) {
        static const int by_stage[] = {5, 5, 20, 50, 80, 95};
        score = by_stage[stage];
    } else {
        score = 0;
    }
    dec_free(&d);
    return score;
}

const pk_format pk_format_pstats = {
    .name = "pstats",
    .patterns = "*.pstats *.prof *.pstat *.cprofile",
    .description = "cProfile / profile / yappi statistics (marshal, Python 2.7 to 3.15; Tachyon's "
                   "sampled pstats)",
    .probe = pstats_probe,
    .read = pstats_read,
    .write = pstats_write,
};
