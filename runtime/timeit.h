/* timeit.h — what the executor tells the timing runtime. */
#ifndef PARC_RT_TIMEIT_H
#define PARC_RT_TIMEIT_H

/* ns spent compiling the running cell (set before it runs). */
extern long long rt_compile_ns;
/* Called when the cell's code has returned: ends a %%time measurement. */
void rt_cell_end(void);
/* Adds fn to what rt_cell_end calls first, in the order added: a GPU
 * runtime waits for its queues and records their timeline there. Kept by
 * the process (so by the session once the cell commits). */
void rt_on_cell_end(void (*fn)(void));

#endif
