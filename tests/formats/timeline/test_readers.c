/* The timeline of the readers of samples and events (austin text, MOJO,
 * speedscope sampled and evented): one sample per sample the file holds, in
 * the file's order, each pointing at the node whose values it makes, on a
 * thread whose clock never goes back; spans whose durations less their
 * children's make the nodes' values; duration_s in the metadata.
 *   test_readers FILE...   exit 0 when every file passes */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "lib/timeline.h"

static int failures;

static void check(int ok, const char *file, const char *what)
{
    if (!ok) failures++;
    printf("%s %s: %s\n", ok ? "ok  " : "FAIL", file, what);
}

static void evented_file(const char *path, pk_profile *p)
{
    int64_t *sum = calloc(p->nnodes, sizeof *sum);
    pk_span_iter it;
    pk_span s;
    int bad = 0;
    for (pk_spans_begin(p, &it); pk_spans_next(&it, &s);) {
        bad += s.end_ns < s.start_ns || s.node == 0 || s.node >= p->nnodes ||
               s.thread >= pk_nthreads(p);
        if (s.node < p->nnodes) {
            sum[s.node] += s.end_ns - s.start_ns;
            if (p->nodes[s.node].parent) sum[p->nodes[s.node].parent] -= s.end_ns - s.start_ns;
        }
    }
    for (size_t n = 1; n < p->nnodes; n++)
        bad += sum[n] != p->nodes[n].self[0];
    free(sum);
    check(!bad, path, "spans well formed, and they make the tree's values");
    const char *d = pk_meta_get(p, "duration_s");
    check(d && strtod(d, NULL) > 0, path, "duration_s in the metadata");
}

static void sampled_file(const char *path, pk_profile *p)
{
    int si = pk_metric_find(p, "samples");
    check(pk_nsamples(p) > 0 && (si < 0 || pk_nsamples(p) == (size_t)pk_total(p, si)), path,
          "one sample per sample");
    size_t nm = (size_t)p->nmetrics, nt = pk_nthreads(p);
    int64_t *sum = calloc(p->nnodes * nm, sizeof *sum);
    int64_t *clock = calloc(nt + 1, sizeof *clock);
    pk_sample_iter it;
    pk_sample s;
    int bad = 0;
    size_t backwards = 0;
    for (pk_samples_begin(p, &it); pk_samples_next(&it, &s);) {
        bad += s.node >= p->nnodes || s.thread >= nt || s.t_ns < 0;
        if (s.thread < nt) {
            backwards += s.t_ns < clock[s.thread];
            clock[s.thread] = s.t_ns;
        }
        if (s.node < p->nnodes)
            for (size_t m = 0; m < nm; m++)
                sum[s.node * nm + m] += s.v[m];
    }
    for (size_t n = 0; n < p->nnodes; n++)
        for (size_t m = 0; m < nm; m++)
            bad += sum[n * nm + m] != p->nodes[n].self[m];
    free(sum);
    free(clock);
    check(!bad, path, "samples well formed, and they make the tree's values");
    check(backwards == 0, path, "each thread's clock goes forward");
    if (pk_timeline_clock(p->timeline) == PK_CLOCK_ORDER) return; /* no duration */
    const char *d = pk_meta_get(p, "duration_s");
    check(d && strtod(d, NULL) > 0, path, "duration_s in the metadata");
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        pk_error err;
        pk_profile *p = pk_read_profile(argv[i], NULL, NULL, &err);
        if (!p) {
            check(0, argv[i], err.msg);
            continue;
        }
        if (pk_nspans(p))
            evented_file(argv[i], p);
        else
            sampled_file(argv[i], p);
        pk_profile_free(p);
    }
    return failures ? 1 : 0;
}
