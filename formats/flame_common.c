/* Shared by the flame graph writers (see flame_common.h). */
#include "flame_common.h"

#include <inttypes.h>
#include <string.h>

/* The default --minwidth: a tenth of a pixel, as flamegraph.pl. */
static double default_minwidth(int width)
{
    return 0.1 / (width - 2 * FLAME_XPAD) * 100.0;
}

static int pick_scheme(const pk_write_options *opt, bool diff, flame_plot *fp, pk_error *err)
{
    static const struct {
        const char *name;
        pk_flame_colors scheme;
    } schemes[] = {
        {"kind", PK_FLAME_COLORS_KIND}, {"module", PK_FLAME_COLORS_MODULE},
        {"hot", PK_FLAME_COLORS_HOT},   {"mem", PK_FLAME_COLORS_MEM},
        {"io", PK_FLAME_COLORS_IO},     {"python", PK_FLAME_COLORS_PYTHON},
        {"diff", PK_FLAME_COLORS_DIFF},
    };
    const char *c = opt->colors ? opt->colors : "kind";
    size_t i = 0;
    while (i < sizeof schemes / sizeof schemes[0] && strcmp(schemes[i].name, c) != 0)
        i++;
    if (i == sizeof schemes / sizeof schemes[0]) {
        pk_error_set(err, "unknown --colors '%s' (kind, module, hot, mem, io or python)", c);
        return -1;
    }
    fp->scheme = schemes[i].scheme;
    /* A differential profile is coloured by its change unless a palette is asked for. */
    if (diff && (fp->scheme == PK_FLAME_COLORS_KIND || fp->scheme == PK_FLAME_COLORS_DIFF))
        fp->scheme = opt->color_by_incl ? PK_FLAME_COLORS_DIFF_INCL : PK_FLAME_COLORS_DIFF;
    else if (!diff && fp->scheme == PK_FLAME_COLORS_DIFF)
        fp->scheme = PK_FLAME_COLORS_KIND;
    if (diff && opt->negate) fp->scheme |= PK_FLAME_COLORS_NEGATE;
    return 0;
}

double flame_minwidth_pct(const pk_write_options *opt, int width)
{
    if (opt->minwidth <= 0) return 0;
    if (!opt->minwidth_px) return opt->minwidth;
    return opt->minwidth / (width - 2 * FLAME_XPAD) * 100.0;
}

int flame_plot_prepare(pk_profile *p, const pk_write_options *opt, flame_plot *fp, pk_error *err)
{
    memset(fp, 0, sizeof *fp);
    pk_ensure_tree(p);
    int before = pk_metric_find(p, "before"), after = pk_metric_find(p, "after");
    bool diff = opt->metric < 0 && before >= 0 && after >= 0;
    fp->metric = diff ? after : opt->metric >= 0 ? opt->metric : 0;
    fp->metric2 = diff ? before : -1;
    if (fp->metric >= p->nmetrics) {
        pk_error_set(err, "no metric %d in the profile", fp->metric);
        return -1;
    }
    if (pick_scheme(opt, diff, fp, err) < 0) return -1;
    fp->width = opt->width > 0 ? opt->width : FLAME_DEFAULT_WIDTH;
    fp->frame_h = opt->frame_height > 0 ? opt->frame_height : 16;
    fp->fontsize = opt->fontsize > 0 ? opt->fontsize : 12;
    fp->unit = p->metrics[fp->metric].unit;
    fp->countname = opt->countname;
    fp->inverted = opt->inverted;
    fp->reverse = opt->reverse;
    fp->estimated = p->estimated;
    fp->chart = opt->flamechart;
    pk_flame_options lo = {
        .metric = fp->metric,
        .metric2 = fp->metric2,
        .minwidth =
            opt->minwidth > 0 ? flame_minwidth_pct(opt, fp->width) : default_minwidth(fp->width),
        .reverse = opt->reverse,
    };
    if ((opt->flamechart ? pk_flame_chart_layout(p, &lo, &fp->layout, err)
                         : pk_flame_layout(p, &lo, &fp->layout, err)) < 0)
        return -1;
    bool by_self = (fp->scheme & ~PK_FLAME_COLORS_NEGATE) == PK_FLAME_COLORS_DIFF;
    for (size_t i = 0; i < fp->layout.nrects; i++) {
        const pk_flame_rect *r = &fp->layout.rects[i];
        if (by_self && r->func == PK_NONE) continue; /* "all" and elided frames */
        int64_t d = by_self ? r->self - r->self2 : r->value - r->value2;
        if (d < 0) d = -d;
        if (d > fp->max_delta) fp->max_delta = d;
    }
    return 0;
}

