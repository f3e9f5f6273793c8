/* lock.c — parc_lock, a mutex in shared memory that works across the
 * threads and the processes of a cell (see parc.h). Waiting for it and
 * holding it are recorded in the trace. */
#include "pool.h"
#include "rtrace.h"

#include <errno.h>
#include <pthread.h>

#define LOCK_MAGIC 0x6c6f636bL

struct parc_lock {
    pthread_mutex_t mu;
    long magic;
    long id;           /* creation number, shown in the trace */
    int64_t held_since; /* trace time, written by the holder only */
};

static long locks_made;

parc_lock *parc_lock_new(void)
{
    parc_lock *l = parc_shared_alloc(sizeof *l);
    if (!l)
        return NULL;
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    /* A holder that dies (a crashed process worker, a failed cell) must
     * not leave the lock taken forever. */
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&l->mu, &a);
    pthread_mutexattr_destroy(&a);
    l->magic = LOCK_MAGIC;
    l->id = locks_made++;
    return l;
}

static int valid(parc_lock *l, const char *who)
{
    if (!l) {
        rt_error("%s: the lock is NULL (did parc_lock_new fail?)", who);
        return 0;
    }
    if (l->magic != LOCK_MAGIC) {
        rt_error("%s: not a lock made by parc_lock_new (or freed)", who);
        return 0;
    }
    return 1;
}

static void taken(parc_lock *l, int r)
{
    if (r == EOWNERDEAD) {
        rt_error("parc_lock_acquire: the lock's holder died while holding it; the lock is taken over");
        pthread_mutex_consistent(&l->mu);
    }
}

void parc_lock_acquire(parc_lock *l)
{
    if (!valid(l, "parc_lock_acquire"))
        return;
    int r = pthread_mutex_trylock(&l->mu);
    if (r == 0 || r == EOWNERDEAD) {
        taken(l, r);
        l->held_since = rtrace_now();
        return;
    }
    int64_t t0 = rtrace_now();
    taken(l, pthread_mutex_lock(&l->mu));
    int64_t t1 = rtrace_now();
    l->held_since = t1;
    rtrace_event(rtrace_lane(NULL), TRACE_WAIT, rtrace_name("waiting for lock"), t0, t1, l->id, TRACE_NO_ARG);
}

void parc_lock_release(parc_lock *l)
{
    if (!valid(l, "parc_lock_release"))
        return;
    if (rtrace_on())
        rtrace_event(rtrace_lane(NULL), TRACE_SPAN, rtrace_name("holding lock"), l->held_since, rtrace_now(), l->id,
                     TRACE_NO_ARG);
    if (pthread_mutex_unlock(&l->mu) != 0)
        rt_error("parc_lock_release: the lock is not held by this thread");
}

void parc_lock_free(parc_lock *l)
{
    if (!l)
        return;
    if (!valid(l, "parc_lock_free"))
        return;
    pthread_mutex_destroy(&l->mu);
    l->magic = 0;
    parc_shared_free(l);
}
