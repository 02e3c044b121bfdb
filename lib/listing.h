/* Line listings: for each function with per-line values, its source lines
 * with the values beside them, as `python -m line_profiler` prints them
 * (Timer unit, Total time, File, Function, then Line # / Hits / Time /
 * Per Hit / % Time / Line Contents). Works for any profile with p->lines:
 * the columns come from its metrics (a time metric in ns is printed in
 * `unit` seconds; a count metric such as "hits" gives the Hits and Per Hit
 * columns). Sources are read from disk (see source.h); warnings about
 * missing or changed files go to stderr.
 */
#ifndef PK_LISTING_H
#define PK_LISTING_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "profile.h"

typedef struct {
    const char *metric;      /* value shown; NULL: "time", else the first metric */
    double unit;             /* seconds per printed time unit; 0: the profile's timer unit */
    const char *sort;        /* "name" (file, line, name), "time" (value, largest first),
                              * "hits"; NULL: name, or time when limit is set */
    long limit;              /* only the first N functions after sorting; -1: all */
    const char *source_root; /* where moved sources may be, or NULL */
    const char *prog;        /* prefix of warnings */
    bool skip_zero;          /* line_profiler's -z: functions without a value left out */
    bool summary;            /* line_profiler's -m: a line per function after the listing */
} pk_listing_options;

/* unit 1e-6 (line_profiler's default), no limit. */
void pk_listing_options_init(pk_listing_options *o);

/* 0, or -1 with err set (unknown metric, no per-line values). */
int pk_write_listing(const pk_profile *p, FILE *out, const pk_listing_options *o, pk_error *err);

#endif
