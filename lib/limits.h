/* Resource limits that turn hostile inputs into clear errors. */
#ifndef PK_LIMITS_H
#define PK_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct pk_input;

/* The most bytes an input may decode to when read whole, and the most memory
 * a read may take for its model (--max-memory). Unless set, half the
 * machine's memory and at most PK_DEFAULT_MAX_MEMORY: a huge or hostile
 * input fails with a message before the machine swaps. */
#define PK_DEFAULT_MAX_MEMORY (8ULL << 30)
uint64_t pk_max_memory(void);
void pk_set_max_memory(uint64_t bytes);

/* Compressed inputs: past PK_BOMB_FLOOR decoded bytes, data that expands more
 * than PK_BOMB_RATIO times is refused as a decompression bomb. Deflate tops
 * out near 1032:1 and LZ4 near 255:1; real profiles stay far below. */
#define PK_BOMB_RATIO 200
#define PK_BOMB_FLOOR (8ULL << 20)

/* The deepest stack a reader accepts: Python's own recursion limit is 1000,
 * so deeper stacks are damage or hostility, and writers walk trees this deep. */
#define PK_MAX_STACK_DEPTH 100000

/* Parse "512M", "4G", "100000" into bytes (K, M, G, T: powers of 1024); 0
 * when malformed or too large. */
uint64_t pk_parse_size(const char *s);

/* The memory budget of one read. Between pk_budget_begin and pk_budget_end,
 * growing arrays and arenas is charged to it (pk_budget_charge), and a single
 * allocation larger than what is left is refused (pk_budget_check); either
 * fails the read through pk_fail with "memory limit ... exceeded". Outside a
 * read nothing is charged. */
void pk_budget_begin(struct pk_input *in);
void pk_budget_end(void);
void pk_budget_charge(size_t bytes);
void pk_budget_check(size_t bytes);
/* What is left of the budget (SIZE_MAX outside a read), for code that fails
 * in its own way rather than through pk_fail (the pickle interpreter). */
size_t pk_budget_left(void);
/* Scratch memory a library function holds while it calls what may fail the
 * read (anything charged to the budget): pk_fail frees what is held, so a
 * failed read loses nothing. pk_scratch_free releases and frees one. */
void *pk_scratch_hold(void *ptr);
void pk_scratch_free(void *ptr);
void pk_scratch_free_all(void);

/* During a read, fail it when a stack is deeper than PK_MAX_STACK_DEPTH. */
void pk_check_stack_depth(size_t depth);

#endif
