/* austin's MOJO binary (`austin -b`), versions 1 to 4: a stream of events
 * with string and frame definitions scoped to the process of the sample.
 * See shared/formats/austin.md section 3, and austin4.md for version 4
 * (STACK_REPEAT, task stacks, thread names). One pass over the buffer;
 * strings and frames are interned in hash tables keyed on (pid, key).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "austin_common.h"
#include "format.h"
#include "../lib/hmap.h"
#include "stacks.h"

enum {
    EV_METADATA = 1,
    EV_STACK,
    EV_FRAME,
    EV_FRAME_INVALID,
    EV_FRAME_REF,
    EV_FRAME_KERNEL,
    EV_GC,
    EV_IDLE,
    EV_METRIC_TIME,
    EV_METRIC_MEMORY,
    EV_STRING,
    EV_STRING_REF,
    EV_STACK_REPEAT, /* v4: the thread's previous stack, then what follows */
    EV_TASK_STACK,   /* v4: an asyncio task's stack, until the next STACK */
    EV_TASK_WAITER,  /* v4: which task awaits which */
    EV_COUNT
};

#define MOJO_NEWEST 4

static const char *const event_names[EV_COUNT] = {"",
                                                  "METADATA",
                                                  "STACK",
                                                  "FRAME",
                                                  "FRAME_INVALID",
                                                  "FRAME_REF",
                                                  "FRAME_KERNEL",
                                                  "GC",
                                                  "IDLE",
                                                  "METRIC_TIME",
                                                  "METRIC_MEMORY",
                                                  "STRING",
                                                  "STRING_REF",
                                                  "STACK_REPEAT",
                                                  "TASK_STACK",
                                                  "TASK_WAITER"};

typedef struct {
    const char *s;
    uint32_t len;
} mstring;

typedef struct {
    mstring file, name;
    int32_t line;
    pk_id func; /* created on first use */
} mframe;

typedef struct {
    uint64_t pid, key;
} pidkey;

/* Direct-mapped cache in front of the frame table: most samples reuse the
 * same few hundred frames. */
#define FRAME_CACHE 4096

typedef struct {
    pk_input *in;
    pk_profile *p;
    const uint8_t *buf, *cur, *end;
    uint64_t version;
    austin_metrics am;
    sk_map strings, frames, specials;
    mstring *str;
    size_t nstr, capstr;
    mframe *fr;
    size_t nfr, capfr;
    austin_threads threads;
    sk_stack stack;
    /* the open sample */
    bool open;
    bool in_task; /* v4: reading a task's stack, which is not a sample */
    int64_t repeats_without_previous;
    uint64_t pid;
    size_t thread;
    int64_t time_us, mem;
    bool idle;
    int64_t events[EV_COUNT];
    austin_maps maps;
    struct {
        uint64_t pid, key;
        uint32_t frame; /* SK_NONE: empty */
    } cache[FRAME_CACHE];
} reader;

/* Thrown when the data ends inside an event. */
#define TRUNCATED ((const char *)1)

static _Noreturn void fail(reader *r, const uint8_t *at, const char *what)
{
    pk_fail(r->in, (uint64_t)(at - r->buf), "%s", what);
}

/* Decoders return false when the data ends first. */
static inline bool varint(reader *r, uint64_t *mag, bool *neg)
{
    const uint8_t *p = r->cur;
    if (p == r->end) return false;
    uint8_t b = *p++;
    uint64_t v = b & 0x3f;
    *neg = b & 0x40;
    unsigned shift = 6;
    while (b & 0x80) {
        if (p == r->end) return false;
        if (shift > 62) fail(r, r->cur, "varint longer than 64 bits");
        b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    }
    *mag = v;
    r->cur = p;
    return true;
}

static inline bool uvarint(reader *r, uint64_t *v)
{
    bool neg;
    const uint8_t *at = r->cur;
    if (!varint(r, v, &neg)) return false;
    if (neg) fail(r, at, "negative number where none is allowed");
    return true;
}

