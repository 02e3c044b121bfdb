/* The model as JSON (docs/model-json.md), streamed: the structure is written
 * directly and jansson encodes each string that needs escaping, so a large
 * profile never exists twice in memory. The bytes are those jansson's
 * json_dumpf(JSON_COMPACT) gives for the same document. */
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/escape.h"
#include "format.h"

typedef struct {
    FILE *f;
    bool failed;
} json_out;

/* Bytes jansson writes as they are (valid UTF-8 assumed): anything but a
 * control character, a quote or a backslash. */
static bool is_plain(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < 0x20 || *c == '"' || *c == '\\') return false;
    return true;
}

static void put_encoded(json_out *o, const char *utf8)
{
    json_t *v = json_string(utf8);
    char stack[1024];
    size_t n = v ? json_dumpb(v, stack, sizeof stack, JSON_COMPACT | JSON_ENCODE_ANY) : 0;
    if (n > sizeof stack) {
        char *heap = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        if (heap) fputs(heap, o->f);
        o->failed |= heap == NULL;
        free(heap);
    } else if (n > 0) {
        fwrite(stack, 1, n, o->f);
    } else {
        o->failed = true;
    }
    json_decref(v);
}

/* A string value; bytes that are not UTF-8 become U+FFFD. */
static void put_string(json_out *o, const char *s)
{
    char *scratch;
    const char *utf8 = pk_utf8_valid(s ? s : "", &scratch);
    if (is_plain(utf8)) {
        putc('"', o->f);
        fputs(utf8, o->f);
        putc('"', o->f);
    } else {
        put_encoded(o, utf8);
    }
    free(scratch);
}

static void put_int(json_out *o, int64_t v)
{
    fprintf(o->f, "%" PRId64, v);
}

static void put_values(json_out *o, const pk_profile *p, const int64_t *v)
{
    putc('[', o->f);
    for (int m = 0; m < p->nmetrics; m++) {
        if (m) putc(',', o->f);
        put_int(o, v[m]);
    }
    putc(']', o->f);
}

static void put_functions(json_out *o, const pk_profile *p)
{
    FILE *f = o->f;
    fputs("\"functions\":[", f);
    for (size_t i = 0; i < p->nfuncs; i++) {
        const pk_function *fn = &p->funcs[i];
        fprintf(f, "%s{\"id\":%zu,\"name\":", i ? "," : "", i);
        put_string(o, fn->name);
        fputs(",\"file\":", f);
        put_string(o, fn->file);
        fprintf(f, ",\"line\":%" PRId32 ",\"kind\":", fn->line);
        put_string(o, pk_kind_name(fn->kind));
        fprintf(f, ",\"calls\":%" PRId64 ",\"pcalls\":%" PRId64 ",\"self\":", fn->calls,
                fn->pcalls);
        put_values(o, p, fn->self);
        fputs(",\"incl\":", f);
        put_values(o, p, fn->incl);
        putc('}', f);
    }
    putc(']', f);
}

static void put_edges(json_out *o, const pk_profile *p)
{
    FILE *f = o->f;
    fputs(",\"edges\":[", f);
    for (size_t i = 0; i < p->nedges; i++) {
        const pk_edge *e = &p->edges[i];
        fprintf(f,
                "%s{\"caller\":%" PRIu32 ",\"callee\":%" PRIu32 ",\"calls\":%" PRId64
                ",\"pcalls\":%" PRId64 ",\"self\":",
                i ? "," : "", (uint32_t)e->caller, (uint32_t)e->callee, e->calls, e->pcalls);
        put_values(o, p, e->self);
        fputs(",\"incl\":", f);
        put_values(o, p, e->incl);
        putc('}', f);
    }
    putc(']', f);
}

static void put_tree(json_out *o, const pk_profile *p)
{
    FILE *f = o->f;
    fputs(",\"tree\":[", f);
    for (size_t i = 1; i < p->nnodes; i++) {
        const pk_node *n = &p->nodes[i];
        fprintf(f,
                "%s{\"id\":%zu,\"parent\":%" PRIu32 ",\"func\":%" PRIu32 ",\"line\":%" PRId32
                ",\"self\":",
                i > 1 ? "," : "", i, (uint32_t)n->parent, (uint32_t)n->func, n->line);
        put_values(o, p, n->self);
        putc('}', f);
    }
    putc(']', f);
}

