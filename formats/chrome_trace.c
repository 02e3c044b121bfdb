/* Chrome trace-event JSON: viztracer's output, chrome://tracing and
 * Perfetto's JSON, in object form ({"traceEvents": [...], ...}) or array
 * form ([...], whose closing bracket may be missing). See
 * shared/formats/viztracer.md.
 *
 * Complete (X) and begin/end (B/E) events of each process and thread are
 * nested into stacks by time: writers order them by exit (viztracer, Chrome's
 * scoped events), so nothing is assumed about their order in the file. Each
 * becomes a tree node's span in the timeline, its duration the node's value
 * less its children's; call counts are exact. Instant, counter and metadata
 * events are kept as metadata. Events that do not nest are clipped to their
 * parent and reported with -v.
 *
 * The JSON is read with yajl's streaming parser: a 200 MB trace is a few
 * million small objects, which a document parser builds and frees several
 * times slower (jansson: 3.7 s for the events of 200 MB one at a time, 15 s
 * and 2 GB for the document; yajl: 0.8 s).
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_parse.h>

#include "../lib/hmap.h"
#include "../lib/limits.h"
#include "../lib/timeline.h"
#include "format.h"
#include "stacks.h"

#define CHUNK ((size_t)64 << 10)    /* small: reads under a small --max-memory go on */
#define MAX_DEPTH 1000              /* JSON nesting: deeper is hostile */
#define MAX_TOKEN ((size_t)1 << 30) /* one string or number */
#define MAX_NAMED 100               /* distinct instant/counter names kept as metadata */

/* What a JSON container is, from where it opened. */
enum {
    ROLE_SKIP,
    ROLE_TOP,    /* the top-level object */
    ROLE_EVENTS, /* the traceEvents array (or the top-level array) */
    ROLE_EVENT,
    ROLE_ARGS,    /* an event's args */
    ROLE_VIZMETA, /* viztracer_metadata */
    ROLE_OTHER,   /* otherData */
};

/* Keys that matter. */
enum {
    K_OTHER,
    K_TRACE_EVENTS,
    K_VIZMETA,
    K_OTHERDATA,
    K_DISPLAY_UNIT,
    K_PH,
    K_NAME,
    K_CAT,
    K_PID,
    K_TID,
    K_TS,
    K_DUR,
    K_ARGS,
    K_VERSION,
    K_OVERFLOW,
    K_BASE_TIME,
};

typedef struct {
    int64_t start, end;
    pk_id func;
    uint32_t seq; /* when its end was read: ties put the later-ending outside */
} span_rec;

typedef struct {
    uint64_t pid, tid;
    span_rec *spans;
    size_t n, cap;
    uint32_t *open; /* B events not yet ended (indexes into spans) */
    size_t nopen, capopen;
    char *name; /* from a thread_name event, or a tid given as text */
} thread_rec;

/* A growable byte string (names are copied out of yajl's buffer). */
typedef struct {
    char *s;
    size_t len, cap;
    bool set;
} text;

typedef struct {
    uint64_t v;
    bool set;
    char *str; /* pid or tid given as a string */
} ident;

typedef struct {
    char ph[4];
    size_t phlen;
    text name, args_name;
    bool fee; /* category "fee": viztracer's function entry/exit */
    ident pid, tid;
    int64_t ts, dur;
    bool has_ts, has_dur, bad_number;
} event;

typedef struct {
    char *key, *value;
} kv;

typedef struct open_frame {
    int64_t end;
    pk_id node;
} open_frame;

typedef struct {
    pk_input *in;
    pk_profile *p;
    const pk_read_options *opt;
    yajl_handle h;
    uint8_t *buf;
    uint64_t base; /* input offset of the chunk being parsed */
    /* where the parser is */
    int depth;
    uint8_t role[MAX_DEPTH + 2];
    int key; /* key of the value that comes next, in its container */
    int event_key;
    bool top_array, events_seen, events_closed;
    /* the event being read */
    event ev;
    uint32_t nevents;
    /* threads */
    thread_rec *threads;
    size_t nthreads, capthreads;
    pk_hmap thread_index;
    size_t last_thread;
    /* functions by event name */
    sk_map funcs;
    /* facts for metadata */
    uint64_t per_ph[128], other_ph;
    kv *procs; /* pid -> process_name */
    size_t nprocs, capprocs;
    kv *named; /* instant and counter names with counts */
    size_t nnamed, capnamed, named_dropped;
    uint64_t *named_count;
    char *display_unit, *viz_version;
    int viz_overflow; /* -1 absent */
    bool has_base_time;
    int64_t base_time_ns;
    kv *other;
    size_t nother, capother;
    bool any_time;
    int64_t t_min, t_max;
    /* problems, reported with -v */
    uint64_t invalid, no_dur, unmatched_end, mismatched_end, unclosed, clipped, backwards;
    char first_problem[200];
    /* building */
    struct open_frame *stack;
    size_t capstack;
    int metric;
    char err[200];
} reader;

