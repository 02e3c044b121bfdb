/* The call graph as a Graphviz graph: a box per function, an arrow per call,
 * coloured with gprof2dot's temperature map (dark blue = cold, red = hot).
 * Graphviz's libcgraph does all the dot quoting; names only get the escaping
 * that label strings need (backslashes, line breaks, valid UTF-8).
 */
#include "dot.h"

#include <graphviz/gvc.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/escape.h"

static const char *const label_names[PK_LABEL_COUNT] = {
    [PK_LABEL_LOCATION] = "location",
    [PK_LABEL_TOTAL] = "total-time",
    [PK_LABEL_TOTAL_PCT] = "total-time-percentage",
    [PK_LABEL_SELF] = "self-time",
    [PK_LABEL_SELF_PCT] = "self-time-percentage",
    [PK_LABEL_CALLS] = "calls",
    [PK_LABEL_SAMPLES] = "samples",
};

static const pk_dot_label default_labels[] = {PK_LABEL_LOCATION, PK_LABEL_TOTAL_PCT,
                                              PK_LABEL_SELF_PCT, PK_LABEL_CALLS};

void pk_dot_options_init(pk_dot_options *o)
{
    memset(o, 0, sizeof *o);
    pk_callgraph_options_init(&o->graph);
    o->wrap = 40;
    o->skew = 1.0;
}

int pk_dot_label_parse(const char *name)
{
    for (int i = 0; i < PK_LABEL_COUNT; i++)
        if (strcmp(name, label_names[i]) == 0) return i;
    return -1;
}

const char *pk_dot_label_names(void)
{
    return "location, total-time, total-time-percentage, self-time, self-time-percentage, calls, "
           "samples";
}

int pk_dot_samples_metric(const pk_profile *p)
{
    int m = pk_metric_find(p, "samples");
    for (int i = 0; m < 0 && i < p->nmetrics; i++)
        if (strcmp(p->metrics[i].unit, "samples") == 0) m = i;
    return m;
}

/* A growing string; on allocation failure it stays marked failed. */
typedef struct {
    char *s;
    size_t len, cap;
    int failed;
} strbuf;

