/* Flame graph layout, value formatting and colours (see flame.h). */
#include "flame.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "timeline.h"

/* The tree being laid out: the profile's own, or the inverted one. */
typedef struct {
    pk_id func;
    uint32_t first_child, next_sibling;
    int64_t value, self, value2, self2;
} ft_node;

typedef struct {
    ft_node *nodes;
    size_t n, cap;
    /* Only while building the inverted tree: each node's (parent, func) key,
     * and the index from key to node. */
    uint64_t *keys;
    size_t capkeys;
    pk_hmap children;
} ftree;

static int ft_reserve(ftree *t, size_t n)
{
    if (n <= t->cap) return 0;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < n)
        cap *= 2;
    ft_node *q = realloc(t->nodes, cap * sizeof *q);
    if (!q) return -1;
    t->nodes = q;
    t->cap = cap;
    return 0;
}

typedef struct {
    const ftree *t;
    uint64_t key;
} child_key;

static bool child_is(const void *ctx, uint32_t id)
{
    const child_key *k = ctx;
    return k->t->keys[id] == k->key;
}

/* Find or create the child of parent for func in the inverted tree. */
static uint32_t ft_child(ftree *t, uint32_t parent, pk_id func)
{
    if (ft_reserve(t, t->n + 1) < 0) return PK_NONE;
    child_key k = {t, (uint64_t)parent << 32 | func};
    uint32_t id = pk_hmap_get(&t->children, pk_hash_mix(5, k.key), child_is, &k, (uint32_t)t->n);
    if (id != t->n) return id;
    t->n++;
    PK_GROW(t->keys, t->capkeys, t->n);
    t->keys[id] = k.key;
    t->nodes[id] = (ft_node){func, PK_NONE, t->nodes[parent].first_child, 0, 0, 0, 0};
    t->nodes[parent].first_child = id;
    return id;
}

static int64_t self_of(const pk_node *n, int metric)
{
    return metric >= 0 && n->self[metric] > 0 ? n->self[metric] : 0;
}

static int64_t self2_of(const pk_node *n, int metric)
{
    return metric >= 0 ? n->self[metric] : 0;
}

/* The profile's tree with inclusive values (widths never negative). */
static int build_forward(const pk_profile *p, const pk_flame_options *opt, ftree *t)
{
    if (ft_reserve(t, p->nnodes) < 0) return -1;
    t->n = p->nnodes;
    for (size_t i = 0; i < p->nnodes; i++) {
        const pk_node *n = &p->nodes[i];
        t->nodes[i] =
            (ft_node){i ? n->func : PK_NONE,    n->first_child,          n->next_sibling,
                      self_of(n, opt->metric),  self_of(n, opt->metric), self2_of(n, opt->metric2),
                      self2_of(n, opt->metric2)};
    }
    /* Add each node into its parent, children first: reverse preorder. */
    uint32_t *order = malloc(p->nnodes * sizeof *order);
    if (!order) return -1;
    size_t k = 0;
    uint32_t n = 0;
    order[k++] = 0;
    for (size_t i = 0; i < k; i++)
        for (n = p->nodes[order[i]].first_child; n != PK_NONE && k < p->nnodes;
             n = p->nodes[n].next_sibling)
            order[k++] = n;
    for (size_t i = k; i-- > 1;) {
        uint32_t c = order[i], parent = p->nodes[c].parent;
        t->nodes[parent].value += t->nodes[c].value;
        t->nodes[parent].value2 += t->nodes[c].value2;
    }
    free(order);
    return 0;
}

/* The inverted tree: every stack walked from its leaf to the root. */
static int build_reverse(const pk_profile *p, const pk_flame_options *opt, ftree *t)
{
    if (ft_reserve(t, 1) < 0) return -1;
    t->nodes[0] = (ft_node){PK_NONE, PK_NONE, PK_NONE, 0, 0, 0, 0};
    t->n = 1;
    for (size_t i = 1; i < p->nnodes; i++) {
        const pk_node *leaf = &p->nodes[i];
        int64_t v = self_of(leaf, opt->metric), v2 = self2_of(leaf, opt->metric2);
        if (v == 0 && v2 == 0) continue;
        uint32_t cur = 0;
        t->nodes[0].value += v;
        t->nodes[0].value2 += v2;
        for (pk_id n = (pk_id)i; n != 0 && n != PK_NONE; n = p->nodes[n].parent) {
            cur = ft_child(t, cur, p->nodes[n].func);
            if (cur == PK_NONE) return -1;
            t->nodes[cur].value += v;
            t->nodes[cur].value2 += v2;
        }
        t->nodes[cur].self += v;
        t->nodes[cur].self2 += v2;
    }
    return 0;
}

