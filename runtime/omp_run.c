/* omp_run.c — a cell's OpenMP settings given to libomp (see omp_run.h).
 * libomp's functions are looked up by name: parc-engine does not link
 * against it, so sessions that never use OpenMP never load it. */
#include "omp_run.h"
#include "ompt.h"

#include <dlfcn.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

static cpu_set_t saved_cpus;
static int cpus_saved;
/* What the cell's settings replaced, put back at its end: a session whose
 * cells run in place (GPU sessions) keeps one libomp from cell to cell. */
static int saved_threads, saved_schedule, saved_chunk;

static void *omp_fn(const char *name)
{
    return dlsym(RTLD_DEFAULT, name);
}

int rt_omp_loaded(void)
{
    /* A symbol only libomp defines: asking dlopen(RTLD_NOLOAD) searches
     * the library folders (~50 µs) when it is not loaded. */
    return dlsym(RTLD_DEFAULT, "__kmpc_fork_call") != NULL;
}

/* Sets name to value for libomp's start only: the old value (or none) is
 * put back by restore_env. */
struct env_save {
    const char *name;
    char *old;
    int set;
};

static void set_env(struct env_save *e, const char *name, const char *value)
{
    e->name = name;
    const char *old = getenv(name);
    e->old = old ? strdup(old) : NULL;
    e->set = 1;
    setenv(name, value, 1);
}

static void restore_env(struct env_save *e)
{
    if (!e->set)
        return;
    if (e->old)
        setenv(e->name, e->old, 1);
    else
        unsetenv(e->name);
    free(e->old);
}

void rt_omp_cell_begin(const struct rt_omp_settings *s)
{
    trace_ompt_set_recording(!s->no_trace);
    if (!rt_omp_loaded())
        return;
    cpus_saved = sched_getaffinity(0, sizeof saved_cpus, &saved_cpus) == 0;
    /* On a machine with few cores, threads left to the scheduler often run
     * one after the other in short regions; spread over cores they run at
     * once. The user's own OMP_PROC_BIND / OMP_PLACES win unless the cell
     * asked for a binding. */
    struct env_save bind = {0}, places = {0}, locks = {0};
    const char *b = s->bind == RT_OMP_BIND_CLOSE  ? "close"
                    : s->bind == RT_OMP_BIND_NONE ? "false"
                    : s->bind == RT_OMP_BIND_SPREAD || !getenv("OMP_PROC_BIND") ? "spread"
                                                                               : NULL;
    if (b)
        set_env(&bind, "OMP_PROC_BIND", b);
    if (s->bind != RT_OMP_BIND_NONE && (s->bind != RT_OMP_BIND_DEFAULT || !getenv("OMP_PLACES")))
        set_env(&places, "OMP_PLACES", "cores");
    /* Locks live in the lock itself, not in a table of libomp's, which a
     * forked cell process starts afresh: omp_lock_t variables keep working
     * in later cells. */
    if (!getenv("KMP_LOCK_KIND"))
        set_env(&locks, "KMP_LOCK_KIND", "futex");
    /* libomp starts (and reads the environment) on its first call; each
     * cell process is a fork in which libomp starts afresh. */
    int (*max_threads)(void) = (int (*)(void))omp_fn("omp_get_max_threads");
    saved_threads = max_threads ? max_threads() : 0;
    restore_env(&bind);
    restore_env(&places);
    restore_env(&locks);
    void (*get_schedule)(int *, int *) = (void (*)(int *, int *))omp_fn("omp_get_schedule");
    saved_schedule = 0;
    if (get_schedule)
        get_schedule(&saved_schedule, &saved_chunk);
    if (s->threads > 0)
        rt_omp_set_threads(s->threads);
    void (*set_schedule)(int, int) = (void (*)(int, int))omp_fn("omp_set_schedule");
    if (s->schedule && set_schedule)
        set_schedule(s->schedule, s->chunk);
}

int rt_omp_cell_end(void)
{
    if (cpus_saved)
        sched_setaffinity(0, sizeof saved_cpus, &saved_cpus);
    cpus_saved = 0;
    if (saved_threads > 0)
        rt_omp_set_threads(saved_threads);
    void (*set_schedule)(int, int) = (void (*)(int, int))omp_fn("omp_set_schedule");
    if (saved_schedule && set_schedule)
        set_schedule(saved_schedule, saved_chunk);
    saved_threads = saved_schedule = 0;
    return trace_ompt_workers();
}

void rt_omp_set_threads(int n)
{
    void (*set)(int) = (void (*)(int))omp_fn("omp_set_num_threads");
    if (set && n > 0)
        set(n);
}
