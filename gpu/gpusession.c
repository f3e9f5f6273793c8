/* gpusession.c — which GPU runtime a cell brought into the process (see
 * gpusession.h). Loaded libraries are the evidence: the CUDA runtime loads
 * the driver at its first call, the OpenCL loader loads a platform's
 * library when a platform is first listed. */
#include "gpusession.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* OpenCL platforms first: NVIDIA's (and PoCL's CUDA device) start CUDA
 * underneath; the OpenCL loader loads every platform's library, so with
 * NVIDIA's and PoCL's both there the session is named after NVIDIA's. */
static const struct {
    const char *soname;
    const char *what;
} runtimes[] = {
    {"libnvidia-opencl.so.1", "OpenCL (NVIDIA)"},
    {"libpocl.so.2", "OpenCL (PoCL)"},
    {"libcuda.so.1", "CUDA"},
};

/* Whether the CUDA driver h was initialised: libraries (NVRTC) may load it
 * without starting it. cuCtxGetCurrent answers without initialising. */
static int cuda_started(void *h)
{
    int (*current)(void **) = (int (*)(void **))dlsym(h, "cuCtxGetCurrent");
    void *ctx = NULL;
    return !current || current(&ctx) != 3 /* CUDA_ERROR_NOT_INITIALIZED */;
}

static pid_t owner;            /* the process the GPU runtimes live in (gpu_session_guard_exit) */
static unsigned exit_guarded; /* runtimes[] live there when the handler was last registered, as bits */

int gpu_session_forked(const char *what)
{
    if (!owner || owner == getpid())
        return 0;
    for (size_t i = 0; what && i < sizeof runtimes / sizeof *runtimes; i++)
        if (!strcmp(runtimes[i].what, what))
            return (exit_guarded >> i) & 1;
    return 1;
}

/* Whether runtimes[i] lives in this process. */
static int live(size_t i)
{
    void *h = dlopen(runtimes[i].soname, RTLD_LAZY | RTLD_NOLOAD);
    if (!h)
        return 0;
    /* PARC_CUDA_DEVICE=none: parc does not start CUDA (NVRTC may). In a
     * fork of the GPU session's process, the driver is not asked (it
     * could hang): a loaded driver counts as started there. */
    const char *off = getenv("PARC_CUDA_DEVICE");
    int cuda = !strcmp(runtimes[i].what, "CUDA");
    int r = !cuda || ((gpu_session_forked("CUDA") || cuda_started(h)) && !(off && !strcmp(off, "none")));
    dlclose(h);
    return r;
}

const char *gpu_session_runtime(void)
{
    for (size_t i = 0; i < sizeof runtimes / sizeof *runtimes; i++)
        if (live(i))
            return runtimes[i].what;
    return NULL;
}


/* An exit handler, run before those registered earlier: in a fork of the
 * process the runtime lives in, the process leaves here. */
static void leave_fork(int status, void *arg)
{
    (void)arg;
    if (getpid() == owner)
        return;
    fflush(NULL);
    _exit(status);
}

void gpu_session_guard_exit(void)
{
    unsigned now = 0;
    for (size_t i = 0; i < sizeof runtimes / sizeof *runtimes; i++)
        if (live(i))
            now |= 1u << i;
    if (owner != getpid()) {
        owner = getpid();
        exit_guarded = 0;
    }
    if (!(now & ~exit_guarded))
        return;
    if (on_exit(leave_fork, NULL) == 0)
        exit_guarded |= now;
}
