/* memray captures: what the allocation events make, and the views of it
 * (see memray.h; the records are decoded by memray.c).
 *
 * Streamed captures replay every event: the live set (address -> size and
 * location) gives what each location holds; peak (high-water mark)
 * contributions are tracked per location as memray does: each location
 * remembers what it held at the last peak it saw and what changed since, and
 * a peak is recorded on its falling edge, so the last record that reaches the
 * maximum wins. Leaks are what is held at the end; temporary allocations are
 * the ones freed within N allocations of their thread; total counts every
 * allocation. Aggregated captures carry memray's own peak and leaks.
 */
#include <string.h>

#include "memray.h"

/* ---- views ---------------------------------------------------------------- */

mr_view mr_view_parse(pk_input *in, const pk_read_options *opt)
{
    const char *v = opt && opt->view ? opt->view : "peak";
    if (!strcmp(v, "peak") || !strcmp(v, "high-water-mark")) return VIEW_PEAK;
    if (!strcmp(v, "leaks")) return VIEW_LEAKS;
    if (!strcmp(v, "temporary")) return VIEW_TEMPORARY;
    if (!strcmp(v, "total")) return VIEW_TOTAL;
    pk_fail(in, 0, "unknown memray view '%s' (peak, leaks, temporary, total)", v);
}

/* ---- live allocations ----------------------------------------------------- */

static void live_init(live_map *m, unsigned bits, size_t old_cap)
{
    m->slots = mr_table_alloc((size_t)1 << bits, sizeof *m->slots, &old_cap);
    m->mask = ((size_t)1 << bits) - 1;
    m->shift = 64 - bits;
    m->n = 0;
}

static live_slot *live_find(live_map *m, uint64_t addr)
{
    uint64_t key = addr | 1;
    for (size_t i = live_home(m, key);; i = (i + 1) & m->mask) {
        if (m->slots[i].key == key) return &m->slots[i];
        if (m->slots[i].key == 0) return NULL;
    }
}

static inline void live_insert(live_map *m, live_slot slot)
{
    size_t i = live_home(m, slot.key);
    while (m->slots[i].key && m->slots[i].key != slot.key)
        i = (i + 1) & m->mask;
    if (!m->slots[i].key) m->n++;
    m->slots[i] = slot;
}

static void live_grow(live_map *m)
{
    live_slot *old = m->slots;
    size_t cap = m->mask + 1;
    live_init(m, 64 - m->shift + 1, cap);
    for (size_t i = 0; i < cap; i++)
        if (old[i].key) live_insert(m, old[i]);
    free(old);
}

static void live_put(live_map *m, uint64_t addr, uint64_t size, uint32_t loc)
{
    if (2 * (m->n + 1) > m->mask + 1) live_grow(m);
    uint32_t small = (uint32_t)size;
    if (size >= LIVE_BIG) {
        uint32_t i = mr_map_find(&m->big_index, addr | 1); /* keyed as the slots are */
        if (i == PK_NONE) {
            m->big_sizes = grow(m->big_sizes, &m->capbig, m->nbig + 1, sizeof *m->big_sizes);
            i = (uint32_t)m->nbig++;
            mr_map_put(&m->big_index, addr | 1, i);
        }
        m->big_sizes[i] = size;
        small = LIVE_BIG;
    }
    live_insert(m, (live_slot){addr | 1, small, loc});
}

static uint64_t live_size(const live_map *m, const live_slot *s)
{
    if (s->size != LIVE_BIG) return s->size;
    return m->big_sizes[mr_map_find(&m->big_index, s->key)];
}

static void live_erase(live_map *m, live_slot *slot)
{
    size_t i = (size_t)(slot - m->slots);
    for (size_t j = (i + 1) & m->mask; m->slots[j].key; j = (j + 1) & m->mask) {
        size_t home = live_home(m, m->slots[j].key);
        /* move j back to i when its home is not in (i, j] */
        if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].key = 0;
    m->n--;
}

void mr_views_init(mr_reader *r)
{
    r->loc_mask = ~LIVE_OLD; /* no epoch tags until a history starts */
    live_init(&r->live, 10, 0);
    mr_map_init(&r->live.big_index, 16, 0);
}

void mr_views_free(mr_reader *r)
{
    pk_heap_history_free(r->history);
    free(r->touched);
    free(r->freed_index.slots);
    free(r->live.slots);
    free(r->recent.slots);
    free(r->live.big_index.slots);
    free(r->live.big_sizes);
    free(r->maps);
}

/* ---- high-water mark bookkeeping (memray's HighWaterMarkAggregator) ------- */

