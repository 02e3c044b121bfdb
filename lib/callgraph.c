#include "callgraph.h"
#include "pattern.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pk_callgraph_options_init(pk_callgraph_options *o)
{
    memset(o, 0, sizeof *o);
    o->metric = -1;
    o->node_thres = 0.5;
    o->edge_thres = 0.1;
    o->depth = -1;
}

/* Compressed adjacency: the edges leaving (or entering) each function. */
typedef struct {
    size_t *start; /* nfuncs + 1 offsets into edge */
    pk_id *edge;   /* edge indexes */
} adjacency;

static void adjacency_free(adjacency *a)
{
    free(a->start);
    free(a->edge);
}

/* Edges selected by keep (all when NULL), grouped by caller or by callee. */
static int adjacency_build(const pk_profile *p, const bool *keep, bool by_callee, adjacency *a)
{
    a->start = calloc(p->nfuncs + 1, sizeof *a->start);
    a->edge = malloc((p->nedges ? p->nedges : 1) * sizeof *a->edge);
    if (!a->start || !a->edge) {
        adjacency_free(a);
        return -1;
    }
    for (size_t e = 0; e < p->nedges; e++) {
        if (keep && !keep[e]) continue;
        pk_id f = by_callee ? p->edges[e].callee : p->edges[e].caller;
        a->start[f + 1]++;
    }
    for (size_t f = 0; f < p->nfuncs; f++)
        a->start[f + 1] += a->start[f];
    size_t *fill = malloc((p->nfuncs ? p->nfuncs : 1) * sizeof *fill);
    if (!fill) {
        adjacency_free(a);
        return -1;
    }
    memcpy(fill, a->start, p->nfuncs * sizeof *fill);
    for (size_t e = 0; e < p->nedges; e++) {
        if (keep && !keep[e]) continue;
        pk_id f = by_callee ? p->edges[e].callee : p->edges[e].caller;
        a->edge[fill[f]++] = (pk_id)e;
    }
    free(fill);
    return 0;
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

static double share(double value, double total)
{
    if (total <= 0) return value > 0 ? 1.0 : 0.0;
    return clamp01(value / total);
}

/* True when the source gave call counts but no values per edge (the pure
 * Python profiler): every edge value is then estimated from the calls. */
static bool edges_lack_values(const pk_profile *p, int m)
{
    if (!p->has_calls || p->nedges == 0) return false;
    for (size_t e = 0; e < p->nedges; e++)
        if (p->edges[e].incl[m] != 0 || p->edges[e].self[m] != 0) return false;
    return true;
}

static double edge_value(const pk_profile *p, const pk_callgraph *cg, size_t e)
{
    const pk_edge *edge = &p->edges[e];
    if (!cg->edges_estimated) return (double)edge->incl[cg->metric];
    /* As gprof2dot: the callee's inclusive value in proportion to the calls. */
    const pk_function *callee = &p->funcs[edge->callee];
    double fraction = callee->calls > 0 ? clamp01((double)edge->calls / callee->calls) : 1.0;
    return fraction * (double)callee->incl[cg->metric];
}

/* gprof2dot's ratio: 0/0 is 1, the rest clamped to [0, 1]. */
static double call_ratio(double value, double total)
{
    return total == 0 ? 1.0 : clamp01(value / total);
}

/* --total callratios, gprof's heuristic as gprof2dot has it: a function's
 * total is its self value plus, for each call it makes, the callee's total
 * times that call's share of the callee's incoming calls. A recursion cycle
 * counts as one unit: its members' self values, plus the calls leaving it;
 * each member gets the cycle's total. The units form an acyclic graph, done
 * callees first (Kahn's algorithm on the callers' pending calls). */
typedef struct {
    const pk_profile *p;
    const pk_callgraph *cg;
    double *in_func, *in_cycle; /* incoming call values, self-calls excluded */
    double *unit_total;         /* per unit: nfuncs functions, then the cycles */
} ratios;

static size_t unit_of(const ratios *r, pk_id f)
{
    return r->cg->scc[f] != PK_NONE ? r->p->nfuncs + r->cg->scc[f] : f;
}

/* The share of the callee's (or its cycle's) incoming calls that edge e makes. */
static double ratio_of_edge(const ratios *r, size_t e, double value)
{
    const pk_edge *edge = &r->p->edges[e];
    pk_id to = r->cg->scc[edge->callee];
    if (to != PK_NONE && r->cg->scc[edge->caller] != to) return call_ratio(value, r->in_cycle[to]);
    return call_ratio(value, r->in_func[edge->callee]);
}

static int integrate_call_ratios(const pk_profile *p, pk_callgraph *cg, double *func_total,
                                 double *edge_total)
{
    size_t nunits = p->nfuncs + cg->nscc, alloc = nunits ? nunits : 1;
    ratios r = {p, cg, calloc(alloc, sizeof(double)), calloc(alloc, sizeof(double)),
                calloc(alloc, sizeof(double))};
    size_t *pending = calloc(alloc, sizeof *pending);
    pk_id *queue = malloc(alloc * sizeof *queue);
    /* each unit's functions: members[first[u] .. first[u + 1]) */
    size_t *first = calloc(alloc + 1, sizeof *first);
    pk_id *members = malloc((p->nfuncs ? p->nfuncs : 1) * sizeof *members);
    adjacency in;
    int rc = -1;
    if (!r.in_func || !r.in_cycle || !r.unit_total || !pending || !queue || !first || !members ||
        adjacency_build(p, NULL, true, &in) != 0)
        goto out;
    for (size_t f = 0; f < p->nfuncs; f++)
        first[unit_of(&r, (pk_id)f) + 1]++;
    for (size_t u = 0; u < nunits; u++)
        first[u + 1] += first[u];
    for (size_t f = 0; f < p->nfuncs; f++)
        members[first[unit_of(&r, (pk_id)f)] + pending[unit_of(&r, (pk_id)f)]++] = (pk_id)f;
    memset(pending, 0, alloc * sizeof *pending);
    double *value = edge_total; /* the calls' own values first, then their totals */
    for (size_t e = 0; e < p->nedges; e++) {
        const pk_edge *edge = &p->edges[e];
        value[e] = edge_value(p, cg, e);
        if (edge->caller == edge->callee) continue;
        r.in_func[edge->callee] += value[e];
        pk_id to = cg->scc[edge->callee];
        if (to != PK_NONE && cg->scc[edge->caller] != to) r.in_cycle[to] += value[e];
        if (unit_of(&r, edge->caller) != unit_of(&r, edge->callee))
            pending[unit_of(&r, edge->caller)]++;
    }
    for (size_t f = 0; f < p->nfuncs; f++)
        r.unit_total[unit_of(&r, (pk_id)f)] += (double)p->funcs[f].self[cg->metric];
    size_t head = 0, tail = 0;
    for (size_t u = 0; u < nunits; u++)
        if (pending[u] == 0) queue[tail++] = (pk_id)u;
    /* A unit is done when its calls out are: it then adds its share to each
     * caller's unit, whose pending count drops. */
    while (head < tail) {
        size_t u = queue[head++];
        for (size_t k = first[u]; k < first[u + 1]; k++) {
            pk_id f = members[k];
            for (size_t i = in.start[f]; i < in.start[f + 1]; i++) {
                size_t e = in.edge[i];
                size_t from = unit_of(&r, p->edges[e].caller);
                if (from == u) continue;
                r.unit_total[from] += ratio_of_edge(&r, e, value[e]) * r.unit_total[u];
                if (--pending[from] == 0) queue[tail++] = (pk_id)from;
            }
        }
    }
    for (size_t f = 0; f < p->nfuncs; f++)
        func_total[f] = r.unit_total[unit_of(&r, (pk_id)f)];
    for (size_t e = 0; e < p->nedges; e++) {
        const pk_edge *edge = &p->edges[e];
        double whole = func_total[edge->callee];
        edge_total[e] =
            edge->caller == edge->callee ? whole : ratio_of_edge(&r, e, value[e]) * whole;
    }
    rc = 0;
    adjacency_free(&in);
out:
    free(r.in_func);
    free(r.in_cycle);
    free(r.unit_total);
    free(pending);
    free(queue);
    free(first);
    free(members);
    return rc;
}

static int compute_shares(const pk_profile *p, pk_callgraph *cg, bool call_ratios)
{
    int m = cg->metric;
    double self_total = 0, max_incl = 0;
    for (size_t f = 0; f < p->nfuncs; f++) {
        self_total += (double)p->funcs[f].self[m];
        if ((double)p->funcs[f].incl[m] > max_incl) max_incl = (double)p->funcs[f].incl[m];
    }
    cg->self_total = self_total;
    cg->edges_estimated = edges_lack_values(p, m);
    double *func_total = NULL, *edge_total = NULL;
    if (call_ratios) {
        func_total = malloc((p->nfuncs ? p->nfuncs : 1) * sizeof *func_total);
        edge_total = malloc((p->nedges ? p->nedges : 1) * sizeof *edge_total);
        if (!func_total || !edge_total ||
            integrate_call_ratios(p, cg, func_total, edge_total) != 0) {
            free(func_total);
            free(edge_total);
            return -1;
        }
        max_incl = 0;
        for (size_t f = 0; f < p->nfuncs; f++)
            if (func_total[f] > max_incl) max_incl = func_total[f];
        cg->totals_from_ratios = true;
    }
    cg->total = self_total > max_incl ? self_total : max_incl;
    for (size_t f = 0; f < p->nfuncs; f++) {
        double incl = func_total ? func_total[f] : (double)p->funcs[f].incl[m];
        cg->incl_share[f] = share(incl, cg->total);
        cg->self_share[f] = share((double)p->funcs[f].self[m], cg->self_total);
    }
    for (size_t e = 0; e < p->nedges; e++)
        cg->edge_share[e] = share(edge_total ? edge_total[e] : edge_value(p, cg, e), cg->total);
    free(func_total);
    free(edge_total);
    return 0;
}

static void keep_edges_between_kept(const pk_profile *p, pk_callgraph *cg, bool thresholds,
                                    double edge_thres)
{
    for (size_t e = 0; e < p->nedges; e++) {
        const pk_edge *edge = &p->edges[e];
        bool ends = cg->keep_func[edge->caller] && cg->keep_func[edge->callee];
        bool ok = thresholds ? !(cg->edge_share[e] < edge_thres) : cg->keep_edge[e];
        cg->keep_edge[e] = ends && ok;
    }
}

/* Keep only the kept functions reachable from (or reaching, when up) the
 * ones matching pattern (lib/pattern.h), within depth calls. */
static int select_reachable(const pk_profile *p, pk_callgraph *cg, const char *pattern,
                            const char *what, int depth, bool up, pk_error *err)
{
    pk_error perr;
    pk_pattern *re = pk_pattern_new(pattern, &perr);
    if (!re) {
        pk_error_set(err, "--%s: %s", what, perr.msg);
        return -1;
    }
    adjacency adj;
    pk_id *queue = malloc((p->nfuncs ? p->nfuncs : 1) * sizeof *queue);
    int *dist = malloc((p->nfuncs ? p->nfuncs : 1) * sizeof *dist);
    if (!queue || !dist || adjacency_build(p, cg->keep_edge, up, &adj) != 0) {
        pk_pattern_free(re);
        free(queue);
        free(dist);
        pk_error_set(err, "out of memory");
        return -1;
    }
    size_t head = 0, tail = 0;
    for (size_t f = 0; f < p->nfuncs; f++) {
        dist[f] = -1;
        if (cg->keep_func[f] && pk_pattern_match_function(re, &p->funcs[f])) {
            dist[f] = 0;
            queue[tail++] = (pk_id)f;
        }
    }
    pk_pattern_free(re);
    if (tail == 0) {
        pk_error_set(err,
                     "--%s '%s' matches no function shown (lower --node-thres and --edge-thres)",
                     what, pattern);
        adjacency_free(&adj);
        free(queue);
        free(dist);
        return -1;
    }
    while (head < tail) { /* breadth first, so depth counts the shortest path */
        pk_id f = queue[head++];
        if (depth >= 0 && dist[f] >= depth) continue;
        for (size_t i = adj.start[f]; i < adj.start[f + 1]; i++) {
            const pk_edge *edge = &p->edges[adj.edge[i]];
            pk_id next = up ? edge->caller : edge->callee;
            if (dist[next] < 0) {
                dist[next] = dist[f] + 1;
                queue[tail++] = next;
            }
        }
    }
    for (size_t f = 0; f < p->nfuncs; f++)
        cg->keep_func[f] = cg->keep_func[f] && dist[f] >= 0;
    keep_edges_between_kept(p, cg, false, 0);
    adjacency_free(&adj);
    free(queue);
    free(dist);
    return 0;
}

/* Tarjan's strongly connected components, iterative: an explicit stack of
 * (function, next out-edge) frames, so deep call chains cannot overflow. */
static int find_components(const pk_profile *p, pk_callgraph *cg)
{
    size_t n = p->nfuncs, alloc = n ? n : 1;
    adjacency adj;
    uint32_t *order = malloc(alloc * sizeof *order), *low = malloc(alloc * sizeof *low);
    pk_id *stack = malloc(alloc * sizeof *stack), *frames = malloc(alloc * sizeof *frames);
    size_t *next = malloc(alloc * sizeof *next);
    bool *on_stack = calloc(alloc, sizeof *on_stack);
    int rc = -1;
    if (!order || !low || !stack || !frames || !next || !on_stack) goto out_noadj;
    if (adjacency_build(p, NULL, false, &adj) != 0) goto out_noadj;
    for (size_t f = 0; f < n; f++) {
        order[f] = UINT32_MAX;
        cg->scc[f] = PK_NONE;
    }
    uint32_t counter = 0;
    size_t sp = 0, fp = 0;
    for (size_t start = 0; start < n; start++) {
        if (order[start] != UINT32_MAX) continue;
        order[start] = low[start] = counter++;
        stack[sp++] = (pk_id)start;
        on_stack[start] = true;
        frames[fp] = (pk_id)start;
        next[fp++] = adj.start[start];
        while (fp > 0) {
            pk_id f = frames[fp - 1];
            if (next[fp - 1] < adj.start[f + 1]) {
                pk_id callee = p->edges[adj.edge[next[fp - 1]++]].callee;
                if (order[callee] == UINT32_MAX) {
                    order[callee] = low[callee] = counter++;
                    stack[sp++] = callee;
                    on_stack[callee] = true;
                    frames[fp] = callee;
                    next[fp++] = adj.start[callee];
                } else if (on_stack[callee] && order[callee] < low[f]) {
                    low[f] = order[callee];
                }
                continue;
            }
            fp--; /* f is done: pop its component if it is a root */
            if (low[f] == order[f]) {
                size_t first = sp;
                do
                    on_stack[stack[--first]] = false;
                while (stack[first] != f);
                if (sp - first > 1) {
                    for (size_t i = first; i < sp; i++)
                        cg->scc[stack[i]] = (pk_id)cg->nscc;
                    cg->nscc++;
                }
                sp = first;
            }
            if (fp > 0 && low[f] < low[frames[fp - 1]]) low[frames[fp - 1]] = low[f];
        }
    }
    rc = 0;
    adjacency_free(&adj);
out_noadj:
    free(order);
    free(low);
    free(stack);
    free(frames);
    free(next);
    free(on_stack);
    return rc;
}

/* A component's inclusive value: what enters it from outside (each stack
 * enters a component once), and never less than a member's own. */
static int component_shares(const pk_profile *p, pk_callgraph *cg)
{
    double *value = calloc(cg->nscc ? cg->nscc : 1, sizeof *value);
    if (!value) return -1;
    for (size_t e = 0; e < p->nedges; e++) {
        pk_id to = cg->scc[p->edges[e].callee];
        if (to != PK_NONE && cg->scc[p->edges[e].caller] != to) value[to] += edge_value(p, cg, e);
    }
    for (size_t c = 0; c < cg->nscc; c++)
        cg->scc_share[c] = share(value[c], cg->total);
    for (size_t f = 0; f < p->nfuncs; f++)
        if (cg->scc[f] != PK_NONE && cg->incl_share[f] > cg->scc_share[cg->scc[f]])
            cg->scc_share[cg->scc[f]] = cg->incl_share[f];
    free(value);
    return 0;
}

static void compute_weights(const pk_profile *p, pk_callgraph *cg, bool by_self)
{
    double max_self = 0;
    for (size_t f = 0; f < p->nfuncs; f++)
        if (cg->keep_func[f] && cg->self_share[f] > max_self) max_self = cg->self_share[f];
    for (size_t f = 0; f < p->nfuncs; f++) {
        if (!by_self)
            cg->weight[f] = cg->incl_share[f];
        else
            cg->weight[f] = max_self > 0 ? cg->self_share[f] / max_self : 0;
    }
}

static int allocate(const pk_profile *p, pk_callgraph *cg)
{
    size_t nf = p->nfuncs ? p->nfuncs : 1, ne = p->nedges ? p->nedges : 1;
    cg->incl_share = calloc(nf, sizeof(double));
    cg->self_share = calloc(nf, sizeof(double));
    cg->weight = calloc(nf, sizeof(double));
    cg->keep_func = calloc(nf, sizeof(bool));
    cg->scc = calloc(nf, sizeof(pk_id));
    cg->edge_share = calloc(ne, sizeof(double));
    cg->keep_edge = calloc(ne, sizeof(bool));
    cg->scc_share = calloc(nf, sizeof(double)); /* at most nf/2 components */
    return cg->incl_share && cg->self_share && cg->weight && cg->keep_func && cg->scc &&
                   cg->edge_share && cg->keep_edge && cg->scc_share
               ? 0
               : -1;
}

int pk_callgraph_build(pk_profile *p, const pk_callgraph_options *o, pk_callgraph *cg,
                       pk_error *err)
{
    memset(cg, 0, sizeof *cg);
    if (p->nmetrics < 1) {
        pk_error_set(err, "the profile has no metric");
        return -1;
    }
    cg->metric = o->metric >= 0 && o->metric < p->nmetrics ? o->metric : 0;
    pk_ensure_graph(p);
    if (allocate(p, cg) != 0 || find_components(p, cg) != 0) goto oom;
    if (compute_shares(p, cg, o->call_ratios) != 0) goto oom;
    for (size_t f = 0; f < p->nfuncs; f++)
        cg->keep_func[f] = !(cg->incl_share[f] < o->node_thres / 100.0);
    keep_edges_between_kept(p, cg, true, o->edge_thres / 100.0);
    if (o->root && select_reachable(p, cg, o->root, "root", o->depth, false, err) != 0) goto fail;
    if (o->leaf && select_reachable(p, cg, o->leaf, "leaf", o->depth, true, err) != 0) goto fail;
    if (component_shares(p, cg) != 0) goto oom;
    compute_weights(p, cg, o->color_by_self);
    for (size_t f = 0; f < p->nfuncs; f++)
        cg->nkept_funcs += cg->keep_func[f];
    for (size_t e = 0; e < p->nedges; e++)
        cg->nkept_edges += cg->keep_edge[e];
    return 0;
oom:
    pk_error_set(err, "out of memory");
fail:
    pk_callgraph_free(cg);
    return -1;
}

void pk_callgraph_free(pk_callgraph *cg)
{
    free(cg->incl_share);
    free(cg->self_share);
    free(cg->weight);
    free(cg->edge_share);
    free(cg->keep_func);
    free(cg->keep_edge);
    free(cg->scc);
    free(cg->scc_share);
    memset(cg, 0, sizeof *cg);
}
