/* magic.h — magics: a line starting with % anywhere in a cell (line
 * magic), or a first line starting with %% (cell magic). They run in the
 * cell process before the cell compiles, so a cell that fails takes its
 * magics' effects back with it. A magic may change the session's settings,
 * print, or stand for C code that is compiled in its place. */
#ifndef PARC_MAGIC_H
#define PARC_MAGIC_H

#include "util.h"

struct session;

/* What a magic is given and gives back. */
struct magic_call {
    struct session *s;
    const char *cell;  /* "cell[3]", for messages */
    int cell_no;
    int line;          /* line of the magic in the cell (1-based) */
    char *args;        /* the text after the name, trimmed; the magic may modify it */
    const char *body;  /* cell magics: the cell after its first line */
    struct buf *code;  /* C text compiled in the magic's place: for a line
                          magic one line (no newline); for a cell magic the
                          whole cell, its own line included (line k of code
                          is line k of the cell) */
    struct buf *err;   /* on failure: the message, ending in a newline */
    int no_compile;    /* set by a cell magic that handled the cell itself */
    int keep_lines;    /* set by a line magic whose code keeps its newlines
                          (%load): the cell's later lines come after it */
    const char *source; /* with keep_lines: the file the code came from;
                           messages about its lines name the file */
};

/* Lines of an expanded cell that a line magic brought from a file. */
struct magic_source {
    int first;  /* first line in the expanded cell (1-based) */
    int count;  /* how many lines */
    char *file; /* malloc'd; NULL: the lines count as the cell's */
};

/* What a magic is for: %lsmagic lists line magics, then cell magics, each
 * by topic in this order (the names are in magic.c). */
enum magic_topic {
    MAGIC_COMPILING, /* compilers, options, libraries */
    MAGIC_FILES,     /* files, the working directory, the environment */
    MAGIC_PARALLEL,  /* threads, processes, OpenMP */
    MAGIC_TIMING,    /* timing, timelines, scaling */
    MAGIC_GPU,
    MAGIC_MPI,
    MAGIC_SESSION,   /* the session's names, history, limits, reset */
    MAGIC_HELP,
    MAGIC_NTOPICS
};

struct magic {
    const char *name;  /* without % */
    int cell;          /* 1 = cell magic (%%name), 0 = line magic */
    enum magic_topic topic;
    const char *usage; /* "%limit time SECONDS | mem SIZE | procs N" */
    const char *help;  /* what it does, a few lines */
    int (*run)(struct magic_call *c); /* 0, or -1 with c->err set */
};

/* Every magic, ending with a zeroed entry. */
extern const struct magic magic_table[];

/* The magic called name (without %), cell or line, or NULL. */
const struct magic *magic_find(const char *name, int cell);

/* Runs the magics of code in order. Returns the C text to compile
 * (malloc'd; same line numbering as code, magic lines replaced by what
 * their magics produced, unless a magic kept its newlines — see
 * s->sources), or NULL with a message in err. *no_compile is set when a
 * cell magic handled the whole cell. A line starting with ! where a
 * statement may start (first line, or after a line ending in ; { } or a
 * directive or magic) is a shell command: it becomes
 * parc_shell("COMMAND"); so a C expression starting with ! there must be
 * written in parentheses. */
char *magic_expand(struct session *s, const char *code, int cell_no, struct buf *err, int *no_compile);

/* Rewrites compiler messages about the cell last expanded (text, as made
 * by jit_compile for the cell named cell) so that they name lines as the
 * user knows them: a line from a file by the file and its line, a later
 * line of the cell by its line in the cell. Nothing to do when no magic
 * kept its newlines. */
void magic_map_lines(const struct session *s, const char *cell, struct buf *text);

/* The usage line of every magic, one per line: line magics, then cell
 * magics, each under its topic's heading; for %lsmagic and help. */
void magic_list(struct buf *out);

#endif
