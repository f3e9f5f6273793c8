/* engine.h — the one API through which front ends (the REPL, the Jupyter
 * kernel, benchmarks) run a parc session. No user code ever runs in the
 * process that calls these functions: the session lives in an executor
 * process (parc-engine) and every cell runs in a fork of it. */
#ifndef PARC_ENGINE_H
#define PARC_ENGINE_H

#include <stddef.h>
#include <sys/types.h>

struct engine;

/* What a running cell (or the engine about it) reports to the front end. */
enum engine_event_kind {
    ENGINE_EV_STDOUT,         /* data/len: bytes the cell wrote to stdout */
    ENGINE_EV_STDERR,         /* data/len: bytes the cell wrote to stderr */
    ENGINE_EV_RESULT,         /* mime bundle: the value of the cell's last expression */
    ENGINE_EV_DISPLAY,        /* mime bundle, display_id may be set */
    ENGINE_EV_UPDATE_DISPLAY, /* mime bundle replacing display display_id */
    ENGINE_EV_CLEAR_OUTPUT,   /* wait: clear when the next output arrives */
    ENGINE_EV_ERROR,          /* ename, evalue, traceback: the cell failed */
    ENGINE_EV_INPUT_REQUEST,  /* prompt, password: answer with engine_send_input. The
                                 prompt is the unfinished line the cell printed just
                                 before reading (printf("name? ")): it is not also
                                 delivered as STDOUT, so the front end shows it. */
};

/* One entry of a mime bundle. data is not NUL-terminated for binary types
 * (image/png) but always has a NUL after len bytes for convenience. */
struct engine_mime {
    const char *mime;
    const char *data;
    size_t len;
};

/* An event. Every pointer is owned by the engine and valid only during the
 * callback; copy what you keep. */
struct engine_event {
    enum engine_event_kind kind;
    const char *data;               /* STDOUT/STDERR bytes */
    size_t len;
    const struct engine_mime *mime; /* RESULT/DISPLAY/UPDATE_DISPLAY */
    size_t nmime;
    const char *display_id;         /* DISPLAY/UPDATE_DISPLAY, or NULL */
    int wait;                       /* CLEAR_OUTPUT */
    const char *ename;              /* ERROR: short kind, e.g. "CompileError" */
    const char *evalue;             /* ERROR: one-line summary */
    const char *traceback;          /* ERROR: full text, lines separated by \n */
    const char *prompt;             /* INPUT_REQUEST */
    int password;                   /* INPUT_REQUEST */
};

typedef void (*engine_event_fn)(void *ctx, const struct engine_event *ev);

/* How a cell ended. */
enum engine_status {
    ENGINE_OK = 0,       /* ran to the end; its effects are now the session */
    ENGINE_COMPILE_ERROR,/* did not compile; nothing changed */
    ENGINE_CRASHED,      /* died of a signal; rolled back */
    ENGINE_EXITED,       /* called exit()/_exit(); rolled back */
    ENGINE_INTERRUPTED,  /* stopped by engine_interrupt; rolled back */
    ENGINE_TIMEOUT,      /* over the time limit; rolled back */
    ENGINE_LOST,         /* the executor itself died; a new empty session was started */
};

struct engine_options {
    /* Path of the parc-engine executable; NULL finds it next to the
     * calling program or through $PARC_ENGINE. */
    const char *engine_path;
};

/* Starts a session. Returns NULL and writes a message to err (errlen bytes)
 * when the executor cannot be started. The caller owns the result and frees
 * it with engine_free. Makes the calling process a child subreaper so that
 * every process the session starts can be found and ended at engine_free.
 * Call it from a thread that lives as long as the session (the main thread,
 * usually): the first executor is started with PR_SET_PDEATHSIG, which
 * fires when the thread that forked it ends, not the process. */
struct engine *engine_start(const struct engine_options *opt, char *err, size_t errlen);

/* Ends the session and every process it started (executor, cells and their
 * children). As those are found as children of the calling process (a
 * subreaper), every other child of it ends too: one session per process.
 * Accepts NULL. */
void engine_free(struct engine *e);

/* Per-execution choices. */
struct engine_exec {
    int cell_no;        /* the N in cell[N] used in messages; 0 = unnamed */
    int rollback;       /* run, report, then discard the cell's effects */
    int quiet_result;   /* do not report the value of a final expression */
    engine_event_fn on_event;
    void *ctx;
};

/* Runs one cell and blocks until it ends, delivering events to
 * ex->on_event as they happen (stdout and stderr stream live). Returns the
 * status; the error itself was already delivered as an ENGINE_EV_ERROR
 * event. engine_interrupt may be called from another thread or a signal
 * handler meanwhile. */
enum engine_status engine_execute(struct engine *e, const char *code, const struct engine_exec *ex);

/* Answers the pending ENGINE_EV_INPUT_REQUEST with text (a line, usually
 * ending in \n). text NULL means end of file. Call it from the event
 * callback or from any thread while the cell waits. Returns 0 or -1. */
int engine_send_input(struct engine *e, const char *text, size_t len);

/* Stops the running cell, if any: SIGINT first, SIGKILL if it has not ended
 * shortly after. Safe from signal handlers and other threads. */
void engine_interrupt(struct engine *e);

/* Whether code is a finished cell, as the compiler sees it. */
enum engine_completeness {
    ENGINE_COMPLETE,
    ENGINE_INCOMPLETE, /* more input needed: open brace, unfinished statement... */
    ENGINE_INVALID,    /* complete but wrong; running it shows the error */
};
/* Asks the session whether code is complete. *indent (may be NULL) gets a
 * malloc'd suggested indentation for the next line, freed by the caller. */
enum engine_completeness engine_is_complete(struct engine *e, const char *code, char **indent);

/* Completions of the word before cursor (a byte offset in code). Fills
 * matches with a malloc'd array of malloc'd strings (free with
 * engine_strv_free) and start and end with the byte range they replace.
 * Returns the number of matches, or -1. */
int engine_complete(struct engine *e, const char *code, size_t cursor,
                    char ***matches, size_t *start, size_t *end);

/* Text describing the name at cursor (its declaration, the cell that
 * defined it, a variable's value), malloc'd, or NULL if nothing is known. */
char *engine_inspect(struct engine *e, const char *code, size_t cursor, int detail);

/* If code asks for help about a name ("?name", "??name" or "name?", as in
 * IPython; the name may go on with ".member", "->member" and "[index]"),
 * the name, malloc'd, and *detail (may be NULL) = 1 for the doubled form;
 * else NULL. Both front ends page engine_inspect's text for it. */
char *engine_help_name(const char *code, int *detail);

/* Frees a NULL-terminated array of strings. Accepts NULL. */
void engine_strv_free(char **v);

/* Times of the last cell that succeeded, in ns: compiling and linking it,
 * and running it (0 when it did not succeed). */
void engine_last_times(const struct engine *e, long long *compile_ns, long long *run_ns);

/* Process id of the executor (changes after every successful cell). */
pid_t engine_pid(const struct engine *e);

/* The name of a status, for messages and tests ("ok", "crashed", ...). */
const char *engine_status_name(enum engine_status st);

#endif