/* ---- memory ---------------------------------------------------------------- */

static char *xstrndup(const char *s, size_t n)
{
    pk_budget_check(n + 1);
    char *d = pk_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static void reader_free(void *ctx)
{
    reader *r = ctx;
    if (r->h) yajl_free(r->h);
    free(r->buf);
    for (size_t i = 0; i < r->nthreads; i++) {
        free(r->threads[i].spans);
        free(r->threads[i].open);
        free(r->threads[i].name);
    }
    free(r->threads);
    pk_hmap_free(&r->thread_index);
    free(r->ev.name.s);
    free(r->ev.args_name.s);
    free(r->ev.pid.str);
    free(r->ev.tid.str);
    for (size_t i = 0; i < r->nprocs; i++)
        free(r->procs[i].key), free(r->procs[i].value);
    free(r->procs);
    for (size_t i = 0; i < r->nnamed; i++)
        free(r->named[i].key);
    free(r->named);
    free(r->named_count);
    for (size_t i = 0; i < r->nother; i++)
        free(r->other[i].key), free(r->other[i].value);
    free(r->other);
    free(r->display_unit);
    free(r->viz_version);
    free(r->stack);
    free(r);
}

/* yajl's buffers count against --max-memory; one token may not exceed 1 GiB. */
static void *y_malloc(void *ctx, size_t n)
{
    (void)ctx;
    if (n > MAX_TOKEN) pk_budget_check(SIZE_MAX);
    pk_budget_check(n);
    return malloc(n);
}

static void *y_realloc(void *ctx, void *ptr, size_t n)
{
    (void)ctx;
    if (n > MAX_TOKEN) pk_budget_check(SIZE_MAX);
    pk_budget_check(n);
    return realloc(ptr, n);
}

static void y_free(void *ctx, void *ptr)
{
    (void)ctx;
    free(ptr);
}

static void text_set(text *t, const unsigned char *s, size_t n)
{
    if (n + 1 > t->cap) PK_GROW(t->s, t->cap, n + 1);
    memcpy(t->s, s, n);
    t->s[n] = 0;
    t->len = n;
    t->set = true;
}

static void problem(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(reader *r, const char *fmt, ...)
{
    if (r->first_problem[0]) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->first_problem, sizeof r->first_problem, fmt, ap);
    va_end(ap);
}

/* ---- numbers ---------------------------------------------------------------- */

/* All of s[0..n) as a number (strtod wants a terminated string). */
static bool parse_double(const char *s, size_t n, double *out)
{
    char tmp[64];
    if (n >= sizeof tmp) return false;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *end;
    *out = strtod(tmp, &end);
    return end == tmp + n;
}

/* Microseconds as JSON writes them to integer nanoseconds: exact for up to
 * three decimals (viztracer's C writer), rounded beyond. */
static bool us_to_ns(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = n > 0 && s[0] == '-';
    i += neg;
    uint64_t ip = 0, frac = 0;
    size_t d0 = i;
    int fd = 0;
    bool up = false;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (ip > 4000000000000000ULL) goto slow;
        ip = ip * 10 + (uint64_t)(s[i++] - '0');
    }
    if (i == d0) goto slow;
    if (i < n && s[i] == '.') {
        i++;
        size_t f0 = i;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (fd < 3)
                frac = frac * 10 + (uint64_t)(s[i] - '0'), fd++;
            else if (i - f0 == 3)
                up = s[i] >= '5';
        }
        if (i == f0) goto slow;
    }
    if (i != n) goto slow;
    for (; fd < 3; fd++)
        frac *= 10;
    int64_t v = (int64_t)(ip * 1000 + frac + up);
    *out = neg ? -v : v;
    return true;
slow:;
    double d;
    if (!parse_double(s, n, &d) || !(fabs(d * 1000) < 4e18)) return false;
    *out = (int64_t)llround(d * 1000);
    return true;
}

/* An integer id (pid, tid, a time in ns); decimals are cut. */
static bool parse_int(const char *s, size_t n, int64_t *out)
{
    if (sk_parse_i64(s, s + n, out)) return true;
    double d;
    if (!parse_double(s, n, &d) || !(fabs(d) < 9.2e18)) return false;
    *out = (int64_t)d;
    return true;
}

/* ---- threads and functions -------------------------------------------------- */

typedef struct {
    const reader *r;
    uint64_t pid, tid;
} thread_key;

