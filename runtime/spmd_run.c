/* spmd_run.c — the runtime of %%threads and %%procs (engine/spmd.c): runs
 * a cell body on N workers at once, and labels what each worker prints
 * through stdio with "[id] ", line by line, as it is printed. Labelling
 * works by giving cells wrappers of the stdio output functions (installed
 * through the jit's symbol table); outside SPMD workers they call the
 * real ones directly. */
#include "pool.h"
#include "rtrace.h"
#include "spmd_run.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Labelled output                                                     */
/* ------------------------------------------------------------------ */

static __thread int label = -1; /* the worker id while labelling */
static __thread struct line {
    char *data;
    size_t len, cap;
} pending[2]; /* unfinished lines: stdout, stderr */

/* Whole lines of different threads must not interleave. */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static int labelled(FILE *f)
{
    return label >= 0 && (f == stdout || f == stderr);
}

static void write_line(FILE *f, const char *s, size_t n)
{
    pthread_mutex_lock(&out_lock);
    fprintf(f, "[%d] ", label);
    fwrite(s, 1, n, f);
    fputc('\n', f);
    fflush(f);
    pthread_mutex_unlock(&out_lock);
}

/* Adds text for f; writes every line it completes, labelled. */
static void emit(FILE *f, const char *s, size_t n)
{
    struct line *l = &pending[f == stderr];
    const char *nl;
    while (n && (nl = memchr(s, '\n', n))) {
        size_t k = (size_t)(nl - s);
        if (l->len) {
            if (l->len + k > l->cap) {
                l->cap = l->len + k + 64;
                l->data = realloc(l->data, l->cap);
            }
            memcpy(l->data + l->len, s, k);
            write_line(f, l->data, l->len + k);
            l->len = 0;
        } else {
            write_line(f, s, k);
        }
        s += k + 1;
        n -= k + 1;
    }
    if (n) {
        if (l->len + n > l->cap) {
            l->cap = (l->len + n) * 2;
            l->data = realloc(l->data, l->cap);
        }
        memcpy(l->data + l->len, s, n);
        l->len += n;
    }
}

/* Writes the worker's unfinished lines (a newline is added). */
static void flush_pending(void)
{
    for (int i = 0; i < 2; i++) {
        struct line *l = &pending[i];
        if (l->len)
            write_line(i ? stderr : stdout, l->data, l->len);
        free(l->data);
        *l = (struct line){0};
    }
}

static int emit_vf(FILE *f, const char *fmt, va_list ap)
{
    char small[1024];
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return n;
    }
    if ((size_t)n < sizeof small) {
        emit(f, small, (size_t)n);
    } else {
        char *big = malloc((size_t)n + 1);
        vsnprintf(big, (size_t)n + 1, fmt, ap2);
        emit(f, big, (size_t)n);
        free(big);
    }
    va_end(ap2);
    return n;
}

static int w_vfprintf(FILE *f, const char *fmt, va_list ap)
{
    return labelled(f) ? emit_vf(f, fmt, ap) : vfprintf(f, fmt, ap);
}

static int w_vprintf(const char *fmt, va_list ap)
{
    return w_vfprintf(stdout, fmt, ap);
}

static int w_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = w_vfprintf(stdout, fmt, ap);
    va_end(ap);
    return n;
}

static int w_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = w_vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

static int w_fputs(const char *s, FILE *f)
{
    if (!labelled(f))
        return fputs(s, f);
    emit(f, s, strlen(s));
    return 1;
}

static int w_puts(const char *s)
{
    if (!labelled(stdout))
        return puts(s);
    emit(stdout, s, strlen(s));
    emit(stdout, "\n", 1);
    return 1;
}

static int w_fputc(int c, FILE *f)
{
    if (!labelled(f))
        return fputc(c, f);
    char ch = (char)c;
    emit(f, &ch, 1);
    return (unsigned char)c;
}

static int w_putchar(int c)
{
    return w_fputc(c, stdout);
}

static size_t w_fwrite(const void *p, size_t size, size_t n, FILE *f)
{
    if (!labelled(f))
        return fwrite(p, size, n, f);
    emit(f, p, size * n);
    return n;
}

