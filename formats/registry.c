/* The table of formats, and choosing among them: readers by what the data
 * looks like, writers by the output's file name. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/limits.h"
#include "../lib/output.h"
#include "format.h"

extern const pk_format pk_format_callgrind;
extern const pk_format pk_format_pstats;
extern const pk_format pk_format_pprof;
extern const pk_format pk_format_collapsed;
extern const pk_format pk_format_austin;
extern const pk_format pk_format_mojo;
extern const pk_format pk_format_speedscope;
extern const pk_format pk_format_memray;
extern const pk_format pk_format_chrome_trace;
extern const pk_format pk_format_perf_script;
extern const pk_format pk_format_tachyon;
extern const pk_format pk_format_gecko;
extern const pk_format pk_format_tachyon_jsonl;
extern const pk_format pk_format_tachyon_html;
extern const pk_format pk_format_scalene;
extern const pk_format pk_format_pyinstrument;
extern const pk_format pk_format_lprof;
extern const pk_format pk_format_tracemalloc;
extern const pk_format pk_format_mprof;
extern const pk_format pk_format_memory_profiler;
extern const pk_format pk_format_flamesvg;
extern const pk_format pk_format_html;
extern const pk_format pk_format_json;

/* Writers are chosen by the first pattern that matches: specific before
 * generic (json last, after *.speedscope.json). The drawing writers (dot
 * through Graphviz, PNG through cairo) take their places beside flamesvg
 * when a command adds them (formats/drawing.c): the room at the end is
 * theirs. One format a line. */
/* clang-format off */
const pk_format *pk_formats[] = {
    &pk_format_callgrind,
    &pk_format_pstats,
    &pk_format_pprof,
    &pk_format_collapsed,
    &pk_format_austin,
    &pk_format_mojo,
    &pk_format_speedscope,
    &pk_format_memray,
    &pk_format_chrome_trace,
    &pk_format_perf_script,
    &pk_format_tachyon,
    &pk_format_gecko,
    &pk_format_tachyon_jsonl,
    &pk_format_tachyon_html,
    &pk_format_scalene,
    &pk_format_pyinstrument,
    &pk_format_lprof,
    &pk_format_tracemalloc,
    &pk_format_mprof,
    &pk_format_memory_profiler,
    &pk_format_flamesvg,
    &pk_format_html,
    &pk_format_json,
    NULL, NULL, NULL,
};
/* clang-format on */

void pk_format_insert(const pk_format *f, const pk_format *before)
{
    size_t n = 0, at = 0;
    while (pk_formats[n]) {
        if (pk_formats[n] == f) return;
        if (pk_formats[n] == before) at = n;
        n++;
    }
    if (n + 1 >= sizeof pk_formats / sizeof *pk_formats) abort(); /* no room: a bug here */
    memmove(&pk_formats[at + 1], &pk_formats[at], (n - at) * sizeof *pk_formats);
    pk_formats[at] = f;
}

void pk_read_options_init(pk_read_options *opt)
{
    *opt = (pk_read_options){.view = "peak", .temporary_threshold = 1};
}

void pk_write_options_init(pk_write_options *opt)
{
    *opt = (pk_write_options){.metric = -1, .colors = "kind"};
}

const pk_format *pk_format_by_name(const char *name)
{
    for (size_t i = 0; pk_formats[i]; i++)
        if (strcmp(pk_formats[i]->name, name) == 0) return pk_formats[i];
    return NULL;
}

static bool name_matches(const char *patterns, const char *base)
{
    char pattern[64];
    for (const char *p = patterns; *p;) {
        size_t n = strcspn(p, " ");
        if (n > 0 && n < sizeof pattern) {
            memcpy(pattern, p, n);
            pattern[n] = '\0';
            if (fnmatch(pattern, base, 0) == 0) return true;
        }
        p += n;
        while (*p == ' ')
            p++;
    }
    return false;
}

const pk_format *pk_format_for_path(const char *path, bool want_writer)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    for (size_t i = 0; pk_formats[i]; i++) {
        const pk_format *f = pk_formats[i];
        if ((want_writer ? f->write != NULL : f->read != NULL) && name_matches(f->patterns, base))
            return f;
    }
    return NULL;
}