typedef struct {
    const char *name, *file;
    uint32_t id;
} sort_key;

static int cmp_keys(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (!c) c = strcmp(x->file, y->file);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

typedef struct {
    pk_flame *f;
    size_t cap;
} rect_list;

static uint32_t add_rect(rect_list *l, pk_flame_rect r)
{
    if (l->f->nrects == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        pk_flame_rect *q = realloc(l->f->rects, cap * sizeof *q);
        if (!q) return PK_NONE;
        l->f->rects = q;
        l->cap = cap;
    }
    if (r.depth > l->f->max_depth) l->f->max_depth = r.depth;
    l->f->rects[l->f->nrects] = r;
    return (uint32_t)l->f->nrects++;
}

typedef struct {
    uint32_t node, rect;
} work_item;

typedef struct {
    work_item *items;
    size_t n, cap;
    sort_key *keys;
    size_t keys_cap;
} work;

static int grow_array(void **ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*ptr, n * elem);
    if (!q) return -1;
    *ptr = q;
    *cap = n;
    return 0;
}

/* Emit the children of one laid-out frame; queue the kept ones. */
static int lay_children(const pk_profile *p, const ftree *t, work_item parent, double threshold,
                        rect_list *l, work *w)
{
    size_t nkeys = 0;
    for (uint32_t c = t->nodes[parent.node].first_child; c != PK_NONE;
         c = t->nodes[c].next_sibling) {
        if (t->nodes[c].value <= 0) continue;
        if (grow_array((void **)&w->keys, &w->keys_cap, nkeys + 1, sizeof *w->keys) < 0) return -1;
        const pk_function *fn = &p->funcs[t->nodes[c].func];
        w->keys[nkeys++] = (sort_key){fn->name, fn->file ? fn->file : "", c};
    }
    pk_sort(w->keys, nkeys, sizeof *w->keys, cmp_keys);
    pk_flame_rect pr = l->f->rects[parent.rect];
    int64_t x = pr.x, elided = 0, elided2 = 0;
    uint32_t nelided = 0;
    if (grow_array((void **)&w->items, &w->cap, w->n + nkeys, sizeof *w->items) < 0) return -1;
    for (size_t i = 0; i < nkeys; i++) {
        const ft_node *c = &t->nodes[w->keys[i].id];
        if ((double)c->value < threshold) {
            elided += c->value;
            elided2 += c->value2;
            nelided++;
            continue;
        }
        pk_flame_rect r = {x,       c->value, c->self, c->value2, parent.rect, pr.depth + 1,
                           c->func, 0,        c->self2};
        uint32_t id = add_rect(l, r);
        if (id == PK_NONE) return -1;
        w->items[w->n++] = (work_item){w->keys[i].id, id};
        if (l->f->node_rect) l->f->node_rect[w->keys[i].id] = id;
        x += c->value;
    }
    if (nelided) {
        pk_flame_rect r = {x, elided, 0, elided2, parent.rect, pr.depth + 1, PK_NONE, nelided, 0};
        uint32_t id = add_rect(l, r);
        if (id == PK_NONE) return -1;
        for (size_t i = 0; l->f->node_rect && i < nkeys; i++)
            if ((double)t->nodes[w->keys[i].id].value < threshold)
                l->f->node_rect[w->keys[i].id] = id;
    }
    return 0;
}

/* Nodes not laid out (under an elided frame, or without value) are held
 * by their nearest laid-out ancestor's rectangle. */
static void fill_node_rects(const pk_profile *p, uint32_t *node_rect)
{
    for (size_t i = 0; i < p->nnodes; i++) {
        pk_id top = (pk_id)i;
        while (node_rect[top] == PK_NONE)
            top = p->nodes[top].parent;
        for (pk_id n = (pk_id)i; n != top; n = p->nodes[n].parent)
            node_rect[n] = node_rect[top];
    }
}

