/* mpi.h — the %%mpi cell magic: the cell's body becomes an MPI program
 * that every rank runs, with the session's types, functions, macros and
 * globals; runtime/mpi_run.c compiles and launches it. */
#ifndef PARC_MPI_H
#define PARC_MPI_H

struct magic_call;

/* %%mpi: reads the options, writes the program (kept for the runtime as
 * the pending job) and gives the cell one line of C that runs it. 0, or
 * -1 with a usage message in c->err. */
int mpi_magic_cell(struct magic_call *c);

#endif
