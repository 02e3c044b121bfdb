/* Reading source files back for listings (see source.h). */
#include "source.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hmap.h"

#define MAX_SOURCE_BYTES (256u << 20)

static char *read_regular_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > MAX_SOURCE_BYTES) {
        fclose(f);
        return NULL;
    }
    char *text = pk_xmalloc((size_t)st.st_size + 1);
    *len = fread(text, 1, (size_t)st.st_size, f);
    text[*len] = '\0';
    fclose(f);
    return text;
}

/* Split on \n, \r\n and \r, as Python's universal newlines do. */
static void split_lines(pk_source *s, size_t len)
{
    size_t cap = 16;
    s->lines = pk_xmalloc(cap * sizeof *s->lines);
    s->lens = pk_xmalloc(cap * sizeof *s->lens);
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && s->text[j] != '\n' && s->text[j] != '\r')
            j++;
        if (s->nlines == cap) {
            cap *= 2;
            s->lines = pk_xrealloc(s->lines, cap * sizeof *s->lines);
            s->lens = pk_xrealloc(s->lens, cap * sizeof *s->lens);
        }
        s->lines[s->nlines] = s->text + i;
        s->lens[s->nlines++] = j - i;
        if (j < len && s->text[j] == '\r' && j + 1 < len && s->text[j + 1] == '\n') j++;
        i = j + 1;
    }
    for (size_t i = 0; i < s->nlines; i++)
        ((char *)s->lines[i])[s->lens[i]] = '\0'; /* ends of lines become NULs */
}

static pk_source *load(const char *path)
{
    size_t len;
    char *text = read_regular_file(path, &len);
    if (!text) return NULL;
    pk_source *s = pk_xcalloc(1, sizeof *s);
    s->text = text;
    s->path = strdup(path);
    if (!s->path) abort();
    split_lines(s, len);
    return s;
}

pk_source *pk_source_open(const char *path, const char *root)
{
    pk_source *s = path && *path ? load(path) : NULL;
    if (s || !root || !path) return s;
    size_t rootlen = strlen(root);
    char *buf = pk_xmalloc(rootlen + strlen(path) + 2);
    for (const char *rest = path; rest && *rest && !s;) {
        while (*rest == '/')
            rest++;
        if (!*rest) break;
        sprintf(buf, "%s/%s", root, rest);
        s = load(buf);
        rest = strchr(rest, '/');
    }
    free(buf);
    return s;
}

void pk_source_free(pk_source *s)
{
    if (!s) return;
    free(s->path);
    free(s->text);
    free(s->lines);
    free(s->lens);
    free(s);
}

/* ---- Python blocks ---- */

typedef struct {
    int depth;   /* open brackets */
    char quote;  /* inside a string opened by this quote, or 0 */
    bool triple; /* ... a triple-quoted one */
} scan_state;

/* Scan one physical line; true when the logical line goes on after it. */
static bool scan_line(scan_state *st, const char *s, size_t n)
{
    bool backslash = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        backslash = false;
        if (st->quote) {
            if (c == '\\') {
                if (i + 1 == n) backslash = true;
                i++;
            } else if (c == st->quote &&
                       (!st->triple || (i + 2 < n && s[i + 1] == c && s[i + 2] == c))) {
                if (st->triple) i += 2;
                st->quote = 0;
            }
        } else if (c == '#') {
            break;
        } else if (c == '"' || c == '\'') {
            st->quote = c;
            st->triple = i + 2 < n && s[i + 1] == c && s[i + 2] == c;
            if (st->triple) i += 2;
        } else if (c == '(' || c == '[' || c == '{') {
            st->depth++;
        } else if ((c == ')' || c == ']' || c == '}') && st->depth > 0) {
            st->depth--;
        } else if (c == '\\' && i + 1 == n) {
            backslash = true;
        }
    }
    if (st->quote && !st->triple && !backslash) st->quote = 0; /* unterminated */
    return st->depth > 0 || (st->quote && st->triple) || backslash;
}

/* Index of the last physical line of the logical line starting at i. */
static size_t logical_end(const pk_source *s, size_t i)
{
    scan_state st = {0};
    while (scan_line(&st, s->lines[i], s->lens[i]) && i + 1 < s->nlines)
        i++;
    return i;
}

/* Indentation width (tabs to multiples of 8), and what comes after it. */
static int indent_of(const char *line, const char **rest)
{
    int col = 0;
    for (; *line == ' ' || *line == '\t' || *line == '\f'; line++)
        col = *line == '\t' ? (col / 8 + 1) * 8 : *line == ' ' ? col + 1 : 0;
    *rest = line;
    return col;
}

static bool starts_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    return strncmp(s, word, n) == 0 &&
           (s[n] == ' ' || s[n] == '\t' || s[n] == '(' || s[n] == ':' || s[n] == '\0');
}

int pk_source_is_header(const pk_source *s, int32_t line)
{
    if (line < 1 || (size_t)line > s->nlines) return 0;
    const char *rest;
    indent_of(s->lines[line - 1], &rest);
    return rest[0] == '@' || starts_word(rest, "def") || starts_word(rest, "async") ||
           starts_word(rest, "class") || starts_word(rest, "lambda");
}

/* Decorators and the header: the index after them, its indentation in *indent. */
static size_t skip_header(const pk_source *s, size_t i, int *indent, bool *lambda)
{
    while (i < s->nlines) {
        const char *rest;
        int col = indent_of(s->lines[i], &rest);
        if (!*rest || *rest == '#') {
            i++;
            continue;
        }
        size_t end = logical_end(s, i);
        if (*rest != '@') {
            *indent = col;
            *lambda = starts_word(rest, "lambda");
            return end + 1;
        }
        i = end + 1;
    }
    return i;
}

size_t pk_source_python_block(const pk_source *s, int32_t first_line)
{
    if (first_line < 1 || (size_t)first_line > s->nlines) return 0;
    size_t start = (size_t)first_line - 1;
    int header_indent = 0, body_col = -1;
    bool lambda = false;
    size_t i = skip_header(s, start, &header_indent, &lambda), last = i;
    while (!lambda && i < s->nlines) {
        const char *rest;
        int col = indent_of(s->lines[i], &rest);
        if (!*rest || *rest == '#') {
            if (*rest == '#' && body_col >= 0 && col >= body_col) last = i + 1;
            i++;
            continue;
        }
        if (col <= header_indent) break;
        if (body_col < 0) body_col = col;
        i = logical_end(s, i) + 1;
        last = i;
    }
    return last - start;
}
