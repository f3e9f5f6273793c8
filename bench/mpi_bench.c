/* mpi_bench.c — what %%mpi cells cost, against anchors measured in the same
 * run: (a) launch to result of a trivial `%%mpi -n 2` cell through the
 * engine API, beside mpirun of a prebuilt trivial program (mpicc -O2) with
 * parc's one-machine flags and with Open MPI's defaults, and a plain cell;
 * (b) ping-pong latency and bandwidth measured inside a cell (TinyCC, the
 * recording PMPI layer) beside the same code built by mpicc -O2 and run by
 * mpirun. Usage: mpi_bench [RUNS] (default 20). */
#include "engine.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The ping-pong: rank 0 and 1 bounce a message; rank 0 prints per size
 * the one-way latency (µs) and the bandwidth (MB/s). */
#define PINGPONG                                                                                             \
    "static char msg[1 << 22];\n"                                                                            \
    "int sizes[] = {8, 1024, 65536, 1 << 20, 1 << 22};\n"                                                    \
    "for (int s = 0; s < 5; s++) {\n"                                                                        \
    "    int reps = sizes[s] >= 1 << 20 ? 50 : 1000;\n"                                                      \
    "    double best = 1e30;\n"                                                                              \
    "    for (int round = 0; round < 3; round++) {\n"                                                        \
    "        MPI_Barrier(MPI_COMM_WORLD);\n"                                                                 \
    "        double t0 = MPI_Wtime();\n"                                                                     \
    "        for (int i = 0; i < reps; i++) {\n"                                                             \
    "            if (rank == 0) {\n"                                                                         \
    "                MPI_Send(msg, sizes[s], MPI_CHAR, 1, 0, MPI_COMM_WORLD);\n"                             \
    "                MPI_Recv(msg, sizes[s], MPI_CHAR, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);\n"          \
    "            } else if (rank == 1) {\n"                                                                  \
    "                MPI_Recv(msg, sizes[s], MPI_CHAR, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);\n"          \
    "                MPI_Send(msg, sizes[s], MPI_CHAR, 0, 0, MPI_COMM_WORLD);\n"                             \
    "            }\n"                                                                                        \
    "        }\n"                                                                                            \
    "        double t = (MPI_Wtime() - t0) / (2.0 * reps);\n"                                                \
    "        if (t < best) best = t;\n"                                                                      \
    "    }\n"                                                                                                \
    "    if (rank == 0) printf(\"pp %d %.3f %.1f\\n\", sizes[s], best * 1e6, sizes[s] / best / 1e6);\n"      \
    "}\n"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    printf("%-58s median %7.1f ms   p90 %7.1f ms   (n=%d)\n", what, v[n / 2], v[n * 9 / 10], n);
}

/* Runs a shell command; its wall time in ms, or -1. Output to out (may
 * be NULL: discarded). */
static double timed(const char *cmd, struct buf *out)
{
    long long t0 = now_ns();
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        if (out)
            buf_add(out, chunk, n);
    int st = pclose(p);
    double ms = (double)(now_ns() - t0) / 1e6;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? ms : -1;
}

struct capture {
    struct buf out, error;
};

static void on_event(void *ctx, const struct engine_event *ev)
{
    struct capture *c = ctx;
    if (ev->kind == ENGINE_EV_STDOUT)
        buf_add(&c->out, ev->data, ev->len);
    else if (ev->kind == ENGINE_EV_ERROR)
        buf_adds(&c->error, ev->evalue);
}

static double cell(struct engine *e, const char *code, struct capture *c)
{
    buf_free(&c->out);
    buf_free(&c->error);
    struct engine_exec ex = {.cell_no = 1, .on_event = on_event, .ctx = c};
    long long t0 = now_ns();
    enum engine_status st = engine_execute(e, code, &ex);
    double ms = (double)(now_ns() - t0) / 1e6;
    if (st != ENGINE_OK) {
        fprintf(stderr, "mpi_bench: the cell failed: %s\n", c->error.data ? c->error.data : "");
        return -1;
    }
    return ms;
}

/* Best one-way latency per message size (µs), over every run. */
struct pingpong {
    int size[8];
    double lat[8];
    int n;
};

/* Takes the "pp SIZE LAT BW" lines of text (rank 0's, maybe labelled). */
static void take_pingpong(struct pingpong *pp, const char *text)
{
    int k = 0;
    for (const char *p = text; p && (p = strstr(p, "pp ")) && k < 8; p += 3) {
        int size;
        double lat, bw;
        if (sscanf(p, "pp %d %lf %lf", &size, &lat, &bw) != 3)
            continue;
        if (k >= pp->n || lat < pp->lat[k])
            pp->lat[k] = lat;
        pp->size[k++] = size;
    }
    if (k > pp->n)
        pp->n = k;
}

