/* shell.h — the shell channel's requests other than execute: kernel_info,
 * complete, inspect, is_complete, history and the comm messages. */
#ifndef PARC_KERNEL_SHELL_H
#define PARC_KERNEL_SHELL_H

struct kernel;
struct kmsg;

/* Handles shell request req, busy/idle status excepted. Returns 0, or -1
 * for a message type the kernel does not know (logged by the caller). */
int kshell_dispatch(struct kernel *k, const struct kmsg *req);

#endif
