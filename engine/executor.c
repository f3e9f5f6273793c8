/* executor.c — parc-engine, the process that holds a session. It reads
 * requests from the front end and runs each cell in a fork of itself: if
 * the cell succeeds, the fork becomes the executor and this process exits;
 * if it crashes, exits, is interrupted or runs too long, this process
 * reports why and carries on with the state from before the cell.
 *
 * File descriptors, set up by the front end (engine/client.c):
 *   0 /dev/null, 1 stdout pipe, 2 stderr pipe,
 *   3 requests (read), 4 events (write), 5 input answers (read);
 * main moves 3-5 up out of the cells' way (guard_high_fd). */
#include "crash.h"
#include "guard.h"
#include "events.h"
#include "input.h"
#include "cudatrace.h"
#include "gpusession.h"
#include "jit.h"
#include "magic.h"
#include "replay.h"
#include "openmp.h"
#include "timeit.h"
#include "timeline.h"
#include "intercept.h"
#include "introspect.h"
#include "session.h"
#include "spmd.h"
#include "pool.h"
#include "rtrace.h"
#include "split.h"
#include "textutil.h"
#include "util.h"
#include "wire.h"

#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define REQ_FD 3
#define EV_FD 4
#define IN_FD 5

/* How long an interrupted cell has to end after SIGINT before SIGKILL. */
#define INTERRUPT_GRACE_MS 300

/* How long a process may take to end after SIGKILL. One stuck in a
 * device driver may never end: the session carries on without it. */
#define KILL_WAIT_MS 5000

/* Set by SIGUSR1: the front end asks to interrupt the running cell. */
static volatile sig_atomic_t interrupt_requested;

static void on_interrupt_request(int sig)
{
    (void)sig;
    interrupt_requested = 1;
}

/* ------------------------------------------------------------------ */
/* Replies                                                             */
/* ------------------------------------------------------------------ */

static void send_done_times(struct session *s, const char *status, long long compile_ns, long long run_ns)
{
    char pid[32], c[32], r[32];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    snprintf(c, sizeof c, "%lld", compile_ns);
    snprintf(r, sizeof r, "%lld", run_ns);
    wire_sendv(s->ev_fd, EV_DONE, status, pid, c, r, NULL);
}

static void send_done(struct session *s, const char *status)
{
    send_done_times(s, status, 0, 0);
}

static void send_error(struct session *s, const char *ename, const char *evalue, const char *traceback)
{
    char *tb = xstrdup(traceback);
    size_t n = strlen(tb);
    while (n && tb[n - 1] == '\n')
        tb[--n] = 0;
    wire_sendv(s->ev_fd, EV_ERROR, ename, evalue, tb, NULL);
    free(tb);
}

static char *cell_name(int cell_no)
{
    return cell_no > 0 ? xasprintf("cell[%d]", cell_no) : xstrdup("the cell");
}

/* ------------------------------------------------------------------ */
/* The cell process                                                    */
/* ------------------------------------------------------------------ */

static void flush_all(void)
{
    fflush(NULL);
}

/* fork() as cells see it: stdio buffers are flushed first, so that output
 * printed before a fork is not printed again by the child; the child is a
 * lane of the cell's timeline. */
static pid_t cell_fork(void)
{
    if (guard_fork_allowed() < 0)
        return -1;
    return trace_fork(flush_all);
}

static int count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return 1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* Threads a cell leaves running would go on inside the session and race
 * with later cells. The session continues in a fork of this process, which
 * has only the calling thread; the process with the threads exits once the
 * fork has committed. Returns a fd to close after committing, or -1. */
