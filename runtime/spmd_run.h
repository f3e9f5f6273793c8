/* spmd_run.h — what the executor needs from spmd_run.c: the stdio
 * wrappers that label SPMD workers' output, to put in the jit's symbol
 * table in place of the C library's. */
#ifndef PARC_RT_SPMD_RUN_H
#define PARC_RT_SPMD_RUN_H

struct spmd_wrapper {
    const char *name; /* the C library function replaced */
    void *fn;
};

/* Ends with a NULL name. */
extern const struct spmd_wrapper spmd_wrappers[];

#endif