/* The heap moves from `before` to `after`: a falling edge records the peak. */
static inline void hwm_move(hwm_state *s, int64_t before, int64_t after)
{
    if (before >= s->heap_at_peak && after < before) {
        s->peaks++;
        s->heap_at_peak = before;
    }
}

/* A location's holdings change; what it held at the last peak is settled
 * first. */
static inline void hwm_add(mr_reader *r, const hwm_state *s, hwm_share *l, int64_t count,
                           int64_t bytes)
{
    if (l->last_peak != s->peaks) {
        l->peak_count += l->since_count;
        add_checked(r, &l->peak_bytes, l->since_bytes);
        l->since_count = l->since_bytes = 0;
        l->last_peak = s->peaks;
    }
    l->since_count += count;
    add_checked(r, &l->since_bytes, bytes);
}

/* The heap's most, `heap` being what it holds now. */
static int64_t hwm_mark(const hwm_state *s, int64_t heap)
{
    return heap >= s->heap_at_peak ? heap : s->heap_at_peak;
}

/* What a location held at the mark: the peak still rising now counts. */
static void hwm_value(const hwm_state *s, int64_t heap, const hwm_share *l, int64_t v[2])
{
    uint64_t final_peak = s->peaks + (heap >= s->heap_at_peak ? 1 : 0);
    v[0] = l->peak_bytes;
    v[1] = l->peak_count;
    if (final_peak > l->last_peak) {
        v[0] += l->since_bytes;
        v[1] += l->since_count;
    }
}

/* A mark counted from now on: what is held now is its first candidate
 * (recorded as a peak passed, so each location's holdings now are its
 * value at it until a higher one comes). */
static void hwm_restart(hwm_state *s, int64_t heap)
{
    s->heap_at_peak = heap;
    s->peaks++;
}

static inline epoch_share *epoch_share_of(mr_reader *r, uint32_t loc);

static inline void usage_delta(mr_reader *r, uint32_t loc, int64_t count, int64_t bytes)
{
    int64_t heap = r->heap;
    add_checked(r, &heap, bytes);
    hwm_move(&r->hwm, r->heap, heap);
    hwm_add(r, &r->hwm, &r->locs[loc].whole, count, bytes);
    if (r->history) {
        hwm_move(&r->epoch_hwm, r->heap, heap);
        hwm_add(r, &r->epoch_hwm, &epoch_share_of(r, loc)->peak, count, bytes);
    }
    r->heap = heap;
}

/* What a location holds from before --time's window: not its leak. */
static inline void old_delta(mr_reader *r, uint32_t loc, int64_t count, int64_t bytes)
{
    r->locs[loc].old_count += count;
    add_checked(r, &r->locs[loc].old_bytes, bytes);
}

/* ---- the heap's history, epoch by epoch (heap_history.h) ------------------ */

/* The location's share of the current epoch, begun at its first change. */
static inline epoch_share *epoch_share_of(mr_reader *r, uint32_t loc)
{
    epoch_share *e = &r->locs[loc].epoch;
    if (e->epoch != r->epoch + 1) {
        *e = (epoch_share){.epoch = r->epoch + 1, .peak.last_peak = r->epoch_hwm.peaks};
        r->touched = grow(r->touched, &r->captouched, r->ntouched + 1, sizeof *r->touched);
        r->touched[r->ntouched++] = loc;
    }
    return e;
}

/* The live set's tag of an allocation made now: its epoch. */
static inline uint32_t epoch_tag(const mr_reader *r)
{
    return r->history ? r->epoch << LIVE_EPOCH_SHIFT : 0;
}

static inline uint32_t tag_epoch(uint32_t tagged)
{
    return (tagged & ~LIVE_OLD) >> LIVE_EPOCH_SHIFT;
}

static void history_change(mr_reader *r, uint32_t loc, pk_heap_what what, uint32_t made,
                           int64_t bytes)
{
    pk_heap_history_add(
        r->history, (pk_heap_change){loc, (uint8_t)what, (uint8_t)made, (uint8_t)r->epoch, bytes});
}

/* Bytes location loc freed now of what epoch `made` allocated (after its
 * usage_delta, so its share is the current epoch's). */
static void history_freed(mr_reader *r, uint32_t loc, uint32_t made, int64_t bytes)
{
    if (!r->history) return;
    if (made == r->epoch) {
        add_checked(r, &r->locs[loc].epoch.freed, bytes);
        return;
    }
    uint64_t key = (uint64_t)loc << 8 | made;
    uint32_t i = mr_map_find(&r->freed_index, key);
    if (i == PK_NONE) {
        i = (uint32_t)r->history->nchanges;
        history_change(r, loc, PK_HEAP_FREED, made, 0);
        mr_map_put(&r->freed_index, key, i);
    }
    add_checked(r, &r->history->changes[i].bytes, bytes);
}

