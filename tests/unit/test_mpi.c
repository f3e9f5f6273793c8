/* test_mpi.c — %%mpi cells through the engine API, for what golden cell
 * tests cannot show: lines arriving as ranks print them, stdout and stderr
 * of ranks kept apart, a line written in pieces while the ranks send
 * their records, an endless MPI job interrupted with every rank
 * gone, and the timeline's SVG (a lane per rank, an arrow per message).
 * Prints each failed check and a final "N passed, M failed" line; without
 * Open MPI it says so and fails. */
#include "engine.h"
#include "util.h"
#include "check.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct capture {
    struct buf out, err, result, error;
    int spinning; /* lines saying "spinning" so far */
    long long first_out_ns, last_out_ns;
};

static void on_event(void *ctx, const struct engine_event *ev)
{
    struct capture *c = ctx;
    if (ev->kind == ENGINE_EV_STDOUT) {
        if (!c->out.len)
            c->first_out_ns = now_ns();
        c->last_out_ns = now_ns();
        buf_add(&c->out, ev->data, ev->len);
        for (const char *p = ev->data; (p = memmem(p, ev->len - (size_t)(p - ev->data), "spinning", 8)); p += 8)
            __atomic_add_fetch(&c->spinning, 1, __ATOMIC_RELEASE);
    }
    else if (ev->kind == ENGINE_EV_STDERR)
        buf_add(&c->err, ev->data, ev->len);
    else if (ev->kind == ENGINE_EV_RESULT)
        buf_adds(&c->result, ev->mime[0].data);
    else if (ev->kind == ENGINE_EV_ERROR)
        buf_adds(&c->error, ev->evalue);
}

static void capture_free(struct capture *c)
{
    buf_free(&c->out);
    buf_free(&c->err);
    buf_free(&c->result);
    buf_free(&c->error);
    memset(c, 0, sizeof *c);
}

static enum engine_status run(struct engine *e, const char *code, struct capture *c)
{
    capture_free(c);
    struct engine_exec ex = {.cell_no = 1, .on_event = on_event, .ctx = c};
    return engine_execute(e, code, &ex);
}

static const char *str(const struct buf *b)
{
    return b->data ? b->data : "";
}

/* Processes still running whose command line names an %%mpi job's
 * folder (mpirun and the ranks). */
static int job_processes(void)
{
    DIR *d = opendir("/proc");
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        int pid = atoi(de->d_name);
        if (pid <= 0)
            continue;
        char path[64], cmd[4096];
        snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t len = fread(cmd, 1, sizeof cmd - 1, f);
        fclose(f);
        for (size_t i = 0; i < len; i++)
            if (!cmd[i])
                cmd[i] = ' ';
        cmd[len] = 0;
        /* A zombie has an empty command line: it is gone already. */
        n += strstr(cmd, "parc-mpi-") != NULL;
    }
    if (d)
        closedir(d);
    return n;
}

static void test_streams(struct engine *e)
{
    struct capture c = {0};
    enum engine_status st = run(e,
                                "%%mpi -n 2\n"
                                "printf(\"out of %d\\n\", rank);\n"
                                "fprintf(stderr, \"err of %d\\n\", rank);\n",
                                &c);
    CHECK(st == ENGINE_OK, "status %s: %s", engine_status_name(st), str(&c.error));
    CHECK(strstr(str(&c.out), "[0] out of 0\n") && strstr(str(&c.out), "[1] out of 1\n") &&
              !strstr(str(&c.out), "err of"),
          "stdout '%s'", str(&c.out));
    CHECK(strstr(str(&c.err), "[0] err of 0\n") && strstr(str(&c.err), "[1] err of 1\n") &&
              !strstr(str(&c.err), "out of"),
          "stderr '%s'", str(&c.err));
    /* Lines arrive as the ranks print them, not when the job ends. */
    st = run(e,
             "%%mpi -n 2\n"
             "#include <unistd.h>\n"
             "for (int i = 0; rank == 0 && i < 3; i++) { printf(\"tick %d\\n\", i); usleep(400000); }\n",
             &c);
    CHECK(st == ENGINE_OK && !strcmp(str(&c.out), "[0] tick 0\n[0] tick 1\n[0] tick 2\n"), "ticks '%s'", str(&c.out));
    CHECK(c.last_out_ns - c.first_out_ns >= 600000000LL, "first to last line took %lld ms: not streamed",
          (c.last_out_ns - c.first_out_ns) / 1000000);
    /* A line a rank writes in two pieces, the timeline's records sent
     * in between (every 150 ms) and the other rank's lines meanwhile,
     * still comes out whole. */
    st = run(e,
             "%%mpi -n 2\n"
             "#include <unistd.h>\n"
             "if (rank == 0) { printf(\"first half, \"); fflush(stdout); }\n"
             "usleep(400000);\n"
             "if (rank == 1) printf(\"rank 1 line\\n\");\n"
             "MPI_Barrier(MPI_COMM_WORLD);\n"
             "if (rank == 0) printf(\"second half\\n\");\n",
             &c);
    const char *whole = "[1] rank 1 line\n[0] first half, second half\n";
    CHECK(st == ENGINE_OK && strstr(str(&c.out), "[1] rank 1 line\n") &&
              strstr(str(&c.out), "[0] first half, second half\n") && strlen(str(&c.out)) == strlen(whole),
          "pieces '%s'", str(&c.out));
    capture_free(&c);
}

