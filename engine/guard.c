/* guard.c — keeping a cell's damage to its own process out of the session
 * (see guard.h). A cell that fails takes its process with it; these guard
 * what a cell that finishes would otherwise hand on to every later cell. */
#include "guard.h"
#include "events.h"
#include "jit.h"
#include "parc.h"
#include "session.h"
#include "util.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Counters shared by all processes of a cell (one MAP_SHARED page). */
struct shared {
    atomic_int forks;   /* fork() calls that made a process */
    atomic_int refused; /* fork() calls refused by the process limit */
    atomic_llong full_until_ns; /* a count found the limit reached: refuse until then */
    atomic_int spawned; /* the cell started a process (fork, system, popen, posix_spawn, !) */
};

static struct shared *shared;
static int session_fds[3];     /* the executor's pipes: requests, events, input */
static struct stat std_fds[6]; /* what fds 0-2 and the pipes were at the start */
static int std_ok[6];
static int copy_out = -1, copy_err = -1; /* copies of fds 1 and 2 */
static pid_t front_pid;        /* the front end */
static pid_t cell_pid;         /* the cell process (0 outside cells) */
static pid_t session_pid;      /* the process holding the session during the cell */
static pid_t session_pgid;
static const struct session *limits;
static char stdout_buf[BUFSIZ];

/* Signal handlers that libraries installed in a GPU session (a GPU
 * runtime, and what it loads: PoCL's SIGFPE handler for kernels that
 * divide by zero, LLVM's crash handlers under it): the executor's own
 * state between cells, kept by guard_executor_state. */
static struct sigaction library_act[NSIG];
static unsigned char library_sig[NSIG];

/* The POSIX timers (timer_create) the process had when the cell began:
 * none in a forked cell, the session's own in place. */
#define MAX_TIMERS 64
static int timers_before[MAX_TIMERS];
static int ntimers_before;

static const int saved_limits[] = {RLIMIT_DATA, RLIMIT_AS, RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_STACK,
                                   RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_CORE};
#define NLIMITS (sizeof saved_limits / sizeof *saved_limits)
static struct rlimit start_limits[NLIMITS];

static int same_file(int fd, const struct stat *want)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

/* The lowest fd the session's own descriptors take: 1000, or 40 below the
 * limit on open files when that is lower. */
static int high_base(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) < 0 || r.rlim_cur == RLIM_INFINITY || r.rlim_cur > 1100)
        return 1000;
    return r.rlim_cur > 64 ? (int)r.rlim_cur - 40 : 10;
}

int guard_high_fd(int fd)
{
    int high = fcntl(fd, F_DUPFD_CLOEXEC, high_base());
    if (high < 0)
        return fd;
    close(fd);
    return high;
}

void guard_init(int req_fd, int ev_fd, int in_fd)
{
    session_fds[0] = req_fd;
    session_fds[1] = ev_fd;
    session_fds[2] = in_fd;
    for (int fd = 0; fd < 3; fd++)
        std_ok[fd] = fstat(fd, &std_fds[fd]) == 0;
    for (int i = 0; i < 3; i++)
        std_ok[3 + i] = fstat(session_fds[i], &std_fds[3 + i]) == 0;
    if (copy_out >= 0)
        close(copy_out);
    if (copy_err >= 0)
        close(copy_err);
    copy_out = guard_high_fd(dup(1));
    copy_err = guard_high_fd(dup(2));
    for (size_t i = 0; i < NLIMITS; i++)
        getrlimit(saved_limits[i], &start_limits[i]);
    if (!front_pid) /* an engine started by %replay was told (guard_set_front_end) */
        front_pid = getppid();
    if (!shared) {
        void *p = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        shared = p == MAP_FAILED ? NULL : p;
    }
}

/* ------------------------------------------------------------------ */
/* Orphaned cells                                                      */
/* ------------------------------------------------------------------ */

