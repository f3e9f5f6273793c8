/* input.h — stdin of cell processes (see input.c). */
#ifndef PARC_RT_INPUT_H
#define PARC_RT_INPUT_H

/* Replaces stdin by a stream that asks the front end for each line, or
 * resets it (nothing pending, not at end of file) if already done.
 * Returns 0 or -1. */
int rt_install_stdin(void);

#endif
