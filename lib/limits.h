/* Resource limits that turn hostile inputs into clear errors. */
#ifndef PK_LIMITS_H
#define PK_LIMITS_H

#include <stdint.h>

/* The most bytes an input may decode to when read whole (--max-memory). */
extern uint64_t pk_max_input_bytes;

/* Parse "512M", "4G", "100000" into bytes; 0 when malformed. */
uint64_t pk_parse_size(const char *s);

#endif
