/* plines: the line-by-line listing line_profiler users know, for any profile
 * with line detail (lprof, austin, memray, callgrind positions). Several
 * inputs are merged into one. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/listing.h"
#include "../lib/output.h"
#include "cli.h"

static int own_option(void *ctx, int id, const char *arg)
{
    pk_listing_options *o = ctx;
    char *end;
    switch (id) {
    case PK_O_LINES_SORT:
        if (strcmp(arg, "time") && strcmp(arg, "hits") && strcmp(arg, "name"))
            return pk_cli_usage_error("unknown --sort '%s' (time, hits or name)", arg);
        o->sort = arg;
        return 0;
    case PK_O_SKIP_ZERO:
        o->skip_zero = true;
        return 0;
    case PK_O_SUMMARY:
        o->summary = true;
        return 0;
    case PK_O_UNIT:
        if (!strcmp(arg, "profile")) {
            o->unit = 0;
            return 0;
        }
        o->unit = strtod(arg, &end);
        if (*end || end == arg || !(o->unit > 0)) return pk_cli_usage_error("bad --unit '%s'", arg);
        return 0;
    }
    return 0;
}

int main(int argc, char **argv)
{
    pk_listing_options listing;
    pk_listing_options_init(&listing);
    listing.prog = "plines";
    pk_cli cli;
    int rc = pk_cli_parse(&cli, "plines", argc, argv, own_option, &listing);
    if (rc != 0) {
        pk_cli_free(&cli);
        return rc < 0 ? PK_EXIT_OK : rc;
    }
    if (cli.rows >= 0) listing.limit = cli.rows == LONG_MAX ? -1 : cli.rows;
    listing.metric = cli.metric;
    listing.source_root = cli.write.source_root;
    pk_error err = {{0}};
    pk_profile *p = pk_cli_read(&cli, &err);
    const char *output = cli.output ? cli.output : "-";
    pk_cli_free(&cli);
    if (!p) return pk_cli_error(&err);
    pk_output *out = pk_output_open(output, &err);
    if (!out) {
        pk_profile_free(p);
        return pk_cli_error(&err);
    }
    rc = pk_write_listing(p, pk_output_file(out), &listing, &err);
    pk_profile_free(p);
    if (rc != 0) {
        pk_output_abort(out);
        return pk_cli_error(&err);
    }
    return pk_output_commit(out, &err) == 0 ? PK_EXIT_OK : pk_cli_error(&err);
}
