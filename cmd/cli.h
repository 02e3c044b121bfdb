/* What every command shares: one table of options (cmd/options.c) and its
 * parser, --help, --version and the man pages made from the same table,
 * error reporting, reading and filtering inputs. */
#ifndef PK_CLI_H
#define PK_CLI_H

#include <stdio.h>

#include "../formats/format.h"
#include "../lib/filter.h"

/* Exit statuses: 0 ok, 1 a check failed (pdiff --fail-above), 2 any error. */
enum { PK_EXIT_OK = 0, PK_EXIT_CHECK = 1, PK_EXIT_ERROR = 2 };

/* ---- the commands ---- */

enum {
    PK_CMD_PCONV = 1u << 0,
    PK_CMD_PFILTER = 1u << 1,
    PK_CMD_PTOP = 1u << 2,
    PK_CMD_PGRAPH = 1u << 3,
    PK_CMD_PDIFF = 1u << 4,
    PK_CMD_PLINES = 1u << 5,
    PK_CMD_ALL = (1u << 6) - 1,
};

typedef struct {
    unsigned bit; /* PK_CMD_* */
    const char *name;
    const char *summary;        /* the man page's NAME line, after "name - " */
    const char *synopsis;       /* after the name: "[options] INPUT... -o OUTPUT" */
    const char *description;    /* paragraphs, separated by blank lines */
    const char *exit_status;    /* NULL: the common one */
    const char *examples;       /* "command\twhat it does" lines */
    int min_inputs, max_inputs; /* max 0: any number */
    const char *inputs_error;   /* when the count is wrong */
} pk_command;

extern const pk_command pk_commands[]; /* terminated by a zero bit */
const pk_command *pk_command_by_name(const char *name);

/* ---- the options ---- */

/* Every option of every command: shared ones are handled by cli.c, the
 * others by the command that takes them. */
enum {
    /* shared */
    PK_O_HELP = 1,
    PK_O_VERSION,
    PK_O_FROM,
    PK_O_OUTPUT,
    PK_O_TO,
    PK_O_LIST_FORMATS,
    PK_O_VERBOSE,
    PK_O_METRIC,
    PK_O_ROWS,
    PK_O_THREADS,
    PK_O_VIEW,
    PK_O_TEMPORARY_THRESHOLD,
    PK_O_NATIVE,
    PK_O_MAX_MEMORY,
    PK_O_MERGE,
    PK_O_FOCUS,
    PK_O_IGNORE,
    PK_O_HIDE,
    PK_O_SHOW,
    PK_O_SHOW_FROM,
    PK_O_PRUNE_FROM,
    PK_O_ROOT,
    PK_O_LEAF,
    PK_O_DEPTH,
    PK_O_PATH,
    PK_O_THRESHOLD,
    PK_O_TIME,
    PK_O_STRIP_DIRS,
    PK_O_STRIP_PREFIX,
    PK_O_MAP,
    PK_O_GRANULARITY,
    PK_O_COLLAPSE_RECURSION,
    PK_O_TITLE,
    PK_O_SOURCE_ROOT,
    /* pictures (flame graphs, the HTML report): pconv, pfilter, pdiff */
    PK_O_MINWIDTH,
    PK_O_INVERTED,
    PK_O_REVERSE,
    PK_O_COLORS,
    PK_O_COUNTNAME,
    PK_O_WIDTH,
    PK_O_HEIGHT,
    PK_O_FONTSIZE,
    PK_O_SUBTITLE,
    PK_O_NOTES,
    PK_O_NEGATE,
    PK_O_COLOR_BY,
    PK_O_EMBED_SOURCE,
    PK_O_FLAMECHART,
    PK_O_SHARED_LAST, /* below: one command's own */
    /* ptop */
    PK_O_PTOP_SORT,
    PK_O_CALLERS,
    PK_O_CALLEES,
    /* pgraph */
    PK_O_NODE_THRES,
    PK_O_EDGE_THRES,
    PK_O_NODE_LABEL,
    PK_O_WRAP,
    PK_O_COLORMAP,
    PK_O_SKEW,
    PK_O_SHOW_SAMPLES,
    PK_O_TOTAL,
    PK_O_LIST_FUNCTIONS,
    /* pdiff */
    PK_O_DIFF_SORT,
    PK_O_JSON,
    PK_O_LINES,
    PK_O_NORMALIZE,
    PK_O_FAIL_ABOVE,
    PK_O_FAIL_ON,
    PK_O_FULL_PATHS,
    /* plines */
    PK_O_LINES_SORT,
    PK_O_UNIT,
    PK_O_SKIP_ZERO,
    PK_O_SUMMARY,
};

