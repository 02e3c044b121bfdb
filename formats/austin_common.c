#include "austin_common.h"

#include "../lib/hmap.h"
#include "../lib/timeline.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool is(const char *s, size_t n, const char *word)
{
    return n == strlen(word) && memcmp(s, word, n) == 0;
}

bool austin_mode_parse(const char *s, size_t n, austin_mode *mode)
{
    static const char *const names[] = {"wall", "cpu", "memory", "full"};
    for (int i = 0; i < 4; i++)
        if (is(s, n, names[i])) {
            *mode = (austin_mode)i;
            return true;
        }
    return false;
}

const char *austin_mode_name(austin_mode mode)
{
    static const char *const names[] = {"wall", "cpu", "memory", "full"};
    return names[mode];
}

void austin_meta_count(pk_profile *p, const char *key, int64_t n)
{
    char v[32];
    snprintf(v, sizeof(v), "%" PRId64, n);
    pk_meta_set(p, key, v);
}

void austin_metrics_setup(pk_profile *p, austin_metrics *am, austin_mode mode)
{
    am->mode = mode;
    am->time = am->alloc = am->dealloc = -1;
    if (mode != AUSTIN_MEMORY) {
        am->time = pk_add_metric(p, "time", "ns");
        p->metrics[am->time].source_exp = 3; /* austin writes microseconds */
    }
    if (mode == AUSTIN_MEMORY || mode == AUSTIN_FULL) {
        am->alloc = pk_add_metric(p, "alloc", "bytes");
        am->dealloc = pk_add_metric(p, "dealloc", "bytes");
    }
    am->samples = pk_add_metric(p, "samples", "samples");
    am->ready = true;
}

void austin_values(austin_metrics *am, int64_t time_us, int64_t mem_bytes, bool idle,
                   int64_t *values)
{
    if (am->time >= 0) values[am->time] = time_us * 1000;
    if (am->alloc >= 0) {
        values[am->alloc] = mem_bytes > 0 ? mem_bytes : 0;
        values[am->dealloc] = mem_bytes < 0 ? -mem_bytes : 0;
    }
    values[am->samples] = 1;
    am->samples_seen++;
    if (idle) {
        am->idle_samples++;
        am->idle_time_us += time_us;
    }
}

void austin_meta(pk_profile *p, const char *key, size_t klen, const char *val, size_t vlen)
{
    char name[80];
    if (is(key, klen, "austin"))
        snprintf(name, sizeof(name), "austin.version");
    else
        snprintf(name, sizeof(name), "austin.%.*s", (int)(klen > 64 ? 64 : klen), key);
    pk_meta_set(p, pk_intern_cstr(p, name), pk_intern(p, val, vlen));
}

void austin_meta_add(pk_profile *p, austin_maps *maps, const char *key, size_t klen,
                     const char *val, size_t vlen)
{
    if (!is(key, klen, "map")) {
        austin_meta(p, key, klen, val, vlen);
        return;
    }
    SK_GROW(p, maps->text, maps->cap, maps->len + vlen + 2);
    if (maps->len) maps->text[maps->len++] = '\n';
    memcpy(maps->text + maps->len, val, vlen);
    maps->len += vlen;
    maps->text[maps->len] = 0;
}

void austin_maps_finish(pk_profile *p, const austin_maps *maps)
{
    if (maps->len) pk_meta_set(p, "austin.map", maps->text);
}

bool austin_is_native(const char *file, size_t flen)
{
    return flen >= 7 && memcmp(file, "native@", 7) == 0;
}

pk_id austin_func(pk_profile *p, const char *file, size_t flen, const char *name, size_t nlen)
{
    pk_kind kind = PK_KIND_PYTHON;
    if (flen == 0 && is(name, nlen, "GC"))
        kind = PK_KIND_GC;
    else if (flen == 0 && is(name, nlen, "INVALID"))
        kind = PK_KIND_OTHER;
    else if (is(file, flen, "kernel"))
        kind = PK_KIND_KERNEL;
    else if (austin_is_native(file, flen))
        kind = PK_KIND_NATIVE;
    else if (flen == 0 && is(name, nlen, "<idle>"))
        kind = PK_KIND_IDLE;
    return pk_function_get(p, pk_intern(p, name, nlen), pk_intern(p, file, flen), 0, kind);
}

