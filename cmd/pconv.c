/* pconv: convert a profile of any format into any other. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/limits.h"
#include "../lib/merge.h"
#include "cli.h"

static const char usage[] =
    "usage: pconv [options] INPUT... -o OUTPUT\n"
    "Convert a profile. The input format is detected from its content (gzip and\n"
    "LZ4 compressed inputs too); the output format from OUTPUT's name, or -t.\n"
    "Several inputs are merged into one profile.\n"
    "\n"
    "  -o, --output FILE        where to write ('-' for stdout)\n"
    "  -t, --to FORMAT          output format (see --list-formats)\n"
    "  -f, --from FORMAT        input format, skipping detection\n"
    "      --list-formats       list formats, their names and directions\n"
    "      --metric NAME        metric to draw or sort by (default: the first)\n"
    "      --threads            keep process and thread frames (stack profiles)\n"
    "      --view VIEW          memray: peak (default), leaks, temporary, total\n"
    "      --temporary-threshold N  memray --view temporary: freed within N allocations\n"
    "      --title TEXT         flame graph title\n"
    "      --minwidth PCT       flame graph: merge frames narrower than PCT %% of the total\n"
    "      --inverted           flame graph drawn as an icicle (roots at the top)\n"
    "      --reverse            flame graph of stacks merged from the leaf\n"
    "      --colors kind|module flame graph colours\n"
    "      --countname NAME     flame graph: what the values count\n"
    "      --width PIXELS       flame graph width (default 1200)\n"
    "      --max-memory SIZE    memory an input and its model may take (default 8G)\n"
    "  -v, --verbose            report what was skipped while reading\n"
    "  -h, --help               this text\n"
    "\n";

static void list_formats(void)
{
    printf("%-16s %-5s %-5s %-40s %s\n", "NAME", "READ", "WRITE", "FILE NAMES", "");
    for (size_t i = 0; pk_formats[i]; i++) {
        const pk_format *f = pk_formats[i];
        printf("%-16s %-5s %-5s %-40s %s\n", f->name, f->read ? "yes" : "-", f->write ? "yes" : "-",
               f->patterns, f->description);
    }
}

enum {
    OPT_LIST = 256,
    OPT_METRIC,
    OPT_THREADS,
    OPT_VIEW,
    OPT_TEMP,
    OPT_TITLE,
    OPT_MINWIDTH,
    OPT_INVERTED,
    OPT_REVERSE,
    OPT_COLORS,
    OPT_COUNTNAME,
    OPT_WIDTH,
    OPT_MAXMEM,
};

static const struct option long_options[] = {
    {"output", required_argument, 0, 'o'},
    {"to", required_argument, 0, 't'},
    {"from", required_argument, 0, 'f'},
    {"list-formats", no_argument, 0, OPT_LIST},
    {"metric", required_argument, 0, OPT_METRIC},
    {"threads", no_argument, 0, OPT_THREADS},
    {"view", required_argument, 0, OPT_VIEW},
    {"temporary-threshold", required_argument, 0, OPT_TEMP},
    {"title", required_argument, 0, OPT_TITLE},
    {"minwidth", required_argument, 0, OPT_MINWIDTH},
    {"inverted", no_argument, 0, OPT_INVERTED},
    {"reverse", no_argument, 0, OPT_REVERSE},
    {"colors", required_argument, 0, OPT_COLORS},
    {"countname", required_argument, 0, OPT_COUNTNAME},
    {"width", required_argument, 0, OPT_WIDTH},
    {"max-memory", required_argument, 0, OPT_MAXMEM},
    {"verbose", no_argument, 0, 'v'},
    {"help", no_argument, 0, 'h'},
    PK_CLI_FILTER_LONG_OPTIONS,
    {0, 0, 0, 0},
};

static int run(int argc, char **argv, pk_filter *filter);

int main(int argc, char **argv)
{
    pk_cli_name = "pconv";
    pk_filter filter;
    pk_filter_init(&filter);
    int rc = run(argc, argv, &filter);
    pk_filter_free(&filter);
    return rc;
}

static int run(int argc, char **argv, pk_filter *filter)
{
    const char *output = NULL, *to = NULL, *from = NULL, *metric = NULL;
    pk_read_options ropt;
    pk_write_options wopt;
    pk_read_options_init(&ropt);
    pk_write_options_init(&wopt);
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:t:f:vh", long_options, NULL)) != -1) {
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
        case 'v':
            ropt.verbose++;
            break;
        case 'h':
            fputs(usage, stdout);
            fputs(pk_cli_filter_usage, stdout);
            return PK_EXIT_OK;
        case OPT_LIST:
            list_formats();
            return PK_EXIT_OK;
        case OPT_METRIC:
            metric = optarg;
            break;
        case OPT_THREADS:
            ropt.threads = true;
            break;
        case OPT_VIEW:
            ropt.view = optarg;
            break;
        case OPT_TEMP:
            ropt.temporary_threshold = atoll(optarg);
            break;
        case OPT_TITLE:
            wopt.title = optarg;
            break;
        case OPT_MINWIDTH:
            wopt.minwidth = atof(optarg);
            break;
        case OPT_INVERTED:
            wopt.inverted = true;
            break;
        case OPT_REVERSE:
            wopt.reverse = true;
            break;
        case OPT_COLORS:
            wopt.colors = optarg;
            break;
        case OPT_COUNTNAME:
            wopt.countname = optarg;
            break;
        case OPT_WIDTH:
            wopt.width = atoi(optarg);
            if (wopt.width < 100 || wopt.width > 30000)
                return pk_cli_usage_error("--width must be 100..30000 pixels");
            break;
        case OPT_MAXMEM:
            if (!(pk_max_input_bytes = pk_parse_size(optarg)))
                return pk_cli_usage_error("bad --max-memory '%s'", optarg);
            break;
        default:
            return pk_cli_bad_option(argv);
        }
    }
    int ninputs = argc - optind;
    if (ninputs < 1) return pk_cli_usage_error("expected an INPUT (several are merged)");
    if (!output) return pk_cli_usage_error("missing -o OUTPUT");
    if (strcmp(ropt.view, "peak") && strcmp(ropt.view, "leaks") && strcmp(ropt.view, "temporary") &&
        strcmp(ropt.view, "total"))
        return pk_cli_usage_error("unknown --view '%s'", ropt.view);

    pk_error err = {{0}};
    pk_profile *p = pk_cli_read_inputs(argv + optind, ninputs, from, &ropt, &err);
    if (!p) return pk_cli_error(&err);
    if (pk_cli_apply_filter(p, filter, metric, &err) < 0) {
        pk_profile_free(p);
        return pk_cli_error(&err);
    }
    if (metric && (wopt.metric = pk_metric_find(p, metric)) < 0) {
        pk_profile_free(p);
        return pk_cli_usage_error("the profile has no metric '%s'", metric);
    }
    int rc = pk_write_profile(p, output, to, &wopt, &err);
    pk_profile_free(p);
    return rc == 0 ? PK_EXIT_OK : pk_cli_error(&err);
}