static bool thread_is(const void *ctx, uint32_t id)
{
    const thread_key *k = ctx;
    return k->r->threads[id].pid == k->pid && k->r->threads[id].tid == k->tid;
}

static uint64_t ident_value(const ident *id)
{
    if (!id->set) return 0;
    return id->str ? pk_hash_bytes(id->str, strlen(id->str)) : id->v;
}

static thread_rec *thread_for(reader *r, const event *e)
{
    uint64_t pid = ident_value(&e->pid), tid = ident_value(&e->tid);
    if (r->nthreads && r->threads[r->last_thread].pid == pid &&
        r->threads[r->last_thread].tid == tid)
        return &r->threads[r->last_thread];
    thread_key k = {r, pid, tid};
    uint64_t h = pk_hash_mix(pk_hash_mix(0, pid), tid);
    uint32_t id = pk_hmap_get(&r->thread_index, h, thread_is, &k, (uint32_t)r->nthreads);
    if (id == r->nthreads) {
        PK_GROW(r->threads, r->capthreads, r->nthreads + 1);
        r->threads[id] = (thread_rec){.pid = pid, .tid = tid};
        r->nthreads++;
        if (e->tid.str) r->threads[id].name = xstrndup(e->tid.str, strlen(e->tid.str));
    }
    r->last_thread = id;
    return &r->threads[id];
}

/* viztracer names Python functions `qualname (file:line)`. */
static pk_id make_function(reader *r, const char *s, size_t n, bool fee)
{
    pk_profile *p = r->p;
    if (n > 4 && s[n - 1] == ')') {
        const char *open = NULL;
        for (size_t i = n - 1; i-- > 1;)
            if (s[i] == '(' && s[i - 1] == ' ') {
                open = s + i;
                break;
            }
        const char *colon = open ? memrchr(open, ':', (size_t)(s + n - 1 - open)) : NULL;
        uint64_t line;
        if (colon && colon > open + 1 && sk_parse_u64(colon + 1, s + n - 1, &line) &&
            line <= INT32_MAX) {
            const char *name = pk_intern(p, s, (size_t)(open - 1 - s));
            const char *file = pk_intern(p, open + 1, (size_t)(colon - open - 1));
            return pk_function_get_interned(p, name, file, (int32_t)line, PK_KIND_PYTHON);
        }
    }
    const char *name = pk_intern(p, s, n);
    return pk_function_get_interned(p, name, pk_intern(p, "", 0), 0,
                                    fee ? PK_KIND_BUILTIN : PK_KIND_NATIVE);
}

static pk_id function_for(reader *r, const event *e)
{
    const char *s = e->name.set ? e->name.s : "";
    size_t n = e->name.set ? e->name.len : 0;
    uint64_t h = pk_hash_bytes(s, n);
    uint32_t f = sk_map_find(&r->funcs, s, n, h);
    if (f == SK_NONE) {
        f = make_function(r, s, n, e->fee);
        sk_map_put(&r->funcs, s, n, h, f);
    }
    return f;
}

/* ---- events ----------------------------------------------------------------- */

static void note_time(reader *r, int64_t a, int64_t b)
{
    if (!r->any_time || a < r->t_min) r->t_min = a;
    if (!r->any_time || b > r->t_max) r->t_max = b;
    r->any_time = true;
}

static void count_name(reader *r, char kind, const text *name)
{
    size_t len = name->set ? name->len : 0;
    for (size_t i = 0; i < r->nnamed; i++)
        if (r->named[i].key[0] == kind && strlen(r->named[i].key + 1) == len &&
            (len == 0 || memcmp(r->named[i].key + 1, name->s, len) == 0)) {
            r->named_count[i]++;
            return;
        }
    if (r->nnamed == MAX_NAMED) {
        r->named_dropped++;
        return;
    }
    size_t cap = r->capnamed;
    PK_GROW(r->named, r->capnamed, r->nnamed + 1);
    PK_GROW(r->named_count, cap, r->nnamed + 1);
    char *k = pk_xmalloc(len + 2);
    k[0] = kind;
    if (len) memcpy(k + 1, name->s, len);
    k[len + 1] = 0;
    r->named[r->nnamed] = (kv){k, NULL};
    r->named_count[r->nnamed++] = 1;
}

static void add_span(reader *r, thread_rec *t, int64_t start, int64_t end, pk_id func)
{
    PK_GROW(t->spans, t->cap, t->n + 1);
    t->spans[t->n++] = (span_rec){start, end, func, r->nevents};
}

