/* cellgen.h — writes the C text of one cell's translation unit: its
 * file-scope items, the function that runs its statements, and the code
 * that shows the value of a final expression. */
#ifndef PARC_CELLGEN_H
#define PARC_CELLGEN_H

#include <stddef.h>

struct buf;
struct jit;
struct split;
struct item;

/* Appends the cell's part of the translation unit to tu: file-scope items
 * as written (storage classes dropped so that everything joins the
 * session), then `void __parc_cell(void)` with the statements and the
 * initializers that must run as code, in cell order. *has_value is set if
 * the last item is an expression whose value the function shows. */
void cellgen_unit(struct buf *tu, const struct jit *j, const char *code, const struct split *sp, int cell_no,
                  int quiet_value, int *has_value);

/* A cell defining a thread-local variable becomes a shared object that is
 * loaded for good (see jit.c), and the dynamic linker would keep finding
 * its symbols after a later cell redefines them. So the symbols such a cell
 * defines are its names plus this mark and the cell number, and later
 * cells' declarations carry the same asm label. */
#define CELLGEN_TLS_MARK "__parc_cell"

/* The asm label (" __asm__(\"tl__parc_cell3\")") for name defined by cell
 * cell_no, split as sp, if that cell defines a thread-local variable;
 * malloc'd, else NULL. */
char *cellgen_tls_label(const struct split *sp, const char *name, int cell_no);

/* Copy of a declaration head without 'static' and 'inline' (every
 * top-level name of a cell belongs to the session). malloc'd. */
char *cellgen_strip_storage(const char *text);

/* Whether item i of sp is a #pragma that belongs to the statement after
 * it (`#pragma omp parallel for`, `#pragma clang loop ...`): it goes into
 * the cell's function with that statement and is no declaration of the
 * session. File-scope pragmas (omp threadprivate, declare, requires) are
 * not. */
int cellgen_statement_pragma(const struct split *sp, size_t i);

/* Whether the directive line text is a `#pragma omp` that applies to the
 * statement after it (parallel, for, critical...): a cell ending with one
 * is unfinished. */
int cellgen_pragma_needs_statement(const char *text);

/* For code that shows values other than a cell's final expression (%whos):
 * appends file-scope functions that show each session struct type, named
 * with prefix (which must differ from the cell's own, "__parc_show_"). */
void cellgen_value_shows(struct buf *b, const struct jit *j, const char *prefix);

/* Appends one statement that shows the value of the variable called name,
 * whose type is spelled type (or NULL), through the value display (between
 * __parc_value_begin or __parc_value_capture and their end), using the
 * struct functions cellgen_value_shows wrote with the same prefix. */
void cellgen_show_call(struct buf *b, const struct jit *j, const char *name, const char *type, const char *prefix);

#endif