static void history_made(mr_reader *r, uint32_t loc, int64_t bytes)
{
    if (r->history) add_checked(r, &r->locs[loc].epoch.made, bytes);
}

/* The current epoch ends: each location's changes in it, and its mark. */
static void epoch_close(mr_reader *r)
{
    for (size_t i = 0; i < r->ntouched; i++) {
        uint32_t loc = r->touched[i];
        const epoch_share *e = &r->locs[loc].epoch;
        int64_t v[2];
        hwm_value(&r->epoch_hwm, r->heap, &e->peak, v);
        if (e->made) history_change(r, loc, PK_HEAP_MADE, r->epoch, e->made);
        if (e->freed) history_change(r, loc, PK_HEAP_FREED, r->epoch, e->freed);
        if (v[0]) history_change(r, loc, PK_HEAP_PEAK, r->epoch, v[0]);
    }
    r->ntouched = 0;
    r->history->high_water[r->epoch] = hwm_mark(&r->epoch_hwm, r->heap);
    u64map *m = &r->freed_index; /* emptied, its room kept */
    for (size_t i = 0; i <= m->mask; i++)
        m->slots[i].val = PK_NONE;
    m->n = 0;
}

/* Time passes to `ms` after the start: the epochs up to its own end, those
 * between holding still. */
static void history_time(mr_reader *r, uint64_t ms)
{
    uint32_t e = (uint32_t)pk_heap_history_epoch(r->history, ms);
    if (e <= r->epoch) return;
    epoch_close(r);
    while (++r->epoch < e)
        r->history->high_water[r->epoch] = r->heap;
    hwm_restart(&r->epoch_hwm, r->heap);
}

void mr_history_start(mr_reader *r, size_t nepochs, int64_t span_ms)
{
    r->history = pk_heap_history_new(nepochs, span_ms);
    r->loc_mask = LIVE_LOC;
    r->epoch = 0;
    hwm_restart(&r->epoch_hwm, r->heap);
    mr_map_init(&r->freed_index, 16, 0);
}

/* More locations than a tagged live slot holds: no history. */
void mr_history_drop(mr_reader *r)
{
    for (size_t i = 0; i <= r->live.mask; i++)
        r->live.slots[i].loc &= LIVE_OLD | LIVE_LOC;
    r->loc_mask = ~LIVE_OLD;
    pk_heap_history_free(r->history);
    r->history = NULL;
}

pk_heap_history *mr_history_finish(mr_reader *r)
{
    if (!r->history) return NULL;
    epoch_close(r);
    while (++r->epoch < r->history->nepochs)
        r->history->high_water[r->epoch] = r->heap;
    pk_heap_history *h = r->history;
    r->history = NULL;
    return h;
}

/* ---- view temporary: allocations freed within N allocations ------------- */

static size_t recent_home(const recent_map *m, uint64_t key)
{
    return (size_t)mix64(key) & m->mask;
}

static recent_slot *recent_find(recent_map *m, uint64_t addr)
{
    uint64_t key = addr | 1;
    for (size_t i = recent_home(m, key);; i = (i + 1) & m->mask) {
        if (m->slots[i].key == key) return &m->slots[i];
        if (m->slots[i].key == 0) return NULL;
    }
}

static void recent_place(recent_map *m, recent_slot slot)
{
    size_t i = recent_home(m, slot.key);
    while (m->slots[i].key && m->slots[i].key != slot.key)
        i = (i + 1) & m->mask;
    if (!m->slots[i].key) m->n++;
    m->slots[i] = slot;
}

static bool recent_in_window(const mr_reader *r, const recent_slot *s)
{
    return r->threads[s->thread].seq - s->seq < r->temp_threshold;
}

/* Rebuild the table keeping only the allocations still within their
 * thread's window: memory follows N and the threads, not the capture. */
static void recent_rebuild(mr_reader *r)
{
    recent_map old = r->recent;
    size_t fresh = 0;
    for (size_t i = 0; old.slots && i <= old.mask; i++)
        if (old.slots[i].key && recent_in_window(r, &old.slots[i])) fresh++;
    size_t cap = 1024;
    while (cap < 4 * (fresh + 1))
        cap *= 2;
    r->recent.slots = mr_table_alloc(cap, sizeof *r->recent.slots, &r->recent.charged_cap);
    r->recent.mask = cap - 1;
    r->recent.n = 0;
    for (size_t i = 0; old.slots && i <= old.mask; i++)
        if (old.slots[i].key && recent_in_window(r, &old.slots[i]))
            recent_place(&r->recent, old.slots[i]);
    free(old.slots);
}