const struct spmd_wrapper spmd_wrappers[] = {
    {"printf", (void *)w_printf},   {"vprintf", (void *)w_vprintf}, {"fprintf", (void *)w_fprintf},
    {"vfprintf", (void *)w_vfprintf}, {"puts", (void *)w_puts},     {"fputs", (void *)w_fputs},
    {"putchar", (void *)w_putchar}, {"fputc", (void *)w_fputc},     {"putc", (void *)w_fputc},
    {"fwrite", (void *)w_fwrite},   {NULL, NULL},
};

/* ------------------------------------------------------------------ */
/* Running the body                                                    */
/* ------------------------------------------------------------------ */

struct spmd_worker {
    void (*body)(void);
    int id, n, procs;
};

static void run_body(struct spmd_worker *w, int os_id)
{
    worker_set(w->id, w->n);
    label = w->id;
    char lane_label[64];
    snprintf(lane_label, sizeof lane_label, "%s %d (%s %d)", w->procs ? "process" : "thread", w->id,
             w->procs ? "pid" : "tid", os_id);
    int lane = rtrace_lane(lane_label);
    int64_t t0 = rtrace_now();
    w->body();
    rtrace_event(lane, TRACE_TASK, rtrace_name(w->procs ? "%%procs" : "%%threads"), t0, rtrace_now(), w->id,
                 TRACE_NO_ARG);
    flush_pending();
    label = -1;
}

static void *thread_body(void *arg)
{
    run_body(arg, (int)syscall(SYS_gettid));
    return NULL;
}

static int run_threads(struct spmd_worker *ws, int n)
{
    pthread_t *t = calloc((size_t)n, sizeof *t);
    int started = 0, err = 0;
    for (; started < n; started++)
        if ((err = pthread_create(&t[started], NULL, thread_body, &ws[started])) != 0)
            break;
    if (started < n)
        rt_error("%%%%threads: cannot start thread %d of %d: %s; the %d started ones run the body", started, n,
                 strerror(err), started);
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
    return started < n ? -1 : 0;
}

static int run_procs(struct spmd_worker *ws, int n)
{
    pid_t *pids = calloc((size_t)n, sizeof *pids);
    int started = 0, rc = 0;
    fflush(NULL);
    for (; started < n; started++) {
        pid_t pid = fork();
        if (pid < 0) {
            rt_error("%%%%procs: cannot start process %d of %d: %s%s", started, n, strerror(errno),
                     errno == EAGAIN ? " (see %limit procs)" : "");
            rc = -1;
            break;
        }
        if (pid == 0) {
            int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
            for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
                signal(sigs[i], SIG_DFL);
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            run_body(&ws[started], (int)getpid());
            fflush(NULL);
            _exit(0);
        }
        pids[started] = pid;
    }
    for (int i = 0; i < started; i++) {
        int st;
        while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
            ;
        if (WIFSIGNALED(st)) {
            rt_error("%%%%procs: worker %d was killed by signal %d, %s", i, WTERMSIG(st), strsignal(WTERMSIG(st)));
            rc = -1;
        } else if (WEXITSTATUS(st) != 0) {
            rt_error("%%%%procs: worker %d ended with exit status %d", i, WEXITSTATUS(st));
            rc = -1;
        }
    }
    free(pids);
    return rc;
}

int parc__spmd(int procs, int n, void (*body)(void))
{
    const char *who = procs ? "%%procs" : "%%threads";
    if (!body)
        return -1;
    if (n <= 0)
        n = parc_cpu_count();
    if (n > POOL_MAX_WORKERS) {
        rt_error("%s: %d workers is too many (at most %d)", who, n, POOL_MAX_WORKERS);
        return -1;
    }
    if (label >= 0) {
        rt_error("%s: already inside an SPMD worker", who);
        return -1;
    }
    fflush(stdout);
    struct spmd_worker *ws = calloc((size_t)n, sizeof *ws);
    for (int i = 0; i < n; i++)
        ws[i] = (struct spmd_worker){body, i, n, procs};
    int rc = procs ? run_procs(ws, n) : run_threads(ws, n);
    free(ws);
    return rc;
}