void flame_plot_free(flame_plot *fp)
{
    pk_flame_free(&fp->layout);
}

const char *flame_rect_name(const pk_profile *p, const pk_flame_rect *r, char *buf, size_t size)
{
    if (r->merged) {
        snprintf(buf, size, "[%" PRIu32 " narrow frame%s]", r->merged, r->merged > 1 ? "s" : "");
        return buf;
    }
    if (r->func == PK_NONE) return "all";
    const pk_function *f = &p->funcs[r->func];
    if (!f->file || !*f->file || strcmp(f->file, "~") == 0) return f->name; /* ~: built-ins */
    if (f->file[0] == '[') /* an annotation of collapsed stacks: "[kernel]" */
        snprintf(buf, size, "%s %s", f->name, f->file);
    else if (f->line > 0)
        snprintf(buf, size, "%s (%s:%" PRId32 ")", f->name, f->file, f->line);
    else
        snprintf(buf, size, "%s (%s)", f->name, f->file);
    return buf;
}

const char *flame_title(const pk_write_options *opt, const flame_plot *fp)
{
    if (opt->title) return opt->title;
    if (fp->chart) return "Flame Chart";
    return fp->inverted ? "Icicle Graph" : "Flame Graph";
}

void flame_subtitle(const pk_profile *p, const pk_write_options *opt, const flame_plot *fp,
                    char *buf, size_t size)
{
    char total[64];
    pk_flame_format_value(total, sizeof total, fp->layout.total, fp->unit, fp->countname);
    int n = opt->subtitle ? snprintf(buf, size, "%s", opt->subtitle)
                          : snprintf(buf, size, "%s, total %s", p->metrics[fp->metric].name, total);
    if (fp->metric2 >= 0 && !opt->subtitle && n >= 0 && (size_t)n < size) {
        bool negate = fp->scheme & PK_FLAME_COLORS_NEGATE;
        n += snprintf(buf + n, size - n, "; colour: %s %s \xE2\x86\x92 %s (%s grew, %s shrank)",
                      (fp->scheme & ~PK_FLAME_COLORS_NEGATE) == PK_FLAME_COLORS_DIFF ? "own"
                                                                                     : "inclusive",
                      p->metrics[fp->metric2].name, p->metrics[fp->metric].name,
                      negate ? "blue" : "red", negate ? "red" : "blue");
    }
    if (fp->chart && n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - n, "; time order, thread after thread");
    if (fp->reverse && n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - n, "; stacks merged from the leaf");
    if (fp->estimated && n >= 0 && (size_t)n < size)
        n += snprintf(buf + n, size - n,
                      "; widths ESTIMATED from the call graph (the input has no stacks)");
    if (pk_meta_get(p, "filter.estimated") && n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - n,
                 "; filtered without stacks: values around the matches "
                 "ESTIMATED");
}

static double percent(int64_t part, int64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

void flame_rect_info(const pk_profile *p, const flame_plot *fp, const pk_flame_rect *r, char *buf,
                     size_t size)
{
    (void)p;
    char v[64];
    pk_flame_format_value(v, sizeof v, r->value, fp->unit, fp->countname);
    int64_t parent = r->parent == PK_NONE ? r->value : fp->layout.rects[r->parent].value;
    int n = snprintf(buf, size, "%s, %.2f%% of total, %.2f%% of parent", v,
                     percent(r->value, fp->layout.total), percent(r->value, parent));
    if (fp->metric2 >= 0 && n >= 0 && (size_t)n < size) {
        char b[64], d[64];
        pk_flame_format_value(b, sizeof b, r->value2, fp->unit, fp->countname);
        pk_flame_format_value(d, sizeof d, r->value - r->value2, fp->unit, fp->countname);
        n += snprintf(buf + n, size - n, "; %s: %s, change %s%s", p->metrics[fp->metric2].name, b,
                      r->value >= r->value2 ? "+" : "", d);
    }
    if (fp->estimated && n >= 0 && (size_t)n < size) snprintf(buf + n, size - n, "; estimated");
}