static int lay_out(const pk_profile *p, const ftree *t, const pk_flame_options *opt, pk_flame *f)
{
    rect_list l = {f, 0};
    f->total = t->nodes[0].value;
    pk_flame_rect root = {0,       f->total, t->nodes[0].self, t->nodes[0].value2, PK_NONE, 0,
                          PK_NONE, 0,        t->nodes[0].self2};
    if (add_rect(&l, root) == PK_NONE) return -1;
    double threshold = opt->minwidth > 0 ? (double)f->total * opt->minwidth / 100.0 : 0;
    work w = {0};
    int rc = grow_array((void **)&w.items, &w.cap, 1, sizeof *w.items);
    if (rc == 0) w.items[w.n++] = (work_item){0, 0};
    while (rc == 0 && w.n > 0) {
        work_item it = w.items[--w.n];
        rc = lay_children(p, t, it, threshold, &l, &w);
    }
    free(w.items);
    free(w.keys);
    return rc;
}

int pk_flame_layout(const pk_profile *p, const pk_flame_options *opt, pk_flame *out, pk_error *err)
{
    memset(out, 0, sizeof *out);
    if (!p->nodes || p->nnodes == 0) {
        pk_error_set(err, "the profile has no call tree to draw");
        return -1;
    }
    if (opt->metric < 0 || opt->metric >= p->nmetrics) {
        pk_error_set(err, "no metric %d to draw", opt->metric);
        return -1;
    }
    ftree t = {0};
    int rc = opt->reverse ? build_reverse(p, opt, &t) : build_forward(p, opt, &t);
    if (rc == 0 && !opt->reverse) {
        out->node_rect = malloc(p->nnodes * sizeof *out->node_rect);
        if (!out->node_rect)
            rc = -1;
        else
            memset(out->node_rect, 0xff, p->nnodes * sizeof *out->node_rect);
    }
    if (rc == 0) rc = lay_out(p, &t, opt, out);
    if (rc == 0 && out->node_rect) {
        out->node_rect[0] = 0;
        fill_node_rects(p, out->node_rect);
    }
    free(t.nodes);
    free(t.keys);
    pk_hmap_free(&t.children);
    if (rc < 0) {
        pk_flame_free(out);
        pk_error_set(err, "out of memory laying out the flame graph");
    }
    return rc;
}

/* ---- the flame chart: samples in time order ---- */

typedef struct {
    uint32_t thread;
    uint32_t seq; /* the order the reader added it, for ties */
    int64_t t;
    pk_id node;
    int64_t value;
} chart_sample;

