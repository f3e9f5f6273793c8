/* iopub.h — the iopub channel. One thread owns the XPUB socket: threads
 * that publish hand it finished messages over inproc PUSH sockets, and it
 * greets every new subscriber with an iopub_welcome message (JEP 65) so a
 * client knows when its subscription is live. */
#ifndef PARC_KERNEL_IOPUB_H
#define PARC_KERNEL_IOPUB_H

#include <stddef.h>

struct kiopub;
struct kmsg_session;

/* Binds the XPUB socket of context zctx to endpoint (the address actually
 * bound goes to bound), refusing subscription frames over max_frame bytes
 * (0: none), and starts the publishing thread, which signs its welcome
 * messages with s (borrowed, must outlive the thread). NULL with a message
 * in err on failure. */
struct kiopub *kiopub_start(void *zctx, const char *endpoint, const struct kmsg_session *s, long long max_frame,
                            char *bound, size_t boundlen, char *err, size_t errlen);

/* A new PUSH socket through which the calling thread publishes: send whole
 * messages (kmsg_send with a topic) on it. The caller closes it with
 * zmq_close before kiopub_stop. NULL on failure. */
void *kiopub_connect(struct kiopub *io);

/* Publishes what is still queued, stops the thread, closes the socket and
 * frees io. Accepts NULL. */
void kiopub_stop(struct kiopub *io);

#endif
