/* Python-like patterns on PCRE2 (see pattern.h). */
#include "pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"

static _Noreturn void out_of_memory(void)
{
    fprintf(stderr, "out of memory (compiling a pattern)\n");
    exit(2);
}

struct pk_pattern {
    char *text;
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    char *buf; /* the "file:line(name)" subject */
    size_t cap;
};

/* Growing text. */
typedef struct {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = pk_xrealloc(t->s, t->cap);
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

static bool hex_digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i])) return false;
    return true;
}

/* Python's spellings PCRE2 reads otherwise, translated; the rest is the same. */
static char *translate(const char *p)
{
    text t = {0};
    put(&t, "", 0);
    bool in_set = false;
    for (size_t i = 0; p[i];) {
        char c = p[i];
        if (c == '\\' && p[i + 1]) {
            char e = p[i + 1];
            if (e == 'Z' && !in_set) { /* Python's \Z is the very end: PCRE2's \z */
                puts_(&t, "\\z");
                i += 2;
            } else if (e == 'u' && hex_digits(p + i + 2, 4)) {
                puts_(&t, "\\x{");
                put(&t, p + i + 2, 4);
                puts_(&t, "}");
                i += 6;
            } else if (e == 'U' && hex_digits(p + i + 2, 8)) {
                puts_(&t, "\\x{");
                put(&t, p + i + 2, 8);
                puts_(&t, "}");
                i += 10;
            } else if (e == 'v') { /* the vertical tab, not PCRE2's class */
                puts_(&t, "\\x0b");
                i += 2;
            } else {
                put(&t, p + i, 2);
                i += 2;
            }
            continue;
        }
        if (in_set) {
            if (c == ']') in_set = false;
            /* Python has no [:alpha:] classes: '[' in a set is itself. */
            put(&t, c == '[' ? "\\[" : p + i, c == '[' ? 2 : 1);
            i++;
            continue;
        }
        if (c == '[') {
            put(&t, p + i++, 1);
            if (p[i] == '^') put(&t, p + i++, 1);
            if (p[i] == ']') { /* a leading ']' is a member */
                puts_(&t, "\\]");
                i++;
            }
            in_set = true;
            continue;
        }
        if (c == '{' && p[i + 1] == ',') { /* Python's {,n} is {0,n} */
            size_t d = i + 2;
            while (isdigit((unsigned char)p[d]))
                d++;
            if (p[d] == '}') { /* {,} too: {0,} */
                puts_(&t, "{0,");
                put(&t, p + i + 2, d - (i + 2) + 1);
                i = d + 1;
                continue;
            }
        }
        put(&t, p + i++, 1);
    }
    return t.s;
}

pk_pattern *pk_pattern_new(const char *src, pk_error *err)
{
    char *translated = translate(src);
    pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
    if (!cctx) out_of_memory();
    pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)translated, PCRE2_ZERO_TERMINATED,
                      PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &code, &offset, cctx);
    pcre2_compile_context_free(cctx);
    free(translated);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        pk_error_set(err, "bad pattern '%s': %s (at offset %zu)", src, (const char *)msg,
                     (size_t)offset);
        return NULL;
    }
    /* Without a JIT the interpreter runs. PK_NO_JIT turns it off for valgrind,
     * which cannot see that JIT-generated code only reads what it wrote. */
    if (!getenv("PK_NO_JIT")) pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    pk_pattern *p = pk_xcalloc(1, sizeof *p);
    p->text = pk_xmalloc(strlen(src) + 1);
    strcpy(p->text, src);
    p->code = re;
    p->md = pcre2_match_data_create_from_pattern(re, NULL);
    /* A pathological pattern gives up rather than hangs. */
    p->mctx = pcre2_match_context_create(NULL);
    if (!p->md || !p->mctx) out_of_memory();
    pcre2_set_match_limit(p->mctx, 10000000);
    return p;
}

void pk_pattern_free(pk_pattern *p)
{
    if (!p) return;
    pcre2_match_data_free(p->md);
    pcre2_match_context_free(p->mctx);
    pcre2_code_free(p->code);
    free(p->text);
    free(p->buf);
    free(p);
}

const char *pk_pattern_text(const pk_pattern *p)
{
    return p->text;
}

