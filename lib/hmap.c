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
    /* FNV-1a, then a final mix so the low bits are usable as a slot index. */
    const unsigned char *s = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return pk_hash_mix(h, len);
}

void pk_hmap_free(pk_hmap *m)
{
    free(m->hashes);
    free(m->ids);
    memset(m, 0, sizeof *m);
}

uint32_t pk_hmap_find(const pk_hmap *m, uint64_t hash, pk_hmap_eq eq, const void *ctx)
{
    if (!m->cap) return UINT32_MAX;
    size_t mask = m->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        uint32_t id = m->ids[i];
        if (id == UINT32_MAX) return UINT32_MAX;
        if (m->hashes[i] == hash && eq(ctx, id)) return id;
    }
}

static void place(uint64_t *hashes, uint32_t *ids, size_t cap, uint64_t hash, uint32_t id)
{
    size_t mask = cap - 1, i = hash & mask;
    while (ids[i] != UINT32_MAX)
        i = (i + 1) & mask;
    hashes[i] = hash;
    ids[i] = id;
}

static void rehash(pk_hmap *m, size_t ncap)
{
    pk_budget_charge((ncap - m->cap) * (sizeof *m->hashes + sizeof *m->ids));
    uint64_t *hashes = pk_xmalloc(ncap * sizeof *hashes);
    uint32_t *ids = pk_xmalloc(ncap * sizeof *ids);
    memset(ids, 0xff, ncap * sizeof *ids);
    for (size_t i = 0; i < m->cap; i++)
        if (m->ids[i] != UINT32_MAX) place(hashes, ids, ncap, m->hashes[i], m->ids[i]);
    free(m->hashes);
    free(m->ids);
    m->hashes = hashes;
    m->ids = ids;
    m->cap = ncap;
}

void pk_hmap_insert(pk_hmap *m, uint64_t hash, uint32_t id)
{
    if ((m->count + 1) * 4 > m->cap * 3) rehash(m, m->cap ? m->cap * 2 : 64);
    place(m->hashes, m->ids, m->cap, hash, id);
    m->count++;
}
