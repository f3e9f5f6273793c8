/* client.c — the front end's side of a session (see engine.h): starts
 * parc-engine with its pipes, sends requests, and turns what comes back on
 * the event, stdout and stderr pipes into events, in the order they were
 * produced. */
#include "engine.h"
#include "util.h"
#include "wire.h"

#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct engine {
    char *path;             /* parc-engine */
    int req, ev, in, out, err; /* our ends of the pipes */
    /* The executor now: engine_interrupt reads it from other threads and
     * signal handlers while engine_execute changes it. */
    _Atomic pid_t exec_pid;
    pid_t first_pid;           /* the one we started (our child) */
    pid_t cell_pid;
    long long compile_ns, run_ns; /* of the last cell */
    struct wire_reader evr;
    struct buf held_out, held_err; /* output that arrived between cells */
    /* The running cell's unfinished last stdout line, held back briefly:
     * if the cell asks for input now, it is the input's prompt. */
    struct buf partial;
    long long partial_ns; /* when it started to be held */
    /* Output per cell beyond out_limit bytes is dropped and counted. */
    long long out_limit, out_count, out_dropped;
};

/* The output limit until the executor names the session's (engine/session.c). */
#define DEFAULT_OUTPUT_LIMIT (10LL << 20)

/* How long an unfinished stdout line waits for an input request before it
 * is delivered as output. */
#define PARTIAL_HOLD_NS 30000000LL

/* ------------------------------------------------------------------ */
/* Starting                                                            */
/* ------------------------------------------------------------------ */

static char *find_engine(const struct engine_options *opt)
{
    if (opt && opt->engine_path)
        return xstrdup(opt->engine_path);
    const char *env = getenv("PARC_ENGINE");
    if (env && *env)
        return xstrdup(env);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = 0;
            const char *tries[] = {"%s/parc-engine", "%s/../parc-engine", "%s/../libexec/parc/parc-engine"};
            for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
                char *p = xasprintf(tries[i], self);
                if (access(p, X_OK) == 0)
                    return p;
                free(p);
            }
        }
    }
    return xstrdup(PARC_LIBEXECDIR "/parc-engine");
}

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* In the forked child: put the pipe ends on fds 0..5 and run the engine. */
static void exec_engine(const char *path, int fds[6])
{
    int high[6];
    for (int i = 0; i < 6; i++)
        high[i] = fcntl(fds[i], F_DUPFD, 10);
    for (int i = 0; i < 6; i++)
        dup2(high[i], i);
    DIR *d = opendir("/proc/self/fd");
    if (d) {
        int dfd = dirfd(d);
        struct dirent *e;
        while ((e = readdir(d))) {
            int fd = atoi(e->d_name);
            if (fd > 5 && fd != dfd)
                close(fd);
        }
        closedir(d);
    }
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execl(path, "parc-engine", (char *)NULL);
    dprintf(2, "parc: cannot run %s: %s\n", path, strerror(errno));
    _exit(127);
}

/* Waits up to ms for one event frame. 1 = got one, 0 = timeout, -1 = EOF. */
static int next_event(struct engine *e, struct frame *f, int ms)
{
    long long end = now_ns() + (long long)ms * 1000000LL;
    for (;;) {
        int r = wire_take(&e->evr, f);
        if (r != 0)
            return r;
        long long left = (end - now_ns()) / 1000000LL;
        if (left <= 0)
            return 0;
        struct pollfd p = {e->ev, POLLIN, 0};
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
            return -1;
        if (p.revents) {
            long n = wire_fill(&e->evr, e->ev);
            if (n == 0)
                return -1;
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                return -1;
        }
    }
}

