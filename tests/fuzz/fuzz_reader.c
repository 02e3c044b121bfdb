/* libFuzzer target: any bytes into one reader (PK_FUZZ_FORMAT), or into
 * detection when it is "auto". A read either succeeds or fails with a
 * message; the sanitizers catch everything else. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "formats/format.h"
#include "lib/limits.h"

/* A model larger than this is refused with a message, well below the fuzzer's
 * own -rss_limit_mb, so hostile counts show as errors, not fuzzer OOMs. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    pk_set_max_memory(256u << 20);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *format = strcmp(PK_FUZZ_FORMAT, "auto") == 0 ? NULL : PK_FUZZ_FORMAT;
    pk_error err = {{0}};
    pk_profile *p = pk_read_memory(data, size, "fuzz", format, NULL, &err);
    if (p) {
        /* Exercise the derivations every writer relies on. */
        pk_ensure_graph(p);
        pk_ensure_tree(p);
        pk_profile_free(p);
    }
    return 0;
}