/* A cell process hears of its parent's death by WATCH_SIG
 * (PR_SET_PDEATHSIG), and so does an executor that was one. A cell whose
 * executor dies while the front end lives goes on (it may still commit
 * and become the session: the front end, a child subreaper, is its parent
 * then); one whose front end is gone too has nobody left to stop it and
 * ends. */
static pid_t watched_parent; /* the process that forked this one */

static void on_parent_death(int sig)
{
    (void)sig;
    /* A parent with threads left hands its children to one of them when
     * the thread that forked them ends: the parent is the same process. */
    pid_t now = getppid();
    if (now != front_pid && now != watched_parent)
        _exit(0);
}

void guard_watch_handler(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_parent_death;
    sa.sa_flags = SA_RESTART;
    sigaction(WATCH_SIG, &sa, NULL);
}

void guard_watch_parent(pid_t parent)
{
    watched_parent = parent;
    prctl(PR_SET_PDEATHSIG, WATCH_SIG);
    on_parent_death(0); /* it may have died before that */
}

pid_t guard_front_end(void)
{
    return front_pid;
}

void guard_set_front_end(pid_t pid)
{
    front_pid = pid;
}

void guard_cell_reset(void)
{
    if (!shared)
        return;
    atomic_store(&shared->forks, 0);
    atomic_store(&shared->refused, 0);
    atomic_store(&shared->full_until_ns, 0);
    atomic_store(&shared->spawned, 0);
}

static void note_spawn(void)
{
    if (shared)
        atomic_store(&shared->spawned, 1);
}

/* Calls fn(id) for every POSIX timer of this process, from
 * /proc/self/timers ("ID: N" lines). */
static void each_timer(void (*fn)(int))
{
    FILE *f = fopen("/proc/self/timers", "re");
    if (!f)
        return;
    char line[256];
    int id;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "ID: %d", &id) == 1)
            fn(id);
    fclose(f);
}

static void note_timer(int id)
{
    if (ntimers_before < MAX_TIMERS)
        timers_before[ntimers_before++] = id;
}

/* Deletes timer id unless the process had it before the cell (a cell's
 * timer would go on sending SIGALRM to the session, which ends it). */
static void drop_new_timer(int id)
{
    for (int i = 0; i < ntimers_before; i++)
        if (timers_before[i] == id)
            return;
    syscall(SYS_timer_delete, id);
}

void guard_cell_begin(const struct session *s, pid_t holder)
{
    ntimers_before = 0;
    each_timer(note_timer);
    limits = s;
    cell_pid = getpid();
    session_pid = holder;
    session_pgid = getpgid(session_pid);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

int guard_is_cell_process(void)
{
    return cell_pid && getpid() == cell_pid;
}

/* ------------------------------------------------------------------ */
/* Processes                                                           */
/* ------------------------------------------------------------------ */

/* Calls fn(pid, ctx) for every process in process group pgid (zombies
 * included: they hold a process slot too); returns how many there are. */
static int each_in_group(pid_t pgid, void (*fn)(pid_t, void *), void *ctx)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        ssize_t len = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (len <= 0)
            continue;
        buf[len] = 0;
        char *rp = strrchr(buf, ')');
        char state;
        int ppid, pgrp;
        if (!rp || sscanf(rp + 1, " %c %d %d", &state, &ppid, &pgrp) != 3 || pgrp != pgid)
            continue;
        n++;
        if (fn)
            fn((pid_t)atoi(e->d_name), ctx);
    }
    closedir(d);
    return n;
}

int guard_fork_allowed(void)
{
    long limit = limits ? limits->procs_limit : 0;
    note_spawn();
    if (limit <= 0 || !shared || !cell_pid)
        return 0;
    /* Cheap while the cell has forked fewer processes than its limit;
     * counted exactly beyond (most of them may have ended). */
    int made = atomic_fetch_add(&shared->forks, 1) + 1;
    if (made + 1 <= limit)
        return 0;
    long long now = now_ns();
    if (now >= atomic_load(&shared->full_until_ns)) {
        if (each_in_group(cell_pid, NULL, NULL) < limit)
            return 0;
        atomic_store(&shared->full_until_ns, now + 5000000LL);
    }
    atomic_fetch_add(&shared->refused, 1);
    errno = EAGAIN;
    return -1;
}

