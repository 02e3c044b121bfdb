#include "limits.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"

static uint64_t max_memory; /* 0: the default, found on first use */

uint64_t pk_max_memory(void)
{
    if (!max_memory) {
        long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
        uint64_t half = pages > 0 && page_size > 0 ? (uint64_t)pages * (uint64_t)page_size / 2 : 0;
        max_memory = half && half < PK_DEFAULT_MAX_MEMORY ? half : PK_DEFAULT_MAX_MEMORY;
    }
    return max_memory;
}

void pk_set_max_memory(uint64_t bytes)
{
    max_memory = bytes;
}

uint64_t pk_parse_size(const char *s)
{
    static const char units[] = "KMGT";
    if (*s < '0' || *s > '9') return 0; /* strtoull would take "-1" */
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    int shift = 0;
    const char *unit = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
    if (unit) {
        shift = 10 * (int)(unit - units + 1);
        end++;
    }
    if (*end || errno || v > (UINT64_MAX >> shift)) return 0;
    return (uint64_t)v << shift;
}

/* One read at a time: the commands read their inputs one after another. */
static pk_input *budget_input;
static uint64_t budget_used;

void pk_budget_begin(pk_input *in)
{
    budget_input = in;
    budget_used = 0;
}

void pk_budget_end(void)
{
    budget_input = NULL;
    budget_used = 0;
}

static _Noreturn void exceeded(uint64_t want)
{
    pk_input *in = budget_input;
    budget_input = NULL; /* the reader's cleanup may still allocate */
    pk_fail(in, pk_input_offset(in),
            "memory limit of %llu MiB exceeded (the model needs %llu MiB more; --max-memory)",
            (unsigned long long)(pk_max_memory() >> 20),
            (unsigned long long)((want + (1 << 20) - 1) >> 20));
}

void pk_budget_charge(size_t bytes)
{
    if (!budget_input) return;
    if (bytes > pk_max_memory() - budget_used) exceeded(bytes);
    budget_used += bytes;
}

void pk_budget_check(size_t bytes)
{
    if (budget_input && bytes > pk_max_memory() - budget_used) exceeded(bytes);
}

/* Held at once: a handful per derivation, nested at most a few deep. */
#define MAX_HELD 32
static void *held[MAX_HELD];
static int nheld;

void *pk_scratch_hold(void *ptr)
{
    if (nheld == MAX_HELD) abort(); /* a caller that forgot to release */
    held[nheld++] = ptr;
    return ptr;
}

void pk_scratch_free(void *ptr)
{
    for (int i = nheld; i-- > 0;)
        if (held[i] == ptr) {
            held[i] = held[--nheld];
            break;
        }
    free(ptr);
}

void pk_scratch_free_all(void)
{
    while (nheld)
        free(held[--nheld]);
}

size_t pk_budget_left(void)
{
    return budget_input ? (size_t)(pk_max_memory() - budget_used) : SIZE_MAX;
}

void pk_check_stack_depth(size_t depth)
{
    if (!budget_input || depth <= PK_MAX_STACK_DEPTH) return;
    pk_input *in = budget_input;
    budget_input = NULL;
    pk_fail(in, pk_input_offset(in), "stack deeper than %d frames", PK_MAX_STACK_DEPTH);
}
