#include "cli.h"

#include "../lib/limits.h"
#include "../lib/merge.h"

#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PK_VERSION
#define PK_VERSION "unknown"
#endif

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

/* ---- the option table, for one command ---- */

static bool takes(const pk_option *o, const pk_command *cmd)
{
    return (o->commands & cmd->bit) != 0;
}

/* "-o, --output FILE" */
static void option_label(const pk_option *o, char *buf, size_t size)
{
    int n = 0;
    if (o->short_name && o->name)
        n = snprintf(buf, size, "-%c, --%s", o->short_name, o->name);
    else if (o->short_name)
        n = snprintf(buf, size, "-%c", o->short_name);
    else
        n = snprintf(buf, size, "    --%s", o->name);
    if (o->arg && n >= 0 && (size_t)n < size) snprintf(buf + n, size - (size_t)n, " %s", o->arg);
}

/* Other commands that take an option spelled like text ("-n", "--focus"). */
static void commands_taking(const char *text, char *buf, size_t size)
{
    buf[0] = '\0';
    for (const pk_command *c = pk_commands; c->bit; c++) {
        for (const pk_option *o = pk_options; o->id; o++) {
            bool same = text[1] == '-' ? o->name && strcmp(text + 2, o->name) == 0
                                       : o->short_name && text[1] == o->short_name && !text[2];
            if (same && takes(o, c)) {
                size_t used = strlen(buf);
                snprintf(buf + used, size - used, "%s%s", used ? ", " : "", c->name);
                break;
            }
        }
    }
}

/* An option some other command takes, or a peer's spelling: a hint. */
static const struct {
    unsigned commands;
    const char *option, *hint;
} hints[] = {
    {PK_CMD_PGRAPH, "-n", "thresholds are --node-thres PCT and --edge-thres PCT"},
    {PK_CMD_PGRAPH, "-e", "thresholds are --node-thres PCT and --edge-thres PCT"},
    {PK_CMD_PGRAPH, "-z", "gprof2dot's -z is --root PATTERN"},
    {PK_CMD_PGRAPH, "-l", "gprof2dot's -l is --leaf PATTERN"},
    {PK_CMD_PCONV, "-n", "pconv shows no rows; --threshold F hides small functions"},
    {PK_CMD_PFILTER, "-n", "pfilter shows no rows; --threshold F hides small functions"},
};

static int unknown_option(const pk_command *cmd, const char *text)
{
    char option[64];
    snprintf(option, sizeof option, "%.*s", (int)strcspn(text, "="), text);
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if ((hints[i].commands & cmd->bit) && strcmp(hints[i].option, option) == 0)
            return pk_cli_usage_error("option '%s' is not one of %s's: %s", option, cmd->name,
                                      hints[i].hint);
    char others[128];
    if (option[0] == '-' && option[1])
        commands_taking(option, others, sizeof others);
    else
        others[0] = '\0';
    if (others[0])
        return pk_cli_usage_error("option '%s' is not one of %s's (%s take%s it)", option,
                                  cmd->name, others, strchr(others, ',') ? "" : "s");
    return pk_cli_usage_error("unknown option '%s'", option);
}

/* ---- help ---- */

enum { HELP_WIDTH = 79, HELP_INDENT = 28 };

/* Words of text wrapped into lines of at most width - indent columns, the
 * first starting at column col. */
static void put_wrapped(FILE *out, const char *text, int col, int indent)
{
    const char *s = text;
    bool first = true;
    while (*s) {
        while (*s == ' ')
            s++;
        size_t word = strcspn(s, " \n");
        if (!first && col + 1 + (int)word > HELP_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            fputc(' ', out);
            col++;
        }
        fwrite(s, 1, word, out);
        col += (int)word;
        first = false;
        s += word;
        if (*s == '\n') { /* a paragraph break */
            while (*s == '\n')
                s++;
            fprintf(out, "\n\n%*s", indent, "");
            col = indent;
            first = true;
        }
    }
    fputc('\n', out);
}

