/* libFuzzer target: any bytes into one reader (PK_FUZZ_FORMAT), or into
 * detection when it is "auto". A read either succeeds or fails with a
 * message; the sanitizers catch everything else. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "formats/format.h"
#include "lib/limits.h"
#include "lib/timeline.h"

static void write_report(pk_profile *p)
{
    FILE *f = fopen("/dev/null", "w");
    if (!f) return;
    pk_write_options opt;
    pk_write_options_init(&opt);
    pk_error err = {{0}};
    pk_format_by_name("html")->write(p, f, &opt, &err);
    fclose(f);
}

/* What a timed profile goes through on its way to a report: the merge by
 * function (which keeps the samples' sites), a window, the HTML writer's
 * time data. */
static void exercise_timeline(pk_profile *p)
{
    pk_tree_by_function(p);
    int64_t first, last;
    if (pk_timeline_range(p, &first, &last)) {
        uint64_t span = (uint64_t)last - (uint64_t)first;
        pk_timeline_window(p, (int64_t)(span / 4), (int64_t)(span / 4 * 3));
    }
    write_report(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *format = strcmp(PK_FUZZ_FORMAT, "auto") == 0 ? NULL : PK_FUZZ_FORMAT;
    /* One input in four is read under a budget of 16 KiB to 1 MiB, so reads
     * stopped half-way by --max-memory, and what they must free, are fuzzed
     * too (the leak checker sees anything they lose). The others get 256 MiB:
     * hostile counts end as read errors, well below -rss_limit_mb. */
    bool small = size > 1 && data[size - 1] % 4 == 0;
    pk_set_max_memory(small ? (16u << 10) + (size_t)data[0] * (4u << 10) : 256u << 20);
    /* One input in three asks for a window the reader keeps itself
     * (memray, mprof), its ends from the first two bytes, either side
     * sometimes open, sometimes before the start; another for the heap's
     * history (memray) or the call graph's (mprof), in 1 to 128 epochs. */
    pk_read_options opt;
    pk_read_options_init(&opt);
    if (size > 2 && data[size - 2] % 3 == 0) {
        opt.time_set = true;
        opt.time_from_ns = data[0] & 1 ? INT64_MIN : ((int64_t)data[0] - 64) * 10000000;
        opt.time_to_ns = data[1] & 1 ? INT64_MAX : opt.time_from_ns + (int64_t)data[1] * 10000000;
    } else if (size > 2 && data[size - 2] % 3 == 1) {
        opt.history_epochs = 1 + data[0] % 128;
    }
    pk_error err = {{0}};
    pk_profile *p = pk_read_memory(data, size, "fuzz", format, &opt, &err);
    if (p) {
        /* Exercise the derivations every writer relies on. */
        pk_ensure_graph(p);
        pk_ensure_tree(p);
        if (pk_nsamples(p) || pk_nspans(p)) exercise_timeline(p);
        if (p->heap || p->calls_history) write_report(p);
        pk_profile_free(p);
    }
    return 0;
}