static bool string(reader *r, mstring *out)
{
    const uint8_t *z = memchr(r->cur, 0, (size_t)(r->end - r->cur));
    if (!z) return false;
    out->s = (const char *)r->cur;
    out->len = (uint32_t)(z - r->cur);
    r->cur = z + 1;
    return true;
}

static uint32_t find(const sk_map *m, uint64_t pid, uint64_t key, uint64_t *h)
{
    pidkey k = {pid, key};
    *h = pk_hash_bytes(&k, sizeof(k));
    return sk_map_find(m, &k, sizeof(k), *h);
}

static void put(sk_map *m, uint64_t pid, uint64_t key, uint64_t h, uint32_t val)
{
    pidkey k = {pid, key};
    sk_map_put(m, &k, sizeof(k), h, val);
}

/* ---- samples ----------------------------------------------------------- */

static void close_sample(reader *r)
{
    if (!r->open) return;
    int64_t values[PK_MAX_METRICS] = {0};
    austin_values(&r->am, r->time_us, r->mem, r->idle, values);
    austin_sample(r->p, &r->am, &r->threads.v[r->thread], &r->stack, values);
    r->open = false;
}

/* tid as text does it: decimal, from MOJO's lower-case hex */
static void thread_name(char *out, size_t n, bool has_iid, int64_t iid, mstring tid)
{
    uint64_t v = 0;
    bool hex = tid.len > 0 && tid.len <= 16;
    for (uint32_t i = 0; hex && i < tid.len; i++) {
        char c = tid.s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0) hex = false;
        v = v * 16 + (uint64_t)(d < 0 ? 0 : d);
    }
    char t[72];
    if (hex)
        snprintf(t, sizeof(t), "%" PRIu64, v);
    else
        snprintf(t, sizeof(t), "%.*s", (int)tid.len, tid.s);
    if (has_iid)
        snprintf(out, n, "T%" PRId64 ":%s", iid, t);
    else
        snprintf(out, n, "T%s", t);
}

static bool stack_event(reader *r, const uint8_t *at)
{
    uint64_t pid, iid = 0;
    bool iid_neg = false;
    mstring tid;
    /* v4 writes the interpreter id with a sign */
    if (!uvarint(r, &pid) || (r->version >= 3 && !varint(r, &iid, &iid_neg)) || !string(r, &tid))
        return false;
    if (iid_neg && r->version < 4) fail(r, at, "negative number where none is allowed");
    if (iid_neg) iid = (uint64_t) - (int64_t)iid; /* two's complement in the key */
    r->in_task = false;
    if (tid.len > 64) fail(r, at, "thread id too long");
    close_sample(r);
    if (!r->am.ready) austin_metrics_setup(r->p, &r->am, r->am.mode);
    uint8_t key[16 + 64];
    memcpy(key, &pid, 8);
    memcpy(key + 8, &iid, 8);
    memcpy(key + 16, tid.s, tid.len);
    uint64_t h = pk_hash_bytes(key, 16 + tid.len);
    uint32_t t = sk_map_find(&r->threads.map, key, 16 + tid.len, h);
    if (t == SK_NONE) {
        char proc[32], thr[96];
        snprintf(proc, sizeof(proc), "P%" PRIu64, pid);
        thread_name(thr, sizeof(thr), r->version >= 3, (int64_t)iid, tid);
        t = (uint32_t)austin_thread_get(r->p, &r->threads, key, 16 + tid.len, proc, thr);
    }
    r->open = true;
    r->pid = pid;
    r->thread = t;
    r->time_us = r->mem = 0;
    r->idle = false;
    austin_push_roots(r->p, &r->threads.v[t], &r->stack);
    return true;
}

static void need_sample(reader *r, const uint8_t *at)
{
    if (!r->open && !r->in_task) fail(r, at, "event outside a sample");
}