/* The groups of cmd's listed options, in the order they first appear. */
static int option_groups(const pk_command *cmd, const char **groups, int max)
{
    int n = 0;
    for (const pk_option *o = pk_options; o->id; o++) {
        if (!takes(o, cmd) || !o->help) continue;
        bool seen = false;
        for (int g = 0; g < n && !seen; g++)
            seen = strcmp(groups[g], o->group) == 0;
        if (!seen && n < max) groups[n++] = o->group;
    }
    return n;
}

void pk_cli_print_help(FILE *out, const pk_command *cmd)
{
    fprintf(out, "usage: %s %s\n", cmd->name, cmd->synopsis);
    put_wrapped(out, cmd->description, 0, 0);
    const char *groups[32];
    int ngroups = option_groups(cmd, groups, 32);
    for (int g = 0; g < ngroups; g++) {
        fprintf(out, "\n%s:\n", groups[g]);
        for (const pk_option *o = pk_options; o->id; o++) {
            if (!takes(o, cmd) || !o->help || strcmp(o->group, groups[g]) != 0) continue;
            char label[80];
            option_label(o, label, sizeof label);
            int col = fprintf(out, "  %s", label);
            if (col + 2 > HELP_INDENT)
                fprintf(out, "\n%*s", HELP_INDENT, "");
            else
                fprintf(out, "%*s", HELP_INDENT - col, "");
            put_wrapped(out, o->help, HELP_INDENT, HELP_INDENT);
        }
    }
    fputc('\n', out);
    put_wrapped(out, pk_cli_patterns_help, 0, 0);
    fprintf(out, "\nExit status: %s\n",
            cmd->exit_status ? cmd->exit_status : "0 on success, 2 on any error.");
}

/* ---- man pages ---- */

/* Text for roff: backslashes and hyphens escaped, no line starting with a
 * control character. */
static void roff_text(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        if (s[i] == '\\')
            fputs("\\e", out);
        else if (s[i] == '-')
            fputs("\\-", out);
        else if ((s[i] == '.' || s[i] == '\'') && (i == 0 || s[i - 1] == '\n'))
            fputs("\\&", out), fputc(s[i], out);
        else
            fputc(s[i], out);
    }
}

static void roff_paragraphs(FILE *out, const char *s)
{
    while (*s) {
        const char *end = strstr(s, "\n\n");
        size_t n = end ? (size_t)(end - s) : strlen(s);
        roff_text(out, s, n);
        fputc('\n', out);
        if (!end) break;
        fputs(".PP\n", out);
        s = end + 2;
    }
}

static void man_upper(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc(toupper((unsigned char)*s), out);
}

