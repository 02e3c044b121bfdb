/* Call graph selection and dot output on profiles built through the API:
 * mutual and self recursion, thresholds, root/leaf/depth, hostile names.
 * Writes the graphs to the paths given, for Graphviz to parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/dot.h"

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static pk_id func(pk_profile *p, const char *name, const char *file, int line, int64_t self,
                  int64_t incl, int64_t calls)
{
    pk_id id = pk_function_get(p, name, file, line, PK_KIND_PYTHON);
    p->funcs[id].self[0] = self;
    p->funcs[id].incl[0] = incl;
    p->funcs[id].calls = p->funcs[id].pcalls = calls;
    return id;
}

static void call(pk_profile *p, pk_id from, pk_id to, int64_t calls, int64_t incl)
{
    pk_edge *e = pk_edge_get(p, from, to);
    e->calls = e->pcalls = calls;
    e->incl[0] = incl;
    e->self[0] = incl / 2;
}

/* A pstats-like graph; total self = 1000 = main's inclusive value. */
static pk_profile *graph_profile(pk_id ids[8])
{
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "time", "ns");
    ids[0] = func(p, "main", "/srv/a.py", 1, 90, 1000, 1);
    ids[1] = func(p, "is_even", "/srv/a.py", 10, 100, 300, 50);
    ids[2] = func(p, "is_odd", "/srv/a.py", 20, 200, 290, 50);
    ids[3] = func(p, "fib", "/srv/b.py", 5, 400, 400, 99);
    ids[4] =
        func(p, "say \"hi\" <b>&amp;\nnext line \xff\xfe tail\\", "/srv/odd\\", 7, 195, 195, 3);
    ids[5] = func(p, "tiny", "/srv/a.py", 30, 4, 4, 1);
    ids[6] = func(p, "a_really_long_function_name_that_goes.on.and.on/and/on/without/end", "~", 0,
                  10, 10, 1);
    call(p, ids[0], ids[1], 1, 300);
    call(p, ids[1], ids[2], 50, 290);
    call(p, ids[2], ids[1], 49, 280);
    call(p, ids[0], ids[3], 1, 400);
    call(p, ids[3], ids[3], 98, 390);
    call(p, ids[0], ids[4], 3, 195);
    call(p, ids[0], ids[5], 1, 4);
    call(p, ids[4], ids[6], 1, 10);
    p->has_graph = p->has_calls = true;
    return p;
}

static void check_graph_selection(void)
{
    pk_id f[8];
    pk_profile *p = graph_profile(f);
    pk_callgraph_options o;
    pk_callgraph_options_init(&o);
    pk_callgraph cg;
    pk_error err = {{0}};
    CHECK(pk_callgraph_build(p, &o, &cg, &err) == 0);
    CHECK(cg.nscc == 1);
    CHECK(cg.scc[f[1]] != PK_NONE && cg.scc[f[1]] == cg.scc[f[2]]);
    CHECK(cg.scc[f[0]] == PK_NONE && cg.scc[f[3]] == PK_NONE);
    CHECK(cg.scc_share[0] > 0.299 && cg.scc_share[0] < 0.301);
    CHECK(cg.keep_func[f[0]] && cg.keep_func[f[4]] && !cg.keep_func[f[5]] && cg.keep_func[f[6]]);
    CHECK(cg.nkept_funcs == 6 && cg.nkept_edges == 7);
    for (size_t i = 0; i < p->nfuncs; i++)
        CHECK(cg.incl_share[i] >= 0 && cg.incl_share[i] <= 1);
    pk_callgraph_free(&cg);

    o.node_thres = o.edge_thres = 0;
    o.root = "^fib$";
    CHECK(pk_callgraph_build(p, &o, &cg, &err) == 0);
    CHECK(cg.nkept_funcs == 1 && cg.keep_func[f[3]] && cg.nkept_edges == 1);
    pk_callgraph_free(&cg);

    o.root = "main";
    o.depth = 1;
    CHECK(pk_callgraph_build(p, &o, &cg, &err) == 0);
    CHECK(cg.nkept_funcs == 5 && !cg.keep_func[f[2]] && !cg.keep_func[f[6]]);
    pk_callgraph_free(&cg);

    o.root = NULL;
    o.depth = -1;
    o.leaf = "is_odd";
    CHECK(pk_callgraph_build(p, &o, &cg, &err) == 0);
    CHECK(cg.nkept_funcs == 3 && cg.keep_func[f[0]] && !cg.keep_func[f[3]]);
    pk_callgraph_free(&cg);

    o.leaf = "no such function";
    CHECK(pk_callgraph_build(p, &o, &cg, &err) != 0 && strstr(err.msg, "matches no"));
    o.leaf = "(";
    CHECK(pk_callgraph_build(p, &o, &cg, &err) != 0);
    pk_profile_free(p);
}

