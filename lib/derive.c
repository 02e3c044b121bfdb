/* Derivations between the model's views: tree -> graph and tree -> lines
 * (exact), graph -> tree (an estimate). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "heap_history.h"
#include "hmap.h"
#include "limits.h"
#include "profile.h"
#include "timeline.h"

/* Walks the tree depth-first, calling visit on entering and leave on leaving
 * each node, so a visitor can keep per-path state. */
typedef struct {
    void (*enter)(void *ctx, pk_id node);
    void (*leave)(void *ctx, pk_id node);
    void *ctx;
} tree_visitor;

static void walk_tree(const pk_profile *p, const tree_visitor *v)
{
    pk_id *stack = pk_scratch_hold(pk_xmalloc((p->nnodes + 1) * sizeof *stack));
    size_t depth = 0;
    pk_id cur = p->nodes[0].first_child;
    while (cur != PK_NONE) {
        v->enter(v->ctx, cur);
        stack[depth++] = cur;
        pk_id next = p->nodes[cur].first_child;
        /* No child: leave finished frames until one has a next sibling. */
        while (next == PK_NONE && depth) {
            pk_id done = stack[--depth];
            v->leave(v->ctx, done);
            next = p->nodes[done].next_sibling;
        }
        cur = next;
    }
    pk_scratch_free(stack);
}

/* Which caller->callee edges have a call on the current path: an edge's
 * inclusive value counts at its outermost call only (recursion once). */
typedef struct {
    uint32_t *active; /* per edge */
    pk_id *node_edge; /* per node: the edge from its parent's function, or PK_NONE */
} edge_path;

static void edge_path_init(edge_path *e, const pk_profile *p)
{
    /* held: the walk may fail the read. A tree of n nodes implies at most n
     * edges beyond those the graph has. */
    e->active = pk_scratch_hold(pk_xcalloc(p->nnodes + p->nedges + 1, sizeof *e->active));
    e->node_edge = pk_scratch_hold(pk_xmalloc(p->nnodes * sizeof *e->node_edge));
}

static void edge_path_free(edge_path *e)
{
    pk_scratch_free(e->active);
    pk_scratch_free(e->node_edge);
}

/* Node enters the path through edge eid (PK_NONE: none); true when no call
 * of that edge is on the path above it. */
static bool edge_path_enter(edge_path *e, pk_id node, pk_id eid)
{
    e->node_edge[node] = eid;
    return eid != PK_NONE && e->active[eid]++ == 0;
}

static void edge_path_leave(edge_path *e, pk_id node)
{
    if (e->node_edge[node] != PK_NONE) e->active[e->node_edge[node]]--;
}

/* ---- tree -> graph ---- */

typedef struct {
    pk_profile *p;
    int64_t *incl;         /* per node */
    uint32_t *func_active; /* per function: frames of it on the current path */
    edge_path edges;
} graph_walk;

static void graph_enter(void *ctx, pk_id id)
{
    graph_walk *w = ctx;
    pk_profile *p = w->p;
    const pk_node *n = &p->nodes[id];
    int nm = p->nmetrics;
    pk_function *f = &p->funcs[n->func];
    for (int m = 0; m < nm; m++)
        f->self[m] += n->self[m];
    if (w->func_active[n->func]++ == 0)
        for (int m = 0; m < nm; m++)
            f->incl[m] += w->incl[(size_t)id * nm + m];
    if (n->parent == 0) {
        edge_path_enter(&w->edges, id, PK_NONE);
        return;
    }
    pk_edge *e = pk_edge_get(p, p->nodes[n->parent].func, n->func);
    for (int m = 0; m < nm; m++)
        e->self[m] += n->self[m];
    if (edge_path_enter(&w->edges, id, (pk_id)(e - p->edges)))
        for (int m = 0; m < nm; m++)
            e->incl[m] += w->incl[(size_t)id * nm + m];
}

static void graph_leave(void *ctx, pk_id id)
{
    graph_walk *w = ctx;
    w->func_active[w->p->nodes[id].func]--;
    edge_path_leave(&w->edges, id);
}

