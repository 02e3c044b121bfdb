#include "cli.h"

#include "../lib/limits.h"
#include "../lib/merge.h"

#include <stdarg.h>
#include <getopt.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* Past a file size limit (ulimit -f) a write must fail with EFBIG, which the
 * commands report, rather than kill the process; from the very start, since
 * libraries (fontconfig's cache) may write before any output is opened. */
__attribute__((constructor)) static void ignore_file_size_signal(void)
{
    signal(SIGXFSZ, SIG_IGN);
}

const char *pk_cli_name = "profkit";

int pk_cli_error(const pk_error *err)
{
    fprintf(stderr, "%s: %s\n", pk_cli_name, err->msg);
    return PK_EXIT_ERROR;
}

int pk_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", pk_cli_name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see --help)\n");
    va_end(ap);
    return PK_EXIT_ERROR;
}

int pk_cli_metric(const pk_profile *p, const char *name, pk_error *err)
{
    if (!name) return 0;
    int m = pk_metric_find(p, name);
    if (m >= 0) return m;
    char have[256] = "";
    for (int i = 0; i < p->nmetrics; i++)
        snprintf(have + strlen(have), sizeof have - strlen(have), " %s", p->metrics[i].name);
    pk_error_set(err, "the profile has no metric '%s'; it has:%s", name, have);
    return -1;
}

int pk_cli_bad_option(char **argv)
{
    const char *arg = argv[optind - 1];
    if (optopt) return pk_cli_usage_error("option -%c is unknown or lacks its argument", optopt);
    return pk_cli_usage_error("option '%s' is unknown or lacks its argument", arg);
}

/* ---- filter options ---- */

bool pk_cli_merge = false;

const char pk_cli_filter_usage[] =
    "Filters (REGEX: POSIX extended, on function names and files):\n"
    "      --focus REGEX        keep only stacks through a matching function\n"
    "      --ignore REGEX       drop stacks through a matching function\n"
    "      --hide REGEX         remove matching frames (their values go to the caller)\n"
    "      --show REGEX         keep only matching frames\n"
    "      --show-from REGEX    drop the frames above the highest match\n"
    "      --prune-from REGEX   drop the frames below the first match\n"
    "      --root REGEX         only what a matching function calls, rooted there\n"
    "      --leaf REGEX         only what leads to a matching function, ending there\n"
    "      --depth N            keep N frames per stack (from the root, or up from --leaf)\n"
    "      --path PREFIX        keep only functions whose file is under PREFIX\n"
    "      --threshold F        hide functions below fraction F (or N%) of the total\n"
    "      --strip-dirs         file names reduced to their base name\n"
    "      --granularity G      function, file or line\n"
    "      --collapse-recursion direct recursion shown as one frame\n"
    "      --merge              several inputs summed into one profile\n"
    "Limits:\n"
    "      --max-memory SIZE    memory one input and its model may take\n"
    "                           (default: half the RAM, at most 8G)\n";

int pk_cli_max_memory(const char *arg)
{
    uint64_t bytes = pk_parse_size(arg);
    if (bytes < (1u << 20))
        return pk_cli_usage_error("bad --max-memory '%s' (at least 1M; K, M, G: powers of 1024)",
                                  arg);
    pk_set_max_memory(bytes);
    return 0;
}

static int parse_fraction(const char *arg, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg) return -1;
    if (*end == '%') {
        v /= 100;
        end++;
    }
    if (*end || v < 0 || v > 1) return -1;
    *out = v;
    return 0;
}

static const pk_filter_regex regex_of_option[] = {
    [PK_OPT_FOCUS - PK_OPT_FILTER_FIRST] = PK_FILTER_FOCUS,
    [PK_OPT_IGNORE - PK_OPT_FILTER_FIRST] = PK_FILTER_IGNORE,
    [PK_OPT_HIDE - PK_OPT_FILTER_FIRST] = PK_FILTER_HIDE,
    [PK_OPT_SHOW - PK_OPT_FILTER_FIRST] = PK_FILTER_SHOW,
    [PK_OPT_SHOW_FROM - PK_OPT_FILTER_FIRST] = PK_FILTER_SHOW_FROM,
    [PK_OPT_PRUNE_FROM - PK_OPT_FILTER_FIRST] = PK_FILTER_PRUNE_FROM,
    [PK_OPT_ROOT - PK_OPT_FILTER_FIRST] = PK_FILTER_ROOT,
    [PK_OPT_LEAF - PK_OPT_FILTER_FIRST] = PK_FILTER_LEAF,
};

