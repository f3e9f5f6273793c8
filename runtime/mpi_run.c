/* mpi_run.c — runs an %%mpi cell's program (see mpi_run.h): compile with
 * the session's compiler against Open MPI, launch with mpirun, label each
 * rank's lines as they arrive, report the rank that failed and why, and
 * draw the ranks' MPI calls and messages on the cell's timeline while the
 * job runs. */
#include "mpi_run.h"
#include "diag.h"
#include "events.h"
#include "rtrace.h"
#include "textutil.h"
#include "util.h"

#include <ctype.h>
#include <limits.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#pragma weak trace_rec_new_lane
#pragma weak trace_rec_window
#pragma weak trace_rec_open
#pragma weak trace_rec_close
#pragma weak trace_rec_relabel
#pragma weak trace_rec_pending

static struct mpi_job *pending;

static const char missing_mpi[] =
    "%%mpi needs Open MPI: install the Debian packages openmpi-bin and libopenmpi-dev\n"
    "(apt-get install openmpi-bin libopenmpi-dev), then run the cell again.";

void mpi_job_free(struct mpi_job *job)
{
    if (!job)
        return;
    free(job->source);
    free(job->cell);
    free(job->code);
    free(job->compiler);
    free(job->cflags);
    free(job->ldflags);
    strv_free(job->includes, job->nincludes);
    free(job->hostfile);
    strv_free(job->extra, job->nextra);
    free(job);
}

void mpi_job_set(struct mpi_job *job)
{
    mpi_job_free(pending);
    pending = job;
}

/* ------------------------------------------------------------------ */
/* Running programs                                                    */
/* ------------------------------------------------------------------ */

struct argv {
    char **v;
    size_t n;
};

static void arg_add(struct argv *a, const char *s)
{
    a->v = xrealloc(a->v, (a->n + 2) * sizeof *a->v);
    a->v[a->n++] = xstrdup(s);
    a->v[a->n] = NULL;
}

/* Adds the words of s (split at blanks; no quoting). */
static void arg_words(struct argv *a, const char *s)
{
    char *copy = xstrdup(s ? s : "");
    char *save = NULL;
    for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
        arg_add(a, w);
    free(copy);
}

/* Runs argv with stdout and stderr into out; returns the wait status, or
 * -1 when it could not start. */
static int capture(char *const *argv, struct buf *out)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(p[1], 1);
        dup2(p[1], 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    buf_read_fd(out, p[0]);
    close(p[0]);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return st;
}

/* mpicc --showme:WHAT, or NULL when Open MPI's wrapper is missing. */
static char *showme(const char *what)
{
    char opt[64];
    snprintf(opt, sizeof opt, "--showme:%s", what);
    char *argv[] = {"mpicc", opt, NULL};
    struct buf out = {0};
    int st = capture(argv, &out);
    if (st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        buf_free(&out);
        return NULL;
    }
    return buf_take(&out);
}

/* Whether prog is found on PATH. */
static int on_path(const char *prog)
{
    const char *path = getenv("PATH");
    char *copy = xstrdup(path ? path : "/usr/bin:/bin");
    char *save = NULL;
    int found = 0;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *f = xasprintf("%s/%s", d, prog);
        found = access(f, X_OK) == 0;
        free(f);
    }
    free(copy);
    return found;
}

/* ------------------------------------------------------------------ */
/* The job's folder                                                    */
/* ------------------------------------------------------------------ */

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *f = xasprintf("%s/%s", dir, e->d_name);
        unlink(f);
        free(f);
    }
    closedir(d);
    rmdir(dir);
}

/* Folders of earlier jobs whose cell process is gone (interrupted cells
 * end before they can clean up). */
static void remove_stale(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int pid = 0;
        if (sscanf(e->d_name, "parc-mpi-%d-", &pid) == 1 && pid > 0 && kill(pid, 0) < 0 && errno == ESRCH) {
            char *f = xasprintf("%s/%s", tmp, e->d_name);
            remove_tree(f);
            free(f);
        }
    }
    closedir(d);
}

static char *make_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    remove_stale(tmp);
    char *dir = xasprintf("%s/parc-mpi-%d-XXXXXX", tmp, (int)getpid());
    if (!mkdtemp(dir)) {
        free(dir);
        return NULL;
    }
    return dir;
}

static int write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    int rc = write_all(fd, data, len);
    close(fd);
    return rc;
}

/* The globals' values: per variable its name, NUL, 8-byte size, bytes
 * (read by parc_mpi_load). */
static int write_vars(const char *path, const struct parc_mpi_var *vars, unsigned long n)
{
    struct buf b = {0};
    for (unsigned long i = 0; i < n; i++) {
        unsigned long long sz = vars[i].size;
        buf_add(&b, vars[i].name, strlen(vars[i].name) + 1);
        buf_add(&b, &sz, sizeof sz);
        buf_add(&b, vars[i].addr, vars[i].size);
    }
    int rc = write_file(path, b.data ? b.data : "", b.len);
    buf_free(&b);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Compiling                                                           */
/* ------------------------------------------------------------------ */

/* Keeps the compiler's messages that matter: every error, and warnings
 * about the cell itself (those about the session's code were shown when
 * its cells ran). */
static char *keep_messages(const char *raw, const char *cell, int failed)
{
    struct buf out = {0};
    size_t cl = strlen(cell);
    int keep = 0;
    for (const char *p = raw; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) + 1 : strlen(p);
        int is_msg = memmem(p, n, ": error:", 8) || memmem(p, n, ": warning:", 10) || memmem(p, n, ": note:", 7);
        if (is_msg)
            keep = failed ? (memmem(p, n, ": error:", 8) != NULL || !strncmp(p, cell, cl))
                          : !strncmp(p, cell, cl);
        else if (strncmp(p, "In file included", 16) && strncmp(p, "tcc: error:", 11) && n > 1 && *p != ' ')
            keep = failed; /* linker lines: "undefined reference", "ld returned" */
        if (!strncmp(p, "tcc: error:", 11))
            keep = 1;
        if (keep)
            buf_add(&out, p, n);
        p += n;
    }
    return buf_take(&out);
}

