/* Input files: a raw byte source (file descriptor or mmap) under an optional
 * decompression layer (gzip, LZ4 frame), chosen by the data's magic bytes. */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <lz4frame.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "hmap.h"
#include "limits.h"

enum codec { CODEC_RAW, CODEC_GZIP, CODEC_LZ4 };

#define SRC_CHUNK (256 * 1024)

struct pk_input {
    char *name;
    int fd;
    enum codec codec;
    z_stream z;
    LZ4F_dctx *lz4;
    bool lz4_frame_done;
    bool gzip_in_member;
    /* UTF-16 text (a byte-order mark) is turned into UTF-8 above the codec:
     * codec output waits in text[] until iconv takes it. */
    iconv_t utf16;
    uint8_t *text;
    size_t text_pos, text_len, text_cap;
    bool codec_eof;
    /* Raw (possibly compressed) bytes read from fd but not yet decoded. */
    uint8_t *src;
    size_t src_pos, src_len;
    bool src_eof;
    bool src_borrowed; /* src is the caller's memory (pk_input_open_memory) */
    uint64_t raw_total;
    /* Decoded bytes not yet consumed. */
    uint8_t *win;
    size_t win_pos, win_len, win_cap;
    uint64_t consumed;
    uint64_t decoded_total; /* decompressed bytes produced so far */
    bool decoded_eof;
    uint8_t head[PK_HEAD_MAX];
    size_t head_len;
    /* pk_input_all's result. */
    uint8_t *all;
    size_t all_len;
    void *map;
    size_t map_len;
    jmp_buf catch;
    pk_error err;
    void (*cleanup)(void *);
    void *cleanup_ctx;
};

const char *pk_input_name(const pk_input *in)
{
    return in->name;
}

const char *pk_input_compression(const pk_input *in)
{
    return in->codec == CODEC_GZIP ? "gzip" : in->codec == CODEC_LZ4 ? "lz4" : NULL;
}

jmp_buf *pk_input_catch(pk_input *in)
{
    return &in->catch;
}

pk_error *pk_input_error(pk_input *in)
{
    return &in->err;
}

uint64_t pk_input_offset(const pk_input *in)
{
    return in->consumed;
}

_Noreturn void pk_fail(pk_input *in, uint64_t offset, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    pk_error_set(&in->err, "%s: offset %llu: %s", in->name, (unsigned long long)offset, what);
    if (in->cleanup) {
        void (*cleanup)(void *) = in->cleanup;
        in->cleanup = NULL; /* a failing cleanup must not loop */
        cleanup(in->cleanup_ctx);
    }
    pk_scratch_free_all();
    longjmp(in->catch, 1);
}

void pk_input_on_fail(pk_input *in, void (*cleanup)(void *), void *ctx)
{
    in->cleanup = cleanup;
    in->cleanup_ctx = ctx;
}

void pk_warn(pk_input *in, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: warning: %s\n", in->name, what);
}

/* ---- raw bytes ---- */

static void fill_src(pk_input *in)
{
    if (in->src_pos < in->src_len || in->src_eof) return;
    ssize_t n;
    do
        n = read(in->fd, in->src, SRC_CHUNK);
    while (n < 0 && errno == EINTR);
    if (n < 0) pk_fail(in, in->consumed, "read error: %s", strerror(errno));
    in->src_pos = 0;
    in->src_len = (size_t)n;
    in->raw_total += (uint64_t)n;
    if (n == 0) in->src_eof = true;
}

/* ---- decoding into dst; returns bytes produced, 0 only at the end ---- */

static size_t decode_raw(pk_input *in, uint8_t *dst, size_t cap)
{
    fill_src(in);
    size_t n = in->src_len - in->src_pos;
    if (n > cap) n = cap;
    memcpy(dst, in->src + in->src_pos, n);
    in->src_pos += n;
    return n;
}

