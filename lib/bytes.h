/* Decoding fixed-width fields of binary formats. */
#ifndef PK_BYTES_H
#define PK_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* The n-byte (n <= 8) unsigned little-endian integer at p. */
static inline uint64_t pk_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

#endif