typedef struct {
    int id;            /* PK_O_* */
    char short_name;   /* 0: none */
    const char *name;  /* long name, without "--" */
    const char *arg;   /* metavariable, NULL for a flag */
    unsigned commands; /* PK_CMD_* bits of the commands that take it */
    const char *group; /* heading in --help and the man page */
    const char *help;  /* NULL: an alias kept for old spellings, not listed */
} pk_option;

extern const pk_option pk_options[]; /* terminated by id 0 */

/* What PATTERN means, for --help's end and the man pages. */
extern const char pk_cli_patterns_help[];

/* ---- parsing ---- */

/* What the shared options set. */
typedef struct {
    const pk_command *command;
    const char *output, *to, *from, *metric;
    long rows;    /* -n: rows shown; -1 when not given ("all" is LONG_MAX) */
    int color_by; /* --color-by: 0 not given, 1 inclusive, 2 self */
    bool merge;
    pk_read_options read;
    pk_write_options write; /* --title, --source-root and the picture options */
    pk_filter filter;
    char **inputs;
    int ninputs;
} pk_cli;

/* A command's own options: 0, or an exit status after printing the error. */
typedef int (*pk_cli_own_fn)(void *ctx, int id, const char *arg);

/* Parse argv for the command named (also the prefix of messages); the
 * command's own options go to own. Returns 0 to go on, -1 when --help,
 * --version or --list-formats was answered (exit 0), or PK_EXIT_ERROR after
 * a usage error was printed. pk_cli_free afterwards in every case. */
int pk_cli_parse(pk_cli *cli, const char *command, int argc, char **argv, pk_cli_own_fn own,
                 void *ctx);
void pk_cli_free(pk_cli *cli);

/* --help and the man page (roff) of a command, from the table. */
void pk_cli_print_help(FILE *out, const pk_command *cmd);
void pk_cli_print_man(FILE *out, const pk_command *cmd);

/* Parsers of common argument kinds; -1 after a usage error naming the option. */
int pk_cli_parse_double(const char *option, const char *arg, double min, double max, double *out);
int pk_cli_parse_long(const char *option, const char *arg, long min, long max, long *out);

/* ---- messages ---- */

/* Set by pk_cli_parse: the command's name used as the prefix of messages. */
extern const char *pk_cli_name;

/* "CMD: message" on stderr; returns PK_EXIT_ERROR. */
int pk_cli_error(const pk_error *err);
int pk_cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- inputs ---- */

/* The index of the metric named by --metric NAME (NULL: the first one), or
 * -1 with err naming the metrics the profile has. */
int pk_cli_metric(const pk_profile *p, const char *name, pk_error *err);

/* Read the n inputs: one, or all summed into the first, each labelled in
 * meta "input.N". NULL with err on failure. */
pk_profile *pk_cli_read_inputs(char *const *paths, int n, const char *from,
                               const pk_read_options *opt, pk_error *err);

/* Resolve metric (NULL: the first) for the threshold and filter p. -1 with
 * err; path names the input in the error of --time without a timeline. */
int pk_cli_apply_filter(pk_profile *p, pk_filter *f, const char *metric, const char *path,
                        pk_error *err);

/* cli's inputs read with its read options, filtered: NULL with err. */
pk_profile *pk_cli_read(pk_cli *cli, pk_error *err);

/* The whole of pconv and pfilter (cmd/convert.c). */
int pk_cli_convert(int argc, char **argv, const char *command);
#endif
