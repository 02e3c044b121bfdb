/* The model's storage: arena, interned strings and the hash indexes that make
 * every "find or create" one probe. */
#include "profile.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call_history.h"
#include "heap_history.h"
#include "hmap.h"
#include "limits.h"
#include "timeline.h"

typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
} chunk;

struct pk_arena {
    chunk *head;
};

struct pk_index {
    pk_hmap strings, funcs, edges, nodes, lines;
    const char **strs;
    size_t nstrs, capstrs;
};

static void *arena_alloc(pk_arena *a, size_t size)
{
    pk_budget_check(size);
    size = (size + 15) & ~(size_t)15;
    chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        size_t csize = size > 60000 ? size : 60000;
        pk_budget_charge(sizeof(chunk) + csize);
        c = pk_xmalloc(sizeof(chunk) + csize);
        c->size = csize;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    return p;
}

pk_profile *pk_profile_new(void)
{
    pk_profile *p = pk_xcalloc(1, sizeof *p);
    p->arena = pk_xcalloc(1, sizeof *p->arena);
    p->index = pk_xcalloc(1, sizeof *p->index);
    /* Node 0 is the root of the call tree. */
    PK_GROW(p->nodes, p->capnodes, 1);
    p->nodes[0] = (pk_node){
        .func = PK_NONE, .parent = PK_NONE, .first_child = PK_NONE, .next_sibling = PK_NONE};
    p->nnodes = 1;
    return p;
}

