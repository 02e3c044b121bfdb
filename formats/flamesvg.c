/* Interactive flame graph SVG: click to zoom, Reset Zoom, regex search with
 * the matched share, tooltips with values in their unit. Every frame is a
 * plain <rect> so the picture also shows where scripts do not run. Names are
 * data: they appear only in escaped XML text, never inside the script. */
#include <inttypes.h>
#include <string.h>

#include "../lib/escape.h"
#include "flame_common.h"

#define PAD_TOP 56
#define PAD_BOTTOM 34
#define FONT_W(fp) ((fp)->fontsize * 0.59) /* average glyph width of Verdana */

static const char style[] =
    "<style type=\"text/css\">\n"
    "text { font-family: Verdana, 'DejaVu Sans', sans-serif; fill: #000; }\n"
    "#title { text-anchor: middle; font-size: 17px; }\n"
    "#subtitle { text-anchor: middle; fill: #555; }\n"
    "#search, #unzoom { cursor: pointer; }\n"
    "#search:hover, #unzoom:hover { fill: #36c; }\n"
    "#matched { text-anchor: end; }\n"
    ".hide { display: none; }\n"
    "g.f { cursor: pointer; }\n"
    "g.f text { pointer-events: none; }\n"
    "g.f:hover rect { stroke: #000; stroke-width: 0.5; }\n"
    "g.parent { opacity: 0.5; }\n"
    "g.est rect { stroke: #333; stroke-width: 0.8; stroke-dasharray: 3 2; }\n"
    "g.el rect { fill-opacity: 0.6; }\n"
    "</style>\n";

