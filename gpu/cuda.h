/* cuda.h — %%cuda cells: CUDA C++ (kernels, device functions, host code
 * with <<<...>>> launches) compiled by nvcc into an object cached by
 * content and options, linked into the session as a shared object; its
 * extern "C" functions are declared for later C cells. A cell of kernels
 * only goes through NVRTC instead (nvrtc.h). */
#ifndef PARC_GPU_CUDA_H
#define PARC_GPU_CUDA_H

#include <stddef.h>

struct buf;
struct magic_call;

/* %%cuda [--nvcc | --nvrtc] [NVCC FLAGS] (see magic.h). */
int cuda_magic_cell(struct magic_call *c);

/* The cuda target of %%vectorize (vectorize.h): the function's kernel
 * built by NVRTC, and the array function that copies, launches and
 * copies back. */
struct vec_fn;
int cuda_vectorize(struct magic_call *c, const struct vec_fn *fn);

/* A 64-bit FNV-1a hash of len bytes of data, continuing from h (start
 * with CUDA_HASH_START). */
#define CUDA_HASH_START 0xcbf29ce484222325ull
unsigned long long cuda_hash(unsigned long long h, const void *data, size_t len);

/* The file name compiled CUDA cells are given (#line), so that the same
 * text compiles to the same cached object in any cell; messages name the
 * cell instead (cuda_messages). */
#define CUDA_CELL_NAME "parc_cuda_cell"

/* Rewrites messages of nvcc or NVRTC about the cell named name (compiled
 * as CUDA_CELL_NAME: "parc_cuda_cell(5): error: ..." followed by the
 * source line and a caret) into one line each in the form diag_format
 * reads ("cell[3]:5: error: ..."), appending them to out; summary lines
 * are dropped. */
void cuda_messages(struct buf *out, const char *name, const char *raw);

#endif