void pk_derive_graph(pk_profile *p)
{
    for (size_t i = 0; i < p->nfuncs; i++) {
        memset(p->funcs[i].self, 0, (size_t)p->nmetrics * sizeof *p->funcs[i].self);
        memset(p->funcs[i].incl, 0, (size_t)p->nmetrics * sizeof *p->funcs[i].incl);
    }
    p->nedges = 0;
    pk_reindex(p);
    graph_walk w = {.p = p};
    /* held: making edges may fail the read */
    w.incl = pk_scratch_hold(pk_tree_inclusive(p));
    w.func_active = pk_scratch_hold(pk_xcalloc(p->nfuncs + 1, sizeof *w.func_active));
    edge_path_init(&w.edges, p);
    walk_tree(p, &(tree_visitor){graph_enter, graph_leave, &w});
    pk_scratch_free(w.incl);
    pk_scratch_free(w.func_active);
    edge_path_free(&w.edges);
    p->has_graph = true;
}

/* ---- tree -> lines ---- */

typedef struct {
    pk_profile *p;
    int64_t *incl;
    uint32_t *active; /* per line entry */
    pk_id *node_line;
} lines_walk;

static void lines_enter(void *ctx, pk_id id)
{
    lines_walk *w = ctx;
    const pk_node *n = &w->p->nodes[id];
    w->node_line[id] = PK_NONE;
    if (n->line <= 0) return;
    pk_line *l = pk_line_get(w->p, n->func, n->line);
    pk_id lid = (pk_id)(l - w->p->lines);
    w->node_line[id] = lid;
    if (w->active[lid]++ == 0)
        for (int m = 0; m < w->p->nmetrics; m++)
            l->v[m] += w->incl[(size_t)id * w->p->nmetrics + m];
}

static void lines_leave(void *ctx, pk_id id)
{
    lines_walk *w = ctx;
    if (w->node_line[id] != PK_NONE) w->active[w->node_line[id]]--;
}

void pk_derive_lines(pk_profile *p)
{
    lines_walk w = {.p = p};
    /* held: making line entries may fail the read */
    w.incl = pk_scratch_hold(pk_tree_inclusive(p));
    /* Each node adds at most one line entry: size the counters for all. */
    w.active = pk_scratch_hold(pk_xcalloc(p->nlines + p->nnodes + 1, sizeof *w.active));
    w.node_line = pk_scratch_hold(pk_xmalloc(p->nnodes * sizeof *w.node_line));
    walk_tree(p, &(tree_visitor){lines_enter, lines_leave, &w});
    pk_scratch_free(w.incl);
    pk_scratch_free(w.active);
    pk_scratch_free(w.node_line);
}

/* ---- tree -> call sites ---- */

typedef struct {
    pk_profile *p;
    int64_t *incl; /* per node */
    edge_path edges;
    pk_hmap index; /* (caller, line, callee) -> call site */
} callsites_walk;

typedef struct {
    const pk_profile *p;
    pk_id caller, callee;
    int32_t line;
} callsite_key;

static bool callsite_eq(const void *ctx, uint32_t id)
{
    const callsite_key *k = ctx;
    const pk_callsite *c = &k->p->callsites[id];
    return c->caller == k->caller && c->callee == k->callee && c->line == k->line;
}

static pk_callsite *callsite_get(callsites_walk *w, pk_id caller, int32_t line, pk_id callee)
{
    pk_profile *p = w->p;
    callsite_key k = {p, caller, callee, line};
    uint64_t h = pk_hash_mix(pk_hash_mix(pk_hash_mix(5, caller), callee), (uint32_t)line);
    uint32_t id = pk_hmap_get(&w->index, h, callsite_eq, &k, (uint32_t)p->ncallsites);
    if (id == p->ncallsites) {
        PK_GROW(p->callsites, p->capcallsites, p->ncallsites + 1);
        p->callsites[p->ncallsites++] =
            (pk_callsite){.caller = caller, .callee = callee, .line = line};
    }
    return &p->callsites[id];
}

/* A frame's inclusive value goes to the call site of its parent's frame
 * (that frame's function and line), when it is its edge's outermost call:
 * a pair's call sites then add up to its edge. */
static void callsites_enter(void *ctx, pk_id id)
{
    callsites_walk *w = ctx;
    const pk_node *n = &w->p->nodes[id];
    const pk_node *caller = &w->p->nodes[n->parent];
    const pk_edge *e = n->parent ? pk_edge_find(w->p, caller->func, n->func) : NULL;
    if (!edge_path_enter(&w->edges, id, e ? (pk_id)(e - w->p->edges) : PK_NONE)) return;
    pk_callsite *c = callsite_get(w, caller->func, caller->line, n->func);
    for (int m = 0; m < w->p->nmetrics; m++)
        c->incl[m] += w->incl[(size_t)id * w->p->nmetrics + m];
}