/* Removes "DIR/" from text: TinyCC puts the source's folder before the
 * names #line gives. */
static void drop_prefix(struct buf *text, const char *dir)
{
    if (!text->len)
        return;
    buf_addc(text, 0);
    char *pre = xasprintf("%s/", dir);
    size_t n = strlen(pre);
    char *p;
    while ((p = strstr(text->data, pre)))
        memmove(p, p + n, strlen(p + n) + 1);
    text->len = strlen(text->data);
    free(pre);
}

/* Compiles the job's program to dir/prog. 0, or -1 after ending the cell
 * with the compiler's messages. */
static int compile(const struct mpi_job *job, const char *dir, const char *src, const char *prog)
{
    /* Asked once per session: a cell that succeeds becomes the session,
     * with what it learnt. */
    static char *cflags, *lflags;
    if (!cflags || !lflags) {
        free(cflags);
        free(lflags);
        cflags = showme("compile");
        lflags = showme("link");
    }
    if (!cflags || !lflags || !on_path("mpirun")) {
        remove_tree(dir);
        rt_cell_fail(0, "MPINotFound", "%%mpi needs Open MPI (Debian packages openmpi-bin and libopenmpi-dev)",
                     missing_mpi);
    }
    struct argv a = {0};
    int tcc = !strcmp(job->compiler, "tcc");
    arg_words(&a, job->compiler);
    if (!tcc && strstr(job->compiler, "clang"))
        arg_words(&a, "-fno-color-diagnostics -fno-caret-diagnostics");
    if (!tcc)
        arg_words(&a, "-Wall -Wno-unused-function -Wno-unused-variable");
    arg_add(&a, "-o");
    arg_add(&a, prog);
    arg_add(&a, src);
    for (size_t i = 0; i < job->nincludes; i++) {
        arg_add(&a, "-I");
        arg_add(&a, job->includes[i]);
    }
    arg_words(&a, cflags);
    arg_words(&a, job->cflags);
    arg_words(&a, lflags);
    arg_words(&a, "-lm -lpthread");
    arg_words(&a, job->ldflags);
    struct buf out = {0};
    int st = capture(a.v, &out);
    int failed = st < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 127) {
        char *msg = xasprintf("%%%%mpi: the compiler %s was not found", a.v[0]);
        strv_free(a.v, a.n);
        rt_cell_fail(0, "CompileError", msg, msg);
    }
    strv_free(a.v, a.n);
    drop_prefix(&out, dir);
    char *kept = keep_messages(out.data ? out.data : "", job->cell, failed);
    buf_free(&out);
    struct buf shown = {0};
    diag_format(&shown, job->cell, job->code, kept);
    free(kept);
    if (failed) {
        const char *text = shown.len ? shown.data : "%%mpi: the program did not compile";
        const char *nl = strchr(text, '\n');
        char *first = nl ? xstrndup(text, (size_t)(nl - text)) : xstrdup(text);
        remove_tree(dir);
        rt_cell_fail(0, "CompileError", first, text);
    }
    if (shown.len) {
        fputs(shown.data, stderr);
        fflush(stderr);
    }
    buf_free(&shown);
    return 0;
}

/* ------------------------------------------------------------------ */
/* What the ranks recorded                                             */
/* ------------------------------------------------------------------ */

/* Records arrive while the job runs (runtime/include/parc_mpi.h) and go
 * straight into the cell's recorder, where the live timeline
 * (engine/timeline.c) finds them: a lane per rank made when the first
 * rank starts, its time from MPI_Init as an open computing task, each MPI
 * call a wait over it once it returned, and the k-th message of a (source,
 * destination, tag) an arrow to the k-th receive of the same (MPI keeps
 * their order) once both ends are in. */

static const char *const call_names[] = {
    "MPI_Send",   "MPI_Recv",   "MPI_Isend",     "MPI_Irecv",     "MPI_Wait",   "MPI_Waitall",
    "MPI_Sendrecv", "MPI_Ssend", "MPI_Barrier",  "MPI_Bcast",     "MPI_Reduce", "MPI_Allreduce",
    "MPI_Gather", "MPI_Allgather", "MPI_Scatter", "MPI_Alltoall", "MPI_Test",     "MPI_Waitany",
    "MPI_Gatherv", "MPI_Allgatherv", "MPI_Scatterv", "MPI_Scan",
};

/* Records come on the ranks' stdout, where the cell's own output can forge
 * them: what they may cost is bounded, and times a rank cannot have sent
 * (whose sums would overflow) are not taken. */
