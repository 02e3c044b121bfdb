/* What pconv and pfilter share: read one or more inputs, filter, write any
 * format. pfilter differs in two ways: a filter is required, and the output
 * keeps the input's format unless OUTPUT's name or -t asks for another. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The HTML report of a memray capture shows its peak, leaks and total views
 * side by side; the writer only gets profiles. One input: its reader makes
 * the other views from the same replay (pk_read_options.also), and they go
 * through the same filters. Several inputs: each view is read on its own.
 * Other outputs and formats get nothing extra. */
#define HTML_HISTORY_EPOCHS 100 /* the memory chart (memray, mprof): windows of 1 % */

typedef struct {
    pk_profile *profiles[3];
    const char *names[3];
    size_t n;
} extra_views;

static const pk_format *output_format(const pk_cli *cli)
{
    return cli->to ? pk_format_by_name(cli->to) : pk_format_for_path(cli->output, true);
}

static bool wants_views(const pk_profile *p, const pk_cli *cli)
{
    const pk_format *fmt = output_format(cli);
    return fmt && strcmp(fmt->name, "html") == 0 && p->format && strcmp(p->format, "memray") == 0;
}

/* The views other than the one --view names, as empty profiles. */
static void plan_extra_views(const pk_cli *cli, extra_views *x)
{
    static const char *const all[] = {"peak", "leaks", "total"};
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(all[i], cli->read.view) == 0) continue;
        x->profiles[x->n] = pk_profile_new();
        x->names[x->n++] = all[i];
    }
}

static void free_extra_views(extra_views *x)
{
    for (size_t i = 0; i < x->n; i++)
        pk_profile_free(x->profiles[i]);
    x->n = 0;
}

/* A view the reader could not make (an aggregated capture has no total):
 * the report shows the main view alone. */
static void keep_views_if_all_made(extra_views *x)
{
    for (size_t i = 0; i < x->n; i++)
        if (x->profiles[i]->nmetrics == 0) {
            free_extra_views(x);
            return;
        }
}

/* Read the input, and with one memray input to an HTML report, its other
 * views from the same replay. */
static pk_profile *read_with_views(pk_cli *cli, extra_views *x, pk_error *err)
{
    const pk_format *fmt = output_format(cli);
    if (cli->ninputs != 1 || !fmt || strcmp(fmt->name, "html") != 0) return pk_cli_read(cli, err);
    plan_extra_views(cli, x);
    pk_read_options saved = cli->read;
    cli->read.nalso = x->n;
    cli->read.also_views = x->names;
    cli->read.also = x->profiles;
    /* the memory chart's windows: the capture as read, unfiltered */
    cli->read.history_epochs = pk_filter_active(&cli->filter) ? 0 : HTML_HISTORY_EPOCHS;
    pk_profile *p = pk_cli_read_inputs(cli->inputs, cli->ninputs, cli->from, &cli->read, err);
    cli->read = saved;
    if (!p || !wants_views(p, cli)) free_extra_views(x);
    keep_views_if_all_made(x);
    if (p && pk_cli_apply_filter(p, &cli->filter, cli->metric, cli->inputs[0], err) < 0) {
        pk_profile_free(p);
        p = NULL;
    }
    for (size_t i = 0; p && i < x->n; i++) {
        if (pk_cli_apply_filter(x->profiles[i], &cli->filter, cli->metric, cli->inputs[0], err) <
            0) {
            pk_profile_free(p);
            p = NULL;
        }
    }
    return p;
}

/* Several inputs: each view is read, summed and filtered on its own. */
static int read_extra_views(pk_cli *cli, extra_views *x, pk_error *err)
{
    static const char *const all[] = {"peak", "leaks", "total"};
    pk_read_options saved = cli->read;
    int rc = 0;
    for (size_t i = 0; i < 3 && rc == 0; i++) {
        if (strcmp(all[i], saved.view) == 0) continue;
        cli->read.view = all[i];
        pk_profile *p = pk_cli_read(cli, err);
        if (!p) {
            /* A view the capture cannot give (an aggregated capture has no
             * total): the report shows the others. */
            *err = (pk_error){{0}};
            continue;
        }
        x->profiles[x->n] = p;
        x->names[x->n++] = all[i];
    }
    cli->read = saved;
    return rc;
}

/* pfilter without -t, and an OUTPUT whose name names no format: the
 * input's own format, when it can be written. */
static const char *kept_format(const pk_cli *cli, const pk_profile *p, pk_error *err)
{
    if (cli->to || (strcmp(cli->output, "-") != 0 && pk_format_for_path(cli->output, true)))
        return cli->to;
    const pk_format *fmt = p->format ? pk_format_by_name(p->format) : NULL;
    if (fmt && fmt->write) return fmt->name;
    pk_error_set(err,
                 "%s profiles cannot be written back: name an output format with -t or "
                 "OUTPUT's name (.folded, .pstats, .json, ...)",
                 p->format ? p->format : "these");
    return NULL;
}

static int run(pk_cli *cli, bool is_filter)
{
    if (is_filter && !pk_filter_active(&cli->filter))
        return pk_cli_usage_error("nothing to filter: give --focus, --ignore, --hide, --root, "
                                  "--map, ... (pconv converts without filters)");
    if (!cli->output) {
        if (!is_filter) return pk_cli_usage_error("missing -o OUTPUT");
        cli->output = "-";
    }
    const pk_format *fmt = output_format(cli);
    if (cli->write.flamechart && fmt && strncmp(fmt->name, "flamegraph", 10) != 0)
        return pk_cli_usage_error("--flamechart draws flame graphs (.svg, .png), not %s",
                                  fmt->name);
    pk_error err = {{0}};
    extra_views x = {.n = 0};
    pk_profile *p = read_with_views(cli, &x, &err);
    if (!p) {
        free_extra_views(&x);
        return pk_cli_error(&err);
    }
    const char *to = cli->to;
    if (is_filter && !(to = kept_format(cli, p, &err))) {
        if (err.msg[0]) {
            pk_profile_free(p);
            free_extra_views(&x);
            return pk_cli_error(&err);
        }
    }
    pk_write_options wopt = cli->write;
    wopt.metric = cli->filter.metric; /* found by pk_cli_apply_filter; -1: the first */
    int rc = 0;
    if (x.n == 0 && wants_views(p, cli)) rc = read_extra_views(cli, &x, &err);
    wopt.nviews = x.n;
    wopt.views = x.profiles;
    wopt.view_names = x.names;
    if (rc == 0) rc = pk_write_profile(p, cli->output, to, &wopt, &err);
    pk_profile_free(p);
    free_extra_views(&x);
    return rc == 0 ? PK_EXIT_OK : pk_cli_error(&err);
}

int pk_cli_convert(int argc, char **argv, const char *command)
{
    pk_cli cli;
    int rc = pk_cli_parse(&cli, command, argc, argv, NULL, NULL);
    if (rc == 0) rc = run(&cli, strcmp(command, "pfilter") == 0);
    pk_cli_free(&cli);
    return rc < 0 ? PK_EXIT_OK : rc;
}
