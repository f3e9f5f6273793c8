/* intercept.h — replacements for pthread_create, fork, waitpid, wait,
 * exit and _exit that cells link against instead of libc's, so that plain
 * pthreads and fork cells are traced with no code from the user: a lane per
 * thread or process the cell starts, its whole life one task. */
#ifndef PARC_TRACE_INTERCEPT_H
#define PARC_TRACE_INTERCEPT_H

#include <pthread.h>
#include <sys/types.h>

/* How a thread's task is named: the name of its start function, given by
 * name_of (may return NULL: "thread"). Called once by the executor. */
void trace_intercept_init(const char *(*name_of)(const void *fn, void *ctx), void *ctx);

int trace_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
/* fork() as cells see it: the child gets a lane whose task lasts until it
 * exits or is reaped. prepare runs before forking (the executor flushes
 * stdio there); may be NULL. */
pid_t trace_fork(void (*prepare)(void));
pid_t trace_waitpid(pid_t pid, int *status, int options);
pid_t trace_wait(int *status);
void trace_exit(int code) __attribute__((noreturn));
void trace__exit(int code) __attribute__((noreturn));

#endif