struct interrupter {
    struct engine *e;
    struct capture *c;
    long long at; /* when it interrupted */
};

/* Interrupts once both ranks said they spin (or after 30 s). */
static void *interrupt_when_spinning(void *arg)
{
    struct interrupter *it = arg;
    for (int i = 0; i < 3000 && __atomic_load_n(&it->c->spinning, __ATOMIC_ACQUIRE) < 2; i++)
        usleep(10000);
    usleep(200000);
    it->at = now_ns();
    engine_interrupt(it->e);
    return NULL;
}

static void test_interrupt(struct engine *e)
{
    struct capture c = {0};
    CHECK(run(e, "int before = 41;", &c) == ENGINE_OK, "setup");
    capture_free(&c);
    pthread_t t;
    struct interrupter it = {e, &c, 0};
    pthread_create(&t, NULL, interrupt_when_spinning, &it);
    enum engine_status st = run(e, "%%mpi -n 2\nprintf(\"spinning\\n\");\nfor (;;) ;\n", &c);
    long long ended = now_ns();
    pthread_join(t, NULL);
    CHECK(st == ENGINE_INTERRUPTED, "status %s: %s", engine_status_name(st), str(&c.error));
    CHECK(ended - it.at < 3000000000LL, "the job ended %lld ms after the interrupt", (ended - it.at) / 1000000);
    CHECK(strstr(str(&c.out), "[0] spinning") && strstr(str(&c.out), "[1] spinning"),
          "the ranks did not run: '%s'", str(&c.out));
    int left = 0;
    for (int i = 0; i < 40 && (left = job_processes()) > 0; i++)
        usleep(50000);
    CHECK(left == 0, "%d processes of the job are still running", left);
    st = run(e, "before + 1", &c);
    CHECK(st == ENGINE_OK && !strcmp(str(&c.result), "(int) 42"), "after the interrupt: '%s'", str(&c.result));
    capture_free(&c);
}

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static void test_timeline(struct engine *e)
{
    struct capture c = {0};
    char path[64];
    snprintf(path, sizeof path, "/tmp/parc-test-mpi-%d.svg", (int)getpid());
    /* A ring: each rank sends to the next, receives from the one before. */
    enum engine_status st = run(e,
                                "%%mpi -n 3\n"
                                "int v = rank, got;\n"
                                "MPI_Sendrecv(&v, 1, MPI_INT, (rank + 1) % size, 0, &got, 1, MPI_INT,\n"
                                "             (rank + size - 1) % size, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);\n"
                                "MPI_Barrier(MPI_COMM_WORLD);\n",
                                &c);
    CHECK(st == ENGINE_OK, "status %s: %s", engine_status_name(st), str(&c.error));
    char *save = xasprintf("%%timeline save %s", path);
    st = run(e, save, &c);
    free(save);
    CHECK(st == ENGINE_OK, "save: %s %s", str(&c.error), str(&c.err));
    FILE *f = fopen(path, "r");
    struct buf svg = {0};
    char chunk[4096];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&svg, chunk, n);
    if (f)
        fclose(f);
    unlink(path);
    buf_addc(&svg, 0);
    const char *s = svg.data;
    int lanes = 0;
    for (int r = 0; r < 4; r++) {
        char label[32];
        snprintf(label, sizeof label, ">rank %d (pid", r);
        lanes += strstr(s, label) != NULL;
    }
    CHECK(lanes == 3, "%d lanes named after ranks 0-3 (want 3)", lanes);
    CHECK(count(s, "marker-end=\"url(#") == 3, "%d arrows (want one per message: 3)",
          count(s, "marker-end=\"url(#"));
    CHECK(strstr(s, "MPI_Sendrecv") && strstr(s, "MPI_Barrier"), "MPI calls not on the timeline");
    /* Clocks aligned: no message arrives before it was sent. */
    for (const char *p = s; (p = strstr(p, "<line x1=\"")); p++) {
        double x1, x2;
        int y1, y2;
        if (sscanf(p, "<line x1=\"%lf\" y1=\"%d\" x2=\"%lf\" y2=\"%d\"", &x1, &y1, &x2, &y2) == 4 && y1 != y2)
            CHECK(x2 >= x1 - 0.5, "an arrow goes back in time: x %.1f -> %.1f", x1, x2);
    }
    buf_free(&svg);
    capture_free(&c);
}

int main(void)
{
    if (system("command -v mpirun > /dev/null 2>&1") != 0) {
        printf("Open MPI is not installed (Debian: openmpi-bin libopenmpi-dev)\n0 passed, 1 failed\n");
        return 1;
    }
    char err[256];
    struct engine *e = engine_start(NULL, err, sizeof err);
    if (!e) {
        printf("engine_start: %s\n0 passed, 1 failed\n", err);
        return 1;
    }
    test_streams(e);
    test_interrupt(e);
    test_timeline(e);
    engine_free(e);
    return check_report();
}
