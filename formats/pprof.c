/* pprof: profile.proto (github.com/google/pprof/proto/profile.proto),
 * gzip-compressed. Protobuf is encoded and decoded by hand: the schema is
 * small and fixed. Samples carry stacks leaf first; a location's several
 * lines are inlined frames, the last one being the caller; a location
 * without lines (unsymbolized) is one native frame named by its address. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../lib/hmap.h"
#include "../lib/limits.h"
#include "../lib/timeline.h"
#include "format.h"

/* Field numbers of profile.proto used here. */
enum {
    PROFILE_SAMPLE_TYPE = 1,
    PROFILE_SAMPLE = 2,
    PROFILE_MAPPING = 3,
    PROFILE_LOCATION = 4,
    PROFILE_FUNCTION = 5,
    PROFILE_STRING_TABLE = 6,
    PROFILE_TIME_NANOS = 9,
    PROFILE_DURATION_NANOS = 10,
    PROFILE_PERIOD_TYPE = 11,
    PROFILE_PERIOD = 12,
    PROFILE_COMMENT = 13,
    PROFILE_DEFAULT_SAMPLE_TYPE = 14,
    VALUETYPE_TYPE = 1,
    VALUETYPE_UNIT = 2,
    SAMPLE_LOCATION_ID = 1,
    SAMPLE_VALUE = 2,
    SAMPLE_LABEL = 3,
    LABEL_KEY = 1,
    LABEL_STR = 2,
    LOCATION_ID = 1,
    LOCATION_MAPPING_ID = 2,
    LOCATION_ADDRESS = 3,
    LOCATION_LINE = 4,
    LINE_FUNCTION_ID = 1,
    LINE_LINE = 2,
    FUNCTION_ID = 1,
    FUNCTION_NAME = 2,
    FUNCTION_SYSTEM_NAME = 3,
    FUNCTION_FILENAME = 4,
    FUNCTION_START_LINE = 5,
    MAPPING_ID = 1,
    MAPPING_FILENAME = 5,
};

/* ---- encoding ---- */

typedef struct {
    uint8_t *data;
    size_t len, cap;
} buf;

