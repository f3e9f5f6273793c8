/* test_trace_record.c — the recorder: threads and forked processes record
 * into one trace; names are interned; open events close once; snapshots
 * are sorted by lane then start; lanes renamed; a window open at its end;
 * a wait in progress. */
#include "trace.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

#define CHECK(c)                                                              \
    do {                                                                      \
        if (!(c)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
            failures++;                                                       \
        }                                                                     \
    } while (0)

#define PER_WORKER 1000

static void *thread_body(void *arg)
{
    int lane = trace_rec_lane(NULL);
    int name = trace_rec_name("work");
    for (int i = 0; i < PER_WORKER; i++) {
        int64_t t = trace_rec_now();
        trace_rec_event(lane, TRACE_TASK, name, t, t + 10, i, (long)arg);
    }
    return NULL;
}

static void test_threads_and_processes(void)
{
    CHECK(trace_rec_begin(0) == 0);
    CHECK(!trace_rec_used());
    CHECK(trace_rec_snapshot() == NULL);
    int main_lane = trace_rec_lane(NULL);
    CHECK(main_lane == 0);
    CHECK(trace_rec_lane("ignored: already registered") == main_lane);
    pthread_t t[3];
    for (long i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, thread_body, (void *)i);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    pid_t pid = fork();
    if (pid == 0) {
        thread_body((void *)9);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    CHECK(trace_rec_lane_of_pid(pid) >= 0);
    int span = trace_rec_name("span");
    trace_rec_open(main_lane, TRACE_SPAN, span, 5);
    trace_rec_arrow(main_lane, 1, 1, 2, span);
    CHECK(trace_rec_used());

    struct trace *tr = trace_rec_snapshot();
    CHECK(tr != NULL);
    if (!tr)
        return;
    CHECK(tr->nlanes == 5);
    CHECK(tr->nevents == 4 * PER_WORKER + 1); /* + the open span */
    CHECK(tr->narrows == 1);
    CHECK(tr->nnames == 2);
    CHECK(!strcmp(tr->names[0], "work") && !strcmp(tr->names[1], "span"));
    CHECK(!strncmp(tr->lanes[0].label, "cell (pid ", 10));
    int threads = 0, procs = 0;
    for (size_t i = 1; i < tr->nlanes; i++) {
        threads += !strncmp(tr->lanes[i].label, "thread ", 7);
        procs += !strncmp(tr->lanes[i].label, "process 1 (pid ", 15);
    }
    CHECK(threads == 3 && procs == 1);
    for (size_t i = 1; i < tr->nevents; i++) {
        const struct trace_event *a = &tr->events[i - 1], *b = &tr->events[i];
        CHECK(a->lane < b->lane || (a->lane == b->lane && a->start_ns <= b->start_ns));
    }
    size_t per_lane[5] = {0};
    for (size_t i = 0; i < tr->nevents; i++)
        per_lane[tr->events[i].lane]++;
    CHECK(per_lane[0] == 1);
    for (int i = 1; i < 5; i++)
        CHECK(per_lane[i] == PER_WORKER);
    CHECK(tr->events[0].kind == TRACE_SPAN && tr->events[0].end_ns == tr->wall_ns);
    trace_free(tr);

    trace_rec_close(main_lane, 50);
    trace_rec_close(main_lane, 60); /* closed already: nothing */
    tr = trace_rec_snapshot();
    CHECK(tr && tr->nevents == 4 * PER_WORKER + 1 && tr->events[0].end_ns == 50);
    trace_free(tr);
    CHECK(trace_rec_dropped() == 0);
}

static void test_fresh_recording_and_overflow(void)
{
    CHECK(trace_rec_begin(300) == 0);
    CHECK(!trace_rec_used());
    int lane = trace_rec_lane("main");
    CHECK(lane == 0);
    int name = trace_rec_name("x");
    CHECK(name == 0);
    for (int i = 0; i < 1000; i++)
        trace_rec_event(lane, TRACE_TASK, name, i, i + 1, TRACE_NO_ARG, TRACE_NO_ARG);
    struct trace *tr = trace_rec_snapshot();
    CHECK(tr && tr->nevents == 512); /* two blocks of 256 */
    CHECK(trace_rec_dropped() == 1000 - 512);
    CHECK(tr && !strcmp(tr->lanes[0].label, "main"));
    trace_free(tr);
    trace_free(NULL);
}

/* An MPI rank's lane: renamed when its end is known; a window from a
 * start on (INT64_MAX) ends at each snapshot's time, open events too. */
static void test_relabel_and_open_window(void)
{
    CHECK(trace_rec_begin(0) == 0);
    int lane = trace_rec_new_lane("rank 2");
    int name = trace_rec_name("computing");
    trace_rec_open(lane, TRACE_TASK, name, 1000);
    trace_rec_window(500, INT64_MAX);
    trace_rec_relabel(lane, "rank 2 (crashed, pid 123456789012345678901234567890123456789012345678901234567890)");
    struct trace *tr = trace_rec_snapshot();
    CHECK(tr && tr->nlanes == 1 && strlen(tr->lanes[0].label) == 63 &&
          !strncmp(tr->lanes[0].label, "rank 2 (crashed, pid 1234", 25));
    CHECK(tr && tr->nevents == 1 && tr->events[0].start_ns == 500 && tr->events[0].end_ns == tr->wall_ns);
    CHECK(tr && tr->wall_ns > 0 && tr->wall_ns < 60000000000LL);
    trace_free(tr);
    trace_rec_relabel(lane, "rank 2");
    trace_rec_relabel(7, "no such lane");
    /* A call in progress: a wait to the snapshot's time, never recorded. */
    trace_rec_pending(lane, trace_rec_name("MPI_Recv"), 2000);
    tr = trace_rec_snapshot();
    CHECK(tr && tr->nlanes == 1 && !strcmp(tr->lanes[0].label, "rank 2"));
    CHECK(tr && tr->nevents == 2 && tr->events[1].kind == TRACE_WAIT && tr->events[1].start_ns == 1500 &&
          tr->events[1].end_ns == tr->wall_ns && !strcmp(tr->names[tr->events[1].name], "MPI_Recv"));
    trace_free(tr);
    trace_rec_pending(lane, -1, 0);
    tr = trace_rec_snapshot();
    CHECK(tr && tr->nevents == 1 && tr->events[0].kind == TRACE_TASK);
    trace_free(tr);
}

int main(void)
{
    test_threads_and_processes();
    test_fresh_recording_and_overflow();
    test_relabel_and_open_window();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures != 0;
}
