/* Source files of a profile, read back from disk for line listings.
 *
 * The path recorded in a profile may not exist where the profile is read:
 * pk_source_open tries the path itself, then, under root, the path with its
 * leading directories stripped one at a time (/srv/app/pkg/m.py under ROOT:
 * ROOT/srv/app/pkg/m.py, ROOT/app/pkg/m.py, ROOT/pkg/m.py, ROOT/m.py).
 */
#ifndef PK_SOURCE_H
#define PK_SOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *path; /* where it was found */
    char *text;
    const char **lines; /* lines[i] is line i+1, without its end of line */
    size_t *lens;
    size_t nlines;
} pk_source;

/* NULL when no readable regular file was found (or it is over 256 MiB). */
pk_source *pk_source_open(const char *path, const char *root);
void pk_source_free(pk_source *s);

/* The number of lines of the Python block (decorators, def or class, body)
 * starting at first_line, as inspect.getblock finds it: trailing blank lines
 * and comments less indented than the body are not part of it. 0 when
 * first_line is outside the file. */
size_t pk_source_python_block(const pk_source *s, int32_t first_line);

/* Whether the line looks like the start of a Python function or class
 * (decorator, def, async def, class, lambda). */
int pk_source_is_header(const pk_source *s, int32_t line);

#endif
