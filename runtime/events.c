/* events.c — the runtime's side of the event pipe (see events.h). */
#include "events.h"
#include "wire.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int rt_event_fd = -1;
int rt_input_fd = -1;
int rt_commit_fd = -1;

/* Frames larger than a pipe's atomic write must not interleave when several
 * threads of a cell display at once. */
static pthread_mutex_t send_lock = PTHREAD_MUTEX_INITIALIZER;

/* Sends an event on the event pipe (connected) after flushing stdio, then,
 * when reply is given and the send succeeded, reads the front end's next
 * frame into it (*reply_rc: wire_recv's result) before another thread
 * may send. Returns the send's result. */
static int send_locked(int type, size_t n, const char *const *fields, const size_t *lens, struct frame *reply,
                       int *reply_rc)
{
    /* Output printed before the event must reach the front end first. */
    fflush(stdout);
    fflush(stderr);
    pthread_mutex_lock(&send_lock);
    int rc = wire_send(rt_event_fd, type, n, fields, lens);
    if (rc == 0 && reply)
        *reply_rc = wire_recv(rt_input_fd, reply);
    pthread_mutex_unlock(&send_lock);
    return rc;
}

int rt_send(int type, size_t n, const char *const *fields, const size_t *lens)
{
    if (rt_event_fd < 0)
        return -1;
    return send_locked(type, n, fields, lens, NULL, NULL);
}

int rt_send_synced(int type, size_t n, const char *const *fields, const size_t *lens)
{
    if (rt_event_fd < 0)
        return -1;
    /* Wait until the front end has taken everything printed before this
     * output, so the two arrive in the order they were made. */
    struct frame ack;
    int ack_rc = -1;
    int rc = send_locked(type, n, fields, lens, rt_input_fd >= 0 ? &ack : NULL, &ack_rc);
    if (ack_rc == 0)
        frame_free(&ack);
    return rc;
}

int rt_send_bundle(int type, const char *id, const char *mime, const void *data, size_t len)
{
    const char *f[3] = {id ? id : "", mime, data};
    size_t l[3] = {(size_t)-1, (size_t)-1, len};
    return rt_send_synced(type, 3, f, l);
}

int rt_send_bundle_multi(int type, const char *id, size_t n, const char *const *mimes, const void *const *data,
                         const size_t *lens)
{
    if (2 * n + 1 > WIRE_MAX_FIELDS)
        return -1;
    const char *f[WIRE_MAX_FIELDS];
    size_t l[WIRE_MAX_FIELDS];
    f[0] = id ? id : "";
    l[0] = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        f[1 + 2 * i] = mimes[i];
        l[1 + 2 * i] = (size_t)-1;
        f[2 + 2 * i] = data[i];
        l[2 + 2 * i] = lens ? lens[i] : (size_t)-1;
    }
    return rt_send_synced(type, 2 * n + 1, f, l);
}

int rt_send_request(int type, size_t n, const char *const *fields, const size_t *lens, struct frame *answer)
{
    if (rt_event_fd < 0 || rt_input_fd < 0)
        return -1;
    int answer_rc = -1;
    int rc = send_locked(type, n, fields, lens, answer, &answer_rc);
    return rc ? rc : answer_rc;
}

/* Set in the cell process only, by the engine: nothing else reaches it
 * when the runtime ends the cell. */
static void (*on_fail)(void);

void rt_on_cell_fail(void (*fn)(void))
{
    on_fail = fn;
}

void rt_cell_fail(int crashed, const char *ename, const char *evalue, const char *traceback)
{
    void (*fn)(void) = on_fail;
    on_fail = NULL;
    if (fn)
        fn();
    const char *f[3] = {ename, evalue, traceback};
    size_t tb = strlen(traceback);
    while (tb && traceback[tb - 1] == '\n')
        tb--;
    size_t l[3] = {(size_t)-1, (size_t)-1, tb};
    rt_send(EV_ERROR, 3, f, l);
    /* The error is reported: 'F' a failure while running, 'E' a cell
     * that could not run (see engine/executor.c). */
    if (rt_commit_fd >= 0)
        (void)!write(rt_commit_fd, crashed ? "F" : "E", 1);
    _exit(0);
}
