/* opencl.h — OpenCL in the session: the device chosen for it, the
 * kernels %%opencl cells built (kept by name for later cells), the
 * parc_cl_* helpers of parc.h, and the queue's timeline from event
 * profiling. PoCL and NVIDIA's OpenCL cannot cross fork, so the first cell
 * that uses OpenCL turns the session in place (gpu/session.h). */
#ifndef PARC_OPENCL_H
#define PARC_OPENCL_H

#include <stddef.h>

struct buf;
struct magic_call;

/* Lists every OpenCL platform and its devices onto out, numbered as
 * --platform and --device count them, or says why there is none. Loads
 * the platforms' libraries: call it where that is harmless (a throwaway
 * fork, or a session already in place). */
void ocl_list(struct buf *out);

/* Makes sure the session has an OpenCL context and queue. platform is a
 * platform's number or part of its name (case-insensitive), or NULL;
 * device a device's number (within that platform, else among all), or -1:
 * the first GPU, else the first device. A session keeps the device it
 * chose first: asking for another is an error. 0, or -1 with a message
 * (no newline) in err. */
int ocl_open(const char *platform, int device, struct buf *err);

/* Whether the session's OpenCL state is only a copy in this process (a
 * fork of the process that opened it, or the session carried on after an
 * in-place cell died): it cannot be used, and every helper says so. */
int ocl_lost(void);

/* The session's device name, or NULL before ocl_open. */
const char *ocl_device_name(void);

/* Builds src (OpenCL C) for the session's device with options opts and
 * keeps its kernels, replacing kernels of the same name for later
 * lookups. Messages are `cell:LINE:COL: error: ...` with line LINE of
 * lines (NULL: of src; #line directives in src make them agree) and a
 * caret, appended to diag (warnings too, on success). The kernel names
 * built are appended to names, separated by spaces. 0, or -1 if the
 * build failed. */
int ocl_build(const char *src, const char *lines, const char *opts, const char *cell, struct buf *diag,
              struct buf *names);

/* Turns the profiles of finished commands into timeline events: a lane
 * per queue ("OpenCL DEVICE": the session has one queue). Waits for the queue first. */
void ocl_flush_trace(void);

/* %%opencl [--device N] [--platform P] [BUILD OPTIONS]: builds the cell's
 * OpenCL C kernels. */
int ocl_magic_opencl(struct magic_call *c);

#endif