int pk_cli_filter_option(int opt, const char *arg, pk_filter *f)
{
    if (opt < PK_OPT_FILTER_FIRST || opt >= PK_OPT_FILTER_LAST) return 0;
    pk_error err = {{0}};
    int rc = 0;
    switch (opt) {
    case PK_OPT_DEPTH: {
        char *end;
        long v = strtol(arg, &end, 10);
        if (*end || end == arg || v < 1 || v > 1000000) {
            pk_cli_usage_error("bad --depth '%s'", arg);
            return -1;
        }
        f->depth = (int)v;
        break;
    }
    case PK_OPT_PATH:
        f->path = arg;
        break;
    case PK_OPT_THRESHOLD:
        if (parse_fraction(arg, &f->threshold) < 0) {
            pk_cli_usage_error("bad --threshold '%s' (a fraction or N%%)", arg);
            return -1;
        }
        break;
    case PK_OPT_STRIP_DIRS:
        f->strip_dirs = true;
        break;
    case PK_OPT_GRANULARITY:
        rc = pk_filter_set_granularity(f, arg, &err);
        break;
    case PK_OPT_COLLAPSE_RECURSION:
        f->collapse_recursion = true;
        break;
    case PK_OPT_MERGE:
        pk_cli_merge = true;
        break;
    case PK_OPT_MAX_MEMORY:
        return pk_cli_max_memory(arg) ? -1 : 1;
    default:
        rc = pk_filter_set_regex(f, regex_of_option[opt - PK_OPT_FILTER_FIRST], arg, &err);
    }
    if (rc < 0) {
        pk_cli_usage_error("%s", err.msg);
        return -1;
    }
    return 1;
}

/* Same metric kind: every input's first metric is in the first input. */
static int check_metrics(const pk_profile *dst, const pk_profile *src, const char *path,
                         pk_error *err)
{
    if (src->nmetrics == 0) return 0;
    int m = pk_metric_find(dst, src->metrics[0].name);
    if (m >= 0 && strcmp(dst->metrics[m].unit, src->metrics[0].unit) == 0) return 0;
    pk_error_set(err, "%s: measures %s, the first input %s: cannot merge", path,
                 src->metrics[0].name, dst->nmetrics ? dst->metrics[0].name : "nothing");
    return -1;
}

/* A profile with stacks merged with a graph-only one keeps the graph only. */
static void drop_tree(pk_profile *p)
{
    p->nnodes = 1;
    p->nodes[0].first_child = PK_NONE;
    p->has_tree = false;
    p->estimated = false;
    pk_reindex(p);
}

static void label_input(pk_profile *p, int i, const char *path)
{
    char key[32];
    snprintf(key, sizeof key, "input.%d", i);
    pk_meta_set(p, key, path);
}

pk_profile *pk_cli_read_inputs(char *const *paths, int n, const char *from,
                               const pk_read_options *opt, pk_error *err)
{
    pk_profile *dst = NULL;
    bool all_trees = true;
    for (int i = 0; i < n; i++) {
        pk_profile *p = pk_read_profile(paths[i], from, opt, err);
        if (!p || (dst && check_metrics(dst, p, paths[i], err) < 0)) {
            pk_profile_free(p);
            pk_profile_free(dst);
            return NULL;
        }
        if (n == 1) return p;
        all_trees &= p->has_tree && !p->estimated;
        pk_ensure_graph(p);
        if (!dst) {
            dst = p;
        } else {
            int rc = pk_profile_merge(dst, p, err);
            pk_profile_free(p);
            if (rc < 0) {
                pk_profile_free(dst);
                return NULL;
            }
        }
        label_input(dst, i, paths[i]);
    }
    if (dst && !all_trees) drop_tree(dst);
    return dst;
}

int pk_cli_apply_filter(pk_profile *p, pk_filter *f, const char *metric, pk_error *err)
{
    if (metric && (f->metric = pk_cli_metric(p, metric, err)) < 0) return -1;
    return pk_filter_apply(p, f, err);
}
