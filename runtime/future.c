/* future.c — futures of a pool (see parc.h, pool.h): submitting tasks,
 * dependencies between them, waiting, and completion order. Futures live
 * in the owner's private memory; workers see only the task ring. */
#include "pool.h"
#include "rtrace.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Bookkeeping                                                         */
/* ------------------------------------------------------------------ */

static long new_future(struct pool *p, void *(*fn)(void *), void *arg)
{
    if (p->nf == p->capf) {
        p->capf = p->capf ? p->capf * 2 : 256;
        p->f = xrealloc(p->f, p->capf * sizeof *p->f);
    }
    long id = (long)p->nf++;
    p->f[id] = (struct future){fn, arg, NULL, F_HELD, -1, -1, 0, -1, -1, rtrace_now(), 0, 0};
    p->unfinished++;
    return id;
}

static void add_edge(struct pool *p, long from, long to)
{
    if (p->ne == p->cape) {
        p->cape = p->cape ? p->cape * 2 : 64;
        p->e = xrealloc(p->e, p->cape * sizeof *p->e);
    }
    long k = (long)p->ne++;
    p->e[k] = (struct edge){from, to, p->f[from].out, p->f[to].in};
    p->f[from].out = k;
    p->f[to].in = k;
}

/* Queues future id for the workers (handed over at the next pump). */
static void make_ready(struct pool *p, long id)
{
    if (p->rtail == p->rcap) {
        if (p->rhead > 0) {
            memmove(p->ready, p->ready + p->rhead, (p->rtail - p->rhead) * sizeof *p->ready);
            p->rtail -= p->rhead;
            p->rhead = 0;
        }
        if (p->rtail == p->rcap) {
            p->rcap = p->rcap ? p->rcap * 2 : 256;
            p->ready = xrealloc(p->ready, p->rcap * sizeof *p->ready);
        }
    }
    p->f[id].state = F_QUEUED;
    p->ready[p->rtail++] = id;
}

static void finished(struct pool *p, long id)
{
    if (p->norder % 256 == 0)
        p->order = xrealloc(p->order, (p->norder + 256) * sizeof *p->order);
    p->order[p->norder++] = id;
    p->unfinished--;
}

void future_complete(struct pool *p, const struct pool_completion *c)
{
    struct future *f = &p->f[c->id];
    f->result = c->result;
    f->state = F_DONE;
    f->worker = c->worker;
    f->lane = c->lane;
    f->start = c->start;
    f->end = c->end;
    finished(p, c->id);
    if (f->in >= 0 && rtrace_on()) {
        int name = rtrace_name("dependency");
        for (long k = f->in; k >= 0; k = p->e[k].next_in) {
            const struct future *d = &p->f[p->e[k].from];
            rtrace_arrow(d->lane, d->end, f->lane, f->start, name);
        }
    }
    for (long k = f->out; k >= 0; k = p->e[k].next_out) {
        struct future *g = &p->f[p->e[k].to];
        if (g->state == F_HELD && --g->pending == 0)
            make_ready(p, p->e[k].to);
    }
}

void pool_fail(struct pool *p, long id)
{
    struct future *f = &p->f[id];
    if (f->state == F_DONE || f->state == F_FAILED)
        return;
    f->state = F_FAILED;
    finished(p, id);
    for (long k = f->out; k >= 0; k = p->e[k].next_out)
        if (p->f[p->e[k].to].state == F_HELD)
            pool_fail(p, p->e[k].to);
}

void future_free_all(struct pool *p)
{
    free(p->f);
    free(p->e);
    free(p->ready);
    free(p->order);
    p->f = NULL;
    p->e = NULL;
    p->ready = NULL;
    p->order = NULL;
    p->nf = p->capf = p->ne = p->cape = p->rhead = p->rtail = p->rcap = 0;
    p->norder = p->next_order = p->unfinished = 0;
}

/* ------------------------------------------------------------------ */
/* Submitting                                                          */
/* ------------------------------------------------------------------ */

static struct pool *submit_pool(parc_pool *h, void *(*fn)(void *), const char *who)
{
    struct pool *p = pool_get(h, who);
    if (!p)
        return NULL;
    if (!fn) {
        rt_error("%s: the function is NULL", who);
        return NULL;
    }
    if (pool_current_slot() == p->slot) {
        rt_error("%s: called from a task of the same pool (submit from the cell, not from a task)", who);
        return NULL;
    }
    if (p->nf >= 0xfffffffeu) {
        rt_error("%s: too many futures in one pool; free it and make a new one", who);
        return NULL;
    }
    return p;
}

parc_future *parc_submit(parc_pool *h, void *(*fn)(void *), void *arg)
{
    struct pool *p = submit_pool(h, fn, "parc_submit");
    if (!p || pool_ready(p, 0) < 0)
        return NULL;
    long id = new_future(p, fn, arg);
    make_ready(p, id);
    pool_pump(p, 0);
    return future_handle(p, id);
}

