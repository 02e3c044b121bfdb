/* The timeline's storage: samples and spans as delta-coded varint records.
 *
 * A sample record is a flags byte, the node id, the zigzag change of the time
 * step (t - previous t, less the previous step: a steady sampler costs one
 * byte), the site when the timeline keeps sites, then the thread index when
 * it changed and the zigzag change of each value when any changed. A span
 * record is the same with the start's step and the duration in place of the
 * values.
 */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "hmap.h"

enum { REC_THREAD = 1, REC_VALUES = 2 };

typedef struct {
    uint8_t *data;
    size_t len, cap, count;
    int64_t last_t, last_step; /* the encoder's state */
    pk_sample last;
} stream;

struct pk_timeline {
    pk_clock clock;
    int nmetrics; /* of the samples, fixed by the first one */
    stream samples, spans;
    pk_thread *threads;
    size_t nthreads, capthreads;
    pk_site *sites; /* NULL, or every sample and span has a site, */
    size_t nsites;
    bool sites_pending; /* but for sites kept and not yet given to them */
    bool any_time;
    int64_t first_ns, last_ns;
};

pk_timeline *pk_timeline_get(pk_profile *p, pk_clock clock)
{
    if (!p->timeline) {
        p->timeline = pk_xcalloc(1, sizeof *p->timeline);
        p->timeline->clock = clock;
        p->timeline->nmetrics = -1;
    }
    return p->timeline;
}

pk_clock pk_timeline_clock(const pk_timeline *t)
{
    return t->clock;
}

void pk_timeline_free(pk_timeline *t)
{
    if (!t) return;
    free(t->samples.data);
    free(t->spans.data);
    free(t->threads);
    free(t->sites);
    free(t);
}

/* ---- threads ---- */

uint32_t pk_thread_get(pk_profile *p, uint64_t pid, uint64_t tid, const char *name)
{
    pk_timeline *t = pk_timeline_get(p, PK_CLOCK_NS);
    /* Profiles have a handful of threads: a linear search is enough. */
    for (size_t i = 0; i < t->nthreads; i++) {
        pk_thread *th = &t->threads[i];
        if (th->pid != pid || th->tid != tid) continue;
        if (name && *name && !*th->name) th->name = pk_intern_cstr(p, name);
        return (uint32_t)i;
    }
    PK_GROW(t->threads, t->capthreads, t->nthreads + 1);
    t->threads[t->nthreads] = (pk_thread){pid, tid, pk_intern_cstr(p, name ? name : "")};
    return (uint32_t)t->nthreads++;
}

size_t pk_nthreads(const pk_profile *p)
{
    return p->timeline ? p->timeline->nthreads : 0;
}

const pk_thread *pk_thread_at(const pk_profile *p, uint32_t index)
{
    return p->timeline && index < p->timeline->nthreads ? &p->timeline->threads[index] : NULL;
}

/* ---- varints ---- */

static int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void put_varint(stream *s, uint64_t v)
{
    PK_GROW(s->data, s->cap, s->len + 10);
    s->len += pk_put_varint(s->data + s->len, v);
}