static void put_bytes(buf *b, const void *s, size_t n)
{
    PK_GROW(b->data, b->cap, b->len + n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void put_varint(buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    put_bytes(b, tmp, n);
}

static void put_int(buf *b, int field, uint64_t v)
{
    if (v == 0) return; /* the default is not written */
    put_varint(b, (uint64_t)field << 3);
    put_varint(b, v);
}

static void put_len(buf *b, int field, const void *s, size_t n)
{
    put_varint(b, (uint64_t)field << 3 | 2);
    put_varint(b, n);
    put_bytes(b, s, n);
}

/* Append sub as a length-delimited field and empty it for reuse. */
static void put_message(buf *b, int field, buf *sub)
{
    put_len(b, field, sub->data, sub->len);
    sub->len = 0;
}

/* Dense numbering of 64-bit keys (string pointers, (function, line) pairs). */
typedef struct {
    pk_hmap map;
    uint64_t *keys;
    size_t n, cap;
} numbering;

static bool key_is(const void *ctx, uint32_t id)
{
    const numbering *t = ((const void *const *)ctx)[0];
    return t->keys[id] == *(const uint64_t *)((const void *const *)ctx)[1];
}

static uint64_t number_of(numbering *t, uint64_t key)
{
    uint64_t h = pk_hash_mix(7, key);
    const void *ctx[2] = {t, &key};
    uint32_t id = pk_hmap_find(&t->map, h, key_is, ctx);
    if (id != UINT32_MAX) return id;
    PK_GROW(t->keys, t->cap, t->n + 1);
    t->keys[t->n] = key;
    pk_hmap_insert(&t->map, h, (uint32_t)t->n);
    return t->n++;
}

static void numbering_free(numbering *t)
{
    pk_hmap_free(&t->map);
    free(t->keys);
}

static uint64_t string_index(numbering *strings, const char *s)
{
    return number_of(strings, (uintptr_t)s);
}

static const char *pprof_unit(const char *unit)
{
    if (strcmp(unit, "ns") == 0) return "nanoseconds";
    if (strcmp(unit, "samples") == 0) return "count";
    return unit;
}

typedef struct {
    pk_profile *p;
    buf out, msg, sub;
    numbering strings, locations, mappings; /* mappings: of file names */
    uint64_t *loc_ids;                      /* per node: its location id */
} pprof_writer;

static void write_sample_types(pprof_writer *w)
{
    pk_profile *p = w->p;
    for (int m = 0; m < p->nmetrics; m++) {
        put_int(&w->msg, VALUETYPE_TYPE, string_index(&w->strings, p->metrics[m].name));
        const char *unit = pk_intern_cstr(p, pprof_unit(p->metrics[m].unit));
        put_int(&w->msg, VALUETYPE_UNIT, string_index(&w->strings, unit));
        put_message(&w->out, PROFILE_SAMPLE_TYPE, &w->msg);
    }
}

static void write_sample(pprof_writer *w, pk_id node, const int64_t *v, const char *thread)
{
    pk_profile *p = w->p;
    for (pk_id a = node; a != 0; a = p->nodes[a].parent)
        put_varint(&w->sub, w->loc_ids[a] ? w->loc_ids[a] : 1);
    put_message(&w->msg, SAMPLE_LOCATION_ID, &w->sub);
    for (int m = 0; m < p->nmetrics; m++)
        put_varint(&w->sub, (uint64_t)v[m]);
    put_message(&w->msg, SAMPLE_VALUE, &w->sub);
    if (thread) {
        put_int(&w->sub, LABEL_KEY, string_index(&w->strings, pk_intern_cstr(p, "thread")));
        put_int(&w->sub, LABEL_STR, string_index(&w->strings, thread));
        put_message(&w->msg, SAMPLE_LABEL, &w->sub);
    }
    put_message(&w->out, PROFILE_SAMPLE, &w->msg);
}

/* With a timeline of samples: one sample per (node, thread) with the values
 * of the thread's samples there, labelled with the thread's name, as pprof's
 * own profilers label goroutines. False (nothing written) when the samples
 * do not make the tree's values. */
static bool write_thread_samples(pprof_writer *w)
{
    pk_profile *p = w->p;
    size_t nt = pk_nthreads(p), nm = (size_t)p->nmetrics;
    if (!pk_nsamples(p) || !nt) return false;
    numbering keys = {0};
    int64_t *sum = NULL, *check = pk_xcalloc(p->nnodes * nm, sizeof *check);
    size_t cap = 0;
    pk_sample_iter it;
    pk_sample s;
    for (pk_samples_begin(p, &it); pk_samples_next(&it, &s);) {
        if (s.node == 0 || s.node >= p->nnodes || s.thread >= nt) continue;
        size_t k = number_of(&keys, (uint64_t)s.node << 32 | s.thread);
        if ((k + 1) * nm > cap) {
            size_t old = cap;
            PK_GROW(sum, cap, (k + 1) * nm);
            memset(sum + old, 0, (cap - old) * sizeof *sum);
        }
        for (size_t m = 0; m < nm; m++) {
            sum[k * nm + m] += s.v[m];
            check[s.node * nm + m] += s.v[m];
        }
    }
    bool same = true;
    for (size_t n = 1; n < p->nnodes && same; n++)
        same = memcmp(&check[n * nm], p->nodes[n].self, nm * sizeof *check) == 0;
    for (size_t k = 0; same && k < keys.n; k++) {
        const pk_thread *th = pk_thread_at(p, (uint32_t)(keys.keys[k] & 0xffffffffu));
        char name[48];
        const char *label = th->name;
        if (!*label) {
            snprintf(name, sizeof name, "%" PRIu64, th->tid);
            label = pk_intern_cstr(p, name);
        }
        write_sample(w, (pk_id)(keys.keys[k] >> 32), &sum[k * nm], label);
    }
    free(sum);
    free(check);
    numbering_free(&keys);
    return same;
}

/* One sample per node with a value of its own; the stack is the path up. */
static void write_samples(pprof_writer *w)
{
    pk_profile *p = w->p;
    for (size_t i = 1; i < p->nnodes; i++) {
        const pk_node *n = &p->nodes[i];
        w->loc_ids[i] = 1 + number_of(&w->locations, (uint64_t)n->func << 32 | (uint32_t)n->line);
    }
    if (write_thread_samples(w)) return;
    for (size_t i = 1; i < p->nnodes; i++) {
        const pk_node *n = &p->nodes[i];
        bool any = false;
        for (int m = 0; m < p->nmetrics; m++)
            any |= n->self[m] != 0;
        if (any) write_sample(w, (pk_id)i, n->self, NULL);
    }
}

/* A function the reader made of an unsymbolized address (its name the
 * address as address_function writes it): true with the address. */
static bool address_of(const pk_function *fn, uint64_t *address)
{
    if (fn->kind != PK_KIND_NATIVE || fn->line != 0 || strncmp(fn->name, "0x", 2) != 0)
        return false;
    const char *hex = fn->name + 2;
    size_t n = strspn(hex, "0123456789abcdef");
    if (n == 0 || n > 16 || hex[n] || (hex[0] == '0' && n > 1)) return false;
    *address = strtoull(hex, NULL, 16);
    return true;
}

/* Written back as the reader found it: a location with an address, no
 * lines, in a mapping of its file (none without a file). */
static void write_address_location(pprof_writer *w, const pk_function *fn, uint64_t address)
{
    if (fn->file[0])
        put_int(&w->msg, LOCATION_MAPPING_ID, 1 + number_of(&w->mappings, (uintptr_t)fn->file));
    put_int(&w->msg, LOCATION_ADDRESS, address);
}

static void write_locations_and_functions(pprof_writer *w)
{
    pk_profile *p = w->p;
    for (size_t i = 0; i < w->locations.n; i++) {
        uint64_t key = w->locations.keys[i], address;
        const pk_function *fn = &p->funcs[key >> 32];
        put_int(&w->msg, LOCATION_ID, i + 1);
        if (address_of(fn, &address)) {
            write_address_location(w, fn, address);
        } else {
            put_int(&w->sub, LINE_FUNCTION_ID, (key >> 32) + 1);
            put_int(&w->sub, LINE_LINE, (uint64_t)(int64_t)(int32_t)(uint32_t)key);
            put_message(&w->msg, LOCATION_LINE, &w->sub);
        }
        put_message(&w->out, PROFILE_LOCATION, &w->msg);
    }
    for (size_t m = 0; m < w->mappings.n; m++) {
        const char *file = (const char *)(uintptr_t)w->mappings.keys[m];
        put_int(&w->msg, MAPPING_ID, m + 1);
        put_int(&w->msg, MAPPING_FILENAME, string_index(&w->strings, file));
        put_message(&w->out, PROFILE_MAPPING, &w->msg);
    }
    for (size_t f = 0; f < p->nfuncs; f++) {
        const pk_function *fn = &p->funcs[f];
        uint64_t address;
        if (address_of(fn, &address)) continue; /* its locations have no lines */
        put_int(&w->msg, FUNCTION_ID, f + 1);
        put_int(&w->msg, FUNCTION_NAME, string_index(&w->strings, fn->name));
        put_int(&w->msg, FUNCTION_SYSTEM_NAME, string_index(&w->strings, fn->name));
        put_int(&w->msg, FUNCTION_FILENAME, string_index(&w->strings, fn->file));
        put_int(&w->msg, FUNCTION_START_LINE, (uint64_t)(int64_t)fn->line);
        put_message(&w->out, PROFILE_FUNCTION, &w->msg);
    }
}

static int gzip_to(FILE *f, const buf *b, pk_error *err)
{
    z_stream z = {0};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        pk_error_set(err, "cannot start zlib");
        return -1;
    }
    uint8_t chunk[65536];
    z.next_in = b->data;
    z.avail_in = (uInt)b->len;
    int rc;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        rc = deflate(&z, Z_FINISH);
        fwrite(chunk, 1, sizeof chunk - z.avail_out, f);
    } while (rc == Z_OK);
    deflateEnd(&z);
    if (rc != Z_STREAM_END) pk_error_set(err, "zlib compression failed");
    return rc == Z_STREAM_END ? 0 : -1;
}