void austin_threads_init(austin_threads *t, pk_profile *p)
{
    memset(t, 0, sizeof(*t));
    sk_map_init(&t->map, p);
}

size_t austin_thread_get(pk_profile *p, austin_threads *t, const void *key, size_t klen,
                         const char *proc, const char *thread)
{
    uint64_t h = pk_hash_bytes(key, klen);
    uint32_t i = sk_map_find(&t->map, key, klen, h);
    if (i != SK_NONE) return i;
    SK_GROW(p, t->v, t->cap, t->n + 1);
    austin_thread *th = &t->v[t->n];
    memset(th, 0, sizeof(*th));
    th->proc = proc ? pk_function_get(p, pk_intern_cstr(p, proc), "", 0, PK_KIND_PROCESS) : PK_NONE;
    th->thread = pk_function_get(p, pk_intern_cstr(p, thread), "", 0, PK_KIND_THREAD);
    uint64_t pid = 0;
    if (proc && proc[0] == 'P') sk_parse_u64(proc + 1, proc + strlen(proc), &pid);
    /* thread ids are text (hex, interpreter:tid): the name carries them */
    th->timeline = pk_thread_get(p, pid, t->n, thread[0] == 'T' ? thread + 1 : thread);
    sk_map_put(&t->map, key, klen, h, (uint32_t)t->n);
    return t->n++;
}

/* austin's default interval when the metadata does not say (µs). */
#define AUSTIN_DEFAULT_INTERVAL_US 100

void austin_sample(pk_profile *p, austin_metrics *am, austin_thread *th, sk_stack *cur,
                   const int64_t *values)
{
    pk_id leaf = sk_stack_commit(p, &th->prev, cur, values);
    pk_sample s = {.node = leaf, .thread = th->timeline, .t_ns = th->t_ns};
    memcpy(s.v, values, (size_t)p->nmetrics * sizeof *values);
    pk_sample_add(p, &s);
    if (am->time >= 0) {
        th->t_ns += values[am->time];
        return;
    }
    if (am->interval_ns == 0) {
        const char *iv = pk_meta_get(p, "austin.interval");
        uint64_t us = 0;
        if (!iv || !sk_parse_u64(iv, iv + strlen(iv), &us) || us == 0 || us > (1u << 30))
            us = AUSTIN_DEFAULT_INTERVAL_US;
        am->interval_ns = (int64_t)us * 1000;
    }
    th->t_ns += am->interval_ns;
}

void austin_push_roots(pk_profile *p, const austin_thread *th, sk_stack *s)
{
    if (th->proc != PK_NONE) sk_stack_push(p, s, th->proc, 0);
    sk_stack_push(p, s, th->thread, 0);
}

/* duration_s: austin's own `# duration:` (µs), else the longest thread's
 * clock. */
static void set_duration(pk_profile *p)
{
    const char *d = pk_meta_get(p, "austin.duration");
    uint64_t us;
    char num[48];
    int64_t first, last;
    if (d && sk_parse_u64(d, d + strlen(d), &us))
        snprintf(num, sizeof num, "%.6f", (double)us / 1e6);
    else if (pk_timeline_range(p, &first, &last))
        snprintf(num, sizeof num, "%.6f", (double)(last - first) / 1e9);
    else
        return;
    pk_meta_set(p, "duration_s", pk_intern_cstr(p, num));
}

void austin_finish(pk_profile *p, austin_metrics *am, const pk_read_options *opt)
{
    if (!am->ready) austin_metrics_setup(p, am, am->mode);
    if (am->mode == AUSTIN_FULL) {
        austin_meta_count(p, "austin.idle_samples", am->idle_samples);
        austin_meta_count(p, "austin.idle_time", am->idle_time_us);
    }
    p->has_tree = true;
    set_duration(p);
    if (!opt || !opt->threads) pk_merge_threads(p);
    pk_derive_lines(p);
    pk_derive_graph(p);
}