parc_future *parc_submit_after(parc_pool *h, void *(*fn)(void *), void *arg, parc_future **deps, size_t ndeps)
{
    const char *who = "parc_submit_after";
    struct pool *p = submit_pool(h, fn, who);
    if (!p)
        return NULL;
    if (ndeps && !deps) {
        rt_error("%s: deps is NULL but ndeps is %zu", who, ndeps);
        return NULL;
    }
    long *ids = xmalloc((ndeps + 1) * sizeof *ids);
    for (size_t i = 0; i < ndeps; i++) {
        struct pool *q = pool_of_future(deps[i], &ids[i], who);
        if (q != p) {
            if (q)
                rt_error("%s: dependency %zu is a future of another pool", who, i);
            free(ids);
            return NULL;
        }
    }
    if (pool_ready(p, 0) < 0) {
        free(ids);
        return NULL;
    }
    long id = new_future(p, fn, arg);
    int failed = 0;
    for (size_t i = 0; i < ndeps; i++) {
        const struct future *d = &p->f[ids[i]];
        add_edge(p, ids[i], id);
        if (d->state == F_FAILED)
            failed = 1;
        else if (d->state != F_DONE)
            p->f[id].pending++;
    }
    free(ids);
    if (failed)
        pool_fail(p, id);
    else if (p->f[id].pending == 0)
        make_ready(p, id);
    pool_pump(p, 0);
    return future_handle(p, id);
}

/* ------------------------------------------------------------------ */
/* Waiting                                                             */
/* ------------------------------------------------------------------ */

static int finished_state(const struct future *f)
{
    return f->state == F_DONE || f->state == F_FAILED;
}

/* Pumps until cond(p, arg) holds or nothing more can finish. The wait is
 * recorded on the caller's lane. */
static void wait_until(struct pool *p, int (*cond)(struct pool *, long), long arg, const char *what)
{
    if (cond(p, arg))
        return;
    int64_t t0 = rtrace_now();
    while (!cond(p, arg) && pool_pump(p, 1) > 0)
        ;
    rtrace_event(rtrace_lane(NULL), TRACE_WAIT, rtrace_name(what), t0, rtrace_now(), TRACE_NO_ARG, TRACE_NO_ARG);
}

static int future_finished(struct pool *p, long id)
{
    return finished_state(&p->f[id]);
}

void *parc_get(parc_future *h)
{
    long id;
    struct pool *p = pool_of_future(h, &id, "parc_get");
    if (!p)
        return NULL;
    if (!finished_state(&p->f[id])) {
        if (pool_current_slot() == p->slot) {
            rt_error("parc_get: called from a task of the same pool: it could wait for itself forever");
            return NULL;
        }
        wait_until(p, future_finished, id, "parc_get");
    }
    const struct future *f = &p->f[id];
    if (f->state == F_FAILED) {
        rt_error("parc_get: task %ld failed (its worker died, or a task it depends on failed); returning NULL", id);
        return NULL;
    }
    return f->state == F_DONE ? f->result : NULL;
}

int parc_done(parc_future *h)
{
    long id;
    struct pool *p = pool_of_future(h, &id, "parc_done");
    if (!p)
        return -1;
    if (!finished_state(&p->f[id]) && pool_current_slot() != p->slot)
        pool_pump(p, 0);
    return finished_state(&p->f[id]);
}

static int all_finished(struct pool *p, long unused)
{
    (void)unused;
    return p->unfinished == 0;
}

int parc_wait_all(parc_pool *h)
{
    struct pool *p = pool_get(h, "parc_wait_all");
    if (!p)
        return -1;
    if (pool_current_slot() == p->slot) {
        rt_error("parc_wait_all: called from a task of the same pool: it would wait for itself forever");
        return -1;
    }
    wait_until(p, all_finished, 0, "parc_wait_all");
    for (size_t i = 0; i < p->nf; i++)
        if (p->f[i].state == F_FAILED)
            return -1;
    return p->unfinished ? -1 : 0;
}

static int one_more(struct pool *p, long unused)
{
    (void)unused;
    return p->next_order < p->norder || p->unfinished == 0;
}

parc_future *parc_next_completed(parc_pool *h)
{
    struct pool *p = pool_get(h, "parc_next_completed");
    if (!p)
        return NULL;
    if (pool_current_slot() == p->slot) {
        rt_error("parc_next_completed: called from a task of the same pool");
        return NULL;
    }
    wait_until(p, one_more, 0, "parc_next_completed");
    if (p->next_order < p->norder)
        return future_handle(p, p->order[p->next_order++]);
    return NULL;
}
