/* The timeline the trace-event and perf script readers record: one span per
 * call (trace events) or one sample per sample (perf), on threads named as
 * the file names them, in time from the profile's start, each pointing at a
 * node whose values they explain.
 *   test_timeline trace|perf FILE...   exit 0 when every file passes */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "lib/timeline.h"
#include "tests/helpers/timeline_check.h"

static int failures;

static void check(int ok, const char *file, const char *what)
{
    if (!ok) failures++;
    printf("%s %s: %s\n", ok ? "ok  " : "FAIL", file, what);
}

static void trace_file(const char *path, pk_profile *p)
{
    int64_t calls = 0, first, last;
    for (size_t i = 0; i < p->nfuncs; i++)
        calls += p->funcs[i].calls;
    check(pk_nspans(p) == (size_t)calls && calls > 0, path, "one span per call");
    check(!timeline_bad_spans(p), path, "spans well formed, and they make the tree's values");
    check(pk_timeline_range(p, &first, &last) && first == 0, path, "time from the start");
    int named = 0;
    for (uint32_t t = 0; t < pk_nthreads(p); t++)
        named += *pk_thread_at(p, t)->name != 0;
    check(named > 0, path, "threads named");
}

static void perf_file(const char *path, pk_profile *p)
{
    int si = pk_metric_find(p, "samples");
    check(si >= 0 && pk_nsamples(p) == (size_t)pk_total(p, si), path, "one sample per sample");
    check(!timeline_bad_samples(p), path, "samples well formed, and they make the tree's values");
    pk_sample_iter it;
    pk_sample s;
    int64_t prev = INT64_MIN;
    size_t backwards = 0;
    for (pk_samples_begin(p, &it); pk_samples_next(&it, &s);) {
        backwards += s.t_ns < prev;
        prev = s.t_ns;
    }
    check(backwards == 0, path, "samples in the file's order of time");
    check(pk_nthreads(p) > 0 && *pk_thread_at(p, 0)->name, path, "threads named by command");
}

int main(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        pk_error err;
        pk_profile *p = pk_read_profile(argv[i], NULL, NULL, &err);
        if (!p) {
            check(0, argv[i], err.msg);
            continue;
        }
        if (strcmp(argv[1], "trace") == 0)
            trace_file(argv[i], p);
        else
            perf_file(argv[i], p);
        pk_profile_free(p);
    }
    return failures ? 1 : 0;
}
