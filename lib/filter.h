/* Focusing a profile on what matters: pprof's focus/ignore/hide/show/
 * show_from/prune_from, gprof2dot's root/leaf/depth/path, a threshold, and
 * rewrites of function identities (strip directories, path prefixes and
 * regex maps, granularity, collapsed recursion). It knows no format.
 *
 * On a profile with stacks every filter acts on each stack and the tree is
 * rebuilt, then the graph derived from it: the result is exact. On a
 * graph-only profile (pstats, callgrind) filters act on functions and edges;
 * where that cannot be exact the profile gets meta "filter.estimated".
 *
 * Patterns are lib/pattern.h's: Python's syntax, found in a function's
 * name, its file or its "file:line(name)". A pattern that matches no
 * function of the profile is an error ("--focus 'x': matches no function").
 */
#ifndef PK_FILTER_H
#define PK_FILTER_H

#include <stdbool.h>

#include "error.h"
#include "pattern.h"
#include "profile.h"

typedef enum {
    PK_FILTER_FOCUS,      /* keep stacks through a match */
    PK_FILTER_IGNORE,     /* drop stacks through a match */
    PK_FILTER_HIDE,       /* remove matching frames */
    PK_FILTER_SHOW,       /* remove frames that do not match */
    PK_FILTER_SHOW_FROM,  /* drop the frames above the highest match */
    PK_FILTER_PRUNE_FROM, /* drop the frames below the first match */
    PK_FILTER_ROOT,       /* stacks through a match, started at its first match */
    PK_FILTER_LEAF,       /* stacks through a match, ended at its last match */
    PK_FILTER_NREGEX
} pk_filter_regex;

typedef enum {
    PK_GRANULARITY_KEEP,     /* as the profile has it */
    PK_GRANULARITY_FUNCTION, /* one function per (name, file): lines dropped */
    PK_GRANULARITY_FILE,     /* one function per file */
    PK_GRANULARITY_LINE,     /* one function per (name, file, executing line) */
} pk_granularity;

#define PK_FILTER_MAX_MAPS 16
#define PK_FILTER_MAX_PATTERNS 16

typedef struct {
    /* Patterns of each kind; a repeated option adds alternatives. */
    pk_pattern *rx[PK_FILTER_NREGEX][PK_FILTER_MAX_PATTERNS];
    int nrx[PK_FILTER_NREGEX];
    /* Set by pk_filter_apply: which patterns (and --path) matched a function. */
    bool matched[PK_FILTER_NREGEX][PK_FILTER_MAX_PATTERNS];
    bool path_matched;
    /* pk_filter_apply does not fail on a pattern matching nothing: the
     * caller checks with pk_filter_check_matched (pdiff: over both sides). */
    bool allow_unmatched;
    int depth;        /* frames kept per stack, 0 = all */
    double threshold; /* drop functions below this fraction of the total */
    const char *path; /* keep only functions whose file starts with it */
    bool strip_dirs;  /* file names reduced to their base name */
    bool collapse_recursion;
    pk_granularity granularity;
    int metric; /* threshold's metric, -1 = the first */
    /* File rewrites: a prefix taken off, then REGEX=REPLACEMENT maps applied
     * in order (to the name when a function has no file). */
    const char *strip_prefix[PK_FILTER_MAX_MAPS];
    int nstrip_prefix;
    pk_pattern *map_rx[PK_FILTER_MAX_MAPS];
    char *map_to[PK_FILTER_MAX_MAPS];
    int nmaps;
    /* A window of time (--time): seconds from the profile's first time,
     * [time_from, time_to); either end may be open. Applied before the rest. */
    bool time_set;
    double time_from, time_to; /* -INFINITY / INFINITY when open */
} pk_filter;

void pk_filter_init(pk_filter *f);
void pk_filter_free(pk_filter *f);

/* Set or extend (or-ing) one pattern. -1 with err on a bad pattern. */
int pk_filter_set_regex(pk_filter *f, pk_filter_regex which, const char *pattern, pk_error *err);
/* Add a rewrite "PATTERN=REPLACEMENT" (re.sub's \1, \g<name> in the replacement). */
int pk_filter_add_map(pk_filter *f, const char *spec, pk_error *err);
int pk_filter_add_strip_prefix(pk_filter *f, const char *prefix, pk_error *err);
/* "function", "file" or "line". */
int pk_filter_set_granularity(pk_filter *f, const char *name, pk_error *err);

/* "START:END" in seconds, either side optional ("10:", ":2.5"). */
int pk_filter_set_time(pk_filter *f, const char *spec, pk_error *err);
/* A window's end in ns: seconds, +-infinity for an open end (INT64_MAX/MIN). */
int64_t pk_filter_time_ns(double seconds);

/* Whether applying f could change anything. */
bool pk_filter_active(const pk_filter *f);

/* The option a kind of pattern comes from: "focus", "ignore", ... */
const char *pk_filter_option_name(pk_filter_regex which);

/* Filter p in place, and give its tree one frame per function unless the
 * granularity is line (pk_tree_by_function). 0, or -1 with err set (p
 * unchanged). A window of time on a profile without times fails with "has
 * no timeline: ...". The timeline follows: samples and spans of the stacks
 * kept point at their new nodes. */
int pk_filter_apply(pk_profile *p, pk_filter *f, pk_error *err);

/* -1 with err "--focus 'x': matches no function" when a pattern (or --path)
 * matched no function in the profiles filtered so far. */
int pk_filter_check_matched(const pk_filter *f, pk_error *err);

/* Scale every value of p by num/den (truncating, as difffolded.pl -n). */
void pk_profile_scale(pk_profile *p, int64_t num, int64_t den);

#endif