static size_t decode_gzip(pk_input *in, uint8_t *dst, size_t cap)
{
    size_t produced = 0;
    while (produced == 0) {
        fill_src(in);
        if (in->src_pos == in->src_len) {
            if (in->gzip_in_member) pk_fail(in, in->consumed, "truncated gzip data");
            return 0;
        }
        in->z.next_in = in->src + in->src_pos;
        in->z.avail_in = (uInt)(in->src_len - in->src_pos);
        in->z.next_out = dst;
        in->z.avail_out = (uInt)cap;
        int rc = inflate(&in->z, Z_NO_FLUSH);
        in->src_pos = in->src_len - in->z.avail_in;
        produced = cap - in->z.avail_out;
        in->gzip_in_member = rc != Z_STREAM_END;
        if (rc == Z_STREAM_END) {
            inflateReset(&in->z); /* concatenated gzip members */
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            pk_fail(in, in->consumed, "corrupt gzip data (%s)", in->z.msg ? in->z.msg : "zlib");
        }
    }
    return produced;
}

static size_t decode_lz4(pk_input *in, uint8_t *dst, size_t cap)
{
    size_t produced = 0;
    while (produced == 0) {
        fill_src(in);
        if (in->src_pos == in->src_len) {
            if (!in->lz4_frame_done) pk_fail(in, in->consumed, "truncated LZ4 frame");
            return 0;
        }
        size_t out = cap, inlen = in->src_len - in->src_pos;
        size_t hint = LZ4F_decompress(in->lz4, dst, &out, in->src + in->src_pos, &inlen, NULL);
        if (LZ4F_isError(hint))
            pk_fail(in, in->consumed, "corrupt LZ4 data (%s)", LZ4F_getErrorName(hint));
        in->src_pos += inlen;
        in->lz4_frame_done = hint == 0;
        produced = out;
    }
    return produced;
}

/* Compressed bytes the decoder has taken so far. */
static uint64_t raw_used(const pk_input *in)
{
    if (in->src_borrowed) return in->src_pos;
    return in->raw_total - (in->src_len - in->src_pos);
}

/* A decompression bomb fails once it shows, whether the reader streams or
 * reads whole: too large a ratio past a floor. The decoded size alone is no
 * limit: a streaming reader (memray) holds little of it, and a whole read is
 * held to --max-memory by pk_input_all. */
static void check_bomb(pk_input *in)
{
    uint64_t raw = raw_used(in), out = in->decoded_total;
    const char *codec = pk_input_compression(in);
    if (out >= PK_BOMB_FLOOR && out / PK_BOMB_RATIO > raw)
        pk_fail(in, in->consumed,
                "%s data expands more than %d times (%llu bytes from %llu): "
                "refusing a decompression bomb",
                codec, PK_BOMB_RATIO, (unsigned long long)out, (unsigned long long)raw);
}

static size_t decode_codec(pk_input *in, uint8_t *dst, size_t cap)
{
    if (in->codec_eof || cap == 0) return 0;
    size_t n = in->codec == CODEC_GZIP  ? decode_gzip(in, dst, cap)
               : in->codec == CODEC_LZ4 ? decode_lz4(in, dst, cap)
                                        : decode_raw(in, dst, cap);
    if (n == 0) in->codec_eof = true;
    if (in->codec != CODEC_RAW) {
        in->decoded_total += n;
        check_bomb(in);
    }
    return n;
}

#define TEXT_CHUNK 65536

/* UTF-16 codec output into UTF-8 (cap is at least a few bytes: callers
 * decode into windows of kilobytes). */
static size_t decode_utf16(pk_input *in, uint8_t *dst, size_t cap)
{
    for (;;) {
        if (in->text_len - in->text_pos < 4 && !in->codec_eof) {
            memmove(in->text, in->text + in->text_pos, in->text_len - in->text_pos);
            in->text_len -= in->text_pos;
            in->text_pos = 0;
            in->text_len += decode_codec(in, in->text + in->text_len, in->text_cap - in->text_len);
        }
        if (in->text_pos == in->text_len) return 0;
        char *ib = (char *)in->text + in->text_pos, *ob = (char *)dst;
        size_t il = in->text_len - in->text_pos, ol = cap;
        size_t rc = iconv(in->utf16, &ib, &il, &ob, &ol);
        int e = errno;
        in->text_pos = (size_t)((uint8_t *)ib - in->text);
        if (ol < cap) return cap - ol;
        if (rc == (size_t)-1 && e == EILSEQ) pk_fail(in, in->consumed, "invalid UTF-16 text");
        if (rc == (size_t)-1 && e == EINVAL && in->codec_eof)
            pk_fail(in, in->consumed, "UTF-16 text cut in the middle of a character");
        if (rc == (size_t)-1 && e == E2BIG) pk_fail(in, in->consumed, "read buffer too small");
    }
}

