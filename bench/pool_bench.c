/* pool_bench.c — per-task overhead of parc's pools: N empty tasks through
 * parc_submit (then parc_wait_all) and through parc_map (dynamic, chunk 1),
 * on 2 threads and on 2 processes, against raw pthreads in the same run: a
 * minimal mutex/condition-variable task queue with 2 threads, and one
 * pthread_create + pthread_join per task. Python's multiprocessing
 * apply_async is timed by pool_bench.py.
 *   pool_bench [N]    (default 1000000) */
#include "parc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *empty(void *a)
{
    return a;
}

static void empty_map(void *in, void *out)
{
    (void)in;
    (void)out;
}

static double per_task(long t0, long n)
{
    return (double)(parc_now() - t0) / (double)n;
}

static double bench_submit(parc_pool *p, long n)
{
    long t0 = parc_now();
    for (long i = 0; i < n; i++)
        if (!parc_submit(p, empty, (void *)i))
            exit(1);
    if (parc_wait_all(p) < 0)
        exit(1);
    return per_task(t0, n);
}

static double bench_map(parc_pool *p, long n)
{
    long t0 = parc_now();
    if (parc_map(p, empty_map, NULL, NULL, (size_t)n, 0, 0, PARC_DYNAMIC, 1) < 0)
        exit(1);
    return per_task(t0, n);
}

/* ---- the raw pthreads queue ---- */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv, done;
    void *(**fn)(void *);
    long head, tail, finished, n;
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 0, 0, 0};

static void *raw_worker(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&q.mu);
    for (;;) {
        while (q.head == q.tail && q.finished < q.n)
            pthread_cond_wait(&q.cv, &q.mu);
        if (q.head == q.tail)
            break;
        void *(*fn)(void *) = q.fn[q.head++];
        pthread_mutex_unlock(&q.mu);
        fn(NULL);
        pthread_mutex_lock(&q.mu);
        if (++q.finished == q.n) {
            pthread_cond_broadcast(&q.done);
            pthread_cond_broadcast(&q.cv);
        }
    }
    pthread_mutex_unlock(&q.mu);
    return NULL;
}

static double bench_raw_queue(long n)
{
    q.fn = malloc((size_t)n * sizeof *q.fn);
    q.n = n;
    pthread_t t[2];
    long t0 = parc_now();
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, raw_worker, NULL);
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&q.mu);
        q.fn[q.tail++] = empty;
        pthread_cond_signal(&q.cv);
        pthread_mutex_unlock(&q.mu);
    }
    pthread_mutex_lock(&q.mu);
    while (q.finished < n)
        pthread_cond_wait(&q.done, &q.mu);
    pthread_mutex_unlock(&q.mu);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    free(q.fn);
    return per_task(t0, n);
}

static double bench_create_join(long n)
{
    long t0 = parc_now();
    for (long i = 0; i < n; i++) {
        pthread_t t;
        pthread_create(&t, NULL, empty, NULL);
        pthread_join(t, NULL);
    }
    return per_task(t0, n);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    long small = n / 10 > 0 ? n / 10 : 1;
    parc_pool *t = parc_threads(2), *p = parc_procs(2);
    bench_submit(t, 10000); /* warm up: rings and futures touched once */
    bench_submit(p, 10000);
    printf("tasks: %ld on 2 workers; ns per task\n", n);
    printf("threads  parc_submit + parc_wait_all   %8.1f\n", bench_submit(t, n));
    printf("threads  parc_map dynamic chunk 1      %8.1f\n", bench_map(t, n));
    printf("procs    parc_submit + parc_wait_all   %8.1f\n", bench_submit(p, n));
    printf("procs    parc_map dynamic chunk 1      %8.1f\n", bench_map(p, n));
    printf("raw      mutex/condvar queue, 2 threads %7.1f\n", bench_raw_queue(n));
    printf("raw      pthread_create + join (%ld)   %8.1f\n", small, bench_create_join(small));
    parc_pool_free(t);
    parc_pool_free(p);
    return 0;
}
