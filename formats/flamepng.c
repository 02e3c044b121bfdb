/* Flame graph PNG drawn with cairo: the SVG's layout and colours, labels
 * where they fit. Very deep graphs get thinner rows so the image stays under
 * MAX_HEIGHT pixels (cairo's limit is 32767) and MAX_PIXELS in all. */
#include <cairo.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/escape.h"
#include "flame_common.h"

#define PAD_TOP 56
#define PAD_BOTTOM 20
#define MAX_HEIGHT 16384
#define MAX_PIXELS (64 << 20) /* 256 MiB of 32-bit pixels */

typedef struct {
    cairo_t *cr;
    const flame_plot *fp;
    double row;    /* row height in pixels */
    int height;    /* image height */
    uint32_t rows; /* depths drawn */
} canvas;

static void set_rgb(cairo_t *cr, uint32_t c)
{
    cairo_set_source_rgb(cr, (c >> 16 & 0xFF) / 255.0, (c >> 8 & 0xFF) / 255.0, (c & 0xFF) / 255.0);
}

/* cairo refuses invalid UTF-8 (and then stops drawing): sanitize first. */
static void show_text(cairo_t *cr, const char *s)
{
    char *scratch = NULL;
    const char *ok = pk_utf8_valid(s, &scratch);
    cairo_show_text(cr, ok);
    free(scratch);
}

/* The longest prefix of name (plus "..") narrower than w pixels. */
static void draw_label(cairo_t *cr, const char *name, double x, double y, double w)
{
    char buf[256];
    char *scratch = NULL;
    const char *s = pk_utf8_valid(name, &scratch);
    size_t n = strlen(s);
    if (n > sizeof buf - 3) n = sizeof buf - 3;
    cairo_text_extents_t ext;
    for (;;) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        if (n < strlen(s)) strcpy(buf + n, "..");
        cairo_text_extents(cr, buf, &ext);
        if (ext.x_advance <= w - 6 || n <= 2) break;
        size_t cut = (size_t)((double)n * (w - 6) / ext.x_advance);
        n = cut < n ? cut : n - 1;
        while (n > 0 && (s[n] & 0xC0) == 0x80) /* whole code points only */
            n--;
    }
    free(scratch);
    if (n >= 3 || (n > 0 && n == strlen(s))) {
        cairo_move_to(cr, x + 3, y);
        cairo_show_text(cr, buf);
    }
}

static void draw_rect(canvas *c, const pk_profile *p, const pk_flame_rect *r)
{
    if (r->depth >= c->rows) return;
    const flame_plot *fp = c->fp;
    double scale =
        (double)(fp->width - 2 * FLAME_XPAD) / (double)(fp->layout.total ? fp->layout.total : 1);
    double x = FLAME_XPAD + (double)r->x * scale, w = (double)r->value * scale;
    double y = fp->inverted ? PAD_TOP + r->depth * c->row
                            : c->height - PAD_BOTTOM - (r->depth + 1) * c->row;
    double h = c->row > 2 ? c->row - 1 : c->row;
    set_rgb(c->cr, pk_flame_color(p, r, fp->scheme, fp->max_delta));
    cairo_rectangle(c->cr, x, y, w, h);
    cairo_fill(c->cr);
    if (fp->estimated && r->depth > 0 && w > 4 && h > 4) {
        static const double dash[] = {3, 2};
        cairo_set_dash(c->cr, dash, 2, 0);
        cairo_set_line_width(c->cr, 0.8);
        set_rgb(c->cr, 0x333333);
        cairo_rectangle(c->cr, x + 0.5, y + 0.5, w - 1, h - 1);
        cairo_stroke(c->cr);
        cairo_set_dash(c->cr, NULL, 0, 0);
    }
    if (c->row >= 12 && w > 24) {
        char namebuf[1024];
        set_rgb(c->cr, 0x000000);
        draw_label(c->cr, flame_rect_name(p, r, namebuf, sizeof namebuf), x, y + h - 4, w);
    }
}

static void draw_header(canvas *c, const pk_profile *p, const pk_write_options *opt)
{
    cairo_t *cr = c->cr;
    char subtitle[1024];
    cairo_text_extents_t ext;
    set_rgb(cr, 0xF8F8F4);
    cairo_paint(cr);
    set_rgb(cr, 0x000000);
    cairo_set_font_size(cr, 17);
    const char *title = flame_title(opt, c->fp);
    char *scratch = NULL;
    cairo_text_extents(cr, pk_utf8_valid(title, &scratch), &ext);
    free(scratch);
    cairo_move_to(cr, (c->fp->width - ext.x_advance) / 2, 24);
    show_text(cr, title);
    flame_subtitle(p, opt, c->fp, subtitle, sizeof subtitle);
    cairo_set_font_size(cr, 12);
    cairo_text_extents(cr, subtitle, &ext);
    set_rgb(cr, 0x555555);
    cairo_move_to(cr, (c->fp->width - ext.x_advance) / 2, 42);
    show_text(cr, subtitle);
}

static cairo_status_t write_to_file(void *closure, const unsigned char *data, unsigned int len)
{
    return fwrite(data, 1, len, closure) == len ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

static int flamepng_write(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err)
{
    flame_plot fp;
    if (flame_plot_prepare(p, opt, &fp, err) < 0) return -1;
    canvas c = {.fp = &fp, .rows = fp.layout.max_depth + 1};
    int max_height = MAX_PIXELS / fp.width < MAX_HEIGHT ? MAX_PIXELS / fp.width : MAX_HEIGHT;
    int room = max_height - PAD_TOP - PAD_BOTTOM;
    c.row = (double)room / c.rows < fp.frame_h ? (double)room / c.rows : fp.frame_h;
    if (c.row < 1) {
        c.row = 1;
        c.rows = (uint32_t)room;
    }
    c.height = PAD_TOP + PAD_BOTTOM + (int)(c.rows * c.row + 0.999);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, fp.width, c.height);
    c.cr = cairo_create(s);
    cairo_select_font_face(c.cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    draw_header(&c, p, opt);
    cairo_set_font_size(c.cr, fp.fontsize * 11 / 12);
    for (size_t i = 0; i < fp.layout.nrects; i++)
        draw_rect(&c, p, &fp.layout.rects[i]);
    cairo_status_t st = cairo_status(c.cr);
    cairo_destroy(c.cr);
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_write_to_png_stream(s, write_to_file, f);
    cairo_surface_destroy(s);
    flame_plot_free(&fp);
    if (st != CAIRO_STATUS_SUCCESS) {
        pk_error_set(err, "drawing the PNG failed: %s", cairo_status_to_string(st));
        return -1;
    }
    return 0;
}

const pk_format pk_format_flamepng = {
    .name = "flamegraph-png",
    .patterns = "*.png",
    .description = "flame graph picture (PNG)",
    .write = flamepng_write,
};
