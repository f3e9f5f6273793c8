/* prelude.h — the common headers every cell sees, flattened once per
 * session so that a cell does not pay for #include processing. */
#ifndef PARC_PRELUDE_H
#define PARC_PRELUDE_H

#include <stddef.h>

struct buf;

/* Headers included in every cell without an #include. */
extern const char *const prelude_headers[];

/* Preprocesses prelude_headers, then the nextra system headers in extra
 * (those cells included later), with the tcc program into declarations
 * followed by every macro they define, minus the compiler's own. sys_dir,
 * if not NULL, is searched after the system folders (omp.h). Returns a
 * malloc'd text, or NULL with a message in err. */
char *prelude_build(const char *rt_include, const char *sys_dir, char *const *extra, size_t nextra,
                    struct buf *err);

/* If text is `#include <name>`, copies name (at most cap bytes) and
 * returns 1; else 0. */
int prelude_system_include(const char *text, char *name, size_t cap);

#endif
