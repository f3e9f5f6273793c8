/* repl.h — the read-eval-print loop: gathers cells from the terminal or a
 * pipe, runs them with Ctrl-C forwarded to the engine, numbers them and
 * remembers whether one failed. */
#ifndef PARC_REPL_REPL_H
#define PARC_REPL_REPL_H

#include "cells.h"
#include "engine.h"
#include "output.h"

struct lineedit;
struct lines;

struct repl {
    struct engine *engine;
    int next_cell;   /* the number of the next cell run, from 1 */
    int failed;      /* some cell ended other than ENGINE_OK */
    int stopped;     /* Ctrl-C ended non-interactive input: stop reading */
    struct lines *in; /* stdin, for piped cells and input requests */
    struct output out;
    struct cells cells;
    struct lineedit *le; /* made on the first interactive loop */
};

/* Prepares r around a started engine (owned by the caller, outliving r) and
 * installs the SIGINT handler that interrupts running cells. */
void repl_init(struct repl *r, struct engine *engine);

/* Runs one cell, showing its events as they come. Ctrl-C meanwhile
 * interrupts it. Returns its status; any status but ENGINE_OK marks the
 * REPL as failed. */
enum engine_status repl_run(struct repl *r, const char *code);

/* Reads, runs and shows cells until end of input: with line editing and
 * prompts when stdin is a terminal, silently from a pipe otherwise. */
void repl_loop(struct repl *r);

/* Restores the terminal and frees what r owns (not the engine). */
void repl_free(struct repl *r);

#endif
