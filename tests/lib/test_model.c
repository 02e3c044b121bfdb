/* Unit tests of the model's derivations on small hand-built profiles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/profile.h"
#include "lib/timeline.h"

static int failures;

#define CHECK_EQ(what, got, want)                                                                  \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        if (g_ != w_) {                                                                            \
            fprintf(stderr, "%s:%d: %s: got %lld, want %lld\n", __FILE__, __LINE__, what, g_, w_); \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static pk_id fn(pk_profile *p, const char *name)
{
    return pk_function_get(p, name, "m.py", 1, PK_KIND_PYTHON);
}

static void add(pk_profile *p, const char *stack, int64_t value)
{
    pk_id funcs[64];
    size_t n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", stack);
    for (char *tok = strtok(buf, ";"); tok; tok = strtok(NULL, ";"))
        funcs[n++] = fn(p, tok);
    pk_tree_add_stack(p, funcs, NULL, n, &value);
}

/* Recursion: a;b;a;b counted once in a's and b's inclusive values. */
static void test_recursion_counted_once(void)
{
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "samples", "samples");
    add(p, "a;b;a;b", 5);
    add(p, "a;b", 3);
    add(p, "a", 2);
    pk_derive_graph(p);
    pk_function *a = &p->funcs[fn(p, "a")], *b = &p->funcs[fn(p, "b")];
    CHECK_EQ("a incl", a->incl[0], 10);
    CHECK_EQ("a self", a->self[0], 2);
    CHECK_EQ("b incl", b->incl[0], 8);
    CHECK_EQ("b self", b->self[0], 8);
    CHECK_EQ("total", pk_total(p, 0), 10);
    pk_edge *ab = pk_edge_find(p, fn(p, "a"), fn(p, "b"));
    pk_edge *ba = pk_edge_find(p, fn(p, "b"), fn(p, "a"));
    CHECK_EQ("a->b incl", ab ? ab->incl[0] : -1, 8);
    CHECK_EQ("b->a incl", ba ? ba->incl[0] : -1, 5);
    CHECK_EQ("edges", p->nedges, 2);
    pk_profile_free(p);
}

static void test_threads_merge(void)
{
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "samples", "samples");
    pk_id t1 = pk_function_get(p, "Thread 1", "", 0, PK_KIND_THREAD);
    pk_id t2 = pk_function_get(p, "Thread 2", "", 0, PK_KIND_THREAD);
    pk_id main_ = fn(p, "main"), work = fn(p, "work");
    int64_t v = 4;
    pk_tree_add_stack(p, (pk_id[]){t1, main_, work}, NULL, 3, &v);
    v = 6;
    pk_tree_add_stack(p, (pk_id[]){t2, main_, work}, NULL, 3, &v);
    (void)t1, (void)t2, (void)main_, (void)work;
    pk_merge_threads(p);
    CHECK_EQ("nodes after merge", p->nnodes, 3);
    /* the thread functions go with their frames: ids are renumbered */
    CHECK_EQ("functions after merge", p->nfuncs, 2);
    pk_derive_graph(p);
    main_ = fn(p, "main");
    work = fn(p, "work");
    CHECK_EQ("no function added", p->nfuncs, 2);
    CHECK_EQ("work self", p->funcs[work].self[0], 10);
    CHECK_EQ("main incl", p->funcs[main_].incl[0], 10);
    pk_profile_free(p);
}

static void test_lines_counted_once(void)
{
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "samples", "samples");
    pk_id f = fn(p, "f");
    int64_t v = 7;
    pk_tree_add_stack(p, (pk_id[]){f, f}, (int32_t[]){3, 3}, 2, &v);
    pk_derive_lines(p);
    CHECK_EQ("line entries", p->nlines, 1);
    CHECK_EQ("line value", p->lines[0].v[0], 7);
    pk_profile_free(p);
}

