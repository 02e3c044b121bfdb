#include "cli.h"

#include <stdarg.h>
#include <stdio.h>

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