/* Kept free of "]]>" so it can sit in CDATA. */
static const char script[] =
    "<script type=\"text/ecmascript\"><![CDATA[\n"
    "'use strict';\n"
    "var frames, details, matched, unzoombtn, searchbtn, total, xpad, fw, zoomed = null, term = "
    "null;\n"
    "var fontw = 12 * 0.59;\n"
    "function init(evt) {\n"
    "  var svg = document.documentElement, fg = document.getElementById('frames');\n"
    "  total = +fg.getAttribute('data-total'); xpad = +fg.getAttribute('data-xpad');\n"
    "  fontw = +fg.getAttribute('data-fontw') || fontw;\n"
    "  fw = +svg.getAttribute('width') - 2 * xpad;\n"
    "  details = document.getElementById('details').firstChild;\n"
    "  matched = document.getElementById('matched').firstChild;\n"
    "  unzoombtn = document.getElementById('unzoom'); searchbtn = "
    "document.getElementById('search');\n"
    "  frames = Array.prototype.slice.call(fg.getElementsByTagName('g'));\n"
    "  frames.forEach(function (g) {\n"
    "    g.fx = +g.getAttribute('data-x'); g.fwd = +g.getAttribute('data-w');\n"
    "    g.fd = +g.getAttribute('data-d'); g.info = "
    "g.getElementsByTagName('title')[0].textContent;\n"
    "    var i = g.info.lastIndexOf(' ('); g.fname = i >= 0 ? g.info.slice(0, i) : g.info;\n"
    "    g.rect = g.getElementsByTagName('rect')[0]; g.fill = g.rect.getAttribute('fill');\n"
    "  });\n"
    "  fg.addEventListener('click', function (e) { var g = frameOf(e.target); if (g) zoom(g); });\n"
    "  fg.addEventListener('mouseover', function (e) {\n"
    "    var g = frameOf(e.target); if (g) details.nodeValue = g.info; });\n"
    "  fg.addEventListener('mouseout', function () { details.nodeValue = ' '; });\n"
    "  unzoombtn.addEventListener('click', unzoom);\n"
    "  searchbtn.addEventListener('click', function () { if (term !== null) clearSearch(); else "
    "askSearch(); });\n"
    "  window.addEventListener('keydown', function (e) {\n"
    "    if (e.keyCode === 114 || ((e.ctrlKey || e.metaKey) && e.keyCode === 70)) { "
    "e.preventDefault(); askSearch(); }\n"
    "    else if (e.keyCode === 27) { clearSearch(); unzoom(); }\n"
    "  });\n"
    "}\n"
    "function frameOf(n) { while (n && n.nodeName !== 'g') n = n.parentNode;\n"
    "  return n && n.getAttribute('class') && n.getAttribute('class').indexOf('f') === 0 ? n : "
    "null; }\n"
    "function fit(name, w) { var n = Math.floor((w - 6) / fontw); if (n < 3) return '';\n"
    "  return name.length <= n ? name : name.slice(0, n - 2) + '..'; }\n"
    "function place(g, x, w) {\n"
    "  g.rect.setAttribute('x', x.toFixed(2)); g.rect.setAttribute('width', Math.max(w, "
    "0).toFixed(2));\n"
    "  var t = g.getElementsByTagName('text')[0], label = fit(g.fname, w);\n"
    "  if (!t && label) { t = document.createElementNS('http://www.w3.org/2000/svg', 'text');\n"
    "    t.setAttribute('y', (+g.rect.getAttribute('y') + 11).toString()); g.appendChild(t); }\n"
    "  if (t) { t.setAttribute('x', (x + 3).toFixed(2)); t.textContent = label; }\n"
    "}\n"
    "function setClass(g, c, on) { var s = g.getAttribute('class').split(' ').filter(function (x) "
    "{ return x !== c; });\n"
    "  if (on) s.push(c); g.setAttribute('class', s.join(' ')); }\n"
    "function zoom(g) {\n"
    "  if (g.fd === 0) { unzoom(); return; }\n"
    "  zoomed = g; var x0 = g.fx, w0 = g.fwd || 1;\n"
    "  setClass(unzoombtn, 'hide', false);\n"
    "  frames.forEach(function (f) {\n"
    "    if (f.fd >= g.fd && f.fx >= x0 && f.fx + f.fwd <= x0 + w0) {\n"
    "      f.style.display = ''; setClass(f, 'parent', false);\n"
    "      place(f, xpad + (f.fx - x0) / w0 * fw, f.fwd / w0 * fw);\n"
    "    } else if (f.fd < g.fd && f.fx <= x0 && f.fx + f.fwd >= x0 + w0) {\n"
    "      f.style.display = ''; setClass(f, 'parent', true); place(f, xpad, fw);\n"
    "    } else f.style.display = 'none';\n"
    "  });\n"
    "  if (term !== null) search(term);\n"
    "}\n"
    "function unzoom() {\n"
    "  zoomed = null; setClass(unzoombtn, 'hide', true);\n"
    "  frames.forEach(function (f) { f.style.display = ''; setClass(f, 'parent', false);\n"
    "    place(f, xpad + f.fx / total * fw, f.fwd / total * fw); });\n"
    "  if (term !== null) search(term);\n"
    "}\n"
    "function askSearch() {\n"
    "  var t = prompt('Search for (regular expression):', term === null ? '' : term);\n"
    "  if (t === null || t === '') return;\n"
    "  try { new RegExp(t); } catch (err) { alert('Not a regular expression: ' + err.message); "
    "return; }\n"
    "  search(t);\n"
    "}\n"
    "function search(t) {\n"
    "  term = t; var re = new RegExp(t), spans = [];\n"
    "  frames.forEach(function (f) {\n"
    "    var hit = f.fd > 0 && re.test(f.fname);\n"
    "    f.rect.setAttribute('fill', hit ? 'rgb(230,0,230)' : f.fill);\n"
    "    if (hit) spans.push([f.fx, f.fx + f.fwd]);\n"
    "  });\n"
    "  var lo = zoomed ? zoomed.fx : 0, hi = zoomed ? zoomed.fx + zoomed.fwd : total, sum = 0, end "
    "= -1;\n"
    "  spans.sort(function (a, b) { return a[0] - b[0]; });\n"
    "  spans.forEach(function (s) { var a = Math.max(s[0], lo, end), b = Math.min(s[1], hi);\n"
    "    if (b > a) sum += b - a; if (s[1] > end) end = s[1]; });\n"
    "  matched.nodeValue = 'Matched: ' + (hi > lo ? 100 * sum / (hi - lo) : 0).toFixed(2) + '%';\n"
    "  searchbtn.firstChild.nodeValue = 'Reset Search';\n"
    "}\n"
    "function clearSearch() {\n"
    "  term = null; frames.forEach(function (f) { f.rect.setAttribute('fill', f.fill); });\n"
    "  matched.nodeValue = ' '; searchbtn.firstChild.nodeValue = 'Search';\n"
    "}\n"
    "]]></script>\n";

static double frame_y(const flame_plot *fp, uint32_t depth, int height)
{
    if (fp->inverted) return PAD_TOP + (double)depth * fp->frame_h;
    return height - PAD_BOTTOM - (double)(depth + 1) * fp->frame_h;
}

