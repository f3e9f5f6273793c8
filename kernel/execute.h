/* execute.h — execute_request: runs a cell through the engine and turns
 * its events into iopub messages (streams, results, displays, errors),
 * answers its input requests over the stdin channel, evaluates the
 * user_expressions and pages `?name`. */
#ifndef PARC_KERNEL_EXECUTE_H
#define PARC_KERNEL_EXECUTE_H

struct kernel;
struct kmsg;

/* Handles execute_request req, from execute_input to execute_reply. When
 * the cell failed and req asked to stop on error, the requests queued
 * behind it are aborted first (kernel_abort_queued). */
void kexec_request(struct kernel *k, const struct kmsg *req);

/* Answers execute_request req with status "aborted" without running it
 * (a cell queued behind a failed one). */
void kexec_abort(struct kernel *k, const struct kmsg *req);

#endif