#define MAX_RANKS 1024         /* ranks with records when their number is not known */
#define MAX_RECORDS 250000     /* per rank: PM_MAX_EVENTS, and room */
#define MAX_HELD (64LL << 20)  /* bytes kept for records at once, about */
#define MAX_RECORD_LEN 512     /* a longer line is no record */
#define MAX_TIME (1LL << 59)   /* ns: 18 years */
#define MAX_COUNT (1LL << 40)  /* calls a rank left out */

/* One end of a message whose other end has not come yet (trace times). */
struct msg_end {
    long long t, bytes;
};

/* The messages of one (source, destination, tag): the ends of one side
 * waiting for the other's. */
struct channel {
    int used, src, dst, sends; /* sends: the queue holds sends, else receives */
    long long tag;
    struct msg_end *q;
    size_t head, n, cap;
};

/* One rank as its records tell it. Times in records count from the rank's
 * MPI_Init (ns); a record's time t is t - shift on the cell's trace. */
struct rank_rec {
    int seen;    /* its lane record came: pid, host, clock */
    int placed;  /* shift is known: its records go to the trace */
    int local;   /* on this machine (same host name): same clock */
    int ended;   /* reached MPI_Finalize (b1) */
    int exited, crash_sig, aborted, abort_code, pid;
    int lane;      /* -1: none */
    int call_kind; /* the MPI call in progress (-1: none), since call_t0 */
    long long call_t0;
    char host[64];
    long long offset;  /* its clock minus rank 0's */
    long long t_init;  /* its MPI_Init on its own clock */
    long long arrived; /* when its lane record came (this machine's clock) */
    long long shift, b1, dropped;
    long long last;    /* the latest time it is known to have run */
    long long crash_t; /* when its crashing signal came (crash_sig) */
    long long records; /* its records kept: held, or of messages and calls */
    struct buf held;       /* lines that came before the rank could be placed */
    struct buf partial[2]; /* stdout, stderr: a line the rank has not ended */
};

struct job_state {
    struct rank_rec *ranks;
    size_t nranks;
    int expected;        /* ranks asked for; 0: not known */
    int max_ranks;       /* ranks whose records are taken */
    size_t lanes_made;   /* ranks below this have a lane (or never will) */
    struct channel *chans;
    size_t chans_cap, nchans;
    long long origin;    /* CLOCK_MONOTONIC of the recording's time 0 */
    long long lo;        /* the earliest rank's MPI_Init, trace time */
    int have_lo, compute;
    long long held;      /* bytes kept for held lines and messages' ends */
    long long ignored;   /* records over MAX_RECORDS or MAX_HELD */
    char local[256];
    struct buf launcher; /* mpirun's own messages */
};

static long long mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Whether t can be a time in a rank's record. */
static int sane(long long t)
{
    return t > -MAX_TIME && t < MAX_TIME;
}

static int tracing(void)
{
    return rtrace_on() && trace_rec_new_lane && trace_rec_open;
}

static struct rank_rec *rank_at(struct job_state *js, int r)
{
    if (r < 0 || r > 1 << 16)
        return NULL;
    if ((size_t)r >= js->nranks) {
        js->ranks = xrealloc(js->ranks, (size_t)(r + 1) * sizeof *js->ranks);
        memset(js->ranks + js->nranks, 0, ((size_t)r + 1 - js->nranks) * sizeof *js->ranks);
        for (size_t i = js->nranks; i <= (size_t)r; i++)
            js->ranks[i].lane = js->ranks[i].call_kind = -1;
        js->nranks = (size_t)r + 1;
    }
    return &js->ranks[r];
}

/* The lanes of ranks 0..upto, made in rank order whichever rank starts
 * first; each is named "rank N" until its rank says more. */
static void make_lanes(struct job_state *js, int upto)
{
    if (js->expected > 0 && upto < js->expected - 1)
        upto = js->expected - 1;
    if (!rank_at(js, upto))
        return;
    for (; js->lanes_made <= (size_t)upto; js->lanes_made++) {
        char label[32];
        snprintf(label, sizeof label, "rank %zu", js->lanes_made);
        js->ranks[js->lanes_made].lane = tracing() ? trace_rec_new_lane(label) : -1;
    }
}

/* The lane's label: "rank 2 (pid 123)", "rank 2 (pid 123 on node7)", with
 * how it ended first when it did not end well: "rank 2 (crashed, pid 123)"
 * (text timelines keep a label's first 24 characters). */
static void label_lane(struct job_state *js, int r, const char *fate)
{
    struct rank_rec *rr = &js->ranks[r];
    if (rr->lane < 0 || !trace_rec_relabel)
        return;
    char label[128];
    if (!rr->seen)
        snprintf(label, sizeof label, "rank %d%s%s%s", r, fate ? " (" : "", fate ? fate : "", fate ? ")" : "");
    else
        snprintf(label, sizeof label, "rank %d (%s%spid %d%s%s)", r, fate ? fate : "", fate ? ", " : "", rr->pid,
                 rr->local ? "" : " on ", rr->local ? "" : rr->host);
    trace_rec_relabel(rr->lane, label);
}

/* Live, the picture starts at the first rank's MPI_Init: launching and
 * compiling would leave the ranks a sliver. */
static void window_from(struct job_state *js, long long t)
{
    if (js->have_lo && t >= js->lo)
        return;
    js->lo = t;
    js->have_lo = 1;
    if (trace_rec_window && tracing())
        trace_rec_window(t > 0 ? t : 0, INT64_MAX);
}

