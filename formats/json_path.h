/* Where a value is in a JSON document that jansson parsed. jansson keeps no
 * positions for values, so a reader names the path it is at
 * ("profiles[0].samples[3]") and the offset is found afterwards by walking
 * the text, already known to be valid JSON, along that path. */
#ifndef PK_JSON_PATH_H
#define PK_JSON_PATH_H

#include <jansson.h>
#include <stddef.h>

#include "../lib/input.h"

/* One step of a path: an object key, or an array index when key is NULL. */
typedef struct {
    const char *key;
    size_t index;
} pk_json_step;

/* The offset of the value the path leads to; where a step is missing, the
 * offset of the container it was looked for in. */
size_t pk_json_path_offset(const char *text, size_t len, const pk_json_step *path, int depth);

/* The path as text: `profiles[0].samples[3]`. */
void pk_json_path_text(char *buf, size_t size, const pk_json_step *path, int depth);

#define PK_JSON_MAX_DEPTH 6

/* Where a reader is in the document it parsed, for its errors. */
typedef struct {
    const char *text; /* the document */
    size_t len;
    pk_json_step path[PK_JSON_MAX_DEPTH];
    int depth;
} pk_json_where;

/* The reader is at KEY (an array's INDEX when KEY is NULL) of the value at
 * LEVEL - 1; deeper steps are forgotten. */
void pk_json_at(pk_json_where *w, int level, const char *key, size_t index);

/* Fails the read with `path: what` (printf's format), at the offset the path
 * points to. */
_Noreturn __attribute__((format(printf, 3, 4))) void
pk_json_fail(pk_input *in, const pk_json_where *w, const char *fmt, ...);

/* The whole input parsed with jansson's FLAGS; a syntax error fails the read
 * at its offset. Until pk_json_done, a read that fails frees the document.
 * WHERE, when given, is set to the text for the reader's errors. */
json_t *pk_json_load(pk_input *in, size_t flags, pk_json_where *where);
/* The end of a read pk_json_load began: the document freed. */
void pk_json_done(pk_input *in, json_t *root);

#endif
