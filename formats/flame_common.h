/* What the flame graph writers (SVG, PNG) share: choosing the metric and
 * colours from the write options, the layout, and the names drawn. */
#ifndef PK_FLAME_COMMON_H
#define PK_FLAME_COMMON_H

#include "../lib/flame.h"
#include "format.h"

#define FLAME_DEFAULT_WIDTH 1200
#define FLAME_XPAD 10

typedef struct {
    pk_flame layout;
    int metric, metric2; /* widths; "before" of a differential profile or -1 */
    pk_flame_colors scheme;
    int64_t max_delta;
    const char *unit, *countname;
    int width;       /* pixels */
    int frame_h;     /* pixels per frame */
    double fontsize; /* pixels */
    bool inverted, reverse, estimated, chart;
} flame_plot;

/* --minwidth as a percentage of the total, for a picture width pixels wide. */
double flame_minwidth_pct(const pk_write_options *opt, int width);

/* Lay out p for drawing; 0, or -1 with err set. */
int flame_plot_prepare(pk_profile *p, const pk_write_options *opt, flame_plot *fp, pk_error *err);
void flame_plot_free(flame_plot *fp);

/* The name drawn for a rectangle: "all", "[N narrow frames]", or the
 * function ("name" or "name (file:line)"). */
const char *flame_rect_name(const pk_profile *p, const pk_flame_rect *r, char *buf, size_t size);
/* The title line: "Flame Graph" unless --title. */
const char *flame_title(const pk_write_options *opt, const flame_plot *fp);
/* The line under the title: what the widths are (or --subtitle), and that
 * they are estimated when the tree came from a call graph. */
void flame_subtitle(const pk_profile *p, const pk_write_options *opt, const flame_plot *fp,
                    char *buf, size_t size);
/* The tooltip text after the name: value, % of total and of parent. */
void flame_rect_info(const pk_profile *p, const flame_plot *fp, const pk_flame_rect *r, char *buf,
                     size_t size);

#endif