static int cmp_chart_samples(const void *a, const void *b)
{
    const chart_sample *x = a, *y = b;
    if (x->thread != y->thread) return x->thread < y->thread ? -1 : 1;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The samples with a value of the metric, thread by thread in time order. */
static chart_sample *chart_samples(const pk_profile *p, int metric, size_t *n)
{
    size_t cap = pk_nsamples(p);
    chart_sample *s = malloc((cap ? cap : 1) * sizeof *s);
    if (!s) return NULL;
    pk_sample_iter it;
    pk_sample one;
    *n = 0;
    pk_samples_begin(p, &it);
    while (pk_samples_next(&it, &one) && *n < cap) {
        if (one.v[metric] <= 0 || one.node >= p->nnodes) continue;
        s[*n] = (chart_sample){one.thread, (uint32_t)*n, one.t_ns, one.node, one.v[metric]};
        (*n)++;
    }
    pk_sort(s, *n, sizeof *s, cmp_chart_samples);
    return s;
}

/* The node path root..leaf of a sample into path (without the root); its length. */
static size_t node_path(const pk_profile *p, pk_id leaf, pk_id **path, size_t *cap)
{
    size_t depth = 0;
    for (pk_id n = leaf; n != 0 && n != PK_NONE; n = p->nodes[n].parent)
        depth++;
    PK_GROW(*path, *cap, depth);
    size_t i = depth;
    for (pk_id n = leaf; n != 0 && n != PK_NONE; n = p->nodes[n].parent)
        (*path)[--i] = n;
    return depth;
}

/* Frames narrower than threshold are dropped with what they hold, as
 * flamegraph.pl drops them; parents keep their indexes (preorder). */
static void drop_narrow(pk_flame *f, double threshold)
{
    if (threshold <= 0) return;
    uint32_t *to = malloc(f->nrects * sizeof *to);
    if (!to) return; /* keeping every frame is right, only bigger */
    size_t kept = 0;
    f->max_depth = 0;
    for (size_t i = 0; i < f->nrects; i++) {
        pk_flame_rect r = f->rects[i];
        bool keep = i == 0 || ((double)r.value >= threshold && to[r.parent] != PK_NONE);
        to[i] = keep ? (uint32_t)kept : PK_NONE;
        if (!keep) continue;
        if (i > 0) r.parent = to[r.parent];
        if (r.depth > f->max_depth) f->max_depth = r.depth;
        f->rects[kept++] = r;
    }
    f->nrects = kept;
    free(to);
}

int pk_flame_chart_layout(const pk_profile *p, const pk_flame_options *opt, pk_flame *out,
                          pk_error *err)
{
    memset(out, 0, sizeof *out);
    if (pk_nsamples(p) == 0) {
        pk_error_set(err, "--flamechart: the profile has no samples in time order (austin, MOJO, "
                          "perf script, speedscope, gecko and tachyon profiles have them)");
        return -1;
    }
    if (opt->metric < 0 || opt->metric >= p->nmetrics || opt->reverse || opt->metric2 >= 0) {
        pk_error_set(err, "--flamechart draws one profile's own stacks, not --reverse or a "
                          "comparison");
        return -1;
    }
    size_t n = 0, cap = 0, open = 0;
    chart_sample *s = chart_samples(p, opt->metric, &n);
    pk_id *path = NULL;
    uint32_t *rect_at = NULL; /* the open frame at each depth */
    pk_id *node_at = NULL;    /* and its function */
    size_t rect_cap = 0, node_cap = 0;
    rect_list l = {out, 0};
    int rc = s && add_rect(&l, (pk_flame_rect){0, 0, 0, 0, PK_NONE, 0, PK_NONE, 0, 0}) != PK_NONE
                 ? 0
                 : -1;
    /* Each sample extends the frames it shares with the open stack and
     * opens the rest at the current time: frames merge only when adjacent. */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t depth = node_path(p, s[i].node, &path, &cap);
        PK_GROW(rect_at, rect_cap, depth + 1);
        PK_GROW(node_at, node_cap, depth + 1);
        bool new_thread = i > 0 && s[i].thread != s[i - 1].thread;
        size_t same = 0;
        while (!new_thread && same < open && same < depth &&
               node_at[same] == p->nodes[path[same]].func)
            same++;
        for (size_t d = same; d < depth && rc == 0; d++) {
            uint32_t parent = d ? rect_at[d - 1] : 0;
            pk_flame_rect r = {out->total, 0, 0, 0, parent, (uint32_t)d + 1, p->nodes[path[d]].func,
                               0,          0};
            if ((rect_at[d] = add_rect(&l, r)) == PK_NONE) rc = -1;
            node_at[d] = p->nodes[path[d]].func;
        }
        if (rc < 0) break;
        open = depth;
        out->rects[0].value += s[i].value;
        for (size_t d = 0; d < depth; d++)
            out->rects[rect_at[d]].value += s[i].value;
        if (depth) out->rects[rect_at[depth - 1]].self += s[i].value;
        out->total += s[i].value;
    }
    free(s);
    free(path);
    free(rect_at);
    free(node_at);
    if (rc < 0) {
        pk_flame_free(out);
        pk_error_set(err, "out of memory laying out the flame chart");
        return -1;
    }
    drop_narrow(out, opt->minwidth > 0 ? (double)out->total * opt->minwidth / 100.0 : 0);
    return 0;
}

void pk_flame_free(pk_flame *f)
{
    free(f->rects);
    free(f->node_rect);
    memset(f, 0, sizeof *f);
}

/* ---- values for people ---- */

