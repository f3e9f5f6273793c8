/* pool.h — inside the pools of parc.h, shared by pool.c (workers, map,
 * the pool's life) and future.c (submit, futures, dependencies). Not for
 * cells.
 *
 * A pool is a description (kind, worker count) plus its futures, kept in
 * the cell process's private memory, so that it survives the cell
 * transaction like any other variable. Its workers run only within one
 * cell: they start when the pool is created or first used in a cell and
 * stop, after finishing every task, when the cell ends (rt_pools_cell_end).
 * The owner (the thread that uses the pool) and the workers talk through a
 * struct pool_shared: two rings (tasks out, completions back) and the
 * current map job, in MAP_SHARED memory for process pools. */
#ifndef PARC_RT_POOL_H
#define PARC_RT_POOL_H

#include "parc.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#define POOL_MAX_WORKERS 256

/* The worker count %%scaling is measuring, 0 when none; set by scaling.c,
 * read by parc_default_workers (pool.c). */
extern int rt_scaling_workers;
#define POOL_MAX_LIVE 1024
#define POOL_RING (1u << 16) /* tasks handed to workers at once */

struct pool_task {
    void *(*fn)(void *);
    void *arg;
    long id;        /* the future's index */
    int64_t queued; /* trace time of parc_submit */
};

struct pool_completion {
    long id;
    void *result;
    int worker, lane;
    int64_t start, end;
};

/* The running parc_map call. */
struct pool_map {
    void (*fn)(void *in, void *out);
    const char *in;
    char *out;
    size_t count, in_size, out_size, chunk;
    int schedule;
    size_t next; /* dynamic and guided: first index not yet taken (atomic) */
};

struct pool_shared {
    pthread_mutex_t mu;
    pthread_cond_t work; /* workers wait here for tasks, a map or stop */
    pthread_cond_t done; /* the owner waits here for completions */
    int stop, sleeping, owner_waiting;
    int spinning;        /* a worker is looking for work before sleeping */
    size_t head, tail;   /* task ring: head = next to take */
    size_t chead, ctail; /* completion ring */
    unsigned map_gen;    /* bumped for every parc_map */
    int map_active;      /* workers that have not finished the map */
    int map_lost;        /* a worker died during the map */
    struct pool_map map;
    unsigned seen[POOL_MAX_WORKERS];  /* last map_gen each worker joined */
    char in_map[POOL_MAX_WORKERS];    /* worker is inside the map now */
    long current[POOL_MAX_WORKERS];   /* future each worker runs, -1 none */
    struct pool_task *tasks;          /* POOL_RING entries */
    struct pool_completion *comps;    /* POOL_RING entries */
    char *staging;                    /* process pools: map inputs/outputs */
    size_t staging_size;
};

enum { F_HELD, F_QUEUED, F_DONE, F_FAILED };

struct future {
    void *(*fn)(void *);
    void *arg, *result;
    unsigned char state;
    int worker, lane;
    int pending;          /* dependencies not finished */
    long out, in;         /* first edge: to dependents / from dependencies */
    int64_t queued, start, end;
};

struct edge {
    long from, to;
    long next_out, next_in;
};

struct pool {
    int procs, n;
    int slot;
    unsigned gen;
    /* Workers: running only in the process `owner` (0 = none). */
    pid_t owner;
    struct pool_shared *sh;
    size_t sh_size;
    pthread_t *threads;
    pid_t *pids;
    unsigned shm_gen;     /* rt_shm_gen when the workers started */
    size_t inflight;      /* tasks in the ring or running */
    int broken;           /* workers could not be (re)started */
    /* Futures, in submission order. */
    struct future *f;
    size_t nf, capf;
    struct edge *e;
    size_t ne, cape;
    long *ready;          /* queued futures not yet in the ring (FIFO) */
    size_t rhead, rtail, rcap;
    long *order;          /* futures in completion order */
    size_t norder, next_order;
    size_t unfinished;    /* futures neither done nor failed */
};

/* Handles are numbers, not pointers: generation (16 bits), registry slot
 * (16 bits), future index + 1 (32 bits; 0 in a pool's handle). A stale
 * handle is then recognised, never dereferenced. */
static inline parc_pool *pool_handle(const struct pool *p)
{
    return (parc_pool *)(uintptr_t)(((uint64_t)p->gen << 48) | ((uint64_t)p->slot << 32));
}

static inline parc_future *future_handle(const struct pool *p, long id)
{
    return (parc_future *)((uintptr_t)pool_handle(p) | (uint64_t)(id + 1));
}

/* The pool behind handle h, or NULL after printing "who: ..." to stderr. */
struct pool *pool_get(parc_pool *h, const char *who);
/* The pool of future h and the future's index, or NULL after printing. */
struct pool *pool_of_future(parc_future *h, long *id, const char *who);
/* Makes sure the workers run in this process, current with its shared
 * memory, with at least staging bytes of staging (process pools). 0/-1. */
int pool_ready(struct pool *p, size_t staging);
/* Owner side: hands queued futures to the workers, takes their
 * completions, and when wait is set and nothing completed, sleeps until
 * something does. Returns how many completed (or failed), -1 if broken. */
long pool_pump(struct pool *p, int wait);
/* Marks future id failed and releases what depends on it. */
void pool_fail(struct pool *p, long id);
/* Called for each completion by pool_pump (future.c). */
void future_complete(struct pool *p, const struct pool_completion *c);
/* Frees the futures of p (future.c). */
void future_free_all(struct pool *p);

/* Called by the executor when a cell's code has returned: stops the
 * workers of every pool (after their tasks), which live only in a cell. */
void rt_pools_cell_end(void);

/* The pool (slot, gen) the calling thread is a worker of, or -1. */
int pool_current_slot(void);

/* Bumped by every parc_shared_alloc: process workers started before it
 * cannot see the new memory and are restarted before their next task. */
extern unsigned rt_shm_gen;

/* Shared memory for the runtime itself: MAP_SHARED, zeroed, NULL on
 * failure (errno set). shm_unmap accepts NULL. */
void *shm_map(size_t size);
void shm_unmap(void *p, size_t size);

/* getpid(), cached (and forgotten in forked children). */
pid_t rt_pid(void);

/* The calling thread's worker id and count (0 and 1 outside workers). */
void worker_set(int id, int count);

/* Prints "parc: " msg to stderr (flushing stdout first, so messages keep
 * their place in the output). */
void rt_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
