/* Call graphs as Graphviz graphs: built with libcgraph (so quoting is
 * Graphviz's own), written as dot text, or laid out and rendered in-process
 * with libgvc (png, svg, pdf, ...).
 */
#ifndef PK_FORMAT_DOT_H
#define PK_FORMAT_DOT_H

#include <graphviz/cgraph.h>
#include <stdio.h>

#include "../lib/callgraph.h"
#include "format.h"

/* What a node's label shows under the function's name, in order. */
typedef enum {
    PK_LABEL_LOCATION,  /* file:line */
    PK_LABEL_TOTAL,     /* total value, in the metric's unit */
    PK_LABEL_TOTAL_PCT, /* total share */
    PK_LABEL_SELF,      /* self value */
    PK_LABEL_SELF_PCT,  /* self share */
    PK_LABEL_CALLS,     /* number of calls (when the source counts them) */
    PK_LABEL_SAMPLES,   /* own samples (pk_dot_samples_metric) */
    PK_LABEL_COUNT
} pk_dot_label;

#define PK_DOT_MAX_LABELS 16

typedef struct {
    pk_callgraph_options graph;
    pk_dot_label labels[PK_DOT_MAX_LABELS];
    int nlabels;       /* 0: the default list */
    int wrap;          /* wrap names longer than this many characters */
    const char *title; /* first line of the graph's caption, or NULL */
    int colormap;      /* gprof2dot's -c: pk_dot_colormap_parse's index (0: color) */
    double skew;       /* gprof2dot's --skew: 1 linear, below 1 more variety at the low end */
} pk_dot_options;

void pk_dot_options_init(pk_dot_options *o);
/* The label named (gprof2dot's names: total-time, total-time-percentage,
 * self-time, self-time-percentage; and calls, location); -1 if unknown. */
int pk_dot_label_parse(const char *name);
/* The names accepted by pk_dot_label_parse, comma-separated. */
const char *pk_dot_label_names(void);
/* The metric counting samples ("samples", else the first in samples), or -1. */
int pk_dot_samples_metric(const pk_profile *p);
/* gprof2dot's colour maps: color (blue to red), pink, gray, bw, print; -1 if
 * unknown. */
int pk_dot_colormap_parse(const char *name);

/* The call graph of p as a Graphviz graph (agclose it), or NULL with err. */
Agraph_t *pk_dot_graph(pk_profile *p, const pk_dot_options *o, pk_error *err);
/* Lay g out with dot and render it in Graphviz's output format (png, svg,
 * pdf, ...) to f. 0, or -1 with err. */
int pk_dot_render(Agraph_t *g, const char *format, FILE *f, pk_error *err);
/* Is format one that pk_dot_render can produce? */
int pk_dot_can_render(const char *format);

extern const pk_format pk_format_dot;

#endif