static void with_commas(char *buf, size_t size, int64_t v)
{
    char digits[32];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = snprintf(digits, sizeof digits, "%" PRIu64, u);
    size_t o = 0;
    if (v < 0 && o + 1 < size) buf[o++] = '-';
    for (int i = 0; i < n && o + 1 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0 && o + 2 < size) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

void pk_flame_format_value(char *buf, size_t size, int64_t v, const char *unit,
                           const char *countname)
{
    double d = (double)v, a = d < 0 ? -d : d;
    char num[40];
    if (countname) {
        with_commas(num, sizeof num, v);
        snprintf(buf, size, "%s %s", num, countname);
    } else if (unit && strcmp(unit, "ns") == 0) {
        if (a < 1e3)
            snprintf(buf, size, "%" PRId64 " ns", v);
        else if (a < 1e6)
            snprintf(buf, size, "%.2f \xC2\xB5s", d / 1e3);
        else if (a < 1e9)
            snprintf(buf, size, "%.2f ms", d / 1e6);
        else
            snprintf(buf, size, "%.3f s", d / 1e9);
    } else if (unit && strcmp(unit, "bytes") == 0) {
        if (a < 1024)
            snprintf(buf, size, "%" PRId64 " B", v);
        else if (a < 1024.0 * 1024)
            snprintf(buf, size, "%.1f KiB", d / 1024);
        else if (a < 1024.0 * 1024 * 1024)
            snprintf(buf, size, "%.1f MiB", d / (1024.0 * 1024));
        else
            snprintf(buf, size, "%.2f GiB", d / (1024.0 * 1024 * 1024));
    } else {
        with_commas(num, sizeof num, v);
        if (unit && *unit && strcmp(unit, "count") != 0)
            snprintf(buf, size, "%s %s", num, unit);
        else
            snprintf(buf, size, "%s", num);
    }
}

/* ---- colours ---- */

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

void pk_flame_module(const pk_function *f, char *buf, size_t size)
{
    const char *s = f->file && *f->file ? f->file : NULL;
    size_t n = s ? strlen(s) : 0;
    if (!s) {
        /* "name (file:line)" as py-spy writes, or "file:name[:line]" as austin. */
        const char *name = f->name, *open = strstr(name, " (");
        size_t len = strlen(name);
        if (open && len > 0 && name[len - 1] == ')') {
            for (const char *q; (q = strstr(open + 1, " (")) != NULL;)
                open = q;
            s = open + 2;
            const char *colon = strrchr(s, ':');
            n = (size_t)((colon ? colon : name + len - 1) - s);
        } else if ((open = strchr(name, ':')) != NULL && open[1] != ':') {
            s = name;
            n = (size_t)(open - name);
        } else {
            s = "";
        }
    }
    if (n >= size) n = size - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
}

static uint32_t rgb(double r, double g, double b)
{
    return (uint32_t)r << 16 | (uint32_t)g << 8 | (uint32_t)b;
}

/* A colour in [lo, hi] per channel, picked by three hash bytes. */
static uint32_t palette(uint32_t h, const uint8_t lo[3], const uint8_t hi[3])
{
    double v[3] = {(h & 0xFF) / 255.0, (h >> 8 & 0xFF) / 255.0, (h >> 16 & 0xFF) / 255.0};
    return rgb(lo[0] + (hi[0] - lo[0]) * v[0], lo[1] + (hi[1] - lo[1]) * v[1],
               lo[2] + (hi[2] - lo[2]) * v[2]);
}

static uint32_t kind_color(pk_kind kind, uint32_t h)
{
    static const uint8_t ranges[PK_KIND_COUNT][2][3] = {
        [PK_KIND_PYTHON] = {{225, 185, 50}, {250, 230, 110}},   /* yellow */
        [PK_KIND_NATIVE] = {{215, 70, 55}, {250, 125, 95}},     /* red */
        [PK_KIND_BUILTIN] = {{190, 140, 215}, {225, 175, 250}}, /* violet */
        [PK_KIND_KERNEL] = {{235, 130, 20}, {255, 165, 55}},    /* orange */
        [PK_KIND_GC] = {{80, 185, 80}, {130, 225, 125}},        /* green */
        [PK_KIND_IDLE] = {{150, 185, 215}, {185, 210, 240}},    /* pale blue */
        [PK_KIND_PROCESS] = {{185, 185, 190}, {205, 205, 210}},
        [PK_KIND_THREAD] = {{185, 185, 190}, {205, 205, 210}},
        [PK_KIND_OTHER] = {{170, 170, 170}, {200, 200, 200}},
    };
    if ((unsigned)kind >= PK_KIND_COUNT) kind = PK_KIND_OTHER;
    return palette(h, ranges[kind][0], ranges[kind][1]);
}

/* A hue from the hash, fixed saturation and lightness: pastel, readable. */
static uint32_t module_color(uint32_t h)
{
    double hue = (h % 360) / 60.0, s = 0.55, l = 0.68;
    double c = (1 - fabs(2 * l - 1)) * s, x = c * (1 - fabs(fmod(hue, 2) - 1)), m = l - c / 2;
    double r = 0, g = 0, b = 0;
    switch ((int)hue) {
    case 0:
        r = c, g = x;
        break;
    case 1:
        r = x, g = c;
        break;
    case 2:
        g = c, b = x;
        break;
    case 3:
        g = x, b = c;
        break;
    case 4:
        r = x, b = c;
        break;
    default:
        r = c, b = x;
        break;
    }
    return rgb((r + m) * 255, (g + m) * 255, (b + m) * 255);
}

/* flamegraph.pl's three hash-picked channel values of a name. */
static void name_values(const char *name, double v[3])
{
    uint32_t h = fnv1a(name), g = (h ^ 0x9E3779B9u) * 2654435761u;
    v[0] = (h & 0xFFFF) / 65535.0;
    v[1] = (g & 0xFFFF) / 65535.0;
    v[2] = (g >> 16) / 65535.0;
}

static uint32_t peer_palette(int scheme, const pk_function *fn)
{
    double v[3];
    name_values(fn->name, v);
    switch (scheme) {
    case PK_FLAME_COLORS_HOT:
        return rgb(205 + 50 * v[2], 230 * v[0], 55 * v[1]);
    case PK_FLAME_COLORS_MEM:
        return rgb(0, 190 + 50 * v[1], 210 * v[0]);
    case PK_FLAME_COLORS_IO: {
        double r = 80 + 60 * v[0];
        return rgb(r, r, 190 + 55 * v[1]);
    }
    default: /* python: by kind, in flamegraph.pl's java/perl hues */
        switch (fn->kind) {
        case PK_KIND_PYTHON:
            return rgb(50 + 60 * v[0], 200 + 55 * v[0], 50 + 60 * v[0]); /* green */
        case PK_KIND_BUILTIN:
            return rgb(50 + 60 * v[0], 165 + 55 * v[0], 165 + 55 * v[0]); /* aqua */
        case PK_KIND_KERNEL:
            return rgb(190 + 65 * v[0], 90 + 65 * v[0], 0); /* orange */
        case PK_KIND_NATIVE:
            return rgb(200 + 55 * v[0], 50 + 80 * v[0], 50 + 80 * v[0]); /* red */
        default:
            return rgb(160 + 40 * v[0], 160 + 40 * v[0], 160 + 40 * v[0]); /* grey */
        }
    }
}

uint32_t pk_flame_color(const pk_profile *p, const pk_flame_rect *r, int scheme, int64_t max_delta)
{
    if (r->func == PK_NONE) return r->merged ? 0xD8D8D8 : 0xC8C8C8;
    const pk_function *fn = &p->funcs[r->func];
    bool negate = scheme & PK_FLAME_COLORS_NEGATE;
    scheme &= ~PK_FLAME_COLORS_NEGATE;
    if (scheme == PK_FLAME_COLORS_DIFF || scheme == PK_FLAME_COLORS_DIFF_INCL) {
        int64_t delta = scheme == PK_FLAME_COLORS_DIFF ? r->self - r->self2 : r->value - r->value2;
        double i = max_delta > 0 ? (double)(delta < 0 ? -delta : delta) / (double)max_delta : 0;
        if (i > 1) i = 1;
        double fade = 255 * (1 - 0.85 * i);
        return (delta >= 0) != negate ? rgb(255, fade, fade) : rgb(fade, fade, 255);
    }
    if (scheme == PK_FLAME_COLORS_MODULE) {
        char mod[512];
        pk_flame_module(fn, mod, sizeof mod);
        return *mod ? module_color(fnv1a(mod)) : 0xC0C0C0;
    }
    if (scheme != PK_FLAME_COLORS_KIND) return peer_palette(scheme, fn);
    return kind_color(fn->kind, fnv1a(fn->name));
}
