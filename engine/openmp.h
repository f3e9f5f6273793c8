/* openmp.h — OpenMP in the session: %%openmp (one cell's threads,
 * schedule and binding), %omp_threads (the session's thread count), and
 * the hooks the executor calls around each cell's code. */
#ifndef PARC_ENGINE_OPENMP_H
#define PARC_ENGINE_OPENMP_H

#include "omp_run.h"

struct jit;
struct magic_call;
struct session;

/* OpenMP settings of the session; part of it (session.h). */
struct openmp {
    struct rt_omp_settings session; /* %omp_threads */
    struct rt_omp_settings cell;    /* %%openmp, for the cell being run */
    int cell_set;
};

/* Makes the loop wrappers of the OpenMP tool (trace/ompt.h) the entry
 * points cells link against; once per jit. */
void openmp_install(struct jit *j);

/* Around the cell's code, in the cell process: applies the settings,
 * then undoes what must not outlive the cell. openmp_cell_end returns
 * the OpenMP worker threads still alive (see rt_omp_cell_end). */
void openmp_cell_begin(struct session *s);
int openmp_cell_end(struct session *s);

int openmp_magic_cell(struct magic_call *c);    /* %%openmp */
int openmp_magic_threads(struct magic_call *c); /* %omp_threads */

#endif
