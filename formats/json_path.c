/* Offsets of values along a path in JSON text (see json_path.h). */
#include "json_path.h"

#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static size_t skip_space(const char *t, size_t n, size_t i)
{
    while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
        i++;
    return i;
}

static size_t skip_string(const char *t, size_t n, size_t i)
{
    for (i++; i < n && t[i] != '"'; i++)
        if (t[i] == '\\') i++;
    return i + 1;
}

static size_t skip_value(const char *t, size_t n, size_t i)
{
    if (i < n && t[i] == '"') return skip_string(t, n, i);
    if (i < n && (t[i] == '{' || t[i] == '[')) {
        for (int depth = 0; i < n;) {
            if (t[i] == '"') {
                i = skip_string(t, n, i);
                continue;
            }
            if (t[i] == '{' || t[i] == '[') depth++;
            if ((t[i] == '}' || t[i] == ']') && --depth == 0) return i + 1;
            i++;
        }
        return n;
    }
    while (i < n && !strchr(",]} \t\r\n", t[i]))
        i++;
    return i;
}

/* The offset of step's value in the container at i, or SIZE_MAX. Of
 * repeated keys the last counts, as in jansson. */
static size_t find_step(const char *t, size_t n, size_t i, pk_json_step step)
{
    char open = step.key ? '{' : '[', close = step.key ? '}' : ']';
    if (i >= n || t[i] != open) return SIZE_MAX;
    size_t found = SIZE_MAX, klen = step.key ? strlen(step.key) : 0;
    for (size_t count = 0, k;; count++) {
        i = skip_space(t, n, i + 1);
        if (i >= n || t[i] == close) return found;
        if (step.key) {
            k = i;
            i = skip_space(t, n, skip_string(t, n, i)) + 1; /* past ':' */
            i = skip_space(t, n, i);
            if (i - k > klen + 1 && memcmp(t + k + 1, step.key, klen) == 0 &&
                t[k + 1 + klen] == '"')
                found = i;
        } else if (count == step.index) {
            return i;
        }
        i = skip_space(t, n, skip_value(t, n, i)); /* at ',' or the close */
    }
}

size_t pk_json_path_offset(const char *text, size_t len, const pk_json_step *path, int depth)
{
    size_t i = skip_space(text, len, 0);
    for (int d = 0; d < depth; d++) {
        size_t next = find_step(text, len, i, path[d]);
        if (next == SIZE_MAX) break; /* missing: point at its container */
        i = next;
    }
    return i;
}

void pk_json_path_text(char *buf, size_t size, const pk_json_step *path, int depth)
{
    size_t used = 0;
    if (size) buf[0] = '\0';
    for (int d = 0; d < depth && used < size; d++) {
        const pk_json_step *s = &path[d];
        int n = s->key ? snprintf(buf + used, size - used, "%s%s", d ? "." : "", s->key)
                       : snprintf(buf + used, size - used, "[%zu]", s->index);
        if (n < 0) break;
        used += (size_t)n;
    }
}

void pk_json_at(pk_json_where *w, int level, const char *key, size_t index)
{
    w->path[level] = (pk_json_step){key, index};
    w->depth = level + 1;
}

_Noreturn void pk_json_fail(pk_input *in, const pk_json_where *w, const char *fmt, ...)
{
    char what[200], path[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    pk_json_path_text(path, sizeof path, w->path, w->depth);
    pk_fail(in, pk_json_path_offset(w->text, w->len, w->path, w->depth), "%s%s%s", path,
            path[0] ? ": " : "", what);
}

static void free_document(void *root)
{
    json_decref(root);
}

json_t *pk_json_load(pk_input *in, size_t flags, pk_json_where *where)
{
    size_t len;
    const char *text = (const char *)pk_input_all(in, &len);
    if (where) *where = (pk_json_where){.text = text, .len = len};
    json_error_t err;
    json_t *root = json_loadb(text, len, flags, &err);
    if (!root) pk_fail(in, (uint64_t)err.position, "%s", err.text);
    /* Whatever fails the read, the reader's or the budget's, frees it. */
    pk_input_on_fail(in, free_document, root);
    return root;
}

void pk_json_done(pk_input *in, json_t *root)
{
    pk_input_on_fail(in, NULL, NULL);
    json_decref(root);
}