static int write_pprof(pk_profile *p, FILE *f, const pk_write_options *opt, pk_error *err)
{
    (void)opt;
    pk_ensure_tree(p);
    pprof_writer w = {.p = p};
    w.loc_ids = pk_xcalloc(p->nnodes + 1, sizeof *w.loc_ids);
    string_index(&w.strings, pk_intern_cstr(p, "")); /* string 0 is "" */
    write_sample_types(&w);
    write_samples(&w);
    write_locations_and_functions(&w);
    if (p->estimated) {
        const char *note = pk_intern_cstr(p, "stacks estimated from a call graph");
        put_int(&w.out, PROFILE_COMMENT, string_index(&w.strings, note));
    }
    /* The string table goes last: only now is it complete. */
    for (size_t i = 0; i < w.strings.n; i++) {
        const char *s = (const char *)(uintptr_t)w.strings.keys[i];
        put_len(&w.out, PROFILE_STRING_TABLE, s, strlen(s));
    }
    int rc = gzip_to(f, &w.out, err);
    free(w.out.data);
    free(w.msg.data);
    free(w.sub.data);
    free(w.loc_ids);
    numbering_free(&w.strings);
    numbering_free(&w.locations);
    numbering_free(&w.mappings);
    return rc;
}

/* ---- decoding ---- */

