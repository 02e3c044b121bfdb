/* A safe interpreter of Python pickles (protocols 0-5) into plain values.
 *
 * It never runs or constructs anything: a GLOBAL or STACK_GLOBAL becomes a
 * value naming the global, allowed only when the caller's allow-list names it
 * ("module.name", fnmatch patterns such as "*.LineStats"); anything else is
 * "unsupported pickle content". NEWOBJ and REDUCE of an allowed global give an
 * object value holding its class and arguments, BUILD attaches the state.
 * copyreg._reconstructor(cls, base, state) (protocol 0 and 1 objects) gives an
 * object of cls. Every length is checked against the bytes left, memo indices
 * and nesting are bounded, and memory stays proportional to the input.
 */
#ifndef PK_PICKLE_H
#define PK_PICKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum {
    PK_PV_NONE,
    PK_PV_BOOL,
    PK_PV_INT,    /* fits int64 */
    PK_PV_BIGINT, /* does not: little-endian two's complement bytes in str */
    PK_PV_FLOAT,
    PK_PV_STR,   /* UTF-8 (Python 2 byte strings too), NUL-terminated copy */
    PK_PV_BYTES, /* NUL-terminated copy as well */
    PK_PV_TUPLE,
    PK_PV_LIST,
    PK_PV_DICT,
    PK_PV_GLOBAL, /* a class or function named by module and name */
    PK_PV_OBJECT, /* an instance of an allowed global */
    PK_PV_MARK    /* internal: never in a loaded value */
} pk_pv_type;

typedef struct pk_pvalue pk_pvalue;

struct pk_pvalue {
    pk_pv_type type;
    uint32_t depth; /* nesting depth of containers below it */
    size_t offset;  /* offset of the opcode that made it */
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            const char *data;
            size_t len;
        } str; /* STR, BYTES, BIGINT */
        struct {
            pk_pvalue **items;
            size_t n, cap;
        } seq; /* TUPLE, LIST */
        struct {
            pk_pvalue **keys, **vals;
            size_t n, cap;
        } dict;
        struct {
            const char *module, *name;
        } global;
        struct {
            const pk_pvalue *cls; /* a GLOBAL */
            pk_pvalue *args;      /* a TUPLE or NULL */
            pk_pvalue *state;     /* what BUILD gave, or NULL */
        } obj;
    } u;
};

typedef struct pk_pickle pk_pickle;

typedef struct {
    size_t offset;
    char msg[160];
} pk_pickle_error;

/* Limits (the interpreter fails with a message beyond them). */
#define PK_PICKLE_MAX_DEPTH 200       /* nested containers and MARKs */
#define PK_PICKLE_MAX_MEMO (1u << 24) /* memo indices */
#define PK_PICKLE_EXPANSION 64        /* values take at most 64 bytes per input byte (+1 MiB) */

/* Load the pickle in data[0..len). allowed: NULL-terminated fnmatch patterns
 * over "module.name". Returns the top value, owned by *owner (free with
 * pk_pickle_free), or NULL with err filled and nothing left allocated. */
const pk_pvalue *pk_pickle_load(const uint8_t *data, size_t len, const char *const *allowed,
                                pk_pickle **owner, pk_pickle_error *err);
void pk_pickle_free(pk_pickle *pk);

/* Highest PROTO seen (0 when none). */
int pk_pickle_protocol(const pk_pickle *pk);

/* The value of a dict's string key, NULL when absent or not a dict. */
const pk_pvalue *pk_pvalue_dict_get(const pk_pvalue *dict, const char *key);
/* Keeps the first content error met while walking decoded values (WHAT at
 * AT's offset, or 0 without AT); returns false, for `return pk_pickle_bad(...)` (inline, so
 * compilers see that). */
static inline bool pk_pickle_bad(pk_pickle_error *err, const pk_pvalue *at, const char *what)
{
    if (!err->msg[0]) {
        err->offset = at ? at->offset : 0;
        snprintf(err->msg, sizeof err->msg, "%s", what);
    }
    return false;
}
/* The name of a value's type, for messages. */
const char *pk_pv_type_name(pk_pv_type type);

#endif
