/* gpus.h — what GPUs and OpenCL devices this machine has: %gpus and
 * parc_gpu_available(). Asking never brings a GPU runtime into a session
 * that has none (which would end fork-per-cell, see session.h): the
 * drivers are asked in a throwaway fork. */
#ifndef PARC_GPUS_H
#define PARC_GPUS_H

struct buf;
struct magic_call;

/* Appends the report %gpus prints: CUDA devices (name, compute
 * capability, SMs, memory, driver and runtime versions) or why there is
 * none, then OpenCL platforms and devices or why there is none. */
void gpus_report(struct buf *out);

/* %gpus */
int gpus_magic(struct magic_call *c);

#endif
