/* Fixed-width fields of binary formats, and varints. */
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

/* LEB128: v in groups of 7 bits, the lowest first; writes at most 10 bytes
 * at out and returns how many. */
static inline size_t pk_put_varint(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

/* Zigzag: small numbers of either sign become small unsigned ones. */
static inline uint64_t pk_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

#endif