static size_t decode(pk_input *in, uint8_t *dst, size_t cap)
{
    if (in->decoded_eof || cap == 0) return 0;
    size_t n = in->text ? decode_utf16(in, dst, cap) : decode_codec(in, dst, cap);
    if (n == 0) in->decoded_eof = true;
    return n;
}

/* Make the window hold at least want unconsumed bytes, or all that is left. */
static void fill_window(pk_input *in, size_t want)
{
    if (in->win_pos > 0) {
        memmove(in->win, in->win + in->win_pos, in->win_len - in->win_pos);
        in->win_len -= in->win_pos;
        in->win_pos = 0;
    }
    if (want > in->win_cap) PK_GROW(in->win, in->win_cap, want);
    while (in->win_len < want) {
        size_t n = decode(in, in->win + in->win_len, in->win_cap - in->win_len);
        if (n == 0) break;
        in->win_len += n;
    }
}

/* ---- opening ---- */

static void detect_codec(pk_input *in)
{
    fill_src(in);
    const uint8_t *s = in->src + in->src_pos;
    size_t n = in->src_len - in->src_pos;
    if (n >= 2 && s[0] == 0x1f && s[1] == 0x8b) {
        in->codec = CODEC_GZIP;
        if (inflateInit2(&in->z, 15 + 32) != Z_OK) pk_fail(in, 0, "cannot start zlib");
    } else if (n >= 4 && s[0] == 0x04 && s[1] == 0x22 && s[2] == 0x4d && s[3] == 0x18) {
        in->codec = CODEC_LZ4;
        if (LZ4F_isError(LZ4F_createDecompressionContext(&in->lz4, LZ4F_VERSION)))
            pk_fail(in, 0, "cannot start lz4");
    }
}

/* Text with a byte-order mark: UTF-8's is skipped, UTF-16 (either order)
 * is read as UTF-8 from here on. */
static void detect_text(pk_input *in)
{
    const uint8_t *w = in->win;
    size_t n = in->win_len;
    if (n >= 3 && w[0] == 0xEF && w[1] == 0xBB && w[2] == 0xBF) {
        in->win_pos = 3;
        in->consumed = 3;
        return;
    }
    if (n < 2 || !((w[0] == 0xFF && w[1] == 0xFE) || (w[0] == 0xFE && w[1] == 0xFF))) return;
    in->utf16 = iconv_open("UTF-8", w[0] == 0xFF ? "UTF-16LE" : "UTF-16BE");
    if (in->utf16 == (iconv_t)-1) {
        in->utf16 = NULL;
        return;
    }
    /* what the window holds past the mark is the first UTF-16 text */
    in->text_cap = n > TEXT_CHUNK ? n : TEXT_CHUNK;
    in->text = pk_xmalloc(in->text_cap);
    in->text_len = n - 2;
    memcpy(in->text, w + 2, n - 2);
    in->win_pos = in->win_len = 0;
    in->decoded_eof = false;
    fill_window(in, PK_HEAD_MAX);
}

/* Find the compression layer and keep the head for the probes. */
static pk_input *start_reading(pk_input *in, pk_error *err)
{
    if (setjmp(in->catch)) {
        pk_error_set(err, "%s", in->err.msg);
        pk_input_close(in);
        return NULL;
    }
    detect_codec(in);
    fill_window(in, PK_HEAD_MAX);
    detect_text(in);
    size_t avail = in->win_len - in->win_pos;
    in->head_len = avail < PK_HEAD_MAX ? avail : PK_HEAD_MAX;
    memcpy(in->head, in->win + in->win_pos, in->head_len);
    return in;
}

pk_input *pk_input_open(const char *path, pk_error *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        pk_error_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        pk_error_set(err, "%s: is a directory", path);
        close(fd);
        return NULL;
    }
    pk_input *in = pk_xcalloc(1, sizeof *in);
    in->name = strdup(is_stdin ? "<stdin>" : path);
    in->fd = fd;
    in->src = pk_xmalloc(SRC_CHUNK);
    return start_reading(in, err);
}