static void metadata_event(reader *r, const event *e)
{
    if (!e->name.set || !e->args_name.set) return;
    if (strcmp(e->name.s, "thread_name") == 0) {
        thread_rec *t = thread_for(r, e);
        free(t->name);
        t->name = xstrndup(e->args_name.s, e->args_name.len);
    } else if (strcmp(e->name.s, "process_name") == 0) {
        char pid[32];
        snprintf(pid, sizeof pid, "%" PRIu64, ident_value(&e->pid));
        for (size_t i = 0; i < r->nprocs; i++)
            if (strcmp(r->procs[i].key, pid) == 0) {
                free(r->procs[i].value);
                r->procs[i].value = xstrndup(e->args_name.s, e->args_name.len);
                return;
            }
        PK_GROW(r->procs, r->capprocs, r->nprocs + 1);
        r->procs[r->nprocs++] =
            (kv){xstrndup(pid, strlen(pid)), xstrndup(e->args_name.s, e->args_name.len)};
    }
}

static void end_event(reader *r)
{
    event *e = &r->ev;
    r->nevents++;
    if (e->phlen == 0 || e->bad_number) {
        r->invalid++;
        problem(r, "event %" PRIu32 " has %s", r->nevents,
                e->bad_number ? "a number out of range" : "no phase (ph)");
        return;
    }
    char ph = e->phlen == 1 ? e->ph[0] : 0;
    if (ph > 0)
        r->per_ph[(unsigned char)ph]++;
    else
        r->other_ph++;
    if (e->has_ts) note_time(r, e->ts, e->ts + (e->has_dur && e->dur > 0 ? e->dur : 0));
    switch (ph) {
    case 'X': {
        if (!e->has_ts) goto invalid;
        int64_t dur = e->has_dur ? e->dur : 0;
        if (!e->has_dur) r->no_dur++;
        if (dur < 0) goto invalid;
        add_span(r, thread_for(r, e), e->ts, e->ts + dur, function_for(r, e));
        return;
    }
    case 'B': {
        if (!e->has_ts) goto invalid;
        thread_rec *t = thread_for(r, e);
        add_span(r, t, e->ts, INT64_MIN, function_for(r, e));
        PK_GROW(t->open, t->capopen, t->nopen + 1);
        t->open[t->nopen++] = (uint32_t)(t->n - 1);
        return;
    }
    case 'E': {
        if (!e->has_ts) goto invalid;
        thread_rec *t = thread_for(r, e);
        if (t->nopen == 0) {
            r->unmatched_end++;
            problem(r, "an end (E) event at ts %.3f µs closes nothing", (double)e->ts / 1e3);
            return;
        }
        span_rec *s = &t->spans[t->open[--t->nopen]];
        if (e->name.set && e->name.len) {
            pk_id named = function_for(r, e);
            if (named != s->func) {
                r->mismatched_end++;
                problem(r, "an end (E) event named '%.60s' closes another", e->name.s);
            }
        }
        s->end = e->ts;
        s->seq = r->nevents;
        if (s->end < s->start) {
            r->backwards++;
            problem(r, "an end (E) event at ts %.3f µs comes before its begin",
                    (double)e->ts / 1e3);
            s->end = s->start;
        }
        return;
    }
    case 'i':
    case 'I':
    case 'C':
        count_name(r, ph == 'C' ? 'C' : 'i', &e->name);
        return;
    case 'M':
        metadata_event(r, e);
        return;
    default:
        return;
    }
invalid:
    r->invalid++;
    problem(r, "a '%s' event without %s", e->ph, e->has_ts ? "a valid dur" : "ts");
}

/* ---- yajl callbacks --------------------------------------------------------- */

static int key_id(const unsigned char *k, size_t n)
{
    static const struct {
        const char *s;
        int id;
    } keys[] = {
        {"traceEvents", K_TRACE_EVENTS},
        {"viztracer_metadata", K_VIZMETA},
        {"otherData", K_OTHERDATA},
        {"displayTimeUnit", K_DISPLAY_UNIT},
        {"ph", K_PH},
        {"name", K_NAME},
        {"cat", K_CAT},
        {"pid", K_PID},
        {"tid", K_TID},
        {"ts", K_TS},
        {"dur", K_DUR},
        {"args", K_ARGS},
        {"version", K_VERSION},
        {"overflow", K_OVERFLOW},
        {"baseTimeNanoseconds", K_BASE_TIME},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i].s) == n && memcmp(keys[i].s, k, n) == 0) return keys[i].id;
    return K_OTHER;
}

static int role(const reader *r)
{
    return r->depth > 0 ? r->role[r->depth] : ROLE_SKIP;
}

static int fail_cb(reader *r, const char *msg)
{
    snprintf(r->err, sizeof r->err, "%s", msg);
    return 0;
}

