/* Unit tests of line listings over any metrics, source blocks and merging. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/listing.h"
#include "lib/merge.h"
#include "lib/source.h"

static int failures;

#define CHECK(what, cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, what);                              \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static char dir[] = "/tmp/pk-lines-XXXXXX";

static const char *write_file(const char *rel, const char *text)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    return p;
}

static char *listing_of(const pk_profile *p, const pk_listing_options *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    pk_error err = {{0}};
    CHECK("listing written", pk_write_listing(p, f, o, &err) == 0);
    fclose(f);
    return buf;
}

static const char SOURCE[] = "import os\n"
                             "def alloc(n):\n"
                             "    a = bytearray(n)\n"
                             "    b = [a] * 3\n"
                             "    return a, b\n"
                             "\n"
                             "\n"
                             "x = 1\n";

/* memray-like: bytes with an allocation count beside them. */
static void test_bytes_and_counts(void)
{
    const char *file = write_file("m.py", SOURCE);
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "bytes", "bytes");
    pk_add_metric(p, "allocations", "count");
    pk_id f = pk_function_get(p, "alloc", pk_intern_cstr(p, file), 2, PK_KIND_PYTHON);
    pk_line *l = pk_line_get(p, f, 3);
    l->v[0] = 1000, l->v[1] = 2;
    l = pk_line_get(p, f, 4);
    l->v[0] = 3000, l->v[1] = 1;
    pk_listing_options o;
    pk_listing_options_init(&o);
    char *out = listing_of(p, &o);
    CHECK("total bytes", strstr(out, "Total Bytes: 4000\n"));
    CHECK("header from metric names",
          strstr(out, "Line # Allocations        Bytes  Average  % Bytes  Line Contents\n"));
    CHECK("row 3", strstr(out, "     3           2         1000    500.0     25.0      a = "));
    CHECK("row 4", strstr(out, "     4           1         3000   3000.0     75.0      b = "));
    CHECK("block ends with the function", strstr(out, "return a, b\n\n") && !strstr(out, "x = 1"));
    CHECK("no timer unit for bytes", !strstr(out, "Timer unit"));
    free(out);
    o.metric = "allocations";
    out = listing_of(p, &o);
    CHECK("--metric allocations", strstr(out, "% Allocations"));
    free(out);
    pk_profile_free(p);
}

/* austin-like: time only, no hit counts; a function whose file is missing. */
static void test_time_only(void)
{
    const char *file = write_file("t.py", SOURCE);
    pk_profile *p = pk_profile_new();
    pk_add_metric(p, "time", "ns");
    pk_id f = pk_function_get(p, "alloc", pk_intern_cstr(p, file), 2, PK_KIND_PYTHON);
    pk_line_get(p, f, 3)->v[0] = 1500000;
    pk_line_get(p, f, 5)->v[0] = 1000000;
    pk_id g = pk_function_get(p, "gone", "/no/such/file.py", 7, PK_KIND_PYTHON);
    pk_line_get(p, g, 9)->v[0] = 5000000;
    pk_listing_options o;
    pk_listing_options_init(&o);
    o.prog = "test_lines";
    o.limit = 1; /* the hottest only: gone */
    char *out = listing_of(p, &o);
    CHECK("timer unit", strncmp(out, "Timer unit: 1e-06 s\n\n", 21) == 0);
    CHECK("hottest first", strstr(out, "Function: gone at line 7") && !strstr(out, "alloc"));
    CHECK("missing source: only rows with values",
          !strstr(out, "\n     7  ") && strstr(out, "\n     9       5000.0    100.0  \n"));
    free(out);
    o.limit = -1;
    o.unit = 1e-3;
    out = listing_of(p, &o);
    CHECK("header without hits", strstr(out, "Line #         Time   % Time  Line Contents\n"));
    CHECK("row in ms", strstr(out, "     3          1.5     60.0      a = bytearray(n)\n"));
    CHECK("total", strstr(out, "Total time: 0.0025 s\n"));
    free(out);
    pk_profile_free(p);
}