/* The frame austin-python's STACK_REPEAT keeps: Python code (a .py file or a
 * <pseudo file>), not what the native unwinder added above it. */
static bool python_frame(const pk_function *f)
{
    size_t n = strlen(f->file);
    return (n >= 3 && memcmp(f->file + n - 3, ".py", 3) == 0) ||
           (n >= 2 && f->file[0] == '<' && f->file[n - 1] == '>');
}

/* v4 STACK_REPEAT: the thread's previous stack less its trailing native
 * frames, then the frames read so far in this sample. */
static void stack_repeat(reader *r, const uint8_t *at)
{
    need_sample(r, at);
    if (r->in_task) return;
    const austin_thread *th = &r->threads.v[r->thread];
    const sk_stack *prev = &th->prev;
    size_t roots = 1 + (th->proc != PK_NONE);
    size_t keep = prev->depth;
    while (keep > roots && !python_frame(&r->p->funcs[prev->funcs[keep - 1]]))
        keep--;
    if (prev->depth == 0) {
        r->repeats_without_previous++;
        return;
    }
    size_t extra = r->stack.depth - roots; /* frames read before the repeat: few */
    pk_id small_f[16], *tail_f = small_f;
    int32_t small_l[16], *tail_l = small_l;
    if (extra > 16) {
        tail_f = pk_alloc(r->p, extra * sizeof *tail_f);
        tail_l = pk_alloc(r->p, extra * sizeof *tail_l);
    }
    memcpy(tail_f, r->stack.funcs + roots, extra * sizeof *tail_f);
    memcpy(tail_l, r->stack.lines + roots, extra * sizeof *tail_l);
    r->stack.depth = roots;
    for (size_t i = roots; i < keep; i++)
        sk_stack_push(r->p, &r->stack, prev->funcs[i], prev->lines[i]);
    for (size_t i = 0; i < extra; i++)
        sk_stack_push(r->p, &r->stack, tail_f[i], tail_l[i]);
}

/* v4 TASK_STACK and TASK_WAITER: asyncio tasks suspended at the sample
 * (austin4.md 2.2). Their stacks and times are not samples of the thread:
 * they are read and counted, not added. */
static bool task_event(reader *r, int id, const uint8_t *at)
{
    uint64_t a, b;
    if (!uvarint(r, &a) || !uvarint(r, &b)) return false;
    if (id == EV_TASK_STACK) {
        need_sample(r, at);
        close_sample(r);
        r->in_task = true;
    }
    return true;
}

static mstring string_ref(reader *r, uint64_t key, const uint8_t *at)
{
    uint64_t h;
    uint32_t i = find(&r->strings, r->pid, key, &h);
    if (i != SK_NONE) return r->str[i];
    if (key == 0) return (mstring){"", 0};
    if (key == 1) return (mstring){"<unknown>", 9};
    fail(r, at, "reference to an undefined string");
}

static bool frame_event(reader *r, const uint8_t *at)
{
    uint64_t key, file, name, line, ignored;
    if (!uvarint(r, &key) || !uvarint(r, &file) || !uvarint(r, &name) || !uvarint(r, &line))
        return false;
    if (r->version >= 2)
        for (int i = 0; i < 3; i++)
            if (!uvarint(r, &ignored)) /* line_end, column, column_end */
                return false;
    need_sample(r, at);
    mframe f = {string_ref(r, file, at), string_ref(r, name, at),
                line > INT32_MAX ? 0 : (int32_t)line, PK_NONE};
    if (austin_is_native(f.file.s, f.file.len)) f.line = 0; /* a symbol offset, not a line */
    uint64_t h;
    uint32_t i = find(&r->frames, r->pid, key, &h);
    if (i == SK_NONE) {
        SK_GROW(r->p, r->fr, r->capfr, r->nfr + 1);
        i = (uint32_t)r->nfr++;
        put(&r->frames, r->pid, key, h, i);
    }
    r->fr[i] = f;
    return true;
}

