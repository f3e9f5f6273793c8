/* heartbeat.h — the heartbeat channel: a thread of its own echoes every
 * ping, so a kernel busy with a long cell never looks dead. */
#ifndef PARC_KERNEL_HEARTBEAT_H
#define PARC_KERNEL_HEARTBEAT_H

#include <stddef.h>

struct khb;

/* Binds a REP socket of ZeroMQ context zctx to endpoint, refusing frames
 * over max_frame bytes (0: none), and starts the echo thread. The endpoint
 * actually bound is written to bound. Returns NULL with a message in err
 * on failure. Stop it with khb_stop. */
struct khb *khb_start(void *zctx, const char *endpoint, long long max_frame, char *bound, size_t boundlen,
                      char *err, size_t errlen);

/* Stops the thread, closes the socket and frees h. Accepts NULL. */
void khb_stop(struct khb *h);

#endif
