/* streams.h — a running cell's stdout and stderr on their way to iopub:
 * output that arrives in a burst is gathered into one stream message per
 * short interval (a flusher thread publishes what waits), output after a
 * quiet moment goes out at once, and a character cut between two chunks
 * is sent whole. */
#ifndef PARC_KERNEL_STREAMS_H
#define PARC_KERNEL_STREAMS_H

#include <stddef.h>

struct kernel;
struct kmsg;
struct kstreams;

/* Starts the flusher thread for kernel k, whose k->pub_main it publishes
 * on (under k->pub_lock). NULL if the thread cannot start. */
struct kstreams *kstreams_start(struct kernel *k);

/* Stops the thread and frees s, dropping nothing: call kstreams_end first.
 * Accepts NULL. */
void kstreams_stop(struct kstreams *s);

/* A cell answering request parent (borrowed until kstreams_end) begins. */
void kstreams_begin(struct kstreams *s, const struct kmsg *parent);

/* Adds len bytes the cell wrote to stdout (which 0) or stderr (1). */
void kstreams_add(struct kstreams *s, int which, const char *data, size_t len);

/* Publishes everything waiting, so that a message about to be published
 * follows the output before it. A cut character stays behind unless
 * final is set. */
void kstreams_flush(struct kstreams *s, int final);

/* The cell ended: publishes everything, cut characters included. */
void kstreams_end(struct kstreams *s);

#endif
