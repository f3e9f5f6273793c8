/* mpi.h — the %%mpi cell magic: the cell's body becomes an MPI program
 * that every rank runs, with the session's types, functions, macros and
 * globals; runtime/mpi_run.c compiles and launches it. */
#ifndef PARC_MPI_H
#define PARC_MPI_H

struct magic_call;

int mpi_magic_cell(struct magic_call *c);

#endif