struct engine *engine_start(const struct engine_options *opt, char *err, size_t errlen)
{
    struct engine *e = xcalloc(1, sizeof *e);
    e->path = find_engine(opt);
    int req[2], ev[2], in[2], out[2], er[2], nul;
    if (pipe2(req, O_CLOEXEC) || pipe2(ev, O_CLOEXEC) || pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
        pipe2(er, O_CLOEXEC) || (nul = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
        snprintf(err, errlen, "cannot create pipes: %s", strerror(errno));
        free(e->path);
        free(e);
        return NULL;
    }
    /* Orphaned processes of the session become ours, so engine_free can
     * find and end them all. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    signal(SIGPIPE, SIG_IGN);
    pid_t pid = fork();
    if (pid == 0) {
        int fds[6] = {nul, out[1], er[1], req[0], ev[1], in[0]};
        exec_engine(e->path, fds);
    }
    close(nul);
    close(req[0]);
    close(ev[1]);
    close(in[0]);
    close(out[1]);
    close(er[1]);
    e->req = req[1];
    e->ev = ev[0];
    e->in = in[1];
    e->out = out[0];
    e->err = er[0];
    set_nonblock(e->ev);
    set_nonblock(e->out);
    set_nonblock(e->err);
    e->first_pid = pid;
    atomic_store(&e->exec_pid, pid);
    e->out_limit = DEFAULT_OUTPUT_LIMIT;
    struct frame f;
    int r = pid > 0 ? next_event(e, &f, 30000) : -1;
    if (r == 1 && f.type == EV_READY && f.nfield >= 1 && atoi(f.field[0]) > 0) {
        atomic_store(&e->exec_pid, atoi(f.field[0]));
        frame_free(&f);
        return e;
    }
    if (r == 1 && f.type == EV_READY && f.nfield >= 2)
        snprintf(err, errlen, "the session could not start: %s", f.field[1]);
    else {
        char buf[512] = "";
        ssize_t n = read(e->err, buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = 0;
        snprintf(err, errlen, "the session could not start (%s)%s%s", e->path, buf[0] ? ": " : "", buf);
    }
    if (r == 1)
        frame_free(&f);
    engine_free(e);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Ending                                                              */
/* ------------------------------------------------------------------ */

/* Ends every child of this process (the session's processes are our
 * children or become so as their parents die) and reaps them. */
static void kill_children(void)
{
    for (int round = 0; round < 50; round++) {
        int found = 0;
        DIR *d = opendir("/proc");
        if (!d)
            return;
        struct dirent *de;
        pid_t self = getpid();
        while ((de = readdir(d))) {
            pid_t pid = atoi(de->d_name);
            if (pid <= 0)
                continue;
            char path[64], buf[512];
            snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
            FILE *f = fopen(path, "r");
            if (!f)
                continue;
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            fclose(f);
            buf[n] = 0;
            char *rp = strrchr(buf, ')');
            int ppid = 0;
            char st = 0;
            if (rp && sscanf(rp + 1, " %c %d", &st, &ppid) == 2 && ppid == self) {
                found = 1;
                kill(pid, SIGKILL);
            }
        }
        closedir(d);
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (!found)
            return;
        usleep(2000);
    }
}

static int alive(pid_t pid);

void engine_free(struct engine *e)
{
    if (!e)
        return;
    pid_t exec_pid = atomic_load(&e->exec_pid);
    if (e->req >= 0 && wire_sendv(e->req, REQ_SHUTDOWN, NULL) == 0 && e->cell_pid <= 0) {
        /* An idle executor ends by itself, returning from main (so that a
         * LeakSanitizer build checks it); it gets one second, then it is
         * killed like everything else of the session. */
        for (int i = 0; i < 200 && alive(exec_pid); i++)
            usleep(5000);
    }
    close(e->req);
    close(e->in);
    if (e->cell_pid > 0)
        kill(-e->cell_pid, SIGKILL);
    if (exec_pid > 0)
        kill(exec_pid, SIGKILL);
    kill_children();
    close(e->ev);
    close(e->out);
    close(e->err);
    wire_reader_free(&e->evr);
    buf_free(&e->held_out);
    buf_free(&e->held_err);
    buf_free(&e->partial);
    free(e->path);
    free(e);
}

/* ------------------------------------------------------------------ */
/* Events                                                              */
/* ------------------------------------------------------------------ */

static void emit_stream(const struct engine_exec *ex, enum engine_event_kind kind, const char *data, size_t len)
{
    if (!len || !ex || !ex->on_event)
        return;
    struct engine_event ev = {.kind = kind, .data = data, .len = len};
    ex->on_event(ex->ctx, &ev);
}

/* "12.3 MB" */
static void format_bytes(char *out, size_t n, long long bytes)
{
    if (bytes >= (1LL << 30))
        snprintf(out, n, "%.1f GB", (double)bytes / (double)(1LL << 30));
    else if (bytes >= (1LL << 20))
        snprintf(out, n, "%.1f MB", (double)bytes / (double)(1LL << 20));
    else
        snprintf(out, n, "%.1f KB", (double)bytes / 1024.0);
}

/* How much of data (room bytes allowed) to show before the cut: up to the
 * last newline in its last 4 KB; else nothing when room is that short (a
 * line begun), or up to a UTF-8 character's start (a very long line). */
static size_t cut_at(const char *data, size_t room)
{
    for (size_t i = room; i > 0 && room - i < 4096; i--)
        if (data[i - 1] == '\n')
            return i;
    if (room < 4096)
        return 0;
    while (room > 0 && ((unsigned char)data[room] & 0xC0) == 0x80)
        room--;
    return room;
}

/* Delivers output of the running cell up to the session's output limit;
 * beyond it, says once that output is being dropped and counts it. */
static void deliver_stream(struct engine *e, const struct engine_exec *ex, enum engine_event_kind kind,
                           const char *data, size_t len)
{
    if (!len || !ex || !ex->on_event)
        return;
    if (e->out_limit <= 0 || e->out_count + (long long)len <= e->out_limit) {
        e->out_count += (long long)len;
        emit_stream(ex, kind, data, len);
        return;
    }
    size_t room = e->out_count < e->out_limit ? (size_t)(e->out_limit - e->out_count) : 0;
    if (room)
        room = cut_at(data, room);
    emit_stream(ex, kind, data, room);
    e->out_count = e->out_limit;
    if (!e->out_dropped) {
        char lim[32];
        format_bytes(lim, sizeof lim, e->out_limit);
        char *msg = xasprintf("%s[parc: this cell's output reached the limit of %s (%%limit output): the rest "
                              "is not shown]\n",
                              room && data[room - 1] != '\n' ? "\n" : "", lim);
        emit_stream(ex, ENGINE_EV_STDERR, msg, strlen(msg));
        free(msg);
    }
    e->out_dropped += (long long)(len - room);
}

/* After the cell: how much output was dropped, and how to see it. */
static void report_dropped(struct engine *e, const struct engine_exec *ex)
{
    if (!e->out_dropped)
        return;
    char drop[32], lim[32];
    format_bytes(drop, sizeof drop, e->out_dropped);
    format_bytes(lim, sizeof lim, e->out_limit);
    char *msg = xasprintf("[parc: %s of output was not shown (limit %s per cell): %%limit output SIZE raises the "
                          "limit, %%limit output 0 removes it; or write large output to a file]\n",
                          drop, lim);
    emit_stream(ex, ENGINE_EV_STDERR, msg, strlen(msg));
    free(msg);
    e->out_dropped = 0;
}

/* Delivers the held-back unfinished stdout line, if any. */
static void release_partial(struct engine *e, const struct engine_exec *ex)
{
    if (e->partial.len && ex)
        deliver_stream(e, ex, ENGINE_EV_STDOUT, e->partial.data, e->partial.len);
    buf_reset(&e->partial);
}

/* Delivers n bytes of the running cell's stdout, all but an unfinished
 * last line, which waits in e->partial (see PARTIAL_HOLD_NS). */
static void deliver_stdout(struct engine *e, const struct engine_exec *ex, const char *data, size_t n)
{
    size_t keep = 0;
    while (keep < n && data[n - 1 - keep] != '\n')
        keep++;
    if (keep == n && e->partial.len + n <= 4096) {
        if (!e->partial.len)
            e->partial_ns = now_ns();
        buf_add(&e->partial, data, n);
        return;
    }
    if (keep > 4096)
        keep = 0; /* not a prompt: a long line going out in pieces */
    release_partial(e, ex);
    deliver_stream(e, ex, ENGINE_EV_STDOUT, data, n - keep);
    if (keep) {
        buf_add(&e->partial, data + n - keep, keep);
        e->partial_ns = now_ns();
    }
}

/* Reads what is waiting on fd and delivers it (or holds it when no cell
 * runs). Returns 0 at end of file, else 1. */
static int pump_stream(struct engine *e, int fd, const struct engine_exec *ex)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n > 0) {
            if (ex && fd == e->out)
                deliver_stdout(e, ex, buf, (size_t)n);
            else if (ex) {
                release_partial(e, ex); /* stdout printed before stays before */
                deliver_stream(e, ex, ENGINE_EV_STDERR, buf, (size_t)n);
            } else
                buf_add(fd == e->out ? &e->held_out : &e->held_err, buf, (size_t)n);
            continue;
        }
        if (n == 0)
            return 0;
        if (errno == EINTR)
            continue;
        return 1;
    }
}

