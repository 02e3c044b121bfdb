/* Writing an output file without ever leaving half of it behind: data goes to
 * a temporary file beside the target, renamed over it on commit. "-" writes
 * to stdout; a closed pipe there ends the write quietly. A target that is a
 * device or a named pipe (/dev/null, a FIFO) is written in place.
 */
#ifndef PK_OUTPUT_H
#define PK_OUTPUT_H

#include <stdio.h>

#include "error.h"

typedef struct pk_output pk_output;

pk_output *pk_output_open(const char *path, pk_error *err);
FILE *pk_output_file(pk_output *out);
const char *pk_output_name(const pk_output *out);
/* Flush, check for write errors, rename into place. 0 on success. */
int pk_output_commit(pk_output *out, pk_error *err);
/* Throw the output away (the target is left as it was). */
void pk_output_abort(pk_output *out);

#endif
