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

/* The index of the metric named by --metric NAME (NULL: the first one), or
 * -1 after a usage error naming the metrics the profile has. */
int pk_cli_metric(const pk_profile *p, const char *name);

#endif