static void deliver_bundle(const struct engine_exec *ex, enum engine_event_kind kind, const struct frame *f)
{
    if (f->nfield < 1 || !ex->on_event)
        return;
    size_t n = (f->nfield - 1) / 2;
    struct engine_mime *m = xcalloc(n + 1, sizeof *m);
    for (size_t i = 0; i < n; i++)
        m[i] = (struct engine_mime){f->field[1 + 2 * i], f->field[2 + 2 * i], f->flen[2 + 2 * i]};
    struct engine_event ev = {.kind = kind, .mime = m, .nmime = n, .display_id = f->field[0][0] ? f->field[0] : NULL};
    ex->on_event(ex->ctx, &ev);
    free(m);
}

static enum engine_status status_of(const char *s)
{
    static const char *const names[] = {"ok", "compile_error", "crashed", "exited", "interrupted", "timeout", "lost"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!strcmp(s, names[i]))
            return (enum engine_status)i;
    return ENGINE_CRASHED;
}

const char *engine_status_name(enum engine_status st)
{
    static const char *const names[] = {"ok", "compile_error", "crashed", "exited", "interrupted", "timeout", "lost"};
    return (unsigned)st < sizeof names / sizeof *names ? names[st] : "unknown";
}

static void ack(struct engine *e)
{
    wire_sendv(e->in, IN_ACK, NULL);
}