typedef struct {
    pk_input *in;
    const uint8_t *base; /* start of the whole message, for offsets */
} decoder;

typedef struct {
    const uint8_t *p, *end;
} span;

static uint64_t get_varint(decoder *d, span *s)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (s->p >= s->end) pk_fail(d->in, (uint64_t)(s->p - d->base), "truncated protobuf varint");
        uint8_t b = *s->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    pk_fail(d->in, (uint64_t)(s->p - d->base), "protobuf varint longer than 10 bytes");
}

/* Next field of s: its number and wire type; varint value or sub-span. */
typedef struct {
    uint32_t field, wire;
    uint64_t value;
    span sub;
} field;

static bool next_field(decoder *d, span *s, field *f)
{
    if (s->p >= s->end) return false;
    const uint8_t *at = s->p;
    uint64_t tag = get_varint(d, s);
    f->field = (uint32_t)(tag >> 3);
    f->wire = tag & 7;
    switch (f->wire) {
    case 0:
        f->value = get_varint(d, s);
        break;
    case 1:
    case 5: {
        size_t n = f->wire == 1 ? 8 : 4;
        if ((size_t)(s->end - s->p) < n)
            pk_fail(d->in, (uint64_t)(at - d->base), "truncated protobuf fixed field");
        f->value = 0;
        memcpy(&f->value, s->p, n);
        s->p += n;
        break;
    }
    case 2: {
        uint64_t n = get_varint(d, s);
        if (n > (uint64_t)(s->end - s->p))
            pk_fail(d->in, (uint64_t)(at - d->base),
                    "protobuf field %u claims %llu bytes, %zu left", f->field,
                    (unsigned long long)n, (size_t)(s->end - s->p));
        f->sub = (span){s->p, s->p + n};
        s->p += n;
        break;
    }
    default:
        pk_fail(d->in, (uint64_t)(at - d->base), "unsupported protobuf wire type %u", f->wire);
    }
    if (f->field == 0) pk_fail(d->in, (uint64_t)(at - d->base), "protobuf field number 0");
    return true;
}

/* Calls each(ctx, value) for a repeated integer field, packed or not. */
static void each_int(decoder *d, const field *f, void (*each)(void *, uint64_t), void *ctx)
{
    if (f->wire == 0) {
        each(ctx, f->value);
        return;
    }
    if (f->wire != 2) pk_fail(d->in, (uint64_t)(f->sub.p - d->base), "bad repeated integer");
    span s = f->sub;
    while (s.p < s.end)
        each(ctx, get_varint(d, &s));
}