static void test_python_blocks(void)
{
    const char *file = write_file("blocks.py", "class A:\n"
                                               "    @staticmethod\n"
                                               "    @deco(x=(1,\n"
                                               "             2))\n"
                                               "    def f(a,\n"
                                               "b):\n"
                                               "        \"\"\"Doc\n"
                                               "text at column 0\n"
                                               "        \"\"\"\n"
                                               "\n"
                                               "        return [a,\n"
                                               "  b]\n"
                                               "        # trailing comment in the body\n"
                                               "    # comment less indented\n"
                                               "\n"
                                               "    def g(self): return 1\n"
                                               "    x = 2\n"
                                               "async def h():\n"
                                               "    await z\n");
    pk_source *s = pk_source_open(file, NULL);
    CHECK("source read", s && s->nlines == 19);
    if (!s) return;
    CHECK("decorated method with a docstring", pk_source_python_block(s, 2) == 12);
    CHECK("one-line def", pk_source_python_block(s, 16) == 1);
    CHECK("class", pk_source_python_block(s, 1) == 17);
    CHECK("async def", pk_source_python_block(s, 18) == 2);
    CHECK("line outside the file", pk_source_python_block(s, 40) == 0);
    CHECK("header", pk_source_is_header(s, 2) && pk_source_is_header(s, 18));
    CHECK("not a header", !pk_source_is_header(s, 17));
    pk_source_free(s);
}

static void test_source_root(void)
{
    char sub[600];
    snprintf(sub, sizeof sub, "%s/pkg", dir);
    mkdir(sub, 0700);
    write_file("pkg/mod.py", "a\r\nb\rc\n");
    pk_source *s = pk_source_open("/build/host/src/pkg/mod.py", dir);
    CHECK("found under the root with leading dirs stripped", s && s->nlines == 3);
    if (s) CHECK("universal newlines", !strcmp(s->lines[1], "b") && !strcmp(s->lines[2], "c"));
    pk_source_free(s);
    CHECK("not found", !pk_source_open("/build/host/src/pkg/other.py", dir));
}

static void test_merge(void)
{
    pk_profile *a = pk_profile_new(), *b = pk_profile_new();
    pk_add_metric(a, "time", "ns");
    pk_add_metric(b, "samples", "samples");
    pk_add_metric(b, "time", "ns");
    pk_id fa = pk_function_get(a, "f", "m.py", 1, PK_KIND_PYTHON);
    pk_id ga = pk_function_get(a, "g", "m.py", 5, PK_KIND_PYTHON);
    pk_id gb = pk_function_get(b, "g", "m.py", 5, PK_KIND_PYTHON);
    pk_id fb = pk_function_get(b, "f", "m.py", 1, PK_KIND_PYTHON);
    a->funcs[fa].self[0] = 10;
    b->funcs[fb].self[1] = 5;
    pk_edge_get(a, fa, ga)->calls = 2;
    pk_edge_get(b, fb, gb)->calls = 3;
    pk_line_get(a, fa, 2)->v[0] = 7;
    pk_line_get(b, fb, 2)->v[1] = 4;
    pk_id stack[2] = {fb, gb};
    int64_t v[2] = {1, 100};
    pk_tree_add_stack(b, stack, NULL, 2, v);
    pk_error err = {{0}};
    CHECK("merge", pk_profile_merge(a, b, &err) == 0);
    CHECK("metric added", a->nmetrics == 2 && pk_metric_find(a, "samples") == 1);
    CHECK("functions by identity", a->nfuncs == 2 && a->funcs[fa].self[0] == 15);
    CHECK("edges summed", a->nedges == 1 && pk_edge_find(a, fa, ga)->calls == 5);
    CHECK("lines summed", a->nlines == 1 && pk_line_get(a, fa, 2)->v[0] == 11);
    CHECK("tree", a->has_tree && a->nnodes == 3 && a->nodes[2].self[0] == 100 &&
                      a->nodes[2].self[1] == 1 && a->nodes[2].func == ga);
    pk_profile *c = pk_profile_new();
    pk_add_metric(c, "time", "count");
    CHECK("unit clash refused", pk_profile_merge(a, c, &err) == -1);
    pk_profile_free(a);
    pk_profile_free(b);
    pk_profile_free(c);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_bytes_and_counts();
    test_time_only();
    test_python_blocks();
    test_source_root();
    test_merge();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    if (failures) fprintf(stderr, "%d failures\n", failures);
    return failures ? 1 : 0;
}