bool pk_pattern_search(pk_pattern *p, const char *s, size_t len)
{
    return pcre2_match(p->code, (PCRE2_SPTR)s, len, 0, 0, p->md, p->mctx) >= 0;
}

size_t pk_function_std_name(const pk_function *f, bool bare, char *buf, size_t size)
{
    const char *file = f->file ? f->file : "", *name = f->name ? f->name : "";
    size_t nl = strlen(name);
    int n;
    if ((strcmp(file, "~") == 0 || (bare && !*file)) && f->line == 0) {
        if (nl >= 2 && name[0] == '<' && name[nl - 1] == '>')
            n = snprintf(buf, size, "{%.*s}", (int)(nl - 2), name + 1);
        else
            n = snprintf(buf, size, "%s", name);
    } else {
        n = snprintf(buf, size, "%s:%" PRId32 "(%s)", file, f->line, name);
    }
    return n < 0 ? 0 : (size_t)n;
}

bool pk_pattern_match_function(pk_pattern *p, const pk_function *f)
{
    const char *name = f->name ? f->name : "", *file = f->file ? f->file : "";
    if (pk_pattern_search(p, name, strlen(name))) return true;
    if (!*file) return false; /* the std text is the name */
    if (pk_pattern_search(p, file, strlen(file))) return true;
    size_t n = pk_function_std_name(f, true, p->buf, p->cap);
    if (n + 1 > p->cap) {
        p->cap = n + 1;
        p->buf = pk_xrealloc(p->buf, p->cap);
        pk_function_std_name(f, true, p->buf, p->cap);
    }
    return pk_pattern_search(p, p->buf, n);
}

/* Python's replacement syntax in PCRE2's: groups as ${N}, '$' doubled. */
static char *replacement(const char *r, pk_error *err)
{
    text t = {0};
    put(&t, "", 0);
    for (size_t i = 0; r[i]; i++) {
        if (r[i] == '$') {
            puts_(&t, "$$");
        } else if (r[i] != '\\' || !r[i + 1]) {
            put(&t, r + i, 1);
        } else if (isdigit((unsigned char)r[i + 1])) {
            size_t n = isdigit((unsigned char)r[i + 2]) ? 2 : 1;
            puts_(&t, "${");
            put(&t, r + i + 1, n);
            puts_(&t, "}");
            i += n;
        } else if (r[i + 1] == 'g' && r[i + 2] == '<' && strchr(r + i + 3, '>')) {
            const char *end = strchr(r + i + 3, '>');
            puts_(&t, "${");
            put(&t, r + i + 3, (size_t)(end - (r + i + 3)));
            puts_(&t, "}");
            i = (size_t)(end - r);
        } else if (r[i + 1] == '\\') {
            puts_(&t, "\\");
            i++;
        } else if (r[i + 1] == 'n' || r[i + 1] == 't') {
            puts_(&t, r[i + 1] == 'n' ? "\n" : "\t");
            i++;
        } else if (isalpha((unsigned char)r[i + 1])) {
            pk_error_set(err, "bad replacement '%s': unknown escape \\%c", r, r[i + 1]);
            free(t.s);
            return NULL;
        } else {
            put(&t, r + i, 1); /* other escapes are kept, backslash and all */
        }
    }
    return t.s;
}

char *pk_pattern_sub(pk_pattern *p, const char *repl, const char *s, pk_error *err)
{
    char *r = replacement(repl, err);
    if (!r) return NULL;
    size_t len = strlen(s), cap = len + strlen(repl) + 64;
    char *out = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        out = pk_xrealloc(out, cap);
        PCRE2_SIZE outlen = cap;
        int rc = pcre2_substitute(p->code, (PCRE2_SPTR)s, len, 0,
                                  PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH |
                                      PCRE2_SUBSTITUTE_UNSET_EMPTY,
                                  p->md, p->mctx, (PCRE2_SPTR)r, PCRE2_ZERO_TERMINATED,
                                  (PCRE2_UCHAR *)out, &outlen);
        if (rc >= 0) {
            free(r);
            return out;
        }
        if (rc == PCRE2_ERROR_NOMEMORY && attempt == 0) {
            cap = outlen + 1;
            continue;
        }
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(rc, msg, sizeof msg);
        pk_error_set(err, "bad replacement '%s' for '%s': %s", repl, p->text, (const char *)msg);
        break;
    }
    free(r);
    free(out);
    return NULL;
}