static void print_pingpong(const char *who, const struct pingpong *pp)
{
    printf("%s\n", who);
    for (int k = 0; k < pp->n; k++)
        printf("  %8d B   latency %9.2f µs   bandwidth %9.1f MB/s\n", pp->size[k], pp->lat[k],
               pp->size[k] / pp->lat[k]);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 20;
    if (runs < 5)
        runs = 5;
    char dir[] = "/tmp/parc-mpi-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    const char *root = geteuid() == 0 ? "--allow-run-as-root" : "";
    char *src = xasprintf("%s/hello.c", dir), *pp = xasprintf("%s/pp.c", dir);
    FILE *f = fopen(src, "w");
    fputs("#include <mpi.h>\nint main(int c, char **v) { MPI_Init(&c, &v); MPI_Finalize(); return 0; }\n", f);
    fclose(f);
    f = fopen(pp, "w");
    fputs("#include <mpi.h>\n#include <stdio.h>\nint main(int c, char **v) {\n MPI_Init(&c, &v);\n int rank;\n"
          " MPI_Comm_rank(MPI_COMM_WORLD, &rank);\n" PINGPONG " MPI_Finalize();\n return 0;\n}\n",
          f);
    fclose(f);
    char *build = xasprintf("mpicc -O2 -o %s/hello %s && mpicc -O2 -o %s/pp %s", dir, src, dir, pp);
    if (timed(build, NULL) < 0) {
        fprintf(stderr, "mpi_bench: mpicc failed (Open MPI: openmpi-bin libopenmpi-dev)\n");
        return 1;
    }
    char *fast = xasprintf("mpirun %s -n 2 --mca pml ob1 --mca btl self,vader %s/hello", root, dir);
    char *plain = xasprintf("mpirun %s -n 2 %s/hello", root, dir);
    char *ppcmd = xasprintf("mpirun %s -n 2 --mca pml ob1 --mca btl self,vader %s/pp", root, dir);

    char err[512];
    struct engine *e = engine_start(NULL, err, sizeof err);
    if (!e) {
        fprintf(stderr, "mpi_bench: %s\n", err);
        return 1;
    }
    struct capture c = {0};
    cell(e, "%timeline off", &c);
    for (int i = 0; i < 2; i++)
        cell(e, "%%mpi -n 2\n;", &c);
    double *t_cell = xcalloc((size_t)runs, sizeof(double)), *t_fast = xcalloc((size_t)runs, sizeof(double));
    double *t_plain = xcalloc((size_t)runs, sizeof(double)), *t_c = xcalloc((size_t)runs, sizeof(double));
    for (int i = 0; i < runs; i++) {
        /* Interleaved, so that the machine's other work weighs on each. */
        t_cell[i] = cell(e, "%%mpi -n 2\nif (rank == 1) printf(\"done\\n\");", &c);
        t_fast[i] = timed(fast, NULL);
        t_plain[i] = timed(plain, NULL);
        t_c[i] = cell(e, "int x = 1;", &c);
    }
    printf("(a) launch to result, 2 ranks on this machine\n");
    report("%%mpi -n 2 cell, compile included (engine API)", t_cell, runs);
    report("anchor: mpirun -n 2, prebuilt, parc's flags (sm only)", t_fast, runs);
    report("anchor: mpirun -n 2, prebuilt, Open MPI's defaults", t_plain, runs);
    report("anchor: a plain cell int x = 1;", t_c, runs);

    printf("\n(b) ping-pong between 2 ranks (best of 3 rounds per size, in 3 alternating runs each)\n");
    struct pingpong anchor = {0}, incell = {0};
    char *code = xasprintf("%%%%mpi -n 2\n%s", PINGPONG);
    for (int k = 0; k < 3; k++) {
        struct buf out = {0};
        if (timed(ppcmd, &out) < 0)
            fprintf(stderr, "mpi_bench: the ping-pong program failed\n");
        take_pingpong(&anchor, out.data);
        buf_free(&out);
        if (cell(e, code, &c) >= 0)
            take_pingpong(&incell, c.out.data);
    }
    free(code);
    print_pingpong("anchor: mpicc -O2 program under mpirun", &anchor);
    print_pingpong("%%mpi cell (TinyCC, calls recorded for the timeline)", &incell);
    engine_free(e);
    char *rm = xasprintf("rm -rf %s", dir);
    timed(rm, NULL);
    return 0;
}