/* Whether the cell may start a command (system, popen, posix_spawn, `!`):
 * the process group is counted every time, since a shell's background
 * commands (`system("cmd &")`) hold process slots no fork() of the cell
 * counted. A refusal counts as a refused fork. */
static int spawn_allowed(void)
{
    long limit = limits ? limits->procs_limit : 0;
    note_spawn();
    if (limit <= 0 || !shared || !cell_pid)
        return 0;
    atomic_fetch_add(&shared->forks, 1);
    if (each_in_group(cell_pid, NULL, NULL) < limit)
        return 0;
    atomic_fetch_add(&shared->refused, 1);
    errno = EAGAIN;
    return -1;
}

int guard_forks_refused(void)
{
    return shared ? atomic_load(&shared->refused) : 0;
}

static void kill_other(pid_t pid, void *self)
{
    if (pid != *(pid_t *)self)
        kill(pid, SIGKILL);
}

/* Waits on children that may never answer: a fork of a process that runs
 * a GPU runtime can block in the runtime's fork handlers, or in its
 * driver. */

int guard_reap_within(pid_t pid, int ms)
{
    long long end = now_ns() + (long long)ms * 1000000;
    for (;;) {
        pid_t w = waitpid(pid, NULL, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            return 0;
        if (now_ns() >= end)
            return -1;
        struct timespec t = {0, 1000000};
        nanosleep(&t, NULL);
    }
}

int guard_read_all_within(int fd, struct buf *b, int ms)
{
    long long end = now_ns() + (long long)ms * 1000000;
    char chunk[4096];
    for (;;) {
        long long left = (end - now_ns()) / 1000000;
        if (left <= 0)
            return -1;
        struct pollfd pf = {fd, POLLIN, 0};
        int r = poll(&pf, 1, (int)left);
        if (r < 0 && errno != EINTR)
            return -1;
        if (r <= 0)
            continue;
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        buf_add(b, chunk, (size_t)n);
    }
}

/* ------------------------------------------------------------------ */
/* Committing                                                          */
/* ------------------------------------------------------------------ */

/* Whether this process has children (of any of its threads). */
static int has_children(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return 1;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[300], c;
        snprintf(path, sizeof path, "/proc/self/task/%s/children", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            found = 1; /* a kernel without the children file: look in /proc */
            break;
        }
        found = read(fd, &c, 1) == 1;
        close(fd);
    }
    closedir(d);
    return found;
}

/* Puts the original of standard fd back from its copy; -1 if the copy
 * is gone too. */
static int restore_fd(int fd, int copy)
{
    if (std_ok[fd] && same_file(fd, &std_fds[fd]))
        return 0;
    if (fd == 0) {
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0)
            return -1;
        int rc = dup2(null, 0);
        close(null);
        return rc < 0 ? -1 : 0;
    }
    if (copy < 0 || !same_file(copy, &std_fds[fd]))
        return -1;
    return dup2(copy, fd) < 0 ? -1 : 0;
}

int guard_commit(struct buf *why)
{
    for (int i = 0; i < 3; i++)
        if (std_ok[3 + i] && !same_file(session_fds[i], &std_fds[3 + i])) {
            buf_printf(why, "it closed the file descriptors parc uses to talk to the front end");
            return -1;
        }
    if (restore_fd(0, -1) < 0 || restore_fd(1, copy_out) < 0 || restore_fd(2, copy_err) < 0) {
        buf_printf(why, "it closed the file descriptors parc uses for its output");
        return -1;
    }
    /* stdout may have been given a buffer that lived on the cell's stack,
     * or made fully buffered: output keeps its order only line by line. */
    setvbuf(stdout, stdout_buf, _IOLBF, sizeof stdout_buf);
    setvbuf(stderr, NULL, _IONBF, 0);
    /* Processes the cell started end with it, as when it fails. Looking
     * for them costs a walk through /proc: only when it started some. */
    pid_t self = getpid();
    if ((shared && atomic_load(&shared->spawned)) || has_children())
        each_in_group(self, kill_other, &self);
    return 0;
}

