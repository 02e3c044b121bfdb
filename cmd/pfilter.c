/* pfilter: focus a profile of any format on what matters, write any format. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: pfilter [options] INPUT... [filters] -o OUTPUT\n"
    "Filter a profile (several with --merge) and write it in any format: the\n"
    "output format from OUTPUT's name, or -t. Stack profiles are filtered\n"
    "stack by stack (exact); graph profiles (pstats, callgrind) on their call\n"
    "graph, marked estimated where that cannot be exact.\n"
    "\n"
    "  -o, --output FILE        where to write ('-' for stdout)\n"
    "  -t, --to FORMAT          output format\n"
    "  -f, --from FORMAT        input format, skipping detection\n"
    "      --metric NAME        metric of --threshold and of the output\n"
    "      --threads            keep process and thread frames (stack profiles)\n"
    "  -h, --help               this text\n"
    "\n";

enum { OPT_METRIC = 256, OPT_THREADS };

static const struct option long_options[] = {
    {"output", required_argument, 0, 'o'},
    {"to", required_argument, 0, 't'},
    {"from", required_argument, 0, 'f'},
    {"metric", required_argument, 0, OPT_METRIC},
    {"threads", no_argument, 0, OPT_THREADS},
    {"help", no_argument, 0, 'h'},
    PK_CLI_FILTER_LONG_OPTIONS,
    {0, 0, 0, 0},
};

static int run(int argc, char **argv, pk_filter *filter)
{
    const char *output = NULL, *to = NULL, *from = NULL, *metric = NULL;
    pk_read_options ropt;
    pk_write_options wopt;
    pk_read_options_init(&ropt);
    pk_write_options_init(&wopt);
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:t:f:h", long_options, NULL)) != -1) {
        int handled = pk_cli_filter_option(c, optarg, filter);
        if (handled < 0) return PK_EXIT_ERROR;
        if (handled) continue;
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 't':
            to = optarg;
            break;
        case 'f':
            from = optarg;
            break;
        case OPT_METRIC:
            metric = optarg;
            break;
        case OPT_THREADS:
            ropt.threads = true;
            break;
        case 'h':
            fputs(usage, stdout);
            fputs(pk_cli_filter_usage, stdout);
            return PK_EXIT_OK;
        default:
            return pk_cli_bad_option(argv);
        }
    }
    int ninputs = argc - optind;
    if (ninputs < 1) return pk_cli_usage_error("expected an INPUT");
    if (ninputs > 1 && !pk_cli_merge) return pk_cli_usage_error("several inputs need --merge");
    if (!output) return pk_cli_usage_error("missing -o OUTPUT");

    pk_error err = {{0}};
    pk_profile *p = pk_cli_read_inputs(argv + optind, ninputs, from, &ropt, &err);
    if (!p) return pk_cli_error(&err);
    int rc = pk_cli_apply_filter(p, filter, metric, &err);
    if (rc == 0) {
        wopt.metric = metric ? filter->metric : -1;
        rc = pk_write_profile(p, output, to, &wopt, &err);
    }
    pk_profile_free(p);
    return rc == 0 ? PK_EXIT_OK : pk_cli_error(&err);
}

int main(int argc, char **argv)
{
    pk_cli_name = "pfilter";
    pk_filter filter;
    pk_filter_init(&filter);
    int rc = run(argc, argv, &filter);
    pk_filter_free(&filter);
    return rc;
}