/* graph -> tree: shares split by edge inclusive values, recursion cut. */
static void test_estimated_tree(void)
{
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "time", "ns");
    pk_id main_ = fn(p, "main"), a = fn(p, "a"), b = fn(p, "b"), c = fn(p, "c");
    p->funcs[main_].self[0] = 10, p->funcs[main_].incl[0] = 110;
    p->funcs[a].self[0] = 30, p->funcs[a].incl[0] = 60;
    p->funcs[b].self[0] = 30, p->funcs[b].incl[0] = 40;
    p->funcs[c].self[0] = 40, p->funcs[c].incl[0] = 40;
    pk_edge_get(p, main_, a)->incl[0] = 60;
    pk_edge_get(p, main_, b)->incl[0] = 40;
    pk_edge_get(p, a, c)->incl[0] = 30; /* c: 30 via a ... */
    pk_edge_get(p, b, c)->incl[0] = 10; /* ... and 10 via b */
    pk_edge_get(p, a, a)->incl[0] = 5;  /* recursion: cut */
    p->has_graph = true;
    pk_derive_tree(p);
    CHECK_EQ("estimated", p->estimated, 1);
    int64_t *incl = pk_tree_inclusive(p);
    CHECK_EQ("root incl", incl[0], 110);
    free(incl);
    int64_t c_under_a = 0, c_under_b = 0;
    for (size_t i = 1; i < p->nnodes; i++) {
        if (p->nodes[i].func != c) continue;
        pk_id parent_func = p->nodes[p->nodes[i].parent].func;
        if (parent_func == a) c_under_a += p->nodes[i].self[0];
        if (parent_func == b) c_under_b += p->nodes[i].self[0];
    }
    CHECK_EQ("c under a", c_under_a, 30);
    CHECK_EQ("c under b", c_under_b, 10);
    pk_profile_free(p);
}

static void test_interning(void)
{
    pk_profile *p = pk_profile_new();
    const char *x = pk_intern(p, "abcdef", 3), *y = pk_intern_cstr(p, "abc");
    CHECK_EQ("same pointer", x == y, 1);
    CHECK_EQ("function identity", fn(p, "q"), fn(p, "q"));
    CHECK_EQ("distinct lines", pk_function_get(p, "q", "m.py", 2, PK_KIND_PYTHON) != fn(p, "q"), 1);
    pk_profile_free(p);
}

/* Samples and spans come back in order with their values, through any
 * mix of steady and irregular steps, threads and value changes. */
static void test_timeline_round_trip(void)
{
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "time", "ns");
    pk_add_metric(p, "bytes", "bytes");
    CHECK_EQ("no samples yet", pk_nsamples(p), 0);
    uint32_t t1 = pk_thread_get(p, 7, 100, "main"), t2 = pk_thread_get(p, 7, 200, NULL);
    CHECK_EQ("same thread", pk_thread_get(p, 7, 100, NULL), t1);
    const int n = 1000;
    for (int i = 0; i < n; i++) {
        pk_sample s = {.node = (pk_id)(i % 13),
                       .thread = i % 5 ? t1 : t2,
                       .t_ns = (int64_t)i * 100000 + (i % 7 ? 0 : -i * 31),
                       .v = {100000 + i % 3, i % 11 ? 0 : -((int64_t)i << 40)}};
        pk_sample_add(p, &s);
    }
    pk_span sp = {.node = 3, .thread = t2, .start_ns = 50, .end_ns = 4000};
    pk_span_add(p, &sp);
    sp = (pk_span){.node = 4, .thread = t1, .start_ns = 10, .end_ns = 20};
    pk_span_add(p, &sp);
    CHECK_EQ("samples", pk_nsamples(p), n);
    CHECK_EQ("spans", pk_nspans(p), 2);
    pk_sample_iter it;
    pk_sample s;
    int i = 0, bad = 0;
    for (pk_samples_begin(p, &it); pk_samples_next(&it, &s); i++) {
        int64_t t = (int64_t)i * 100000 + (i % 7 ? 0 : -i * 31);
        int64_t bytes = i % 11 ? 0 : -((int64_t)i << 40);
        bad += s.node != (pk_id)(i % 13) || s.thread != (i % 5 ? t1 : t2) || s.t_ns != t ||
               s.v[0] != 100000 + i % 3 || s.v[1] != bytes;
    }
    CHECK_EQ("samples read back", i, n);
    CHECK_EQ("samples that differ", bad, 0);
    pk_span_iter si;
    CHECK_EQ("first span", (pk_spans_begin(p, &si), pk_spans_next(&si, &sp)), 1);
    CHECK_EQ("first span end", sp.end_ns, 4000);
    CHECK_EQ("second span", pk_spans_next(&si, &sp) && sp.start_ns == 10 && sp.thread == t1, 1);
    CHECK_EQ("no third span", pk_spans_next(&si, &sp), 0);
    int64_t first, last;
    CHECK_EQ("range", pk_timeline_range(p, &first, &last), 1);
    CHECK_EQ("range first", first, 0);
    CHECK_EQ("range last", last, (int64_t)(n - 1) * 100000);

    /* Through a node map: odd nodes dropped, even ones renumbered. */
    pk_id map[13];
    for (pk_id k = 0; k < 13; k++)
        map[k] = k % 2 ? PK_NONE : k / 2;
    pk_profile *q = pk_profile_new();
    pk_add_metric(q, "time", "ns");
    pk_add_metric(q, "bytes", "bytes");
    pk_thread_get(q, 1, 1, "other");
    pk_timeline_copy_mapped(q, p, map);
    int kept = 0;
    bad = 0;
    for (pk_samples_begin(q, &it); pk_samples_next(&it, &s); kept++)
        bad += s.node > 6 || pk_thread_at(q, s.thread)->pid != 7;
    int want = 0;
    for (int k = 0; k < n; k++)
        want += (k % 13) % 2 == 0;
    CHECK_EQ("mapped samples", kept, want);
    CHECK_EQ("mapped samples that differ", bad, 0);
    CHECK_EQ("threads", pk_nthreads(q), 3);
    pk_profile_free(q);
    pk_profile_free(p);
}

