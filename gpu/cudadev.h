/* cudadev.h — the CUDA driver as parc sees it, loaded with dlopen so that
 * parc runs (and compiles CUDA cells) on machines without a driver: is
 * there a device, which one, and the driver API entry points the rest of
 * gpu/ uses. Nothing here runs in the executor before a cell asks for it:
 * a process that initialised CUDA cannot fork cells (see session.h). */
#ifndef PARC_CUDADEV_H
#define PARC_CUDADEV_H

#include <stddef.h>

struct buf;

/* Device 0 of the driver. */
struct cudadev_info {
    char name[256];
    int major, minor;     /* compute capability */
    int sms;              /* multiprocessors */
    size_t memory;        /* bytes */
    int driver_version;   /* 13000 = 13.0 */
    int count;            /* devices */
};

/* Loads the driver, initialises it and reads device 0 into *info. 0, or
 * -1 with the reason there is no device, for users, in why ("no CUDA
 * driver on this machine (libcuda.so.1 not found)"). The answer is
 * remembered by the process; in a fork of the process that started the
 * driver (the watcher that carried a GPU session on after a crash, a
 * process a cell forked) there is no device, and cudadev_sym gives
 * nothing, since CUDA used there fails or hangs. */
int cudadev_probe(struct cudadev_info *info, struct buf *why);

/* Whether this process probed a device successfully (without probing). */
int cudadev_ready(void);

/* The driver's functions parc calls, or NULL before a successful probe
 * or if the driver lacks one. The types are the driver API's, spelled
 * without its header (CUresult = int, handles = void *). */
void *cudadev_sym(const char *name);

/* The runtime library's version (cudaRuntimeGetVersion), or 0 if
 * libcudart cannot be loaded. */
int cudadev_runtime_version(void);

/* The folder of the CUDA toolkit: $CUDA_HOME, else /usr/local/cuda. */
const char *cudadev_home(void);

#endif
