/* The writers that draw through libraries a text conversion does not need:
 * dot through Graphviz (formats/dot.c) and PNG flame graphs through cairo
 * (formats/flamepng.c). Only the commands that write them call this, so the
 * static library leaves these objects, and with --as-needed cairo and
 * Graphviz, out of the others: ptop, plines and pfilter start without
 * loading them (docs/speed.md, start-up). */
#include "format.h"

extern const pk_format pk_format_dot;
extern const pk_format pk_format_flamesvg;
extern const pk_format pk_format_flamepng;
extern const pk_format pk_format_html;

void pk_formats_add_drawing(void)
{
    pk_format_insert(&pk_format_dot, &pk_format_flamesvg);
    pk_format_insert(&pk_format_flamepng, &pk_format_html);
}
