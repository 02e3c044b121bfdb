/* The model as JSON (docs/model-json.md), written with jansson. */
#include <jansson.h>
#include <stdlib.h>

#include "../lib/escape.h"
#include "format.h"

static json_t *string_value(const char *s)
{
    char *scratch;
    json_t *v = json_string(pk_utf8_valid(s ? s : "", &scratch));
    free(scratch);
    return v;
}

static json_t *values(const pk_profile *p, const int64_t *v)
{
    json_t *a = json_array();
    for (int m = 0; m < p->nmetrics; m++)
        json_array_append_new(a, json_integer(v[m]));
    return a;
}

static json_t *functions_json(const pk_profile *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->nfuncs; i++) {
        const pk_function *f = &p->funcs[i];
        json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:i, s:s, s:I, s:I, s:o, s:o}", "id",
                                           (json_int_t)i, "name", string_value(f->name), "file",
                                           string_value(f->file), "line", (int)f->line, "kind",
                                           pk_kind_name(f->kind), "calls", (json_int_t)f->calls,
                                           "pcalls", (json_int_t)f->pcalls, "self",
                                           values(p, f->self), "incl", values(p, f->incl)));
    }
    return a;
}

static json_t *edges_json(const pk_profile *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->nedges; i++) {
        const pk_edge *e = &p->edges[i];
        json_array_append_new(a, json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "caller",
                                           (json_int_t)e->caller, "callee", (json_int_t)e->callee,
                                           "calls", (json_int_t)e->calls, "pcalls",
                                           (json_int_t)e->pcalls, "self", values(p, e->self),
                                           "incl", values(p, e->incl)));
    }
    return a;
}

static json_t *tree_json(const pk_profile *p)
{
    json_t *a = json_array();
    for (size_t i = 1; i < p->nnodes; i++) {
        const pk_node *n = &p->nodes[i];
        json_array_append_new(a,
                              json_pack("{s:I, s:I, s:I, s:i, s:o}", "id", (json_int_t)i, "parent",
                                        (json_int_t)n->parent, "func", (json_int_t)n->func, "line",
                                        (int)n->line, "self", values(p, n->self)));
    }
    return a;
}

static json_t *lines_json(const pk_profile *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->nlines; i++) {
        const pk_line *l = &p->lines[i];
        json_array_append_new(a, json_pack("{s:I, s:i, s:o}", "func", (json_int_t)l->func, "line",
                                           (int)l->line, "v", values(p, l->v)));
    }
    return a;
}

static json_t *series_json(const pk_profile *p)
{
    json_t *points = json_array();
    for (size_t i = 0; i < p->nseries; i++) {
        const pk_series_point *s = &p->series[i];
        json_array_append_new(points, json_pack("[I, I, I]", (json_int_t)s->t_ns,
                                                (json_int_t)s->v[0], (json_int_t)s->v[1]));
    }
    return json_pack("{s:[s, s], s:o}", "names", p->series_names[0] ? p->series_names[0] : "",
                     p->series_names[1] ? p->series_names[1] : "", "points", points);
}

static json_t *model_json(pk_profile *p)
{
    pk_ensure_graph(p);
    json_t *metrics = json_array(), *totals = json_array(), *meta = json_object();
    for (int m = 0; m < p->nmetrics; m++) {
        json_array_append_new(metrics, json_pack("{s:s, s:s}", "name", p->metrics[m].name, "unit",
                                                 p->metrics[m].unit));
        json_array_append_new(totals, json_integer(pk_total(p, m)));
    }
    for (size_t i = 0; i < p->nmeta; i++) {
        char *scratch;
        json_object_set_new(meta, pk_utf8_valid(p->meta[i].key, &scratch),
                            string_value(p->meta[i].value));
        free(scratch);
    }
    json_t *root =
        json_pack("{s:s, s:s, s:o, s:b, s:b, s:o, s:o, s:o, s:o}", "schema", "profkit-model/1",
                  "format", p->format ? p->format : "", "metrics", metrics, "estimated",
                  p->estimated, "has_calls", p->has_calls, "meta", meta, "totals", totals,
                  "functions", functions_json(p), "edges", edges_json(p));
    if (p->has_tree) json_object_set_new(root, "tree", tree_json(p));
    if (p->nlines) json_object_set_new(root, "lines", lines_json(p));
    if (p->nseries) json_object_set_new(root, "series", series_json(p));
    return root;
}

static int write_json(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err)
{
    (void)opt;
    json_t *root = model_json(p);
    int rc = json_dumpf(root, f, JSON_COMPACT);
    json_decref(root);
    if (rc != 0)
        pk_error_set(err, "cannot write JSON");
    else
        fputc('\n', f);
    return rc;
}

const pk_format pk_format_json = {
    .name = "json",
    .patterns = "*.json",
    .description = "the profile model as JSON (docs/model-json.md)",
    .write = write_json,
};
