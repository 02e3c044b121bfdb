/* pgraph: the call graph of a profile, as dot or rendered by Graphviz. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../formats/dot.h"
#include "../lib/hmap.h"
#include "../lib/output.h"
#include "../lib/pattern.h"
#include "cli.h"

typedef struct {
    pk_cli cli;
    pk_dot_options dot;
    bool show_samples;
    const char *list_functions; /* --list-functions PATTERN, or NULL */
} pgraph_args;

static int own_option(void *ctx, int id, const char *arg)
{
    pgraph_args *a = ctx;
    double x;
    long n;
    int label;
    switch (id) {
    case PK_O_NODE_THRES:
    case PK_O_EDGE_THRES:
        if (pk_cli_parse_double(id == PK_O_NODE_THRES ? "--node-thres" : "--edge-thres", arg, 0,
                                100, &x) < 0)
            return PK_EXIT_ERROR;
        *(id == PK_O_NODE_THRES ? &a->dot.graph.node_thres : &a->dot.graph.edge_thres) = x;
        return 0;
    case PK_O_NODE_LABEL:
        if ((label = pk_dot_label_parse(arg)) < 0)
            return pk_cli_usage_error("unknown --node-label '%s' (one of: %s)", arg,
                                      pk_dot_label_names());
        if (a->dot.nlabels == PK_DOT_MAX_LABELS) return pk_cli_usage_error("too many --node-label");
        a->dot.labels[a->dot.nlabels++] = (pk_dot_label)label;
        return 0;
    case PK_O_WRAP:
        if (pk_cli_parse_long("--wrap", arg, 0, 1000000, &n) < 0) return PK_EXIT_ERROR;
        a->dot.wrap = (int)n;
        return 0;
    case PK_O_COLORMAP:
        if ((a->dot.colormap = pk_dot_colormap_parse(arg)) < 0)
            return pk_cli_usage_error("unknown --colormap '%s' (color, pink, gray, bw or print)",
                                      arg);
        return 0;
    case PK_O_SHOW_SAMPLES:
        a->show_samples = true;
        return 0;
    case PK_O_LIST_FUNCTIONS:
        a->list_functions = arg;
        return 0;
    case PK_O_TOTAL:
        if (strcmp(arg, "callratios") != 0 && strcmp(arg, "callstacks") != 0)
            return pk_cli_usage_error("unknown --total '%s' (callstacks or callratios)", arg);
        a->dot.graph.call_ratios = strcmp(arg, "callratios") == 0;
        return 0;
    case PK_O_SKEW:
        if (pk_cli_parse_double("--skew", arg, 1e-9, 1e9, &a->dot.skew) < 0) return PK_EXIT_ERROR;
        return 0;
    }
    return 0;
}

/* --show-samples: gprof2dot puts the samples after the other values. */
static int add_samples_label(pk_dot_options *o, const pk_profile *p, pk_error *err)
{
    if (pk_dot_samples_metric(p) < 0) {
        pk_error_set(err, "--show-samples: the profile counts no samples (it measures %s)",
                     p->nmetrics ? p->metrics[0].name : "nothing");
        return -1;
    }
    if (o->nlabels == 0) {
        static const pk_dot_label defaults[] = {PK_LABEL_LOCATION, PK_LABEL_TOTAL_PCT,
                                                PK_LABEL_SELF_PCT, PK_LABEL_CALLS};
        for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
            o->labels[o->nlabels++] = defaults[i];
    }
    if (o->nlabels < PK_DOT_MAX_LABELS) o->labels[o->nlabels++] = PK_LABEL_SAMPLES;
    return 0;
}

typedef struct {
    pk_id func;
    double share;
} listed;

static int hottest_first(const void *a, const void *b)
{
    const listed *x = a, *y = b;
    if (x->share != y->share) return x->share < y->share ? 1 : -1;
    return x->func < y->func ? -1 : x->func > y->func;
}

