/* What a call graph picture shows of a profile: per function and edge its
 * share of the total, which functions and edges pass the thresholds and the
 * root/leaf/depth selection, and the strongly connected components
 * (mutually recursive functions).
 *
 * The shares follow gprof2dot for graph profiles: a function's total share is
 * its inclusive value over max(sum of self values, largest inclusive value),
 * its self share is its self value over the sum of self values, an edge's
 * share is the callee's inclusive value in those calls over the same total.
 * Every share is clamped to [0, 1], so nothing exceeds 100 %.
 */
#ifndef PK_CALLGRAPH_H
#define PK_CALLGRAPH_H

#include <stdbool.h>

#include "error.h"
#include "profile.h"

typedef struct {
    int metric;         /* index of the metric, -1 for the first */
    double node_thres;  /* percent of the total: functions below are dropped */
    double edge_thres;  /* percent of the total: edges below are dropped */
    const char *root;   /* pattern (lib/pattern.h): keep only what it calls, or NULL */
    const char *leaf;   /* pattern: keep only what calls it, or NULL */
    int depth;          /* calls followed from root/leaf, -1 for no limit */
    bool color_by_self; /* colour weight from the self share, not the total */
    bool call_ratios;   /* totals carried up the calls (gprof2dot's --total callratios) */
} pk_callgraph_options;

void pk_callgraph_options_init(pk_callgraph_options *o);

typedef struct {
    int metric;
    double total;       /* denominator of the total shares */
    double self_total;  /* denominator of the self shares */
    double *incl_share; /* per function */
    double *self_share; /* per function */
    double *weight;     /* per function: colour weight in [0, 1] */
    double *edge_share; /* per edge */
    bool *keep_func;    /* per function */
    bool *keep_edge;    /* per edge */
    /* Strongly connected components of two or more functions (self-calls
     * excluded): scc[f] is the component's index or PK_NONE. */
    pk_id *scc;
    size_t nscc;
    double *scc_share;       /* per component: its inclusive share, clamped */
    bool edges_estimated;    /* the source had no edge values: estimated from calls */
    bool totals_from_ratios; /* --total callratios: totals estimated from the calls */
    size_t nkept_funcs, nkept_edges;
} pk_callgraph;

/* 0, or -1 with err set (bad regex, root/leaf matching nothing that is kept). */
int pk_callgraph_build(pk_profile *p, const pk_callgraph_options *o, pk_callgraph *cg,
                       pk_error *err);
void pk_callgraph_free(pk_callgraph *cg);

#endif