static void callsites_leave(void *ctx, pk_id id)
{
    callsites_walk *w = ctx;
    edge_path_leave(&w->edges, id);
}

static int cmp_callsites(const void *a, const void *b)
{
    const pk_callsite *x = a, *y = b;
    if (x->caller != y->caller) return x->caller < y->caller ? -1 : 1;
    if (x->callee != y->callee) return x->callee < y->callee ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static bool tree_has_lines(const pk_profile *p)
{
    for (size_t i = 1; i < p->nnodes; i++)
        if (p->nodes[i].line != 0) return true;
    return false;
}

void pk_derive_callsites(pk_profile *p)
{
    p->ncallsites = 0;
    if (!p->has_tree || p->estimated || !tree_has_lines(p)) return;
    pk_ensure_graph(p);
    callsites_walk w = {.p = p};
    w.incl = pk_scratch_hold(pk_tree_inclusive(p));
    edge_path_init(&w.edges, p);
    /* Each node adds at most one call site: sized for all, the index never
     * grows, so its slots can be held. */
    pk_hmap_reserve(&w.index, p->nnodes);
    pk_scratch_hold(w.index.slots);
    walk_tree(p, &(tree_visitor){callsites_enter, callsites_leave, &w});
    pk_scratch_free(w.incl);
    edge_path_free(&w.edges);
    pk_scratch_free(w.index.slots);
    pk_sort(p->callsites, p->ncallsites, sizeof *p->callsites, cmp_callsites);
}

/* ---- graph -> tree (estimate) ----
 *
 * Each node gets a target: the inclusive values it stands for. A function's
 * callees share its target in proportion to the edges (the callee's
 * inclusive value in calls from it, over the callee's whole inclusive
 * value); what the callees do not take is the node's self. A callee already
 * on the path (recursion) is folded into its caller: its share stays in the
 * caller's self. A callee whose share is too small to see is not expanded:
 * it is a leaf holding its whole share (its subtree merged into it). Every
 * node's subtree adds up to its target exactly and the roots' targets add up
 * to the profile's total, so the estimated tree's root is the total. */

typedef struct {
    pk_profile *p;
    pk_id **callees; /* per function: outgoing edge ids */
    size_t *ncallees;
    bool *on_path;
    double cutoff; /* values of metric 0 below this are not expanded */
} tree_estimate;

/* Give node the value target: children take their shares (rounded down, so
 * they never exceed it), the node keeps the rest. */
static void expand(tree_estimate *t, pk_id node, pk_id f, const int64_t *target, int depth)
{
    pk_profile *p = t->p;
    int nm = p->nmetrics;
    const pk_function *fn = &p->funcs[f];
    int64_t rest[PK_MAX_METRICS] = {0};
    memcpy(rest, target, (size_t)nm * sizeof *rest); /* target holds nm values */
    bool expand_callees = depth <= 4096 && t->ncallees[f] > 0;
    /* Scale the shares down when the edges promise more than the target
     * (edges counted through recursion): the children then fill it. */
    double scale[PK_MAX_METRICS];
    for (int m = 0; m < nm; m++) {
        double want = 0;
        for (size_t i = 0; expand_callees && i < t->ncallees[f]; i++) {
            const pk_edge *e = &p->edges[t->callees[f][i]];
            if (!t->on_path[e->callee] && e->incl[m] > 0) want += (double)e->incl[m];
        }
        double have = fn->incl[m] > 0 ? (double)target[m] / (double)fn->incl[m] : 0;
        scale[m] = have;
        if (want * have > (double)target[m] && want > 0) scale[m] = (double)target[m] / want;
    }
    t->on_path[f] = true;
    for (size_t i = 0; expand_callees && i < t->ncallees[f]; i++) {
        const pk_edge *e = &p->edges[t->callees[f][i]];
        if (t->on_path[e->callee]) continue; /* recursion: stays in this frame */
        int64_t share[PK_MAX_METRICS] = {0};
        bool any = false;
        for (int m = 0; m < nm; m++) {
            double v = e->incl[m] > 0 ? floor((double)e->incl[m] * scale[m]) : 0;
            /* a negative target (memory growth) scales without bound */
            if (!(v > -9.2e18 && v < 9.2e18)) v = v > 0 ? 9.2e18 : -9.2e18;
            share[m] = (int64_t)v < rest[m] ? (int64_t)v : rest[m];
            if (share[m] < 0) share[m] = 0;
            any |= share[m] != 0;
        }
        if (!any) continue;
        for (int m = 0; m < nm; m++)
            rest[m] -= share[m];
        pk_id child = pk_tree_child(p, node, e->callee, 0);
        if ((double)share[0] < t->cutoff) { /* too small to see: its subtree in it */
            for (int m = 0; m < nm; m++)
                p->nodes[child].self[m] += share[m];
        } else {
            expand(t, child, e->callee, share, depth + 1);
        }
    }
    t->on_path[f] = false;
    for (int m = 0; m < nm; m++)
        p->nodes[node].self[m] += rest[m];
}

/* The roots' targets: each function's inclusive value not explained by its
 * callers, scaled so that they add up to the total of every metric. */
static void root_targets(const pk_profile *p, int64_t *targets)
{
    int nm = p->nmetrics;
    double *from_callers = pk_xcalloc(p->nfuncs * (size_t)nm + 1, sizeof *from_callers);
    for (size_t i = 0; i < p->nedges; i++) {
        const pk_edge *e = &p->edges[i];
        if (e->caller == e->callee) continue;
        for (int m = 0; m < nm; m++)
            from_callers[(size_t)e->callee * nm + m] += (double)e->incl[m];
    }
    for (int m = 0; m < nm; m++) {
        int64_t total = 0;
        double sum = 0;
        size_t largest = 0;
        for (size_t f = 0; f < p->nfuncs; f++) {
            total += p->funcs[f].self[m];
            double r = (double)p->funcs[f].incl[m] - from_callers[f * nm + m];
            from_callers[f * nm + m] = r > 0 ? r : 0;
            sum += from_callers[f * nm + m];
            if (p->funcs[f].incl[m] > p->funcs[largest].incl[m]) largest = f;
        }
        int64_t given = 0;
        for (size_t f = 0; f < p->nfuncs; f++) {
            double r = from_callers[f * nm + m];
            targets[f * nm + m] = sum > 0 ? (int64_t)floor(r * (double)total / sum) : 0;
            given += targets[f * nm + m];
        }
        /* Rounding, or a graph of cycles only (no function is a root): the
         * rest goes to the function with the largest inclusive value. */
        if (p->nfuncs) targets[largest * nm + m] += total - given;
    }
    free(from_callers);
}

void pk_derive_tree(pk_profile *p)
{
    if (p->nmetrics == 0) return;
    int nm = p->nmetrics;
    tree_estimate t = {.p = p};
    t.callees = pk_xcalloc(p->nfuncs + 1, sizeof *t.callees);
    t.ncallees = pk_xcalloc(p->nfuncs + 1, sizeof *t.ncallees);
    t.on_path = pk_xcalloc(p->nfuncs + 1, sizeof *t.on_path);
    size_t *caps = pk_xcalloc(p->nfuncs + 1, sizeof *caps);
    for (size_t i = 0; i < p->nedges; i++) {
        const pk_edge *e = &p->edges[i];
        PK_GROW(t.callees[e->caller], caps[e->caller], t.ncallees[e->caller] + 1);
        t.callees[e->caller][t.ncallees[e->caller]++] = (pk_id)i;
    }
    int64_t *targets = pk_xmalloc((p->nfuncs * (size_t)nm + 1) * sizeof *targets);
    root_targets(p, targets);
    /* Expanding every path of a big graph explodes: shares below this are
     * leaves holding their subtree. */
    t.cutoff = (double)pk_total(p, 0) * 1e-5;
    for (size_t f = 0; f < p->nfuncs; f++) {
        bool any = false;
        for (int m = 0; m < nm; m++)
            any |= targets[f * nm + m] != 0;
        if (any) expand(&t, pk_tree_child(p, 0, (pk_id)f, 0), (pk_id)f, targets + f * nm, 0);
    }
    for (size_t i = 0; i < p->nfuncs; i++)
        free(t.callees[i]);
    free(t.callees);
    free(t.ncallees);
    free(t.on_path);
    free(targets);
    free(caps);
    p->has_tree = true;
    p->estimated = true;
}

void pk_ensure_graph(pk_profile *p)
{
    if (!p->has_graph && p->has_tree) pk_derive_graph(p);
    p->has_graph = true;
}

void pk_ensure_tree(pk_profile *p)
{
    if (!p->has_tree && p->has_graph) pk_derive_tree(p);
}

/* ---- merging thread and process roots ---- */

static bool is_root_kind(pk_kind kind)
{
    return kind == PK_KIND_THREAD || kind == PK_KIND_PROCESS;
}

/* The process and thread functions go too: without --threads they are no
 * functions of the program (ptop's count, callgrind's entries, tables). */
static void drop_root_functions(pk_profile *p)
{
    pk_id *fmap = pk_scratch_hold(pk_xmalloc((p->nfuncs + 1) * sizeof *fmap));
    size_t k = 0;
    for (size_t f = 0; f < p->nfuncs; f++) {
        fmap[f] = is_root_kind(p->funcs[f].kind) ? PK_NONE : (pk_id)k;
        if (fmap[f] != PK_NONE) p->funcs[k++] = p->funcs[f];
    }
    p->nfuncs = k;
    for (size_t i = 1; i < p->nnodes; i++)
        p->nodes[i].func = fmap[p->nodes[i].func];
    k = 0;
    for (size_t i = 0; i < p->nedges; i++) {
        pk_edge e = p->edges[i];
        if (fmap[e.caller] == PK_NONE || fmap[e.callee] == PK_NONE) continue;
        e.caller = fmap[e.caller];
        e.callee = fmap[e.callee];
        p->edges[k++] = e;
    }
    p->nedges = k;
    k = 0;
    for (size_t i = 0; i < p->nlines; i++) {
        pk_line l = p->lines[i];
        if (fmap[l.func] == PK_NONE) continue;
        l.func = fmap[l.func];
        p->lines[k++] = l;
    }
    p->nlines = k;
    pk_scratch_free(fmap);
    pk_reindex(p);
}

/* Samples and spans of the timeline, and the heap's history, follow their
 * nodes to the new tree. */
static void remap_timeline(pk_profile *p, const pk_id *node_map)
{
    if (p->heap) pk_heap_history_map_nodes(p->heap, node_map);
    if (!p->timeline) return;
    pk_profile old = {0};
    old.timeline = p->timeline;
    p->timeline = NULL;
    pk_timeline_copy_mapped(p, &old, node_map);
    pk_timeline_free(old.timeline);
}

/* Rebuild the tree in place: old node i goes to place(p, old node, its new
 * parent), which returns the new node (the parent itself to merge it away).
 * Self values add up; the timeline follows. Returns nothing: the old tree
 * is freed. */
typedef pk_id (*place_fn)(pk_profile *p, const pk_node *old, pk_id parent);

static void rebuild_tree(pk_profile *p, place_fn place)
{
    size_t nold = p->nnodes;
    pk_id *map = pk_scratch_hold(pk_xmalloc(nold * sizeof *map));
    /* The old tree is ours from here: held, as the new one's growth may
     * fail the read. */
    pk_node *old = pk_scratch_hold(p->nodes);
    p->nodes = NULL;
    p->nnodes = p->capnodes = 0;
    PK_GROW(p->nodes, p->capnodes, nold);
    p->nodes[0] = old[0];
    p->nodes[0].first_child = PK_NONE;
    p->nnodes = 1;
    pk_reindex(p);
    map[0] = 0;
    for (size_t i = 1; i < nold; i++) {
        map[i] = place(p, &old[i], map[old[i].parent]);
        for (int m = 0; m < p->nmetrics; m++)
            p->nodes[map[i]].self[m] += old[i].self[m];
    }
    pk_scratch_free(old);
    remap_timeline(p, map);
    pk_scratch_free(map);
}

static pk_id place_without_roots(pk_profile *p, const pk_node *old, pk_id parent)
{
    if (is_root_kind(p->funcs[old->func].kind)) return parent;
    return pk_tree_child(p, parent, old->func, old->line);
}

void pk_merge_threads(pk_profile *p)
{
    rebuild_tree(p, place_without_roots);
    drop_root_functions(p);
}

/* ---- one frame per function ---- */

static pk_id place_by_function(pk_profile *p, const pk_node *old, pk_id parent)
{
    return pk_tree_child(p, parent, old->func, 0);
}

void pk_tree_by_function(pk_profile *p)
{
    if (!p->has_tree || p->estimated || !tree_has_lines(p)) return;
    /* The lines' values and the calls' lines come from the frames' lines:
     * keep them first. */
    if (p->nlines == 0) pk_derive_lines(p);
    pk_derive_callsites(p);
    pk_timeline_keep_sites(p);
    rebuild_tree(p, place_by_function);
}