static int open_container(reader *r, bool is_map)
{
    if (r->depth >= MAX_DEPTH) return fail_cb(r, "JSON nested deeper than 1000 levels");
    int parent = role(r), child = ROLE_SKIP;
    if (r->depth == 0) {
        child = is_map ? ROLE_TOP : ROLE_EVENTS;
        r->top_array = !is_map;
        if (!is_map) r->events_seen = true;
    } else if (parent == ROLE_TOP) {
        if (r->key == K_TRACE_EVENTS && !is_map) {
            child = ROLE_EVENTS;
            r->events_seen = true;
        } else if (r->key == K_VIZMETA && is_map) {
            child = ROLE_VIZMETA;
        } else if (r->key == K_OTHERDATA && is_map) {
            child = ROLE_OTHER;
        }
    } else if (parent == ROLE_EVENTS) {
        if (is_map) {
            child = ROLE_EVENT;
            event *e = &r->ev;
            e->phlen = 0;
            e->name.set = e->args_name.set = false;
            e->fee = e->has_ts = e->has_dur = e->bad_number = false;
            free(e->pid.str), free(e->tid.str);
            e->pid = e->tid = (ident){0};
        } else {
            r->invalid++;
            problem(r, "an event that is not an object");
        }
    } else if (parent == ROLE_EVENT && r->key == K_ARGS && is_map) {
        child = ROLE_ARGS;
    }
    r->depth++;
    r->role[r->depth] = (uint8_t)child;
    r->key = K_OTHER;
    return 1;
}

static int close_container(reader *r)
{
    int was = role(r);
    r->depth--;
    if (was == ROLE_EVENT) end_event(r);
    if (was == ROLE_EVENTS) r->events_closed = true;
    r->key = K_OTHER;
    return 1;
}

static int cb_start_map(void *ctx)
{
    return open_container(ctx, true);
}

static int cb_start_array(void *ctx)
{
    return open_container(ctx, false);
}

static int cb_end(void *ctx)
{
    return close_container(ctx);
}

static int cb_key(void *ctx, const unsigned char *k, size_t n)
{
    reader *r = ctx;
    int ro = role(r);
    r->key = ro == ROLE_SKIP ? K_OTHER : key_id(k, n);
    if (ro == ROLE_OTHER && r->nother < 64) {
        PK_GROW(r->other, r->capother, r->nother + 1);
        r->other[r->nother++] = (kv){xstrndup((const char *)k, n), NULL};
    }
    return 1;
}

static void set_ident(reader *r, ident *id, const char *s, size_t n, bool is_text)
{
    free(id->str);
    *id = (ident){.set = true};
    int64_t v;
    if (is_text && sk_parse_i64(s, s + n, &v)) { /* "tid": "7" */
        id->v = (uint64_t)v;
        return;
    }
    if (is_text) {
        id->str = xstrndup(s, n);
        return;
    }
    if (!parse_int(s, n, &v)) r->ev.bad_number = true;
    id->v = (uint64_t)v;
}

/* A scalar: numbers and strings as text, other values as NULL. */
static int scalar(reader *r, const char *s, size_t n, bool is_text, bool is_number)
{
    int ro = role(r);
    event *e = &r->ev;
    if (ro == ROLE_EVENT) {
        switch (r->key) {
        case K_PH:
            if (is_text) {
                e->phlen = n < sizeof e->ph ? n : sizeof e->ph - 1;
                memcpy(e->ph, s, e->phlen);
                e->ph[e->phlen] = 0;
                if (n == 0) e->phlen = 0;
            }
            break;
        case K_NAME:
            if (is_text) text_set(&e->name, (const unsigned char *)s, n);
            break;
        case K_CAT:
            e->fee = is_text && n == 3 && strncasecmp(s, "fee", 3) == 0;
            break;
        case K_PID:
        case K_TID:
            if (is_text || is_number)
                set_ident(r, r->key == K_PID ? &e->pid : &e->tid, s, n, is_text);
            break;
        case K_TS:
        case K_DUR:
            if (is_number) {
                int64_t v;
                if (!us_to_ns(s, n, &v)) {
                    e->bad_number = true;
                } else if (r->key == K_TS) {
                    e->ts = v, e->has_ts = true;
                } else {
                    e->dur = v, e->has_dur = true;
                }
            }
            break;
        }
    } else if (ro == ROLE_ARGS) {
        if (r->key == K_NAME && is_text) text_set(&e->args_name, (const unsigned char *)s, n);
    } else if (ro == ROLE_TOP) {
        if (r->key == K_DISPLAY_UNIT && is_text) {
            free(r->display_unit);
            r->display_unit = xstrndup(s, n);
        }
    } else if (ro == ROLE_VIZMETA) {
        if (r->key == K_VERSION && is_text) {
            free(r->viz_version);
            r->viz_version = xstrndup(s, n);
        } else if (r->key == K_BASE_TIME && is_number) {
            r->has_base_time = parse_int(s, n, &r->base_time_ns);
        }
    } else if (ro == ROLE_OTHER) {
        if ((is_text || is_number) && r->nother && !r->other[r->nother - 1].value &&
            r->nother <= 64)
            r->other[r->nother - 1].value = xstrndup(s, n);
    }
    r->key = K_OTHER;
    return 1;
}

