#include "hmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"

static _Noreturn void out_of_memory(size_t n)
{
    fprintf(stderr, "out of memory (allocating %zu bytes)\n", n);
    exit(2);
}

void *pk_xmalloc(size_t n)
{
    pk_budget_check(n);
    void *p = malloc(n ? n : 1);
    if (!p) out_of_memory(n);
    return p;
}

void *pk_xcalloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) out_of_memory(SIZE_MAX);
    pk_budget_check(n * size);
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) out_of_memory(n * size);
    return p;
}

void *pk_xrealloc(void *p, size_t n)
{
    pk_budget_check(n);
    void *q = realloc(p, n ? n : 1);
    if (!q) out_of_memory(n);
    return q;
}

void pk_grow(void **data, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need && ncap <= SIZE_MAX / 2 / elem)
        ncap *= 2;
    if (ncap < need) ncap = need;
    if (ncap > SIZE_MAX / elem) out_of_memory(SIZE_MAX);
    /* Charged before growing, so a refused growth leaves the array intact. */
    pk_budget_charge((ncap - *cap) * elem);
    *data = pk_xrealloc(*data, ncap * elem);
    *cap = ncap;
}

uint64_t pk_hash_bytes(const void *data, size_t len)
{
    /* Eight bytes per multiply (names are mostly paths of tens of bytes),
     * then a final mix so the low bits are usable as a slot index. */
    const unsigned char *s = data;
    uint64_t h = 0xcbf29ce484222325ULL ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x9fb21c651e98df25ULL;
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    for (size_t k = 0; i + k < len; k++)
        tail |= (uint64_t)s[i + k] << (8 * k);
    h = (h ^ tail) * 0x9fb21c651e98df25ULL;
    return pk_hash_mix(h, len);
}

void pk_hmap_free(pk_hmap *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}

uint32_t pk_hmap_find(const pk_hmap *m, uint64_t hash, pk_hmap_eq eq, const void *ctx)
{
    if (!m->cap) return UINT32_MAX;
    size_t mask = m->cap - 1;
    uint32_t tag = (uint32_t)hash;
    for (size_t i = tag & mask;; i = (i + 1) & mask) {
        pk_hmap_slot s = m->slots[i];
        if (s.id == UINT32_MAX) return UINT32_MAX;
        if (s.tag == tag && eq(ctx, s.id)) return s.id;
    }
}

static void place(pk_hmap_slot *slots, size_t cap, uint32_t tag, uint32_t id)
{
    size_t mask = cap - 1, i = tag & mask;
    while (slots[i].id != UINT32_MAX)
        i = (i + 1) & mask;
    slots[i] = (pk_hmap_slot){tag, id};
}

static void rehash(pk_hmap *m, size_t ncap)
{
    pk_budget_charge((ncap - m->cap) * sizeof *m->slots);
    pk_hmap_slot *slots = pk_xmalloc(ncap * sizeof *slots);
    memset(slots, 0xff, ncap * sizeof *slots);
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].id != UINT32_MAX) place(slots, ncap, m->slots[i].tag, m->slots[i].id);
    free(m->slots);
    m->slots = slots;
    m->cap = ncap;
}

/* Kept at most 3/4 full; the capacity stays a power of two. */
static void make_room(pk_hmap *m, size_t n)
{
    if (n * 4 <= m->cap * 3) return;
    size_t ncap = m->cap ? m->cap : 64;
    while (n * 4 > ncap * 3)
        ncap *= 2;
    rehash(m, ncap);
}

void pk_hmap_reserve(pk_hmap *m, size_t n)
{
    make_room(m, n);
}

void pk_hmap_insert(pk_hmap *m, uint64_t hash, uint32_t id)
{
    make_room(m, m->count + 1);
    place(m->slots, m->cap, (uint32_t)hash, id);
    m->count++;
}

uint32_t pk_hmap_get(pk_hmap *m, uint64_t hash, pk_hmap_eq eq, const void *ctx, uint32_t new_id)
{
    make_room(m, m->count + 1);
    size_t mask = m->cap - 1;
    uint32_t tag = (uint32_t)hash;
    size_t i = tag & mask;
    for (;; i = (i + 1) & mask) {
        pk_hmap_slot s = m->slots[i];
        if (s.id == UINT32_MAX) break;
        if (s.tag == tag && eq(ctx, s.id)) return s.id;
    }
    m->slots[i] = (pk_hmap_slot){tag, new_id};
    m->count++;
    return new_id;
}
