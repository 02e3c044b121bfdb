/* Names from a profile are untrusted data: every writer escapes through here. */
#ifndef PK_ESCAPE_H
#define PK_ESCAPE_H

#include <stdio.h>

/* Text for XML/SVG/HTML content and attribute values; invalid UTF-8 and
 * control characters become U+FFFD. */
void pk_put_xml(FILE *f, const char *s);
/* A name on one line: newlines and control characters become spaces (for
 * line-based formats: callgrind, collapsed, text tables). */
void pk_put_line_safe(FILE *f, const char *s);

/* Length of the valid UTF-8 sequence starting at s (1..4), or 0 when the
 * bytes there are not one (overlong forms and surrogates included). */
size_t pk_utf8_len(const char *s);

/* s itself when it is valid UTF-8, else a copy in *scratch (caller frees) with
 * each invalid byte replaced by U+FFFD. */
const char *pk_utf8_valid(const char *s, char **scratch);

#endif