static int cb_string(void *ctx, const unsigned char *s, size_t n)
{
    return scalar(ctx, (const char *)s, n, true, false);
}

static int cb_number(void *ctx, const char *s, size_t n)
{
    return scalar(ctx, s, n, false, true);
}

static int cb_bool(void *ctx, int v)
{
    reader *r = ctx;
    if (role(r) == ROLE_VIZMETA && r->key == K_OVERFLOW) r->viz_overflow = v != 0;
    return scalar(r, NULL, 0, false, false);
}

static int cb_null(void *ctx)
{
    return scalar(ctx, NULL, 0, false, false);
}

static const yajl_callbacks callbacks = {
    .yajl_null = cb_null,
    .yajl_boolean = cb_bool,
    .yajl_number = cb_number,
    .yajl_string = cb_string,
    .yajl_start_map = cb_start_map,
    .yajl_map_key = cb_key,
    .yajl_end_map = cb_end,
    .yajl_start_array = cb_start_array,
    .yajl_end_array = cb_end,
};

/* ---- parsing ---------------------------------------------------------------- */

static _Noreturn void parse_error(reader *r, const uint8_t *chunk, size_t len, yajl_status st)
{
    size_t at = yajl_get_bytes_consumed(r->h);
    if (st == yajl_status_client_canceled) pk_fail(r->in, r->base + at, "%s", r->err);
    unsigned char *msg = yajl_get_error(r->h, 0, chunk, len);
    char text[160];
    snprintf(text, sizeof text, "%s", msg ? (const char *)msg : "invalid JSON");
    if (msg) yajl_free_error(r->h, msg);
    text[strcspn(text, "\n")] = 0;
    pk_fail(r->in, r->base + at, "not valid JSON: %s", text);
}

static void parse(reader *r)
{
    yajl_alloc_funcs afs = {y_malloc, y_realloc, y_free, NULL};
    r->h = yajl_alloc(&callbacks, &afs, r);
    if (!r->h) pk_fail(r->in, 0, "out of memory");
    yajl_config(r->h, yajl_dont_validate_strings, 1); /* names are bytes, escaped on output */
    pk_budget_charge(CHUNK);
    r->buf = pk_xmalloc(CHUNK);
    for (;;) {
        size_t n = pk_input_read(r->in, r->buf, CHUNK);
        if (n == 0) break;
        yajl_status st = yajl_parse(r->h, r->buf, n);
        if (st != yajl_status_ok) parse_error(r, r->buf, n, st);
        r->base += n;
    }
    yajl_status st = yajl_complete_parse(r->h);
    /* The array form may end without its `]` (a trace still being written). */
    bool open_array_end = r->top_array && r->depth == 1;
    if (st != yajl_status_ok && !open_array_end) {
        if (st == yajl_status_client_canceled) pk_fail(r->in, r->base, "%s", r->err);
        pk_fail(r->in, r->base, "JSON ends early (the file is truncated)");
    }
    if (!r->events_seen) pk_fail(r->in, 0, "no traceEvents array: not a trace-event file");
}

/* ---- building the tree ------------------------------------------------------ */

static int cmp_span(const void *a, const void *b)
{
    const span_rec *x = a, *y = b;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    if (x->end != y->end) return x->end > y->end ? -1 : 1;
    return (x->seq < y->seq) - (x->seq > y->seq);
}

static const char *proc_name(const reader *r, uint64_t pid)
{
    char key[32];
    snprintf(key, sizeof key, "%" PRIu64, pid);
    for (size_t i = 0; i < r->nprocs; i++)
        if (strcmp(r->procs[i].key, key) == 0) return r->procs[i].value;
    return NULL;
}

/* The root of a thread's stacks: its process and thread frames with
 * --threads, else the tree's root. */
