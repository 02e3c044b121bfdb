#include "limits.h"

#include <stdlib.h>

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
