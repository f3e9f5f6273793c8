/* scaling.h — %%scaling: a cell run once per worker count, timed, with a
 * table and a plot (the runs themselves: runtime/scaling.c). */
#ifndef PARC_SCALING_H
#define PARC_SCALING_H

struct magic_call;

int scaling_magic_cell(struct magic_call *c);

#endif
