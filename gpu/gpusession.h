/* gpusession.h — sessions that use a GPU. A CUDA context (and PoCL's
 * threads) cannot cross fork: a forked cell process could not use the
 * GPU state of the session it came from. So once a cell has brought a GPU
 * runtime into the session, later cells run in the executor itself ("in
 * place") while a forked watcher keeps the state from before the cell to
 * report a crash and carry on without the GPU (see ARCHITECTURE.md). */
#ifndef PARC_GPU_SESSION_H
#define PARC_GPU_SESSION_H

/* The GPU runtime live in this process ("CUDA", "OpenCL (PoCL)",
 * "OpenCL (NVIDIA)"), or NULL if none: a library that cannot survive a
 * fork has been loaded by a cell. */
const char *gpu_session_runtime(void);

/* In the executor of a GPU session, after a cell's code ran: makes exit()
 * in any fork of this process (a process a cell forked, the watcher that
 * carries the session on after a crash, its cells) leave at once with its
 * status, stdio flushed, without the exit handlers registered before the
 * call: a GPU runtime's (the CUDA runtime's teardown) would use the GPU
 * in a process that cannot, and hang. This process itself exits as
 * usual. Registers again only when another runtime has started since. */
void gpu_session_guard_exit(void);

/* Whether this process is a fork of the process a GPU session's runtime
 * lives in (gpu_session_guard_exit named it), in which runtime what
 * ("CUDA", ...; NULL: any) had started: nothing here may call into it
 * (cudadev.h). */
int gpu_session_forked(const char *what);

#endif
