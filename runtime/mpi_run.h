/* mpi_run.h — the runtime of %%mpi cells (engine/mpi.c writes the
 * program): compiles the cell's MPI program, runs it with mpirun, labels
 * each rank's output as it arrives, reports failed ranks, and puts what
 * the ranks record (runtime/include/parc_mpi.h) on the cell's timeline as
 * it arrives, so that it grows while the job runs. Runs in the cell
 * process; the session itself never runs MPI. */
#ifndef PARC_RT_MPI_RUN_H
#define PARC_RT_MPI_RUN_H

#include <stddef.h>

/* What the magic hands over to the cell's code. Strings are malloc'd and
 * owned by the job. */
struct mpi_job {
    char *source;     /* the whole program, C */
    char *cell;       /* "cell[3]": the program's #line name for the cell */
    char *code;       /* the cell's text, for messages with the source line */
    char *compiler;   /* "tcc", or a compiler command with options: "clang -O2" */
    char *cflags;     /* the session's options (%cflags), may be "" */
    char *ldflags;    /* %ldflags, may be "" */
    char **includes;  /* folders for -I, the folder of parc_mpi.h first */
    size_t nincludes;
    int nranks;       /* -n; 0 = one per core, or the hostfile's slots */
    char *hostfile;   /* NULL: this machine only */
    int oversubscribe;
    char **extra;     /* more mpirun arguments (after --) */
    size_t nextra;
};

/* A global of the session whose value the ranks start with. */
struct parc_mpi_var {
    const char *name;
    const void *addr;
    unsigned long size;
};

/* Makes job the one the next parc__mpi_run runs; takes ownership. */
void mpi_job_set(struct mpi_job *job);
void mpi_job_free(struct mpi_job *job);

/* Runs the pending job (called by the cell's code, which passes the
 * globals to copy). Returns 0 when every rank ended well; a compile error
 * or a failed rank ends the cell with an error (rt_cell_fail). */
int parc__mpi_run(const struct parc_mpi_var *vars, unsigned long nvars);

#endif