/* Merging frames by function keeps each sample's line-level stack as a
 * site, through a later window too. */
static void test_sites_kept(void)
{
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "time", "ns");
    pk_id f = fn(p, "f"), g = fn(p, "g"), stack[2] = {f, g};
    int64_t one = 1;
    int32_t at1[2] = {11, 5}, at2[2] = {12, 5};
    pk_id leaves[3] = {pk_tree_add_stack(p, stack, at1, 2, &one),
                       pk_tree_add_stack(p, stack, at2, 2, &one),
                       pk_tree_add_stack(p, stack, at2, 1, &one)};
    for (int i = 0; i < 3; i++)
        pk_sample_add(p, &(pk_sample){.node = leaves[i], .t_ns = i * 10, .v = {1}});
    size_t nnodes = p->nnodes, nsites;
    pk_tree_by_function(p);
    CHECK_EQ("merged tree", p->nnodes, 3);
    const pk_site *sites = pk_timeline_sites(p, &nsites);
    CHECK_EQ("sites kept", sites != NULL && nsites == nnodes, 1);
    pk_timeline_window(p, 10, 100);
    sites = pk_timeline_sites(p, &nsites);
    pk_sample_iter it;
    pk_sample s;
    int i = 1, bad = 0;
    for (pk_samples_begin(p, &it); pk_samples_next(&it, &s); i++) {
        const pk_site *leaf = &sites[s.site], *up = &sites[leaf->parent];
        int depth = leaf->func == f ? 1 : 2;
        bad += s.site != leaves[i] || p->nodes[s.node].func != (depth == 1 ? f : g) ||
               (depth == 2 && (leaf->line != 5 || up->func != f || up->line != 12)) ||
               (depth == 1 && leaf->line != 12);
    }
    CHECK_EQ("samples in the window", i - 1, 2);
    CHECK_EQ("samples whose site differs", bad, 0);
    pk_profile_free(p);
}

/* Values live out of line, as many as the metrics when the first function
 * was made; a metric added later widens every function and edge, keeping
 * what they held. Without the widening the writes below would run into the
 * neighbouring arrays in the arena, and the kept values would change. */
static void test_values_widen(void)
{
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "time", "ns");
    pk_id f = fn(p, "f"), g = fn(p, "g");
    pk_edge *e = pk_edge_get(p, f, g);
    e->self[0] = 5;
    e->incl[0] = 7;
    p->funcs[f].self[0] = 11;
    p->funcs[g].incl[0] = 13;
    for (int m = 1; m < PK_MAX_METRICS; m++) {
        char name[16];
        snprintf(name, sizeof name, "m%d", m);
        CHECK_EQ("metric added", pk_add_metric(p, name, "count"), m);
        p->funcs[f].self[m] = m;
        p->funcs[g].incl[m] = -m;
        pk_edge_find(p, f, g)->incl[m] = 100 + m;
    }
    e = pk_edge_find(p, f, g);
    CHECK_EQ("edge self kept", e->self[0], 5);
    CHECK_EQ("edge incl kept", e->incl[0], 7);
    CHECK_EQ("edge incl widened", e->incl[PK_MAX_METRICS - 1], 100 + PK_MAX_METRICS - 1);
    CHECK_EQ("function self kept", p->funcs[f].self[0], 11);
    CHECK_EQ("function incl kept", p->funcs[g].incl[0], 13);
    CHECK_EQ("function self widened", p->funcs[f].self[PK_MAX_METRICS - 1], PK_MAX_METRICS - 1);
    CHECK_EQ("self and incl apart", p->funcs[f].incl[0] + p->funcs[f].incl[1], 0);
    pk_profile_free(p);
}

int main(void)
{
    test_recursion_counted_once();
    test_threads_merge();
    test_lines_counted_once();
    test_estimated_tree();
    test_interning();
    test_timeline_round_trip();
    test_sites_kept();
    test_values_widen();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        printf("model: all checks passed\n");
    return failures ? 1 : 0;
}