/* Each record keeps the offset of its message, for errors found later. */
typedef struct {
    uint64_t id, name, file, start_line;
    pk_id func;
    size_t offset;
} fn_rec;

/* A location without lines is one frame named by its address, its function
 * found at the first sample through it. */
typedef struct {
    uint64_t id, mapping_id, address;
    size_t first_line, nlines; /* in lines[] */
    pk_id address_func;        /* PK_NONE until found */
    size_t offset;
} loc_rec;

typedef struct {
    uint64_t id, filename;
    size_t offset;
} map_rec;

typedef struct {
    uint64_t function_id;
    int64_t line;
} line_rec;

typedef struct {
    decoder d;
    pk_profile *p;
    span *str;
    size_t nstr, capstr;
    fn_rec *fns;
    size_t nfns, capfns;
    loc_rec *locs;
    size_t nlocs, caplocs;
    map_rec *maps;
    size_t nmaps, capmaps;
    line_rec *lines;
    size_t nlines, caplines;
    uint64_t types[PK_MAX_METRICS][2];
    size_t type_offset[PK_MAX_METRICS];
    int ntypes, skipped_types;
    int64_t scale[PK_MAX_METRICS];
    /* stack scratch, per sample */
    uint64_t *ids;
    size_t nids, capids;
    int64_t values[PK_MAX_METRICS];
    int nvalues;
} pprof_reader;

/* String i of the table, named by the message at `offset`. */
static const char *string_at(pprof_reader *r, uint64_t i, size_t offset)
{
    if (i >= r->nstr)
        pk_fail(r->d.in, offset, "string index %llu out of range (%zu strings)",
                (unsigned long long)i, r->nstr);
    return pk_intern(r->p, (const char *)r->str[i].p, (size_t)(r->str[i].end - r->str[i].p));
}

static void first_pass(pprof_reader *r, span all)
{
    field f;
    while (next_field(&r->d, &all, &f)) {
        if (f.field == PROFILE_STRING_TABLE && f.wire == 2) {
            PK_GROW(r->str, r->capstr, r->nstr + 1);
            r->str[r->nstr++] = f.sub;
        }
    }
}

static void read_value_type(pprof_reader *r, span s)
{
    field f;
    uint64_t type = 0, unit = 0;
    size_t offset = (size_t)(s.p - r->d.base);
    while (next_field(&r->d, &s, &f)) {
        if (f.field == VALUETYPE_TYPE) type = f.value;
        if (f.field == VALUETYPE_UNIT) unit = f.value;
    }
    if (r->ntypes == PK_MAX_METRICS) {
        r->skipped_types++;
        return;
    }
    r->types[r->ntypes][0] = type;
    r->types[r->ntypes][1] = unit;
    r->type_offset[r->ntypes] = offset;
    r->ntypes++;
}

static void read_function(pprof_reader *r, span s)
{
    field f;
    fn_rec fn = {.offset = (size_t)(s.p - r->d.base)};
    while (next_field(&r->d, &s, &f)) {
        if (f.field == FUNCTION_ID) fn.id = f.value;
        if (f.field == FUNCTION_NAME) fn.name = f.value;
        if (f.field == FUNCTION_FILENAME) fn.file = f.value;
        if (f.field == FUNCTION_START_LINE) fn.start_line = f.value;
    }
    PK_GROW(r->fns, r->capfns, r->nfns + 1);
    r->fns[r->nfns++] = fn;
}

static void read_location(pprof_reader *r, span s)
{
    field f;
    loc_rec loc = {
        .first_line = r->nlines, .address_func = PK_NONE, .offset = (size_t)(s.p - r->d.base)};
    while (next_field(&r->d, &s, &f)) {
        if (f.field == LOCATION_ID) loc.id = f.value;
        if (f.field == LOCATION_MAPPING_ID) loc.mapping_id = f.value;
        if (f.field == LOCATION_ADDRESS) loc.address = f.value;
        if (f.field != LOCATION_LINE || f.wire != 2) continue;
        line_rec line = {0};
        field g;
        span ls = f.sub;
        while (next_field(&r->d, &ls, &g)) {
            if (g.field == LINE_FUNCTION_ID) line.function_id = g.value;
            if (g.field == LINE_LINE) line.line = (int64_t)g.value;
        }
        PK_GROW(r->lines, r->caplines, r->nlines + 1);
        r->lines[r->nlines++] = line;
        loc.nlines++;
    }
    PK_GROW(r->locs, r->caplocs, r->nlocs + 1);
    r->locs[r->nlocs++] = loc;
}

