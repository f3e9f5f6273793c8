/* guard.h — what a cell may break in its own process that must not pass
 * into the session: the standard file descriptors and stdio buffers, the
 * session's pipes, signal dispositions and masks, timers and resource
 * limits; killing the processes that hold the session; more processes
 * than its limit; exec() of another program; in place (GPU sessions),
 * the interrupt signal. The executor calls these hooks around each cell
 * (engine/executor.c). */
#ifndef PARC_GUARD_H
#define PARC_GUARD_H

#include <signal.h>
#include <sys/types.h>

struct buf;
struct jit;
struct session;

/* Moves fd up to a high number (close-on-exec), out of the way of the
 * files a cell opens (its first open() gives 3, as in a program of its
 * own) and of loops over small fds. Returns the new fd (fd itself if it
 * cannot be moved). */
int guard_high_fd(int fd);

/* At the executor's start, its pipes moved up: remembers fds 0-2 and the
 * pipes, keeps copies of fds 1 and 2, and maps the counters a cell's
 * processes share. */
void guard_init(int req_fd, int ev_fd, int in_fd);

/* Makes cells link against the guarded kill, killpg, exec, command and
 * signal functions. */
void guard_install(struct jit *j);

/* In the executor, before forking a cell: clears the shared counters. */
void guard_cell_reset(void);

/* In the process that runs the cell, first thing: records it as the cell
 * process and holder as the process holding the session as it was before
 * the cell (its parent, the previous executor; or, for a cell run in
 * place in a GPU session, the watcher); s gives the limits. */
void guard_cell_begin(const struct session *s, pid_t holder);

/* Whether this process is the cell process itself (not a process the
 * cell forked). */
int guard_is_cell_process(void);

/* Called by the cells' fork() before forking: 0 if the cell may have one
 * more process, else -1 with errno EAGAIN (the refusal is counted). */
int guard_fork_allowed(void);

/* fork() calls refused in the current cell so far. */
int guard_forks_refused(void);

/* Bounded waits on the executor's own children (a fork of a GPU process
 * may block in the runtime's fork handlers or its driver, for ever).
 * guard_reap_within reaps child pid if it ends within ms milliseconds:
 * 0, or -1 (it is left). guard_read_all_within appends what fd gives to
 * b until its end, within ms: 0, or -1 if the time ran out (b holds what
 * came; the caller frees it). */
int guard_reap_within(pid_t pid, int ms);
int guard_read_all_within(int fd, struct buf *b, int ms);

/* In the cell process after its code, stdio flushed, before it commits:
 * puts back fds 0-2 and stdio buffering, ends processes the cell left
 * in its process group. Returns 0, or -1 with a sentence in why when the
 * session's own pipes were closed or replaced (the cell must not commit). */
int guard_commit(struct buf *why);

/* In the process that has just become the executor, or that ran a cell
 * in place: signal dispositions to defaults (the executor's own are set
 * by the caller after) or to the handlers libraries installed
 * (guard_keep_library_handlers), an empty signal mask, no timers (the
 * POSIX timers the cell created included), the resource limits from the
 * executor's start, no child subreaper. */
void guard_executor_state(void);

/* In a GPU session, after a cell's code ran: the signal handlers that
 * libraries installed meanwhile (a GPU runtime starting, and what it
 * loads) belong to the session from now on, and guard_executor_state
 * keeps them; handlers in cell code (of j), SIG_IGN and SIG_DFL a cell
 * set are put back as before. */
void guard_keep_library_handlers(const struct jit *j);

/* The signal a cell process gets when its parent dies (SIGRTMAX - 2). */
#define WATCH_SIG (SIGRTMAX - 2)
/* Installs the executor's handler for WATCH_SIG: a process whose parent
 * died ends unless the front end is its parent now. guard_executor_state
 * leaves it in place. */
void guard_watch_handler(void);
/* In a new process of the session (a cell process, the watcher of an
 * in-place cell, the successor of a cell that left threads running),
 * forked by parent: asks for WATCH_SIG when its parent dies, which ends
 * it unless the front end is its parent then (ending at once if both
 * have died already). */
void guard_watch_parent(pid_t parent);
/* The front end's pid: the executor's parent at its first guard_init,
 * unless guard_set_front_end said so before (an engine exec'd by
 * %replay, whose parent may still be the executor before it). */
pid_t guard_front_end(void);
void guard_set_front_end(pid_t pid);

/* The program the cell process exec'd, as it told the commit pipe
 * ("P" PATH "\0"); read by the executor. */
#define GUARD_EXEC_MARK 'P'

/* Exit status of a cell process that found the session's pipes broken;
 * an in-place cell writes GUARD_PIPES_MARK on the commit pipe first, for
 * its watcher. */
#define GUARD_EXIT_PIPES 251
#define GUARD_PIPES_MARK 'B'

#endif
