/* The format registry. Each formats/<name>.c defines one pk_format: a probe
 * that bids on the first bytes, and a reader and/or a writer. The registry,
 * not the command, picks the reader (by content) and the writer (by the
 * output file's name, or -t NAME).
 */
#ifndef PK_FORMAT_H
#define PK_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../lib/error.h"
#include "../lib/input.h"
#include "../lib/profile.h"

typedef struct {
    bool threads;                /* keep process/thread root frames */
    const char *view;            /* memray: peak (default), leaks, temporary, total */
    int64_t temporary_threshold; /* memray --view temporary */
    bool native;                 /* memray: add the native frames under the Python ones */
    int verbose;
    /* memray: more views of the same capture (peak, leaks or total) made
     * from the same replay of its events, each into a profile the caller
     * made with pk_profile_new; a view the capture does not keep (an
     * aggregated capture has no total) stays empty, as do all of them with
     * other readers. */
    size_t nalso;
    const char *const *also_views;
    pk_profile *const *also;
    /* --time, for readers that keep the window themselves (memray replays
     * the events up to its end, mprof cuts its calls and samples): ns from
     * the start, [from, to). The reader
     * marks the profile time_windowed, and the filter leaves it be. */
    bool time_set;
    int64_t time_from_ns, time_to_ns;
    /* keep the history of a memory chart in up to this many epochs, 0 for
     * none: memray the heap's (p->heap, heap_history.h), mprof the call
     * graph's (p->calls_history, call_history.h) */
    int history_epochs;
} pk_read_options;

typedef struct {
    int metric;           /* metric to draw or sort by, -1 for the default (0) */
    const char *title;    /* flame graph title, NULL for a default */
    double minwidth;      /* flame graph: merge frames narrower than this % of the total, */
    bool minwidth_px;     /* ... or than this many pixels */
    const char *subtitle; /* flame graph: the line under the title, NULL for what it shows */
    const char *notes;    /* flame graph SVG, HTML report: a note carried in the file */
    int frame_height;     /* flame graph: pixels per frame, 0 for 16 */
    double fontsize;      /* flame graph: text size in pixels, 0 for 12 */
    bool negate;          /* differential flame graph: red where it shrank */
    bool color_by_incl;   /* differential flame graph: by inclusive change, not self */
    bool inverted;        /* icicle */
    bool reverse;         /* stacks merged from the leaf */
    bool flamechart;      /* flame graph: the timeline's samples in time order */
    const char *colors;   /* kind (default), module, hot, mem, io, python; diff */
    const char *countname;
    int width;               /* flame graph width in pixels, 0 for the default (1200) */
    bool embed_source;       /* html: embed the source around the hottest lines */
    const char *source_root; /* html: look for moved sources under it too */
    /* html: more views of the same capture (memray's leaks and total beside
     * its peak), each a profile read with another --view; names label them. */
    size_t nviews;
    pk_profile *const *views;
    const char *const *view_names;
} pk_write_options;

typedef struct pk_format {
    const char *name;     /* for -t and --list-formats */
    const char *patterns; /* space-separated fnmatch patterns on the base name */
    const char *description;
    /* 0 = not this format .. 100 = certainly this format. */
    int (*probe)(const uint8_t *head, size_t len);
    /* Fill p from in; fail with pk_fail. */
    void (*read)(pk_input *in, pk_profile *p, const pk_read_options *opt);
    /* Write p to f; return 0, or -1 with err set. */
    int (*write)(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err);
} pk_format;

/* All registered formats, NULL-terminated. */
extern const pk_format *pk_formats[];
/* Put f in the registry just before format `before` (once). */
void pk_format_insert(const pk_format *f, const pk_format *before);
/* Add the writers that draw through cairo and Graphviz (dot, PNG flame
 * graphs): formats/drawing.c, linked only into the commands that call it. */
void pk_formats_add_drawing(void);

const pk_format *pk_format_by_name(const char *name);
const pk_format *pk_format_for_path(const char *path, bool want_writer);

void pk_read_options_init(pk_read_options *opt);
void pk_write_options_init(pk_write_options *opt);

/* Read a profile: format by content unless force_format names one.
 * NULL on failure with err = "FILE: offset N: what". */
pk_profile *pk_read_profile(const char *path, const char *force_format, const pk_read_options *opt,
                            pk_error *err);

/* The same from memory (kept alive by the caller) with name used in messages. */
pk_profile *pk_read_memory(const void *data, size_t len, const char *name, const char *force_format,
                           const pk_read_options *opt, pk_error *err);

/* Read from an open input with fmt, or the format its content shows when
 * fmt is NULL. Closes in. */
pk_profile *pk_read_input(pk_input *in, const pk_format *fmt, const pk_read_options *opt,
                          pk_error *err);

/* Write a profile to path ("-" = stdout) with the format named, or chosen by
 * the path's name. Nothing is left behind on failure. 0 or -1 with err. */
int pk_write_profile(pk_profile *p, const char *path, const char *force_format,
                     const pk_write_options *opt, pk_error *err);

#endif
