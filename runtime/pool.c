/* pool.c — pools of threads and of processes (see parc.h, pool.h): their
 * life, their workers, parc_map, and the owner's side of the task rings.
 * Futures and dependencies are in future.c. */
#include "pool.h"
#include "rtrace.h"
#include "util.h"

#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RING_MASK (POOL_RING - 1)
#define PROC_STAGING (1u << 20) /* first staging area of a process pool */
#define WORKER_SPIN_NS 20000 /* how long an idle worker looks for work before sleeping */
#define WAIT_CHECK_MS 100      /* process pools: how often a waiting owner looks for dead workers */

/* ------------------------------------------------------------------ */
/* Small things: errors, worker identity, clock, cores                 */
/* ------------------------------------------------------------------ */

static __thread int my_worker_id = 0, my_worker_count = 1;
static __thread int my_pool_slot = -1; /* pool whose worker this thread is */

void rt_error(const char *fmt, ...)
{
    fflush(stdout);
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "parc: %s\n", msg);
    fflush(stderr);
}

/* getpid() is a system call; pools ask often. */
static pid_t cached_pid;
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;

static void forget_pid(void)
{
    cached_pid = 0;
}

static void watch_forks(void)
{
    pthread_atfork(NULL, NULL, forget_pid);
}

pid_t rt_pid(void)
{
    if (!cached_pid) {
        pthread_once(&pid_once, watch_forks);
        cached_pid = getpid();
    }
    return cached_pid;
}

void worker_set(int id, int count)
{
    my_worker_id = id;
    my_worker_count = count;
}

int pool_current_slot(void)
{
    return my_pool_slot;
}

int parc_worker_id(void)
{
    return my_worker_id;
}

int parc_worker_count(void)
{
    return my_worker_count;
}

long parc_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