static void sb_putn(strbuf *b, const char *s, size_t n)
{
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s2 = realloc(b->s, cap);
        if (!s2) {
            b->failed = 1;
            return;
        }
        b->s = s2;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(strbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

static void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf *b, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0) sb_putn(b, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Append text to a Graphviz label string: backslashes doubled (labels give
 * "\n", "\N", ... a meaning), "&" as "&amp;" (labels may hold HTML entities),
 * newlines as "\n", other control characters as spaces, invalid UTF-8 as
 * U+FFFD. A long text is broken into lines of about
 * wrap characters, after a space or punctuation when there is one. */
static void sb_put_label_text(strbuf *b, const char *text, int wrap)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    int column = 0;
    while (*s) {
        size_t n = pk_utf8_len((const char *)s);
        if (n == 0) {
            sb_puts(b, "\xEF\xBF\xBD");
        } else if (*s == '\\') {
            sb_puts(b, "\\\\");
        } else if (*s == '&') {
            sb_puts(b, "&amp;"); /* Graphviz reads entities in labels */
        } else if (*s == '\n') {
            sb_puts(b, "\\n");
            column = -1;
        } else if (*s < 0x20 || *s == 0x7F) {
            sb_puts(b, " ");
        } else {
            sb_putn(b, (const char *)s, n);
        }
        s += n ? n : 1;
        column++;
        bool breakable = n == 1 && strchr(" .,/", s[-1]) != NULL;
        if (wrap > 0 && column >= wrap && breakable && *s) {
            sb_puts(b, "\\n");
            column = 0;
        }
    }
}

/* Graphviz's lexer reads a backslash before the closing quote as escaping
 * it: never let a string end in one. */
static const char *sb_finish(strbuf *b)
{
    if (b->len > 0 && b->s[b->len - 1] == '\\') sb_puts(b, " ");
    return b->failed ? NULL : b->s ? b->s : "";
}

static void set_attr(void *obj, const char *name, const char *value)
{
    agsafeset(obj, (char *)name, (char *)value, (char *)"");
}

/* gprof2dot's colour maps: a weight in [0, 1] goes from mincolor to
 * maxcolor in HSL, linearly or, with --skew, along base^weight; gamma applies
 * to the RGB; fonts and pens grow with the weight between their bounds. */
typedef struct {
    const char *name;
    double min_hsl[3], max_hsl[3];
    double min_font, max_font, min_pen, max_pen, gamma;
    bool filled; /* filled boxes with white text, else outlined in colour */
} theme;

static const theme themes[] = {
    {"color", {2.0 / 3.0, 0.80, 0.25}, {0.0, 1.0, 0.5}, 10, 10, 0.5, 4, 1.0, true},
    {"pink", {0.0, 1.0, 0.90}, {0.0, 1.0, 0.5}, 10, 10, 0.5, 4, 2.2, true},
    {"gray", {0.0, 0.0, 0.85}, {0.0, 0.0, 0.0}, 10, 10, 0.5, 4, 2.2, true},
    {"bw", {0, 0, 0}, {0, 0, 0}, 8, 24, 0.1, 8, 2.2, true},
    {"print", {0, 0, 0}, {0, 0, 0}, 18, 30, 0.1, 8, 2.2, false},
};

int pk_dot_colormap_parse(const char *name)
{
    for (size_t i = 0; i < sizeof themes / sizeof themes[0]; i++)
        if (strcmp(name, themes[i].name) == 0) return (int)i;
    return -1;
}

static double hue_to_rgb(double m1, double m2, double h)
{
    if (h < 0.0)
        h += 1.0;
    else if (h > 1.0)
        h -= 1.0;
    if (h * 6 < 1.0) return m1 + (m2 - m1) * h * 6.0;
    if (h * 2 < 1.0) return m2;
    if (h * 3 < 2.0) return m1 + (m2 - m1) * (2.0 / 3.0 - h) * 6.0;
    return m1;
}

static int to_byte(double f)
{
    return f <= 0.0 ? 0 : f >= 1.0 ? 255 : (int)(255.0 * f + 0.5);
}

static double clamp_unit(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

static void theme_color(const theme *t, double skew, double weight, char out[8])
{
    weight = clamp_unit(weight);
    double k = skew == 1.0 ? weight : (pow(skew, weight) - 1.0) / (skew - 1.0), hsl[3];
    for (int i = 0; i < 3; i++)
        hsl[i] = t->min_hsl[i] + k * (t->max_hsl[i] - t->min_hsl[i]);
    double h = hsl[0] - floor(hsl[0]), s = clamp_unit(hsl[1]), l = clamp_unit(hsl[2]);
    double m2 = l <= 0.5 ? l * (s + 1.0) : l + s - l * s;
    double m1 = l * 2.0 - m2;
    double rgb[3] = {hue_to_rgb(m1, m2, h + 1.0 / 3.0), hue_to_rgb(m1, m2, h),
                     hue_to_rgb(m1, m2, h - 1.0 / 3.0)};
    snprintf(out, 8, "#%02x%02x%02x", to_byte(pow(rgb[0], t->gamma)),
             to_byte(pow(rgb[1], t->gamma)), to_byte(pow(rgb[2], t->gamma)));
}

static double theme_fontsize(const theme *t, double weight)
{
    return fmax(weight * weight * t->max_font, t->min_font);
}

static double theme_penwidth(const theme *t, double weight)
{
    return fmax(weight * t->max_pen, t->min_pen);
}

/* A before/after profile (pdiff) is coloured by change instead of heat: red
 * where the inclusive value grew, blue where it shrank, stronger with the
 * change's size relative to the largest change in the graph. */
typedef struct {
    int before, after; /* metric indexes, -1 when the profile is no diff */
    double largest;    /* largest absolute change of a kept function */
} diff_colors;

static diff_colors diff_colors_of(const pk_profile *p, const pk_callgraph *cg)
{
    diff_colors d = {pk_metric_find(p, "before"), pk_metric_find(p, "after"), 0};
    if (d.before < 0 || d.after < 0) return (diff_colors){-1, -1, 0};
    for (size_t f = 0; f < p->nfuncs; f++) {
        double change = (double)(p->funcs[f].incl[d.after] - p->funcs[f].incl[d.before]);
        if (cg->keep_func[f] && fabs(change) > d.largest) d.largest = fabs(change);
    }
    return d;
}

/* Writes the colour; returns whether it is dark enough to need white text. */
static bool change_color(const diff_colors *d, const int64_t *values, char out[8])
{
    double change = (double)(values[d->after] - values[d->before]);
    double k = d->largest > 0 ? fmin(fabs(change) / d->largest, 1.0) : 0.0;
    int fade = (int)(235.0 * (1.0 - k)); /* 235: faint; 0: full colour */
    if (change >= 0)
        snprintf(out, 8, "#%02x%02x%02x", 220, fade * 220 / 235, fade * 220 / 235);
    else
        snprintf(out, 8, "#%02x%02x%02x", fade * 220 / 235, fade * 220 / 235, 220);
    return k > 0.5;
}

/* A value in its metric's unit: s/ms for ns, KiB/MiB/GiB for bytes. */
static void sb_put_value(strbuf *b, int64_t v, const char *unit)
{
    double x = (double)v;
    if (strcmp(unit, "ns") == 0) {
        if (fabs(x) >= 1e9)
            sb_printf(b, "%.2f s", x / 1e9);
        else
            sb_printf(b, fabs(x) >= 1e6 || v == 0 ? "%.2f ms" : "%.3f ms", x / 1e6);
    } else if (strcmp(unit, "bytes") == 0) {
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (fabs(x) >= 1024 && u < 4) {
            x /= 1024;
            u++;
        }
        if (u == 0)
            sb_printf(b, "%lld B", (long long)v);
        else
            sb_printf(b, "%.1f %s", x, units[u]);
    } else if (strcmp(unit, "samples") == 0) {
        sb_printf(b, "%lld sample%s", (long long)v, v == 1 ? "" : "s");
    } else {
        sb_printf(b, "%lld", (long long)v);
    }
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool has_location(const pk_function *fn)
{
    return fn->file && fn->file[0] && strcmp(fn->file, "~") != 0;
}

static void sb_put_node_line(strbuf *b, const pk_profile *p, const pk_callgraph *cg,
                             const pk_function *fn, size_t f, pk_dot_label what)
{
    const char *unit = p->metrics[cg->metric].unit;
    switch (what) {
    case PK_LABEL_LOCATION:
        if (!has_location(fn)) return;
        sb_put_label_text(b, base_name(fn->file), 0);
        if (fn->line > 0) sb_printf(b, ":%d", (int)fn->line);
        break;
    case PK_LABEL_TOTAL:
        sb_put_value(b, fn->incl[cg->metric], unit);
        break;
    case PK_LABEL_TOTAL_PCT:
        sb_printf(b, "%.2f%%", cg->incl_share[f] * 100.0);
        break;
    case PK_LABEL_SELF:
        sb_puts(b, "(");
        sb_put_value(b, fn->self[cg->metric], unit);
        sb_puts(b, ")");
        break;
    case PK_LABEL_SELF_PCT:
        sb_printf(b, "(%.2f%%)", cg->self_share[f] * 100.0);
        break;
    case PK_LABEL_CALLS:
        if (!p->has_calls) return;
        if (fn->pcalls > 0 && fn->pcalls != fn->calls)
            sb_printf(b, "%lld/%lld\xC3\x97", (long long)fn->calls, (long long)fn->pcalls);
        else
            sb_printf(b, "%lld\xC3\x97", (long long)fn->calls);
        break;
    case PK_LABEL_SAMPLES: {
        int m = pk_dot_samples_metric(p);
        if (m < 0) return;
        sb_put_value(b, fn->self[m], "samples");
        break;
    }
    default:
        return;
    }
    sb_puts(b, "\\n");
}

static const char *node_label(strbuf *b, const pk_profile *p, const pk_callgraph *cg, size_t f,
                              const pk_dot_options *o)
{
    const pk_function *fn = &p->funcs[f];
    b->len = 0;
    sb_put_label_text(b, fn->name, o->wrap);
    sb_puts(b, "\\n");
    int n = o->nlabels > 0 ? o->nlabels : (int)(sizeof default_labels / sizeof *default_labels);
    for (int i = 0; i < n; i++)
        sb_put_node_line(b, p, cg, fn, f, o->nlabels > 0 ? o->labels[i] : default_labels[i]);
    if (b->len >= 2 && b->s) {
        b->len -= 2; /* the last "\n" */
        b->s[b->len] = '\0';
    }
    return sb_finish(b);
}

/* The tooltip (SVG) says what the wrapped label may cut: the whole name and
 * the full path. */
static const char *node_tooltip(strbuf *b, const pk_function *fn)
{
    b->len = 0;
    sb_put_label_text(b, fn->name, 0);
    if (fn->file && fn->file[0]) {
        sb_puts(b, "\\n");
        sb_put_label_text(b, fn->file, 0);
        sb_printf(b, ":%d", (int)fn->line);
    }
    return sb_finish(b);
}

static void set_graph_defaults(Agraph_t *g, const theme *t)
{
    agattr(g, AGRAPH, "fontname", "Arial");
    agattr(g, AGRAPH, "nodesep", "0.125");
    agattr(g, AGRAPH, "ranksep", "0.25");
    agattr(g, AGRAPH, "tooltip", " ");
    agattr(g, AGNODE, "fontname", "Arial");
    agattr(g, AGNODE, "shape", "box");
    agattr(g, AGNODE, "style", t->filled ? "filled" : "solid");
    agattr(g, AGNODE, "fontcolor", t->filled ? "white" : "black");
    agattr(g, AGNODE, "width", "0");
    agattr(g, AGNODE, "height", "0");
    agattr(g, AGEDGE, "fontname", "Arial");
}

static const char *graph_caption(strbuf *b, const pk_profile *p, const pk_callgraph *cg,
                                 const pk_dot_options *o)
{
    b->len = 0;
    if (o->title) {
        sb_put_label_text(b, o->title, 0);
        sb_puts(b, "\\n");
    }
    const pk_metric *m = &p->metrics[cg->metric];
    sb_put_label_text(b, m->name, 0);
    sb_puts(b, ": total ");
    sb_put_value(b, (int64_t)cg->total, m->unit);
    sb_printf(b, ", %zu of %zu functions shown (--node-thres %g%% --edge-thres %g%%)",
              cg->nkept_funcs, p->nfuncs, o->graph.node_thres, o->graph.edge_thres);
    if (cg->totals_from_ratios)
        sb_puts(b, "\\ntotals estimated from call ratios (--total callratios)");
    if (cg->edges_estimated)
        sb_puts(b, "\\ncall values estimated from call counts (the profile has none per call)");
    const char *filtered = pk_meta_get(p, "filter.estimated");
    if (filtered) {
        sb_puts(b, "\\nESTIMATED: ");
        sb_put_label_text(b, filtered, 0);
    }
    return sb_finish(b);
}

/* Mutually recursive functions share a dashed cluster box. */
static Agraph_t **make_clusters(Agraph_t *g, const pk_profile *p, const pk_callgraph *cg, strbuf *b)
{
    if (cg->nscc == 0) return NULL;
    size_t *members = calloc(cg->nscc, sizeof *members);
    Agraph_t **clusters = calloc(cg->nscc, sizeof *clusters);
    if (!members || !clusters) {
        free(members);
        free(clusters);
        return NULL;
    }
    for (size_t f = 0; f < p->nfuncs; f++)
        if (cg->keep_func[f] && cg->scc[f] != PK_NONE) members[cg->scc[f]]++;
    for (size_t c = 0; c < cg->nscc; c++) {
        if (members[c] < 2) continue;
        char name[48];
        snprintf(name, sizeof name, "cluster_recursion_%zu", c);
        clusters[c] = agsubg(g, name, 1);
        b->len = 0;
        sb_printf(b, "recursion: %zu functions, %.2f%%", members[c], cg->scc_share[c] * 100.0);
        set_attr(clusters[c], "label", sb_finish(b));
        set_attr(clusters[c], "style", "dashed,rounded");
        set_attr(clusters[c], "color", "#808080");
        set_attr(clusters[c], "fontcolor", "#404040");
    }
    free(members);
    return clusters;
}

static void style_edge(Agedge_t *e, const theme *t, double weight, const char *label,
                       const char *color)
{
    char num[32];
    double penwidth = theme_penwidth(t, weight);
    set_attr(e, "color", color);
    set_attr(e, "fontcolor", color);
    snprintf(num, sizeof num, "%.2f", theme_fontsize(t, weight));
    set_attr(e, "fontsize", num);
    snprintf(num, sizeof num, "%.2f", penwidth);
    set_attr(e, "penwidth", num);
    set_attr(e, "labeldistance", num);
    snprintf(num, sizeof num, "%.2f", 0.5 * sqrt(penwidth));
    set_attr(e, "arrowsize", num);
    set_attr(e, "label", label);
}

static int add_nodes(Agraph_t *g, Agnode_t **nodes, Agraph_t **clusters, const pk_profile *p,
                     const pk_callgraph *cg, const pk_dot_options *o, const diff_colors *diff,
                     strbuf *b)
{
    const theme *t = &themes[o->colormap];
    for (size_t f = 0; f < p->nfuncs; f++) {
        if (!cg->keep_func[f]) continue;
        char id[24];
        snprintf(id, sizeof id, "f%zu", f);
        Agraph_t *parent =
            clusters && cg->scc[f] != PK_NONE && clusters[cg->scc[f]] ? clusters[cg->scc[f]] : g;
        Agnode_t *n = agnode(parent, id, 1);
        if (!n) return -1;
        if (parent != g) agsubnode(g, n, 1);
        nodes[f] = n;
        char color[8], fontsize[16];
        bool dark = true;
        if (diff->after >= 0)
            dark = change_color(diff, p->funcs[f].incl, color);
        else
            theme_color(t, o->skew, cg->weight[f], color);
        set_attr(n, "color", color);
        set_attr(n, "fontcolor", !t->filled ? color : dark ? "#ffffff" : "#000000");
        snprintf(fontsize, sizeof fontsize, "%.2f", theme_fontsize(t, cg->weight[f]));
        set_attr(n, "fontsize", fontsize);
        const char *label = node_label(b, p, cg, f, o);
        if (!label) return -1;
        set_attr(n, "label", label);
        const char *tooltip = node_tooltip(b, &p->funcs[f]);
        if (!tooltip) return -1;
        set_attr(n, "tooltip", tooltip);
    }
    return 0;
}

static int add_edges(Agraph_t *g, Agnode_t **nodes, const pk_profile *p, const pk_callgraph *cg,
                     const theme *t, double skew, const diff_colors *diff, strbuf *b)
{
    for (size_t i = 0; i < p->nedges; i++) {
        if (!cg->keep_edge[i]) continue;
        const pk_edge *edge = &p->edges[i];
        Agedge_t *e = agedge(g, nodes[edge->caller], nodes[edge->callee], NULL, 1);
        if (!e) return -1;
        b->len = 0;
        sb_printf(b, "%.2f%%", cg->edge_share[i] * 100.0);
        if (p->has_calls && edge->calls > 0)
            sb_printf(b, "\\n%lld\xC3\x97", (long long)edge->calls);
        const char *label = sb_finish(b);
        if (!label) return -1;
        char color[8];
        if (diff->after >= 0)
            change_color(diff, edge->incl, color);
        else
            theme_color(t, skew, cg->edge_share[i], color);
        style_edge(e, t, cg->edge_share[i], label, color);
    }
    return 0;
}

Agraph_t *pk_dot_graph(pk_profile *p, const pk_dot_options *o, pk_error *err)
{
    pk_callgraph cg;
    if (pk_callgraph_build(p, &o->graph, &cg, err) != 0) return NULL;
    Agraph_t *g = agopen("callgraph", Agdirected, NULL);
    Agnode_t **nodes = calloc(p->nfuncs ? p->nfuncs : 1, sizeof *nodes);
    strbuf b = {0};
    Agraph_t **clusters = NULL;
    int rc = -1;
    if (g && nodes) {
        set_graph_defaults(g, &themes[o->colormap]);
        clusters = make_clusters(g, p, &cg, &b);
        const char *caption = graph_caption(&b, p, &cg, o);
        if (caption) {
            set_attr(g, "label", caption);
            set_attr(g, "labelloc", "t");
            diff_colors diff = diff_colors_of(p, &cg);
            rc = add_nodes(g, nodes, clusters, p, &cg, o, &diff, &b) == 0 &&
                         add_edges(g, nodes, p, &cg, &themes[o->colormap], o->skew, &diff, &b) ==
                             0 &&
                         !b.failed
                     ? 0
                     : -1;
        }
    }
    free(clusters);
    free(nodes);
    free(b.s);
    pk_callgraph_free(&cg);
    if (rc != 0) {
        if (g) agclose(g);
        pk_error_set(err, "out of memory building the call graph");
        return NULL;
    }
    return g;
}

int pk_dot_can_render(const char *format)
{
    static const char *const known[] = {"png", "svg",  "pdf",  "ps",    "eps",   "jpg", "jpeg",
                                        "gif", "json", "xdot", "plain", "canon", NULL};
    for (int i = 0; known[i]; i++)
        if (strcmp(format, known[i]) == 0) return 1;
    return 0;
}

int pk_dot_render(Agraph_t *g, const char *format, FILE *f, pk_error *err)
{
    GVC_t *gvc = gvContext();
    if (!gvc) {
        pk_error_set(err, "cannot start Graphviz");
        return -1;
    }
    int rc = -1;
    if (gvLayout(gvc, g, "dot") != 0) {
        pk_error_set(err, "Graphviz could not lay the graph out");
    } else {
        if (gvRender(gvc, g, format, f) != 0)
            pk_error_set(err, "Graphviz could not render %s", format);
        else
            rc = 0;
        gvFreeLayout(gvc, g);
    }
    gvFreeContext(gvc);
    return rc;
}

static int write_dot(pk_profile *p, FILE *f, const pk_write_options *wopt, pk_error *err)
{
    pk_dot_options o;
    pk_dot_options_init(&o);
    o.graph.metric = wopt ? wopt->metric : -1;
    o.title = wopt ? wopt->title : NULL;
    Agraph_t *g = pk_dot_graph(p, &o, err);
    if (!g) return -1;
    int rc = agwrite(g, f);
    agclose(g);
    if (rc != 0 || ferror(f)) {
        pk_error_set(err, "cannot write the dot graph");
        return -1;
    }
    return 0;
}

const pk_format pk_format_dot = {
    .name = "dot",
    .patterns = "*.dot *.gv",
    .description = "Graphviz call graph (gprof2dot style), writer only",
    .probe = NULL,
    .read = NULL,
    .write = write_dot,
};