static struct channel *channel_of(struct job_state *js, int src, int dst, long long tag)
{
    if (2 * (js->nchans + 1) > js->chans_cap) {
        size_t cap = js->chans_cap ? js->chans_cap * 2 : 64;
        struct channel *old = js->chans;
        size_t old_cap = js->chans_cap;
        js->chans = xcalloc(cap, sizeof *js->chans);
        js->chans_cap = cap;
        js->nchans = 0;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].used) {
                struct channel *c = channel_of(js, old[i].src, old[i].dst, old[i].tag);
                *c = old[i];
            }
        free(old);
    }
    unsigned long long h = ((unsigned long long)(unsigned)src * 1000003u + (unsigned)dst) * 0x9e3779b97f4a7c15ull ^
                           (unsigned long long)tag;
    size_t i = (size_t)(h ^ (h >> 29)) & (js->chans_cap - 1);
    while (js->chans[i].used && !(js->chans[i].src == src && js->chans[i].dst == dst && js->chans[i].tag == tag))
        i = (i + 1) & (js->chans_cap - 1);
    struct channel *c = &js->chans[i];
    if (!c->used) {
        *c = (struct channel){.used = 1, .src = src, .dst = dst, .tag = tag};
        js->nchans++;
    }
    return c;
}

/* One end of a message (at trace time t): an arrow when the other end is
 * in, else it waits in its channel. */
static void message_end(struct job_state *js, int src, int dst, long long tag, long long bytes, long long t, int send)
{
    if ((size_t)src >= js->nranks || (size_t)dst >= js->nranks || src < 0 || dst < 0)
        return;
    struct channel *c = channel_of(js, src, dst, tag);
    if (c->n && c->sends != send) {
        struct msg_end other = c->q[c->head];
        c->head = (c->head + 1) % c->cap;
        c->n--;
        js->held -= 2 * (long long)sizeof other;
        long long from = send ? t : other.t, to = send ? other.t : t;
        char name[96];
        snprintf(name, sizeof name, "message, tag %lld, %lld bytes", tag, send ? bytes : other.bytes);
        if (tracing())
            rtrace_arrow(js->ranks[src].lane, from, js->ranks[dst].lane, to, trace_rec_name(name));
        return;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4;
        struct msg_end *q = xmalloc(cap * sizeof *q);
        for (size_t i = 0; i < c->n; i++)
            q[i] = c->q[(c->head + i) % c->cap];
        free(c->q);
        c->q = q;
        c->head = 0;
        c->cap = cap;
    }
    c->sends = send;
    c->q[(c->head + c->n++) % c->cap] = (struct msg_end){t, bytes};
    js->held += 2 * (long long)sizeof *c->q;
}

static void later(long long *last, long long t)
{
    if (t > *last)
        *last = t;
}

/* Rank r is in an MPI call of kind since t0 (kind -1: no more): shown as
 * a wait that grows until the call's record comes. */
static void in_call(struct job_state *js, int r, int kind, long long t0)
{
    struct rank_rec *rr = &js->ranks[r];
    rr->call_kind = kind;
    rr->call_t0 = t0;
    if (tracing() && trace_rec_pending && rr->lane >= 0)
        trace_rec_pending(rr->lane, kind < 0 ? -1 : trace_rec_name(call_names[kind]), t0 - rr->shift);
}

/* A record of placed rank r: into the recorder. */
static void apply(struct job_state *js, int r, const char *s)
{
    struct rank_rec *rr = &js->ranks[r];
    long long a, b, c, d;
    int kind;
    if (sscanf(s, "E %d %lld %lld %lld %lld", &kind, &a, &b, &c, &d) == 5) {
        if (kind < 0 || kind >= (int)(sizeof call_names / sizeof *call_names) || !sane(a) || !sane(b))
            return;
        if (tracing())
            rtrace_event(rr->lane, TRACE_WAIT, trace_rec_name(call_names[kind]), a - rr->shift, b - rr->shift, c, d);
        later(&rr->last, b);
        if (rr->call_kind >= 0 && a >= rr->call_t0)
            in_call(js, r, -1, 0);
    } else if (sscanf(s, "W %d %lld", &kind, &a) == 2) {
        if (sane(a) && kind >= 0 && kind < (int)(sizeof call_names / sizeof *call_names))
            in_call(js, r, kind, a);
    } else if (sscanf(s, "S %lld %lld %lld %lld", &a, &b, &c, &d) == 4 && sane(d)) {
        message_end(js, r, (int)a, b, c, d - rr->shift, 1);
    } else if (sscanf(s, "R %lld %lld %lld %lld", &a, &b, &c, &d) == 4 && sane(d)) {
        message_end(js, (int)a, r, b, c, d - rr->shift, 0);
    } else if (sscanf(s, "F %lld", &a) == 1 && sane(a)) {
        later(&rr->last, a);
    } else if (sscanf(s, "B %lld %lld", &a, &b) == 2 && sane(b)) {
        rr->ended = 1;
        rr->b1 = b;
        later(&rr->last, b);
        if (tracing())
            trace_rec_close(rr->lane, b - rr->shift);
    } else if (sscanf(s, "D %lld", &a) == 1 && a >= 0 && a < MAX_COUNT) {
        rr->dropped = a;
    } else if (sscanf(s, "C %d %lld", &kind, &a) == 2 && sane(a)) {
        rr->crash_sig = kind;
        rr->crash_t = a;
        later(&rr->last, a);
    } else if (sscanf(s, "X %lld", &a) == 1 && sane(a)) {
        rr->exited = 1;
        later(&rr->last, a);
    }
}