static void recent_push(mr_reader *r, uint32_t thread, uint64_t addr, uint64_t size, uint32_t loc)
{
    thread_state *t = &r->threads[thread];
    if (2 * (r->recent.n + 1) > r->recent.mask + 1) recent_rebuild(r);
    recent_place(&r->recent, (recent_slot){addr | 1, ++t->seq, size, thread, loc});
}

/* A free by `thread`: temporary when the newest allocation at that address
 * is among the thread's last N allocations. Like memray's
 * TemporaryAllocationsAggregator, the entry stays: its window ends it. */
static void recent_match(mr_reader *r, uint32_t thread, uint64_t addr, uint64_t size, bool ranged)
{
    if (!r->recent.slots) return;
    recent_slot *s = recent_find(&r->recent, addr);
    if (!s || (ranged && s->size != size)) return;
    if (s->thread == thread && recent_in_window(r, s)) {
        r->locs[s->loc].temp_count++;
        add_checked(r, &r->locs[s->loc].temp_bytes, (int64_t)s->size);
    }
}

/* ---- mmap'd ranges -------------------------------------------------------- */

static void mapping_add(mr_reader *r, uint64_t addr, uint64_t size, uint32_t loc)
{
    r->maps = grow(r->maps, &r->capmaps, r->nmaps + 1, sizeof *r->maps);
    r->maps[r->nmaps++] = (mapping){addr, addr + size, loc, false, (uint8_t)r->epoch};
    usage_delta(r, loc, 1, (int64_t)size);
    history_made(r, loc, (int64_t)size);
}

