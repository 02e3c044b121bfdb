#include "cli.h"

#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char *pk_cli_name = "profkit";

int pk_cli_error(const pk_error *err)
{
    fprintf(stderr, "%s: %s\n", pk_cli_name, err->msg);
    return PK_EXIT_ERROR;
}

int pk_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", pk_cli_name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see --help)\n");
    va_end(ap);
    return PK_EXIT_ERROR;
}

int pk_cli_metric(const pk_profile *p, const char *name)
{
    if (!name)
        return 0;
    int m = pk_metric_find(p, name);
    if (m >= 0)
        return m;
    fprintf(stderr, "%s: the profile has no metric '%s'; it has:", pk_cli_name, name);
    for (int i = 0; i < p->nmetrics; i++)
        fprintf(stderr, " %s", p->metrics[i].name);
    fputc('\n', stderr);
    return -1;
}

int pk_cli_bad_option(char **argv)
{
    const char *arg = argv[optind - 1];
    if (optopt) return pk_cli_usage_error("option -%c is unknown or lacks its argument", optopt);
    return pk_cli_usage_error("option '%s' is unknown or lacks its argument", arg);
}