/* Whether handler h is a library's: its code lies in a shared object
 * that is neither parc's program nor one built from a cell (cell.so, or
 * holding a function a cell defined). A cell's own handlers lie in code
 * memory, which no shared object holds. */
static int library_handler(void *h, const struct jit *j)
{
    Dl_info self, at;
    if (!dladdr((void *)library_handler, &self) || !dladdr(h, &at) || !at.dli_fname)
        return 0;
    if (at.dli_fbase == self.dli_fbase)
        return 0;
    const char *base = strrchr(at.dli_fname, '/');
    if (!strcmp(base ? base + 1 : at.dli_fname, "cell.so"))
        return 0;
    for (size_t i = 0; j && i < j->nsyms; i++)
        if (j->syms[i].addr == h)
            return 0;
    return 1;
}

void guard_keep_library_handlers(const struct jit *j)
{
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction sa;
        if (sig == SIGKILL || sig == SIGSTOP || sig == WATCH_SIG || sigaction(sig, NULL, &sa) < 0)
            continue;
        void *h = sa.sa_flags & SA_SIGINFO ? (void *)sa.sa_sigaction : (void *)sa.sa_handler;
        if (sa.sa_handler == SIG_DFL || sa.sa_handler == SIG_IGN || !library_handler(h, j))
            continue;
        library_act[sig] = sa;
        library_sig[sig] = 1;
    }
}

void guard_executor_state(void)
{
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || sig == WATCH_SIG)
            continue;
        if (library_sig[sig])
            sigaction(sig, &library_act[sig], NULL);
        else
            signal(sig, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    alarm(0);
    struct itimerval off = {0};
    setitimer(ITIMER_REAL, &off, NULL);
    setitimer(ITIMER_VIRTUAL, &off, NULL);
    setitimer(ITIMER_PROF, &off, NULL);
    each_timer(drop_new_timer);
    ntimers_before = 0;
    /* A subreaper executor would take in its processes' orphans: the
     * watcher of an in-place cell, whose middle process exits, would find
     * the executor as its parent, and end. */
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    for (size_t i = 0; i < NLIMITS; i++) {
        struct rlimit now;
        if (getrlimit(saved_limits[i], &now) < 0)
            continue;
        struct rlimit want = start_limits[i];
        if (want.rlim_max != now.rlim_max && setrlimit(saved_limits[i], &want) == 0)
            continue;
        /* Without privileges a lowered hard limit stays lowered. */
        want.rlim_max = now.rlim_max;
        if (want.rlim_cur > want.rlim_max)
            want.rlim_cur = want.rlim_max;
        setrlimit(saved_limits[i], &want);
    }
    cell_pid = 0;
}

/* ------------------------------------------------------------------ */
/* kill() and exec() as cells see them                                 */
/* ------------------------------------------------------------------ */

static const char *sig_name(int sig, char *buf, size_t n)
{
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev)
        snprintf(buf, n, "SIG%s", abbrev);
    else
        snprintf(buf, n, "%d", sig);
    return buf;
}

/* Whether a signal to pid (kill's meaning) would reach the processes
 * holding the session or the front end; says why on stderr. */
