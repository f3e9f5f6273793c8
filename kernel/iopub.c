/* iopub.c — see iopub.h. */
#include "iopub.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zmq.h>

#include "connection.h"
#include "kmsg.h"
#include "util.h"

struct kiopub {
    void *zctx;
    void *xpub, *pull;
    char inproc[64];
    const struct kmsg_session *session;
    pthread_t thread;
    atomic_int stop;
};

#define IOPUB_TICK_MS 100

/* Answers the subscriptions that have arrived; each one (a frame starting
 * with byte 1, then the topic) gets a welcome whose topic it matches. */
static void greet(struct kiopub *io)
{
    for (;;) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, io->xpub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            if (errno == EINTR)
                continue;
            return;
        }
        const unsigned char *d = zmq_msg_data(&m);
        size_t n = zmq_msg_size(&m);
        if (n >= 1 && d[0] == 1) {
            char *topic = xstrndup((const char *)d + 1, n - 1);
            char *frame = n > 1 ? xstrdup(topic) : xasprintf("kernel.%s.iopub_welcome", io->session->id);
            json_t *c = json_pack("{s:s%}", "subscription", topic, n - 1);
            kmsg_send(io->xpub, io->session, NULL, frame, NULL, "iopub_welcome", c);
            free(topic);
            free(frame);
        }
        zmq_msg_close(&m);
    }
}

/* Moves one whole multipart message from the PULL to the XPUB socket. */
static void forward(struct kiopub *io)
{
    int more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, io->pull, 0) < 0) {
            zmq_msg_close(&m);
            if (errno == EINTR)
                continue;
            return;
        }
        more = zmq_msg_more(&m);
        if (zmq_msg_send(&m, io->xpub, more ? ZMQ_SNDMORE : 0) < 0)
            zmq_msg_close(&m);
    }
}

static void *iopub_main(void *arg)
{
    struct kiopub *io = arg;
    zmq_pollitem_t it[2] = {
        {.socket = io->xpub, .events = ZMQ_POLLIN},
        {.socket = io->pull, .events = ZMQ_POLLIN},
    };
    for (;;) {
        int stopping = atomic_load(&io->stop);
        int r = zmq_poll(it, 2, stopping ? 0 : IOPUB_TICK_MS);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0) {
            if (stopping)
                break;
            continue;
        }
        /* Subscriptions first: a new subscriber must see its welcome
         * before anything else. */
        if (it[0].revents & ZMQ_POLLIN)
            greet(io);
        if (it[1].revents & ZMQ_POLLIN) {
            greet(io);
            forward(io);
        }
    }
    return NULL;
}

struct kiopub *kiopub_start(void *zctx, const char *endpoint, const struct kmsg_session *s, long long max_frame,
                            char *bound, size_t boundlen, char *err, size_t errlen)
{
    struct kiopub *io = xcalloc(1, sizeof *io);
    /* A subscriber that reads slower than a cell prints would lose output
     * at ZeroMQ's default high-water mark of 1000 messages; queue far more
     * (a few tens of MB at most) before dropping. */
    int one = 1, linger = 1000, hwm = 100000;
    io->zctx = zctx;
    io->session = s;
    snprintf(io->inproc, sizeof io->inproc, "inproc://parc-iopub-%p", (void *)io);
    io->xpub = zmq_socket(zctx, ZMQ_XPUB);
    io->pull = zmq_socket(zctx, ZMQ_PULL);
    if (!io->xpub || !io->pull ||
        zmq_setsockopt(io->xpub, ZMQ_XPUB_VERBOSE, &one, sizeof one) < 0 ||
        zmq_setsockopt(io->xpub, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
        zmq_setsockopt(io->xpub, ZMQ_SNDHWM, &hwm, sizeof hwm) < 0 ||
        kconn_limit_frames(io->xpub, max_frame) < 0 || zmq_bind(io->xpub, endpoint) < 0) {
        snprintf(err, errlen, "iopub: cannot bind %s: %s", endpoint, zmq_strerror(errno));
        goto fail;
    }
    if (zmq_bind(io->pull, io->inproc) < 0) {
        snprintf(err, errlen, "iopub: cannot bind %s: %s", io->inproc, zmq_strerror(errno));
        goto fail;
    }
    size_t len = boundlen;
    if (zmq_getsockopt(io->xpub, ZMQ_LAST_ENDPOINT, bound, &len) < 0)
        snprintf(bound, boundlen, "%s", endpoint);
    if (pthread_create(&io->thread, NULL, iopub_main, io) != 0) {
        snprintf(err, errlen, "iopub: cannot start its thread");
        goto fail;
    }
    return io;
fail:
    if (io->xpub)
        zmq_close(io->xpub);
    if (io->pull)
        zmq_close(io->pull);
    free(io);
    return NULL;
}

void *kiopub_connect(struct kiopub *io)
{
    void *s = zmq_socket(io->zctx, ZMQ_PUSH);
    int linger = 1000;
    if (!s)
        return NULL;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(s, io->inproc) < 0) {
        zmq_close(s);
        return NULL;
    }
    return s;
}

void kiopub_stop(struct kiopub *io)
{
    if (!io)
        return;
    atomic_store(&io->stop, 1);
    pthread_join(io->thread, NULL);
    zmq_close(io->pull);
    zmq_close(io->xpub);
    free(io);
}