/* Places rank r once it can be: a rank on this machine shares its clock;
 * one on another is put on rank 0's clock by its offset, and rank 0's, if
 * it is elsewhere too, at the time its first record came. Then its lane
 * opens and what it sent meanwhile is drawn. */
static void place(struct job_state *js, int r)
{
    make_lanes(js, r); /* first: it may move js->ranks */
    struct rank_rec *rr = &js->ranks[r], *r0 = &js->ranks[0];
    if (!rr->seen || rr->placed || (!rr->local && !r0->seen))
        return;
    long long c = r0->local ? 0 : r0->t_init - r0->arrived;
    /* Records after the lane's count from the rank's MPI_Init. */
    rr->shift = js->origin + (rr->local ? 0 : rr->offset + c) - rr->t_init;
    rr->placed = 1;
    rr->last = 0;
    label_lane(js, r, NULL);
    if (tracing())
        trace_rec_open(rr->lane, TRACE_TASK, js->compute, -rr->shift);
    window_from(js, -rr->shift);
    js->held -= (long long)rr->held.len;
    char *held = buf_take(&rr->held);
    for (char *line = held, *nl; line && *line; line = nl + 1) {
        nl = strchr(line, '\n');
        *nl = 0;
        apply(js, r, line);
    }
    free(held);
    /* Ranks past the job's have pieces of output (a tag a rank printed),
     * never a lane. */
    if (r == 0)
        for (size_t i = 1; i < js->nranks && (int)i < js->max_ranks; i++)
            place(js, (int)i);
}

/* One "\036parc-mpi ..." line of rank r. */
static void record_line(struct job_state *js, int r, const char *s)
{
    if (r >= js->max_ranks || strlen(s) > MAX_RECORD_LEN)
        return;
    struct rank_rec *rr = rank_at(js, r);
    if (!rr)
        return;
    long long a, b, c;
    char host[64];
    /* Lines held, messages' ends and calls: what an honest rank sends at
     * most PM_MAX_EVENTS of, and what memory is kept for. */
    if (*s != 'L' && *s != 'A' && (!rr->placed || *s == 'S' || *s == 'R' || *s == 'E')) {
        long long kept = js->held + (long long)(js->chans_cap * sizeof *js->chans);
        if (rr->records >= MAX_RECORDS || (kept > MAX_HELD && (*s != 'E' || !rr->placed))) {
            js->ignored++;
            return;
        }
        rr->records++;
    }
    if (sscanf(s, "L %lld %63s %lld %lld", &a, host, &b, &c) == 4) {
        if (!sane(b) || !sane(c))
            return;
        rr->seen = 1;
        rr->pid = (int)a;
        snprintf(rr->host, sizeof rr->host, "%s", host);
        rr->local = !strcmp(host, js->local);
        rr->offset = b;
        rr->t_init = c;
        rr->arrived = mono_now();
        place(js, r);
    } else if (sscanf(s, "A %lld", &a) == 1) {
        rr->aborted = 1;
        rr->abort_code = (int)a;
    } else if (!rr->placed) {
        js->held += (long long)strlen(s) + 1;
        buf_adds(&rr->held, s);
        buf_addc(&rr->held, '\n');
    } else {
        apply(js, r, s);
    }
}

/* After the job: ranks that did not reach MPI_Finalize end at their last
 * record and their lanes say why; the picture is cut to the ranks' time.
 * failed: the job failed (a rank that never started says so). */
static void finish(struct job_state *js, int failed)
{
    /* Ranks elsewhere whose rank 0 never started: on this machine's clock. */
    for (size_t r = 0; r < js->nranks; r++)
        if (js->ranks[r].seen && !js->ranks[r].placed) {
            js->ranks[r].local = 1;
            place(js, (int)r);
        }
    long long hi = 0, dropped = 0;
    int any = 0;
    for (size_t r = 0; r < js->nranks; r++) {
        struct rank_rec *rr = &js->ranks[r];
        const char *fate = NULL;
        if (rr->aborted)
            fate = "MPI_Abort";
        else if (rr->crash_sig && rr->crash_sig != SIGTERM)
            fate = "crashed";
        else if (rr->exited)
            fate = "exited early";
        else if (rr->placed && !rr->ended)
            fate = "killed";
        else if (!rr->seen && failed)
            fate = "not started";
        if (rr->placed && rr->call_kind >= 0) {
            /* Killed inside a call without a word: the call lasted to its end. */
            if (!rr->ended && tracing())
                rtrace_event(rr->lane, TRACE_WAIT, trace_rec_name(call_names[rr->call_kind]),
                             rr->call_t0 - rr->shift, rr->last - rr->shift, -1, 0);
            in_call(js, (int)r, -1, 0);
        }
        if (rr->placed && !rr->ended && tracing())
            trace_rec_close(rr->lane, rr->last - rr->shift);
        if (rr->placed && rr->crash_t && fate && !strcmp(fate, "crashed") && tracing()) {
            /* Where it died, from its own handler. */
            char *what = xasprintf("crashed: %s (signal %d)", strsignal(rr->crash_sig), rr->crash_sig);
            rtrace_event(rr->lane, TRACE_MARK, trace_rec_name(what), rr->crash_t - rr->shift,
                         rr->crash_t - rr->shift, rr->crash_sig, TRACE_NO_ARG);
            free(what);
        }
        if (fate)
            label_lane(js, (int)r, fate);
        /* Sending the last records takes time: a rank that finished ends there. */
        long long end = (rr->ended ? rr->b1 : rr->last) - rr->shift;
        if (rr->placed && (!any || end > hi))
            hi = end, any = 1;
        dropped += rr->dropped;
    }
    dropped += js->ignored;
    long long margin = (hi - js->lo) / 50;
    if (any && js->have_lo && hi > js->lo && trace_rec_window && tracing())
        trace_rec_window(js->lo - margin > 0 ? js->lo - margin : 0, hi + margin);
    if (dropped)
        fprintf(stderr, "parc: %%%%mpi: the timeline lacks %lld MPI calls (more than 200000 per rank)\n", dropped);
}

