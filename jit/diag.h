/* diag.h — compiler messages as users should read them: named after the
 * cell and its line, with the source line and a caret, like gcc's. */
#ifndef PARC_DIAG_H
#define PARC_DIAG_H

struct buf;
struct split;

/* Rewrites raw TinyCC messages ("cell[4]:2: error: 'y' undeclared", one
 * per line) for the cell named name whose text is code, appending to out:
 *   cell[4]:2:9: error: 'y' undeclared
 *       2 | double z = y + 1;
 *         |            ^
 * The column comes from the token the message quotes, when it is found on
 * that line. */
void diag_format(struct buf *out, const char *name, const char *code, const char *raw);

/* The 1-based column in line of the first word msg quotes ('y', "x")
 * that stands there as a whole word, or 0. */
int diag_column(const char *line, const char *msg);

/* Message for a cell whose brackets do not balance. */
void diag_unbalanced(struct buf *out, const char *name, const char *code, const struct split *sp);

/* What in code TinyCC cannot compile (atomics, thread-local storage,
 * complex numbers, __int128, atomic builtins), described for users
 * ("C11 atomics (_Atomic)"), or NULL. in_declaration: code is a
 * declaration kept from an earlier cell, where the type names of
 * <complex.h> and <stdatomic.h> count too. */
const char *diag_tcc_gap(const char *code, int in_declaration);

/* Whether code uses OpenMP: a line that starts with `#pragma omp`, or
 * `_Pragma("omp ...")`. */
int diag_uses_openmp(const char *code);

#endif
