/* Every reader against damaged input, in process: one small file per reader
 * cut at every byte offset (read with its reader and by detection), then
 * random bytes and random tails after each file's first bytes into detection.
 * Each read must succeed or fail with one line "NAME: offset N: what", within
 * a second; the sanitizer build catches the rest.
 *   test_truncate [-n MAXBYTES] FORMAT:FILE...
 * FORMAT:FILE with FORMAT "speedscope" or "pprof" and a pstats FILE converts
 * it first, so writers' own output is cut too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/format.h"
#include "lib/limits.h"

static int failures;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0)
        if ((n += got) == cap) buf = realloc(buf, cap *= 2);
    fclose(f);
    *len = n;
    return buf;
}

/* A copy of exactly len bytes, so reading past the end is caught. */
static void read_one(const unsigned char *data, size_t len, const char *format, const char *what,
                     size_t cut)
{
    unsigned char *copy = malloc(len ? len : 1);
    memcpy(copy, data, len);
    pk_error err = {{0}};
    double t0 = now();
    pk_profile *p = pk_read_memory(copy, len, "cut", format, NULL, &err);
    if (p) {
        pk_ensure_graph(p);
        pk_ensure_tree(p);
        pk_profile_free(p);
    } else if (strncmp(err.msg, "cut: offset ", 12) != 0 || strchr(err.msg, '\n')) {
        printf("FAIL %s at %zu (%s): bad message '%s'\n", what, cut, format ? format : "auto",
               err.msg);
        failures++;
    }
    double dt = now() - t0;
    if (dt > 1.0) {
        printf("FAIL %s at %zu (%s): took %.2f s\n", what, cut, format ? format : "auto", dt);
        failures++;
    }
    free(copy);
}

/* The file as the reader sees it: speedscope and pprof are written first. */
static unsigned char *load(const char *format, const char *path, size_t *len)
{
    if (strcmp(format, "speedscope") != 0 && strcmp(format, "pprof") != 0) return slurp(path, len);
    pk_error err = {{0}};
    pk_profile *p = pk_read_profile(path, NULL, NULL, &err);
    if (!p) return NULL;
    char tmp[] = "/tmp/pk-truncate-XXXXXX";
    int fd = mkstemp(tmp);
    close(fd);
    int rc = pk_write_profile(p, tmp, format, NULL, &err);
    pk_profile_free(p);
    unsigned char *data = rc == 0 ? slurp(tmp, len) : NULL;
    unlink(tmp);
    return data;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(int argc, char **argv)
{
    size_t maxbytes = 6000;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) maxbytes = strtoul(argv[2], NULL, 10), first = 3;
    pk_set_max_memory(256u << 20);
    /* Readers warn about damage on stderr, and thousands of cuts say it
     * often: stderr goes to a file while reading, and back for the leak
     * check at exit. A sanitizer report while reading stays in that file. */
    char log[] = "/tmp/pk-truncate-stderr-XXXXXX";
    int logfd = mkstemp(log), saved = dup(2);
    if (logfd < 0 || saved < 0) return 2;
    printf("reader warnings and any sanitizer report: %s\n", log);
    fflush(stdout);
    dup2(logfd, 2);
    unsigned char noise[4096];
    for (int i = first; i < argc; i++) {
        char format[32];
        const char *colon = strchr(argv[i], ':');
        if (!colon || colon - argv[i] >= (long)sizeof format) {
            printf("bad argument '%s'\n", argv[i]);
            return 2;
        }
        memcpy(format, argv[i], colon - argv[i]);
        format[colon - argv[i]] = '\0';
        size_t len;
        unsigned char *data = load(format, colon + 1, &len);
        if (!data) {
            printf("FAIL cannot load %s\n", argv[i]);
            failures++;
            continue;
        }
        if (len > maxbytes) len = maxbytes;
        double t0 = now();
        for (size_t cut = 0; cut <= len; cut++) {
            read_one(data, cut, format, colon + 1, cut);
            read_one(data, cut, NULL, colon + 1, cut);
        }
        /* The file's first bytes, then noise: past the probe, into the parser. */
        for (int round = 0; round < 300; round++) {
            size_t keep = next_random() % (len < 64 ? len + 1 : 64);
            size_t total = keep + next_random() % (sizeof noise - 64);
            for (size_t k = 0; k < total; k++)
                noise[k] = k < keep ? data[k] : (unsigned char)next_random();
            read_one(noise, total, format, "magic+noise", (size_t)round);
            read_one(noise, total, NULL, "magic+noise", (size_t)round);
        }
        printf("%-11s %6zu cuts of %s in %.1f s\n", format, len + 1, colon + 1, now() - t0);
        free(data);
    }
    for (int round = 0; round < 2000; round++) {
        size_t total = next_random() % sizeof noise;
        for (size_t k = 0; k < total; k++)
            noise[k] = (unsigned char)next_random();
        read_one(noise, total, NULL, "random", (size_t)round);
    }
    fflush(stderr);
    dup2(saved, 2);
    close(logfd);
    if (!failures) unlink(log);
    printf("%d failures\n", failures);
    return failures ? 1 : 0;
}
