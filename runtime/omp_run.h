/* omp_run.h — OpenMP in the cell process: the settings of a cell (threads,
 * schedule, binding) given to LLVM's libomp before the cell's code runs,
 * and what must be undone after it. Does nothing until a cell has loaded
 * libomp (jit_load_openmp). */
#ifndef PARC_OMP_RUN_H
#define PARC_OMP_RUN_H

enum rt_omp_bind { RT_OMP_BIND_DEFAULT, RT_OMP_BIND_SPREAD, RT_OMP_BIND_CLOSE, RT_OMP_BIND_NONE };

/* What a cell runs OpenMP with; 0 fields mean libomp's own default. */
struct rt_omp_settings {
    int threads;    /* omp_set_num_threads */
    int schedule;   /* omp_sched_t for schedule(runtime): 1 static, 2 dynamic, 3 guided */
    int chunk;      /* its chunk size; 0: the schedule's default */
    int bind;       /* enum rt_omp_bind; DEFAULT: spread over cores unless the environment says otherwise */
    int no_trace;   /* the OMPT tool records nothing (for timing against plain runs) */
};

/* Whether libomp is in the process. */
int rt_omp_loaded(void);

/* Right before a cell's code runs: starts libomp with the settings
 * (binding is read from the environment when libomp starts, so it is
 * given there only for that moment), and remembers the calling thread's
 * CPUs, which binding would otherwise leave pinned for later cells. */
void rt_omp_cell_begin(const struct rt_omp_settings *s);

/* Right after the cell's code returned: gives the calling thread its CPUs
 * back, and libomp the thread count and schedule from before the cell's
 * settings (which matters where cells run in place, in one process).
 * Returns the OpenMP worker threads still alive (libomp keeps its pool),
 * which the executor sheds without calling them the cell's. */
int rt_omp_cell_end(void);

/* The thread count of later parallel regions of the cell (%%scaling
 * --omp). Nothing if libomp is not loaded. */
void rt_omp_set_threads(int n);

#endif
