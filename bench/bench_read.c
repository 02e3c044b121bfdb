/* Time reading a profile into the model, without writing anything:
 * bench_read [-n RUNS] FILE... prints the fastest and the median run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/format.h"

static double now(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int bench(const char *path, int runs)
{
    double wall[64], cpu[64];
    size_t nfuncs = 0, nedges = 0;
    for (int i = 0; i < runs; i++) {
        pk_error err;
        double w = now(CLOCK_MONOTONIC), c = now(CLOCK_PROCESS_CPUTIME_ID);
        pk_profile *p = pk_read_profile(path, NULL, NULL, &err);
        wall[i] = now(CLOCK_MONOTONIC) - w;
        cpu[i] = now(CLOCK_PROCESS_CPUTIME_ID) - c;
        if (!p) {
            fprintf(stderr, "bench_read: %s\n", err.msg);
            return 2;
        }
        nfuncs = p->nfuncs;
        nedges = p->nedges;
        pk_profile_free(p);
    }
    qsort(wall, (size_t)runs, sizeof *wall, by_value);
    qsort(cpu, (size_t)runs, sizeof *cpu, by_value);
    const char *slash = strrchr(path, '/');
    printf("read %s: %zu functions, %zu edges: wall min %.4f s median %.4f s, cpu min %.4f s "
           "(%d runs)\n",
           slash ? slash + 1 : path, nfuncs, nedges, wall[0], wall[runs / 2], cpu[0], runs);
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 5, first = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        runs = atoi(argv[2]);
        first = 3;
    }
    if (runs < 1 || runs > 64 || first >= argc) {
        fprintf(stderr, "usage: bench_read [-n RUNS (1-64)] FILE...\n");
        return 2;
    }
    int status = 0;
    for (int i = first; i < argc; i++)
        status |= bench(argv[i], runs);
    return status;
}
