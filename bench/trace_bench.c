/* trace_bench.c — what tracing costs: ns per recorded event (one thread,
 * and two threads at once), and the SVG timeline's render time and size
 * for 10,000 and 100,000 tasks on 4 lanes. */
#include "svg.h"
#include "trace.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVENTS 1000000

static void *record(void *arg)
{
    int lane = trace_rec_lane(NULL);
    int name = trace_rec_name("task");
    long n = (long)arg;
    for (long i = 0; i < n; i++)
        trace_rec_event(lane, TRACE_TASK, name, i, i + 1, i, TRACE_NO_ARG);
    return NULL;
}

static double per_event(int threads)
{
    trace_rec_begin((size_t)EVENTS * 2);
    pthread_t t[8];
    long long t0 = now_ns();
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, record, (void *)(long)(EVENTS / threads));
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    return (double)(now_ns() - t0) / EVENTS * threads;
}

static double full_event(void)
{
    /* As a pool records a task: two clock reads, a name lookup, the event. */
    trace_rec_begin((size_t)EVENTS * 2);
    int lane = trace_rec_lane(NULL);
    long long t0 = now_ns();
    for (long i = 0; i < EVENTS; i++) {
        int64_t a = trace_rec_now();
        int64_t b = trace_rec_now();
        trace_rec_event(lane, TRACE_TASK, trace_rec_name("task"), a, b, i, TRACE_NO_ARG);
    }
    return (double)(now_ns() - t0) / EVENTS;
}

static void render(size_t tasks)
{
    trace_rec_begin(tasks + 16);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, record, (void *)(long)(tasks / 4));
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    struct trace *tr = trace_rec_snapshot();
    double best = 1e18;
    size_t size = 0;
    for (int r = 0; r < 5; r++) {
        long long t0 = now_ns();
        char *svg = trace_svg(tr, NULL);
        double ms = (double)(now_ns() - t0) / 1e6;
        if (ms < best)
            best = ms;
        size = strlen(svg);
        free(svg);
    }
    printf("svg  %7zu tasks on 4 lanes: %6.2f ms (best of 5), %7zu bytes\n", tasks, best, size);
    trace_free(tr);
}

int main(void)
{
    per_event(1); /* warm-up: pages of the region */
    printf("record, 1 thread:   %5.1f ns per event\n", per_event(1));
    printf("record, 2 threads:  %5.1f ns per event (each thread)\n", per_event(2));
    printf("record with 2 clock reads and a name lookup: %5.1f ns per task\n", full_event());
    render(10000);
    render(100000);
    return 0;
}
