/* Shared by the stack readers (austin text, MOJO, speedscope): a hash map
 * from byte keys to ids, and per-thread stack caches that add a sample to the
 * call tree starting from the prefix it shares with the thread's previous
 * sample (consecutive samples of a thread mostly differ near the leaf).
 * Everything is allocated in the profile's arena, so a failing read leaks
 * nothing.
 */
#ifndef PK_STACKS_H
#define PK_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/profile.h"

#define SK_NONE UINT32_MAX

typedef struct {
    uint64_t hash;
    const uint8_t *key;
    uint32_t len;
    uint32_t val; /* SK_NONE: empty slot */
} sk_slot;

typedef struct {
    pk_profile *p;
    sk_slot *slots;
    size_t cap, count;
} sk_map;

void sk_map_init(sk_map *m, pk_profile *p);
/* The value stored for key, or SK_NONE. */
uint32_t sk_map_find(const sk_map *m, const void *key, size_t len, uint64_t hash);
/* Store key (copied into the arena) with val; the key must be absent. */
void sk_map_put(sk_map *m, const void *key, size_t len, uint64_t hash, uint32_t val);

/* Grow an arena array to hold at least need elements. For readers: a size
 * that cannot be represented fails the read (pk_budget_check). */
void sk_grow(pk_profile *p, void **arr, size_t *cap, size_t need, size_t elem);
#define SK_GROW(p, arr, cap, need) sk_grow((p), (void **)&(arr), &(cap), (need), sizeof(*(arr)))

/* A stack root first, with the tree nodes of its first `built` frames. */
typedef struct {
    pk_id *funcs;
    int32_t *lines;
    pk_id *nodes;
    size_t depth, cap, built;
} sk_stack;

void sk_stack_push(pk_profile *p, sk_stack *s, pk_id func, int32_t line);

/* Add cur to the tree with values (p->nmetrics of them), reusing the nodes
 * of the prefix it shares with *prev; then cur becomes the new *prev and
 * cur is emptied. Returns the leaf node. */
pk_id sk_stack_commit(pk_profile *p, sk_stack *prev, sk_stack *cur, const int64_t *values);

/* A frame's text as a producer wrote it, split into its parts (pointers
 * into the text; file empty when none, line 0 when none). */
typedef struct {
    const char *name, *file;
    size_t nlen, flen;
    int32_t line;
} sk_frame;

/* py-spy's `name (file:line)` or `name (file)`: false when s is not so. */
bool sk_frame_pyspy(const char *s, size_t n, sk_frame *out);
/* austin's and Python 3.15's sampler's `file:name:line`, or `file:name`,
 * split from the right (qualified names have no colon, files may): false
 * when s has no colon. */
bool sk_frame_colon(const char *s, size_t n, sk_frame *out);
/* Whether a file part looks like a source file: `x.py`, a path, `<frozen x>`. */
bool sk_looks_like_file(const char *s, size_t n);

/* Parse a decimal number in [s, e); false when not all digits or overflow. */
bool sk_parse_u64(const char *s, const char *e, uint64_t *out);
bool sk_parse_i64(const char *s, const char *e, int64_t *out);

#endif
