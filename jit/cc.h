/* cc.h — cells built by an external compiler (clang, gcc): the cell's C
 * text compiled to a relocatable object, which jit.c links into the
 * session with libtcc, or, when the object holds thread-local storage
 * (which libtcc cannot link), linked as a shared object and dlopen'd. */
#ifndef PARC_CC_H
#define PARC_CC_H

#include <stddef.h>

struct buf;

/* Whether the compiler command cmd ("tcc", "clang -O2", "gcc") names
 * TinyCC, parc's in-memory compiler. NULL and "" count as TinyCC. */
int cc_is_tcc(const char *cmd);

/* Whether cmd's program (its first word) is clang or a clang-N. */
int cc_is_clang(const char *cmd);

/* The clang that builds cells TinyCC cannot compile and shows remarks:
 * $PARC_CLANG, else "clang". */
const char *cc_default_clang(void);

/* Checks that cmd's program can be run. 0, or -1 with a message naming
 * the Debian package to install in err. */
int cc_check(const char *cmd, struct buf *err);

/* A new private folder for a cell's files, malloc'd; NULL on failure.
 * cc_remove_dir removes it with its files and frees dir (NULL is fine). */
char *cc_make_dir(void);
void cc_remove_dir(char *dir);

/* Writes unit to dir/cell.c and runs `cmd -fPIC -c opts` on it into
 * dir/cell.o. The compiler's messages, without source lines and carets
 * and without summary lines, are appended to msgs, one per line.
 * Returns 0, or -1 if it failed. */
int cc_compile(const char *cmd, const char *opts, const char *unit, const char *dir, struct buf *msgs);

/* Precompiles header text (the prelude of a clang cell: its #include
 * lines), written to the file header (which the result refers to: keep
 * it), with `cmd -fPIC opts -x c-header` into the file pch. Both are
 * written under temporary names and renamed. 0, or -1 (the compiler's
 * messages are dropped: the cell is then compiled without it). */
int cc_precompile(const char *cmd, const char *opts, const char *text, const char *header, const char *pch);

/* A global symbol of an object file. */
struct cc_sym {
    char *name;
    int defined; /* 0: the object uses it, another must define it */
    int tls;     /* a thread-local variable */
};

/* Reads the global symbols of the ELF object obj into *syms (*n of
 * them; free with cc_syms_free) and sets *has_tls if the object uses
 * thread-local storage. Returns 0, or -1 if obj is no x86-64 ELF object. */
int cc_read_object(const char *obj, struct cc_sym **syms, size_t *n, int *has_tls);
void cc_syms_free(struct cc_sym *syms, size_t n);

/* Turns the common symbols of object obj that known(ctx, name) says the
 * session has already into undefined ones, so that they are linked to the
 * session's, as a linker merges common symbols: the lock of an unnamed
 * `#pragma omp critical` (.gomp_critical_user_.var) is one lock in every
 * cell. Rewrites obj in place. 0, or -1 if obj cannot be read or written. */
int cc_merge_commons(const char *obj, int (*known)(void *ctx, const char *name), void *ctx);

/* Links obj with `cmd -shared link_opts` into dir/cell.so and loads it
 * with dlopen(RTLD_NOW | RTLD_GLOBAL). Returns the handle, or NULL with
 * messages in msgs. */
void *cc_load_shared(const char *cmd, const char *obj, const char *dir, const char *link_opts, struct buf *msgs);

#endif