static void read_mapping(pprof_reader *r, span s)
{
    field f;
    map_rec map = {.offset = (size_t)(s.p - r->d.base)};
    while (next_field(&r->d, &s, &f)) {
        if (f.field == MAPPING_ID) map.id = f.value;
        if (f.field == MAPPING_FILENAME) map.filename = f.value;
    }
    PK_GROW(r->maps, r->capmaps, r->nmaps + 1);
    r->maps[r->nmaps++] = map;
}

static int cmp_fn(const void *a, const void *b)
{
    uint64_t x = ((const fn_rec *)a)->id, y = ((const fn_rec *)b)->id;
    return x < y ? -1 : x > y;
}

static int cmp_loc(const void *a, const void *b)
{
    uint64_t x = ((const loc_rec *)a)->id, y = ((const loc_rec *)b)->id;
    return x < y ? -1 : x > y;
}

static int cmp_map(const void *a, const void *b)
{
    uint64_t x = ((const map_rec *)a)->id, y = ((const map_rec *)b)->id;
    return x < y ? -1 : x > y;
}

/* (bsearch, like qsort, must not be given the NULL of an empty table) */
static const fn_rec *find_fn(pprof_reader *r, uint64_t id)
{
    fn_rec key = {.id = id};
    return r->nfns ? bsearch(&key, r->fns, r->nfns, sizeof key, cmp_fn) : NULL;
}

static loc_rec *find_loc(pprof_reader *r, uint64_t id)
{
    loc_rec key = {.id = id};
    return r->nlocs ? bsearch(&key, r->locs, r->nlocs, sizeof key, cmp_loc) : NULL;
}

static const map_rec *find_map(pprof_reader *r, uint64_t id)
{
    map_rec key = {.id = id};
    return r->nmaps ? bsearch(&key, r->maps, r->nmaps, sizeof key, cmp_map) : NULL;
}

/* The function of a location without lines: its address, in the file of its
 * mapping (mapping id 0 is none), as go tool pprof shows it unsymbolized. */
static pk_id address_function(pprof_reader *r, loc_rec *loc)
{
    if (loc->address_func != PK_NONE) return loc->address_func;
    const char *file = "";
    if (loc->mapping_id) {
        const map_rec *map = find_map(r, loc->mapping_id);
        if (!map)
            pk_fail(r->d.in, loc->offset, "location %llu names unknown mapping %llu",
                    (unsigned long long)loc->id, (unsigned long long)loc->mapping_id);
        file = string_at(r, map->filename, map->offset);
    }
    char name[24];
    snprintf(name, sizeof name, "0x%" PRIx64, loc->address);
    loc->address_func = pk_function_get(r->p, name, file, 0, PK_KIND_NATIVE);
    return loc->address_func;
}

/* Time units become ns, so that every time metric of the model is in ns. */
static void add_metrics(pprof_reader *r)
{
    static const struct {
        const char *unit;
        int64_t scale;
    } times[] = {{"nanoseconds", 1},
                 {"microseconds", 1000},
                 {"milliseconds", 1000000},
                 {"seconds", 1000000000}};
    for (int t = 0; t < r->ntypes; t++) {
        const char *type = string_at(r, r->types[t][0], r->type_offset[t]);
        const char *unit = string_at(r, r->types[t][1], r->type_offset[t]);
        r->scale[t] = 1;
        for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
            if (strcmp(unit, times[i].unit) == 0) r->scale[t] = times[i].scale, unit = "ns";
        if (pk_metric_find(r->p, type) >= 0)
            type = pk_intern_cstr(r->p, "value"); /* duplicate names stay distinct */
        pk_add_metric(r->p, type[0] ? type : "value", unit[0] ? unit : "count");
    }
}

