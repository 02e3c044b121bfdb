#include "limits.h"

#include <stdlib.h>

#include "input.h"

uint64_t pk_max_input_bytes = 8ULL << 30;

uint64_t pk_parse_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    switch (*end) {
    case 'k':
    case 'K':
        v <<= 10;
        end++;
        break;
    case 'm':
    case 'M':
        v <<= 20;
        end++;
        break;
    case 'g':
    case 'G':
        v <<= 30;
        end++;
        break;
    default:
        break;
    }
    return *end || end == s ? 0 : (uint64_t)v;
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
            (unsigned long long)(pk_max_input_bytes >> 20),
            (unsigned long long)((want + (1 << 20) - 1) >> 20));
}

void pk_budget_charge(size_t bytes)
{
    if (!budget_input) return;
    if (bytes > pk_max_input_bytes - budget_used) exceeded(bytes);
    budget_used += bytes;
}

void pk_budget_check(size_t bytes)
{
    if (budget_input && bytes > pk_max_input_bytes - budget_used) exceeded(bytes);
}

size_t pk_budget_left(void)
{
    return budget_input ? (size_t)(pk_max_input_bytes - budget_used) : SIZE_MAX;
}

void pk_check_stack_depth(size_t depth)
{
    if (!budget_input || depth <= PK_MAX_STACK_DEPTH) return;
    pk_input *in = budget_input;
    budget_input = NULL;
    pk_fail(in, pk_input_offset(in), "stack deeper than %d frames", PK_MAX_STACK_DEPTH);
}
