/* ompt.c — parc's OpenMP tool and loop wrappers (see ompt.h). Every
 * callback runs on the OpenMP thread it describes, so what a thread has
 * open (a chunk, a wait, a task) lives in thread-local storage and the
 * recorder (record.c) is called without locks. */
#include "ompt.h"
#include "trace.h"

#include <dlfcn.h>
#include <omp-tools.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Lock waits shorter than this are uncontended acquisitions: not drawn. */
#define MUTEX_WAIT_MIN_NS 1000
/* Nesting of parallel regions and sync waits a thread keeps track of. */
#define MAX_DEPTH 8

static int recording = 1;   /* set per cell */
static int workers;         /* worker threads alive in this process */

struct omp_thread {
    int worker; /* started by libomp (not the cell's own thread) */
    /* The chunk of a worksharing loop being run: [lo, hi). */
    int chunk_open, chunk_name;
    int64_t chunk_start, lo, hi;
    /* Implicit tasks (one per parallel region the thread is in). */
    int depth;
    int64_t region_start[MAX_DEPTH];
    /* Sync waits (barriers, taskwait); reopened after a task run inside. */
    int waits;
    int wait_kind[MAX_DEPTH];
    int64_t wait_start[MAX_DEPTH];
    int64_t mutex_start;
    /* A worker's implicit barrier: an open event of its lane (name + 1, or 0),
     * closed while the worker runs a task inside it. */
    int open_wait, open_suspended;
    unsigned index; /* thread number in the current team */
};

static __thread struct omp_thread me;

void trace_ompt_set_recording(int on)
{
    recording = on;
    /* The cell's thread: nothing is open in a new cell. */
    me = (struct omp_thread){0};
}

int trace_ompt_workers(void)
{
    return __atomic_load_n(&workers, __ATOMIC_ACQUIRE);
}

/* The calling thread's lane; the first event of a worker names it after
 * its OpenMP thread number. */
static int lane_of(unsigned index)
{
    char label[64];
    if (index == 0)
        return trace_rec_lane(NULL); /* the cell's own thread */
    snprintf(label, sizeof label, "OpenMP thread %u (tid %d)", index, (int)gettid());
    return trace_rec_lane(label);
}

/* The recorder caches the lane per thread and recording. */
static int my_lane(void)
{
    return trace_rec_lane(NULL);
}

static int name_of(const char *s)
{
    return trace_rec_name(s);
}

/* ---- Chunks --------------------------------------------------------- */

static void chunk_close(int64_t now)
{
    if (!me.chunk_open)
        return;
    me.chunk_open = 0;
    trace_rec_event(my_lane(), TRACE_TASK, me.chunk_name, me.chunk_start, now, me.lo, me.hi);
}

static void chunk_open(const char *name, int64_t lo, int64_t hi)
{
    int64_t now = trace_rec_now();
    chunk_close(now);
    me.chunk_open = 1;
    me.chunk_name = name_of(name);
    me.chunk_start = now;
    me.lo = lo;
    me.hi = hi;
}

typedef struct ident ident_t; /* libomp's source location: never read */

/* kmp_sch_static_chunked: schedule(static, N); each thread runs every
 * team-size-th chunk without calling the runtime again, so its share is
 * recorded as one task, "chunks of N every M" over [first, end). */
#define KMP_SCH_STATIC_CHUNKED 33

/* Resolved on first use (libomp is loaded by then: a cell calls these
 * only from code built with -fopenmp). */
static void *real(void **slot, const char *name)
{
    void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    if (!f) {
        f = dlsym(RTLD_DEFAULT, name);
        __atomic_store_n(slot, f, __ATOMIC_RELEASE);
    }
    return f;
}

/* One wrapper of __kmpc_for_static_init_SUFFIX per integer type T (and
 * its signed stride type S). The global upper bound is read before the
 * call, which overwrites it with the thread's own. */
