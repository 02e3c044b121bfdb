/* What the timeline tests check of every reader that records one: each span
 * or sample is well formed and points at a node, and together they make the
 * tree's own values (a span's duration less its children's; a sample's values
 * summed). Included by the timeline test programs. */
#ifndef PK_TEST_TIMELINE_CHECK_H
#define PK_TEST_TIMELINE_CHECK_H

#include <stdlib.h>

#include "lib/profile.h"
#include "lib/timeline.h"

/* Spans out of bounds or backwards, and nodes whose own time they do not make. */
static size_t timeline_bad_spans(const pk_profile *p)
{
    int64_t *sum = calloc(p->nnodes, sizeof *sum);
    pk_span_iter it;
    pk_span s;
    size_t bad = 0;
    for (pk_spans_begin(p, &it); pk_spans_next(&it, &s);) {
        bad += s.end_ns < s.start_ns || s.start_ns < 0 || s.node == 0 || s.node >= p->nnodes ||
               s.thread >= pk_nthreads(p);
        if (s.node < p->nnodes) {
            sum[s.node] += s.end_ns - s.start_ns;
            if (p->nodes[s.node].parent) sum[p->nodes[s.node].parent] -= s.end_ns - s.start_ns;
        }
    }
    for (size_t n = 1; n < p->nnodes; n++)
        bad += sum[n] != p->nodes[n].self[0];
    free(sum);
    return bad;
}

/* Samples out of bounds, and node values their values do not sum to. */
static size_t timeline_bad_samples(const pk_profile *p)
{
    size_t nm = (size_t)p->nmetrics;
    int64_t *sum = calloc(p->nnodes * nm, sizeof *sum);
    pk_sample_iter it;
    pk_sample s;
    size_t bad = 0;
    for (pk_samples_begin(p, &it); pk_samples_next(&it, &s);) {
        bad += s.node >= p->nnodes || s.thread >= pk_nthreads(p) || s.t_ns < 0;
        if (s.node < p->nnodes)
            for (size_t m = 0; m < nm; m++)
                sum[s.node * nm + m] += s.v[m];
    }
    for (size_t n = 0; n < p->nnodes; n++)
        for (size_t m = 0; m < nm; m++)
            bad += sum[n * nm + m] != p->nodes[n].self[m];
    free(sum);
    return bad;
}

#endif
