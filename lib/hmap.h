/* Open-addressing hash index from a 64-bit hash to ids stored elsewhere. The
 * caller keeps the keys (in its own arrays) and says whether an id matches.
 * A slot packs the hash's low 32 bits with the id, so a probe reads one
 * cache line and calls `eq` only when those bits agree. */
#ifndef PK_HMAP_H
#define PK_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    uint32_t tag; /* the hash's low 32 bits, which also pick the home slot */
    uint32_t id;  /* UINT32_MAX marks an empty slot */
} pk_hmap_slot;

typedef struct {
    pk_hmap_slot *slots;
    size_t cap, count;
} pk_hmap;

typedef bool (*pk_hmap_eq)(const void *ctx, uint32_t id);

void pk_hmap_free(pk_hmap *m);
/* The id whose key matches, or UINT32_MAX. */
uint32_t pk_hmap_find(const pk_hmap *m, uint64_t hash, pk_hmap_eq eq, const void *ctx);
/* Add an id known to be absent. */
void pk_hmap_insert(pk_hmap *m, uint64_t hash, uint32_t id);
/* The id whose key matches, or else new_id, added: one probe for both. */
uint32_t pk_hmap_get(pk_hmap *m, uint64_t hash, pk_hmap_eq eq, const void *ctx, uint32_t new_id);
/* Room for n ids without growing (a size known in advance saves rehashes). */
void pk_hmap_reserve(pk_hmap *m, size_t n);

uint64_t pk_hash_bytes(const void *data, size_t len);
static inline uint64_t pk_hash_mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 32);
}

/* Grow a vector of elements to hold at least need; aborts on out of memory. */
void pk_grow(void **data, size_t *cap, size_t need, size_t elem);
#define PK_GROW(arr, cap, need) pk_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* qsort for vectors that may be empty and so NULL, which qsort may not take. */
static inline void pk_sort(void *data, size_t n, size_t elem,
                           int (*cmp)(const void *, const void *))
{
    if (n > 1) qsort(data, n, elem, cmp);
}

/* malloc/calloc/realloc that end the process with a message on exhaustion. */
void *pk_xmalloc(size_t n);
void *pk_xcalloc(size_t n, size_t size);
void *pk_xrealloc(void *p, size_t n);

#endif
