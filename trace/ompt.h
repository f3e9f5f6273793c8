/* ompt.h — parc's OpenMP tool. parc-engine exports ompt_start_tool, so
 * LLVM's libomp hands it its OMPT callbacks when it starts in a cell
 * process: threads, parallel regions, implicit and explicit tasks, barrier
 * waits and lock waits become events of the cell's trace (trace.h), one
 * lane per OpenMP thread. libomp 14 never delivers chunk dispatch events,
 * so cells link against wrappers of its loop entry points instead
 * (trace_ompt_wrappers), which record each chunk with its iteration range
 * [lo, hi). */
#ifndef PARC_TRACE_OMPT_H
#define PARC_TRACE_OMPT_H

#include <stdint.h>

/* The name every chunk of a worksharing loop is recorded under; its
 * arguments are the iteration range [lo, hi). */
#define TRACE_OMPT_CHUNK "chunk"

/* A function cells link against in place of libomp's. */
struct trace_ompt_wrapper {
    const char *name; /* libomp's entry point: "__kmpc_dispatch_next_4" */
    void *fn;         /* parc's wrapper, which calls libomp's */
};

/* The wrappers of libomp's loop entry points, ending with {NULL, NULL}. */
extern const struct trace_ompt_wrapper trace_ompt_wrappers[];

/* Whether the tool records (1, the default) or only counts threads (0);
 * set per cell, before its code runs. */
void trace_ompt_set_recording(int on);

/* OpenMP worker threads alive in this process (started by libomp, not yet
 * ended). Threads of a forked parent are not counted. */
int trace_ompt_workers(void);

#endif
