/* Escaping of untrusted names for XML and line-based outputs. */
#include "escape.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is invalid
 * (overlong forms, surrogates and code points above U+10FFFF are invalid). */
static size_t utf8_valid_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0; /* also stops at the terminating NUL */
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    /* U+FFFE and U+FFFF are not XML characters either. */
    if (cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    return n;
}

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

void pk_put_xml(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        switch (*p) {
        case '<':
            fputs("&lt;", f);
            p++;
            continue;
        case '>':
            fputs("&gt;", f);
            p++;
            continue;
        case '&':
            fputs("&amp;", f);
            p++;
            continue;
        case '"':
            fputs("&quot;", f);
            p++;
            continue;
        case '\'':
            fputs("&#39;", f);
            p++;
            continue;
        default:
            break;
        }
        if (*p < 0x20 || *p == 0x7F) {
            fputs(replacement, f);
            p++;
            continue;
        }
        size_t n = utf8_valid_len(p);
        if (n == 0) {
            fputs(replacement, f);
            p++;
        } else {
            fwrite(p, 1, n, f);
            p += n;
        }
    }
}

void pk_put_line_safe(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        putc(*p < 0x20 || *p == 0x7F ? ' ' : *p, f);
}
