/* Every command x every shared option parses the same way: the same
 * arguments give the same parsed state on every command that takes the
 * option, the same bad argument the same message, and --help and the man
 * page list every option a command takes and none it does not. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "lib/limits.h"

static int failures, checks;

static void check(int ok, const char *what, const char *cmd, const char *option)
{
    checks++;
    if (!ok) {
        failures++;
        fprintf(stdout, "FAIL: %s: %s %s\n", what, cmd, option);
    }
}

/* A valid argument for each kind of option, by its metavariable. */
static const char *good_value(const pk_option *o)
{
    if (o->name && strcmp(o->name, "fontsize") == 0) return "14";
    if (o->name && strcmp(o->name, "height") == 0) return "20";
    static const struct {
        const char *arg, *value;
    } values[] = {
        {"PATTERN", "a(?:b)\\d(?i)x"},
        {"N", "3"},
        {"FORMAT", "pstats"},
        {"FILE", "out.x"},
        {"SIZE", "64M"},
        {"VIEW", "leaks"},
        {"PREFIX", "/srv/"},
        {"FROM=TO", "^/a/=b/"},
        {"G", "line"},
        {"F", "5%"},
        {"TEXT", "a title"},
        {"DIR", "/src"},
        {"PCT", "2"},
        {"SCHEME", "module"},
        {"NAME", "time"},
        {"PIXELS", "800"},
        {"TYPE", "svg"},
        {"self|incl", "self"},
        {"incl|self", "self"},
        {"PALETTE", "hot"},
        {"WIDTH", "2px"},
        {"START:END", "1.5:"},
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        if (strcmp(values[i].arg, o->arg) == 0) return values[i].value;
    return NULL;
}

/* A bad one, when the kind has one. */
static const char *bad_value(const pk_option *o)
{
    static const struct {
        const char *arg, *value;
    } values[] = {
        {"PATTERN", "(unclosed"}, {"N", "x"},           {"SIZE", "4K"},      {"VIEW", "nope"},
        {"FROM=TO", "noequals"},  {"G", "nope"},        {"F", "2.5"},        {"PCT", "-1"},
        {"SCHEME", "nope"},       {"PIXELS", "5x"},     {"PALETTE", "nope"}, {"WIDTH", "2em"},
        {"self|incl", "nope"},    {"START:END", "2:1"},
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        if (strcmp(values[i].arg, o->arg) == 0) return values[i].value;
    return NULL;
}

/* The parsed state, as text. */
static void dump(const pk_cli *c, int rc, char *buf, size_t size)
{
    FILE *f = fmemopen(buf, size, "w");
#define S(x) ((x) ? (x) : "-")
    fprintf(f, "rc=%d out=%s to=%s from=%s metric=%s rows=%ld merge=%d\n", rc, S(c->output),
            S(c->to), S(c->from), S(c->metric), c->rows, c->merge);
    fprintf(f, "read: threads=%d view=%s temp=%lld native=%d verbose=%d mem=%llu\n",
            c->read.threads, S(c->read.view), (long long)c->read.temporary_threshold,
            c->read.native, c->read.verbose, (unsigned long long)pk_max_memory());
    fprintf(
        f,
        "write: title=%s minwidth=%g inv=%d rev=%d colors=%s count=%s width=%d embed=%d root=%s\n",
        S(c->write.title), c->write.minwidth, c->write.inverted, c->write.reverse,
        S(c->write.colors), S(c->write.countname), c->write.width, c->write.embed_source,
        S(c->write.source_root));
    const pk_filter *fl = &c->filter;
    fprintf(f, "filter: depth=%d thr=%g path=%s strip=%d rec=%d gran=%d prefixes=%d maps=%d\n",
            fl->depth, fl->threshold, S(fl->path), fl->strip_dirs, fl->collapse_recursion,
            (int)fl->granularity, fl->nstrip_prefix, fl->nmaps);
    for (int i = 0; i < fl->nstrip_prefix; i++)
        fprintf(f, "prefix %s\n", fl->strip_prefix[i]);
    for (int i = 0; i < PK_FILTER_NREGEX; i++)
        for (int k = 0; k < fl->nrx[i]; k++)
            fprintf(f, "pattern %s: %s\n", pk_filter_option_name((pk_filter_regex)i),
                    pk_pattern_text(fl->rx[i][k]));
    for (int i = 0; i < fl->nmaps; i++)
        fprintf(f, "map %s = %s\n", pk_pattern_text(fl->map_rx[i]), fl->map_to[i]);
#undef S
    fclose(f);
}

/* Parse argv for cmd; stderr captured into err, stdout (--help) dropped. */
static int parse(const char *cmd, char **argv, int argc, char *state, size_t size, char *err,
                 size_t errsize)
{
    fflush(stdout);
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved_err = dup(2), saved_out = dup(1), devnull = open("/dev/null", O_WRONLY);
    dup2(fileno(tmp), 2);
    dup2(devnull, 1);
    pk_set_max_memory(PK_DEFAULT_MAX_MEMORY);
    pk_cli cli;
    int rc = pk_cli_parse(&cli, cmd, argc, argv, NULL, NULL);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_err, 2);
    dup2(saved_out, 1);
    close(saved_err);
    close(saved_out);
    close(devnull);
    rewind(tmp);
    size_t n = fread(err, 1, errsize - 1, tmp);
    err[n] = '\0';
    fclose(tmp);
    /* The command's name is the prefix of its messages: compare the rest. */
    size_t plen = strlen(cmd);
    if (strncmp(err, cmd, plen) == 0) memmove(err, err + plen, strlen(err + plen) + 1);
    dump(&cli, rc, state, size);
    pk_cli_free(&cli);
    return rc;
}

static int build_argv(const pk_command *c, const pk_option *o, const char *value, char **argv)
{
    static char opt[64];
    int n = 0;
    argv[n++] = (char *)c->name;
    if (o->name)
        snprintf(opt, sizeof opt, "--%s", o->name);
    else
        snprintf(opt, sizeof opt, "-%c", o->short_name);
    argv[n++] = opt;
    if (o->arg) argv[n++] = (char *)value;
    argv[n++] = "in1";
    if (c->min_inputs > 1) argv[n++] = "in2";
    argv[n] = NULL;
    return n;
}

/* The first parse of each (option, value) seen, to compare the others with. */
typedef struct {
    int id;
    const char *value;
    char cmd[16], state[4096], err[1024];
} reference;

static void shared_options(void)
{
    static reference refs[512];
    size_t nrefs = 0;
    for (const pk_option *o = pk_options; o->id; o++) {
        if (o->id >= PK_O_SHARED_LAST) continue;
        if (o->arg && !good_value(o)) {
            check(0, "no test value for the argument", o->arg, o->name ? o->name : "");
            continue;
        }
        const char *values[2] = {o->arg ? good_value(o) : NULL, o->arg ? bad_value(o) : NULL};
        for (int v = 0; v < 2; v++) {
            if (v == 1 && !values[1]) continue;
            for (const pk_command *c = pk_commands; c->bit; c++) {
                if (!(o->commands & c->bit)) continue;
                char *argv[8], state[4096], err[1024];
                int argc = build_argv(c, o, values[v], argv);
                int rc = parse(c->name, argv, argc, state, sizeof state, err, sizeof err);
                char label[96];
                snprintf(label, sizeof label, "%s %s", argv[1], values[v] ? values[v] : "");
                if (v == 0)
                    check(rc == 0 || (rc < 0 && (o->id == PK_O_HELP || o->id == PK_O_VERSION ||
                                                 o->id == PK_O_LIST_FORMATS)),
                          "a good value is refused", c->name, label);
                else
                    check(rc == PK_EXIT_ERROR && err[0] && strchr(err, '\n') == strrchr(err, '\n'),
                          "a bad value is not one line, exit 2", c->name, label);
                /* Compared with the first command given the same option
                 * (any spelling of it) and the same value. */
                reference *ref = NULL;
                for (size_t r = 0; r < nrefs && !ref; r++)
                    if (refs[r].id == o->id &&
                        (refs[r].value == values[v] ||
                         (refs[r].value && values[v] && strcmp(refs[r].value, values[v]) == 0)))
                        ref = &refs[r];
                if (!ref && nrefs < sizeof refs / sizeof refs[0]) {
                    ref = &refs[nrefs++];
                    ref->id = o->id;
                    ref->value = values[v];
                    snprintf(ref->cmd, sizeof ref->cmd, "%s", c->name);
                    snprintf(ref->state, sizeof ref->state, "%s", state);
                    snprintf(ref->err, sizeof ref->err, "%s", err);
                    continue;
                }
                bool same = strcmp(state, ref->state) == 0 && strcmp(err, ref->err) == 0;
                check(same, "parsed differently from the first command taking it", c->name, label);
                if (!same)
                    printf("  %s:\n%s%s  %s:\n%s%s", ref->cmd, ref->state, ref->err, c->name, state,
                           err);
            }
        }
    }
}

/* -n is rows shown where a command shows rows, and nowhere else. */
static void rows_option(void)
{
    for (const pk_command *c = pk_commands; c->bit; c++) {
        bool shows_rows = c->bit & (PK_CMD_PTOP | PK_CMD_PDIFF | PK_CMD_PLINES);
        const char *cases[][2] = {{"0", "0"}, {"7", "7"}, {"all", "LONG_MAX"}};
        for (size_t i = 0; i < 3; i++) {
            char *argv[] = {(char *)c->name, "-n", (char *)cases[i][0], "a", "b", NULL};
            int argc = c->min_inputs > 1 ? 5 : 4;
            char state[4096], err[1024];
            int rc = parse(c->name, argv, argc, state, sizeof state, err, sizeof err);
            char want[64];
            snprintf(want, sizeof want, "rows=%ld ",
                     strcmp(cases[i][1], "LONG_MAX") == 0 ? LONG_MAX : atol(cases[i][1]));
            if (shows_rows)
                check(rc == 0 && strstr(state, want) != NULL, "-n is not rows shown", c->name,
                      cases[i][0]);
            else
                check(rc == PK_EXIT_ERROR && strstr(err, "-n") != NULL,
                      "-n is accepted where no rows are shown", c->name, cases[i][0]);
        }
    }
}

/* --help and the man page list exactly the options the command takes. */
static void help_and_man(void)
{
    for (const pk_command *c = pk_commands; c->bit; c++) {
        char *help = NULL, *man = NULL;
        size_t hn = 0, mn = 0;
        FILE *h = open_memstream(&help, &hn), *m = open_memstream(&man, &mn);
        pk_cli_print_help(h, c);
        pk_cli_print_man(m, c);
        fclose(h);
        fclose(m);
        for (const pk_option *o = pk_options; o->id; o++) {
            if (!o->help || !o->name) continue;
            char in_help[80], in_man[80];
            snprintf(in_help, sizeof in_help, "--%s%s", o->name, o->arg ? " " : "");
            snprintf(in_man, sizeof in_man, "\\fB\\-\\-%s\\fR", o->name);
            /* roff writes the hyphens of the name escaped */
            char escaped[160] = "";
            for (const char *s = in_man; *s; s++) {
                size_t len = strlen(escaped);
                if (*s == '-' && s > in_man + 7)
                    snprintf(escaped + len, sizeof escaped - len, "\\-");
                else
                    snprintf(escaped + len, sizeof escaped - len, "%c", *s);
            }
            bool takes_it = false;
            for (const pk_option *p = pk_options; p->id; p++)
                takes_it |=
                    p->name && p->help && strcmp(p->name, o->name) == 0 && (p->commands & c->bit);
            char needle[90];
            snprintf(needle, sizeof needle, " %s", in_help);
            bool listed =
                strstr(help, needle) != NULL ||
                (snprintf(needle, sizeof needle, " --%s\n", o->name), strstr(help, needle) != NULL);
            check(listed == takes_it, takes_it ? "--help misses" : "--help lists a foreign",
                  c->name, o->name);
            check((strstr(man, escaped) != NULL) == takes_it,
                  takes_it ? "the man page misses" : "the man page lists a foreign", c->name,
                  o->name);
        }
        /* Each option listed once. */
        for (const pk_option *o = pk_options; o->id; o++) {
            if (!o->help || !o->name || !(o->commands & c->bit)) continue;
            char needle[90];
            snprintf(needle, sizeof needle, "--%s ", o->name);
            int count = 0;
            for (const char *s = help; (s = strstr(s, needle)); s++)
                if (s[-1] == ' ' && (s[-2] == ' ' || s[-2] == ',')) count++;
            check(count <= 1, "--help lists an option twice", c->name, o->name);
        }
        check(strncmp(help, "usage: ", 7) == 0, "--help starts with usage:", c->name, "");
        check(strncmp(man, ".TH ", 4) == 0, "the man page starts with .TH", c->name, "");
        free(help);
        free(man);
    }
}

int main(void)
{
    shared_options();
    rows_option();
    help_and_man();
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