static pk_id thread_root(reader *r, const thread_rec *t)
{
    if (!r->opt || !r->opt->threads) return 0;
    pk_profile *p = r->p;
    char buf[300];
    const char *pn = proc_name(r, t->pid);
    snprintf(buf, sizeof buf, "P%" PRIu64 "%s%.250s", t->pid, pn ? " " : "", pn ? pn : "");
    pk_id proc = pk_function_get(p, pk_intern_cstr(p, buf), "", 0, PK_KIND_PROCESS);
    snprintf(buf, sizeof buf, "T%" PRIu64 "%s%.250s", t->tid, t->name ? " " : "",
             t->name ? t->name : "");
    pk_id thr = pk_function_get(p, pk_intern_cstr(p, buf), "", 0, PK_KIND_THREAD);
    return pk_tree_child(p, pk_tree_child(p, 0, proc, 0), thr, 0);
}

static void build_thread(reader *r, thread_rec *t)
{
    pk_profile *p = r->p;
    int m = r->metric;
    for (size_t i = 0; i < t->nopen; i++) { /* begun, never ended: open to the end */
        span_rec *s = &t->spans[t->open[i]];
        s->end = r->t_max;
        s->seq = UINT32_MAX - (uint32_t)(t->nopen - i);
        r->unclosed++;
        problem(r, "a begin (B) event was never ended");
    }
    pk_sort(t->spans, t->n, sizeof *t->spans, cmp_span);
    pk_id root = thread_root(r, t);
    uint32_t th = pk_thread_get(p, t->pid, t->tid, t->name);
    size_t depth = 0;
    for (size_t i = 0; i < t->n; i++) {
        span_rec s = t->spans[i];
        while (depth > 0 && r->stack[depth - 1].end <= s.start)
            depth--;
        if (depth > 0 && s.end > r->stack[depth - 1].end) {
            r->clipped++;
            problem(r, "'%.60s' at ts %.3f µs ends after the event it starts in (clipped)",
                    p->funcs[s.func].name, (double)s.start / 1e3);
            s.end = r->stack[depth - 1].end;
        }
        pk_id parent = depth ? r->stack[depth - 1].node : root;
        pk_id node = pk_tree_child(p, parent, s.func, 0);
        int64_t dur = s.end - s.start;
        p->nodes[node].self[m] += dur;
        if (depth) p->nodes[parent].self[m] -= dur;
        pk_check_stack_depth(depth + 1);
        PK_GROW(r->stack, r->capstack, depth + 1);
        r->stack[depth++] = (open_frame){s.end, node};
        pk_span_add(p, &(pk_span){.node = node,
                                  .thread = th,
                                  .start_ns = s.start - r->t_min,
                                  .end_ns = s.end - r->t_min});
    }
}

static int cmp_thread(const void *a, const void *b)
{
    const thread_rec *x = a, *y = b;
    if (x->pid != y->pid) return x->pid < y->pid ? -1 : 1;
    return (x->tid > y->tid) - (x->tid < y->tid);
}

static void build(reader *r)
{
    pk_profile *p = r->p;
    r->metric = pk_add_metric(p, "time", "ns");
    pk_timeline_get(p, PK_CLOCK_NS);
    pk_sort(r->threads, r->nthreads, sizeof *r->threads, cmp_thread);
    pk_hmap_free(&r->thread_index); /* its ids are stale once sorted */
    for (size_t i = 0; i < r->nthreads; i++)
        build_thread(r, &r->threads[i]);
    p->has_tree = true;
    pk_derive_graph(p);
    pk_timeline_count_calls(p); /* exact: each span is one call */
}

/* ---- metadata --------------------------------------------------------------- */

static void meta_u64(pk_profile *p, const char *key, uint64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRIu64, v);
    pk_meta_set(p, pk_intern_cstr(p, key), pk_intern_cstr(p, num));
}

static void meta_kv(pk_profile *p, const char *prefix, const char *key, const char *value)
{
    size_t n = strlen(prefix) + strlen(key) + 1;
    char *k = pk_alloc(p, n);
    snprintf(k, n, "%s%s", prefix, key);
    pk_meta_set(p, k, pk_intern_cstr(p, value));
}