/* Handles one event frame; returns 1 when it ends the cell. */
static int handle_event(struct engine *e, const struct engine_exec *ex, struct frame *f, enum engine_status *st)
{
    struct engine_event ev = {0};
    switch (f->type) {
    case EV_CELL_PID:
        if (f->nfield >= 1)
            e->cell_pid = atoi(f->field[0]);
        if (f->nfield >= 2)
            e->out_limit = atoll(f->field[1]);
        return 0;
    case EV_OUTPUT_LIMIT:
        if (f->nfield >= 1)
            e->out_limit = atoll(f->field[0]);
        return 0;
    case EV_RESULT:
    case EV_DISPLAY:
    case EV_UPDATE_DISPLAY:
        /* Output printed before the display comes first. */
        pump_stream(e, e->out, ex);
        pump_stream(e, e->err, ex);
        release_partial(e, ex);
        deliver_bundle(ex,
                       f->type == EV_RESULT    ? ENGINE_EV_RESULT
                       : f->type == EV_DISPLAY ? ENGINE_EV_DISPLAY
                                               : ENGINE_EV_UPDATE_DISPLAY,
                       f);
        ack(e);
        return 0;
    case EV_CLEAR_OUTPUT:
        pump_stream(e, e->out, ex);
        pump_stream(e, e->err, ex);
        release_partial(e, ex);
        ev.kind = ENGINE_EV_CLEAR_OUTPUT;
        ev.wait = f->nfield == 1 && f->field[0][0] == '1';
        if (ex->on_event)
            ex->on_event(ex->ctx, &ev);
        ack(e);
        return 0;
    case EV_ERROR:
        if (f->nfield != 3)
            return 0;
        pump_stream(e, e->out, ex);
        pump_stream(e, e->err, ex);
        release_partial(e, ex);
        ev.kind = ENGINE_EV_ERROR;
        ev.ename = f->field[0];
        ev.evalue = f->field[1];
        ev.traceback = f->field[2];
        break;
    case EV_INPUT_REQUEST:
        /* printf("name? "); scanf(...): the unfinished line printed just
         * before is the prompt, shown by the front end (once). */
        pump_stream(e, e->err, ex);
        pump_stream(e, e->out, ex);
        ev.kind = ENGINE_EV_INPUT_REQUEST;
        ev.prompt = f->nfield >= 1 ? f->field[0] : "";
        if (!ev.prompt[0] && e->partial.len) {
            buf_addc(&e->partial, 0);
            ev.prompt = e->partial.data;
        } else
            release_partial(e, ex);
        ev.password = f->nfield >= 2 && f->field[1][0] == '1';
        if (ex->on_event)
            ex->on_event(ex->ctx, &ev);
        else
            engine_send_input(e, NULL, 0);
        buf_reset(&e->partial);
        return 0;
    case EV_DONE:
        if (f->nfield >= 2) {
            *st = status_of(f->field[0]);
            atomic_store(&e->exec_pid, atoi(f->field[1]));
        }
        e->compile_ns = f->nfield >= 4 ? atoll(f->field[2]) : 0;
        e->run_ns = f->nfield >= 4 ? atoll(f->field[3]) : 0;
        e->cell_pid = 0;
        return 1;
    default:
        return 0;
    }
    if (ex->on_event)
        ex->on_event(ex->ctx, &ev);
    return 0;
}