/* Records were written by put_varint: no bounds to check but the stream's. */
static uint64_t get_varint(const stream *s, size_t *pos)
{
    uint64_t v = 0;
    for (int shift = 0; *pos < s->len; shift += 7) {
        uint8_t b = s->data[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
    }
    return v;
}

static void note_time(pk_timeline *t, int64_t a, int64_t b)
{
    if (!t->any_time || a < t->first_ns) t->first_ns = a;
    if (!t->any_time || b > t->last_ns) t->last_ns = b;
    t->any_time = true;
}

/* The common head of both records: flags, node, change of the time step. */
static void put_head(stream *s, uint8_t flags, pk_id node, int64_t t)
{
    PK_GROW(s->data, s->cap, s->len + 1);
    s->data[s->len++] = flags;
    put_varint(s, node);
    int64_t step = (int64_t)((uint64_t)t - (uint64_t)s->last_t);
    put_varint(s, pk_zigzag((int64_t)((uint64_t)step - (uint64_t)s->last_step)));
    s->last_t = t;
    s->last_step = step;
    s->count++;
}

/* ---- samples ---- */

void pk_sample_add(pk_profile *p, const pk_sample *smp)
{
    pk_timeline *t = pk_timeline_get(p, PK_CLOCK_NS);
    if (t->nmetrics < 0) t->nmetrics = p->nmetrics;
    if (t->nmetrics != p->nmetrics) abort(); /* a reader bug: metrics added after samples */
    stream *s = &t->samples;
    uint8_t flags = 0;
    if (s->count == 0 || smp->thread != s->last.thread) flags |= REC_THREAD;
    if (memcmp(smp->v, s->last.v, (size_t)t->nmetrics * sizeof smp->v[0]) != 0) flags |= REC_VALUES;
    put_head(s, flags, smp->node, smp->t_ns);
    if (t->sites && !t->sites_pending) put_varint(s, smp->site);
    if (flags & REC_THREAD) put_varint(s, smp->thread);
    if (flags & REC_VALUES)
        for (int m = 0; m < t->nmetrics; m++)
            put_varint(s, pk_zigzag((int64_t)((uint64_t)smp->v[m] - (uint64_t)s->last.v[m])));
    s->last = *smp;
    note_time(t, smp->t_ns, smp->t_ns);
}

size_t pk_nsamples(const pk_profile *p)
{
    return p->timeline ? p->timeline->samples.count : 0;
}

void pk_samples_begin(const pk_profile *p, pk_sample_iter *it)
{
    *it = (pk_sample_iter){.t = p->timeline, .left = pk_nsamples(p)};
}

/* Reads the head into prev; returns the flags. */
static uint8_t get_head(const stream *s, size_t *pos, pk_id *node, int64_t *t, int64_t *step)
{
    uint8_t flags = s->data[(*pos)++];
    *node = (pk_id)get_varint(s, pos);
    *step = (int64_t)((uint64_t)*step + (uint64_t)unzigzag(get_varint(s, pos)));
    *t = (int64_t)((uint64_t)*t + (uint64_t)*step);
    return flags;
}

bool pk_samples_next(pk_sample_iter *it, pk_sample *out)
{
    if (it->left == 0) return false;
    it->left--;
    const stream *s = &it->t->samples;
    pk_sample *prev = &it->prev;
    uint8_t flags = get_head(s, &it->pos, &prev->node, &prev->t_ns, &it->step);
    if (it->t->sites && !it->t->sites_pending) prev->site = (pk_id)get_varint(s, &it->pos);
    if (flags & REC_THREAD) prev->thread = (uint32_t)get_varint(s, &it->pos);
    if (flags & REC_VALUES)
        for (int m = 0; m < it->t->nmetrics; m++)
            prev->v[m] =
                (int64_t)((uint64_t)prev->v[m] + (uint64_t)unzigzag(get_varint(s, &it->pos)));
    *out = *prev;
    return true;
}

/* ---- spans ---- */

void pk_span_add(pk_profile *p, const pk_span *sp)
{
    pk_timeline *t = pk_timeline_get(p, PK_CLOCK_NS);
    stream *s = &t->spans;
    uint8_t flags = s->count == 0 || sp->thread != s->last.thread ? REC_THREAD : 0;
    put_head(s, flags, sp->node, sp->start_ns);
    if (t->sites && !t->sites_pending) put_varint(s, sp->site);
    if (flags & REC_THREAD) put_varint(s, sp->thread);
    put_varint(s, (uint64_t)sp->end_ns - (uint64_t)sp->start_ns);
    s->last.thread = sp->thread;
    note_time(t, sp->start_ns, sp->end_ns > sp->start_ns ? sp->end_ns : sp->start_ns);
}

size_t pk_nspans(const pk_profile *p)
{
    return p->timeline ? p->timeline->spans.count : 0;
}

void pk_spans_begin(const pk_profile *p, pk_span_iter *it)
{
    *it = (pk_span_iter){.t = p->timeline, .left = pk_nspans(p)};
}

bool pk_spans_next(pk_span_iter *it, pk_span *out)
{
    if (it->left == 0) return false;
    it->left--;
    const stream *s = &it->t->spans;
    pk_span *prev = &it->prev;
    uint8_t flags = get_head(s, &it->pos, &prev->node, &prev->start_ns, &it->step);
    if (it->t->sites && !it->t->sites_pending) prev->site = (pk_id)get_varint(s, &it->pos);
    if (flags & REC_THREAD) prev->thread = (uint32_t)get_varint(s, &it->pos);
    prev->end_ns = (int64_t)((uint64_t)prev->start_ns + get_varint(s, &it->pos));
    *out = *prev;
    return true;
}

bool pk_timeline_range(const pk_profile *p, int64_t *first_ns, int64_t *last_ns)
{
    const pk_timeline *t = p->timeline;
    if (!t || !t->any_time) return false;
    *first_ns = t->first_ns;
    *last_ns = t->last_ns;
    return true;
}

/* ---- sites: the stacks line by line ---- */

static void copy_sites(pk_timeline *dst, const pk_timeline *src)
{
    dst->sites = pk_xmalloc((src->nsites + 1) * sizeof *dst->sites);
    memcpy(dst->sites, src->sites, src->nsites * sizeof *dst->sites);
    dst->nsites = src->nsites;
}

const pk_site *pk_timeline_sites(const pk_profile *p, size_t *n)
{
    *n = p->timeline ? p->timeline->nsites : 0;
    return p->timeline ? p->timeline->sites : NULL;
}

/* The sites are the tree's nodes now; the samples get theirs (their node)
 * in the copy the rebuild makes, so the timeline is copied once. */
void pk_timeline_keep_sites(pk_profile *p)
{
    pk_timeline *t = p->timeline;
    if (!t || t->sites || (t->samples.count == 0 && t->spans.count == 0)) return;
    t->sites = pk_xmalloc((p->nnodes + 1) * sizeof *t->sites);
    t->nsites = p->nnodes;
    for (size_t i = 0; i < p->nnodes; i++) {
        const pk_node *n = &p->nodes[i];
        t->sites[i] = (pk_site){i ? n->parent : PK_NONE, i ? n->func : PK_NONE, n->line};
    }
    t->sites_pending = true;
}

/* ---- copies through a node map ---- */

void pk_timeline_copy_mapped(pk_profile *dst, const pk_profile *src, const pk_id *node_map)
{
    const pk_timeline *st = src->timeline;
    if (!st) return;
    pk_timeline *dt = pk_timeline_get(dst, st->clock);
    if (st->sites && !dt->sites && pk_nsamples(dst) == 0 && pk_nspans(dst) == 0) copy_sites(dt, st);
    bool give_sites = st->sites_pending && dt->sites;
    uint32_t *thread_map = pk_xmalloc((st->nthreads + 1) * sizeof *thread_map);
    for (size_t i = 0; i < st->nthreads; i++) {
        const pk_thread *th = &st->threads[i];
        thread_map[i] = pk_thread_get(dst, th->pid, th->tid, th->name);
    }
    pk_sample_iter si;
    pk_sample smp;
    for (pk_samples_begin(src, &si); pk_samples_next(&si, &smp);) {
        if (give_sites) smp.site = smp.node;
        smp.node = node_map[smp.node];
        if (smp.thread < st->nthreads) smp.thread = thread_map[smp.thread];
        if (smp.node != PK_NONE) pk_sample_add(dst, &smp);
    }
    pk_span_iter pi;
    pk_span sp;
    for (pk_spans_begin(src, &pi); pk_spans_next(&pi, &sp);) {
        if (give_sites) sp.site = sp.node;
        sp.node = node_map[sp.node];
        if (sp.thread < st->nthreads) sp.thread = thread_map[sp.thread];
        if (sp.node != PK_NONE) pk_span_add(dst, &sp);
    }
    free(thread_map);
}

/* ---- windows ---- */

bool pk_timeline_timed(const pk_profile *p)
{
    int64_t a, b;
    return p->timeline && p->timeline->clock == PK_CLOCK_NS && pk_timeline_range(p, &a, &b);
}

void pk_timeline_count_calls(pk_profile *p)
{
    int64_t *spans = pk_xcalloc(p->nnodes + 1, sizeof *spans);
    pk_span_iter pi;
    pk_span sp;
    for (pk_spans_begin(p, &pi); pk_spans_next(&pi, &sp);)
        if (sp.node < p->nnodes) spans[sp.node]++;
    for (size_t n = 1; n < p->nnodes; n++) {
        if (!spans[n]) continue;
        const pk_node *node = &p->nodes[n];
        bool primitive = true;
        for (pk_id up = node->parent; up != PK_NONE && up != 0 && primitive;
             up = p->nodes[up].parent)
            primitive = p->nodes[up].func != node->func;
        int64_t prim = primitive ? spans[n] : 0;
        pk_function *f = &p->funcs[node->func];
        f->calls += spans[n];
        f->pcalls += prim;
        if (node->parent == 0 || node->parent == PK_NONE) continue;
        pk_edge *e = pk_edge_find(p, p->nodes[node->parent].func, node->func);
        if (e) e->calls += spans[n], e->pcalls += prim;
    }
    free(spans);
    p->has_calls = true;
}

bool *pk_timeline_span_nodes(const pk_profile *p)
{
    if (!pk_nspans(p)) return NULL;
    bool *is = pk_xcalloc(p->nnodes + 1, sizeof *is);
    pk_span_iter it;
    pk_span sp;
    for (pk_spans_begin(p, &it); pk_spans_next(&it, &sp);)
        if (sp.node < p->nnodes) is[sp.node] = true;
    return is;
}

void pk_timeline_window(pk_profile *p, int64_t from_ns, int64_t to_ns)
{
    int64_t first, last;
    if (!pk_timeline_range(p, &first, &last)) return;
    int64_t lo = pk_window_end(first, from_ns), hi = pk_window_end(first, to_ns);
    int nm = p->nmetrics;
    for (size_t n = 0; n < p->nnodes; n++)
        memset(p->nodes[n].self, 0, sizeof p->nodes[n].self);
    bool *span_node = pk_timeline_span_nodes(p);
    pk_profile kept = {0};
    pk_timeline_get(&kept, p->timeline->clock);
    for (size_t i = 0; i < p->timeline->nthreads; i++) {
        const pk_thread *th = &p->timeline->threads[i];
        PK_GROW(kept.timeline->threads, kept.timeline->capthreads, i + 1);
        kept.timeline->threads[kept.timeline->nthreads++] = *th;
    }
    if (p->timeline->sites) copy_sites(kept.timeline, p->timeline);
    kept.nmetrics = nm;
    pk_sample_iter si;
    pk_sample smp;
    for (pk_samples_begin(p, &si); pk_samples_next(&si, &smp);) {
        if (smp.t_ns < lo || smp.t_ns >= hi || smp.node >= p->nnodes) continue;
        for (int m = 0; m < nm; m++)
            p->nodes[smp.node].self[m] += smp.v[m];
        pk_sample_add(&kept, &smp);
    }
    /* a span's node holds its duration less its children's, on metric 0 */
    pk_span_iter pi;
    pk_span sp;
    for (pk_spans_begin(p, &pi); pk_spans_next(&pi, &sp);) {
        /* an instant (a call of no duration) is kept where it happened */
        bool instant = sp.end_ns == sp.start_ns && sp.start_ns >= lo && sp.start_ns < hi;
        if (sp.start_ns < lo) sp.start_ns = lo;
        if (sp.end_ns > hi) sp.end_ns = hi;
        if ((sp.end_ns <= sp.start_ns && !instant) || sp.node >= p->nnodes) continue;
        int64_t d = sp.end_ns - sp.start_ns;
        p->nodes[sp.node].self[0] += d;
        pk_id parent = p->nodes[sp.node].parent;
        if (parent != PK_NONE && span_node[parent]) p->nodes[parent].self[0] -= d;
        pk_span_add(&kept, &sp);
    }
    free(span_node);
    pk_timeline_free(p->timeline);
    p->timeline = kept.timeline;
}
