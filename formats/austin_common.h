/* What the austin text and MOJO readers share: the metrics of each mode, the
 * metadata, frame identities and the per-thread stacks. */
#ifndef PK_AUSTIN_COMMON_H
#define PK_AUSTIN_COMMON_H

#include "format.h"
#include "stacks.h"

typedef enum { AUSTIN_WALL, AUSTIN_CPU, AUSTIN_MEMORY, AUSTIN_FULL } austin_mode;

typedef struct {
    austin_mode mode;
    bool ready;                        /* metrics added to the profile */
    int time, alloc, dealloc, samples; /* metric indexes, -1 when absent */
    int64_t samples_seen, idle_samples, idle_time_us;
    int64_t interval_ns; /* `# interval:`, read at the first sample (0: not yet) */
} austin_metrics;

/* The mode named in `# mode:`; false when unknown. */
bool austin_mode_parse(const char *s, size_t n, austin_mode *mode);
const char *austin_mode_name(austin_mode mode);
void austin_metrics_setup(pk_profile *p, austin_metrics *am, austin_mode mode);
/* Fill values (p->nmetrics) for one sample: time in µs, memory in bytes. */
void austin_values(austin_metrics *am, int64_t time_us, int64_t mem_bytes, bool idle,
                   int64_t *values);

/* `# key: value` kept as "austin.key" ("austin" itself as austin.version). */
void austin_meta(pk_profile *p, const char *key, size_t klen, const char *val, size_t vlen);

/* `map` lines (austinp) repeat: their values are kept joined by newlines. */
typedef struct {
    char *text;
    size_t len, cap;
} austin_maps;
/* Like austin_meta, but collecting `map` values in maps. */
void austin_meta_add(pk_profile *p, austin_maps *maps, const char *key, size_t klen,
                     const char *val, size_t vlen);
void austin_maps_finish(pk_profile *p, const austin_maps *maps);

void austin_meta_count(pk_profile *p, const char *key, int64_t n);

/* The function of a frame from its file and name parts (special frames:
 * file "" with GC or INVALID, "kernel", "native@<pc>"). */
pk_id austin_func(pk_profile *p, const char *file, size_t flen, const char *name, size_t nlen);
/* Native frames carry a symbol offset, not a line. */
bool austin_is_native(const char *file, size_t flen);

typedef struct {
    pk_id proc, thread; /* root frames; proc is PK_NONE without a process */
    sk_stack prev;
    uint32_t timeline; /* the timeline's thread index */
    int64_t t_ns;      /* the thread's clock: where its next sample starts */
} austin_thread;

typedef struct {
    sk_map map;
    austin_thread *v;
    size_t n, cap;
} austin_threads;

void austin_threads_init(austin_threads *t, pk_profile *p);
/* The thread for a key; created with root frames named proc and thread
 * (proc may be NULL). Returns an index into t->v. */
size_t austin_thread_get(pk_profile *p, austin_threads *t, const void *key, size_t klen,
                         const char *proc, const char *thread);
/* Add the thread's current stack (cur) to the tree with its values and
 * record the sample in the timeline. austin writes no timestamps: a thread's
 * clock advances by each sample's time (wall, cpu and full modes: the time
 * since the thread's previous sample, as speedscope's sampled profiles lay
 * them out) or by the sampling interval (memory mode). */
void austin_sample(pk_profile *p, austin_metrics *am, austin_thread *th, sk_stack *cur,
                   const int64_t *values);
/* Push the thread's root frames on a stack. */
void austin_push_roots(pk_profile *p, const austin_thread *th, sk_stack *s);

/* After the samples: metadata of the counts, merge threads, derivations. */
void austin_finish(pk_profile *p, austin_metrics *am, const pk_read_options *opt);

#endif