/* Stacks with mutual recursion a -> b -> a -> b: shares stay within 100 %. */
static pk_profile *tree_profile(void)
{
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "bytes", "bytes");
    pk_id a = pk_function_get(p, "a", "/t.py", 1, PK_KIND_PYTHON);
    pk_id b = pk_function_get(p, "b", "/t.py", 5, PK_KIND_PYTHON);
    pk_id c = pk_function_get(p, "c", "/t.py", 9, PK_KIND_PYTHON);
    pk_id s1[] = {a, b, a, b}, s2[] = {a, c}, s3[] = {a, b, a, b, a, b};
    int64_t v1[] = {3 << 20}, v2[] = {1 << 20}, v3[] = {2048};
    pk_tree_add_stack(p, s1, NULL, 4, v1);
    pk_tree_add_stack(p, s2, NULL, 2, v2);
    pk_tree_add_stack(p, s3, NULL, 6, v3);
    p->has_tree = true;
    return p;
}

static void check_tree(void)
{
    pk_profile *p = tree_profile();
    pk_callgraph_options o;
    pk_callgraph_options_init(&o);
    pk_callgraph cg;
    pk_error err = {{0}};
    CHECK(pk_callgraph_build(p, &o, &cg, &err) == 0);
    CHECK(cg.nscc == 1);
    for (size_t i = 0; i < p->nfuncs; i++)
        CHECK(cg.incl_share[i] >= 0 && cg.incl_share[i] <= 1.0);
    CHECK(cg.incl_share[0] > 0.9999);
    CHECK(cg.scc_share[0] <= 1.0);
    pk_callgraph_free(&cg);
    pk_profile_free(p);
}

static void write(pk_profile *p, const char *path)
{
    pk_error err = {{0}};
    pk_write_options w;
    pk_write_options_init(&w);
    w.title = "title with \"quotes\" and \\ backslash\\";
    if (pk_write_profile(p, path, NULL, &w, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        failures++;
    }
}

/* No functions at all: an empty graph, still valid. */
static void check_empty(void)
{
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "samples", "samples");
    p->has_graph = true;
    pk_dot_options o;
    pk_dot_options_init(&o);
    pk_error err = {{0}};
    Agraph_t *g = pk_dot_graph(p, &o, &err);
    CHECK(g != NULL && agnnodes(g) == 0);
    if (g) agclose(g);
    pk_profile_free(p);
}

/* The hostile names through layout and cairo: a PNG comes out. */
static void render_png(const char *path)
{
    pk_id f[8];
    pk_profile *p = graph_profile(f);
    pk_dot_options o;
    pk_dot_options_init(&o);
    pk_error err = {{0}};
    Agraph_t *g = pk_dot_graph(p, &o, &err);
    FILE *out = fopen(path, "wb");
    CHECK(g && out && pk_dot_render(g, "png", out, &err) == 0);
    if (out) fclose(out);
    if (g) agclose(g);
    pk_profile_free(p);
}

int main(int argc, char **argv)
{
    pk_formats_add_drawing(); /* it writes dot through the registry, as pconv does */
    check_graph_selection();
    check_tree();
    check_empty();
    if (argc == 4) render_png(argv[3]);
    if (argc >= 3) {
        pk_id f[8];
        pk_profile *p = graph_profile(f);
        write(p, argv[1]);
        pk_profile_free(p);
        p = tree_profile();
        write(p, argv[2]);
        pk_profile_free(p);
    }
    printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
