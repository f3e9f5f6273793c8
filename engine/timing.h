/* timing.h — %timeit, %%timeit, %time and %%time, as in IPython. They
 * stand for C code: the timed statement is compiled once into a loop inside
 * a function that reads the clock before and after the loop, so neither a
 * call per iteration nor parc's own work (fork, compiling, pipes) is
 * measured. The runtime (runtime/timeit.c) calibrates, repeats and prints. */
#ifndef PARC_TIMING_H
#define PARC_TIMING_H

struct magic_call;

int timing_magic_timeit(struct magic_call *c);
int timing_magic_timeit_cell(struct magic_call *c);
int timing_magic_time(struct magic_call *c);
int timing_magic_time_cell(struct magic_call *c);

#endif