/* Whether process pid still exists (reaping it first if it is our child). */
static int alive(pid_t pid)
{
    if (pid <= 0)
        return 0;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    return kill(pid, 0) == 0 || errno == EPERM;
}

/* The executor died: start a new, empty session in place of the old. */
static void recover(struct engine *e, const struct engine_exec *ex)
{
    kill_children();
    struct engine_options opt = {.engine_path = e->path};
    char err[512];
    struct engine *fresh = engine_start(&opt, err, sizeof err);
    const char *msg = fresh ? "the session's process died unexpectedly; a new, empty session was started."
                            : "the session's process died unexpectedly and a new one could not be started.";
    struct engine_event ev = {.kind = ENGINE_EV_ERROR, .ename = "SessionLost", .evalue = msg, .traceback = msg};
    if (ex && ex->on_event)
        ex->on_event(ex->ctx, &ev);
    if (!fresh)
        return;
    close(e->req);
    close(e->ev);
    close(e->in);
    close(e->out);
    close(e->err);
    wire_reader_free(&e->evr);
    e->req = fresh->req;
    e->ev = fresh->ev;
    e->in = fresh->in;
    e->out = fresh->out;
    e->err = fresh->err;
    e->evr = fresh->evr;
    atomic_store(&e->exec_pid, atomic_load(&fresh->exec_pid));
    e->first_pid = fresh->first_pid;
    e->cell_pid = 0;
    free(fresh->path);
    buf_free(&fresh->held_out);
    buf_free(&fresh->held_err);
    buf_free(&fresh->partial);
    free(fresh);
}

enum engine_status engine_execute(struct engine *e, const char *code, const struct engine_exec *ex)
{
    static const struct engine_exec none = {0};
    if (!ex)
        ex = &none;
    /* Executors that handed over to a successor have exited: reap them. */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    e->out_count = e->out_dropped = 0;
    /* Output that arrived while no cell ran belongs before this cell's. */
    pump_stream(e, e->out, NULL);
    pump_stream(e, e->err, NULL);
    deliver_stream(e, ex, ENGINE_EV_STDOUT, e->held_out.data, e->held_out.len);
    deliver_stream(e, ex, ENGINE_EV_STDERR, e->held_err.data, e->held_err.len);
    buf_reset(&e->held_out);
    buf_reset(&e->held_err);

