/* Patterns: the regular expressions every command takes (filters, --map,
 * ptop --callers, pdiff --fail-on), with the syntax Python's `re` has --
 * \d, \w, (?:...), (?i), lookahead, (?P<name>...) -- compiled by PCRE2 (with
 * its JIT) after a few spellings that differ are translated: \Z, \uXXXX,
 * \UXXXXXXXX, \v, {,n} and '[' inside a set. Characters are Unicode (UTF-8;
 * \w, \d, \b and (?i) as Python's str patterns), and invalid UTF-8 in a
 * subject never fails a match.
 *
 * One subject everywhere: a pattern matches a function when it is found
 * (unanchored, as re.search) in its name, in its file, or in pstats' own
 * "file:line(name)" text.
 */
#ifndef PK_PATTERN_H
#define PK_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "profile.h"

typedef struct pk_pattern pk_pattern;

/* NULL with err "bad pattern 'TEXT': what (at offset N)" when it does not compile. */
pk_pattern *pk_pattern_new(const char *text, pk_error *err);
void pk_pattern_free(pk_pattern *p);
const char *pk_pattern_text(const pk_pattern *p);

/* Is p found anywhere in s[0..len)? */
bool pk_pattern_search(pk_pattern *p, const char *s, size_t len);

/* Is p found in f's name, file or "file:line(name)"? */
bool pk_pattern_match_function(pk_pattern *p, const pk_function *f);

/* s with every match of p replaced by repl, as Python's re.sub: \1..\99 and
 * \g<N> or \g<name> are groups (\0 the whole match), \\ a backslash, \n and
 * \t a newline and a tab. A new string (free it), or NULL with err. */
char *pk_pattern_sub(pk_pattern *p, const char *repl, const char *s, pk_error *err);

/* pstats' func_std_string of f into buf (truncated to size, always
 * terminated): "file:line(name)"; a builtin ("~", line 0) by its name, its
 * <> turned into {}; with bare, a function without a file by its name.
 * Returns the length of the whole text, as snprintf. */
size_t pk_function_std_name(const pk_function *f, bool bare, char *buf, size_t size);

#endif