void pk_cli_print_man(FILE *out, const pk_command *cmd)
{
    fputs(".TH ", out);
    man_upper(out, cmd->name);
    fprintf(out, " 1 \"\" \"profkit %s\" \"profkit manual\"\n.SH NAME\n%s \\- ", PK_VERSION,
            cmd->name);
    roff_text(out, cmd->summary, strlen(cmd->summary));
    fprintf(out, "\n.SH SYNOPSIS\n.B %s\n", cmd->name);
    roff_text(out, cmd->synopsis, strlen(cmd->synopsis));
    fputs("\n.SH DESCRIPTION\n", out);
    roff_paragraphs(out, cmd->description);
    fputs(".SH OPTIONS\n", out);
    const char *groups[32];
    int ngroups = option_groups(cmd, groups, 32);
    for (int g = 0; g < ngroups; g++) {
        fprintf(out, ".SS %s\n", groups[g]);
        for (const pk_option *p = pk_options; p->id; p++) {
            if (!takes(p, cmd) || !p->help || strcmp(p->group, groups[g]) != 0) continue;
            fputs(".TP\n", out);
            if (p->short_name) fprintf(out, "\\fB\\-%c\\fR%s", p->short_name, p->name ? ", " : "");
            if (p->name) {
                fputs("\\fB\\-\\-", out);
                roff_text(out, p->name, strlen(p->name));
                fputs("\\fR", out);
            }
            if (p->arg) {
                fputs(" \\fI", out);
                roff_text(out, p->arg, strlen(p->arg));
                fputs("\\fR", out);
            }
            fputc('\n', out);
            roff_text(out, p->help, strlen(p->help));
            fputc('\n', out);
        }
    }
    fputs(".SH PATTERNS\n", out);
    roff_paragraphs(out, pk_cli_patterns_help);
    fputs(".SH EXIT STATUS\n", out);
    const char *status = cmd->exit_status ? cmd->exit_status : "0 on success, 2 on any error.";
    roff_text(out, status, strlen(status));
    fputs("\n.SH EXAMPLES\n", out);
    for (const char *s = cmd->examples; *s;) {
        size_t line = strcspn(s, "\n"), tab = strcspn(s, "\t");
        if (tab > line) tab = line;
        fputs(".TP\n.B ", out);
        roff_text(out, s, tab);
        fputc('\n', out);
        if (tab < line) roff_text(out, s + tab + 1, line - tab - 1);
        fputc('\n', out);
        s += line;
        if (*s) s++;
    }
    fputs(".SH SEE ALSO\n", out);
    bool first = true;
    for (const pk_command *c = pk_commands; c->bit; c++) {
        if (c == cmd) continue;
        fprintf(out, "%s.BR %s (1)", first ? "" : ",\n", c->name);
        first = false;
    }
    fputs("\n", out);
}

/* ---- argument kinds ---- */

int pk_cli_parse_double(const char *option, const char *arg, double min, double max, double *out)
{
    char *end;
    double v = strtod(arg, &end);
    if (end == arg || *end || !(v >= min && v <= max))
        return pk_cli_usage_error("bad %s '%s' (a number from %g to %g)", option, arg, min, max),
               -1;
    *out = v;
    return 0;
}

int pk_cli_parse_long(const char *option, const char *arg, long min, long max, long *out)
{
    char *end;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || v < min || v > max)
        return pk_cli_usage_error("bad %s '%s' (a whole number from %ld to %ld)", option, arg, min,
                                  max),
               -1;
    *out = v;
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
    if (*end || !(v >= 0 && v <= 1)) return -1;
    *out = v;
    return 0;
}

static void list_formats(void)
{
    int names = 4, patterns = 10; /* as wide as the longest entry */
    for (size_t i = 0; pk_formats[i]; i++) {
        int n = (int)strlen(pk_formats[i]->name), p = (int)strlen(pk_formats[i]->patterns);
        if (n > names) names = n;
        if (p > patterns) patterns = p;
    }
    printf("%-*s  READ  WRITE  %-*s  DESCRIPTION\n", names, "NAME", patterns, "FILE NAMES");
    for (size_t i = 0; pk_formats[i]; i++) {
        const pk_format *f = pk_formats[i];
        printf("%-*s  %-4s  %-5s  %-*s  %s\n", names, f->name, f->read ? "yes" : "-",
               f->write ? "yes" : "-", patterns, f->patterns, f->description);
    }
}

/* ---- the shared options ---- */

static const pk_filter_regex regex_of_option[] = {
    [PK_O_FOCUS] = PK_FILTER_FOCUS,         [PK_O_IGNORE] = PK_FILTER_IGNORE,
    [PK_O_HIDE] = PK_FILTER_HIDE,           [PK_O_SHOW] = PK_FILTER_SHOW,
    [PK_O_SHOW_FROM] = PK_FILTER_SHOW_FROM, [PK_O_PRUNE_FROM] = PK_FILTER_PRUNE_FROM,
    [PK_O_ROOT] = PK_FILTER_ROOT,           [PK_O_LEAF] = PK_FILTER_LEAF,
};