static void collect_id(void *ctx, uint64_t v)
{
    pprof_reader *r = ctx;
    PK_GROW(r->ids, r->capids, r->nids + 1);
    r->ids[r->nids++] = v;
}

static void collect_value(void *ctx, uint64_t v)
{
    pprof_reader *r = ctx;
    if (r->nvalues < r->ntypes) r->values[r->nvalues] = (int64_t)v * r->scale[r->nvalues];
    r->nvalues++;
}

/* The child of node for (func, line), the stack one frame deeper. */
static pk_id push_frame(pprof_reader *r, pk_id node, size_t *depth, pk_id func, int64_t line,
                        uint64_t at)
{
    if (++*depth > PK_MAX_STACK_DEPTH)
        pk_fail(r->d.in, at, "stack deeper than %d frames", PK_MAX_STACK_DEPTH);
    return pk_tree_child(r->p, node, func, (int32_t)line);
}

static void read_sample(pprof_reader *r, span s)
{
    field f;
    r->nids = 0;
    r->nvalues = 0;
    memset(r->values, 0, sizeof r->values);
    while (next_field(&r->d, &s, &f)) {
        if (f.field == SAMPLE_LOCATION_ID) each_int(&r->d, &f, collect_id, r);
        if (f.field == SAMPLE_VALUE) each_int(&r->d, &f, collect_value, r);
    }
    /* Walk from the root (the last location) to the leaf, callers before the
     * functions inlined into them. */
    pk_id node = 0;
    size_t depth = 0;
    uint64_t at = (uint64_t)(s.p - r->d.base);
    for (size_t i = r->nids; i-- > 0;) {
        loc_rec *loc = find_loc(r, r->ids[i]);
        if (!loc)
            pk_fail(r->d.in, at, "sample names unknown location %llu",
                    (unsigned long long)r->ids[i]);
        if (loc->nlines == 0) node = push_frame(r, node, &depth, address_function(r, loc), 0, at);
        for (size_t l = loc->nlines; l-- > 0;) {
            const line_rec *line = &r->lines[loc->first_line + l];
            const fn_rec *fn = find_fn(r, line->function_id);
            if (!fn)
                pk_fail(r->d.in, loc->offset, "location %llu names unknown function %llu",
                        (unsigned long long)loc->id, (unsigned long long)line->function_id);
            node = push_frame(r, node, &depth, fn->func, line->line, at);
        }
    }
    for (int m = 0; m < r->ntypes; m++)
        r->p->nodes[node].self[m] += r->values[m];
}

static void reader_free(void *ctx)
{
    pprof_reader *r = ctx;
    free(r->str);
    free(r->fns);
    free(r->locs);
    free(r->maps);
    free(r->lines);
    free(r->ids);
}

static void read_pprof(pk_input *in, pk_profile *p, const pk_read_options *opt)
{
    (void)opt;
    size_t len;
    const uint8_t *data = pk_input_all(in, &len);
    pprof_reader r = {.d = {in, data}, .p = p};
    pk_input_on_fail(in, reader_free, &r);
    span all = {data, data + len};
    first_pass(&r, all);
    /* what is missing is missing at the end */
    if (r.nstr == 0) pk_fail(in, len, "pprof profile without a string table");
    field f;
    span s = all;
    while (next_field(&r.d, &s, &f)) {
        if (f.wire != 2) continue;
        if (f.field == PROFILE_SAMPLE_TYPE) read_value_type(&r, f.sub);
        if (f.field == PROFILE_FUNCTION) read_function(&r, f.sub);
        if (f.field == PROFILE_LOCATION) read_location(&r, f.sub);
        if (f.field == PROFILE_MAPPING) read_mapping(&r, f.sub);
    }
    if (r.ntypes == 0) pk_fail(in, len, "pprof profile without sample types");
    add_metrics(&r);
    pk_sort(r.fns, r.nfns, sizeof *r.fns, cmp_fn);
    pk_sort(r.locs, r.nlocs, sizeof *r.locs, cmp_loc);
    pk_sort(r.maps, r.nmaps, sizeof *r.maps, cmp_map);
    for (size_t i = 0; i < r.nfns; i++) {
        const char *name = string_at(&r, r.fns[i].name, r.fns[i].offset);
        const char *file = string_at(&r, r.fns[i].file, r.fns[i].offset);
        r.fns[i].func =
            pk_function_get(p, name, file, (int32_t)r.fns[i].start_line, pk_kind_guess(name, file));
    }
    s = all;
    while (next_field(&r.d, &s, &f))
        if (f.field == PROFILE_SAMPLE && f.wire == 2) read_sample(&r, f.sub);
    p->has_tree = true;
    if (r.skipped_types)
        pk_warn(in, "kept the first %d of %d sample types", PK_MAX_METRICS,
                PK_MAX_METRICS + r.skipped_types);
    pk_input_on_fail(in, NULL, NULL);
    reader_free(&r);
    pk_derive_graph(p);
    pk_derive_lines(p);
}

