#include "stacks.h"

#include <stdint.h>
#include <string.h>

#include "../lib/limits.h"

void sk_map_init(sk_map *m, pk_profile *p)
{
    memset(m, 0, sizeof(*m));
    m->p = p;
}

static sk_slot *alloc_slots(pk_profile *p, size_t cap)
{
    sk_slot *slots = pk_alloc(p, cap * sizeof(*slots));
    for (size_t i = 0; i < cap; i++)
        slots[i].val = SK_NONE;
    return slots;
}

static void place(sk_slot *slots, size_t cap, const sk_slot *s)
{
    size_t i = s->hash & (cap - 1);
    while (slots[i].val != SK_NONE)
        i = (i + 1) & (cap - 1);
    slots[i] = *s;
}

uint32_t sk_map_find(const sk_map *m, const void *key, size_t len, uint64_t hash)
{
    if (m->cap == 0) return SK_NONE;
    for (size_t i = hash & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        const sk_slot *s = &m->slots[i];
        if (s->val == SK_NONE) return SK_NONE;
        if (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0) return s->val;
    }
}

void sk_map_put(sk_map *m, const void *key, size_t len, uint64_t hash, uint32_t val)
{
    if ((m->count + 1) * 4 > m->cap * 3) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        sk_slot *slots = alloc_slots(m->p, cap);
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].val != SK_NONE) place(slots, cap, &m->slots[i]);
        m->slots = slots;
        m->cap = cap;
    }
    uint8_t *copy = pk_alloc(m->p, len + 1);
    memcpy(copy, key, len);
    sk_slot s = {hash, copy, (uint32_t)len, val};
    place(m->slots, m->cap, &s);
    m->count++;
}

void sk_grow(pk_profile *p, void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return;
    size_t n = *cap ? *cap : 16;
    while (n < need && n <= SIZE_MAX / 2 / elem)
        n *= 2;
    /* As pk_grow: a size that cannot be represented is refused, not wrapped. */
    if (n < need || n > SIZE_MAX / elem) pk_budget_check(SIZE_MAX);
    void *fresh = pk_alloc(p, n * elem);
    if (*cap) memcpy(fresh, *arr, *cap * elem);
    *arr = fresh;
    *cap = n;
}

void sk_stack_push(pk_profile *p, sk_stack *s, pk_id func, int32_t line)
{
    if (s->depth == s->cap) {
        pk_check_stack_depth(s->depth + 1);
        size_t cap = s->cap;
        SK_GROW(p, s->funcs, cap, s->depth + 1);
        cap = s->cap;
        SK_GROW(p, s->lines, cap, s->depth + 1);
        SK_GROW(p, s->nodes, s->cap, s->depth + 1);
    }
    s->funcs[s->depth] = func;
    s->lines[s->depth] = line;
    s->depth++;
}

pk_id sk_stack_commit(pk_profile *p, sk_stack *prev, sk_stack *cur, const int64_t *values)
{
    size_t k = 0;
    size_t limit = prev->built < cur->depth ? prev->built : cur->depth;
    while (k < limit && prev->funcs[k] == cur->funcs[k] && prev->lines[k] == cur->lines[k]) {
        cur->nodes[k] = prev->nodes[k];
        k++;
    }
    for (; k < cur->depth; k++)
        cur->nodes[k] = pk_tree_child(p, k ? cur->nodes[k - 1] : 0, cur->funcs[k], cur->lines[k]);
    pk_id leaf;
    if (cur->depth) {
        leaf = cur->nodes[cur->depth - 1];
        for (int m = 0; m < p->nmetrics; m++)
            p->nodes[leaf].self[m] += values[m];
    } else {
        leaf = pk_tree_add_stack(p, NULL, NULL, 0, values);
    }
    p->has_tree = true;
    cur->built = cur->depth;
    sk_stack tmp = *prev;
    *prev = *cur;
    *cur = tmp;
    cur->depth = 0;
    cur->built = 0;
    return leaf;
}

bool sk_parse_u64(const char *s, const char *e, uint64_t *out)
{
    if (s >= e) return false;
    uint64_t v = 0;
    for (; s < e; s++) {
        if (*s < '0' || *s > '9') return false;
        if (v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

bool sk_parse_i64(const char *s, const char *e, int64_t *out)
{
    bool neg = s < e && *s == '-';
    uint64_t v;
    if (!sk_parse_u64(s + neg, e, &v) || v > (uint64_t)INT64_MAX) return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0 || n > 9) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static int32_t digits_value(const char *s, size_t n)
{
    int32_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static const char *find_last(const char *s, size_t n, char c)
{
    while (n > 0)
        if (s[--n] == c) return s + n;
    return NULL;
}

bool sk_looks_like_file(const char *s, size_t n)
{
    if (n == 0) return false;
    if (s[0] == '<' && s[n - 1] == '>') return true;
    if (memchr(s, '/', n) || memchr(s, '\\', n)) return true;
    /* a Python source (.py, .pyx, .pyi), a shared library or a C file */
    for (size_t i = 0; i + 2 <= n; i++)
        if (s[i] == '.' &&
            ((i + 3 <= n && s[i + 1] == 'p' && s[i + 2] == 'y') ||
             (i + 3 <= n && s[i + 1] == 's' && s[i + 2] == 'o') ||
             (s[i + 1] == 'c' && (i + 2 == n || s[i + 2] == 'c' || s[i + 2] == 'p'))))
            return true;
    return false;
}

bool sk_frame_pyspy(const char *s, size_t n, sk_frame *out)
{
    /* `name (inner)`: the last " (" whose ")" ends the frame */
    if (n < 4 || s[n - 1] != ')') return false;
    const char *open = NULL;
    for (size_t i = n - 1; i-- > 0;)
        if (s[i] == '(') {
            open = s + i;
            break;
        }
    if (!open || open == s || open[-1] != ' ' || open - 1 == s) return false;
    const char *inner = open + 1;
    size_t ilen = (size_t)(s + n - 1 - inner);
    const char *colon = find_last(inner, ilen, ':');
    out->name = s;
    out->nlen = (size_t)(open - 1 - s);
    out->line = 0;
    if (colon && all_digits(colon + 1, (size_t)(inner + ilen - colon - 1))) {
        out->line = digits_value(colon + 1, (size_t)(inner + ilen - colon - 1));
        ilen = (size_t)(colon - inner);
    } else if (!sk_looks_like_file(inner, ilen)) {
        return false; /* `f (x)` without a line is a file only when it looks like one */
    }
    out->file = inner;
    out->flen = ilen;
    return true;
}

bool sk_frame_colon(const char *s, size_t n, sk_frame *out)
{
    const char *last = find_last(s, n, ':');
    if (!last) return false;
    size_t tail = (size_t)(s + n - last - 1);
    out->line = 0;
    if (all_digits(last + 1, tail) || tail == 0) {
        const char *mid = find_last(s, (size_t)(last - s), ':');
        if (mid) {
            out->line = tail ? digits_value(last + 1, tail) : 0;
            out->file = s;
            out->flen = (size_t)(mid - s);
            out->name = mid + 1;
            out->nlen = (size_t)(last - mid - 1);
            return true;
        }
    }
    out->file = s;
    out->flen = (size_t)(last - s);
    out->name = last + 1;
    out->nlen = tail;
    return true;
}