/* Number of bytes of the first n code points of s. */
static size_t utf8_prefix(const char *s, size_t n)
{
    size_t i = 0;
    for (size_t cp = 0; s[i] && cp < n; cp++) {
        i++;
        while ((s[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

static size_t utf8_count(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += (*s & 0xC0) != 0x80;
    return n;
}

static void put_label(FILE *f, const flame_plot *fp, const char *name, double w)
{
    size_t fits = w > 6 ? (size_t)((w - 6) / FONT_W(fp)) : 0;
    if (fits < 3) return;
    char buf[1024];
    if (utf8_count(name) <= fits) {
        pk_put_xml(f, name);
        return;
    }
    size_t n = utf8_prefix(name, fits - 2);
    if (n > sizeof buf - 3) n = sizeof buf - 3;
    memcpy(buf, name, n);
    memcpy(buf + n, "..", 3);
    pk_put_xml(f, buf);
}

static void put_frame(FILE *f, const pk_profile *p, const flame_plot *fp, const pk_flame_rect *r,
                      int height)
{
    char namebuf[1024], info[512], color[8];
    const char *name = flame_rect_name(p, r, namebuf, sizeof namebuf);
    flame_rect_info(p, fp, r, info, sizeof info);
    double scale =
        (double)(fp->width - 2 * FLAME_XPAD) / (double)(fp->layout.total ? fp->layout.total : 1);
    double x = FLAME_XPAD + (double)r->x * scale, w = (double)r->value * scale;
    double y = frame_y(fp, r->depth, height);
    snprintf(color, sizeof color, "#%06" PRIx32, pk_flame_color(p, r, fp->scheme, fp->max_delta));
    fprintf(f,
            "<g class=\"f%s%s\" data-x=\"%" PRId64 "\" data-w=\"%" PRId64 "\" data-d=\"%" PRIu32
            "\"><title>",
            fp->estimated && r->depth > 0 ? " est" : "", r->merged ? " el" : "", r->x, r->value,
            r->depth);
    pk_put_xml(f, name);
    fputs(" (", f);
    pk_put_xml(f, info);
    fprintf(
        f,
        ")</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" fill=\"%s\" rx=\"2\"/>",
        x, y, w, fp->frame_h - 1, color);
    if (w > 6 + 3 * FONT_W(fp)) {
        fprintf(f, "<text x=\"%.2f\" y=\"%.1f\">", x + 3, y + fp->frame_h - 5);
        put_label(f, fp, name, w);
        fputs("</text>", f);
    }
    fputs("</g>\n", f);
}

static void put_header(FILE *f, const pk_profile *p, const pk_write_options *opt,
                       const flame_plot *fp, int height)
{
    char subtitle[1024];
    flame_subtitle(p, opt, fp, subtitle, sizeof subtitle);
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
            "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "onload=\"init(evt)\" xmlns=\"http://www.w3.org/2000/svg\">\n",
            fp->width, height, fp->width, height);
    fputs(style, f);
    fprintf(f, "<style type=\"text/css\">text { font-size: %gpx; }</style>\n", fp->fontsize);
    if (opt->notes) { /* flamegraph.pl's --notes */
        fputs("<desc>", f);
        pk_put_xml(f, opt->notes);
        fputs("</desc>\n", f);
    }
    fputs(script, f);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f8f8f4\"/>\n", fp->width,
            height);
    fprintf(f, "<text id=\"title\" x=\"%d\" y=\"24\">", fp->width / 2);
    pk_put_xml(f, flame_title(opt, fp));
    fprintf(f, "</text>\n<text id=\"subtitle\" x=\"%d\" y=\"42\">", fp->width / 2);
    pk_put_xml(f, subtitle);
    fprintf(f, "</text>\n<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"24\">Reset Zoom</text>\n",
            FLAME_XPAD);
    fprintf(f, "<text id=\"search\" x=\"%d\" y=\"24\">Search</text>\n", fp->width - 110);
    fprintf(f, "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n", FLAME_XPAD, height - 12);
    fprintf(f, "<text id=\"matched\" x=\"%d\" y=\"%d\"> </text>\n", fp->width - FLAME_XPAD,
            height - 12);
}

static int flamesvg_write(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err)
{
    flame_plot fp;
    if (flame_plot_prepare(p, opt, &fp, err) < 0) return -1;
    int height = PAD_TOP + PAD_BOTTOM + (int)(fp.layout.max_depth + 1) * fp.frame_h;
    put_header(f, p, opt, &fp, height);
    fprintf(f, "<g id=\"frames\" data-total=\"%" PRId64 "\" data-xpad=\"%d\" data-fontw=\"%g\">\n",
            fp.layout.total, FLAME_XPAD, fp.fontsize * 0.59);
    for (size_t i = 0; i < fp.layout.nrects; i++)
        put_frame(f, p, &fp, &fp.layout.rects[i], height);
    fputs("</g>\n</svg>\n", f);
    flame_plot_free(&fp);
    return 0;
}

const pk_format pk_format_flamesvg = {
    .name = "flamegraph",
    .patterns = "*.svg",
    .description = "interactive flame graph (SVG)",
    .write = flamesvg_write,
};
