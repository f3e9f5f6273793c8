/* intercept.c — traced pthread_create, fork, wait and exit for cells (see
 * intercept.h). */
#include "intercept.h"
#include "trace.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Set once by the executor before any cell; read by every thread. */
static const char *(*namer)(const void *fn, void *ctx);
static void *namer_ctx;

void trace_intercept_init(const char *(*name_of)(const void *fn, void *ctx), void *ctx)
{
    namer = name_of;
    namer_ctx = ctx;
}

struct start {
    void *(*fn)(void *);
    void *arg;
    int name;
};

static void end_thread(void *lane)
{
    trace_rec_close((int)(long)lane, trace_rec_now());
}

static void *thread_main(void *p)
{
    struct start s = *(struct start *)p;
    free(p);
    int lane = trace_rec_lane(NULL);
    trace_rec_open(lane, TRACE_TASK, s.name, trace_rec_now());
    void *r;
    pthread_cleanup_push(end_thread, (void *)(long)lane);
    r = s.fn(s.arg);
    pthread_cleanup_pop(1);
    return r;
}

int trace_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    struct start *s = malloc(sizeof *s);
    if (!s)
        return pthread_create(t, attr, fn, arg);
    const char *name = namer ? namer((const void *)fn, namer_ctx) : NULL;
    *s = (struct start){fn, arg, trace_rec_name(name ? name : "thread")};
    int rc = pthread_create(t, attr, thread_main, s);
    if (rc)
        free(s);
    return rc;
}

pid_t trace_fork(void (*prepare)(void))
{
    if (prepare)
        prepare();
    int64_t t0 = trace_rec_now();
    pid_t pid = fork();
    if (pid == 0) {
        int lane = trace_rec_lane(NULL);
        trace_rec_open(lane, TRACE_TASK, trace_rec_name("process"), t0);
    }
    return pid;
}

/* A reaped child's task ends now, unless it ended itself on exit. */
static void reaped(pid_t pid, int status)
{
    if (pid > 0 && (WIFEXITED(status) || WIFSIGNALED(status)))
        trace_rec_close(trace_rec_lane_of_pid(pid), trace_rec_now());
}

pid_t trace_waitpid(pid_t pid, int *status, int options)
{
    int st = 0;
    pid_t r = waitpid(pid, &st, options);
    if (r > 0)
        reaped(r, st);
    if (status)
        *status = st;
    return r;
}

pid_t trace_wait(int *status)
{
    return trace_waitpid(-1, status, 0);
}

static void end_process(void)
{
    trace_rec_close(trace_rec_lane_of_pid(getpid()), trace_rec_now());
}

void trace_exit(int code)
{
    end_process();
    exit(code);
}

void trace__exit(int code)
{
    end_process();
    _exit(code);
}