static int shed_threads(int cell_no, int omp_workers)
{
    /* A thread that was just joined can stay listed in /proc/self/task for
     * a moment: pthread_join returns when the thread has cleared its tid,
     * before the kernel has reaped it. Threads that are really finishing
     * leave within a few milliseconds. libomp keeps its idle workers
     * (omp_workers of them): they are shed too, without a word. */
    int n = count_threads() - omp_workers;
    for (int tries = 0; n > 1 && tries < 50; tries++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
        n = count_threads() - omp_workers;
    }
    if (n <= 1 && !omp_workers)
        return -1;
    char *name = cell_name(cell_no);
    if (n > 1)
        fprintf(stderr,
                "parc: %d thread%s still running when %s ended: %s stopped. Join threads "
                "(pthread_join) before a cell ends.\n",
                n - 1, n - 1 == 1 ? " was" : "s were", name, n - 1 == 1 ? "it was" : "they were");
    free(name);
    fflush(NULL);
    int sync[2];
    if (pipe(sync) < 0)
        return -1;
    pid_t holder = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(sync[0]);
        close(sync[1]);
        return -1;
    }
    if (pid > 0) {
        /* Wait until the successor has committed (it closes its end). */
        char c;
        close(sync[1]);
        while (read(sync[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    /* The successor ends with the front end, as every process of the
     * session does (guard.h, WATCH_SIG). */
    guard_watch_parent(holder);
    close(sync[0]);
    return sync[1];
}

/* Task names in traces: the cell function at addr (rt_symbolize). */
static const struct jit *symbol_jit;

static const char *symbolize(const void *addr)
{
    for (size_t i = 0; i < symbol_jit->nsyms; i++)
        if (symbol_jit->syms[i].addr == addr)
            return symbol_jit->syms[i].name;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Cells in place (GPU sessions)                                       */
/* ------------------------------------------------------------------ */

/* A GPU runtime cannot cross fork (gpusession.h): once a cell has brought
 * one in, later cells run in the executor itself, and a watcher process
 * forked before each cell holds the session as it was, to report a crash
 * and carry on in its place (without the GPU's state). */

/* The commit pipe of the in-place cell running now, for its interrupt
 * handler. */
static volatile int in_place_commit_fd = -1;

/* SIGUSR1 during an in-place cell: the front end asks to interrupt it. The
 * cell cannot be stopped and rolled back inside this process: it tells the
 * watcher and ends, and the watcher carries on. */
static void on_in_place_interrupt(int sig)
{
    (void)sig;
    if (in_place_commit_fd >= 0)
        (void)!write(in_place_commit_fd, "I", 1);
    _exit(130);
}

/* The executor's signal dispositions between cells, on top of
 * guard_executor_state's. */
static void executor_signals(void)
{
    signal(SIGINT, SIG_IGN);
    struct sigaction sa = {0};
    sa.sa_handler = on_interrupt_request;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    guard_watch_handler();
}

/* The settings an in-place cell's magics may change before it fails to
 * compile (a forked cell's changes go with its process). */
struct settings {
    double time_limit;
    long long mem_limit, output_limit;
    long procs_limit;
    int replay_pending;
};

static void settings_save(const struct session *s, struct settings *t)
{
    *t = (struct settings){s->time_limit, s->mem_limit, s->output_limit, s->procs_limit, s->replay_pending};
}

/* An in-place cell that did not compile: its magics' settings and what
 * they may have done to the process are put back (as after every
 * in-place cell), and the executor carries on. */
static void in_place_restore(struct session *s, const struct settings *t, struct buf *err, char *name)
{
    s->time_limit = t->time_limit;
    s->mem_limit = t->mem_limit;
    s->output_limit = t->output_limit;
    s->procs_limit = t->procs_limit;
    s->replay_pending = t->replay_pending;
    buf_free(err);
    free(name);
    in_place_commit_fd = -1;
    rt_commit_fd = -1;
    struct buf why = {0};
    (void)guard_commit(&why); /* no code ran: the pipes are there */
    buf_free(&why);
    guard_executor_state();
    executor_signals();
    send_done(s, "compile_error");
}

/* After a cell's code: if it brought a GPU runtime into the process, later
 * cells run in place. Says so once. */
static void gpu_session_note(struct session *s)
{
    if (s->gpu_in_place || s->gpu_lost)
        return;
    const char *rt = gpu_session_runtime();
    if (!rt)
        return;
    s->gpu_in_place = 1;
    fprintf(stderr,
            "parc: this session now uses the GPU (%s). A GPU's state cannot be copied into a new process, so from "
            "now on cells run in place: a cell that crashes or is interrupted takes the GPU's state (device memory, "
            "kernels) with it, and %%replay then rebuilds the session by running its cells again.\n",
            rt);
    fflush(stderr);
}

/* ------------------------------------------------------------------ */
/* %replay                                                             */
/* ------------------------------------------------------------------ */

/* While %replay runs cells again, events go nowhere except the cell pids,
 * which go to the front end (on this fd) so that it sees the session
 * alive. */
static int replay_ev_fd = -1;

static int pid_events(const struct session *s)
{
    return replay_ev_fd >= 0 ? replay_ev_fd : s->ev_fd;
}

/* After the cell holding %replay committed: this process becomes a fresh
 * parc-engine that runs the session's cells again (replay_run). Returns
 * only if that cannot start. */
static void replay_exec(struct session *s, int cell_no)
{
    s->replay_pending = 0;
    char *path = replay_save(s);
    char num[32], front[32];
    snprintf(num, sizeof num, "%d", cell_no);
    snprintf(front, sizeof front, "%d", (int)guard_front_end());
    fflush(NULL);
    /* The new engine finds its pipes where the front end put them. */
    dup2(s->req_fd, REQ_FD);
    dup2(s->ev_fd, EV_FD);
    if (s->in_fd >= 0)
        dup2(s->in_fd, IN_FD);
    else
        close(IN_FD); /* not a cell's file taken for the input pipe */
    /* Nothing else passes into the fresh engine: the cells' files, and
     * the GPU's device files of a session that lost its GPU (whose driver
     * frees what they hold once the last copy is closed). Closed at exec,
     * so that the session is whole if exec fails. */
    close_range(6, ~0U, CLOSE_RANGE_CLOEXEC);
    /* exec() resets the handler of WATCH_SIG, and the previous executor
     * exits about now: its death must not end the new engine, which asks
     * for WATCH_SIG again (main). */
    prctl(PR_SET_PDEATHSIG, 0);
    if (path)
        execl("/proc/self/exe", "parc-engine", "--replay", path, num, front, (char *)NULL);
    fprintf(stderr, "parc: %%replay: cannot start a fresh session: %s\n", strerror(errno));
    if (path)
        unlink(path);
    free(path);
}

/* Before a cell that finished becomes the session (or, in place, before
 * the executor that ran it goes on): what it did to its process that
 * later cells must not inherit is undone (guard.c); a cell that cut
 * parc's pipes cannot be the session and ends, telling an in-place
 * cell's watcher why on commit_fd. Says on stderr how many fork() calls
 * the process limit refused. */
static void commit_checks(struct session *s, int cell_no, int commit_fd)
{
    struct buf why = {0};
    if (guard_commit(&why) < 0) {
        char mark = GUARD_PIPES_MARK;
        (void)!write(commit_fd, &mark, 1);
        _exit(GUARD_EXIT_PIPES);
    }
    buf_free(&why);
    int refused = guard_forks_refused();
    if (refused > 0) {
        char *name = cell_name(cell_no);
        fprintf(stderr, "parc: fork() failed %d time%s in %s: it reached its limit of %ld processes (%%limit procs).\n",
                refused, refused == 1 ? "" : "s", name, s->procs_limit);
        free(name);
        fflush(stderr);
    }
}

/* Calls a cell's code. Memory a cell allocates is the cell's, not parc's,
 * to free: scripts/lsan.supp tells LeakSanitizer so by the name
 * run_cell_code in the allocation's stack. The sanitizers' unwinder follows
 * frame pointers, and code built without them (clang -O2 cells) hides the
 * function that called it; so run_cell_code calls the cell through one
 * more function. Neither is inlined or ends in a tail call. */
__attribute__((noinline)) static void call_cell_entry(void (*entry)(void))
{
    entry();
    __asm__ volatile("" ::: "memory");
}

__attribute__((noinline)) static void run_cell_code(void (*entry)(void))
{
    call_cell_entry(entry);
    __asm__ volatile("" ::: "memory");
}

/* Compiles and runs the cell in this process: a fork of the executor,
 * whose pid is holder; or, in_place, the executor itself, holder being
 * the watcher. Returns only if the cell succeeded and should become the
 * session (or, in place, did not crash); otherwise exits. */
static void run_cell(struct session *s, int commit_fd, int cell_no, int rollback, int quiet, char *code,
                     int in_place, pid_t holder)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    struct jit_mark *mark = NULL;
    struct settings before;
    settings_save(s, &before);
    if (in_place) {
        in_place_commit_fd = commit_fd;
        struct sigaction ia = {0};
        ia.sa_handler = on_in_place_interrupt;
        sigaction(SIGUSR1, &ia, NULL);
        mark = jit_mark(s->jit);
    }
    signal(SIGPIPE, SIG_DFL);
    program_invocation_short_name = "parc";
    guard_cell_begin(s, holder);
    crash_install(commit_fd, s->jit, cell_no);
    rt_commit_fd = commit_fd;
    rt_install_stdin();
    timeline_cell_prepare(s);

    char *name = cell_name(cell_no);
    struct buf err = {0};
    if (s->notice) {
        fputs(s->notice, stderr);
        free(s->notice);
        s->notice = NULL;
    }
    session_apply_limits(s);
    int no_compile = 0;
    long long t0 = now_ns();
    char *expanded = magic_expand(s, code, cell_no, &err, &no_compile);
    if (!expanded) {
        const char *first = err.data ? err.data : "magic failed";
        const char *nl = strchr(first, '\n');
        char *evalue = nl ? xstrndup(first, (size_t)(nl - first)) : xstrdup(first);
        send_error(s, "UsageError", evalue, first);
        (void)!write(commit_fd, "E", 1);
        if (in_place) {
            free(evalue);
            jit_back_to(s->jit, mark);
            in_place_restore(s, &before, &err, name);
            return;
        }
        _exit(0);
    }
    session_apply_limits(s); /* the cell's own %limit mem applies to it */
    fflush(stdout);
    struct jit_cell cell = {0};
    int rc = no_compile ? 0 : jit_compile(s->jit, expanded, cell_no, quiet, &cell, &err);
    long long t1 = now_ns();
    magic_map_lines(s, cell_no > 0 ? name : "cell", &err);
    if (rc < 0) {
        const char *first = err.data ? err.data : "error";
        const char *nl = strchr(first, '\n');
        char *evalue = nl ? xstrndup(first, (size_t)(nl - first)) : xstrdup(first);
        send_error(s, "CompileError", evalue, err.data ? err.data : "");
        (void)!write(commit_fd, "E", 1);
        if (in_place) {
            free(evalue);
            free(expanded);
            jit_back_to(s->jit, mark);
            in_place_restore(s, &before, &err, name);
            return;
        }
        _exit(0);
    }
    if (err.len) {
        /* Warnings: the cell still runs. */
        fputs(err.data, stderr);
        fflush(stderr);
    }
    buf_free(&err);
    free(name);
    free(expanded); /* this process may become the executor: nothing may pile up */
    rt_compile_ns = t1 - t0;
    timeline_run_begin(s, cell_no);
    cudatrace_cell_begin();
    symbol_jit = s->jit;
    rt_symbolize = symbolize;
    openmp_cell_begin(s);
    if (cell.entry)
        run_cell_code(cell.entry);
    if (!guard_is_cell_process()) {
        /* A process the cell forked came back from the cell's code: it
         * ends here, as a program's child ends after main. */
        fflush(NULL);
        _exit(0);
    }
    int omp_workers = openmp_cell_end(s);
    cudatrace_cell_end(); /* the GPU's work goes on the timeline */
    rt_cell_end();
    rt_pools_cell_end(); /* pool workers stop before the cell commits */
    timeline_run_end(s, cell_no);
    fflush(NULL);
    long long t2 = now_ns();
    jit_mark_free(mark);
    if (rollback && !in_place) {
        (void)!write(commit_fd, "R", 1);
        _exit(0);
    }
    commit_checks(s, cell_no, commit_fd);
    gpu_session_note(s);
    if (s->gpu_in_place) {
        guard_keep_library_handlers(s->jit); /* the GPU runtime's, if it installed any */
        gpu_session_guard_exit();
    }
    s->history = xrealloc(s->history, (s->nhistory + 1) * sizeof *s->history);
    s->history_cells = xrealloc(s->history_cells, (s->nhistory + 1) * sizeof *s->history_cells);
    s->history_cells[s->nhistory] = cell_no;
    s->history[s->nhistory++] = xstrdup(code);
    int sync = s->gpu_in_place ? -1 : shed_threads(cell_no, omp_workers);
    signal(SIGPIPE, SIG_IGN); /* a cell may have killed the executor: carry on without it */
    (void)!write(commit_fd, "C", 1);
    close(commit_fd);
    rt_commit_fd = -1;
    if (sync >= 0)
        close(sync);
    if (s->replay_pending)
        replay_exec(s, cell_no);
    /* The executor's state and handlers before the front end learns its
     * pid (in the done event): an interrupt sent at once must not find
     * SIGUSR1 at its default action, which would end the session. */
    guard_executor_state();
    executor_signals();
    send_done_times(s, "ok", t1 - t0, t2 - t1);
}

/* ------------------------------------------------------------------ */
/* Supervising a cell                                                  */
/* ------------------------------------------------------------------ */

struct outcome {
    int committed, rolled_back, reported;
    int timed_out, interrupted;
    int pipes_cut; /* an in-place cell closed parc's pipes (GUARD_PIPES_MARK) */
    int stuck;     /* it did not end within KILL_WAIT_MS of SIGKILL, and was left */
    int crashing;  /* its crash handler started ('S', then 'X' and the place) */
    int status; /* from waitpid */
    long maxrss_kb; /* the cell process's peak resident memory */
    double time_limit; /* the session's, or what the cell's %limit time set */
    char where[512];
    char exec_path[512]; /* the program the cell process exec'd, if it did */
};

static int pidfd_open(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Reads what the cell wrote on the commit pipe. */
static void read_commit(int fd, struct outcome *o)
{
    char buf[512];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf - 1)) > 0) {
        buf[n] = 0;
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == 'C')
                o->committed = 1;
            else if (buf[i] == 'R')
                o->rolled_back = 1;
            else if (buf[i] == 'E')
                o->reported = 1;
            else if (buf[i] == 'I')
                o->interrupted = 1; /* an in-place cell's own interrupt handler */
            else if (buf[i] == GUARD_PIPES_MARK)
                o->pipes_cut = 1;
            else if (buf[i] == 'S')
                o->crashing = 1;
            else if (buf[i] == 'F')
                o->reported = 2; /* a failure the runtime reported (rt_cell_fail) */
            else if (buf[i] == 'T') {
                o->time_limit = atof(buf + i + 1); /* %limit time in the cell itself */
                i += (ssize_t)strlen(buf + i + 1);
            } else if (buf[i] == GUARD_EXEC_MARK) {
                snprintf(o->exec_path, sizeof o->exec_path, "%s", buf + i + 1);
                i += (ssize_t)strlen(buf + i + 1);
            }
            else if (buf[i] == 'X') {
                snprintf(o->where, sizeof o->where, "%s", buf + i + 1);
                break;
            }
        }
    }
}

