/* magic.h — magics: a line starting with % anywhere in a cell (line
 * magic), or a first line starting with %% (cell magic). They run in the
 * cell process before the cell compiles, so a cell that fails takes its
 * magics' effects back with it. A magic may change the session's settings,
 * print, or stand for C code that is compiled in its place. */
#ifndef PARC_MAGIC_H
#define PARC_MAGIC_H

#include "util.h"

struct session;
struct magic;

/* What a magic is given and gives back. */
struct magic_call {
    const struct magic *magic; /* the magic called */
    struct session *s;
    const char *cell;  /* "cell[3]", for messages */
    int cell_no;
    int line;          /* line of the magic in the cell (1-based) */
    const char *text;  /* the magic's line as written (no newline) */
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

/* Lines of an expanded cell that a line magic brought from a file, or
 * the line a magic's C took the place of. */
struct magic_source {
    int first;   /* first line in the expanded cell (1-based) */
    int count;   /* how many lines */
    char *file;  /* malloc'd; NULL: the lines count as the cell's */
    char *text;  /* malloc'd, or NULL for lines from a file: the magic's
                    line as written, which messages about the C made from
                    it show instead (count is 1) */
    int args_at; /* with text: where the magic's arguments start in it */
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

/* Reports that c's magic cannot do what its line asks, in the shape of
 * the compiler's messages: appends "cell[3]:LINE: error: %name: " and the
 * message made from fmt (no newline) to c->err, then "usage: " and the
 * magic's usage line. Returns -1, so that a magic may end with
 * `return magic_usage(c, "...")`. A value the magic cannot take is named
 * in the message, quoted: "'sideways' is not on, off, auto or save". */
int magic_usage(struct magic_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same without the usage line, for a magic written right that fails
 * (a file it cannot read, a compiler that is not installed). -1. */
int magic_error(struct magic_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* For a magic that takes no arguments: 0 when c has none, else -1 with a
 * usage message naming them. */
int magic_no_args(struct magic_call *c);

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
 * line of the cell by its line in the cell, and a magic's line as the user
 * wrote it (with the column of what the message quotes), not the C made
 * from it. Nothing to do when the cell had no magics. */
void magic_map_lines(const struct session *s, const char *cell, struct buf *text);

/* Frees what magic_expand recorded in s->sources and empties it. */
void magic_sources_free(struct session *s);

/* Whether lines of the cell last expanded came from files (%load, %run):
 * then the expanded cell has more lines than the cell. */
int magic_kept_lines(const struct session *s);

/* The usage line of every magic, one per line: line magics, then cell
 * magics, each under its topic's heading; for %lsmagic and help. */
void magic_list(struct buf *out);

#endif