void pk_profile_free(pk_profile *p)
{
    if (!p) return;
    for (chunk *c = p->arena->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(p->arena);
    pk_index *ix = p->index;
    pk_hmap_free(&ix->strings);
    pk_hmap_free(&ix->funcs);
    pk_hmap_free(&ix->edges);
    pk_hmap_free(&ix->nodes);
    pk_hmap_free(&ix->lines);
    free(ix->strs);
    free(ix);
    free(p->funcs);
    free(p->edges);
    free(p->nodes);
    free(p->lines);
    free(p->callsites);
    free(p->meta);
    free(p->series);
    pk_timeline_free(p->timeline);
    pk_heap_history_free(p->heap);
    pk_call_history_free(p->calls_history);
    free(p);
}

void *pk_alloc(pk_profile *p, size_t size)
{
    void *m = arena_alloc(p->arena, size);
    memset(m, 0, size);
    return m;
}

/* ---- strings ---- */

typedef struct {
    const pk_index *ix;
    const char *s;
    size_t len;
} str_key;

static bool str_eq(const void *ctx, uint32_t id)
{
    const str_key *k = ctx;
    const char *t = k->ix->strs[id];
    return strncmp(t, k->s, k->len) == 0 && t[k->len] == '\0';
}

const char *pk_intern(pk_profile *p, const char *s, size_t len)
{
    pk_index *ix = p->index;
    /* A NUL inside a name would cut it short; such names are kept up to it. */
    const char *nul = memchr(s, '\0', len);
    if (nul) len = (size_t)(nul - s);
    uint64_t h = pk_hash_bytes(s, len);
    str_key k = {ix, s, len};
    uint32_t id = pk_hmap_get(&ix->strings, h, str_eq, &k, (uint32_t)ix->nstrs);
    if (id != ix->nstrs) return ix->strs[id];
    char *copy = arena_alloc(p->arena, len + 1);
    memcpy(copy, s, len);
    copy[len] = '\0';
    PK_GROW(ix->strs, ix->capstrs, ix->nstrs + 1);
    ix->strs[ix->nstrs++] = copy;
    return copy;
}

const char *pk_intern_cstr(pk_profile *p, const char *s)
{
    return pk_intern(p, s ? s : "", s ? strlen(s) : 0);
}

/* ---- metrics ---- */

/* Zeroed self and incl arrays of value_room values each, for a new function
 * or edge. The first one sets the room: the metrics so far, at least one. */
static int64_t *values_new(pk_profile *p)
{
    if (!p->value_room) p->value_room = p->nmetrics > 1 ? p->nmetrics : 1;
    return pk_alloc(p, 2 * (size_t)p->value_room * sizeof(int64_t));
}

static void values_move(pk_profile *p, int64_t **self, int64_t **incl, int old_room)
{
    int64_t *v = values_new(p);
    memcpy(v, *self, (size_t)old_room * sizeof *v);
    memcpy(v + p->value_room, *incl, (size_t)old_room * sizeof *v);
    *self = v;
    *incl = v + p->value_room;
}

/* A metric beyond the room after functions or edges were made: every one of
 * them gets room for all (the old arrays stay in the arena until the profile
 * goes; readers add their metrics first, so this is rare). */
static void values_widen(pk_profile *p)
{
    int old = p->value_room;
    p->value_room = PK_MAX_METRICS;
    for (size_t i = 0; i < p->nfuncs; i++)
        values_move(p, &p->funcs[i].self, &p->funcs[i].incl, old);
    for (size_t i = 0; i < p->nedges; i++)
        values_move(p, &p->edges[i].self, &p->edges[i].incl, old);
}

int pk_add_metric(pk_profile *p, const char *name, const char *unit)
{
    int i = pk_metric_find(p, name);
    if (i >= 0) return i;
    if (p->nmetrics >= PK_MAX_METRICS) abort(); /* a reader bug, not bad input */
    if (p->value_room && p->nmetrics >= p->value_room) values_widen(p);
    p->metrics[p->nmetrics] =
        (pk_metric){pk_intern_cstr(p, name), pk_intern_cstr(p, unit ? unit : "count"), 0, 0};
    return p->nmetrics++;
}

int pk_value_text(char *buf, size_t size, int64_t v, int decimals)
{
    if (decimals > 18) decimals = 18;
    if (decimals <= 0) return snprintf(buf, size, "%" PRId64, v);
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, div = 1;
    for (int i = 0; i < decimals; i++)
        div *= 10;
    return snprintf(buf, size, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", u / div, decimals,
                    u % div);
}

void pk_metric_rescale(pk_profile *p, int m, int decimals)
{
    int64_t f = 1;
    for (int k = p->metrics[m].decimals; k < decimals; k++)
        f *= 10;
    if (f == 1) return;
    for (size_t i = 0; i < p->nfuncs; i++)
        p->funcs[i].self[m] *= f, p->funcs[i].incl[m] *= f;
    for (size_t i = 0; i < p->nedges; i++)
        p->edges[i].self[m] *= f, p->edges[i].incl[m] *= f;
    for (size_t i = 0; i < p->nnodes; i++)
        p->nodes[i].self[m] *= f;
    for (size_t i = 0; i < p->nlines; i++)
        p->lines[i].v[m] *= f;
    for (size_t i = 0; i < p->ncallsites; i++)
        p->callsites[i].incl[m] *= f;
    p->metrics[m].decimals = decimals;
}

double pk_value_real(const pk_metric *m, int64_t v)
{
    double d = (double)v;
    for (int i = 0; i < m->decimals; i++)
        d /= 10;
    return d;
}

int pk_metric_find(const pk_profile *p, const char *name)
{
    for (int i = 0; i < p->nmetrics; i++)
        if (strcmp(p->metrics[i].name, name) == 0) return i;
    return -1;
}

/* ---- functions ---- */

static const char *const kind_names[PK_KIND_COUNT] = {
    "python", "native", "builtin", "kernel", "gc", "idle", "process", "thread", "other"};

const char *pk_kind_name(pk_kind kind)
{
    return kind < PK_KIND_COUNT ? kind_names[kind] : "other";
}

typedef struct {
    const pk_profile *p;
    const char *name, *file;
    int32_t line;
} func_key;

static uint64_t func_hash(const char *name, const char *file, int32_t line)
{
    return pk_hash_mix(pk_hash_mix(pk_hash_mix(0, (uintptr_t)name), (uintptr_t)file),
                       (uint64_t)(uint32_t)line);
}

static bool func_eq(const void *ctx, uint32_t id)
{
    const func_key *k = ctx;
    const pk_function *f = &k->p->funcs[id];
    return f->name == k->name && f->file == k->file && f->line == k->line;
}

pk_id pk_function_get(pk_profile *p, const char *name, const char *file, int32_t line, pk_kind kind)
{
    return pk_function_get_interned(p, pk_intern_cstr(p, name), pk_intern_cstr(p, file), line,
                                    kind);
}

pk_id pk_function_get_interned(pk_profile *p, const char *name, const char *file, int32_t line,
                               pk_kind kind)
{
    uint64_t h = func_hash(name, file, line);
    func_key k = {p, name, file, line};
    uint32_t id = pk_hmap_get(&p->index->funcs, h, func_eq, &k, (uint32_t)p->nfuncs);
    if (id != p->nfuncs) return id;
    PK_GROW(p->funcs, p->capfuncs, p->nfuncs + 1);
    int64_t *v = values_new(p);
    p->funcs[p->nfuncs] = (pk_function){.name = name,
                                        .file = file,
                                        .line = line,
                                        .kind = kind,
                                        .self = v,
                                        .incl = v + p->value_room};
    return (pk_id)p->nfuncs++;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Readers call this once per function: the first bytes settle most names
 * before any library call. */
pk_kind pk_kind_guess(const char *name, const char *file)
{
    if ((file[0] == '~' && file[1] == '\0') || (file[0] == '\0' && name[0] != '\0'))
        return PK_KIND_BUILTIN;
    if (name[0] == '<') {
        if (starts_with(name, "<built-in") || starts_with(name, "<method ")) return PK_KIND_BUILTIN;
        if (strcmp(name, "<GC>") == 0) return PK_KIND_GC;
    } else if (name[0] == ':') {
        if (strcmp(name, ":GC:") == 0) return PK_KIND_GC;
        if (strcmp(name, ":IDLE:") == 0) return PK_KIND_IDLE;
    }
    size_t n = strlen(file);
    if ((n > 3 && memcmp(file + n - 3, ".py", 3) == 0) || file[0] == '<' || n == 0)
        return PK_KIND_PYTHON;
    if (strstr(file, ".so") || strstr(file, ".c") || strstr(file, ".h")) return PK_KIND_NATIVE;
    return PK_KIND_PYTHON;
}

/* ---- edges ---- */

typedef struct {
    const pk_profile *p;
    pk_id caller, callee;
} edge_key;

static bool edge_eq(const void *ctx, uint32_t id)
{
    const edge_key *k = ctx;
    const pk_edge *e = &k->p->edges[id];
    return e->caller == k->caller && e->callee == k->callee;
}

static uint64_t edge_hash(pk_id caller, pk_id callee)
{
    return pk_hash_mix(pk_hash_mix(1, caller), callee);
}

/* A reader that knows an edge is new may append it to p->edges directly (no
 * hashing while reading); the index takes such edges in at the next lookup. */
static void index_new_edges(const pk_profile *p)
{
    pk_hmap *m = &p->index->edges;
    if (m->count >= p->nedges) return;
    pk_hmap_reserve(m, p->nedges);
    for (size_t i = m->count; i < p->nedges; i++)
        pk_hmap_insert(m, edge_hash(p->edges[i].caller, p->edges[i].callee), (uint32_t)i);
}

pk_edge *pk_edge_find(const pk_profile *p, pk_id caller, pk_id callee)
{
    index_new_edges(p);
    edge_key k = {p, caller, callee};
    uint32_t id = pk_hmap_find(&p->index->edges, edge_hash(caller, callee), edge_eq, &k);
    return id == UINT32_MAX ? NULL : &p->edges[id];
}

pk_edge *pk_edge_get(pk_profile *p, pk_id caller, pk_id callee)
{
    index_new_edges(p);
    edge_key k = {p, caller, callee};
    uint32_t id =
        pk_hmap_get(&p->index->edges, edge_hash(caller, callee), edge_eq, &k, (uint32_t)p->nedges);
    if (id != p->nedges) return &p->edges[id];
    return pk_edge_append(p, caller, callee);
}

pk_edge *pk_edge_append(pk_profile *p, pk_id caller, pk_id callee)
{
    PK_GROW(p->edges, p->capedges, p->nedges + 1);
    int64_t *v = values_new(p);
    p->edges[p->nedges] =
        (pk_edge){.caller = caller, .callee = callee, .self = v, .incl = v + p->value_room};
    return &p->edges[p->nedges++];
}

/* ---- tree ---- */

typedef struct {
    const pk_profile *p;
    pk_id parent, func;
    int32_t line;
} node_key;

static bool node_eq(const void *ctx, uint32_t id)
{
    const node_key *k = ctx;
    const pk_node *n = &k->p->nodes[id];
    return n->parent == k->parent && n->func == k->func && n->line == k->line;
}

static uint64_t node_hash(pk_id parent, pk_id func, int32_t line)
{
    return pk_hash_mix(pk_hash_mix(pk_hash_mix(2, parent), func), (uint32_t)line);
}

static pk_id node_add(pk_profile *p, pk_id parent, pk_id func, int32_t line)
{
    PK_GROW(p->nodes, p->capnodes, p->nnodes + 1);
    pk_id id = (pk_id)p->nnodes++;
    p->nodes[id] = (pk_node){.func = func,
                             .parent = parent,
                             .first_child = PK_NONE,
                             .next_sibling = p->nodes[parent].first_child,
                             .line = line};
    p->nodes[parent].first_child = id;
    return id;
}

pk_id pk_tree_child(pk_profile *p, pk_id parent, pk_id func, int32_t line)
{
    uint64_t h = node_hash(parent, func, line);
    node_key k = {p, parent, func, line};
    uint32_t id = pk_hmap_get(&p->index->nodes, h, node_eq, &k, (uint32_t)p->nnodes);
    return id != p->nnodes ? id : node_add(p, parent, func, line);
}

pk_id pk_tree_add_stack(pk_profile *p, const pk_id *funcs, const int32_t *lines, size_t depth,
                        const int64_t *values)
{
    pk_check_stack_depth(depth);
    pk_id node = 0;
    for (size_t i = 0; i < depth; i++)
        node = pk_tree_child(p, node, funcs[i], lines ? lines[i] : 0);
    for (int m = 0; m < p->nmetrics; m++)
        p->nodes[node].self[m] += values[m];
    p->has_tree = true;
    return node;
}

int64_t *pk_tree_inclusive(const pk_profile *p)
{
    int nm = p->nmetrics;
    int64_t *incl = pk_xcalloc(p->nnodes * (size_t)(nm ? nm : 1), sizeof *incl);
    /* Children always have larger ids than their parents: one backward pass. */
    for (size_t i = p->nnodes; i-- > 0;) {
        const pk_node *n = &p->nodes[i];
        for (int m = 0; m < nm; m++) {
            incl[i * nm + m] += n->self[m];
            if (n->parent != PK_NONE) incl[(size_t)n->parent * nm + m] += incl[i * nm + m];
        }
    }
    return incl;
}

/* ---- lines ---- */

typedef struct {
    const pk_profile *p;
    pk_id func;
    int32_t line;
} line_key;

static bool line_eq(const void *ctx, uint32_t id)
{
    const line_key *k = ctx;
    return k->p->lines[id].func == k->func && k->p->lines[id].line == k->line;
}

pk_line *pk_line_get(pk_profile *p, pk_id func, int32_t line)
{
    uint64_t h = pk_hash_mix(pk_hash_mix(3, func), (uint32_t)line);
    line_key k = {p, func, line};
    uint32_t id = pk_hmap_get(&p->index->lines, h, line_eq, &k, (uint32_t)p->nlines);
    if (id != p->nlines) return &p->lines[id];
    PK_GROW(p->lines, p->caplines, p->nlines + 1);
    p->lines[p->nlines] = (pk_line){.func = func, .line = line};
    return &p->lines[p->nlines++];
}

/* ---- metadata, series, totals ---- */

void pk_meta_set(pk_profile *p, const char *key, const char *value)
{
    key = pk_intern_cstr(p, key);
    value = pk_intern_cstr(p, value);
    for (size_t i = 0; i < p->nmeta; i++)
        if (p->meta[i].key == key) {
            p->meta[i].value = value;
            return;
        }
    PK_GROW(p->meta, p->capmeta, p->nmeta + 1);
    p->meta[p->nmeta++] = (pk_meta){key, value};
}

const char *pk_meta_get(const pk_profile *p, const char *key)
{
    for (size_t i = 0; i < p->nmeta; i++)
        if (strcmp(p->meta[i].key, key) == 0) return p->meta[i].value;
    return NULL;
}

void pk_series_add(pk_profile *p, int64_t t_ns, int64_t a, int64_t b)
{
    PK_GROW(p->series, p->capseries, p->nseries + 1);
    p->series[p->nseries++] = (pk_series_point){t_ns, {a, b}};
}

int64_t pk_total(const pk_profile *p, int metric)
{
    int64_t total = 0;
    if (metric < 0 || metric >= p->nmetrics) return 0;
    if (p->has_graph) {
        for (size_t i = 0; i < p->nfuncs; i++)
            total += p->funcs[i].self[metric];
        /* samples without any frame (austin's empty stacks) sit on the root */
        if (p->has_tree && p->nnodes) total += p->nodes[0].self[metric];
    } else {
        for (size_t i = 0; i < p->nnodes; i++)
            total += p->nodes[i].self[metric];
    }
    return total;
}

/* ---- reindexing after wholesale rewrites (filters, merges) ---- */

void pk_reindex(pk_profile *p)
{
    pk_index *ix = p->index;
    pk_hmap_free(&ix->funcs);
    pk_hmap_free(&ix->edges);
    pk_hmap_free(&ix->nodes);
    pk_hmap_free(&ix->lines);
    for (size_t i = 0; i < p->nfuncs; i++) {
        pk_function *f = &p->funcs[i];
        pk_hmap_insert(&ix->funcs, func_hash(f->name, f->file, f->line), (uint32_t)i);
    }
    for (size_t i = 0; i < p->nedges; i++)
        pk_hmap_insert(&ix->edges, edge_hash(p->edges[i].caller, p->edges[i].callee), (uint32_t)i);
    for (size_t i = 0; i < p->nnodes; i++)
        p->nodes[i].first_child = PK_NONE;
    for (size_t i = 1; i < p->nnodes; i++) {
        pk_node *n = &p->nodes[i];
        n->next_sibling = p->nodes[n->parent].first_child;
        p->nodes[n->parent].first_child = (pk_id)i;
        pk_hmap_insert(&ix->nodes, node_hash(n->parent, n->func, n->line), (uint32_t)i);
    }
    for (size_t i = 0; i < p->nlines; i++)
        pk_hmap_insert(&ix->lines,
                       pk_hash_mix(pk_hash_mix(3, p->lines[i].func), (uint32_t)p->lines[i].line),
                       (uint32_t)i);
}