static bool frame_ref_event(reader *r, const uint8_t *at)
{
    uint64_t key, h;
    if (!uvarint(r, &key)) return false;
    need_sample(r, at);
    size_t c = ((key ^ (r->pid << 17)) * 0x9e3779b97f4a7c15ULL) >> 52;
    uint32_t i = r->cache[c].frame;
    if (i == SK_NONE || r->cache[c].key != key || r->cache[c].pid != r->pid) {
        i = find(&r->frames, r->pid, key, &h);
        if (i == SK_NONE) fail(r, at, "reference to an undefined frame");
        r->cache[c].pid = r->pid;
        r->cache[c].key = key;
        r->cache[c].frame = i;
    }
    mframe *f = &r->fr[i];
    if (f->func == PK_NONE)
        f->func = austin_func(r->p, f->file.s, f->file.len, f->name.s, f->name.len);
    if (!r->in_task) sk_stack_push(r->p, &r->stack, f->func, f->line);
    return true;
}

/* :GC:, :INVALID: and kernel:<symbol> frames, interned by their text */
static void push_special(reader *r, const char *file, const char *name, size_t nlen)
{
    if (r->in_task) return;
    char key[320];
    int n = snprintf(key, sizeof(key), "%s:%.*s", file, (int)(nlen > 300 ? 300 : nlen), name);
    uint64_t h = pk_hash_bytes(key, (size_t)n);
    uint32_t f = sk_map_find(&r->specials, key, (size_t)n, h);
    if (f == SK_NONE) {
        f = austin_func(r->p, file, strlen(file), name, nlen);
        sk_map_put(&r->specials, key, (size_t)n, h, f);
    }
    sk_stack_push(r->p, &r->stack, f, 0);
}

static bool string_event(reader *r)
{
    uint64_t key, h;
    mstring s;
    if (!uvarint(r, &key) || !string(r, &s)) return false;
    s.s = pk_intern(r->p, s.s, s.len);
    uint32_t i = find(&r->strings, r->pid, key, &h);
    if (i == SK_NONE) {
        SK_GROW(r->p, r->str, r->capstr, r->nstr + 1);
        i = (uint32_t)r->nstr++;
        put(&r->strings, r->pid, key, h, i);
    }
    r->str[i] = s;
    return true;
}

static bool metadata_event(reader *r)
{
    mstring k, v;
    if (!string(r, &k) || !string(r, &v)) return false;
    if (k.len == 4 && memcmp(k.s, "mode", 4) == 0 && !r->am.ready)
        austin_mode_parse(v.s, v.len, &r->am.mode);
    austin_meta_add(r->p, &r->maps, k.s, k.len, v.s, v.len);
    return true;
}

static bool metric_event(reader *r, int id, const uint8_t *at)
{
    uint64_t mag;
    bool neg;
    if (!varint(r, &mag, &neg)) return false;
    need_sample(r, at);
    if (mag > ((uint64_t)1 << 50)) fail(r, at, "metric out of range");
    if (r->in_task) return true; /* a task's previous suspension time */
    if (id == EV_METRIC_TIME) {
        if (neg) fail(r, at, "negative time");
        r->time_us = (int64_t)mag;
    } else {
        r->mem = neg ? -(int64_t)mag : (int64_t)mag;
    }
    return true;
}

