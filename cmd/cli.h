/* What every command shares: error reporting, reading inputs, writing outputs. */
#ifndef PK_CLI_H
#define PK_CLI_H

#include "../formats/format.h"

/* Exit statuses: 0 ok, 1 a check failed (pdiff --fail-above), 2 any error. */
enum { PK_EXIT_OK = 0, PK_EXIT_CHECK = 1, PK_EXIT_ERROR = 2 };

/* Set once by main: the command's name used as the prefix of messages. */
extern const char *pk_cli_name;

/* "CMD: message" on stderr; returns PK_EXIT_ERROR. */
int pk_cli_error(const pk_error *err);
int pk_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* After getopt_long returned '?' or ':' (with opterr = 0): name the option. */
int pk_cli_bad_option(char **argv);

/* The whole of pconv and pfilter (cmd/convert.c): options, reading, filters,
 * writing. usage is the command's own first lines of --help. */
int pk_cli_convert(int argc, char **argv, const char *usage);

/* The index of the metric named by --metric NAME (NULL: the first one), or
 * -1 with err naming the metrics the profile has. */
int pk_cli_metric(const pk_profile *p, const char *name, pk_error *err);

/* ---- the filter options every command takes (lib/filter.h), and
 * --max-memory (lib/limits.h) ---- */

#include <getopt.h>

#include "../lib/filter.h"

enum {
    PK_OPT_FILTER_FIRST = 0x1000,
    PK_OPT_FOCUS = PK_OPT_FILTER_FIRST,
    PK_OPT_IGNORE,
    PK_OPT_HIDE,
    PK_OPT_SHOW,
    PK_OPT_SHOW_FROM,
    PK_OPT_PRUNE_FROM,
    PK_OPT_ROOT,
    PK_OPT_LEAF,
    PK_OPT_DEPTH,
    PK_OPT_PATH,
    PK_OPT_THRESHOLD,
    PK_OPT_STRIP_DIRS,
    PK_OPT_GRANULARITY,
    PK_OPT_COLLAPSE_RECURSION,
    PK_OPT_MERGE,
    PK_OPT_MAX_MEMORY,
    PK_OPT_FILTER_LAST
};

/* Entries for a command's getopt_long table. */
#define PK_CLI_FILTER_LONG_OPTIONS                                                                 \
    {"focus", required_argument, 0, PK_OPT_FOCUS},                                                 \
        {"ignore", required_argument, 0, PK_OPT_IGNORE},                                           \
        {"hide", required_argument, 0, PK_OPT_HIDE}, {"show", required_argument, 0, PK_OPT_SHOW},  \
        {"show-from", required_argument, 0, PK_OPT_SHOW_FROM},                                     \
        {"prune-from", required_argument, 0, PK_OPT_PRUNE_FROM},                                   \
        {"root", required_argument, 0, PK_OPT_ROOT}, {"leaf", required_argument, 0, PK_OPT_LEAF},  \
        {"depth", required_argument, 0, PK_OPT_DEPTH},                                             \
        {"path", required_argument, 0, PK_OPT_PATH},                                               \
        {"threshold", required_argument, 0, PK_OPT_THRESHOLD},                                     \
        {"strip-dirs", no_argument, 0, PK_OPT_STRIP_DIRS},                                         \
        {"granularity", required_argument, 0, PK_OPT_GRANULARITY},                                 \
        {"collapse-recursion", no_argument, 0, PK_OPT_COLLAPSE_RECURSION},                         \
        {"merge", no_argument, 0, PK_OPT_MERGE},                                                   \
    {                                                                                              \
        "max-memory", required_argument, 0, PK_OPT_MAX_MEMORY                                      \
    }

/* The usage text of those options, for a command's --help. */
extern const char pk_cli_filter_usage[];

/* Set by --merge: several inputs are summed into one profile. */
extern bool pk_cli_merge;

/* Handle a filter option: 1 if opt was one (applied to f), 0 if it is not a
 * filter option, -1 on a bad argument (message printed: exit 2). */
int pk_cli_filter_option(int opt, const char *arg, pk_filter *f);

/* --max-memory SIZE, for commands without the filter options (plines): 0,
 * or PK_EXIT_ERROR on a bad size (message printed). */
int pk_cli_max_memory(const char *arg);

/* Read the n inputs: one, or with --merge (or always_merge) all summed into
 * the first, each labelled in meta "input.N". NULL with err on failure. */
pk_profile *pk_cli_read_inputs(char *const *paths, int n, const char *from,
                               const pk_read_options *opt, pk_error *err);

/* Resolve metric (NULL: the first) for the threshold and filter p. -1 with err. */
int pk_cli_apply_filter(pk_profile *p, pk_filter *f, const char *metric, pk_error *err);
#endif
