/* The pattern engine (lib/pattern.h) as a filter sees it, for
 * test_patterns.py, which runs the same table through Python's re.
 *   test_patterns match PATTERNS FUNCTIONS   a line per pattern: "0101..."
 *                                            (function i matches), or "E msg"
 *   test_patterns sub TABLE                  a line per "pattern\trepl\tsubject":
 *                                            the result, or "E msg"
 * FUNCTIONS has a "name\tfile\tline" line per function, with \t, \n and \\
 * standing for a tab, a newline and a backslash in names and files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pattern.h"

static char *read_line(FILE *f)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    if (n < 0) {
        free(line);
        return NULL;
    }
    if (n > 0 && line[n - 1] == '\n') line[n - 1] = '\0';
    return line;
}

static FILE *open_or_die(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    return f;
}

static char *unescape(char *s)
{
    char *out = s;
    for (char *in = s; *in; in++) {
        if (*in == '\\' && in[1]) {
            in++;
            *out++ = *in == 't' ? '\t' : *in == 'n' ? '\n' : *in;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return s;
}

static int match(const char *patterns, const char *functions)
{
    FILE *f = open_or_die(functions);
    pk_function *funcs = NULL;
    size_t n = 0;
    for (char *line; (line = read_line(f));) {
        funcs = realloc(funcs, (n + 1) * sizeof *funcs);
        char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (!tab2) return fprintf(stderr, "bad function line\n"), 2;
        *tab1 = *tab2 = '\0';
        funcs[n] = (pk_function){
            .name = unescape(line), .file = unescape(tab1 + 1), .line = atoi(tab2 + 1)};
        n++;
    }
    fclose(f);
    f = open_or_die(patterns);
    for (char *line; (line = read_line(f)); free(line)) {
        pk_error err;
        pk_pattern *p = pk_pattern_new(line, &err);
        if (!p) {
            printf("E %s\n", err.msg);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            putchar(pk_pattern_match_function(p, &funcs[i]) ? '1' : '0');
        putchar('\n');
        pk_pattern_free(p);
    }
    fclose(f);
    for (size_t i = 0; i < n; i++)
        free((char *)funcs[i].name);
    free(funcs);
    return 0;
}

static int sub(const char *table)
{
    FILE *f = open_or_die(table);
    for (char *line; (line = read_line(f)); free(line)) {
        char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (!tab2) return fprintf(stderr, "bad sub line\n"), 2;
        *tab1 = *tab2 = '\0';
        pk_error err;
        pk_pattern *p = pk_pattern_new(line, &err);
        char *r = p ? pk_pattern_sub(p, tab1 + 1, tab2 + 1, &err) : NULL;
        if (r)
            printf("%s\n", r);
        else
            printf("E %s\n", err.msg);
        free(r);
        pk_pattern_free(p);
    }
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "match") == 0) return match(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "sub") == 0) return sub(argv[2]);
    fprintf(stderr, "usage: test_patterns match PATTERNS FUNCTIONS | sub TABLE\n");
    return 2;
}