/* MUNMAP: remove [addr, addr + size) from every tracked range it overlaps. */
static void mapping_remove(mr_reader *r, uint64_t addr, uint64_t size)
{
    uint64_t lo = addr, hi = addr + size;
    size_t n = r->nmaps;
    for (size_t i = 0; i < n; i++) {
        mapping *m = &r->maps[i];
        uint64_t a = m->start > lo ? m->start : lo, b = m->end < hi ? m->end : hi;
        if (b <= a) continue;
        uint32_t loc = m->loc;
        bool old = m->old;
        uint8_t epoch = m->epoch;
        int count = a == m->start && b == m->end ? -1 : a == m->start || b == m->end ? 0 : 1;
        usage_delta(r, loc, count, -(int64_t)(b - a));
        history_freed(r, loc, epoch, -(int64_t)(b - a));
        if (old) old_delta(r, loc, count, -(int64_t)(b - a));
        if (count < 0) { /* freed */
            m->start = m->end = 0;
        } else if (count == 0) { /* shrunk */
            if (a == m->start)
                m->start = b;
            else
                m->end = a;
        } else { /* split in two */
            uint64_t end = m->end;
            m->end = a;
            r->maps = grow(r->maps, &r->capmaps, r->nmaps + 1, sizeof *r->maps);
            r->maps[r->nmaps++] = (mapping){b, end, loc, old, epoch};
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < r->nmaps; i++)
        if (r->maps[i].end > r->maps[i].start) r->maps[kept++] = r->maps[i];
    r->nmaps = kept;
}

/* ---- applying events ------------------------------------------------------ */

/* Apply one allocation event to the live set, the peak and the totals. */
static inline __attribute__((always_inline)) void apply_allocation(mr_reader *r,
                                                                   const pending_alloc *e)
{
    uint64_t addr = e->addr, size = e->size;
    if (e->allocator == A_FREE || e->allocator == A_PYMALLOC_FREE) {
        live_slot *s = live_find(&r->live, addr);
        if (s) {
            uint32_t loc = s->loc & r->loc_mask;
            int64_t size = (int64_t)live_size(&r->live, s);
            if (s->loc & LIVE_OLD) old_delta(r, loc, -1, -size);
            usage_delta(r, loc, -1, -size);
            history_freed(r, loc, tag_epoch(s->loc), -size);
            live_erase(&r->live, s);
        }
        if (r->view == VIEW_TEMPORARY) recent_match(r, e->thread, addr, 0, false);
        return;
    }
    if (e->allocator == A_MUNMAP) {
        mapping_remove(r, addr, size);
        if (r->view == VIEW_TEMPORARY) recent_match(r, e->thread, addr, size, true);
        return;
    }
    if (e->allocator == A_MMAP) {
        mapping_add(r, addr, size, e->loc);
    } else {
        /* memray keeps counting a replaced entry, so do we */
        usage_delta(r, e->loc, 1, (int64_t)size);
        history_made(r, e->loc, (int64_t)size);
        live_put(&r->live, addr, size, e->loc | epoch_tag(r));
    }
    if (r->view == VIEW_TEMPORARY && r->in_window) recent_push(r, e->thread, addr, size, e->loc);
}

void mr_views_flush(mr_reader *r)
{
    for (size_t i = 0; i < r->npending; i++)
        apply_allocation(r, &r->pending[i]);
    r->npending = 0;
}

/* --time's window opens: what is live is old, and the window's peak is
 * counted from now. */
static void open_window(mr_reader *r)
{
    r->in_window = true;
    hwm_restart(&r->hwm, r->heap);
    live_map *m = &r->live;
    for (size_t i = 0; i <= m->mask; i++) {
        live_slot *s = &m->slots[i];
        if (!s->key || (s->loc & LIVE_OLD)) continue;
        old_delta(r, s->loc & r->loc_mask, 1, (int64_t)live_size(m, s));
        s->loc |= LIVE_OLD;
    }
    for (size_t i = 0; i < r->nmaps; i++) {
        r->maps[i].old = true;
        old_delta(r, r->maps[i].loc, 1, (int64_t)(r->maps[i].end - r->maps[i].start));
    }
}

void mr_views_time(mr_reader *r, int64_t now_ns, uint64_t ms)
{
    r->now_ns = now_ns;
    if (r->history) history_time(r, ms);
    if (!r->in_window && !r->window_ended && now_ns >= r->win_from) open_window(r);
    if (now_ns >= r->win_to) {
        r->in_window = false;
        r->window_ended = true;
    }
}

void mr_views_end(mr_reader *r)
{
    if (!r->in_window && !r->window_ended && !r->aggregated) open_window(r);
}

void mr_views_aggregated(mr_reader *r, uint32_t loc, int64_t peak_count, int64_t leak_count,
                         int64_t peak_bytes, int64_t leak_bytes)
{
    location *l = &r->locs[loc];
    add_checked(r, &l->whole.peak_count, peak_count);
    add_checked(r, &l->leak_count, leak_count);
    add_checked(r, &l->whole.peak_bytes, peak_bytes);
    add_checked(r, &l->leak_bytes, leak_bytes);
    add_checked(r, &r->hwm.heap_at_peak, peak_bytes);
    add_checked(r, &r->heap, leak_bytes);
}

/* ---- each view's values --------------------------------------------------- */

void mr_view_values(const mr_reader *r, const location *l, int64_t v[2])
{
    const hwm_share *w = &l->whole;
    switch (r->view) {
    case VIEW_PEAK:
        if (r->aggregated) {
            v[0] = w->peak_bytes;
            v[1] = w->peak_count;
        } else
            hwm_value(&r->hwm, r->heap, w, v);
        break;
    case VIEW_LEAKS: /* held at the end, less what was held before the window */
        v[0] = r->aggregated ? l->leak_bytes : w->peak_bytes + w->since_bytes - l->old_bytes;
        v[1] = r->aggregated ? l->leak_count : w->peak_count + w->since_count - l->old_count;
        break;
    case VIEW_TEMPORARY:
        v[0] = l->temp_bytes;
        v[1] = l->temp_count;
        break;
    case VIEW_TOTAL:
        v[0] = l->total_bytes;
        v[1] = l->total_count;
        break;
    }
}

void mr_views_totals(mr_reader *r, int64_t *peak, int64_t *leaked_bytes, int64_t *leaked_count)
{
    *leaked_bytes = *leaked_count = 0;
    if (r->aggregated) {
        *peak = r->hwm.heap_at_peak;
        for (size_t i = 0; i < r->nlocs; i++) {
            add_checked(r, leaked_bytes, r->locs[i].leak_bytes);
            add_checked(r, leaked_count, r->locs[i].leak_count);
        }
    } else {
        *peak = hwm_mark(&r->hwm, r->heap);
        for (size_t i = 0; i < r->nlocs; i++) {
            const location *l = &r->locs[i];
            add_checked(r, leaked_bytes, l->whole.peak_bytes);
            add_checked(r, leaked_bytes, l->whole.since_bytes);
            add_checked(r, leaked_bytes, -l->old_bytes);
            add_checked(r, leaked_count, l->whole.peak_count + l->whole.since_count - l->old_count);
        }
    }
}
