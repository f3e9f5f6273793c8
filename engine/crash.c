/* crash.c — describing a crash (see crash.h). The handler is the last
 * code the cell process runs, so it may read session state freely, but
 * it does not allocate: the crash may have happened inside malloc. */
#include "crash.h"
#include "jit.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ucontext.h>
#include <sys/uio.h>
#include <unistd.h>

static int report_fd = -1;
static pid_t report_pid; /* the process that reports on report_fd */
static const struct jit *session;
static int current_cell;
static char altstack[64 * 1024];

const char *crash_signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "segmentation fault (SIGSEGV)";
    case SIGBUS: return "bus error (SIGBUS)";
    case SIGFPE: return "arithmetic error, such as an integer division by zero (SIGFPE)";
    case SIGILL: return "illegal instruction (SIGILL)";
    case SIGABRT: return "abort (SIGABRT)";
    case SIGKILL: return "killed (SIGKILL)";
    case SIGTERM: return "terminated (SIGTERM)";
    case SIGINT: return "interrupted (SIGINT)";
    case SIGPIPE: return "broken pipe (SIGPIPE)";
    case SIGXCPU: return "CPU time limit exceeded (SIGXCPU)";
    case SIGALRM: return "alarm clock (SIGALRM)";
    case SIGTRAP: return "trap (SIGTRAP)";
    default: return strsignal(sig);
    }
}

/* The cell whose code holds pc, or -1; *fn gets the function containing
 * it when a symbol is known, else NULL (the cell's own statements). */
static int locate(uintptr_t pc, const char **fn)
{
    *fn = NULL;
    for (size_t i = 0; i < session->nregions; i++) {
        const struct jit_region *r = &session->regions[i];
        uintptr_t start = (uintptr_t)r->start;
        if (pc < start || pc >= start + r->len)
            continue;
        uintptr_t best = (uintptr_t)r->entry <= pc ? (uintptr_t)r->entry : 0;
        for (size_t k = 0; k < session->nsyms; k++) {
            uintptr_t a = (uintptr_t)session->syms[k].addr;
            if (a >= start && a <= pc && a > best) {
                best = a;
                *fn = session->syms[k].name;
            }
        }
        return r->cell;
    }
    return -1;
}

static void describe(char *out, size_t n, int cell, const char *fn)
{
    if (fn)
        snprintf(out, n, "in %s() (defined in cell[%d])", fn, cell);
    else if (cell > 0)
        snprintf(out, n, "in the statements of cell[%d]", cell);
    else
        snprintf(out, n, "in the statements of the cell");
}

static void on_crash(int sig, siginfo_t *si, void *uc_)
{
    /* A process the cell forked has crashed, not the cell: it reports
     * nothing (in place, the watcher would end the session's process). */
    if (getpid() != report_pid)
        report_fd = -1;
    /* First, before anything that takes a lock: the watcher of an
     * in-place cell gives a handler that hangs 2 s, then ends it. */
    if (report_fd >= 0)
        (void)!write(report_fd, "S", 1);
    ucontext_t *uc = uc_;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    uintptr_t *sp = (uintptr_t *)uc->uc_mcontext.gregs[REG_RSP];
    char msg[512], where[256] = "";
    const char *fn;
    int cell = locate(pc, &fn);
    if (cell >= 0) {
        describe(where, sizeof where, cell, fn);
    } else {
        /* Outside cell code (a library function): name it, and find the
         * cell code that called it among the return addresses on the
         * stack, read without risking a second fault. */
        Dl_info info;
        const char *lib = NULL;
        char libname[160];
        if (dladdr((void *)pc, &info)) {
            if (info.dli_sname)
                lib = info.dli_sname;
            else if (info.dli_fname) {
                const char *base = strrchr(info.dli_fname, '/');
                snprintf(libname, sizeof libname, "a function of %s", base ? base + 1 : info.dli_fname);
                lib = libname;
            }
        }
        static uintptr_t stack[2048];
        struct iovec local = {stack, sizeof stack}, remote = {sp, sizeof stack};
        ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
        for (ssize_t i = 0; got > 0 && i < got / (ssize_t)sizeof *stack; i++)
            if ((cell = locate(stack[i], &fn)) >= 0)
                break;
        char caller[200] = "";
        if (cell >= 0)
            describe(caller, sizeof caller, cell, fn);
        if (sig == SIGABRT)
            lib = NULL; /* abort() and assert() are in libc; their caller matters */
        const char *paren = lib && lib != libname ? "()" : "";
        if (lib && cell >= 0)
            snprintf(where, sizeof where, "in %s%s, called %s", lib, paren, caller);
        else if (lib)
            snprintf(where, sizeof where, "in %s%s", lib, paren);
        else if (cell >= 0)
            snprintf(where, sizeof where, "%s", caller);
    }
    (void)si;
    int len = snprintf(msg, sizeof msg, "X%s", where);
    if (report_fd >= 0 && len > 1)
        (void)!write(report_fd, msg, (size_t)len < sizeof msg ? (size_t)len : sizeof msg - 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

void crash_install(int fd, const struct jit *j, int cell_no)
{
    report_fd = fd;
    report_pid = getpid();
    session = j;
    current_cell = cell_no;
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &sa, NULL);
}