/* ------------------------------------------------------------------ */
/* Output of the ranks                                                 */
/* ------------------------------------------------------------------ */

/* The digits at *p, moved past: their value (at most INT_MAX), or -1 if
 * there are none. */
static int tag_number(const char **p)
{
    if (!isdigit((unsigned char)**p))
        return -1;
    char *end;
    long v = strtol(*p, &end, 10); /* LONG_MAX past its range */
    *p = end;
    return v > INT_MAX ? INT_MAX : (int)v;
}

/* "[1,3]<stdout>:text": the rank (3), the stream, the text; or -1 for a
 * line of mpirun's own. By hand, in time independent of the rest of the
 * line: next_tag tries it at every '[' of a rank's line. */
static int parse_tag(const char *line, int *err, const char **text)
{
    const char *p = line;
    if (*p++ != '[' || tag_number(&p) < 0 || *p++ != ',')
        return -1;
    int rank = tag_number(&p);
    if (rank < 0 || *p++ != ']')
        return -1;
    if (!strncmp(p, "<stdout>:", 9))
        *err = 0;
    else if (!strncmp(p, "<stderr>:", 9))
        *err = 1;
    else
        return -1;
    *text = p + 9;
    return rank;
}

/* The next tag in s, or NULL. */
static const char *next_tag(const char *s)
{
    int err;
    const char *text;
    for (const char *p = s; (p = strchr(p, '[')); p++)
        if (parse_tag(p, &err, &text) >= 0)
            return p;
    return NULL;
}

/* A whole line of rank r's stream err: shown as "[r] text", or a record.
 * A record within the line follows text the rank had not ended yet: that
 * text waits for the rest of its line. */
static void rank_line(struct job_state *js, int r, int err, const char *text)
{
    const char *rec = strstr(text, "\036parc-mpi ");
    if (rec) {
        struct rank_rec *rr = rank_at(js, r);
        if (rr && rec > text)
            buf_add(&rr->partial[err], text, (size_t)(rec - text));
        record_line(js, r, rec + 10);
        return;
    }
    FILE *f = err ? stderr : stdout;
    fprintf(f, "[%d] %s\n", r, text);
}

/* One line from mpirun's stdout or stderr: pieces of ranks' streams, each
 * after its tag. A piece another tag follows is the start of a line its
 * rank has not ended (mpirun tags what it reads as it comes). */
static void handle_line(struct job_state *js, char *line)
{
    int err;
    const char *text;
    int rank = parse_tag(line, &err, &text);
    if (rank < 0) {
        buf_adds(&js->launcher, line);
        buf_addc(&js->launcher, '\n');
        return;
    }
    while (rank >= 0) {
        const char *next = next_tag(text);
        struct rank_rec *rr = rank_at(js, rank);
        if (!rr)
            return;
        struct buf *part = &rr->partial[err];
        buf_add(part, text, next ? (size_t)(next - text) : strlen(text));
        if (!next) {
            buf_addc(part, 0);
            char *whole = buf_take(part);
            rank_line(js, rank, err, whole);
            free(whole);
            return;
        }
        rank = parse_tag(next, &err, &text);
    }
}

/* Lines ranks left unended when the job ended. */
static void flush_partial(struct job_state *js)
{
    for (size_t r = 0; r < js->nranks; r++)
        for (int err = 0; err < 2; err++)
            if (js->ranks[r].partial[err].len) {
                buf_addc(&js->ranks[r].partial[err], 0);
                char *t = buf_take(&js->ranks[r].partial[err]);
                fprintf(err ? stderr : stdout, "[%zu] %s\n", r, t);
                free(t);
            }
    fflush(stdout);
    fflush(stderr);
}

struct stream {
    int fd;
    struct buf pending;
};

/* Reads what is there; hands on every complete line. 0 at end of file. */
static int pump(struct job_state *js, struct stream *s)
{
    char chunk[65536];
    ssize_t n = read(s->fd, chunk, sizeof chunk);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 1 : 0;
    if (n == 0) {
        if (s->pending.len) {
            buf_addc(&s->pending, 0);
            handle_line(js, s->pending.data);
            s->pending.len = 0;
        }
        return 0;
    }
    buf_add(&s->pending, chunk, (size_t)n);
    size_t start = 0;
    for (size_t i = 0; i < s->pending.len; i++)
        if (s->pending.data[i] == '\n') {
            s->pending.data[i] = 0;
            handle_line(js, s->pending.data + start);
            start = i + 1;
        }
    memmove(s->pending.data, s->pending.data + start, s->pending.len - start);
    s->pending.len -= start;
    fflush(stdout);
    fflush(stderr);
    return 1;
}