int parc_cpu_count(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

const char *(*rt_symbolize)(const void *addr);

const char *rtrace_fn_name(const void *addr)
{
    const char *name = rt_symbolize ? rt_symbolize(addr) : NULL;
    Dl_info info;
    if (!name && dladdr(addr, &info) && info.dli_sname && info.dli_saddr == addr)
        name = info.dli_sname;
    return name ? name : "task";
}

/* ------------------------------------------------------------------ */
/* The registry of pools                                               */
/* ------------------------------------------------------------------ */

static struct {
    struct pool *p;
    uint16_t gen;
} reg[POOL_MAX_LIVE];

struct pool *pool_get(parc_pool *h, const char *who)
{
    uint64_t v = (uint64_t)(uintptr_t)h;
    unsigned slot = (unsigned)(v >> 32) & 0xffff, gen = (unsigned)(v >> 48);
    if (!h) {
        rt_error("%s: the pool is NULL (did parc_threads or parc_procs fail?)", who);
        return NULL;
    }
    if ((v & 0xffffffffu) || slot >= POOL_MAX_LIVE || !reg[slot].p || reg[slot].gen != gen) {
        rt_error("%s: not a live pool (freed by parc_pool_free, or not made by parc_threads/parc_procs)", who);
        return NULL;
    }
    return reg[slot].p;
}

struct pool *pool_of_future(parc_future *h, long *id, const char *who)
{
    uint64_t v = (uint64_t)(uintptr_t)h;
    unsigned slot = (unsigned)(v >> 32) & 0xffff, gen = (unsigned)(v >> 48);
    if (!h) {
        rt_error("%s: the future is NULL (did parc_submit fail?)", who);
        return NULL;
    }
    if (!(v & 0xffffffffu) || slot >= POOL_MAX_LIVE || !reg[slot].p || reg[slot].gen != gen) {
        rt_error("%s: not a future of a live pool (its pool was freed by parc_pool_free, or it is not a future)",
                 who);
        return NULL;
    }
    struct pool *p = reg[slot].p;
    *id = (long)(v & 0xffffffffu) - 1;
    if ((size_t)*id >= p->nf) {
        rt_error("%s: not a future of this pool", who);
        return NULL;
    }
    return p;
}

/* ------------------------------------------------------------------ */
/* Locking the shared part                                             */
/* ------------------------------------------------------------------ */

/* Process pools use robust mutexes: a worker killed while holding the
 * lock (it never holds it while running user code) must not hang the cell. */
static void mu_lock(pthread_mutex_t *m)
{
    if (pthread_mutex_lock(m) == EOWNERDEAD)
        pthread_mutex_consistent(m);
}

static void mu_unlock(pthread_mutex_t *m)
{
    pthread_mutex_unlock(m);
}

/* Waits on c; process pools wake up every WAIT_CHECK_MS to look for dead
 * workers. Returns 1 on a timeout. */
static int cond_wait(struct pool *p, pthread_cond_t *c)
{
    int r;
    if (!p->procs) {
        r = pthread_cond_wait(c, &p->sh->mu);
    } else {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        t.tv_nsec += WAIT_CHECK_MS * 1000000L;
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
        r = pthread_cond_timedwait(c, &p->sh->mu, &t);
    }
    if (r == EOWNERDEAD)
        pthread_mutex_consistent(&p->sh->mu);
    return r == ETIMEDOUT;
}

static void init_sync(struct pool_shared *sh, int pshared)
{
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    if (pshared) {
        pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
        pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
    }
    pthread_mutex_init(&sh->mu, &ma);
    pthread_mutexattr_destroy(&ma);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (pshared)
        pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
    pthread_cond_init(&sh->work, &ca);
    pthread_cond_init(&sh->done, &ca);
    pthread_condattr_destroy(&ca);
}

/* ------------------------------------------------------------------ */
/* Workers                                                             */
/* ------------------------------------------------------------------ */

struct worker {
    struct pool *p;
    struct pool_shared *sh;
    int id, lane;
    const void *fn; /* the last function run, and its trace name */
    int fn_name;
};

static int trace_name_of(struct worker *w, const void *fn)
{
    if (fn != w->fn) {
        w->fn = fn;
        w->fn_name = rtrace_name(rtrace_fn_name(fn));
    }
    return w->fn_name;
}

/* Runs fn over [lo, hi) of the map, recorded as one task. */
static void map_range(struct worker *w, const struct pool_map *m, size_t lo, size_t hi)
{
    int64_t t0 = rtrace_now();
    for (size_t i = lo; i < hi; i++)
        m->fn(m->in_size ? (void *)(m->in + i * m->in_size) : (void *)m->in,
              m->out_size ? (void *)(m->out + i * m->out_size) : (void *)m->out);
    rtrace_event(w->lane, TRACE_TASK, trace_name_of(w, (const void *)m->fn), t0, rtrace_now(), (int64_t)lo,
                 (int64_t)hi);
}

/* This worker's share of the map, by the schedules documented in parc.h. */
static void map_part(struct worker *w, struct pool_map *m)
{
    size_t n = (size_t)w->p->n, count = m->count;
    if (m->schedule == PARC_STATIC) {
        size_t c = m->chunk ? m->chunk : (count + n - 1) / n;
        for (size_t lo = (size_t)w->id * c; lo < count; lo += n * c)
            map_range(w, m, lo, lo + c < count ? lo + c : count);
    } else if (m->schedule == PARC_DYNAMIC) {
        size_t c = m->chunk ? m->chunk : 1;
        for (;;) {
            size_t lo = __atomic_fetch_add(&m->next, c, __ATOMIC_RELAXED);
            if (lo >= count)
                break;
            map_range(w, m, lo, lo + c < count ? lo + c : count);
        }
    } else {
        size_t min = m->chunk ? m->chunk : 1;
        size_t lo = __atomic_load_n(&m->next, __ATOMIC_RELAXED);
        while (lo < count) {
            size_t c = (count - lo + n - 1) / n;
            if (c < min)
                c = min;
            size_t hi = lo + c < count ? lo + c : count;
            if (__atomic_compare_exchange_n(&m->next, &lo, hi, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
                map_range(w, m, lo, hi);
                lo = __atomic_load_n(&m->next, __ATOMIC_RELAXED);
            }
        }
    }
}

/* Before sleeping, a worker watches for work a little while without the
 * lock: an owner submitting a stream of tasks then never pays for waking
 * it (a futex round trip costs far more than a task). Called and returns
 * with the lock held; 1 if there may be work. */
static int spin_for_work(struct pool_shared *sh, int id)
{
    /* One spinner at a time: on a machine with few cores more would take
     * the owner's core. */
    if (sh->spinning)
        return 0;
    sh->spinning = 1;
    size_t head = sh->head;
    unsigned gen = sh->seen[id];
    pthread_mutex_unlock(&sh->mu);
    long until = parc_now() + WORKER_SPIN_NS;
    int found = 0;
    do {
        for (int i = 0; i < 64 && !found; i++) {
            __builtin_ia32_pause();
            found = __atomic_load_n(&sh->tail, __ATOMIC_RELAXED) != head ||
                    __atomic_load_n(&sh->map_gen, __ATOMIC_RELAXED) != gen ||
                    __atomic_load_n(&sh->stop, __ATOMIC_RELAXED);
        }
    } while (!found && parc_now() < until);
    mu_lock(&sh->mu);
    sh->spinning = 0;
    /* The owner skips waking anyone while a worker spins: look again. */
    return found || sh->head != sh->tail || sh->seen[id] != sh->map_gen || sh->stop;
}

/* The loop every worker runs until the pool stops: maps first, then
 * tasks; one lock round per task (the completion and the next task). */
static void worker_loop(struct worker *w)
{
    struct pool_shared *sh = w->sh;
    int id = w->id;
    mu_lock(&sh->mu);
    for (;;) {
        if (sh->stop)
            break;
        if (sh->seen[id] != sh->map_gen) {
            sh->seen[id] = sh->map_gen;
            sh->in_map[id] = 1;
            mu_unlock(&sh->mu);
            map_part(w, &sh->map);
            mu_lock(&sh->mu);
            sh->in_map[id] = 0;
            if (--sh->map_active == 0)
                pthread_cond_broadcast(&sh->done);
            continue;
        }
        if (sh->head != sh->tail) {
            struct pool_task t = sh->tasks[sh->head++ & RING_MASK];
            sh->current[id] = t.id;
            mu_unlock(&sh->mu);
            int64_t t0 = rtrace_now();
            void *r = t.fn(t.arg);
            int64_t t1 = rtrace_now();
            rtrace_event(w->lane, TRACE_TASK, trace_name_of(w, (const void *)t.fn), t0, t1, t.id, t.queued);
            mu_lock(&sh->mu);
            sh->current[id] = -1;
            sh->comps[sh->ctail++ & RING_MASK] = (struct pool_completion){t.id, r, id, w->lane, t0, t1};
            if (sh->owner_waiting)
                pthread_cond_signal(&sh->done);
            continue;
        }
        if (spin_for_work(sh, id))
            continue;
        sh->sleeping++;
        if (pthread_cond_wait(&sh->work, &sh->mu) == EOWNERDEAD)
            pthread_mutex_consistent(&sh->mu);
        sh->sleeping--;
    }
    mu_unlock(&sh->mu);
}

static void worker_enter(struct worker *w, const char *kind, int os_id)
{
    worker_set(w->id, w->p->n);
    my_pool_slot = w->p->slot;
    char label[64];
    snprintf(label, sizeof label, "%s %d (%s %d)", kind, w->id, w->p->procs ? "pid" : "tid", os_id);
    w->lane = rtrace_lane(label);
}

static void *thread_main(void *arg)
{
    struct worker *w = arg;
    worker_enter(w, "thread", (int)syscall(SYS_gettid));
    worker_loop(w);
    return NULL;
}

/* Forks process worker id; returns its pid or -1. */
static pid_t fork_worker(struct pool *p, int id)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* The child: crashes end only this worker; the owner reports them. */
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        signal(sigs[i], SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct worker w = {p, p->sh, id, -1, NULL, -1};
    worker_enter(&w, "process", (int)rt_pid());
    worker_loop(&w);
    fflush(NULL);
    _exit(0);
}

static void pool_stop(struct pool *p);

static struct worker *thread_workers(struct pool *p)
{
    return (struct worker *)(p->threads + p->n);
}

/* Starts the workers in this process. 0, or -1 after a message. */
static int pool_start(struct pool *p, size_t staging, const char *who)
{
    size_t head = (sizeof(struct pool_shared) + 63) & ~(size_t)63;
    size_t rings = POOL_RING * (sizeof(struct pool_task) + sizeof(struct pool_completion));
    if (p->procs && staging < PROC_STAGING)
        staging = PROC_STAGING;
    staging = (staging + 4095) & ~(size_t)4095;
    size_t size = head + rings + staging;
    void *mem = p->procs ? shm_map(size)
                         : mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (!mem || mem == MAP_FAILED) {
        rt_error("%s: cannot map %zu bytes for the pool: %s", who, size, strerror(errno));
        return -1;
    }
    struct pool_shared *sh = mem;
    init_sync(sh, p->procs);
    sh->tasks = (struct pool_task *)((char *)mem + head);
    sh->comps = (struct pool_completion *)(sh->tasks + POOL_RING);
    sh->staging = staging ? (char *)(sh->comps + POOL_RING) : NULL;
    sh->staging_size = staging;
    for (int i = 0; i < p->n; i++)
        sh->current[i] = -1;
    p->sh = mem;
    p->sh_size = size;
    p->owner = rt_pid();
    p->shm_gen = rt_shm_gen;
    p->inflight = 0;
    int started = 0, err = 0;
    if (p->procs) {
        p->pids = xcalloc((size_t)p->n, sizeof *p->pids);
        for (; started < p->n; started++)
            if ((p->pids[started] = fork_worker(p, started)) < 0) {
                err = errno;
                break;
            }
    } else {
        /* One allocation: the thread ids, then each worker's state. */
        p->threads = xcalloc((size_t)p->n, sizeof(pthread_t) + sizeof(struct worker));
        struct worker *ws = thread_workers(p);
        for (; started < p->n; started++) {
            ws[started] = (struct worker){p, sh, started, -1, NULL, -1};
            if ((err = pthread_create(&p->threads[started], NULL, thread_main, &ws[started])) != 0)
                break;
        }
    }
    if (started < p->n) {
        rt_error("%s: cannot start %s worker %d of %d: %s%s", who, p->procs ? "process" : "thread", started, p->n,
                 strerror(err), err == EAGAIN ? " (too many processes or threads: see %limit procs)" : "");
        int n = p->n;
        p->n = started;
        pool_stop(p);
        p->n = n;
        return -1;
    }
    return 0;
}

/* Stops the workers running in this process, after every task finished. */
static void pool_stop(struct pool *p)
{
    if (!p->sh)
        return;
    if (p->owner == rt_pid()) {
        while (p->unfinished > 0 && pool_pump(p, 1) > 0)
            ;
        mu_lock(&p->sh->mu);
        p->sh->stop = 1;
        pthread_cond_broadcast(&p->sh->work);
        mu_unlock(&p->sh->mu);
        for (int i = 0; i < p->n; i++) {
            if (p->procs && p->pids[i] > 0)
                waitpid(p->pids[i], NULL, 0);
            else if (!p->procs)
                pthread_join(p->threads[i], NULL);
        }
        if (p->procs)
            shm_unmap(p->sh, p->sh_size);
        else
            munmap(p->sh, p->sh_size);
    }
    /* In another process (a fork of the owner) the workers are not ours:
     * forget them. */
    p->sh = NULL;
    p->owner = 0;
    free(p->threads);
    free(p->pids);
    p->threads = NULL;
    p->pids = NULL;
    p->inflight = 0;
}

int pool_ready(struct pool *p, size_t staging)
{
    if (p->broken)
        return -1;
    if (p->sh && p->owner == rt_pid() &&
        (!p->procs || (p->shm_gen == rt_shm_gen && p->sh->staging_size >= staging)))
        return 0;
    pool_stop(p);
    if (pool_start(p, staging * 2, p->procs ? "parc_procs" : "parc_threads") < 0) {
        p->broken = 1;
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Dead process workers                                                */
/* ------------------------------------------------------------------ */

static void describe_end(char *out, size_t n, int st)
{
    if (WIFSIGNALED(st))
        snprintf(out, n, "killed by signal %d, %s", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        snprintf(out, n, "it ended with exit status %d: exit() in a task ends its process worker",
                 WEXITSTATUS(st));
}

/* Looks for process workers that died; fails what they were running and
 * starts new ones in their place. Called with the lock not held. */
static void reap_dead(struct pool *p)
{
    for (int i = 0; i < p->n; i++) {
        int st;
        if (p->pids[i] <= 0 || waitpid(p->pids[i], &st, WNOHANG) != p->pids[i])
            continue;
        struct pool_shared *sh = p->sh;
        mu_lock(&sh->mu);
        long id = sh->current[i];
        sh->current[i] = -1;
        int in_map = sh->map_active > 0 && (sh->in_map[i] || sh->seen[i] != sh->map_gen);
        if (in_map) {
            sh->map_active--;
            sh->map_lost = 1;
        }
        sh->in_map[i] = 0;
        sh->seen[i] = sh->map_gen;
        mu_unlock(&sh->mu);
        char why[160];
        describe_end(why, sizeof why, st);
        if (id >= 0)
            rt_error("process worker %d died while running task %ld (%s); parc_get returns NULL for it", i, id,
                     why);
        else
            rt_error("process worker %d died%s (%s)", i, in_map ? " during parc_map" : "", why);
        if (id >= 0) {
            p->inflight--;
            pool_fail(p, id);
        }
        if ((p->pids[i] = fork_worker(p, i)) < 0) {
            rt_error("cannot start a process worker in its place: %s; the pool is stopped", strerror(errno));
            p->broken = 1;
        }
    }
}

/* ------------------------------------------------------------------ */
/* The owner's side of the rings                                       */
/* ------------------------------------------------------------------ */

long pool_pump(struct pool *p, int wait)
{
    if (!p->sh || p->owner != rt_pid())
        return -1;
    struct pool_shared *sh = p->sh;
    struct pool_completion got[256];
    size_t n = 0, before_all = p->unfinished;
    mu_lock(&sh->mu);
    for (;;) {
        size_t pushed = 0;
        while (p->rhead < p->rtail && p->inflight < POOL_RING) {
            long id = p->ready[p->rhead++];
            struct future *f = &p->f[id];
            sh->tasks[sh->tail++ & RING_MASK] = (struct pool_task){f->fn, f->arg, id, f->queued};
            p->inflight++;
            pushed++;
        }
        if (p->rhead == p->rtail)
            p->rhead = p->rtail = 0;
        if (pushed && sh->sleeping && (!sh->spinning || sh->tail - sh->head > 1)) {
            if (pushed == 1)
                pthread_cond_signal(&sh->work);
            else
                pthread_cond_broadcast(&sh->work);
        }
        while (sh->chead != sh->ctail && n < sizeof got / sizeof *got)
            got[n++] = sh->comps[sh->chead++ & RING_MASK];
        if (n || !wait || p->broken || (p->inflight == 0 && p->rhead == p->rtail))
            break;
        sh->owner_waiting = 1;
        int timed_out = cond_wait(p, &sh->done);
        sh->owner_waiting = 0;
        if (timed_out && p->procs) {
            mu_unlock(&sh->mu);
            size_t before = p->unfinished;
            reap_dead(p);
            mu_lock(&sh->mu);
            if (p->unfinished != before)
                break; /* failures count as completions */
        }
    }
    mu_unlock(&sh->mu);
    for (size_t i = 0; i < n; i++) {
        p->inflight--;
        future_complete(p, &got[i]);
    }
    long progress = (long)(before_all - p->unfinished);
    return p->broken && !progress ? -1 : progress;
}

/* ------------------------------------------------------------------ */
/* Creating and freeing pools                                          */
/* ------------------------------------------------------------------ */

int rt_scaling_workers;

int parc_default_workers(void)
{
    return rt_scaling_workers > 0 ? rt_scaling_workers : parc_cpu_count();
}

static parc_pool *pool_new(int procs, int n)
{
    const char *who = procs ? "parc_procs" : "parc_threads";
    if (n <= 0)
        n = parc_default_workers(); /* the cores, or what %%scaling measures */
    if (n > POOL_MAX_WORKERS) {
        rt_error("%s: %d workers is too many (at most %d)", who, n, POOL_MAX_WORKERS);
        return NULL;
    }
    if (my_pool_slot >= 0) {
        rt_error("%s: a pool cannot be created inside a task of another pool", who);
        return NULL;
    }
    int slot = 0;
    while (slot < POOL_MAX_LIVE && reg[slot].p)
        slot++;
    if (slot == POOL_MAX_LIVE) {
        rt_error("%s: %d pools are alive: free some with parc_pool_free", who, POOL_MAX_LIVE);
        return NULL;
    }
    struct pool *p = xcalloc(1, sizeof *p);
    p->procs = procs;
    p->n = n;
    p->slot = slot;
    if (++reg[slot].gen == 0)
        reg[slot].gen = 1;
    p->gen = reg[slot].gen;
    if (pool_start(p, 0, who) < 0) {
        free(p);
        return NULL;
    }
    reg[slot].p = p;
    return pool_handle(p);
}

parc_pool *parc_threads(int n)
{
    return pool_new(0, n);
}

parc_pool *parc_procs(int n)
{
    return pool_new(1, n);
}

int parc_pool_size(parc_pool *h)
{
    struct pool *p = pool_get(h, "parc_pool_size");
    return p ? p->n : -1;
}

void parc_pool_free(parc_pool *h)
{
    if (!h)
        return;
    struct pool *p = pool_get(h, "parc_pool_free");
    if (!p)
        return;
    if (my_pool_slot == p->slot) {
        rt_error("parc_pool_free: a pool cannot be freed by one of its own tasks");
        return;
    }
    pool_stop(p);
    future_free_all(p);
    reg[p->slot].p = NULL;
    free(p);
}

void rt_pools_cell_end(void)
{
    for (int i = 0; i < POOL_MAX_LIVE; i++)
        if (reg[i].p && reg[i].p->sh)
            pool_stop(reg[i].p);
}

/* ------------------------------------------------------------------ */
/* parc_map                                                            */
/* ------------------------------------------------------------------ */

static int map_args_ok(void (*fn)(void *, void *), size_t count, int schedule)
{
    if (!fn) {
        rt_error("parc_map: the function is NULL");
        return 0;
    }
    if (count == 0) {
        rt_error("parc_map: zero tasks (count is 0): nothing to map");
        return 0;
    }
    if (schedule != PARC_STATIC && schedule != PARC_DYNAMIC && schedule != PARC_GUIDED) {
        rt_error("parc_map: unknown schedule %d (use PARC_STATIC, PARC_DYNAMIC or PARC_GUIDED)", schedule);
        return 0;
    }
    return 1;
}

int parc_map(parc_pool *h, void (*fn)(void *in, void *out), const void *in, void *out, size_t count,
             size_t in_size, size_t out_size, int schedule, size_t chunk)
{
    struct pool *p = pool_get(h, "parc_map");
    if (!p || !map_args_ok(fn, count, schedule))
        return -1;
    if (my_pool_slot == p->slot) {
        rt_error("parc_map: called from a task of the same pool, it would wait for itself forever");
        return -1;
    }
    size_t in_bytes = in && in_size ? count * in_size : 0, out_bytes = out && out_size ? count * out_size : 0;
    if ((in_size && count > SIZE_MAX / in_size) || (out_size && count > SIZE_MAX / out_size)) {
        rt_error("parc_map: count * size overflows");
        return -1;
    }
    size_t in_room = (in_bytes + 63) & ~(size_t)63;
    if (pool_ready(p, p->procs ? in_room + out_bytes : 0) < 0)
        return -1;
    struct pool_shared *sh = p->sh;
    struct pool_map m = {fn, in, out, count, in_size, out_size, chunk, schedule, 0};
    if (p->procs) {
        /* Workers were forked earlier: inputs and outputs travel through
         * the staging area they share. */
        if (in_bytes) {
            memcpy(sh->staging, in, in_bytes);
            m.in = sh->staging;
        }
        if (out_bytes)
            m.out = sh->staging + in_room;
    }
    mu_lock(&sh->mu);
    sh->map = m;
    sh->map_gen++;
    sh->map_active = p->n;
    sh->map_lost = 0;
    pthread_cond_broadcast(&sh->work);
    while (sh->map_active > 0) {
        sh->owner_waiting = 1;
        int timed_out = cond_wait(p, &sh->done);
        sh->owner_waiting = 0;
        if (timed_out && p->procs) {
            mu_unlock(&sh->mu);
            reap_dead(p);
            mu_lock(&sh->mu);
        }
    }
    int lost = sh->map_lost;
    mu_unlock(&sh->mu);
    if (p->procs && out_bytes)
        memcpy(out, m.out, out_bytes);
    if (lost) {
        rt_error("parc_map: a process worker died during the map: some outputs were not computed");
        return -1;
    }
    return 0;
}
