/* Per-line self costs in written callgrind files: a line-profiler-like
 * profile (metrics time and hits, per-line values) and a stack profile (nodes
 * that know their line) are written, read back, and must give the same
 * per-function self costs, the same totals and the lines they had;
 * callgrind_annotate must accept the files without a warning. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static pk_profile *lines_profile(void)
{
    pk_profile *p = pk_profile_new();
    int t = pk_add_metric(p, "time", "ns"), h = pk_add_metric(p, "hits", "count");
    pk_id f = pk_function_get(p, "work", "/srv/a b.py", 10, PK_KIND_PYTHON);
    pk_id g = pk_function_get(p, "name\nwith newline", "/srv/x.py", 3, PK_KIND_PYTHON);
    int64_t lines[][3] = {{11, 100, 1}, {12, 250, 5}, {14, 50, 2}};
    for (size_t i = 0; i < 3; i++) {
        pk_line *l = pk_line_get(p, f, (int32_t)lines[i][0]);
        l->v[t] = lines[i][1];
        l->v[h] = lines[i][2];
        p->funcs[f].self[t] += lines[i][1];
        p->funcs[f].self[h] += lines[i][2];
    }
    p->funcs[g].self[t] = 7;
    p->funcs[g].self[h] = 1;
    for (int m = 0; m < 2; m++) {
        p->funcs[f].incl[m] = p->funcs[f].self[m];
        p->funcs[g].incl[m] = p->funcs[g].self[m];
    }
    p->has_graph = true;
    return p;
}

static pk_profile *stack_profile(void)
{
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "samples", "samples");
    pk_id a = pk_function_get(p, "main", "/srv/m.py", 1, PK_KIND_PYTHON);
    pk_id b = pk_function_get(p, "leaf", "/srv/m.py", 20, PK_KIND_PYTHON);
    pk_id s1[] = {a}, s2[] = {a, b};
    int32_t l1[] = {5}, l2[] = {6, 22}, l3[] = {7, 21};
    int64_t v3 = 3, v4 = 4, v5 = 5;
    pk_tree_add_stack(p, s1, l1, 1, &v3);
    pk_tree_add_stack(p, s2, l2, 2, &v4);
    pk_tree_add_stack(p, s2, l3, 2, &v5);
    p->has_tree = true;
    pk_derive_graph(p);
    return p;
}

static const pk_function *find(const pk_profile *p, const char *name)
{
    for (size_t i = 0; i < p->nfuncs; i++)
        if (strncmp(p->funcs[i].name, name, strlen(name)) == 0) return &p->funcs[i];
    return NULL;
}

static int64_t line_value(const pk_profile *p, const pk_function *f, int32_t line, int m)
{
    for (size_t i = 0; i < p->nlines; i++)
        if (&p->funcs[p->lines[i].func] == f && p->lines[i].line == line) return p->lines[i].v[m];
    return -1;
}

static void annotate_clean(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "callgrind_annotate '%s' 2>&1 >/dev/null", path);
    FILE *f = popen(cmd, "r");
    char buf[512];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    int rc = f ? pclose(f) : -1;
    buf[n] = '\0';
    CHECK(rc == 0 && n == 0, "callgrind_annotate on %s: status %d, '%s'", path, rc, buf);
}

static void roundtrip(pk_profile *p, const char *path, const char *const *names, size_t nnames)
{
    pk_error err = {{0}};
    pk_write_options wopt;
    pk_write_options_init(&wopt);
    CHECK(pk_write_profile(p, path, "callgrind", &wopt, &err) == 0, "write: %s", err.msg);
    annotate_clean(path);
    pk_read_options ropt;
    pk_read_options_init(&ropt);
    pk_profile *q = pk_read_profile(path, NULL, &ropt, &err);
    CHECK(q != NULL, "read back: %s", err.msg);
    if (!q) return;
    CHECK(q->nmetrics == p->nmetrics, "metrics %d, expected %d", q->nmetrics, p->nmetrics);
    for (int m = 0; m < p->nmetrics && m < q->nmetrics; m++)
        CHECK(pk_total(q, m) == pk_total(p, m), "total %d: %" PRId64 ", expected %" PRId64, m,
              pk_total(q, m), pk_total(p, m));
    for (size_t i = 0; i < nnames; i++) {
        const pk_function *a = find(p, names[i]), *b = find(q, names[i]);
        CHECK(a && b, "function %s lost", names[i]);
        if (!a || !b) continue;
        for (int m = 0; m < p->nmetrics; m++)
            CHECK(a->self[m] == b->self[m], "%s self %" PRId64 ", expected %" PRId64, names[i],
                  b->self[m], a->self[m]);
    }
    FILE *f = fopen(path, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        CHECK(strncmp(line, "with newline", 12) != 0, "a name's newline broke a line");
    if (f) fclose(f);
    pk_profile_free(q);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    char path[512];

    pk_profile *p = lines_profile();
    snprintf(path, sizeof path, "%s/lines.callgrind", dir);
    const char *lnames[] = {"work", "name"};
    roundtrip(p, path, lnames, 2);
    pk_error err = {{0}};
    pk_read_options ropt;
    pk_read_options_init(&ropt);
    pk_profile *q = pk_read_profile(path, NULL, &ropt, &err);
    if (q) {
        const pk_function *w = find(q, "work");
        CHECK(w && line_value(q, w, 12, 0) == 250 && line_value(q, w, 12, 1) == 5,
              "line 12 of work lost its values");
        CHECK(w && line_value(q, w, 14, 0) == 50, "line 14 of work lost its values");
        pk_profile_free(q);
    }
    pk_profile_free(p);

    p = stack_profile();
    snprintf(path, sizeof path, "%s/stacks.callgrind", dir);
    const char *snames[] = {"main", "leaf"};
    roundtrip(p, path, snames, 2);
    q = pk_read_profile(path, NULL, &ropt, &err);
    if (q) {
        const pk_function *leaf = find(q, "leaf");
        CHECK(leaf && line_value(q, leaf, 22, 0) == 4 && line_value(q, leaf, 21, 0) == 5,
              "leaf's lines 21/22 lost");
        pk_profile_free(q);
    }
    pk_profile_free(p);
    if (failures) return 1;
    puts("ok");
    return 0;
}