/* Sends sig to the cell's process group, and to the cell process itself in
 * case it left the group (setsid, setpgid). */
static void signal_cell(pid_t pid, int sig)
{
    killpg(pid, sig);
    kill(pid, sig);
}

/* Waits for the cell process pid to commit or end, enforcing the time limit
 * and interrupt requests. Fills o; kills the cell's process group at the
 * end unless it committed. */
static void supervise(struct session *s, pid_t pid, int commit_fd, struct outcome *o)
{
    memset(o, 0, sizeof *o);
    o->time_limit = s->time_limit;
    int pfd = pidfd_open(pid);
    fcntl(commit_fd, F_SETFL, O_NONBLOCK);
    long long start = now_ns(), kill_at = 0, killed_at = 0;
    int ended = 0, commit_open = 1;
    while (!ended) {
        struct pollfd p[3] = {{commit_open ? commit_fd : -1, POLLIN, 0}, {s->req_fd, 0, 0}, {pfd, POLLIN, 0}};
        int r = poll(p, pfd >= 0 ? 3 : 2, 50);
        if (r < 0 && errno != EINTR)
            break;
        if (p[0].revents & (POLLIN | POLLHUP)) {
            read_commit(commit_fd, o);
            if (o->committed)
                _exit(0); /* the cell is the session now */
            /* A cell that closed the pipe's end runs on: only the pidfd
             * tells when it ends (and poll must not return at once). */
            if (!(p[0].revents & POLLIN))
                commit_open = 0;
        }
        if (p[1].revents & (POLLHUP | POLLERR)) {
            /* The front end is gone: end the cell and the session. */
            signal_cell(pid, SIGKILL);
            _exit(0);
        }
        if (pfd < 0 || (p[2].revents & POLLIN)) {
            struct rusage ru;
            pid_t w = wait4(pid, &o->status, pfd < 0 ? 0 : WNOHANG, &ru);
            if (w == pid)
                o->maxrss_kb = ru.ru_maxrss;
            if (w == pid || (w < 0 && errno == ECHILD))
                ended = 1;
        }
        long long now = now_ns();
        if (interrupt_requested && !o->interrupted) {
            interrupt_requested = 0;
            o->interrupted = 1;
            signal_cell(pid, SIGINT);
            kill_at = now + INTERRUPT_GRACE_MS * 1000000LL;
        }
        if (!o->interrupted && !o->timed_out && o->time_limit > 0 &&
            now - start > (long long)(o->time_limit * 1e9)) {
            o->timed_out = 1;
            signal_cell(pid, SIGKILL);
            killed_at = now;
        }
        if (kill_at && now > kill_at) {
            signal_cell(pid, SIGKILL);
            kill_at = 0;
            killed_at = now;
        }
        if (!ended && killed_at && now - killed_at > KILL_WAIT_MS * 1000000LL) {
            o->stuck = 1;
            break;
        }
    }
    read_commit(commit_fd, o);
    if (o->committed)
        _exit(0);
    killpg(pid, SIGKILL); /* children the cell left behind (the cell itself is reaped) */
    if (pfd >= 0)
        close(pfd);
}