/* 0, -1 when answered (help), or PK_EXIT_ERROR. */
static int shared_option(pk_cli *cli, const pk_option *o, const char *arg)
{
    pk_error err = {{0}};
    int rc = 0;
    long n;
    switch (o->id) {
    case PK_O_HELP:
        pk_cli_print_help(stdout, cli->command);
        return -1;
    case PK_O_VERSION:
        printf("%s (profkit) %s\n", cli->command->name, PK_VERSION);
        return -1;
    case PK_O_LIST_FORMATS:
        list_formats();
        return -1;
    case PK_O_FROM:
        cli->from = arg;
        return 0;
    case PK_O_OUTPUT:
        cli->output = arg;
        return 0;
    case PK_O_TO:
        cli->to = arg;
        return 0;
    case PK_O_METRIC:
        cli->metric = arg;
        return 0;
    case PK_O_ROWS:
        if (strcmp(arg, "all") == 0) {
            cli->rows = LONG_MAX;
            return 0;
        }
        if (pk_cli_parse_long("-n", arg, 0, LONG_MAX, &cli->rows) < 0) return PK_EXIT_ERROR;
        return 0;
    case PK_O_VERBOSE:
        cli->read.verbose++;
        return 0;
    case PK_O_THREADS:
        cli->read.threads = true;
        return 0;
    case PK_O_VIEW:
        if (strcmp(arg, "peak") && strcmp(arg, "leaks") && strcmp(arg, "temporary") &&
            strcmp(arg, "total"))
            return pk_cli_usage_error("unknown --view '%s' (peak, leaks, temporary or total)", arg);
        cli->read.view = arg;
        return 0;
    case PK_O_TEMPORARY_THRESHOLD:
        if (pk_cli_parse_long("--temporary-threshold", arg, 1, LONG_MAX, &n) < 0)
            return PK_EXIT_ERROR;
        cli->read.temporary_threshold = n;
        return 0;
    case PK_O_NATIVE:
        cli->read.native = true;
        return 0;
    case PK_O_MAX_MEMORY: {
        uint64_t bytes = pk_parse_size(arg);
        if (bytes < (1u << 20))
            return pk_cli_usage_error(
                "bad --max-memory '%s' (at least 1M; K, M, G: powers of 1024)", arg);
        pk_set_max_memory(bytes);
        return 0;
    }
    case PK_O_MERGE:
        cli->merge = true;
        return 0;
    case PK_O_DEPTH:
        if (pk_cli_parse_long("--depth", arg, 1, 1000000, &n) < 0) return PK_EXIT_ERROR;
        cli->filter.depth = (int)n;
        return 0;
    case PK_O_PATH:
        cli->filter.path = arg;
        return 0;
    case PK_O_THRESHOLD:
        if (parse_fraction(arg, &cli->filter.threshold) < 0)
            return pk_cli_usage_error("bad --threshold '%s' (a fraction or N%%)", arg);
        return 0;
    case PK_O_TIME:
        rc = pk_filter_set_time(&cli->filter, arg, &err);
        /* also for a reader that keeps the window itself (memray) */
        cli->read.time_set = rc == 0;
        cli->read.time_from_ns = pk_filter_time_ns(cli->filter.time_from);
        cli->read.time_to_ns = pk_filter_time_ns(cli->filter.time_to);
        break;
    case PK_O_STRIP_DIRS:
        cli->filter.strip_dirs = true;
        return 0;
    case PK_O_STRIP_PREFIX:
        rc = pk_filter_add_strip_prefix(&cli->filter, arg, &err);
        break;
    case PK_O_MAP:
        rc = pk_filter_add_map(&cli->filter, arg, &err);
        break;
    case PK_O_GRANULARITY:
        rc = pk_filter_set_granularity(&cli->filter, arg, &err);
        break;
    case PK_O_COLLAPSE_RECURSION:
        cli->filter.collapse_recursion = true;
        return 0;
    case PK_O_FOCUS:
    case PK_O_IGNORE:
    case PK_O_HIDE:
    case PK_O_SHOW:
    case PK_O_SHOW_FROM:
    case PK_O_PRUNE_FROM:
    case PK_O_ROOT:
    case PK_O_LEAF:
        rc = pk_filter_set_regex(&cli->filter, regex_of_option[o->id], arg, &err);
        break;
    case PK_O_TITLE:
        cli->write.title = arg;
        return 0;
    case PK_O_SOURCE_ROOT:
        cli->write.source_root = arg;
        return 0;
    case PK_O_EMBED_SOURCE:
        cli->write.embed_source = true;
        return 0;
    case PK_O_MINWIDTH: {
        /* flamegraph.pl's: pixels, or a percentage with '%' */
        char *end;
        double v = strtod(arg, &end);
        bool percent = strcmp(end, "%") == 0, pixels = strcmp(end, "px") == 0 || !*end;
        if (end == arg || !(percent || pixels) || !(v >= 0) || (percent && v > 100) || v > 1e6)
            return pk_cli_usage_error("bad --minwidth '%s' (pixels: 2 or 2px; a share: 0.5%%)",
                                      arg);
        cli->write.minwidth = v;
        cli->write.minwidth_px = pixels;
        return 0;
    }
    case PK_O_INVERTED:
        cli->write.inverted = true;
        return 0;
    case PK_O_REVERSE:
        cli->write.reverse = true;
        return 0;
    case PK_O_FLAMECHART:
        cli->write.flamechart = true;
        return 0;
    case PK_O_COLORS: {
        static const char *const palettes[] = {"kind", "module", "hot", "mem",
                                               "io",   "python", "diff"};
        for (size_t i = 0; i < sizeof palettes / sizeof palettes[0]; i++)
            if (strcmp(arg, palettes[i]) == 0) {
                cli->write.colors = arg;
                return 0;
            }
        return pk_cli_usage_error("unknown --colors '%s' (kind, module, hot, mem, io or python)",
                                  arg);
    }
    case PK_O_COLOR_BY:
        if (strcmp(arg, "self") == 0)
            cli->color_by = 2;
        else if (strcmp(arg, "incl") == 0 || strcmp(arg, "total") == 0)
            cli->color_by = 1;
        else
            return pk_cli_usage_error("bad --color-by '%s' (self or incl)", arg);
        cli->write.color_by_incl = cli->color_by == 1;
        return 0;
    case PK_O_NEGATE:
        cli->write.negate = true;
        return 0;
    case PK_O_HEIGHT:
        if (pk_cli_parse_long("--height", arg, 2, 200, &n) < 0) return PK_EXIT_ERROR;
        cli->write.frame_height = (int)n;
        return 0;
    case PK_O_FONTSIZE: {
        double v;
        if (pk_cli_parse_double("--fontsize", arg, 1, 100, &v) < 0) return PK_EXIT_ERROR;
        cli->write.fontsize = v;
        return 0;
    }
    case PK_O_SUBTITLE:
        cli->write.subtitle = arg;
        return 0;
    case PK_O_NOTES:
        cli->write.notes = arg;
        return 0;
    case PK_O_COUNTNAME:
        cli->write.countname = arg;
        return 0;
    case PK_O_WIDTH:
        if (pk_cli_parse_long("--width", arg, 100, 30000, &n) < 0) return PK_EXIT_ERROR;
        cli->write.width = (int)n;
        return 0;
    default:
        return pk_cli_usage_error("option --%s is not handled", o->name ? o->name : "?");
    }
    if (rc < 0) return pk_cli_usage_error("%s", err.msg);
    return 0;
}

