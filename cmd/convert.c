/* The conversion every writing command shares (pconv, pfilter): read one or
 * more inputs, filter, write any format. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/limits.h"
#include "cli.h"

static const char convert_options[] =
    "  -o, --output FILE        where to write ('-' for stdout)\n"
    "  -t, --to FORMAT          output format (see --list-formats)\n"
    "  -f, --from FORMAT        input format, skipping detection\n"
    "      --list-formats       list formats, their names and directions\n"
    "      --metric NAME        metric to draw or sort by (default: the first)\n"
    "      --threads            keep process and thread frames (stack profiles)\n"
    "      --view VIEW          memray: peak (default), leaks, temporary, total\n"
    "      --temporary-threshold N  memray --view temporary: freed within N allocations\n"
    "      --native             memray --native captures: native frames (unsymbolized)\n"
    "                           under the Python ones\n"
    "      --title TEXT         flame graph title\n"
    "      --minwidth PCT       flame graph: merge frames narrower than PCT % of the total\n"
    "      --inverted           flame graph drawn as an icicle (roots at the top)\n"
    "      --reverse            flame graph of stacks merged from the leaf\n"
    "      --colors kind|module flame graph colours\n"
    "      --countname NAME     flame graph: what the values count\n"
    "      --width PIXELS       flame graph width (default 1200)\n"
    "      --embed-source       HTML report: embed the source of the hottest lines\n"
    "      --source-root DIR    HTML report: look for moved sources under DIR too\n"
    "  -v, --verbose            report what was skipped while reading\n"
    "  -h, --help               this text\n";

static void list_formats(void)
{
    int names = 4, patterns = 10; /* as wide as the longest entry */
    for (size_t i = 0; pk_formats[i]; i++) {
        int n = (int)strlen(pk_formats[i]->name), p = (int)strlen(pk_formats[i]->patterns);
        if (n > names) names = n;
        if (p > patterns) patterns = p;
    }
    printf("%-*s  READ  WRITE  %-*s  DESCRIPTION\n", names, "NAME", patterns, "FILE NAMES");
    for (size_t i = 0; pk_formats[i]; i++) {
        const pk_format *f = pk_formats[i];
        printf("%-*s  %-4s  %-5s  %-*s  %s\n", names, f->name, f->read ? "yes" : "-",
               f->write ? "yes" : "-", patterns, f->patterns, f->description);
    }
}

enum {
    OPT_LIST = 256,
    OPT_METRIC,
    OPT_THREADS,
    OPT_VIEW,
    OPT_TEMP,
    OPT_NATIVE,
    OPT_TITLE,
    OPT_MINWIDTH,
    OPT_INVERTED,
    OPT_REVERSE,
    OPT_COLORS,
    OPT_COUNTNAME,
    OPT_WIDTH,
    OPT_EMBED_SOURCE,
    OPT_SOURCE_ROOT,
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
    {"native", no_argument, 0, OPT_NATIVE},
    {"title", required_argument, 0, OPT_TITLE},
    {"minwidth", required_argument, 0, OPT_MINWIDTH},
    {"inverted", no_argument, 0, OPT_INVERTED},
    {"reverse", no_argument, 0, OPT_REVERSE},
    {"colors", required_argument, 0, OPT_COLORS},
    {"countname", required_argument, 0, OPT_COUNTNAME},
    {"width", required_argument, 0, OPT_WIDTH},
    {"embed-source", no_argument, 0, OPT_EMBED_SOURCE},
    {"source-root", required_argument, 0, OPT_SOURCE_ROOT},
    {"verbose", no_argument, 0, 'v'},
    {"help", no_argument, 0, 'h'},
    PK_CLI_FILTER_LONG_OPTIONS,
    {0, 0, 0, 0},
};

/* The HTML report of a memray capture shows its peak, leaks and total views
 * side by side; the writer only gets profiles, so the capture is read once
 * per view here. Other outputs and formats get nothing extra. */
typedef struct {
    pk_profile *profiles[3];
    const char *names[3];
    size_t n;
} extra_views;

static int read_extra_views(char **inputs, int ninputs, const char *from,
                            const pk_read_options *ropt, pk_filter *filter, const char *metric,
                            extra_views *x, pk_error *err)
{
    static const char *const all[] = {"peak", "leaks", "total"};
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(all[i], ropt->view) == 0) continue;
        pk_read_options o = *ropt;
        o.view = all[i];
        pk_profile *p = pk_cli_read_inputs(inputs, ninputs, from, &o, err);
        if (!p) return -1;
        x->profiles[x->n] = p;
        x->names[x->n++] = all[i];
        if (pk_cli_apply_filter(p, filter, metric, err) < 0) return -1;
    }
    return 0;
}

static bool wants_views(const pk_profile *p, const char *output, const char *to)
{
    const pk_format *fmt = to ? pk_format_by_name(to) : pk_format_for_path(output, true);
    return fmt && strcmp(fmt->name, "html") == 0 && p->format && strcmp(p->format, "memray") == 0;
}

static int run(int argc, char **argv, const char *usage, pk_filter *filter)
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
            fputs(convert_options, stdout);
            fputs(pk_cli_filter_usage, stdout);
            return PK_EXIT_OK;
        case OPT_LIST:
            list_formats();
            return PK_EXIT_OK;
        case OPT_METRIC:
            metric = optarg;
            break;
        case OPT_NATIVE:
            ropt.native = true;
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
        case OPT_EMBED_SOURCE:
            wopt.embed_source = true;
            break;
        case OPT_SOURCE_ROOT:
            wopt.source_root = optarg;
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
    wopt.metric = filter->metric; /* found by pk_cli_apply_filter; -1: the first */
    extra_views x = {.n = 0};
    int rc = 0;
    if (wants_views(p, output, to)) {
        rc = read_extra_views(argv + optind, ninputs, from, &ropt, filter, metric, &x, &err);
        wopt.nviews = x.n;
        wopt.views = x.profiles;
        wopt.view_names = x.names;
    }
    if (rc == 0) rc = pk_write_profile(p, output, to, &wopt, &err);
    pk_profile_free(p);
    for (size_t i = 0; i < x.n; i++)
        pk_profile_free(x.profiles[i]);
    return rc == 0 ? PK_EXIT_OK : pk_cli_error(&err);
}

int pk_cli_convert(int argc, char **argv, const char *usage)
{
    pk_filter filter;
    pk_filter_init(&filter);
    int rc = run(argc, argv, usage, &filter);
    pk_filter_free(&filter);
    return rc;
}
