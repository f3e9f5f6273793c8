/* kernel.h — the kernel process: its sockets, threads and session, the
 * shell loop that serves requests one at a time, and the helpers every
 * message handler uses to answer and to publish. */
#ifndef PARC_KERNEL_KERNEL_H
#define PARC_KERNEL_KERNEL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include <jansson.h>

#include "connection.h"
#include "kmsg.h"

struct engine;
struct khb;
struct khist;
struct kiopub;
struct kstreams;
struct ksign;

struct kernel {
    struct kconn conn;
    struct ksign *sign;
    struct kmsg_session session;
    void *zctx;
    void *shell, *stdin_sock, *control; /* control belongs to the control thread */
    void *pub_main, *pub_control;       /* iopub entries, one per thread */
    pthread_mutex_t pub_lock;           /* pub_main: main and flusher threads */
    struct kstreams *streams;           /* a running cell's stdout/stderr */
    struct kiopub *iopub;
    struct khb *hb;
    struct khist *hist;
    long long max_frame;   /* frames over it are refused (0: no limit) */
    int execution_count;
    int aborting;          /* inside kernel_abort_queued */

    /* The session; NULL if it could not start (engine_err says why). The
     * control thread reads it to interrupt. */
    _Atomic(struct engine *) engine;
    char engine_err[512];
    char c_standard[8];    /* "C99", "C11"...: language_info.version */

    atomic_int stop;       /* set once shutting down; never cleared */
    atomic_int interrupts; /* interrupts seen so far, to end input waits */
    int notify[2];         /* signals and the main thread -> control thread */
    int wake[2];           /* control thread -> main loop */
    pthread_t control_thread;
    int control_started;
};

/* Logs one line to stderr, prefixed with "parc-kernel: ". The kernel's
 * stderr is the front end's log, never the notebook. */
void kernel_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reads the connection file, binds every channel and starts the threads
 * and the session. Returns 0, or -1 with a message in err (then call
 * kernel_fini all the same). */
int kernel_init(struct kernel *k, const char *connection_file, char *err, size_t errlen);

/* Serves the shell channel until a shutdown request or SIGTERM. */
void kernel_run(struct kernel *k);

/* Ends the session (every process it started) and releases everything
 * kernel_init made, flushing messages still queued. */
void kernel_fini(struct kernel *k);

/* The session, started again if it could not start before; NULL (with
 * k->engine_err saying why) if it still cannot. Main thread only. */
struct engine *kernel_engine(struct kernel *k);

/* Publishes a msg_type message with content (stolen) on iopub through pub
 * (k->pub_control on the control thread, k->pub_main elsewhere), with
 * parent as its parent (NULL: none). */
void kernel_publish(struct kernel *k, void *pub, const struct kmsg *parent,
                    const char *msg_type, json_t *content);

/* Publishes status execution_state ("busy", "idle", "starting"). */
void kernel_status(struct kernel *k, void *pub, const struct kmsg *parent, const char *state);

/* Sends the reply to request req on socket sock (where req came from):
 * msg_type is req's type with _request replaced by _reply. */
void kernel_reply(struct kernel *k, void *sock, const struct kmsg *req, json_t *content);
/* After a failed cell that asked to stop on error: answers every request
 * already waiting on the shell socket, execute requests with "aborted",
 * each between its busy and idle. Call before the failed cell's reply. */
void kernel_abort_queued(struct kernel *k);

/* The content of kernel_info_reply. */
json_t *kernel_info(const struct kernel *k);

#endif