/* "300 MB", "4 GB", "1.5 GB". */
static void format_size(char *out, size_t n, long long bytes)
{
    if (bytes >= (1LL << 30))
        snprintf(out, n, "%.3g GB", (double)bytes / (double)(1LL << 30));
    else
        snprintf(out, n, "%.3g MB", (double)bytes / (double)(1LL << 20));
}

/* Adds to a failed cell's message (before its " — " tail) what limits it
 * ran into: fork() calls refused by %limit procs, memory near %limit mem.
 * Takes and returns the malloc'd message. */
static char *add_notes(const struct session *s, const struct outcome *o, char *evalue)
{
    struct buf notes = {0};
    int refused = guard_forks_refused();
    if (refused > 0)
        buf_printf(&notes, "; fork() failed %d time%s: the cell reached its limit of %ld processes (%%limit procs)",
                   refused, refused == 1 ? "" : "s", s->procs_limit);
    long long used = (long long)o->maxrss_kb * 1024;
    if (s->mem_limit > 0 && used >= s->mem_limit / 10 * 7 && !o->interrupted && !o->timed_out) {
        char a[32], b[32];
        format_size(a, sizeof a, used);
        format_size(b, sizeof b, s->mem_limit);
        buf_printf(&notes, "; it had used %s of its memory limit of %s (%%limit mem), so an allocation probably failed "
                   "(malloc returned NULL)", a, b);
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (WIFSIGNALED(o->status) && WTERMSIG(o->status) == SIGKILL && !o->interrupted && !o->timed_out &&
        pages > 0 && page > 0 && used > (long long)pages * page / 2) {
        char a[32];
        format_size(a, sizeof a, used);
        buf_printf(&notes, "; it had used %s, so the system's out-of-memory killer probably ended it "
                   "(%%limit mem stops a cell before that)", a);
    }
    if (!notes.len)
        return evalue;
    const char *dash = strstr(evalue, " — ");
    size_t head = dash ? (size_t)(dash - evalue) : strlen(evalue);
    char *r = xasprintf("%.*s%s%s", (int)head, evalue, notes.data, evalue + head);
    buf_free(&notes);
    free(evalue);
    return r;
}

/* Tells the front end how the cell ended when it did not succeed. */
static void report(struct session *s, int cell_no, const struct outcome *o)
{
    char *name = cell_name(cell_no);
    char *tail = cell_no > 0 ? xasprintf("the session is as it was before %s.", name)
                             : xstrdup("the session is as it was before it.");
    const char *status = "crashed";
    char *ename = NULL, *evalue = NULL;
    if (o->rolled_back && WIFEXITED(o->status) && WEXITSTATUS(o->status) == 0) {
        send_done(s, "ok");
        goto out;
    }
    if (o->reported) {
        send_done(s, o->reported == 2 ? "crashed" : "compile_error");
        goto out;
    }
    if (o->timed_out) {
        status = "timeout";
        ename = xstrdup("TimeoutError");
        evalue = xasprintf("%s stopped: it ran longer than the time limit of %g s (%%limit time) — %s", name,
                           o->time_limit, tail);
    } else if (o->interrupted) {
        status = "interrupted";
        ename = xstrdup("KeyboardInterrupt");
        evalue = xasprintf("%s interrupted — %s", name, tail);
    } else if (o->exec_path[0] && (WIFEXITED(o->status) || WIFSIGNALED(o->status))) {
        status = "exited";
        ename = xstrdup("SystemExit");
        char how[128];
        if (WIFEXITED(o->status))
            snprintf(how, sizeof how, "exit status %d", WEXITSTATUS(o->status));
        else
            snprintf(how, sizeof how, "%s", crash_signal_name(WTERMSIG(o->status)));
        evalue = xasprintf("%s replaced its process with %s (exec), which ended with %s — %s", name, o->exec_path,
                           how, tail);
    } else if (WIFEXITED(o->status) && WEXITSTATUS(o->status) == GUARD_EXIT_PIPES) {
        ename = xstrdup("Crash");
        evalue = xasprintf("%s closed or replaced the file descriptors parc uses to talk to the front end, so it "
                           "cannot become the session — %s",
                           name, tail);
    } else if (WIFEXITED(o->status)) {
        status = "exited";
        ename = xstrdup("SystemExit");
        evalue = xasprintf("%s ended its process with exit status %d (exit() or _exit() in a cell ends only "
                           "that cell) — %s",
                           name, WEXITSTATUS(o->status), tail);
    } else if (WIFSIGNALED(o->status)) {
        int sig = WTERMSIG(o->status);
        ename = xstrdup(sig == SIGSEGV ? "SegmentationFault" : "Crash");
        if (o->where[0])
            evalue = xasprintf("%s crashed: %s %s — %s", name, crash_signal_name(sig), o->where, tail);
        else
            evalue = xasprintf("%s crashed: %s — %s", name, crash_signal_name(sig), tail);
    } else {
        ename = xstrdup("Crash");
        evalue = xasprintf("%s ended abnormally — %s", name, tail);
    }
    evalue = add_notes(s, o, evalue);
    if (o->stuck) {
        char *why = xasprintf("%s (%s's process did not end within %d s of being killed, probably stuck in a "
                              "device driver: it is left behind)",
                              evalue, name, KILL_WAIT_MS / 1000);
        free(evalue);
        evalue = why;
    }
    send_error(s, ename, evalue, evalue);
    send_done(s, status);
out:
    free(ename);
    free(evalue);
    free(tail);
    free(name);
}

/* The watcher took over from the executor that ran cell_no in place and
 * died: tells the front end how, as the new executor. */
static void report_in_place(struct session *s, int cell_no, const struct outcome *o)
{
    char *name = cell_name(cell_no);
    char *tail = xasprintf("the session is as it was before %s, but without the GPU's state (device memory, "
                           "kernels), which cannot outlive its process: %%replay rebuilds it by running the "
                           "session's cells again.",
                           name);
    const char *status = "crashed", *ename = "Crash";
    char *evalue;
    if (o->timed_out) {
        status = "timeout";
        ename = "TimeoutError";
        evalue = xasprintf("%s stopped: it ran longer than the time limit of %g s (%%limit time) — %s", name,
                           o->time_limit, tail);
    } else if (o->interrupted) {
        status = "interrupted";
        ename = "KeyboardInterrupt";
        evalue = xasprintf("%s interrupted — %s", name, tail);
    } else if (o->pipes_cut) {
        evalue = xasprintf("%s closed or replaced the file descriptors parc uses to talk to the front end, so the "
                           "session's process could not go on — %s",
                           name, tail);
    } else if (o->exec_path[0]) {
        status = "exited";
        ename = "SystemExit";
        evalue = xasprintf("%s replaced the session's process with %s (exec) — %s", name, o->exec_path, tail);
    } else if (o->where[0]) {
        evalue = xasprintf("%s crashed %s — %s", name, o->where, tail);
    } else if (o->crashing) {
        evalue = xasprintf("%s crashed — %s", name, tail);
    } else {
        status = "exited";
        ename = "SystemExit";
        evalue = xasprintf("%s ended the session's process (exit(), _exit(), a signal, or closing the file "
                           "descriptors parc uses) — %s",
                           name, tail);
    }
    if (o->stuck) {
        char *why = xasprintf("%s (the GPU session's process did not end within %d s of being killed, probably "
                              "stuck in the GPU driver: it is left behind)",
                              evalue, KILL_WAIT_MS / 1000);
        free(evalue);
        evalue = why;
    }
    send_error(s, ename, evalue, evalue);
    send_done(s, status);
    free(evalue);
    free(tail);
    free(name);
}

/* In the watcher that takes over from an executor that died in a GPU
 * session: the GPU's device files it inherited (/dev/nvidia*) are
 * closed, so that the driver frees what the dead executor held on the
 * device; this process never uses them (cudadev.h). */
static void close_gpu_files(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char path[300], target[256];
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = 0;
        if (!strncmp(target, "/dev/nvidia", 11))
            close(atoi(e->d_name));
    }
    closedir(d);
}

