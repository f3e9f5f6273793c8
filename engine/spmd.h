/* spmd.h — the SPMD cell magics %%threads N and %%procs N: the cell body
 * runs on N workers at once (runtime/spmd_run.c), like ipyparallel's %%px. */
#ifndef PARC_SPMD_H
#define PARC_SPMD_H

struct jit;
struct magic_call;

/* Puts the labelling stdio wrappers in the session's symbol table; called
 * once when the session starts. */
void spmd_install(struct jit *j);

int spmd_magic_threads(struct magic_call *c);
int spmd_magic_procs(struct magic_call *c);

#endif