/* ------------------------------------------------------------------ */
/* Failures                                                            */
/* ------------------------------------------------------------------ */

/* Why the job failed, from mpirun's messages and the ranks' own notes, in
 * a sentence per rank; NULL if nothing is recognised. */
static char *failure_reason(struct job_state *js)
{
    struct buf b = {0};
    const char *m = js->launcher.data ? js->launcher.data : "";
    const char *p;
    int rank, sig, code;
    char name[128];
    for (p = m; (p = strstr(p, "process rank ")); p++)
        if (sscanf(p, "process rank %d with PID %*d on node %*s exited on signal %d (%127[^)])", &rank, &sig, name) ==
            3)
            buf_printf(&b, "rank %d crashed: %s (signal %d)\n", rank, name, sig);
    for (size_t r = 0; r < js->nranks; r++)
        if (js->ranks[r].aborted)
            buf_printf(&b, "rank %zu called MPI_Abort with error code %d\n", r, js->ranks[r].abort_code);
    if (!b.len && (p = strstr(m, "MPI_ABORT was invoked on rank ")) &&
        sscanf(p, "MPI_ABORT was invoked on rank %d in communicator %*s with errorcode %d", &rank, &code) == 2)
        buf_printf(&b, "rank %d called MPI_Abort with error code %d\n", rank, code);
    if ((p = strstr(m, "Process name: [[")) && !strstr(m, "exited on signal")) {
        int job, step;
        const char *ec = strstr(p, "Exit code:");
        if (sscanf(p, "Process name: [[%d,%d],%d]", &job, &step, &rank) == 3 && ec &&
            sscanf(ec, "Exit code: %d", &code) == 1)
            buf_printf(&b, "rank %d ended with exit status %d\n", rank, code);
    }
    if (!b.len && (p = strstr(m, "exited due to process rank ")) &&
        sscanf(p, "exited due to process rank %d", &rank) == 1 && strstr(p, "exiting improperly"))
        buf_printf(&b, "rank %d ended without MPI_Finalize (exit() in the body ends its rank early)\n", rank);
    int slots;
    if (!b.len && (p = strstr(m, "not enough slots available")) &&
        sscanf(p, "not enough slots available in the system to satisfy the %d", &slots) == 1)
        buf_printf(&b, "mpirun has fewer slots than the %d ranks asked for (add slots to the hostfile, or use "
                       "--oversubscribe)\n",
                   slots);
    if (!b.len) {
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b);
}

/* mpirun's message without its frames of dashes and blank lines. */
static char *launcher_text(const struct buf *l)
{
    struct buf b = {0};
    for (const char *p = l->data ? l->data : ""; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n && strspn(p, "-") != n)
            buf_add(&b, p, n), buf_addc(&b, '\n');
        p += n + (e != NULL);
    }
    return buf_take(&b);
}

/* ------------------------------------------------------------------ */
/* The job                                                             */
/* ------------------------------------------------------------------ */

static int cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Whether every host the hostfile names is this machine. */
static int only_this_machine(const char *hostfile)
{
    FILE *f = fopen(hostfile, "r");
    if (!f)
        return 0;
    char me[256] = "", line[1024];
    gethostname(me, sizeof me - 1);
    size_t short_len = strcspn(me, ".");
    int local = 1;
    while (local && fgets(line, sizeof line, f)) {
        char host[256];
        if (sscanf(line, " %255[^ \t\n#]", host) != 1)
            continue; /* blank or comment */
        local = !strcmp(host, "localhost") || !strcmp(host, "127.0.0.1") || !strcmp(host, me) ||
                (strlen(host) == short_len && !strncmp(host, me, short_len));
    }
    fclose(f);
    return local;
}

static void launcher_args(const struct mpi_job *job, const char *prog, struct argv *a)
{
    arg_add(a, "mpirun");
    if (geteuid() == 0)
        arg_add(a, "--allow-run-as-root");
    int n = job->nranks;
    if (!n && !job->hostfile)
        n = cores();
    if (n) {
        char num[16];
        snprintf(num, sizeof num, "%d", n);
        arg_add(a, "-n");
        arg_add(a, num);
    }
    if (job->hostfile) {
        arg_add(a, "--hostfile");
        arg_add(a, job->hostfile);
    }
    if (!job->hostfile || only_this_machine(job->hostfile)) {
        /* One machine: shared memory only (half the launch time). */
        arg_words(a, "--mca pml ob1 --mca btl self,vader");
    }
    if (job->oversubscribe || (!job->hostfile && n > cores()))
        arg_add(a, "--oversubscribe");
    arg_add(a, "--tag-output");
    for (size_t i = 0; i < job->nextra; i++)
        arg_add(a, job->extra[i]);
    arg_add(a, prog);
}

