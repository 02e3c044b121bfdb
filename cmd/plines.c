/* plines: the line-by-line listing line_profiler users know, for any profile
 * with line detail (lprof, austin, memray, callgrind positions). Several
 * inputs are merged into one. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/listing.h"
#include "../lib/output.h"
#include "cli.h"

static const char usage[] =
    "usage: plines [options] PROFILE...\n"
    "Print per-line values of each function beside its source, as\n"
    "`python -m line_profiler` does. Several profiles are merged into one.\n"
    "\n"
    "  -n N                 only the N hottest functions (sorted by --sort)\n"
    "      --sort KEY       time (largest value first), hits, or name (file, line,\n"
    "                       name: line_profiler's order; the default without -n)\n"
    "      --metric NAME    the value shown (default: time, else the first metric)\n"
    "  -u, --unit SECONDS   unit to print times in (default 1e-06 as line_profiler\n"
    "                       does; 'profile' for the profile's own timer unit)\n"
    "      --source-root DIR  look for moved sources under DIR too\n"
    "  -f, --from FORMAT    input format, skipping detection\n"
    "  -o, --output FILE    write there instead of stdout\n"
    "      --max-memory SIZE  memory the input and its model may take\n"
    "                       (default: half the RAM, at most 8G)\n"
    "  -h, --help           this text\n";

enum { OPT_SORT = 256, OPT_METRIC, OPT_ROOT, OPT_MAX_MEMORY };

static const struct option long_options[] = {
    {"sort", required_argument, 0, OPT_SORT},
    {"metric", required_argument, 0, OPT_METRIC},
    {"unit", required_argument, 0, 'u'},
    {"source-root", required_argument, 0, OPT_ROOT},
    {"from", required_argument, 0, 'f'},
    {"output", required_argument, 0, 'o'},
    {"max-memory", required_argument, 0, OPT_MAX_MEMORY},
    {"help", no_argument, 0, 'h'},
    {0, 0, 0, 0},
};

static int parse_unit(const char *arg, pk_listing_options *o)
{
    char *end;
    if (!strcmp(arg, "profile")) {
        o->unit = 0;
        return 0;
    }
    o->unit = strtod(arg, &end);
    if (*end || !(o->unit > 0)) return pk_cli_usage_error("bad --unit '%s'", arg);
    return 0;
}

typedef struct {
    pk_listing_options listing;
    const char *from, *output;
} options;

static int parse_options(int argc, char **argv, options *o)
{
    *o = (options){.output = "-"};
    pk_listing_options_init(&o->listing);
    o->listing.prog = "plines";
    int ch;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "n:u:f:o:h", long_options, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'n':
            o->listing.limit = strtol(optarg, &end, 10);
            if (*end || o->listing.limit < 0) return pk_cli_usage_error("bad -n '%s'", optarg);
            break;
        case OPT_SORT:
            if (strcmp(optarg, "time") && strcmp(optarg, "hits") && strcmp(optarg, "name"))
                return pk_cli_usage_error("unknown --sort '%s'", optarg);
            o->listing.sort = optarg;
            break;
        case OPT_METRIC:
            o->listing.metric = optarg;
            break;
        case OPT_MAX_MEMORY:
            if (pk_cli_max_memory(optarg)) return PK_EXIT_ERROR;
            break;
        case 'u':
            if (parse_unit(optarg, &o->listing)) return PK_EXIT_ERROR;
            break;
        case OPT_ROOT:
            o->listing.source_root = optarg;
            break;
        case 'f':
            o->from = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return pk_cli_bad_option(argv);
        }
    }
    if (optind >= argc) return pk_cli_usage_error("expected at least one PROFILE");
    return 0;
}

int main(int argc, char **argv)
{
    pk_cli_name = "plines";
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc) return rc < 0 ? PK_EXIT_OK : rc;
    pk_error err = {{0}};
    pk_profile *p = pk_cli_read_inputs(argv + optind, argc - optind, o.from, NULL, &err);
    if (!p) return pk_cli_error(&err);
    pk_output *out = pk_output_open(o.output, &err);
    if (!out) {
        pk_profile_free(p);
        return pk_cli_error(&err);
    }
    rc = pk_write_listing(p, pk_output_file(out), &o.listing, &err);
    pk_profile_free(p);
    if (rc != 0) {
        pk_output_abort(out);
        return pk_cli_error(&err);
    }
    return pk_output_commit(out, &err) == 0 ? PK_EXIT_OK : pk_cli_error(&err);
}
