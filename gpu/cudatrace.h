/* cudatrace.h — CUDA on the cell's timeline through CUPTI's activity records:
 * a lane per stream with its copies (direction, bytes, bandwidth) and
 * kernels (name, grid, block), and a lane of the CUDA runtime calls the
 * host made. libcupti is loaded with dlopen when a cell of a session with
 * a CUDA device runs; without one nothing happens. */
#ifndef PARC_GPU_CUDATRACE_H
#define PARC_GPU_CUDATRACE_H

/* Called right after the cell's recording began: starts collecting, if
 * this process has a CUDA device (cudadev_probe succeeded). */
void cudatrace_cell_begin(void);

/* Called when the cell's code returned, before the trace is drawn:
 * flushes what CUPTI holds into the recording. */
void cudatrace_cell_end(void);

/* Records delivered and turned into events since the process started
 * (for tests and benchmarks): kernels, copies, runtime calls. */
struct cudatrace_counts {
    long kernels, copies, api_calls;
};
void cudatrace_counts(struct cudatrace_counts *out);

#endif