#define STATIC_INIT(SUFFIX, T, S)                                                                                 \
    static void static_init_##SUFFIX(ident_t *loc, int32_t gtid, int32_t sched, int32_t *last, T *lower,          \
                                     T *upper, S *stride, S incr, S chunk)                                        \
    {                                                                                                             \
        static void *fn;                                                                                          \
        T global_upper = *upper;                                                                                  \
        ((void (*)(ident_t *, int32_t, int32_t, int32_t *, T *, T *, S *, S, S))real(                             \
            &fn, "__kmpc_for_static_init_" #SUFFIX))(loc, gtid, sched, last, lower, upper, stride, incr, chunk); \
        if (!recording || incr != 1 || *lower > *upper)                                                           \
            return;                                                                                               \
        if (sched == KMP_SCH_STATIC_CHUNKED && *stride > 0 && *upper < global_upper) {                            \
            char name[64];                                                                                        \
            snprintf(name, sizeof name, "chunks of %lld every %lld", (long long)(*upper - *lower + 1),            \
                     (long long)*stride);                                                                         \
            chunk_open(name, (int64_t)*lower, (int64_t)global_upper + 1);                                         \
        } else                                                                                                    \
            chunk_open(TRACE_OMPT_CHUNK, (int64_t)*lower, (int64_t)*upper + 1);                                   \
    }

STATIC_INIT(4, int32_t, int32_t)
STATIC_INIT(4u, uint32_t, int32_t)
STATIC_INIT(8, int64_t, int64_t)
STATIC_INIT(8u, uint64_t, int64_t)

/* __kmpc_dispatch_next_SUFFIX hands out the next chunk of a dynamic,
 * guided or runtime schedule, [*lb, *ub]; 0 when the loop is done. The
 * previous chunk of the thread ends here. */
#define DISPATCH_NEXT(SUFFIX, T, S)                                                                               \
    static int dispatch_next_##SUFFIX(ident_t *loc, int32_t gtid, int32_t *last, T *lb, T *ub, S *st)           \
    {                                                                                                             \
        static void *fn;                                                                                          \
        if (recording)                                                                                            \
            chunk_close(trace_rec_now());                                                                         \
        int more = ((int (*)(ident_t *, int32_t, int32_t *, T *, T *, S *))real(                                  \
            &fn, "__kmpc_dispatch_next_" #SUFFIX))(loc, gtid, last, lb, ub, st);                                  \
        if (more && recording && (!st || *st == 1) && *lb <= *ub)                                                 \
            chunk_open(TRACE_OMPT_CHUNK, (int64_t)*lb, (int64_t)*ub + 1);                                         \
        return more;                                                                                              \
    }

DISPATCH_NEXT(4, int32_t, int32_t)
DISPATCH_NEXT(4u, uint32_t, int32_t)
DISPATCH_NEXT(8, int64_t, int64_t)
DISPATCH_NEXT(8u, uint64_t, int64_t)

static void static_fini(ident_t *loc, int32_t gtid)
{
    static void *fn;
    if (recording)
        chunk_close(trace_rec_now());
    ((void (*)(ident_t *, int32_t))real(&fn, "__kmpc_for_static_fini"))(loc, gtid);
}

const struct trace_ompt_wrapper trace_ompt_wrappers[] = {
    {"__kmpc_for_static_init_4", (void *)static_init_4},
    {"__kmpc_for_static_init_4u", (void *)static_init_4u},
    {"__kmpc_for_static_init_8", (void *)static_init_8},
    {"__kmpc_for_static_init_8u", (void *)static_init_8u},
    {"__kmpc_dispatch_next_4", (void *)dispatch_next_4},
    {"__kmpc_dispatch_next_4u", (void *)dispatch_next_4u},
    {"__kmpc_dispatch_next_8", (void *)dispatch_next_8},
    {"__kmpc_dispatch_next_8u", (void *)dispatch_next_8u},
    {"__kmpc_for_static_fini", (void *)static_fini},
    {NULL, NULL},
};

/* ---- OMPT callbacks ------------------------------------------------- */

static void on_thread_begin(ompt_thread_t type, ompt_data_t *data)
{
    (void)data;
    me.worker = type == ompt_thread_worker;
    if (me.worker)
        __atomic_add_fetch(&workers, 1, __ATOMIC_ACQ_REL);
}

static void on_thread_end(ompt_data_t *data)
{
    (void)data;
    if (me.worker)
        __atomic_sub_fetch(&workers, 1, __ATOMIC_ACQ_REL);
}

/* A parallel region's team, hung on its parallel_data. libomp tells a
 * worker that the barrier ending a region is over (and that its implicit
 * task ended) only when the worker starts its next region, so the thread
 * that began the region ends its workers' barrier waits and region spans
 * at parallel_end: their lanes and start times are kept here. */
struct team {
    int n;
    struct {
        int lane; /* -1: no worker seen with this number */
        int64_t begin;
    } w[];
};

#define TEAM_MAX 1024

static void on_parallel_begin(ompt_data_t *task, const ompt_frame_t *frame, ompt_data_t *parallel,
                              unsigned requested, int flags, const void *ra)
{
    (void)task;
    (void)frame;
    (void)flags;
    (void)ra;
    parallel->ptr = NULL;
    if (!recording)
        return;
    int n = requested < 1 ? 1 : requested > TEAM_MAX ? TEAM_MAX : (int)requested;
    struct team *t = malloc(sizeof *t + (size_t)n * sizeof t->w[0]);
    if (!t)
        return;
    t->n = n;
    for (int i = 0; i < n; i++)
        t->w[i].lane = -1;
    parallel->ptr = t;
}

static void on_parallel_end(ompt_data_t *parallel, ompt_data_t *task, int flags, const void *ra)
{
    (void)task;
    (void)flags;
    (void)ra;
    struct team *t = parallel->ptr;
    if (!t)
        return;
    parallel->ptr = NULL;
    int64_t now = trace_rec_now();
    int name = name_of("parallel region");
    for (int i = 1; i < t->n; i++)
        if (t->w[i].lane >= 0) {
            trace_rec_close(t->w[i].lane, now);
            trace_rec_event(t->w[i].lane, TRACE_SPAN, name, t->w[i].begin, now, i, t->n);
        }
    free(t);
}

static void on_implicit_task(ompt_scope_endpoint_t ep, ompt_data_t *parallel, ompt_data_t *task, unsigned team,
                             unsigned index, int flags)
{
    (void)task;
    if (!recording || (flags & ompt_task_initial))
        return;
    int64_t now = trace_rec_now();
    if (ep == ompt_scope_begin) {
        me.index = index;
        int lane = lane_of(index);
        struct team *t = parallel ? parallel->ptr : NULL;
        if (index > 0 && t && (int)index < t->n) {
            t->w[index].lane = lane;
            t->w[index].begin = now;
        } else if (index == 0) {
            if (me.depth < MAX_DEPTH)
                me.region_start[me.depth] = now;
            me.depth++;
        }
    } else if (index == 0 && me.depth > 0) {
        chunk_close(now);
        if (--me.depth < MAX_DEPTH)
            trace_rec_event(my_lane(), TRACE_SPAN, name_of("parallel region"), me.region_start[me.depth], now, 0,
                            team);
    }
}

static const char *sync_name(int kind)
{
    switch (kind) {
    case ompt_sync_region_barrier_explicit:
        return "barrier";
    case ompt_sync_region_taskwait:
        return "taskwait";
    case ompt_sync_region_taskgroup:
        return "taskgroup";
    case ompt_sync_region_reduction:
        return "reduction";
    default:
        return "implicit barrier";
    }
}

/* Whether a worker's wait may end late (see struct team): an implicit
 * barrier, which libomp 14 reports alike for loops and regions. */
static int late_end(int kind)
{
    return me.index > 0 && (kind == 2 /* ompt_sync_region_barrier_implicit */ ||
                            kind == ompt_sync_region_barrier_implicit_parallel ||
                            kind == ompt_sync_region_barrier_implicit_workshare);
}

static void on_sync_wait(ompt_sync_region_t kind, ompt_scope_endpoint_t ep, ompt_data_t *parallel,
                         ompt_data_t *task, const void *ra)
{
    (void)parallel;
    (void)task;
    (void)ra;
    if (!recording)
        return;
    int64_t now = trace_rec_now();
    if (late_end(kind)) {
        /* An open event: ended here, or by the region's end. */
        if (ep == ompt_scope_begin) {
            chunk_close(now);
            me.open_wait = name_of(sync_name(kind)) + 1;
            trace_rec_open(my_lane(), TRACE_WAIT, me.open_wait - 1, now);
        } else if (me.open_wait) {
            trace_rec_close(my_lane(), now);
            me.open_wait = 0;
        }
        return;
    }
    if (ep == ompt_scope_begin) {
        chunk_close(now);
        if (me.waits < MAX_DEPTH) {
            me.wait_kind[me.waits] = kind;
            me.wait_start[me.waits] = now;
        }
        me.waits++;
    } else if (me.waits > 0 && --me.waits < MAX_DEPTH && me.wait_start[me.waits] >= 0) {
        trace_rec_event(my_lane(), TRACE_WAIT, name_of(sync_name(me.wait_kind[me.waits])), me.wait_start[me.waits],
                        now, TRACE_NO_ARG, TRACE_NO_ARG);
    }
}

static void on_mutex_acquire(ompt_mutex_t kind, unsigned hint, unsigned impl, ompt_wait_id_t id, const void *ra)
{
    (void)kind;
    (void)hint;
    (void)impl;
    (void)id;
    (void)ra;
    if (recording)
        me.mutex_start = trace_rec_now();
}

static void on_mutex_acquired(ompt_mutex_t kind, ompt_wait_id_t id, const void *ra)
{
    (void)id;
    (void)ra;
    if (!recording)
        return;
    int64_t now = trace_rec_now();
    if (now - me.mutex_start < MUTEX_WAIT_MIN_NS)
        return;
    const char *what = kind == ompt_mutex_critical ? "waiting for critical"
                       : kind == ompt_mutex_atomic ? "waiting for atomic"
                       : kind == ompt_mutex_ordered ? "waiting for ordered"
                                                    : "waiting for lock";
    trace_rec_event(my_lane(), TRACE_WAIT, name_of(what), me.mutex_start, now, TRACE_NO_ARG, TRACE_NO_ARG);
}

/* Explicit tasks: task_data->value is 1 while the task is not running,
 * its start time + 2 while it runs. */
static void on_task_create(ompt_data_t *parent, const ompt_frame_t *frame, ompt_data_t *task, int flags, int deps,
                           const void *ra)
{
    (void)parent;
    (void)frame;
    (void)deps;
    (void)ra;
    if (flags & ompt_task_explicit)
        task->value = 1;
}

/* A sync wait of the thread is suspended while it runs a task (waits and
 * work never overlap on a lane); it goes on when the task is left. */
static void suspend_wait(int64_t now)
{
    int w = me.waits - 1;
    if (w < 0 && me.open_wait && !me.open_suspended) {
        trace_rec_close(my_lane(), now);
        me.open_suspended = 1;
    }
    if (w < 0 || w >= MAX_DEPTH || me.wait_start[w] < 0)
        return;
    trace_rec_event(my_lane(), TRACE_WAIT, name_of(sync_name(me.wait_kind[w])), me.wait_start[w], now,
                    TRACE_NO_ARG, TRACE_NO_ARG);
    me.wait_start[w] = -1;
}

static void resume_wait(int64_t now)
{
    int w = me.waits - 1;
    if (w < 0 && me.open_wait && me.open_suspended) {
        trace_rec_open(my_lane(), TRACE_WAIT, me.open_wait - 1, now);
        me.open_suspended = 0;
    }
    if (w >= 0 && w < MAX_DEPTH && me.wait_start[w] < 0)
        me.wait_start[w] = now;
}

static void on_task_schedule(ompt_data_t *prior, ompt_task_status_t status, ompt_data_t *next)
{
    if (!recording)
        return;
    int64_t now = trace_rec_now();
    if (prior && prior->value >= 2) {
        chunk_close(now);
        trace_rec_event(my_lane(), TRACE_TASK, name_of("task"), (int64_t)prior->value - 2, now, TRACE_NO_ARG,
                        TRACE_NO_ARG);
        prior->value = 1;
        resume_wait(now);
    }
    (void)status;
    if (next && next->value == 1) {
        suspend_wait(now);
        next->value = (uint64_t)now + 2;
    }
}

/* ---- Start ---------------------------------------------------------- */

/* A forked child has none of its parent's threads. */
static void forked(void)
{
    workers = 0;
}

static int tool_init(ompt_function_lookup_t lookup, int device, ompt_data_t *data)
{
    (void)device;
    (void)data;
    ompt_set_callback_t set = (ompt_set_callback_t)lookup("ompt_set_callback");
    if (!set)
        return 0;
    set(ompt_callback_thread_begin, (ompt_callback_t)on_thread_begin);
    set(ompt_callback_thread_end, (ompt_callback_t)on_thread_end);
    set(ompt_callback_parallel_begin, (ompt_callback_t)on_parallel_begin);
    set(ompt_callback_parallel_end, (ompt_callback_t)on_parallel_end);
    set(ompt_callback_implicit_task, (ompt_callback_t)on_implicit_task);
    set(ompt_callback_sync_region_wait, (ompt_callback_t)on_sync_wait);
    set(ompt_callback_mutex_acquire, (ompt_callback_t)on_mutex_acquire);
    set(ompt_callback_mutex_acquired, (ompt_callback_t)on_mutex_acquired);
    set(ompt_callback_task_create, (ompt_callback_t)on_task_create);
    set(ompt_callback_task_schedule, (ompt_callback_t)on_task_schedule);
    pthread_atfork(NULL, NULL, forked);
    return 1; /* keep the tool */
}

static void tool_fini(ompt_data_t *data)
{
    (void)data;
}

/* Called by libomp when it starts (it looks the name up in the process). */
ompt_start_tool_result_t *ompt_start_tool(unsigned int omp_version, const char *runtime_version);

ompt_start_tool_result_t *ompt_start_tool(unsigned int omp_version, const char *runtime_version)
{
    (void)omp_version;
    (void)runtime_version;
    static ompt_start_tool_result_t r = {tool_init, tool_fini, {0}};
    return &r;
}
