#include "escape.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t pk_utf8_len(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    if (s[0] < 0x80) return 1;
    size_t n = (s[0] & 0xe0) == 0xc0   ? 2
               : (s[0] & 0xf0) == 0xe0 ? 3
               : (s[0] & 0xf8) == 0xf0 ? 4
                                       : 0;
    if (n == 0 || (n == 2 && s[0] < 0xc2) || (n == 4 && s[0] > 0xf4)) return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    if (n == 3 && s[0] == 0xe0 && s[1] < 0xa0) return 0;  /* overlong */
    if (n == 3 && s[0] == 0xed && s[1] >= 0xa0) return 0; /* surrogate */
    if (n == 4 && s[0] == 0xf0 && s[1] < 0x90) return 0;
    if (n == 4 && s[0] == 0xf4 && s[1] >= 0x90) return 0;
    return n;
}

void pk_put_xml(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            s++;
            continue;
        case '>':
            fputs("&gt;", f);
            s++;
            continue;
        case '&':
            fputs("&amp;", f);
            s++;
            continue;
        case '"':
            fputs("&quot;", f);
            s++;
            continue;
        case '\'':
            fputs("&#39;", f);
            s++;
            continue;
        default:
            break;
        }
        if (*s < 0x20 || *s == 0x7f) {
            fputs(*s == '\t' ? " " : "\xef\xbf\xbd", f);
            s++;
            continue;
        }
        size_t n = pk_utf8_len((const char *)s);
        if (n == 0) {
            fputs("\xef\xbf\xbd", f);
            s++;
        } else {
            fwrite(s, 1, n, f);
            s += n;
        }
    }
}

void pk_put_line_safe(FILE *f, const char *str)
{
    for (const unsigned char *s = (const unsigned char *)str; *s; s++)
        putc(*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
}

const char *pk_utf8_valid(const char *str, char **scratch)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t len = 0, bad = 0;
    while (s[len]) {
        size_t n = pk_utf8_len((const char *)s + len);
        if (n == 0) bad++, n = 1;
        len += n;
    }
    *scratch = NULL;
    if (bad == 0) return str;
    char *out = malloc(len + bad * 2 + 1), *o = out;
    if (!out) return "";
    for (size_t i = 0; i < len;) {
        size_t n = pk_utf8_len((const char *)s + i);
        if (n == 0) {
            memcpy(o, "\xef\xbf\xbd", 3), o += 3, i++;
        } else {
            memcpy(o, s + i, n), o += n, i += n;
        }
    }
    *o = '\0';
    *scratch = out;
    return out;
}
