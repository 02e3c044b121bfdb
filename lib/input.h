/* Reading an input file: a path or "-" for stdin, gzip and LZ4 frames
 * decompressed transparently so a reader never knows. Readers either take the
 * whole (decompressed) contents with pk_input_all, or stream with
 * pk_input_read. Errors abort the read through pk_fail, which unwinds to
 * pk_read_profile (formats/format.h) and leaves one message behind.
 */
#ifndef PK_INPUT_H
#define PK_INPUT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define PK_HEAD_MAX 4096

typedef struct pk_input pk_input;

/* NULL on failure, with err set ("FILE: what"). */
pk_input *pk_input_open(const char *path, pk_error *err);
/* Read from memory the caller keeps alive until pk_input_close. */
pk_input *pk_input_open_memory(const void *data, size_t len, const char *name, pk_error *err);
void pk_input_close(pk_input *in);

const char *pk_input_name(const pk_input *in);
/* Name of the compression layer under the data ("gzip", "lz4") or NULL. */
const char *pk_input_compression(const pk_input *in);

/* The first bytes (decompressed), up to PK_HEAD_MAX, without consuming. */
size_t pk_input_head(pk_input *in, const uint8_t **data);

/* Streaming read of up to n bytes; returns 0 at end of data. */
size_t pk_input_read(pk_input *in, void *buf, size_t n);
/* Read exactly n bytes or fail with "truncated". */
void pk_input_read_exact(pk_input *in, void *buf, size_t n, const char *what);
/* Bytes consumed so far (decompressed offset). */
uint64_t pk_input_offset(const pk_input *in);

/* The whole remaining contents; valid until pk_input_close. */
const uint8_t *pk_input_all(pk_input *in, size_t *len);

/* Abort the current read: "FILE: offset N: message". Never returns. */
_Noreturn void pk_fail(pk_input *in, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* What pk_fail runs before unwinding, so a reader's temporaries are freed;
 * NULL clears it. One at a time: set it once the temporaries exist. */
void pk_input_on_fail(pk_input *in, void (*cleanup)(void *), void *ctx);

/* A warning on stderr: "FILE: message". Reading goes on. */
void pk_warn(pk_input *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Used by pk_read_profile: where pk_fail unwinds to and what it leaves. */
jmp_buf *pk_input_catch(pk_input *in);
pk_error *pk_input_error(pk_input *in);

#endif