static const pk_format *detect(pk_input *in)
{
    const uint8_t *head;
    size_t len = pk_input_head(in, &head);
    const pk_format *best = NULL;
    int best_bid = 0;
    for (size_t i = 0; pk_formats[i]; i++) {
        const pk_format *f = pk_formats[i];
        if (!f->read || !f->probe) continue;
        int bid = f->probe(head, len);
        if (bid > best_bid) best = f, best_bid = bid;
    }
    return best;
}

static bool reader_named(const char *name, const char *path, const pk_format **fmt, pk_error *err)
{
    *fmt = NULL;
    if (!name) return true;
    *fmt = pk_format_by_name(name);
    if (*fmt && (*fmt)->read) return true;
    pk_error_set(err, "%s: no reader for format '%s'", path, name);
    return false;
}

pk_profile *pk_read_profile(const char *path, const char *force_format, const pk_read_options *opt,
                            pk_error *err)
{
    const pk_format *fmt;
    if (!reader_named(force_format, path, &fmt, err)) return NULL;
    pk_input *in = pk_input_open(path, err);
    return in ? pk_read_input(in, fmt, opt, err) : NULL;
}

pk_profile *pk_read_memory(const void *data, size_t len, const char *name, const char *force_format,
                           const pk_read_options *opt, pk_error *err)
{
    const pk_format *fmt;
    if (!reader_named(force_format, name, &fmt, err)) return NULL;
    pk_input *in = pk_input_open_memory(data, len, name, err);
    return in ? pk_read_input(in, fmt, opt, err) : NULL;
}

/* The setjmp lives here, where nothing it guards is modified after it. */
static pk_profile *run_reader(pk_input *in, const pk_format *fmt, const pk_read_options *opt,
                              pk_error *err)
{
    pk_profile *volatile result = pk_profile_new();
    if (setjmp(*pk_input_catch(in))) {
        pk_budget_end();
        pk_error_set(err, "%s", pk_input_error(in)->msg);
        pk_profile_free(result);
        return NULL;
    }
    result->format = fmt->name;
    pk_budget_begin(in);
    fmt->read(in, result, opt);
    pk_budget_end();
    return result;
}

pk_profile *pk_read_input(pk_input *in, const pk_format *fmt, const pk_read_options *opt,
                          pk_error *err)
{
    pk_read_options defaults;
    if (!opt) pk_read_options_init(&defaults), opt = &defaults;
    if (!fmt) fmt = detect(in);
    pk_profile *p = NULL;
    if (fmt)
        p = run_reader(in, fmt, opt, err);
    else {
        char tried[512] = "";
        size_t n = 0;
        for (size_t i = 0; pk_formats[i] && n < sizeof tried; i++)
            if (pk_formats[i]->read && pk_formats[i]->probe)
                n += (size_t)snprintf(tried + n, sizeof tried - n, "%s%s", n ? ", " : "",
                                      pk_formats[i]->name);
        pk_error_set(err,
                     "%s: offset 0: not a profile format this tool reads (tried: %s; -f FORMAT "
                     "forces one)",
                     pk_input_name(in), tried);
    }
    pk_input_close(in);
    return p;
}

int pk_write_profile(pk_profile *p, const char *path, const char *force_format,
                     const pk_write_options *opt, pk_error *err)
{
    const pk_format *fmt;
    if (force_format) {
        fmt = pk_format_by_name(force_format);
        if (!fmt || !fmt->write) {
            pk_error_set(err, "no writer for format '%s' (see --list-formats)", force_format);
            return -1;
        }
    } else {
        fmt = pk_format_for_path(path, true);
        if (!fmt) {
            pk_error_set(err, "%s: cannot tell the output format from the name; use -t FORMAT",
                         path);
            return -1;
        }
    }
    pk_write_options defaults;
    if (!opt) pk_write_options_init(&defaults), opt = &defaults;
    pk_output *out = pk_output_open(path, err);
    if (!out) return -1;
    if (fmt->write(p, pk_output_file(out), opt, err) != 0) {
        pk_output_abort(out);
        return -1;
    }
    return pk_output_commit(out, err);
}