static int refuse(const char *fn, pid_t pid, int sig)
{
    if (sig == 0)
        return 0;
    char s[32];
    if (pid == -1) {
        fprintf(stderr, "parc: %s(-1, %s) refused: it would signal every process you may signal, parc's own "
                        "included.\n", fn, sig_name(sig, s, sizeof s));
        return 1;
    }
    pid_t target = pid < -1 ? -pid : pid;
    int group = pid < -1;
    int session = session_pid && ((!group && target == session_pid) || (group && target == session_pgid));
    if (session || (!group && target == front_pid)) {
        fprintf(stderr, "parc: %s(%d, %s) refused: process %d %s (a cell cannot end it).\n", fn, (int)pid,
                sig_name(sig, s, sizeof s), (int)target,
                target == front_pid ? "is the front end of this session" : "holds the session as it was before this cell");
        return 1;
    }
    return 0;
}

static int guard_kill(pid_t pid, int sig)
{
    if (refuse("kill", pid, sig)) {
        errno = EPERM;
        return -1;
    }
    return kill(pid, sig);
}

static int guard_killpg(pid_t pgrp, int sig)
{
    if (pgrp > 1 && refuse("killpg", -pgrp, sig)) {
        errno = EPERM;
        return -1;
    }
    return killpg(pgrp, sig);
}

/* ------------------------------------------------------------------ */
/* SIGUSR1 in place                                                    */
/* ------------------------------------------------------------------ */

/* A cell run in place (a GPU session) is interrupted by SIGUSR1 to its
 * own process: it may not ignore, catch or block it. Elsewhere (forked
 * cells, processes a cell forked) these pass everything through. */
static int in_place_now(void)
{
    return cell_pid && getpid() == cell_pid && limits && limits->gpu_in_place;
}

static void refuse_usr1(const char *fn)
{
    fprintf(stderr, "parc: %s(SIGUSR1) refused: in a GPU session cells run in place, and parc interrupts them "
                    "with SIGUSR1.\n", fn);
}

static void (*guard_signal(int sig, void (*handler)(int)))(int)
{
    if (sig == SIGUSR1 && in_place_now()) {
        refuse_usr1("signal");
        errno = EINVAL;
        return SIG_ERR;
    }
    return signal(sig, handler);
}

static int guard_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (sig == SIGUSR1 && act && in_place_now()) {
        refuse_usr1("sigaction");
        errno = EINVAL;
        return -1;
    }
    return sigaction(sig, act, old);
}

/* The mask set would make, SIGUSR1 left out in place; set itself else. */
static const sigset_t *mask_without_usr1(int how, const sigset_t *set, sigset_t *copy, const char *fn)
{
    if (!set || how == SIG_UNBLOCK || !sigismember(set, SIGUSR1) || !in_place_now())
        return set;
    *copy = *set;
    sigdelset(copy, SIGUSR1);
    refuse_usr1(fn);
    return copy;
}

static int guard_sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    sigset_t copy;
    return sigprocmask(how, mask_without_usr1(how, set, &copy, "sigprocmask"), old);
}

static int guard_pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    sigset_t copy;
    return pthread_sigmask(how, mask_without_usr1(how, set, &copy, "pthread_sigmask"), old);
}

/* Before the cell process becomes another program: its output so far is
 * written, and the executor learns which program to name in its report. */
static void before_exec(const char *path)
{
    fflush(NULL);
    if (!guard_is_cell_process() || rt_commit_fd < 0 || !path)
        return;
    size_t n = strlen(path);
    if (n > 400)
        n = 400;
    char note[410];
    note[0] = GUARD_EXEC_MARK;
    memcpy(note + 1, path, n);
    note[n + 1] = 0;
    (void)!write(rt_commit_fd, note, n + 2);
}

static int guard_execve(const char *path, char *const argv[], char *const envp[])
{
    before_exec(path);
    return execve(path, argv, envp);
}

static int guard_execv(const char *path, char *const argv[])
{
    before_exec(path);
    return execv(path, argv);
}

static int guard_execvp(const char *file, char *const argv[])
{
    before_exec(file);
    return execvp(file, argv);
}

static int guard_execvpe(const char *file, char *const argv[], char *const envp[])
{
    before_exec(file);
    return execvpe(file, argv, envp);
}

#define MAX_EXEC_ARGS 4096

