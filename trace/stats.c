/* stats.c — summary numbers of a trace (see stats.h). */
#include "stats.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

struct span {
    int64_t a, b;
};

static int cmp_span(const void *x, const void *y)
{
    const struct span *p = x, *q = y;
    return p->a < q->a ? -1 : p->a > q->a;
}

/* Sorts and merges v in place; returns the number of disjoint intervals. */
static size_t merge(struct span *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_span);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && v[i].a <= v[m - 1].b) {
            if (v[i].b > v[m - 1].b)
                v[m - 1].b = v[i].b;
        } else {
            v[m++] = v[i];
        }
    }
    return m;
}

static int64_t length(const struct span *v, size_t n)
{
    int64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i].b - v[i].a;
    return s;
}

/* Total length of the intersection of two sorted disjoint lists. */
static int64_t overlap(const struct span *x, size_t nx, const struct span *y, size_t ny)
{
    int64_t s = 0;
    size_t i = 0, j = 0;
    while (i < nx && j < ny) {
        int64_t a = x[i].a > y[j].a ? x[i].a : y[j].a;
        int64_t b = x[i].b < y[j].b ? x[i].b : y[j].b;
        if (b > a)
            s += b - a;
        if (x[i].b < y[j].b)
            i++;
        else
            j++;
    }
    return s;
}

struct edge {
    int64_t t;
    int d;
};

static int cmp_edge(const void *x, const void *y)
{
    const struct edge *p = x, *q = y;
    if (p->t != q->t)
        return p->t < q->t ? -1 : 1;
    return p->d - q->d; /* ends before starts: touching is not overlapping */
}

void trace_stats(const struct trace *t, struct trace_stats *st)
{
    st->nlanes = t->nlanes;
    st->busy_ns = xcalloc(t->nlanes + 1, sizeof *st->busy_ns);
    st->wait_ns = xcalloc(t->nlanes + 1, sizeof *st->wait_ns);
    st->ntasks = xcalloc(t->nlanes + 1, sizeof *st->ntasks);
    st->wall_ns = t->wall_ns;
    struct span *tasks = xmalloc((t->nevents + 1) * sizeof *tasks);
    struct span *waits = xmalloc((t->nevents + 1) * sizeof *waits);
    struct edge *edges = xmalloc((2 * t->nevents + 1) * sizeof *edges);
    size_t nedges = 0;
    for (size_t i = 0; i < t->nevents;) {
        int lane = t->events[i].lane;
        size_t nt = 0, nw = 0;
        for (; i < t->nevents && t->events[i].lane == lane; i++) {
            const struct trace_event *e = &t->events[i];
            if (e->end_ns > st->wall_ns)
                st->wall_ns = e->end_ns;
            if (e->kind == TRACE_TASK)
                tasks[nt++] = (struct span){e->start_ns, e->end_ns};
            else if (e->kind == TRACE_WAIT)
                waits[nw++] = (struct span){e->start_ns, e->end_ns};
        }
        if (lane < 0 || (size_t)lane >= t->nlanes)
            continue;
        st->ntasks[lane] = nt;
        nt = merge(tasks, nt);
        nw = merge(waits, nw);
        st->busy_ns[lane] = length(tasks, nt) - overlap(tasks, nt, waits, nw);
        st->wait_ns[lane] = length(waits, nw);
        for (size_t k = 0; k < nt; k++) {
            edges[nedges++] = (struct edge){tasks[k].a, +1};
            edges[nedges++] = (struct edge){tasks[k].b, -1};
        }
    }
    /* Per lane the task intervals are disjoint after merging, so two at
     * once means two lanes. */
    qsort(edges, nedges, sizeof *edges, cmp_edge);
    int depth = 0;
    st->parallel = 0;
    for (size_t i = 0; i < nedges && !st->parallel; i++)
        if ((depth += edges[i].d) >= 2)
            st->parallel = 1;
    free(tasks);
    free(waits);
    free(edges);

    st->working = 0;
    st->busy_sum = 0;
    int64_t max = 0;
    for (size_t l = 0; l < t->nlanes; l++) {
        if (!st->ntasks[l])
            continue;
        st->working++;
        st->busy_sum += st->busy_ns[l];
        if (st->busy_ns[l] > max)
            max = st->busy_ns[l];
    }
    st->speedup = st->wall_ns > 0 ? (double)st->busy_sum / (double)st->wall_ns : 0;
    st->efficiency = st->working ? st->speedup / (double)st->working : 0;
    double mean = st->working ? (double)st->busy_sum / (double)st->working : 0;
    st->imbalance = max > 0 ? ((double)max - mean) / (double)max : 0;
}

void trace_stats_free(struct trace_stats *st)
{
    if (!st)
        return;
    free(st->busy_ns);
    free(st->wait_ns);
    free(st->ntasks);
    st->busy_ns = st->wait_ns = NULL;
    st->ntasks = NULL;
}

char *trace_fmt_ns(int64_t ns, char *out, size_t n)
{
    double v = (double)ns;
    double a = v < 0 ? -v : v;
    const char *unit = "ns";
    if (a >= 1e9)
        v /= 1e9, unit = "s";
    else if (a >= 1e6)
        v /= 1e6, unit = "ms";
    else if (a >= 1e3)
        v /= 1e3, unit = "µs";
    if (a < 1e3)
        snprintf(out, n, "%lld ns", (long long)ns);
    else
        snprintf(out, n, "%.3g %s", v, unit);
    return out;
}

const char *trace_event_name(const struct trace *t, const struct trace_event *e)
{
    return e->name >= 0 && (size_t)e->name < t->nnames ? t->names[e->name] : "?";
}
