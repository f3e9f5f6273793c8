/* compilers.h — the magics that choose how cells are compiled: the
 * session's compiler (%cc), compiler and linker options (%cflags,
 * %ldflags) and the compiler of one cell (%%c). */
#ifndef PARC_COMPILERS_H
#define PARC_COMPILERS_H

struct magic_call;

/* %cc [tcc | clang | gcc | PATH [FLAGS]]: sets the compiler of later cells;
 * alone shows it. */
int compilers_magic_cc(struct magic_call *c);
/* %cflags [FLAGS]: sets the compiler options of later cells; alone shows
 * them. */
int compilers_magic_cflags(struct magic_call *c);
/* %ldflags [FLAGS]: sets the linker options of later cells; alone shows
 * them. */
int compilers_magic_ldflags(struct magic_call *c);
/* %%c [--cc NAME] [--remarks] [FLAGS]: compiles this cell with NAME (or
 * the session's compiler) and FLAGS; --remarks shows clang's optimization
 * remarks. */
int compilers_magic_c(struct magic_call *c);

#endif