/* One event; false when the data ends inside it. */
static bool event(reader *r)
{
    const uint8_t *at = r->cur;
    int id = *r->cur++;
    if (id == 0 || id >= EV_COUNT || id == EV_STRING_REF || (id > EV_STRING_REF && r->version < 4))
        fail(r, at, "unknown MOJO event");
    r->events[id]++;
    mstring sym;
    switch (id) {
    case EV_METADATA:
        return metadata_event(r);
    case EV_STACK:
        return stack_event(r, at);
    case EV_FRAME:
        return frame_event(r, at);
    case EV_FRAME_REF:
        return frame_ref_event(r, at);
    case EV_FRAME_INVALID:
        need_sample(r, at);
        push_special(r, "", "INVALID", 7);
        return true;
    case EV_FRAME_KERNEL:
        if (!string(r, &sym)) return false;
        need_sample(r, at);
        push_special(r, "kernel", sym.s, sym.len);
        return true;
    case EV_GC:
        need_sample(r, at);
        push_special(r, "", "GC", 2);
        return true;
    case EV_IDLE:
        need_sample(r, at);
        if (!r->in_task) r->idle = true;
        return true;
    case EV_METRIC_TIME:
    case EV_METRIC_MEMORY:
        return metric_event(r, id, at);
    case EV_STACK_REPEAT:
        stack_repeat(r, at);
        return true;
    case EV_TASK_STACK:
    case EV_TASK_WAITER:
        return task_event(r, id, at);
    default:
        return string_event(r);
    }
}

static void mojo_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    reader r = {0};
    for (size_t i = 0; i < FRAME_CACHE; i++)
        r.cache[i].frame = SK_NONE;
    size_t len;
    r.in = in;
    r.p = p;
    r.buf = pk_input_all(in, &len);
    r.end = r.buf + len;
    if (len < 4 || memcmp(r.buf, "MOJ", 3) != 0) fail(&r, r.buf, "not a MOJO file (no MOJ magic)");
    r.cur = r.buf + 3;
    if (!uvarint(&r, &r.version) || r.version < 1) fail(&r, r.buf + 3, "unsupported MOJO version");
    if (r.version > MOJO_NEWEST)
        pk_fail(in, 3, "MOJO version %" PRIu64 " is newer than this reader knows (1 to %d)",
                r.version, MOJO_NEWEST);
    sk_map_init(&r.strings, p);
    sk_map_init(&r.frames, p);
    sk_map_init(&r.specials, p);
    austin_threads_init(&r.threads, p);
    while (r.cur < r.end) {
        const uint8_t *at = r.cur;
        if (!event(&r)) { /* a capture cut short: drop the unfinished sample */
            pk_warn(in, "offset %zu: data ends inside an event; last sample ignored",
                    (size_t)(at - r.buf));
            r.open = false;
            break;
        }
    }
    close_sample(&r);
    if (r.repeats_without_previous)
        pk_warn(in, "%" PRId64 " STACK_REPEAT events before any stack of their thread",
                r.repeats_without_previous);
    austin_maps_finish(p, &r.maps);
    pk_meta_set(p, "austin.format", "mojo");
    austin_meta_count(p, "austin.mojo_version", (int64_t)r.version);
    austin_meta_count(p, "mojo.string_keys", (int64_t)r.strings.count);
    austin_meta_count(p, "mojo.frame_keys", (int64_t)r.frames.count);
    for (int i = 1; i < EV_COUNT; i++)
        if (r.events[i]) {
            char key[48];
            snprintf(key, sizeof(key), "mojo.events.%s", event_names[i]);
            austin_meta_count(p, key, r.events[i]);
        }
    if (!pk_meta_get(p, "austin.mode")) pk_meta_set(p, "austin.mode", austin_mode_name(r.am.mode));
    austin_finish(p, &r.am, opt);
}

static int mojo_probe(const uint8_t *head, size_t len)
{
    /* any version: a newer one is refused by the reader with its number */
    return len >= 4 && memcmp(head, "MOJ", 3) == 0 && head[3] >= 1 ? 100 : 0;
}

const pk_format pk_format_mojo = {
    .name = "mojo",
    .patterns = "*.mojo",
    .description = "austin MOJO binary (versions 1-4)",
    .probe = mojo_probe,
    .read = mojo_read,
    .write = NULL,
};
