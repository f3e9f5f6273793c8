/* heartbeat.c — see heartbeat.h. */
#include "heartbeat.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <zmq.h>

#include "connection.h"
#include "util.h"

struct khb {
    void *sock;
    pthread_t thread;
    atomic_int stop;
};

/* How often the thread looks at its stop flag, in milliseconds. */
#define HB_TICK_MS 200

static void *hb_main(void *arg)
{
    struct khb *h = arg;
    zmq_pollitem_t it = {.socket = h->sock, .events = ZMQ_POLLIN};
    while (!atomic_load(&h->stop)) {
        int r = zmq_poll(&it, 1, HB_TICK_MS);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        /* Echo every frame of the ping back, as ipykernel does. */
        int more = 1;
        while (more) {
            zmq_msg_t m;
            zmq_msg_init(&m);
            if (zmq_msg_recv(&m, h->sock, 0) < 0) {
                zmq_msg_close(&m);
                if (errno == EINTR)
                    continue;
                break;
            }
            more = zmq_msg_more(&m);
            if (zmq_msg_send(&m, h->sock, more ? ZMQ_SNDMORE : 0) < 0)
                zmq_msg_close(&m);
        }
    }
    return NULL;
}

struct khb *khb_start(void *zctx, const char *endpoint, long long max_frame, char *bound, size_t boundlen,
                      char *err, size_t errlen)
{
    struct khb *h = xcalloc(1, sizeof *h);
    int linger = 0;
    h->sock = zmq_socket(zctx, ZMQ_REP);
    if (!h->sock || zmq_setsockopt(h->sock, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
        kconn_limit_frames(h->sock, max_frame) < 0 || zmq_bind(h->sock, endpoint) < 0) {
        snprintf(err, errlen, "heartbeat: cannot bind %s: %s", endpoint, zmq_strerror(errno));
        goto fail;
    }
    size_t len = boundlen;
    if (zmq_getsockopt(h->sock, ZMQ_LAST_ENDPOINT, bound, &len) < 0)
        snprintf(bound, boundlen, "%s", endpoint);
    if (pthread_create(&h->thread, NULL, hb_main, h) != 0) {
        snprintf(err, errlen, "heartbeat: cannot start its thread");
        goto fail;
    }
    return h;
fail:
    if (h->sock)
        zmq_close(h->sock);
    free(h);
    return NULL;
}

void khb_stop(struct khb *h)
{
    if (!h)
        return;
    atomic_store(&h->stop, 1);
    pthread_join(h->thread, NULL);
    zmq_close(h->sock);
    free(h);
}
