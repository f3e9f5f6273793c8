/* output.h — shows a cell's events in the terminal: streams as they come,
 * values and displays as text, images as files whose paths are printed,
 * errors on stderr; answers the cell's requests for input. */
#ifndef PARC_REPL_OUTPUT_H
#define PARC_REPL_OUTPUT_H

#include <signal.h>

#include "engine.h"

struct lines;

struct output {
    struct engine *engine;
    struct lines *in; /* where answers to input requests are read */
    int tty;          /* stdin is a terminal (echo is turned off for passwords) */
    const volatile sig_atomic_t *interrupted; /* Ctrl-C was pressed (the terminal echoed ^C) */
    int at_bol;       /* the last byte shown ended a line */
    int saw_error;    /* an ENGINE_EV_ERROR was shown (the caller resets it) */
    unsigned nimages; /* images written so far, for their file names */
    char *imgdir;     /* malloc'd, made on the first image */
};

/* Prepares o. engine, in and interrupted (a flag the SIGINT handler sets,
 * may be NULL) stay owned by the caller and must outlive o. */
void output_init(struct output *o, struct engine *engine, struct lines *in, int tty,
                 const volatile sig_atomic_t *interrupted);

/* The engine_event_fn to pass with ctx = the struct output. */
void output_event(void *ctx, const struct engine_event *ev);

/* Ends a cell's output on a fresh line (before the next prompt). */
void output_finish_line(struct output *o);

/* Prints a message of the REPL itself ("parc: ...") on stderr, on a line of
 * its own. */
void output_note(struct output *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Frees what o owns (not the engine nor the input). */
void output_free(struct output *o);

#endif