/* The arguments of execl and friends after arg0, up to the NULL, into
 * argv (MAX_EXEC_ARGS + 1 entries); returns -1 if there are too many. */
static int collect_args(const char *arg0, va_list *ap, char **argv)
{
    int n = 0;
    argv[n++] = (char *)arg0;
    while (arg0 && (argv[n] = va_arg(*ap, char *)))
        if (++n == MAX_EXEC_ARGS) {
            errno = E2BIG;
            return -1;
        }
    if (!arg0)
        argv[0] = NULL;
    return 0;
}

static int guard_execl(const char *path, const char *arg0, ...)
{
    char *argv[MAX_EXEC_ARGS + 1];
    va_list ap;
    va_start(ap, arg0);
    int rc = collect_args(arg0, &ap, argv);
    va_end(ap);
    return rc < 0 ? -1 : guard_execv(path, argv);
}

static int guard_execlp(const char *file, const char *arg0, ...)
{
    char *argv[MAX_EXEC_ARGS + 1];
    va_list ap;
    va_start(ap, arg0);
    int rc = collect_args(arg0, &ap, argv);
    va_end(ap);
    return rc < 0 ? -1 : guard_execvp(file, argv);
}

static int guard_execle(const char *path, const char *arg0, ...)
{
    char *argv[MAX_EXEC_ARGS + 1];
    va_list ap;
    va_start(ap, arg0);
    int rc = collect_args(arg0, &ap, argv);
    char *const *envp = rc < 0 ? NULL : va_arg(ap, char *const *);
    va_end(ap);
    return rc < 0 ? -1 : guard_execve(path, argv, envp);
}

/* system() with no command only asks whether a shell exists. */
static int guard_system(const char *command)
{
    if (command && spawn_allowed() < 0)
        return -1;
    return system(command);
}

static FILE *guard_popen(const char *command, const char *type)
{
    if (spawn_allowed() < 0)
        return NULL;
    return popen(command, type);
}

static int guard_posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                             const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    if (spawn_allowed() < 0)
        return EAGAIN;
    return posix_spawn(pid, path, fa, attr, argv, envp);
}

static int guard_posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
                              const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
    if (spawn_allowed() < 0)
        return EAGAIN;
    return posix_spawnp(pid, file, fa, attr, argv, envp);
}

/* `!COMMAND`: a refusal is said where the command's output would be. */
static int guard_parc_shell(const char *command)
{
    if (spawn_allowed() < 0) {
        fprintf(stderr, "parc: !%s not run: the cell reached its limit of %ld processes (%%limit procs)\n", command,
                limits->procs_limit);
        return 127; /* as when the shell cannot start */
    }
    return parc_shell(command);
}

void guard_install(struct jit *j)
{
    jit_define(j, "system", (void *)guard_system);
    jit_define(j, "popen", (void *)guard_popen);
    jit_define(j, "posix_spawn", (void *)guard_posix_spawn);
    jit_define(j, "posix_spawnp", (void *)guard_posix_spawnp);
    jit_define(j, "parc_shell", (void *)guard_parc_shell);
    jit_define(j, "signal", (void *)guard_signal);
    jit_define(j, "sigaction", (void *)guard_sigaction);
    jit_define(j, "sigprocmask", (void *)guard_sigprocmask);
    jit_define(j, "pthread_sigmask", (void *)guard_pthread_sigmask);
    jit_define(j, "kill", (void *)guard_kill);
    jit_define(j, "killpg", (void *)guard_killpg);
    jit_define(j, "execve", (void *)guard_execve);
    jit_define(j, "execv", (void *)guard_execv);
    jit_define(j, "execvp", (void *)guard_execvp);
    jit_define(j, "execvpe", (void *)guard_execvpe);
    jit_define(j, "execl", (void *)guard_execl);
    jit_define(j, "execlp", (void *)guard_execlp);
    jit_define(j, "execle", (void *)guard_execle);
}
