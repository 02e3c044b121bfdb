/* pk_profile_merge: add one profile into another (see merge.h). */
#include "merge.h"

#include <stdlib.h>
#include <string.h>

#include "hmap.h"

/* dst's index of each of src's metrics, -1 when dropped. */
static int map_metrics(pk_profile *dst, const pk_profile *src, int *map, pk_error *err)
{
    for (int m = 0; m < src->nmetrics; m++) {
        int d = pk_metric_find(dst, src->metrics[m].name);
        if (d >= 0 && strcmp(dst->metrics[d].unit, src->metrics[m].unit) != 0) {
            pk_error_set(err, "cannot merge metric '%s' in %s with one in %s", src->metrics[m].name,
                         src->metrics[m].unit, dst->metrics[d].unit);
            return -1;
        }
    }
    for (int m = 0; m < src->nmetrics; m++) {
        int d = pk_metric_find(dst, src->metrics[m].name);
        if (d < 0 && dst->nmetrics < PK_MAX_METRICS)
            d = pk_add_metric(dst, src->metrics[m].name, src->metrics[m].unit);
        map[m] = d;
    }
    return 0;
}

/* src's metric m goes to dst's map[m] (-1: dropped), its values multiplied
 * by scale[m] to dst's decimals (the side with fewer decimals is multiplied
 * up: no digit is lost). */
typedef struct {
    int map[PK_MAX_METRICS];
    int64_t scale[PK_MAX_METRICS];
} metric_map;

static void match_decimals(pk_profile *dst, const pk_profile *src, metric_map *mm)
{
    for (int m = 0; m < src->nmetrics; m++) {
        mm->scale[m] = 1;
        if (mm->map[m] < 0) continue;
        int sd = src->metrics[m].decimals, dd = dst->metrics[mm->map[m]].decimals;
        if (sd > dd) pk_metric_rescale(dst, mm->map[m], dd = sd);
        for (int k = sd; k < dd; k++)
            mm->scale[m] *= 10;
    }
}

static void add_values(int64_t *dst, const int64_t *src, const metric_map *mm, int n)
{
    for (int m = 0; m < n; m++)
        if (mm->map[m] >= 0) dst[mm->map[m]] += src[m] * mm->scale[m];
}

static pk_id *merge_functions(pk_profile *dst, const pk_profile *src, const metric_map *map)
{
    pk_id *fmap = pk_xmalloc((src->nfuncs ? src->nfuncs : 1) * sizeof *fmap);
    for (size_t i = 0; i < src->nfuncs; i++) {
        const pk_function *s = &src->funcs[i];
        fmap[i] = pk_function_get(dst, pk_intern_cstr(dst, s->name),
                                  s->file ? pk_intern_cstr(dst, s->file) : NULL, s->line, s->kind);
        pk_function *d = &dst->funcs[fmap[i]];
        add_values(d->self, s->self, map, src->nmetrics);
        add_values(d->incl, s->incl, map, src->nmetrics);
        d->calls += s->calls;
        d->pcalls += s->pcalls;
    }
    return fmap;
}

static void merge_edges(pk_profile *dst, const pk_profile *src, const pk_id *fmap,
                        const metric_map *map)
{
    for (size_t i = 0; i < src->nedges; i++) {
        const pk_edge *s = &src->edges[i];
        pk_edge *d = pk_edge_get(dst, fmap[s->caller], fmap[s->callee]);
        d->calls += s->calls;
        d->pcalls += s->pcalls;
        add_values(d->self, s->self, map, src->nmetrics);
        add_values(d->incl, s->incl, map, src->nmetrics);
    }
}

/* Children have larger ids than their parents: one forward pass. */
static void merge_tree(pk_profile *dst, const pk_profile *src, const pk_id *fmap,
                       const metric_map *map)
{
    if (src->nnodes <= 1) return;
    pk_id *nmap = pk_xmalloc(src->nnodes * sizeof *nmap);
    nmap[0] = 0;
    for (size_t i = 1; i < src->nnodes; i++) {
        const pk_node *s = &src->nodes[i];
        pk_id func = s->func == PK_NONE ? PK_NONE : fmap[s->func];
        nmap[i] = pk_tree_child(dst, nmap[s->parent], func, s->line);
        add_values(dst->nodes[nmap[i]].self, s->self, map, src->nmetrics);
    }
    free(nmap);
}

static void merge_lines(pk_profile *dst, const pk_profile *src, const pk_id *fmap,
                        const metric_map *map)
{
    for (size_t i = 0; i < src->nlines; i++) {
        const pk_line *s = &src->lines[i];
        pk_line *d = pk_line_get(dst, fmap[s->func], s->line);
        add_values(d->v, s->v, map, src->nmetrics);
    }
}

static void merge_rest(pk_profile *dst, const pk_profile *src, bool dst_empty)
{
    for (size_t i = 0; i < src->nmeta; i++)
        if (!pk_meta_get(dst, src->meta[i].key))
            pk_meta_set(dst, src->meta[i].key, src->meta[i].value);
    for (size_t i = 0; i < src->nseries; i++)
        pk_series_add(dst, src->series[i].t_ns, src->series[i].v[0], src->series[i].v[1]);
    for (int k = 0; k < 2; k++)
        if (!dst->series_names[k] && src->series_names[k])
            dst->series_names[k] = pk_intern_cstr(dst, src->series_names[k]);
    dst->has_calls = dst_empty ? src->has_calls : dst->has_calls && src->has_calls;
    dst->has_graph |= src->has_graph;
    dst->has_tree |= src->has_tree;
    dst->estimated |= src->estimated;
    if (!dst->format) dst->format = src->format;
}

int pk_profile_merge(pk_profile *dst, const pk_profile *src, pk_error *err)
{
    metric_map map;
    if (map_metrics(dst, src, map.map, err) != 0) return -1;
    match_decimals(dst, src, &map);
    bool dst_empty = dst->nfuncs == 0 && dst->nnodes <= 1;
    pk_id *fmap = merge_functions(dst, src, &map);
    merge_edges(dst, src, fmap, &map);
    merge_tree(dst, src, fmap, &map);
    merge_lines(dst, src, fmap, &map);
    free(fmap);
    merge_rest(dst, src, dst_empty);
    return 0;
}
