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
#include "tests/helpers/timeline_check.h"

static int failures;

static void check(int ok, const char *file, const char *what)
{
    if (!ok) failures++;
    printf("%s %s: %s\n", ok ? "ok  " : "FAIL", file, what);
}

static void evented_file(const char *path, pk_profile *p)
{
    check(!timeline_bad_spans(p), path, "spans well formed, and they make the tree's values");
    const char *d = pk_meta_get(p, "duration_s");
    check(d && strtod(d, NULL) > 0, path, "duration_s in the metadata");
}

static void sampled_file(const char *path, pk_profile *p)
{
    int si = pk_metric_find(p, "samples");
    check(pk_nsamples(p) > 0 && (si < 0 || pk_nsamples(p) == (size_t)pk_total(p, si)), path,
          "one sample per sample");
    check(!timeline_bad_samples(p), path, "samples well formed, and they make the tree's values");
    size_t nt = pk_nthreads(p), backwards = 0;
    int64_t *clock = calloc(nt + 1, sizeof *clock);
    pk_sample_iter it;
    pk_sample s;
    for (pk_samples_begin(p, &it); pk_samples_next(&it, &s);)
        if (s.thread < nt) {
            backwards += s.t_ns < clock[s.thread];
            clock[s.thread] = s.t_ns;
        }
    free(clock);
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