static void put_lines(json_out *o, const pk_profile *p)
{
    FILE *f = o->f;
    fputs(",\"lines\":[", f);
    for (size_t i = 0; i < p->nlines; i++) {
        const pk_line *l = &p->lines[i];
        fprintf(f, "%s{\"func\":%" PRIu32 ",\"line\":%" PRId32 ",\"v\":", i ? "," : "",
                (uint32_t)l->func, l->line);
        put_values(o, p, l->v);
        putc('}', f);
    }
    putc(']', f);
}

static void put_series(json_out *o, const pk_profile *p)
{
    FILE *f = o->f;
    fputs(",\"series\":{\"names\":[", f);
    put_string(o, p->series_names[0] ? p->series_names[0] : "");
    putc(',', f);
    put_string(o, p->series_names[1] ? p->series_names[1] : "");
    fputs("],\"points\":[", f);
    for (size_t i = 0; i < p->nseries; i++) {
        const pk_series_point *s = &p->series[i];
        fprintf(f, "%s[%" PRId64 ",%" PRId64 ",%" PRId64 "]", i ? "," : "", s->t_ns, s->v[0],
                s->v[1]);
    }
    fputs("]}", f);
}

/* Keys are made valid UTF-8 first; two keys that become one keep the first
 * one's place and the last one's value, as a jansson object would. */
static void put_meta(json_out *o, const pk_profile *p)
{
    FILE *f = o->f;
    fputs(",\"meta\":{", f);
    bool first = true;
    for (size_t i = 0; i < p->nmeta; i++) {
        char *scratch_i, *scratch_k;
        const char *key = pk_utf8_valid(p->meta[i].key, &scratch_i);
        bool seen = false;
        size_t last = i;
        for (size_t k = 0; k < p->nmeta && !seen; k++) {
            if (k == i) continue;
            bool same = strcmp(pk_utf8_valid(p->meta[k].key, &scratch_k), key) == 0;
            free(scratch_k);
            if (same && k < i) seen = true;
            if (same && k > i) last = k;
        }
        if (!seen) {
            if (!first) putc(',', f);
            first = false;
            put_string(o, key);
            putc(':', f);
            put_string(o, p->meta[last].value);
        }
        free(scratch_i);
    }
    putc('}', f);
}

static void put_model(json_out *o, pk_profile *p)
{
    FILE *f = o->f;
    pk_ensure_graph(p);
    fputs("{\"schema\":\"profkit-model/1\",\"format\":", f);
    put_string(o, p->format ? p->format : "");
    fputs(",\"metrics\":[", f);
    for (int m = 0; m < p->nmetrics; m++) {
        fputs(m ? ",{\"name\":" : "{\"name\":", f);
        put_string(o, p->metrics[m].name);
        fputs(",\"unit\":", f);
        put_string(o, p->metrics[m].unit);
        /* integers with that many decimal digits: 313 with decimals 2 is 3.13 */
        if (p->metrics[m].decimals > 0) fprintf(f, ",\"decimals\":%d", p->metrics[m].decimals);
        if (p->metrics[m].source_exp != 0)
            fprintf(f, ",\"source_exp\":%d", p->metrics[m].source_exp);
        putc('}', f);
    }
    fprintf(f, "],\"estimated\":%s,\"has_calls\":%s", p->estimated ? "true" : "false",
            p->has_calls ? "true" : "false");
    put_meta(o, p);
    fputs(",\"totals\":[", f);
    for (int m = 0; m < p->nmetrics; m++) {
        if (m) putc(',', f);
        put_int(o, pk_total(p, m));
    }
    fputs("],", f);
    put_functions(o, p);
    put_edges(o, p);
    if (p->has_tree) put_tree(o, p);
    if (p->nlines) put_lines(o, p);
    if (p->nseries) put_series(o, p);
    fputs("}\n", f);
}

static int write_json(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err)
{
    (void)opt;
    json_out o = {f, false};
    put_model(&o, p);
    if (o.failed || ferror(f)) {
        pk_error_set(err, "cannot write JSON");
        return -1;
    }
    return 0;
}

const pk_format pk_format_json = {
    .name = "json",
    .patterns = "*.json",
    .description = "the profile model as JSON (docs/model-json.md)",
    .write = write_json,
};