/* The watcher of an in-place cell run by the executor exec: returns only
 * if the executor died, this process being the executor then; exits if
 * the cell committed or did not compile, or the front end is gone. */
static void watch_in_place(struct session *s, pid_t exec, int commit_fd, int cell_no)
{
    struct outcome o;
    memset(&o, 0, sizeof o);
    o.time_limit = s->time_limit;
    int pfd = pidfd_open(exec);
    /* read_commit reads all there is, then returns: the cell writes its
     * time limit, then runs on. */
    fcntl(commit_fd, F_SETFL, O_NONBLOCK);
    long long start = now_ns(), crashed_at = 0, killed_at = 0;
    int ended = 0, commit_open = 1;
    while (!ended) {
        struct pollfd p[3] = {{commit_open ? commit_fd : -1, POLLIN, 0}, {s->req_fd, 0, 0}, {pfd, POLLIN, 0}};
        int r = poll(p, pfd >= 0 ? 3 : 2, 50);
        if (r < 0 && errno != EINTR)
            break;
        if (p[0].revents & (POLLIN | POLLHUP)) {
            read_commit(commit_fd, &o);
            if (o.committed || o.reported)
                _exit(0);
            /* A cell that closed the pipe's end runs on: only the pidfd
             * tells when it ends (and poll must not return at once). */
            if (!(p[0].revents & POLLIN))
                commit_open = 0;
        }
        /* A crash handler stuck behind a lock a GPU runtime's thread held
         * (dladdr's, while a thread loads a library) must not keep the
         * session waiting. */
        if ((o.crashing || o.where[0]) && !crashed_at)
            crashed_at = now_ns();
        if (crashed_at && now_ns() - crashed_at > 2000000000LL && !killed_at) {
            kill(exec, SIGKILL);
            killed_at = now_ns();
        }
        if (p[1].revents & (POLLHUP | POLLERR)) {
            /* The front end is gone: so is the session. */
            killpg(exec, SIGKILL);
            kill(exec, SIGKILL);
            _exit(0);
        }
        if ((pfd >= 0 && (p[2].revents & POLLIN)) || (pfd < 0 && kill(exec, 0) < 0))
            ended = 1;
        if (!o.timed_out && o.time_limit > 0 && now_ns() - start > (long long)(o.time_limit * 1e9)) {
            o.timed_out = 1;
            killpg(exec, SIGKILL);
            kill(exec, SIGKILL);
            killed_at = now_ns();
        }
        /* An executor stuck in the GPU driver may never end; killed, it
         * runs no more code: carry on without it. */
        if (!ended && killed_at && now_ns() - killed_at > KILL_WAIT_MS * 1000000LL) {
            o.stuck = 1;
            break;
        }
    }
    read_commit(commit_fd, &o);
    if (o.committed)
        _exit(0);
    killpg(exec, SIGKILL); /* processes the cell left behind */
    if (pfd >= 0)
        close(pfd);
    s->gpu_in_place = 0;
    s->gpu_lost = 1;
    report_in_place(s, cell_no, &o);
    close_gpu_files(); /* after the report: the driver's clean-up may take a moment */
}

