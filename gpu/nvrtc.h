/* nvrtc.h — the fast path of %%cuda: a cell of kernels only (no host
 * code) is compiled in process by NVRTC (tens of ms instead of nvcc's
 * second and more), loaded as a module through the driver API, and its
 * kernels are launched from C cells by name with parc_cuda_launch
 * (parc.h). Compiled images are cached like nvcc's objects. */
#ifndef PARC_GPU_NVRTC_H
#define PARC_GPU_NVRTC_H

#include <stddef.h>

struct cudadev_info;
struct magic_call;

/* Whether NVRTC takes the %%cuda options flags (-D, -U, -I, -std=,
 * --use_fast_math, -lineinfo, -G, -arch=). */
int nvrtc_accepts(const char *flags);

/* Compiles the kernel-only cell of c whose kernels are names[0..n) with
 * NVRTC for dev (NULL: no device, PTX for a default architecture) and,
 * with a device, loads them so that parc_cuda_launch finds them. 0, or -1
 * with messages in c->err. */
int nvrtc_cell(struct magic_call *c, const char *const *names, size_t n, const char *flags,
               const struct cudadev_info *dev);

/* The same for a whole program text (its #line directives naming
 * CUDA_CELL_NAME) whose kernels are names[0..n), with NVRTC options flags
 * (not checked). */
int nvrtc_program(struct magic_call *c, const char *text, const char *const *names, size_t n, const char *flags,
                  const struct cudadev_info *dev);

/* The array function of a %%vectorize --target cuda cell: copies the nin
 * input arrays of n elements (size[i] bytes each) to the device, runs
 * kernel over them, copies its out_size-byte results back into out.
 * 0, or -1 after a message. */
int parc__cuda_vectorize(const char *kernel, size_t n, int nin, const void *const *in, const size_t *size, void *out,
                         size_t out_size);

#endif
