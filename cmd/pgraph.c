/* pgraph: the call graph of a profile, as dot or rendered by Graphviz. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../formats/dot.h"
#include "../lib/output.h"
#include "cli.h"

static const char usage[] =
    "usage: pgraph [options] INPUT [-o OUTPUT]\n"
    "Draw the call graph of a profile: a box per function (name, file:line, total %,\n"
    "self %, calls), an arrow per call (%, calls), coloured from blue (cold) to red\n"
    "(hot). Writes dot to stdout, or OUTPUT: .dot/.gv as dot, .png/.svg/.pdf rendered.\n"
    "\n"
    "  -o, --output FILE        where to write ('-' for stdout, the default)\n"
    "  -T, --type TYPE          output type: dot, png, svg, pdf (default: from -o)\n"
    "  -f, --from FORMAT        input format, skipping detection\n"
    "  -n, --node-thres PCT     hide functions below PCT % of the total (default 0.5)\n"
    "  -e, --edge-thres PCT     hide calls below PCT % of the total (default 0.1)\n"
    "  -z, --root REGEX         only functions called (transitively) by a match\n"
    "  -l, --leaf REGEX         only functions calling (transitively) a match\n"
    "      --depth N            with --root/--leaf: follow at most N calls\n"
    "      --node-label WHAT    a line of the node label, repeatable, in order:\n"
    "                           location, total-time, total-time-percentage, self-time,\n"
    "                           self-time-percentage, calls (default: location,\n"
    "                           total-time-percentage, self-time-percentage, calls)\n"
    "      --color-by total|self  colour nodes by total (default) or self share\n"
    "      --metric NAME        the metric to draw (default: the first)\n"
    "      --wrap N             wrap names longer than N characters (default 40, 0: never)\n"
    "      --title TEXT         caption of the graph\n"
    "      --threads            keep process and thread frames (stack profiles)\n"
    "      --view VIEW          memray: peak (default), leaks, temporary, total\n"
    "  -h, --help               this text\n"
    "REGEX is POSIX extended, matched anywhere in the name or in FILE:LINE:NAME.\n";

enum {
    OPT_DEPTH = 256,
    OPT_LABEL,
    OPT_COLOR,
    OPT_METRIC,
    OPT_WRAP,
    OPT_TITLE,
    OPT_THREADS,
    OPT_VIEW
};

static const struct option long_options[] = {
    {"output", required_argument, 0, 'o'},
    {"type", required_argument, 0, 'T'},
    {"from", required_argument, 0, 'f'},
    {"node-thres", required_argument, 0, 'n'},
    {"edge-thres", required_argument, 0, 'e'},
    {"root", required_argument, 0, 'z'},
    {"leaf", required_argument, 0, 'l'},
    {"depth", required_argument, 0, OPT_DEPTH},
    {"node-label", required_argument, 0, OPT_LABEL},
    {"color-by", required_argument, 0, OPT_COLOR},
    {"colour-by", required_argument, 0, OPT_COLOR},
    {"metric", required_argument, 0, OPT_METRIC},
    {"wrap", required_argument, 0, OPT_WRAP},
    {"title", required_argument, 0, OPT_TITLE},
    {"threads", no_argument, 0, OPT_THREADS},
    {"view", required_argument, 0, OPT_VIEW},
    {"help", no_argument, 0, 'h'},
    /* After pgraph's own --root/--leaf/--depth, which act on the graph as
     * gprof2dot's do and so shadow the filters' stack-based ones. */
    PK_CLI_FILTER_LONG_OPTIONS,
    {0, 0, 0, 0},
};

typedef struct {
    const char *output, *type, *from, *metric;
    char **inputs; /* several are merged */
    int ninputs;
    pk_dot_options dot;
    pk_read_options read;
    pk_filter filter;
} pgraph_args;

static int parse_number(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && *end == '\0' && *out >= 0 ? 0 : -1;
}