/* ---- parsing ---- */

enum { OPTION_BASE = 0x100 };

int pk_cli_parse(pk_cli *cli, const char *command, int argc, char **argv, pk_cli_own_fn own,
                 void *ctx)
{
    memset(cli, 0, sizeof *cli);
    cli->rows = -1;
    pk_read_options_init(&cli->read);
    pk_write_options_init(&cli->write);
    pk_filter_init(&cli->filter);
    const pk_command *cmd = pk_command_by_name(command);
    pk_cli_name = command;
    if (!cmd) return pk_cli_usage_error("unknown command");
    cli->command = cmd;

    size_t n = 0;
    for (const pk_option *o = pk_options; o->id; o++)
        n++;
    struct option *longs = calloc(n + 1, sizeof *longs);
    char *shorts = calloc(3 * n + 2, 1);
    if (!longs || !shorts) {
        free(longs);
        free(shorts);
        return pk_cli_usage_error("out of memory");
    }
    size_t nl = 0, ns = 0;
    shorts[ns++] = ':'; /* a missing argument is ':', an unknown option '?' */
    for (size_t i = 0; i < n; i++) {
        const pk_option *o = &pk_options[i];
        if (!takes(o, cmd)) continue;
        if (o->name)
            longs[nl++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
                                          OPTION_BASE + (int)i};
        if (o->short_name) {
            shorts[ns++] = o->short_name;
            if (o->arg) shorts[ns++] = ':';
        }
    }

    int rc = 0, c;
    opterr = 0;
    optind = 1;
    while (rc == 0 && (c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        const pk_option *o = NULL;
        if (c >= OPTION_BASE && c < OPTION_BASE + (int)n) {
            o = &pk_options[c - OPTION_BASE];
        } else if (c == ':') {
            /* glibc sets optopt to the val of a long option lacking its argument */
            if (optopt >= OPTION_BASE && optopt < OPTION_BASE + (int)n)
                o = &pk_options[optopt - OPTION_BASE];
            for (const pk_option *p = pk_options; !o && p->id; p++)
                if (takes(p, cmd) && p->short_name == optopt) o = p;
            const char *typed = argv[optind - 1];
            if (!o) {
                rc = pk_cli_usage_error("option '%s' lacks its argument", typed);
            } else if (o->name && strncmp(typed, "--", 2) == 0) {
                rc = pk_cli_usage_error("option '--%s' lacks its argument %s", o->name, o->arg);
            } else {
                rc =
                    pk_cli_usage_error("option '-%c' lacks its argument %s", o->short_name, o->arg);
            }
            break;
        } else if (c == '?') {
            char text[8];
            snprintf(text, sizeof text, "-%c", optopt);
            rc = unknown_option(cmd, optopt ? text : argv[optind - 1]);
            break;
        } else {
            for (const pk_option *p = pk_options; !o && p->id; p++)
                if (takes(p, cmd) && p->short_name == c) o = p;
        }
        if (!o) {
            rc = pk_cli_usage_error("option parsing failed");
            break;
        }
        if (o->id < PK_O_SHARED_LAST) {
            rc = shared_option(cli, o, optarg);
        } else if (own) {
            rc = own(ctx, o->id, optarg);
        }
    }
    free(longs);
    free(shorts);
    if (rc) return rc;

    cli->inputs = argv + optind;
    cli->ninputs = argc - optind;
    if (cli->ninputs < cmd->min_inputs || (cmd->max_inputs && cli->ninputs > cmd->max_inputs))
        return pk_cli_usage_error("%s", cmd->inputs_error);
    return 0;
}

void pk_cli_free(pk_cli *cli)
{
    pk_filter_free(&cli->filter);
}

/* ---- inputs ---- */

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

int pk_cli_apply_filter(pk_profile *p, pk_filter *f, const char *metric, const char *path,
                        pk_error *err)
{
    if (metric && (f->metric = pk_cli_metric(p, metric, err)) < 0) return -1;
    int rc = pk_filter_apply(p, f, err);
    if (rc < 0 && f->time_set && strncmp(err->msg, "has no timeline", 15) == 0) {
        pk_error e = *err;
        pk_error_set(err, "%s: %s", path, e.msg);
    }
    return rc;
}

pk_profile *pk_cli_read(pk_cli *cli, pk_error *err)
{
    pk_profile *p = pk_cli_read_inputs(cli->inputs, cli->ninputs, cli->from, &cli->read, err);
    const char *path = cli->ninputs == 1 ? cli->inputs[0] : "the inputs summed";
    if (p && pk_cli_apply_filter(p, &cli->filter, cli->metric, path, err) < 0) {
        pk_profile_free(p);
        return NULL;
    }
    return p;
}