/* How long the executor waits for the watcher of an in-place cell to
 * start: its first fork runs the GPU runtime's fork handlers, which
 * could block. */
#define WATCHER_START_MS 10000

/* Reads n bytes from fd within ms milliseconds: 0, or -1. */
static int read_within(int fd, void *p, size_t n, int ms)
{
    long long end = now_ns() + (long long)ms * 1000000;
    size_t got = 0;
    while (got < n) {
        long long left = (end - now_ns()) / 1000000;
        struct pollfd pf = {fd, POLLIN, 0};
        int r = poll(&pf, 1, left > 0 ? (int)left : 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        ssize_t k = read(fd, (char *)p + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return 0;
}

/* Starts the watcher of an in-place cell (watch_in_place) on the read end
 * of the commit pipe cp; returns its pid in this process, -1 if it did
 * not start in time, and returns only when this process is the executor
 * (the watcher that took over returns 0 with *took_over set). */
static pid_t start_watcher(struct session *s, int cp[2], int cell_no, int *took_over)
{
    int wp[2];
    *took_over = 0;
    if (pipe2(wp, O_CLOEXEC) < 0)
        return -1;
    pid_t exec = getpid();
    /* Forked twice: the watcher is no child of the cell, so that the cell's
     * wait() never sees it. The first fork (with fork handlers) leaves
     * malloc's locks usable in a process with one thread; the second, in
     * that process, skips the handlers: a GPU runtime's could wait for
     * locks that threads which did not come along held. */
    pid_t mid = fork();
    if (mid == 0) {
        pid_t parent = getpid();
        pid_t w = _Fork();
        if (w != 0)
            _exit(w < 0);
        close(cp[1]);
        close(wp[0]);
        setpgid(0, 0);
        guard_watch_parent(parent); /* it ends with the front end, as every process of the session */
        pid_t self = getpid();
        (void)!write(wp[1], &self, sizeof self);
        close(wp[1]);
        watch_in_place(s, exec, cp[0], cell_no);
        close(cp[0]);
        *took_over = 1;
        return 0; /* the executor died: this process is the executor now */
    }
    close(wp[1]);
    pid_t watcher = -1;
    if (mid > 0 && read_within(wp[0], &watcher, sizeof watcher, WATCHER_START_MS) < 0) {
        watcher = -1;
        kill(mid, SIGKILL);
        pid_t late = -1;
        if (read_within(wp[0], &late, sizeof late, 100) == 0 && late > 0)
            kill(late, SIGKILL); /* it started after all, too late */
    }
    close(wp[0]);
    /* The middle process exits at once; one stuck in a fork handler is
     * left behind (the guard ends it with the cell's processes). */
    if (mid > 0)
        guard_reap_within(mid, 2000);
    return watcher;
}

/* The pipe a cell's process reports its end on, at high descriptors;
 * -1 after telling the front end the cell could not start. */
static int commit_pipe(struct session *s, int cp[2])
{
    if (pipe2(cp, O_CLOEXEC) < 0) {
        send_error(s, "EngineError", "cannot create a pipe", "cannot create a pipe");
        send_done(s, "crashed");
        return -1;
    }
    cp[0] = guard_high_fd(cp[0]);
    cp[1] = guard_high_fd(cp[1]);
    return 0;
}

/* Runs one cell in this process, with a watcher (gpusession.h). */
static void execute_in_place(struct session *s, int cell_no, int rollback, int quiet, char *code)
{
    fflush(NULL);
    int cp[2];
    if (commit_pipe(s, cp) < 0)
        return;
    guard_cell_reset();
    int took_over;
    pid_t watcher = start_watcher(s, cp, cell_no, &took_over);
    if (took_over)
        return;
    close(cp[0]);
    if (watcher <= 0) {
        close(cp[1]);
        char *name = cell_name(cell_no);
        char *msg = xasprintf("%s did not run: the process that keeps the session safe while a cell runs in place "
                              "(a fork of this GPU session) could not be started within %d s. The session is as it "
                              "was; %%replay rebuilds it in a fresh process.",
                              name, WATCHER_START_MS / 1000);
        send_error(s, "EngineError", msg, msg);
        send_done(s, "crashed");
        free(msg);
        free(name);
        return;
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%d", (int)watcher); /* the front end sees the session alive through it */
    char limit[32];
    snprintf(limit, sizeof limit, "%lld", s->output_limit);
    wire_sendv(pid_events(s), EV_CELL_PID, buf, limit, NULL);
    interrupt_requested = 0;
    run_cell(s, cp[1], cell_no, rollback, quiet, code, 1, watcher);
    in_place_commit_fd = -1;
    close(cp[1]);
}

/* Runs one cell transactionally. Returns only in the process that is the
 * session afterwards. */
static void execute(struct session *s, int cell_no, int rollback, int quiet, char *code)
{
    if (s->gpu_in_place) {
        execute_in_place(s, cell_no, rollback, quiet, code);
        return;
    }
    fflush(NULL);
    int cp[2];
    if (commit_pipe(s, cp) < 0)
        return;
    interrupt_requested = 0;
    guard_cell_reset();
    pid_t executor = getpid();
    pid_t pid = session_fork(s);
    if (pid < 0) {
        close(cp[0]);
        close(cp[1]);
        send_error(s, "EngineError", "cannot fork the cell process", "cannot fork the cell process");
        send_done(s, "crashed");
        return;
    }
    if (pid == 0) {
        close(cp[0]);
        guard_watch_parent(executor);
        setpgid(0, 0);
        run_cell(s, cp[1], cell_no, rollback, quiet, code, 0, executor);
        return; /* committed: this process is the executor now */
    }
    setpgid(pid, pid);
    close(cp[1]);
    char buf[32];
    snprintf(buf, sizeof buf, "%d", (int)pid);
    char limit[32];
    snprintf(limit, sizeof limit, "%lld", s->output_limit);
    wire_sendv(pid_events(s), EV_CELL_PID, buf, limit, NULL);
    struct outcome o;
    supervise(s, pid, cp[0], &o);
    close(cp[0]);
    report(s, cell_no, &o);
}

/* ------------------------------------------------------------------ */
/* Other requests                                                      */
/* ------------------------------------------------------------------ */

static char *is_complete_child(struct session *s, const char *code)
{
    struct buf err = {0};
    int no_compile = 0;
    const char *p = code + strspn(code, " \t");
    if (*p == '%' && !strchr(p, '\n') && p[1] != '%')
        return xstrdup("complete"); /* a line magic alone */
    if (p[0] == '%' && p[1] == '%') {
        /* A cell magic's body ends with a blank line, as in IPython's
         * terminal; it is not run here (%%writefile would write). */
        size_t n = strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        return xstrdup(n >= 2 && p[n - 1] == '\n' && p[n - 2] == '\n' ? "complete" : "incomplete");
    }
    char *expanded = magic_expand(s, code, 0, &err, &no_compile);
    buf_free(&err);
    if (!expanded || no_compile) {
        free(expanded);
        return xstrdup("complete"); /* running it shows what is wrong */
    }
    int r = jit_is_complete(s->jit, expanded);
    free(expanded);
    return xstrdup(r == 0 ? "complete" : r == 1 ? "incomplete" : "invalid");
}

/* Indentation for the next line of an incomplete cell: four spaces per
 * open brace. */
static char *indent_for(const char *code)
{
    int depth = 0;
    for (const char *p = code; *p; p++)
        depth += *p == '{' ? 1 : *p == '}' ? -1 : 0;
    if (depth < 0)
        depth = 0;
    char *r = xmalloc((size_t)depth * 4 + 1);
    memset(r, ' ', (size_t)depth * 4);
    r[depth * 4] = 0;
    return r;
}

static void handle_is_complete(struct session *s, const char *code)
{
    char *r = introspect_in_fork(s, is_complete_child, code);
    const char *v = r ? r : "invalid";
    char *indent = !strcmp(v, "incomplete") ? indent_for(code) : xstrdup("");
    wire_sendv(s->ev_fd, EV_REPLY, v, indent, NULL);
    free(indent);
    free(r);
}

static void add_match(const char ***v, size_t *n, const char *cand, const char *prefix, size_t plen)
{
    if (strncmp(cand, prefix, plen))
        return;
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*v)[i], cand))
            return;
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = cand;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sends the members introspect_members found as the completion reply. */
static void reply_members(struct session *s, char **members, size_t start, size_t cursor)
{
    char a[32], b[32];
    snprintf(a, sizeof a, "%zu", start);
    snprintf(b, sizeof b, "%zu", cursor);
    size_t n = 0;
    while (members[n] && n + 2 < WIRE_MAX_FIELDS)
        n++;
    const char **f = xmalloc((n + 2) * sizeof *f);
    f[0] = a;
    f[1] = b;
    memcpy(f + 2, members, n * sizeof *f);
    wire_send(s->ev_fd, EV_REPLY, n + 2, f, NULL);
    free(f);
}

/* A magic's name: the first len bytes of its usage line. */
struct magic_name {
    const char *usage;
    size_t len;
};

static int cmp_magic_name(const void *a, const void *b)
{
    const struct magic_name *x = a, *y = b;
    int c = strncmp(x->usage, y->usage, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The names of the line magics (cell: the cell magics) that start with
 * prefix ("%ti"; for a cell magic the word after its first '%'), in
 * alphabetical order (the table is grouped by topic), each once: *v
 * points at their usage lines, whose first (*lens)[k] bytes are the name.
 * Returns how many; the caller frees *v and *lens. */
static size_t magic_matches(int cell, const char *prefix, const char ***v, size_t **lens)
{
    size_t plen = strlen(prefix), n = 0;
    struct magic_name *names = NULL;
    for (const struct magic *m = magic_table; m->name; m++) {
        /* m->name is preceded by '%' in the table's usage text. */
        struct magic_name nm = {m->usage + (m->cell ? 1 : 0), strlen(m->name) + 1};
        if (m->cell != cell || strncmp(nm.usage, prefix, plen) || plen > nm.len)
            continue;
        size_t k;
        for (k = 0; k < n && cmp_magic_name(&names[k], &nm); k++)
            ;
        if (k == n) {
            names = xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = nm;
        }
    }
    if (names)
        qsort(names, n, sizeof *names, cmp_magic_name);
    *v = n ? xmalloc(n * sizeof **v) : NULL;
    *lens = n ? xmalloc(n * sizeof **lens) : NULL;
    for (size_t k = 0; k < n; k++) {
        (*v)[k] = names[k].usage;
        (*lens)[k] = names[k].len;
    }
    free(names);
    return n;
}

static void handle_complete(struct session *s, const char *code, size_t cursor)
{
    size_t len = strlen(code);
    char **members = NULL;
    size_t mstart = 0;
    int nmembers = introspect_members(s, code, cursor, &members, &mstart);
    if (nmembers >= 0) {
        reply_members(s, members, mstart, cursor > len ? len : cursor);
        strv_free(members, (size_t)nmembers);
        return;
    }
    if (cursor > len)
        cursor = len;
    size_t start = cursor;
    while (start > 0 && text_word_char(code[start - 1]))
        start--;
    int magic = start > 0 && code[start - 1] == '%';
    if (magic)
        start--;
    char *prefix = xstrndup(code + start, cursor - start);
    size_t plen = strlen(prefix);
    const char **v = NULL;
    size_t n = 0, *lens = NULL; /* magic names are prefixes of usage lines */
    if (magic) {
        n = magic_matches(start > 0 && code[start - 1] == '%', prefix, &v, &lens);
    } else {
        struct jit *j = s->jit;
        for (size_t i = 0; i < j->ndecls; i++)
            if (j->decls[i].key && text_word_char(j->decls[i].key[0]))
                add_match(&v, &n, j->decls[i].key, prefix, plen);
        for (size_t i = 0; i < j->nsyms; i++)
            add_match(&v, &n, j->syms[i].name, prefix, plen);
        for (int i = 0; split_keywords[i]; i++)
            if (split_keywords[i][0] != '_')
                add_match(&v, &n, split_keywords[i], prefix, plen);
    }
    if (!magic && n)
        qsort(v, n, sizeof *v, cmp_str);
    char a[32], b[32];
    snprintf(a, sizeof a, "%zu", start);
    snprintf(b, sizeof b, "%zu", cursor);
    const char **f = xmalloc((n + 2) * sizeof *f);
    f[0] = a;
    f[1] = b;
    size_t *l = xmalloc((n + 2) * sizeof *l);
    l[0] = l[1] = (size_t)-1;
    for (size_t i = 0; i < n && i < WIRE_MAX_FIELDS - 2; i++) {
        f[i + 2] = v[i];
        l[i + 2] = lens ? lens[i] : (size_t)-1;
    }
    wire_send(s->ev_fd, EV_REPLY, n + 2 < WIRE_MAX_FIELDS ? n + 2 : WIRE_MAX_FIELDS, f, l);
    free(f);
    free(l);
    free(lens);
    free(v);
    free(prefix);
}

static void handle_inspect(struct session *s, const char *code, size_t cursor, int detail)
{
    char *text = introspect_at(s, code, cursor, detail);
    wire_sendv(s->ev_fd, EV_REPLY, text ? text : "", NULL);
    free(text);
}

/* ------------------------------------------------------------------ */
/* Start                                                               */
/* ------------------------------------------------------------------ */

static const char *runtime_include(void)
{
    const char *env = getenv("PARC_INCLUDE");
    if (env && *env)
        return env;
    struct stat st;
    if (stat(PARC_SOURCE_INCLUDE "/parc.h", &st) == 0)
        return PARC_SOURCE_INCLUDE;
    return PARC_DATADIR "/include";
}

/* A session's empty jit, its prelude built (at start and for %reset). */
static struct jit *new_jit(struct buf *err)
{
    struct jit *j = jit_new(runtime_include());
    if (jit_prepare(j, err) < 0) {
        jit_free(j);
        return NULL;
    }
    jit_define(j, "fork", (void *)cell_fork);
    guard_install(j);
    spmd_install(j);
    openmp_install(j);
    struct stat st;
    const char *omp = stat(PARC_OMP_INCLUDE_BUILD "/omp.h", &st) == 0 ? PARC_OMP_INCLUDE_BUILD : PARC_OMP_INCLUDE;
    j->omp_include = stat(PARC_OMP_H, &st) == 0 ? xstrdup(omp) : NULL;
    return j;
}

/* The start of an engine exec'd by %replay: runs the cells saved in path
 * again, their output and events thrown away, then says how it went and
 * answers the %replay cell. */
static void replay_run(struct session *s, const char *path)
{
    char **codes = NULL;
    int *cells = NULL;
    size_t n = 0;
    if (replay_load(path, &codes, &cells, &n) < 0)
        fprintf(stderr, "parc: %%replay: the saved cells cannot be read\n");
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    int out = dup(1), err = dup(2), ev = s->ev_fd;
    fflush(NULL);
    dup2(null, 1);
    dup2(null, 2);
    guard_init(s->req_fd, ev, s->in_fd); /* the replayed cells' standard output is /dev/null */
    replay_ev_fd = ev;
    s->ev_fd = null;
    rt_event_fd = -1;
    size_t done = 0;
    for (; done < n; done++) {
        size_t before = s->nhistory;
        execute(s, cells[done], 0, 1, codes[done]);
        if (s->nhistory == before)
            break;
    }
    fflush(NULL);
    dup2(out, 1);
    dup2(err, 2);
    close(out);
    close(err);
    close(null);
    guard_init(s->req_fd, ev, s->in_fd);
    s->ev_fd = ev;
    rt_event_fd = ev;
    replay_ev_fd = -1;
    if (done == n)
        printf("parc: %%replay ran %zu cell%s again: the session is rebuilt.\n", n, n == 1 ? "" : "s");
    else
        printf("parc: %%replay stopped at cell[%d], which failed when run again (run its code to see why); the "
               "session holds the %zu cell%s before it.\n",
               cells[done], done, done == 1 ? "" : "s");
    fflush(stdout);
    for (size_t i = 0; i < n; i++)
        free(codes[i]);
    free(codes);
    free(cells);
    send_done(s, "ok");
}

int main(int argc, char **argv)
{
    /* parc-engine --replay FILE CELL FRONT_END_PID: started by %replay. */
    const char *replay = argc == 5 && !strcmp(argv[1], "--replay") ? argv[2] : NULL;
    if (replay)
        guard_set_front_end((pid_t)atoi(argv[4]));
    /* Static: the session stays reachable until the process ends, so
     * that LeakSanitizer reports only what nothing points to. */
    static struct session s;
    struct buf lerr = {0};
    if (session_default_limits(&s, &lerr) < 0)
        s.notice = buf_take(&lerr);
    buf_free(&lerr);
    s.req_fd = REQ_FD;
    s.ev_fd = EV_FD;
    s.in_fd = IN_FD;
    if (fcntl(REQ_FD, F_GETFD) < 0 || fcntl(EV_FD, F_GETFD) < 0) {
        fprintf(stderr, "parc-engine: this program is started by parc and parc-kernel, not by hand.\n");
        return 2;
    }
    /* The pipes go up out of the cell's way (guard_high_fd); fds 3-5 are
     * free for the cell's own files. */
    s.req_fd = guard_high_fd(REQ_FD);
    s.ev_fd = guard_high_fd(EV_FD);
    s.in_fd = fcntl(IN_FD, F_GETFD) < 0 ? -1 : guard_high_fd(IN_FD);
    rt_event_fd = s.ev_fd;
    rt_input_fd = s.in_fd;
    guard_init(s.req_fd, s.ev_fd, s.in_fd);
    setsid();
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {0};
    sa.sa_handler = on_interrupt_request;
    sigaction(SIGUSR1, &sa, NULL);
    guard_watch_handler();
    if (!replay)
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* the first executor dies with its front end */
    else
        guard_watch_parent(getppid()); /* the executor it replaces, or the front end: it dies with the front end */
    setvbuf(stdout, NULL, _IOLBF, 0);

    struct buf err = {0};
    s.new_jit = new_jit;
    if (jit_load_library("m", &err) < 0 || !(s.jit = new_jit(&err))) {
        wire_sendv(s.ev_fd, EV_READY, "0", err.data ? err.data : "cannot start", NULL);
        return 1;
    }

    if (replay) {
        replay_run(&s, replay);
    } else {
        char pid[32];
        snprintf(pid, sizeof pid, "%d", (int)getpid());
        wire_sendv(s.ev_fd, EV_READY, pid, NULL);
    }

    for (;;) {
        struct frame f;
        if (wire_recv(s.req_fd, &f) < 0)
            break;
        switch (f.type) {
        case REQ_EXECUTE:
            if (f.nfield == 3) {
                int flags = atoi(f.field[1]);
                execute(&s, atoi(f.field[0]), flags & 1, flags & 2, (char *)f.field[2]);
            }
            break;
        case REQ_IS_COMPLETE:
            if (f.nfield == 1)
                handle_is_complete(&s, f.field[0]);
            break;
        case REQ_COMPLETE:
            if (f.nfield == 2)
                handle_complete(&s, f.field[0], (size_t)atol(f.field[1]));
            break;
        case REQ_INSPECT:
            if (f.nfield >= 2)
                handle_inspect(&s, f.field[0], (size_t)atol(f.field[1]), f.nfield >= 3 ? atoi(f.field[2]) : 0);
            break;
        case REQ_SHUTDOWN:
            frame_free(&f);
            return 0;
        }
        frame_free(&f);
    }
    return 0;
}