/* "2026-11-03T10:22:01.123Z" */
static void iso_time(char *out, size_t n, int64_t unix_ns)
{
    time_t secs = (time_t)(unix_ns / 1000000000);
    int ms = (int)(unix_ns % 1000000000 / 1000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char day[40];
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%03dZ", day, ms);
}

static void set_metadata(reader *r)
{
    pk_profile *p = r->p;
    meta_u64(p, "trace.events", r->nevents);
    for (int c = 1; c < 128; c++)
        if (r->per_ph[c]) {
            char key[32];
            snprintf(key, sizeof key, "trace.events.%c", c);
            meta_u64(p, key, r->per_ph[c]);
        }
    if (r->other_ph) meta_u64(p, "trace.events.other", r->other_ph);
    if (r->display_unit)
        pk_meta_set(p, "trace.displayTimeUnit", pk_intern_cstr(p, r->display_unit));
    if (r->viz_version) {
        pk_meta_set(p, "viztracer.version", pk_intern_cstr(p, r->viz_version));
        pk_meta_set(p, "trace.producer", "viztracer");
    }
    if (r->viz_overflow >= 0)
        pk_meta_set(p, "viztracer.overflow", r->viz_overflow ? "true" : "false");
    for (size_t i = 0; i < r->nprocs; i++)
        meta_kv(p, "trace.process.", r->procs[i].key, r->procs[i].value);
    for (size_t i = 0; i < r->nthreads; i++) {
        const thread_rec *t = &r->threads[i];
        if (!t->name) continue;
        char key[64];
        snprintf(key, sizeof key, "%" PRIu64 ".%" PRIu64, t->pid, t->tid);
        meta_kv(p, "trace.thread.", key, t->name);
    }
    for (size_t i = 0; i < r->nnamed; i++) {
        char num[32];
        snprintf(num, sizeof num, "%" PRIu64, r->named_count[i]);
        meta_kv(p, r->named[i].key[0] == 'C' ? "trace.counter." : "trace.instant.",
                r->named[i].key + 1, num);
    }
    if (r->named_dropped) meta_u64(p, "trace.names_not_kept", r->named_dropped);
    for (size_t i = 0; i < r->nother; i++)
        if (r->other[i].value) meta_kv(p, "trace.otherData.", r->other[i].key, r->other[i].value);
    struct {
        const char *key;
        uint64_t v;
    } problems[] = {
        {"trace.invalid_events", r->invalid},      {"trace.complete_without_dur", r->no_dur},
        {"trace.unmatched_end", r->unmatched_end}, {"trace.mismatched_end", r->mismatched_end},
        {"trace.unclosed_begin", r->unclosed},     {"trace.clipped", r->clipped},
        {"trace.end_before_begin", r->backwards},
    };
    for (size_t i = 0; i < sizeof problems / sizeof problems[0]; i++)
        if (problems[i].v) meta_u64(p, problems[i].key, problems[i].v);
    if (r->any_time) {
        char num[48];
        snprintf(num, sizeof num, "%.9f", (double)(r->t_max - r->t_min) / 1e9);
        pk_meta_set(p, "duration_s", pk_intern_cstr(p, num));
        if (r->has_base_time) {
            iso_time(num, sizeof num, r->base_time_ns + r->t_min);
            pk_meta_set(p, "start_time", pk_intern_cstr(p, num));
        }
    }
    if (r->opt && r->opt->verbose) {
        fprintf(stderr,
                "%s: %" PRIu32 " events, %zu threads; %" PRIu64 " invalid, %" PRIu64
                " complete without dur, %" PRIu64 " ends without begin, %" PRIu64
                " ends naming another event, %" PRIu64 " begins never ended, %" PRIu64
                " events not nested in their parent (clipped)\n",
                pk_input_name(r->in), r->nevents, r->nthreads, r->invalid, r->no_dur,
                r->unmatched_end, r->mismatched_end, r->unclosed, r->clipped + r->backwards);
        if (r->first_problem[0])
            fprintf(stderr, "%s: first: %s\n", pk_input_name(r->in), r->first_problem);
    }
}

static void trace_read(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    reader *r = pk_xcalloc(1, sizeof *r);
    r->in = in;
    r->p = p;
    r->opt = opt;
    r->viz_overflow = -1;
    sk_map_init(&r->funcs, p);
    pk_input_on_fail(in, reader_free, r);
    parse(r);
    build(r);
    set_metadata(r);
    pk_input_on_fail(in, NULL, NULL);
    reader_free(r);
}

/* Object form with a traceEvents key near the start, or an array whose first
 * element has a phase. */
static int trace_probe(const uint8_t *head, size_t len)
{
    size_t i = 0;
    while (i < len && isspace(head[i]))
        i++;
    if (i == len) return 0;
    if (head[i] == '{') return memmem(head, len, "\"traceEvents\"", 13) ? 90 : 0;
    if (head[i] != '[') return 0;
    for (i++; i < len && isspace(head[i]);)
        i++;
    if (i == len || head[i] != '{') return 0;
    return memmem(head, len, "\"ph\"", 4) && memmem(head, len, "\"ts\"", 4) ? 80 : 0;
}

const pk_format pk_format_chrome_trace = {
    .name = "chrome-trace",
    .patterns = "*.trace.json *.trace.json.gz",
    .description = "Chrome trace-event JSON (viztracer, chrome://tracing, Perfetto)",
    .probe = trace_probe,
    .read = trace_read,
    .write = NULL,
};