/* A pprof profile starts with one of its fields, usually sample_type (0x0a);
 * the whole head must then parse as protobuf with profile.proto's numbers. */
static bool looks_like_value_type(const uint8_t *p, size_t n)
{
    /* fields 1 and 2, varints of at most 5 bytes */
    for (size_t i = 0; i < n;) {
        if (p[i] != 0x08 && p[i] != 0x10) return false;
        size_t k = ++i;
        while (i < n && (p[i] & 0x80) && i - k < 5)
            i++;
        if (i >= n || (p[i] & 0x80)) return false;
        i++;
    }
    return n > 0;
}

/* profile.proto's wire type of each Profile field (1..14); -1 none. Field
 * 13 (comment) may come packed or not. */
static int field_wire(uint64_t fieldno)
{
    static const int8_t wire[15] = {-1, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 2, 0, 0, 0};
    return fieldno < 15 ? wire[fieldno] : -1;
}

/* Go's runtime/pprof writes time_nanos, period_type, locations, functions
 * and mappings before or among its samples; google/pprof's sample_type
 * first. Any order is taken when the head parses field by field with the
 * wire type profile.proto gives each number. */
static int probe_pprof(const uint8_t *head, size_t len)
{
    if (len < 4) return 0;
    bool sample_type_first =
        head[0] == 0x0a && head[1] <= len - 2 && looks_like_value_type(head + 2, head[1]);
    const uint8_t *p = head, *end = head + len;
    int fields = 0;
    bool whole = false;
    while (p < end) {
        uint64_t tag = 0, v = 0;
        int shift = 0;
        while (p < end && (*p & 0x80) && shift < 63)
            tag |= (uint64_t)(*p++ & 0x7f) << shift, shift += 7;
        if (p == end) break;
        tag |= (uint64_t)*p++ << shift;
        uint64_t fieldno = tag >> 3, wire = tag & 7;
        int want = field_wire(fieldno);
        if (want < 0 || (wire != (uint64_t)want && !(fieldno == 13 && wire == 2))) return 0;
        shift = 0;
        while (p < end && (*p & 0x80) && shift < 63)
            v |= (uint64_t)(*p++ & 0x7f) << shift, shift += 7;
        if (p == end) break;
        if (shift >= 63 && (*p & 0x80)) return 0;
        v |= (uint64_t)*p++ << shift;
        if (wire == 2) {
            if (v > (uint64_t)(end - p)) break; /* runs past the head: fine */
            p += v;
        }
        fields++;
        whole = p == end;
    }
    if (sample_type_first) return fields >= 2 ? 60 : 0;
    /* Without the usual start, more evidence: several fields, or all of a
     * small file. */
    return fields >= 4 || (whole && fields >= 2) ? 50 : 0;
}

const pk_format pk_format_pprof = {
    .name = "pprof",
    .patterns = "*.pb.gz *.pprof *.pb",
    .description = "pprof profile.proto, gzip-compressed (go tool pprof, Grafana)",
    .probe = probe_pprof,
    .read = read_pprof,
    .write = write_pprof,
};