    char num[32], flags[32];
    snprintf(num, sizeof num, "%d", ex->cell_no);
    snprintf(flags, sizeof flags, "%d", (ex->rollback ? 1 : 0) | (ex->quiet_result ? 2 : 0));
    const char *f[3] = {num, flags, code};
    enum engine_status st = ENGINE_LOST;
    if (wire_send(e->req, REQ_EXECUTE, 3, f, NULL) < 0) {
        recover(e, ex);
        return ENGINE_LOST;
    }
    int done = 0, out_open = 1, err_open = 1;
    pid_t watched = atomic_load(&e->exec_pid);
    buf_reset(&e->partial);
    while (!done) {
        struct frame fr;
        int r;
        while ((r = wire_take(&e->evr, &fr)) == 1) {
            done = handle_event(e, ex, &fr, &st);
            frame_free(&fr);
            if (done)
                break;
        }
        if (done || r < 0)
            break;
        struct pollfd p[3] = {{e->ev, POLLIN, 0}, {out_open ? e->out : -1, POLLIN, 0}, {err_open ? e->err : -1, POLLIN, 0}};
        int wait_ms = 200;
        if (e->partial.len) {
            long long left = e->partial_ns + PARTIAL_HOLD_NS - now_ns();
            wait_ms = left > 0 ? (int)(left / 1000000) + 1 : 0;
        }
        int n = poll(p, 3, wait_ms);
        if (n < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            out_open = pump_stream(e, e->out, ex);
        if (p[2].revents)
            err_open = pump_stream(e, e->err, ex);
        if (p[0].revents) {
            long got = wire_fill(&e->evr, e->ev);
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
                break;
        }
        if (e->partial.len && now_ns() - e->partial_ns >= PARTIAL_HOLD_NS)
            release_partial(e, ex);
        if (n == 0 && !e->partial.len && !alive(watched) && !alive(e->cell_pid) && !alive(atomic_load(&e->exec_pid)))
            break;
    }
    if (!done) {
        pump_stream(e, e->out, ex);
        release_partial(e, ex);
        report_dropped(e, ex);
        recover(e, ex);
        return ENGINE_LOST;
    }
    /* Everything the cell printed was flushed before it ended. */
    pump_stream(e, e->out, ex);
    pump_stream(e, e->err, ex);
    release_partial(e, ex);
    report_dropped(e, ex);
    return st;
}

int engine_send_input(struct engine *e, const char *text, size_t len)
{
    if (!text)
        return wire_sendv(e->in, IN_EOF, NULL);
    const char *f[1] = {text};
    size_t l[1] = {len};
    return wire_send(e->in, IN_TEXT, 1, f, l);
}

void engine_interrupt(struct engine *e)
{
    pid_t pid = atomic_load(&e->exec_pid);
    if (pid > 0)
        kill(pid, SIGUSR1);
}

void engine_last_times(const struct engine *e, long long *compile_ns, long long *run_ns)
{
    *compile_ns = e->compile_ns;
    *run_ns = e->run_ns;
}

pid_t engine_pid(const struct engine *e)
{
    return atomic_load(&((struct engine *)e)->exec_pid);
}

/* ------------------------------------------------------------------ */
/* Questions about code                                                */
/* ------------------------------------------------------------------ */

/* Sends a request and waits for its EV_REPLY. Returns 0 and fills f. */
static int ask(struct engine *e, int type, size_t n, const char *const *fields, struct frame *f)
{
    if (wire_send(e->req, type, n, fields, NULL) < 0)
        return -1;
    for (;;) {
        pump_stream(e, e->out, NULL);
        pump_stream(e, e->err, NULL);
        int r = next_event(e, f, 200);
        if (r < 0)
            return -1;
        if (r == 0) {
            if (!alive(atomic_load(&e->exec_pid)))
                return -1;
            continue;
        }
        if (f->type == EV_REPLY)
            return 0;
        frame_free(f);
    }
}

enum engine_completeness engine_is_complete(struct engine *e, const char *code, char **indent)
{
    const char *fields[1] = {code};
    struct frame f;
    if (indent)
        *indent = NULL;
    if (ask(e, REQ_IS_COMPLETE, 1, fields, &f) < 0)
        return ENGINE_COMPLETE;
    enum engine_completeness r = ENGINE_COMPLETE;
    if (f.nfield >= 1 && !strcmp(f.field[0], "incomplete"))
        r = ENGINE_INCOMPLETE;
    else if (f.nfield >= 1 && !strcmp(f.field[0], "invalid"))
        r = ENGINE_INVALID;
    if (indent)
        *indent = xstrdup(f.nfield >= 2 ? f.field[1] : "");
    frame_free(&f);
    return r;
}

int engine_complete(struct engine *e, const char *code, size_t cursor, char ***matches, size_t *start, size_t *end)
{
    char cur[32];
    snprintf(cur, sizeof cur, "%zu", cursor);
    const char *fields[2] = {code, cur};
    struct frame f;
    *matches = NULL;
    if (ask(e, REQ_COMPLETE, 2, fields, &f) < 0 || f.nfield < 2) {
        *start = *end = cursor;
        return -1;
    }
    *start = (size_t)atol(f.field[0]);
    *end = (size_t)atol(f.field[1]);
    size_t n = f.nfield - 2;
    char **v = xcalloc(n + 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = xstrdup(f.field[i + 2]);
    *matches = v;
    frame_free(&f);
    return (int)n;
}

char *engine_inspect(struct engine *e, const char *code, size_t cursor, int detail)
{
    char cur[32], det[8];
    snprintf(cur, sizeof cur, "%zu", cursor);
    snprintf(det, sizeof det, "%d", detail);
    const char *fields[3] = {code, cur, det};
    struct frame f;
    if (ask(e, REQ_INSPECT, 3, fields, &f) < 0)
        return NULL;
    char *r = f.nfield >= 1 && f.field[0][0] ? xstrdup(f.field[0]) : NULL;
    frame_free(&f);
    return r;
}

void engine_strv_free(char **v)
{
    if (!v)
        return;
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

char *engine_help_name(const char *code, int *detail)
{
    const char *s = code, *e = code + strlen(code);
    while (s < e && isspace((unsigned char)*s))
        s++;
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    int pre = 0, post = 0;
    while (s < e && *s == '?')
        s++, pre++;
    while (e > s && e[-1] == '?')
        e--, post++;
    if ((pre == 0) == (post == 0) || pre > 2 || post > 2 || s == e || !(isalpha((unsigned char)*s) || *s == '_'))
        return NULL;
    for (const char *p = s; p < e; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_.->[]", *p))
            return NULL;
    if (detail)
        *detail = pre + post > 1;
    return xstrndup(s, (size_t)(e - s));
}
