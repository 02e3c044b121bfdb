/* Flame graph layout: the call tree turned into rectangles in value space.
 * It knows no output format; the SVG and PNG writers draw what it returns.
 *
 * Rectangles come in preorder (a parent before its children), children of a
 * frame sorted by name like flamegraph.pl, so equal stacks line up. Frames
 * narrower than minwidth % of the total are merged into one elided frame per
 * parent: a huge profile gives a bounded number of rectangles.
 */
#ifndef PK_FLAME_H
#define PK_FLAME_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "profile.h"

typedef struct {
    int64_t x;       /* left edge: the values left of it, from 0 */
    int64_t value;   /* width: the frame's inclusive value */
    int64_t self;    /* the frame's own value */
    int64_t value2;  /* inclusive value of the second metric (0 without one) */
    uint32_t parent; /* index of the parent rectangle, PK_NONE for the root */
    uint32_t depth;  /* 0 is the root frame ("all") */
    pk_id func;      /* PK_NONE for the root and elided frames */
    uint32_t merged; /* elided frame: how many frames it stands for, else 0 */
    int64_t self2;   /* the frame's own value of the second metric */
} pk_flame_rect;

typedef struct {
    int metric;      /* widths */
    int metric2;     /* summed alongside, e.g. "before" of a differential profile; -1 none */
    double minwidth; /* % of the total; 0 keeps every frame */
    bool reverse;    /* stacks merged from the leaf (the inverted tree) */
} pk_flame_options;

typedef struct {
    pk_flame_rect *rects;
    size_t nrects;
    int64_t total;
    uint32_t max_depth;
    /* Forward layouts: the rectangle that holds each tree node (an elided
     * frame for narrow ones and their descendants), nnodes entries; NULL for
     * --reverse and flame charts. */
    uint32_t *node_rect;
} pk_flame;

/* Lay out p's tree (pk_ensure_tree first). 0, or -1 with err set. */
int pk_flame_layout(const pk_profile *p, const pk_flame_options *opt, pk_flame *out, pk_error *err);
void pk_flame_free(pk_flame *f);

/* A flame chart: the samples of p's timeline in time order, thread after
 * thread, each frame extended while the next sample still has it (the same
 * function under the same frames, whatever its line) and opened anew otherwise; x is then the time
 * (the values of the samples before). Frames narrower than minwidth are dropped. 0, or -1 with err
 * (no samples in the timeline, --reverse, a comparison). */
int pk_flame_chart_layout(const pk_profile *p, const pk_flame_options *opt, pk_flame *out,
                          pk_error *err);

/* A value in its unit for people: "1,234 samples", "12.3 ms", "4.5 MiB".
 * countname, when set, replaces the unit's name. */
void pk_flame_format_value(char *buf, size_t size, int64_t v, const char *unit,
                           const char *countname);

/* The module of a function for colouring: its file, or what a frame text
 * names as its file ("f (mod.py:3)", "mod.py:f"). Writes into buf. */
void pk_flame_module(const pk_function *f, char *buf, size_t size);

typedef enum {
    PK_FLAME_COLORS_KIND,      /* by the frame's kind: Python, native, builtin, ... */
    PK_FLAME_COLORS_MODULE,    /* a hue per module */
    PK_FLAME_COLORS_HOT,       /* flamegraph.pl's palettes: reds and yellows, */
    PK_FLAME_COLORS_MEM,       /* greens and blues, */
    PK_FLAME_COLORS_IO,        /* blues */
    PK_FLAME_COLORS_PYTHON,    /* Python green, native red, builtin aqua, kernel orange */
    PK_FLAME_COLORS_DIFF,      /* red where a frame's own value grew, blue where it shrank */
    PK_FLAME_COLORS_DIFF_INCL, /* the same by inclusive value */
} pk_flame_colors;

/* Or-ed into a diff scheme: the hues switched (red where it shrank). */
#define PK_FLAME_COLORS_NEGATE 0x100

/* Fill colour of a rectangle as 0xRRGGBB; stable for a given name.
 * max_delta is the largest |value - value2| (|self - self2| for
 * PK_FLAME_COLORS_DIFF), for the diff colours. */
uint32_t pk_flame_color(const pk_profile *p, const pk_flame_rect *r, int scheme, int64_t max_delta);

#endif