/* 0, 1 for --help, or an exit status > 1 after a usage error. */
static int parse_args(int argc, char **argv, pgraph_args *a)
{
    int c, label;
    double x;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "o:T:f:n:e:z:l:h", long_options, NULL)) != -1) {
        int handled = pk_cli_filter_option(c, optarg, &a->filter);
        if (handled < 0) return PK_EXIT_ERROR;
        if (handled) continue;
        switch (c) {
        case 'o':
            a->output = optarg;
            break;
        case 'T':
            a->type = optarg;
            break;
        case 'f':
            a->from = optarg;
            break;
        case 'n':
        case 'e':
            if (parse_number(optarg, &x) != 0)
                return pk_cli_usage_error("bad threshold '%s'", optarg);
            *(c == 'n' ? &a->dot.graph.node_thres : &a->dot.graph.edge_thres) = x;
            break;
        case 'z':
            a->dot.graph.root = optarg;
            break;
        case 'l':
            a->dot.graph.leaf = optarg;
            break;
        case OPT_DEPTH:
            if (parse_number(optarg, &x) != 0 || x > 1e9)
                return pk_cli_usage_error("bad --depth '%s'", optarg);
            a->dot.graph.depth = (int)x;
            break;
        case OPT_LABEL:
            if ((label = pk_dot_label_parse(optarg)) < 0)
                return pk_cli_usage_error("unknown --node-label '%s' (one of: %s)", optarg,
                                          pk_dot_label_names());
            if (a->dot.nlabels == PK_DOT_MAX_LABELS)
                return pk_cli_usage_error("too many --node-label");
            a->dot.labels[a->dot.nlabels++] = (pk_dot_label)label;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "total") && strcmp(optarg, "self"))
                return pk_cli_usage_error("--color-by takes total or self");
            a->dot.graph.color_by_self = strcmp(optarg, "self") == 0;
            break;
        case OPT_METRIC:
            a->metric = optarg;
            break;
        case OPT_WRAP:
            if (parse_number(optarg, &x) != 0 || x > 1e6)
                return pk_cli_usage_error("bad --wrap '%s'", optarg);
            a->dot.wrap = (int)x;
            break;
        case OPT_TITLE:
            a->dot.title = optarg;
            break;
        case OPT_THREADS:
            a->read.threads = true;
            break;
        case OPT_VIEW:
            a->read.view = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            fputs(pk_cli_filter_usage, stdout);
            return 1;
        default:
            return pk_cli_bad_option(argv);
        }
    }
    if (optind >= argc) return pk_cli_usage_error("expected an INPUT");
    a->inputs = argv + optind;
    a->ninputs = argc - optind;
    return 0;
}

static pk_profile *read_filtered(pgraph_args *a, pk_error *err)
{
    pk_profile *p = pk_cli_read_inputs(a->inputs, a->ninputs, a->from, &a->read, err);
    if (p && pk_cli_apply_filter(p, &a->filter, a->metric, err) < 0) {
        pk_profile_free(p);
        return NULL;
    }
    return p;
}

/* The output type: -T, else from the output's name, else dot. NULL if unknown. */
static const char *output_type(const pgraph_args *a)
{
    if (a->type) return strcmp(a->type, "gv") == 0 ? "dot" : a->type;
    if (!a->output || strcmp(a->output, "-") == 0) return "dot";
    const char *dot = strrchr(a->output, '.');
    if (!dot || strchr(dot, '/')) return NULL;
    if (strcmp(dot, ".dot") == 0 || strcmp(dot, ".gv") == 0) return "dot";
    return pk_dot_can_render(dot + 1) ? dot + 1 : NULL;
}

static int write_graph(Agraph_t *g, const char *type, const char *path, pk_error *err)
{
    pk_output *out = pk_output_open(path, err);
    if (!out) return -1;
    FILE *f = pk_output_file(out);
    errno = 0;
    int rc =
        strcmp(type, "dot") == 0 ? (agwrite(g, f) == 0 ? 0 : -1) : pk_dot_render(g, type, f, err);
    if (rc != 0) {
        if (!err->msg[0])
            pk_error_set(err, "%s: write error: %s", path,
                         errno ? strerror(errno) : "cannot write the graph");
        pk_output_abort(out);
        return -1;
    }
    return pk_output_commit(out, err);
}

/* Read by LeakSanitizer when built with it: Graphviz keeps its font and
 * plugin caches (fontconfig, pango, cairo, libgvc) until the process ends. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:libgvc.so\nleak:libpango\nleak:libcairo.so\n"
           "leak:libglib-2.0.so\nleak:libgobject-2.0.so\nleak:libharfbuzz.so\n"
           "leak:libfreetype.so\nleak:libgvplugin\nleak:libltdl.so\n";
}

const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

int main(int argc, char **argv)
{
    pk_cli_name = "pgraph";
    pgraph_args a = {0};
    pk_dot_options_init(&a.dot);
    pk_read_options_init(&a.read);
    pk_filter_init(&a.filter);
    int rc = parse_args(argc, argv, &a);
    if (rc != 0) {
        pk_filter_free(&a.filter);
        return rc == 1 ? PK_EXIT_OK : rc;
    }
    const char *type = output_type(&a);
    if (!type || (strcmp(type, "dot") != 0 && !pk_dot_can_render(type))) {
        pk_filter_free(&a.filter);
        return pk_cli_usage_error("cannot tell the output type of '%s'; use -T dot|png|svg|pdf",
                                  a.type ? a.type : a.output);
    }

    pk_error err = {{0}};
    pk_profile *p = read_filtered(&a, &err);
    pk_filter_free(&a.filter);
    if (!p) return pk_cli_error(&err);
    /* The metric exists: read_filtered checked it. */
    a.dot.graph.metric = pk_cli_metric(p, a.metric, &err);
    Agraph_t *g = pk_dot_graph(p, &a.dot, &err);
    pk_profile_free(p);
    if (!g) return pk_cli_error(&err);
    rc = write_graph(g, type, a.output ? a.output : "-", &err);
    agclose(g);
    return rc == 0 ? PK_EXIT_OK : pk_cli_error(&err);
}