/* --list-functions: the functions the graph keeps that pattern matches ('+'
 * or '*': all, as gprof2dot), hottest first, one "file:line(name)" a line. */
static int list_functions(pk_profile *p, const pk_dot_options *o, const char *pattern,
                          pk_error *err)
{
    bool all = strcmp(pattern, "+") == 0 || strcmp(pattern, "*") == 0;
    pk_pattern *re = all ? NULL : pk_pattern_new(pattern, err);
    if (!all && !re) return -1;
    pk_callgraph cg;
    listed *rows = NULL;
    if (pk_callgraph_build(p, &o->graph, &cg, err) != 0) {
        pk_pattern_free(re);
        return -1;
    }
    rows = malloc((p->nfuncs ? p->nfuncs : 1) * sizeof *rows);
    size_t n = 0;
    for (size_t f = 0; rows && f < p->nfuncs; f++)
        if (cg.keep_func[f] && (all || pk_pattern_match_function(re, &p->funcs[f])))
            rows[n++] = (listed){(pk_id)f, cg.incl_share[f]};
    int rc = 0;
    if (!rows) {
        pk_error_set(err, "out of memory");
        rc = -1;
    } else if (n == 0) {
        pk_error_set(err,
                     "--list-functions '%s': matches no function shown (lower --node-thres "
                     "and --edge-thres)",
                     pattern);
        rc = -1;
    } else {
        pk_sort(rows, n, sizeof *rows, hottest_first);
        char name[4096];
        for (size_t i = 0; i < n; i++) {
            pk_function_std_name(&p->funcs[rows[i].func], true, name, sizeof name);
            printf("%s\n", name);
        }
        if (fflush(stdout) != 0 || ferror(stdout)) {
            pk_error_set(err, "cannot write the list: %s", strerror(errno));
            rc = -1;
        }
    }
    free(rows);
    pk_callgraph_free(&cg);
    pk_pattern_free(re);
    return rc;
}

/* The output type: -t, else from the output's name, else dot. NULL if unknown. */
static const char *output_type(const pk_cli *a)
{
    if (a->to) return strcmp(a->to, "gv") == 0 ? "dot" : a->to;
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
    pgraph_args a = {.show_samples = false};
    pk_dot_options_init(&a.dot);
    int rc = pk_cli_parse(&a.cli, "pgraph", argc, argv, own_option, &a);
    if (rc != 0) {
        pk_cli_free(&a.cli);
        return rc < 0 ? PK_EXIT_OK : rc;
    }
    a.dot.title = a.cli.write.title;
    a.dot.graph.color_by_self = a.cli.color_by == 2;
    const char *type = output_type(&a.cli);
    if (!type || (strcmp(type, "dot") != 0 && !pk_dot_can_render(type))) {
        pk_cli_free(&a.cli);
        return pk_cli_usage_error("cannot tell the output type of '%s'; use -t dot|png|svg|pdf",
                                  a.cli.to ? a.cli.to : a.cli.output);
    }

    pk_error err = {{0}};
    pk_profile *p = pk_cli_read(&a.cli, &err);
    const char *metric = a.cli.metric, *output = a.cli.output ? a.cli.output : "-";
    pk_cli_free(&a.cli);
    if (!p) return pk_cli_error(&err);
    /* The metric exists: pk_cli_read checked it. */
    a.dot.graph.metric = pk_cli_metric(p, metric, &err);
    if (a.list_functions || (a.show_samples && add_samples_label(&a.dot, p, &err) < 0)) {
        rc = a.list_functions ? list_functions(p, &a.dot, a.list_functions, &err) : -1;
        pk_profile_free(p);
        return rc == 0 ? PK_EXIT_OK : pk_cli_error(&err);
    }
    Agraph_t *g = pk_dot_graph(p, &a.dot, &err);
    pk_profile_free(p);
    if (!g) return pk_cli_error(&err);
    rc = write_graph(g, type, output, &err);
    agclose(g);
    return rc == 0 ? PK_EXIT_OK : pk_cli_error(&err);
}