pk_input *pk_input_open_memory(const void *data, size_t len, const char *name, pk_error *err)
{
    pk_input *in = pk_xcalloc(1, sizeof *in);
    in->name = strdup(name);
    in->fd = -1;
    in->src = (uint8_t *)data;
    in->src_len = len;
    in->src_eof = true;
    in->src_borrowed = true;
    return start_reading(in, err);
}

void pk_input_close(pk_input *in)
{
    if (!in) return;
    if (in->fd >= 0 && in->fd != STDIN_FILENO) close(in->fd);
    if (in->codec == CODEC_GZIP) inflateEnd(&in->z);
    if (in->lz4) LZ4F_freeDecompressionContext(in->lz4);
    if (in->utf16) iconv_close(in->utf16);
    free(in->text);
    if (in->map) munmap(in->map, in->map_len);
    free(in->all);
    if (!in->src_borrowed) free(in->src);
    free(in->win);
    free(in->name);
    free(in);
}

size_t pk_input_head(pk_input *in, const uint8_t **data)
{
    *data = in->head;
    return in->head_len;
}

size_t pk_input_read(pk_input *in, void *buf, size_t n)
{
    uint8_t *out = buf;
    size_t done = 0;
    while (done < n) {
        if (in->win_pos == in->win_len) {
            /* Large reads bypass the window. */
            if (n - done >= 65536) {
                size_t got = decode(in, out + done, n - done);
                if (got == 0) break;
                done += got;
                in->consumed += got;
                continue;
            }
            in->win_pos = in->win_len = 0;
            fill_window(in, in->win_cap ? in->win_cap : 65536);
            if (in->win_len == 0) break;
        }
        size_t take = in->win_len - in->win_pos;
        if (take > n - done) take = n - done;
        memcpy(out + done, in->win + in->win_pos, take);
        in->win_pos += take;
        done += take;
        in->consumed += take;
    }
    return done;
}

void pk_input_read_exact(pk_input *in, void *buf, size_t n, const char *what)
{
    uint64_t at = in->consumed;
    if (pk_input_read(in, buf, n) != n)
        pk_fail(in, at, "truncated %s (needs %zu bytes, file ends at %llu)", what, n,
                (unsigned long long)in->consumed);
}

static bool map_whole_file(pk_input *in)
{
    struct stat st;
    if (in->codec != CODEC_RAW || in->utf16 || in->fd < 0 || in->fd == STDIN_FILENO ||
        fstat(in->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
        return false;
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, in->fd, 0);
    if (map == MAP_FAILED) return false;
    in->map = map;
    in->map_len = (size_t)st.st_size;
    return true;
}

const uint8_t *pk_input_all(pk_input *in, size_t *len)
{
    if (in->all || in->map) {
        *len = in->all_len;
        return in->map ? (const uint8_t *)in->map + (in->map_len - in->all_len) : in->all;
    }
    if (map_whole_file(in) && in->consumed <= in->map_len) {
        in->all_len = in->map_len - in->consumed;
        in->consumed = in->map_len;
        *len = in->all_len;
        return (const uint8_t *)in->map + (in->map_len - in->all_len);
    }
    size_t cap = 1 << 20, n = in->win_len - in->win_pos;
    if (cap < n + 1) cap = n + 1;
    uint8_t *buf = pk_xmalloc(cap);
    memcpy(buf, in->win + in->win_pos, n);
    in->win_pos = in->win_len;
    in->all = buf; /* owned by in from here, so a failure frees it */
    for (;;) {
        if (n == cap) {
            if (cap >= pk_max_memory())
                pk_fail(
                    in, in->consumed + n,
                    "memory limit of %llu MiB exceeded (the whole input is larger; --max-memory)",
                    (unsigned long long)(pk_max_memory() >> 20));
            cap *= 2;
            buf = in->all = pk_xrealloc(buf, cap);
        }
        size_t got = decode(in, buf + n, cap - n);
        if (got == 0) break;
        n += got;
    }
    in->all = buf;
    in->all_len = n;
    in->consumed += n;
    *len = n;
    return buf;
}
