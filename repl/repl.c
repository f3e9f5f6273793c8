/* repl.c — see repl.h. SIGINT has one handler for the whole run: while a
 * cell runs it asks the engine to interrupt it (engine_interrupt is
 * async-signal-safe); otherwise it only sets a flag, which stops input read
 * from a pipe. At the interactive prompt ^C never becomes a signal (see
 * lineedit.c). */
#include "repl.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lineedit.h"
#include "lines.h"
#include "util.h"

/* What the SIGINT handler must reach. */
static struct engine *volatile sig_engine;
static volatile sig_atomic_t sig_running;
static volatile sig_atomic_t sig_interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    sig_interrupted = 1;
    if (sig_running && sig_engine)
        engine_interrupt(sig_engine);
}

void repl_init(struct repl *r, struct engine *engine)
{
    memset(r, 0, sizeof *r);
    r->engine = engine;
    r->next_cell = 1;
    r->in = lines_open(STDIN_FILENO, &sig_interrupted);
    r->cells.engine = engine;
    output_init(&r->out, engine, r->in, isatty(STDIN_FILENO), &sig_interrupted);

    sig_engine = engine;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

enum engine_status repl_run(struct repl *r, const char *code)
{
    int detail = 0;
    char *help = engine_help_name(code, &detail);
    if (help) {
        /* As in IPython and the notebook: ?name describes name. */
        r->next_cell++;
        char *text = engine_inspect(r->engine, help, strlen(help), detail);
        if (text)
            fputs(text, stdout);
        else
            printf("Object `%s` not found.\n", help);
        fflush(stdout);
        free(text);
        free(help);
        return ENGINE_OK;
    }
    struct engine_exec ex = {
        .cell_no = r->next_cell++,
        .on_event = output_event,
        .ctx = &r->out,
    };
    r->out.saw_error = 0;
    sig_interrupted = 0;
    sig_running = 1;
    enum engine_status st = engine_execute(r->engine, code, &ex);
    sig_running = 0;
    fflush(stdout);
    fflush(stderr);
    if (st != ENGINE_OK)
        r->failed = 1;
    if (st == ENGINE_LOST && !r->out.saw_error)
        output_note(&r->out, "the session was lost (its process died); a new, empty session was started");
    return st;
}

/* Feeds one line to the cell being gathered; runs the cell when it is
 * finished. */
static void feed(struct repl *r, const char *line, size_t len)
{
    if (cells_add(&r->cells, line, len) != CELLS_RUN)
        return;
    char *code = cells_take(&r->cells);
    repl_run(r, code);
    free(code);
}

/* Runs what is pending at end of input. */
static void flush_pending(struct repl *r)
{
    if (!cells_pending(&r->cells))
        return;
    char *code = cells_take(&r->cells);
    repl_run(r, code);
    free(code);
}

/* Cells from a pipe or file: no prompts, no echo. */
static void loop_piped(struct repl *r)
{
    for (;;) {
        char *line = NULL;
        size_t len = 0;
        enum lines_result res = lines_get(r->in, &line, &len);
        if (res == LINES_STOPPED) {
            r->stopped = 1;
            break;
        }
        if (res == LINES_EOF)
            break;
        feed(r, line, len);
        free(line);
        if (sig_interrupted) { /* a cell was interrupted by Ctrl-C */
            r->stopped = 1;
            break;
        }
    }
    if (!r->stopped)
        flush_pending(r);
    cells_discard(&r->cells);
}

/* "[12] " for a new cell; dots as wide for its continuation lines. */
static void make_prompt(struct repl *r, char *p, size_t size)
{
    int n = snprintf(p, size, "[%d] ", r->next_cell);
    if (cells_pending(&r->cells)) {
        memset(p, ' ', (size_t)n);
        memcpy(p, "...", 3);
    }
}

static void loop_interactive(struct repl *r)
{
    if (!r->le)
        r->le = lineedit_open(r->engine);
    if (!r->le) {
        output_note(&r->out, "line editing is not available; reading plain lines");
        loop_piped(r);
        return;
    }
    for (;;) {
        char prompt[32], *line = NULL;
        output_finish_line(&r->out);
        make_prompt(r, prompt, sizeof prompt);
        enum lineedit_result res =
            lineedit_read(r->le, prompt, cells_text(&r->cells), cells_indent(&r->cells), &line);
        if (res == LINEEDIT_INTERRUPT) {
            cells_discard(&r->cells);
            continue;
        }
        if (res == LINEEDIT_EOF)
            break;
        lineedit_remember(r->le, line);
        feed(r, line, strlen(line));
        free(line);
    }
    /* Ctrl-D in the middle of a cell still runs what was typed. */
    if (cells_pending(&r->cells)) {
        output_finish_line(&r->out);
        flush_pending(r);
    }
    fputc('\n', stdout);
}

void repl_loop(struct repl *r)
{
    if (isatty(STDIN_FILENO))
        loop_interactive(r);
    else
        loop_piped(r);
}

void repl_free(struct repl *r)
{
    lineedit_close(r->le);
    r->le = NULL;
    cells_free(&r->cells);
    output_free(&r->out);
    lines_free(r->in);
    r->in = NULL;
    sig_engine = NULL;
}