/* Starts mpirun with stdout and stderr on pipes; its pid, or -1. */
static pid_t launch(char *const *argv, const char *vars, int out[2])
{
    int o[2], e[2];
    if (pipe2(o, O_CLOEXEC) < 0)
        return -1;
    if (pipe2(e, O_CLOEXEC) < 0) {
        close(o[0]);
        close(o[1]);
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(o[1], 1);
        dup2(e[1], 2);
        setenv("PARC_MPI_VARS", vars, 1);
        /* parc reports crashes itself: no backtraces from Open MPI. */
        setenv("OMPI_MCA_opal_signal", "", 1);
        signal(SIGINT, SIG_DFL);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(o[1]);
    close(e[1]);
    out[0] = o[0];
    out[1] = e[0];
    if (pid < 0) {
        close(o[0]);
        close(e[0]);
    }
    return pid;
}

static void state_free(struct job_state *js)
{
    for (size_t r = 0; r < js->nranks; r++) {
        buf_free(&js->ranks[r].held);
        buf_free(&js->ranks[r].partial[0]);
        buf_free(&js->ranks[r].partial[1]);
    }
    free(js->ranks);
    for (size_t i = 0; i < js->chans_cap; i++)
        free(js->chans[i].q);
    free(js->chans);
    buf_free(&js->launcher);
}

/* What mpirun says of ranks that its ranks could not say themselves (a
 * crash while their records were being sent, SIGKILL, an exit status). */
static void fates_from_launcher(struct job_state *js)
{
    const char *m = js->launcher.data ? js->launcher.data : "";
    int rank, sig, job, step;
    for (const char *p = m; (p = strstr(p, "process rank ")); p++)
        if (sscanf(p, "process rank %d with PID %*d on node %*s exited on signal %d", &rank, &sig) == 2 &&
            rank_at(js, rank) && !js->ranks[rank].crash_sig)
            js->ranks[rank].crash_sig = sig;
    const char *p = strstr(m, "Process name: [[");
    if (p && sscanf(p, "Process name: [[%d,%d],%d]", &job, &step, &rank) == 3 && rank_at(js, rank) &&
        strstr(p, "Exit code:"))
        js->ranks[rank].exited = 1;
}

int parc__mpi_run(const struct parc_mpi_var *vars, unsigned long nvars)
{
    struct mpi_job *job = pending;
    pending = NULL;
    if (!job) {
        fprintf(stderr, "parc: parc__mpi_run is called by %%%%mpi cells only\n");
        return -1;
    }
    char *dir = make_dir();
    if (!dir)
        rt_cell_fail(0, "MPIError", "%%mpi: cannot create a temporary folder", "%%mpi: cannot create a temporary folder");
    char *src = xasprintf("%s/cell.c", dir), *prog = xasprintf("%s/cell", dir), *vfile = xasprintf("%s/vars", dir);
    if (write_file(src, job->source, strlen(job->source)) < 0 || write_vars(vfile, vars, nvars) < 0) {
        remove_tree(dir);
        rt_cell_fail(0, "MPIError", "%%mpi: cannot write to the temporary folder", "%%mpi: cannot write its files");
    }
    compile(job, dir, src, prog);

    struct argv a = {0};
    launcher_args(job, prog, &a);
    int fds[2];
    pid_t pid = launch(a.v, vfile, fds);
    strv_free(a.v, a.n);
    if (pid < 0) {
        remove_tree(dir);
        rt_cell_fail(0, "MPINotFound", "%%mpi: mpirun could not be started", missing_mpi);
    }
    struct job_state js = {0};
    js.expected = job->nranks ? job->nranks : job->hostfile ? 0 : cores();
    /* mpirun's own arguments may ask for other ranks (a later -n wins). */
    js.max_ranks = js.expected > 0 && !job->nextra ? js.expected : MAX_RANKS;
    js.origin = mono_now() - (tracing() ? trace_rec_now() : 0);
    js.compute = tracing() ? trace_rec_name("computing") : -1;
    gethostname(js.local, sizeof js.local - 1);
    struct stream s[2] = {{fds[0], {0}}, {fds[1], {0}}};
    int open_streams = 2;
    while (open_streams) {
        struct pollfd p[2] = {{s[0].fd, POLLIN, 0}, {s[1].fd, POLLIN, 0}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++)
            if (s[i].fd >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR)) && !pump(&js, &s[i])) {
                close(s[i].fd);
                s[i].fd = -1;
                open_streams--;
            }
    }
    buf_free(&s[0].pending);
    buf_free(&s[1].pending);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    flush_partial(&js);
    remove_tree(dir);
    free(dir);
    free(src);
    free(prog);
    free(vfile);
    int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    if (ok) {
        char *said = launcher_text(&js.launcher);
        if (*said)
            fputs(said, stderr);
        free(said);
        finish(&js, 0);
        state_free(&js);
        mpi_job_free(job);
        return 0;
    }
    fates_from_launcher(&js);
    finish(&js, 1);
    char *why = failure_reason(&js);
    char *said = launcher_text(&js.launcher);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && !*said) {
        free(said);
        said = xstrdup(missing_mpi);
    }
    char *evalue = why ? xasprintf("%%%%mpi: %s", why) : xstrdup("%%mpi: the MPI job failed");
    size_t n = strlen(evalue);
    while (n && evalue[n - 1] == '\n')
        evalue[--n] = 0;
    char *tb = why ? xstrdup(evalue) : xasprintf("%s\n%s", evalue, said);
    for (char *c = evalue; *c; c++)
        if (*c == '\n')
            *c = ';';
    free(why);
    free(said);
    state_free(&js);
    mpi_job_free(job);
    rt_cell_fail(1, "MPIError", evalue, tb);
}
