/* jit.h — cell text -> running code. Holds what the session has declared
 * (types, globals, functions, macros) and their addresses, and compiles
 * each new cell against them: with TinyCC in memory, or with clang or gcc
 * into an object that libtcc links in (see cc.h). A struct jit lives in the
 * executor; a cell process mutates its own copy, which becomes the session
 * only if the cell succeeds (see engine/executor.c). */
#ifndef PARC_JIT_H
#define PARC_JIT_H

#include <stddef.h>

struct buf;
struct split;

/* A declaration the session keeps and repeats at the top of later cells. */
enum decl_kind { DECL_PP, DECL_TYPE, DECL_PROTO, DECL_VAR, DECL_FUNC };

struct decl {
    enum decl_kind kind;
    char *key;    /* what a later definition replaces: a name or "struct tag"; NULL for PP */
    char *text;   /* C text for the top of later cells */
    char *type;   /* DECL_VAR: its type spelled in C ("int[5]", "point *") */
    int cell;     /* the cell that declared it */
    int is_type_name; /* DECL_TYPE from a typedef: key names a type */
    int tcc_gap;  /* text TinyCC cannot compile (an _Atomic global...): left
                     out of TinyCC cells, and a cell using key goes to clang */
};

/* A struct or union type, known so that values of it can be shown. */
struct jit_struct {
    char *spelling; /* how C code names it: "struct p" or a typedef name */
    char *display;  /* how users know it */
    char **fields;
    char **field_types; /* per field: its type if an array, else NULL */
    size_t nfields;
};

/* An address of a symbol defined by a cell. */
struct jit_sym {
    char *name;
    void *addr;
    int cell;
};

/* Memory holding one cell's code and data. */
struct jit_region {
    void *start;
    size_t len;
    void *entry; /* the cell's statements function */
    int cell;
};

struct jit {
    /* The jit this one replaced (%reset), never freed: its code stays
     * mapped. Kept here so that it stays reachable. */
    struct jit *retired;
    struct jit_region *regions;
    size_t nregions;
    struct decl *decls;
    size_t ndecls;
    struct jit_struct *structs;
    size_t nstructs;
    struct jit_sym *syms;
    size_t nsyms, capsyms;
    size_t *symhash;       /* open addressing: index + 1 into syms, 0 = free */
    size_t symhash_cap;
    char *arena;           /* executable memory the next cells are placed in */
    size_t arena_used, arena_cap;
    /* Compiler settings (magics): extra options, include dirs. */
    char *cc;              /* %cc: "tcc" (in memory), or a command: "clang", "gcc -O3" */
    char *ldflags;         /* %ldflags: -L, -l, and linker options for shared cells */
    char *cell_cc;         /* %%c: the compiler of the next cell only, or NULL */
    int cell_remarks;      /* %%c --remarks: show the optimizer's remarks */
    char **cc_includes;    /* system headers TinyCC cannot compile: only in clang/gcc cells */
    size_t ncc_includes;
    char *cflags;
    char **include_dirs;
    size_t ninclude_dirs;
    char *runtime_include; /* parc.h's folder */
    char *prelude;         /* headers flattened once (see prelude.c) */
    char **sys_includes;   /* system headers cells added to the prelude */
    size_t nsys_includes;
    int tcc_notes_shown;   /* tcc-limit notes already given */
    /* OpenMP: cells with #pragma omp are built by clang -fopenmp against
     * LLVM's libomp, loaded into the session by the first one. */
    char *omp_include;     /* folder of the omp.h TinyCC cells include, or NULL */
    int cell_openmp;       /* %%openmp: build the next cell as OpenMP even without a pragma */
    int omp_note_shown;    /* the note on how OpenMP cells are built was given */
};

/* Creates an empty session. runtime_include is the folder of parc.h. */
struct jit *jit_new(const char *runtime_include);
void jit_free(struct jit *j);

/* Builds the flattened prelude of common headers. Call once in the executor
 * before any cell. Returns 0, or -1 with a message in err. */
int jit_prepare(struct jit *j, struct buf *err);

/* A compiled cell, ready to run. */
struct jit_cell {
    void (*entry)(void); /* runs the cell's statements; NULL if none */
    int has_value;       /* entry shows the value of a final expression */
    char *note;          /* a note for the user (warnings), malloc'd or NULL */
};

/* Compiles code as cell number cell_no and links it into the session:
 * on success j knows its declarations and symbols, out->entry is set and 0
 * is returned. On failure returns -1 and writes the diagnostics, formatted
 * like a compiler's with the source line and a caret, to diag; j is then
 * in an unspecified state (the caller's process is discarded). Magic lines
 * (%...) must have been removed by the caller (replaced by empty lines).
 * quiet_value: do not show a final expression's value. */
int jit_compile(struct jit *j, const char *code, int cell_no, int quiet_value, struct jit_cell *out,
                struct buf *diag);

/* Whether code is complete: 0 complete, 1 incomplete, 2 invalid. Compiles
 * without linking or running; call it in a throwaway process. */
int jit_is_complete(struct jit *j, const char *code);

/* Loads LLVM's libomp into the process, globally, so that cells link
 * against it (done by the first cell that uses OpenMP or includes
 * omp.h). 0, or -1 with a message naming the Debian package in err. */
int jit_load_openmp(struct buf *err);

/* Lookups for completion and inspection. */
const struct decl *jit_find_decl(const struct jit *j, const char *name);

/* Splits code (split_cell) as a cell of j's session: the types and
 * variables earlier cells declared tell declarations from statements.
 * Free *out with split_free. */
void jit_split(const struct jit *j, const char *code, struct split *out);
const struct jit_sym *jit_find_sym(const struct jit *j, const char *name);

/* Makes a system library's symbols available to cells (%lib NAME): opens
 * libNAME.so (or its versioned file) globally. 0, or -1 with err set. */
int jit_load_library(const char *name, struct buf *err);

/* What a failed compile may leave behind in j (its declarations and
 * struct types), saved by jit_mark so that a session that cannot discard
 * its process (a GPU session running cells in place) can go back to it
 * with jit_back_to, which frees the mark. jit_mark_free frees an unused
 * one (NULL is fine). Code and symbols of failed cells are never added. */
struct jit_mark;
struct jit_mark *jit_mark(const struct jit *j);
void jit_back_to(struct jit *j, struct jit_mark *m);
void jit_mark_free(struct jit_mark *m);

/* Links the relocatable object obj (made by another compiler: nvcc) with
 * `cmd -shared` plus link_opts as a shared object, giving it the session's
 * symbols it uses by address, loads it, and adds the symbols it defines to
 * the session as cell cell_no's. 0, or -1 with the linker's messages in
 * msgs. */
int jit_link_shared(struct jit *j, const char *cmd, const char *obj, const char *link_opts, int cell_no,
                    struct buf *msgs);

/* Declares a function for later cells: proto is its C prototype without
 * the ';' ("void saxpy(int n, float a, float *x, float *y)"). */
void jit_declare_function(struct jit *j, const char *name, const char *proto, int cell_no);

/* Makes an address known to every later cell under name (the runtime uses
 * it to interpose functions such as fork). */
void jit_define(struct jit *j, const char *name, void *addr);

#endif
