/* pgraph: the call graph of a profile, as dot or rendered by Graphviz. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../formats/dot.h"
#include "../lib/output.h"
#include "cli.h"

typedef struct {
    pk_cli cli;
    pk_dot_options dot;
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
    }
    return 0;
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
    pgraph_args a;
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
    Agraph_t *g = pk_dot_graph(p, &a.dot, &err);
    pk_profile_free(p);
    if (!g) return pk_cli_error(&err);
    rc = write_graph(g, type, output, &err);
    agclose(g);
    return rc == 0 ? PK_EXIT_OK : pk_cli_error(&err);
}
