/* omp_bench.c — what OpenMP cells cost, against anchors measured in the
 * same run: (a) the compile time of a 30-line OpenMP cell as the cell
 * process measures it, beside `clang -O2 -fopenmp -c` of the same code by
 * hand; (b) the same cell run again unchanged (the object cache); (c) a
 * parallel loop called from a cell, with tracing off (%%openmp --no-trace)
 * and on, beside the same code built standalone with clang -O2 -fopenmp and
 * run with the same binding, on 1 and 2 threads — schedule(static) and
 * schedule(dynamic) with
 * chunks of about 20 µs. Loop times are the best of several calls, taken
 * in alternating rounds so that both sides see the same machine load.
 * Usage: omp_bench [RUNS] (default 10). */
#include "engine.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS 2
#define ROUNDS 5

/* The loops: 2^21 doubles, about 2-10 ms per call on two cores. Chunks of
 * 1024 iterations of the dynamic loop take ~20 µs. */
#define KERNEL                                                                                               \
    "#include <math.h>\n"                                                                                    \
    "#define N (1 << 21)\n"                                                                                  \
    "static double a[N];\n"                                                                                  \
    "void kstatic(void) {\n"                                                                                 \
    "#pragma omp parallel for schedule(static)\n"                                                            \
    "    for (int i = 0; i < N; i++) a[i] = sqrt((double)i) * sin(i * 0.001) + a[i] * 0.5;\n"               \
    "}\n"                                                                                                    \
    "void kdynamic(void) {\n"                                                                                \
    "#pragma omp parallel for schedule(dynamic, 1024)\n"                                                     \
    "    for (int i = 0; i < N; i++) a[i] = sqrt((double)i) * sin(i * 0.001) + a[i] * 0.5;\n"               \
    "}\n"

/* Times `calls` calls of f and prints the best in ms. */
#define TIMING(f)                                                                                            \
    "{ double best = 1e30;\n"                                                                                \
    "  for (int r = 0; r < 15; r++) { double t0 = omp_get_wtime(); " f "(); double t = omp_get_wtime() - t0;\n" \
    "    if (t < best) best = t; }\n"                                                                        \
    "  printf(\"" f " %.4f\\n\", best * 1e3); }\n"

/* A 30-line OpenMP cell; @ (a number) makes each copy new to the cache. */
static const char thirty_lines[] =
    "#include <math.h>\n"
    "#define M 4096\n"
    "static double v@[M], w@[M];\n"
    "static int histogram@[16];\n"
    "double dot@(const double *x, const double *y, int n) {\n"
    "    double s = 0;\n"
    "#pragma omp parallel for reduction(+:s) schedule(static)\n"
    "    for (int i = 0; i < n; i++)\n"
    "        s += x[i] * y[i];\n"
    "    return s;\n"
    "}\n"
    "void fill@(void) {\n"
    "#pragma omp parallel for\n"
    "    for (int i = 0; i < M; i++) {\n"
    "        v@[i] = sin(i * 0.01);\n"
    "        w@[i] = cos(i * 0.01);\n"
    "    }\n"
    "}\n"
    "void count@(void) {\n"
    "#pragma omp parallel for schedule(dynamic, 64)\n"
    "    for (int i = 0; i < M; i++) {\n"
    "        int bin = (int)((v@[i] + 1) * 7.99);\n"
    "#pragma omp atomic\n"
    "        histogram@[bin]++;\n"
    "    }\n"
    "}\n"
    "fill@();\n"
    "count@();\n"
    "double r@ = dot@(v@, w@, M);\n"
    "printf(\"%.3f\\n\", r@);\n";

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

static char *cell_text(int k)
{
    struct buf b = {0};
    for (const char *p = thirty_lines; *p; p++)
        if (*p == '@')
            buf_printf(&b, "%d", k);
        else
            buf_addc(&b, *p);
    return buf_take(&b);
}

/* What the cell printed. */
static void on_event(void *ctx, const struct engine_event *ev)
{
    struct buf *out = ctx;
    if (ev->kind == ENGINE_EV_STDOUT)
        buf_add(out, ev->data, ev->len);
    else if (ev->kind == ENGINE_EV_ERROR)
        fprintf(stderr, "omp_bench: %s\n", ev->traceback ? ev->traceback : ev->evalue);
}

static int run(struct engine *e, const char *code, int cell_no, struct buf *out)
{
    struct engine_exec ex = {cell_no, 0, 1, on_event, out};
    return engine_execute(e, code, &ex) == ENGINE_OK ? 0 : -1;
}

/* The number after "name " in text, or -1. */
static double value_of(const char *text, const char *name)
{
    char *key = xasprintf("%s ", name);
    const char *p = text ? strstr(text, key) : NULL;
    double v = p ? atof(p + strlen(key)) : -1;
    free(key);
    return v;
}

/* Builds the standalone program once; its path, or NULL. */
static char *build_standalone(const char *dir)
{
    char *src = xasprintf("%s/loop.c", dir), *bin = xasprintf("%s/loop", dir);
    FILE *f = fopen(src, "w");
    if (!f)
        return NULL;
    fputs("#include <omp.h>\n#include <stdio.h>\n" KERNEL "int main(void) {\n" TIMING("kstatic") TIMING("kdynamic")
          "return 0; }\n",
          f);
    fclose(f);
    char *cmd = xasprintf("clang -O2 -fopenmp -o '%s' '%s' -lm", bin, src);
    int rc = system(cmd);
    free(cmd);
    free(src);
    if (rc != 0) {
        free(bin);
        return NULL;
    }
    return bin;
}

static double ms_of(long long ns)
{
    return (double)ns / 1e6;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 10;
    double load[3] = {0};
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) {
        if (fscanf(la, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
            load[0] = -1;
        fclose(la);
    }
    printf("omp_bench: %ld cores, load average %.2f at the start\n", sysconf(_SC_NPROCESSORS_ONLN), load[0]);
    if (runs < 3)
        runs = 3;
    char dir[] = "/tmp/parc-omp-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("omp_bench: mkdtemp");
        return 1;
    }
    char *cache = xasprintf("%s/cache", dir);
    setenv("PARC_CACHE_DIR", cache, 1);
    char err[512];
    struct engine *e = engine_start(NULL, err, sizeof err);
    if (!e) {
        fprintf(stderr, "omp_bench: %s\n", err);
        return 1;
    }
    struct buf out = {0};
    int cell = 1;
    if (run(e, "%omp_threads 2\n", cell++, &out) < 0)
        return 1;

    /* (a), (b): compile times, fresh and cached, beside clang by hand. */
    double *fresh = xcalloc((size_t)runs, sizeof(double)), *again = xcalloc((size_t)runs, sizeof(double));
    double *by_hand = xcalloc((size_t)runs, sizeof(double));
    for (int i = 0; i < runs; i++) {
        char *text = cell_text(1000 + i);
        long long c, r;
        if (run(e, text, cell++, &out) < 0)
            return 1;
        engine_last_times(e, &c, &r);
        fresh[i] = ms_of(c);
        if (run(e, text, cell++, &out) < 0)
            return 1;
        engine_last_times(e, &c, &r);
        again[i] = ms_of(c);
        /* The same code as a file of its own: declarations, then the
         * statements in a function. */
        char *pre = cell_text(1000 + i), *call = xasprintf("fill%d();", 1000 + i);
        *strstr(pre, call) = 0;
        char *whole = xasprintf("%s/whole%d.c", dir, i);
        FILE *f = fopen(whole, "w");
        fprintf(f, "#include <stdio.h>\n%s\nvoid run(void) {\n%s}\n", pre, strstr(text, call));
        fclose(f);
        char *cmd = xasprintf("clang -O2 -fopenmp -fPIC -c -o '%s/whole%d.o' '%s'", dir, i, whole);
        long long t0 = now_ns();
        if (system(cmd) != 0)
            fprintf(stderr, "omp_bench: clang by hand failed\n");
        by_hand[i] = ms_of(now_ns() - t0);
        free(cmd);
        free(whole);
        free(pre);
        free(call);
        free(text);
    }
    report("(a) 30-line OpenMP cell, compile (cell process)", fresh, runs);
    report("    anchor: clang -O2 -fopenmp -c of the same code by hand", by_hand, runs);
    report("(b) the same cell again, unchanged (cached object)", again, runs);

    /* (c): the loops. */
    char *bin = build_standalone(dir);
    if (!bin || run(e, KERNEL, cell++, &out) < 0) {
        fprintf(stderr, "omp_bench: cannot build the loops\n");
        return 1;
    }
    /* best[t][side][k]: t threads - 1; side standalone, off, on; k static, dynamic. */
    double best[2][3][2];
    for (int t = 0; t < 2; t++)
        for (int side = 0; side < 3; side++)
            best[t][side][0] = best[t][side][1] = 1e30;
    const char *names[2] = {"kstatic", "kdynamic"};
    for (int round = 0; round < ROUNDS; round++)
        for (int t = 1; t <= THREADS; t++) {
            char *plain_cmd = xasprintf("OMP_NUM_THREADS=%d OMP_PROC_BIND=spread OMP_PLACES=cores '%s'", t, bin);
            FILE *p = popen(plain_cmd, "r");
            free(plain_cmd);
            struct buf sa = {0};
            char tmp[512];
            size_t n;
            while (p && (n = fread(tmp, 1, sizeof tmp, p)) > 0)
                buf_add(&sa, tmp, n);
            if (p)
                pclose(p);
            for (int k = 0; k < 2; k++) {
                double v = value_of(sa.data, names[k]);
                if (v > 0 && v < best[t - 1][0][k])
                    best[t - 1][0][k] = v;
            }
            buf_free(&sa);
            for (int traced = 0; traced < 2; traced++) {
                buf_free(&out);
                char *code = xasprintf("%%%%openmp -t %d%s\n%%timeline off\n%s", t, traced ? "" : " --no-trace",
                                       TIMING("kstatic") TIMING("kdynamic"));
                if (run(e, code, cell++, &out) < 0)
                    return 1;
                free(code);
                for (int k = 0; k < 2; k++) {
                    double v = value_of(out.data, names[k]);
                    if (v > 0 && v < best[t - 1][1 + traced][k])
                        best[t - 1][1 + traced][k] = v;
                }
            }
        }
    const char *what[2] = {"schedule(static)", "schedule(dynamic, 1024), ~20 us chunks"};
    for (int k = 0; k < 2; k++)
        for (int t = 1; t <= THREADS; t++) {
            double *b = best[t - 1][0];
            double *off = best[t - 1][1], *on = best[t - 1][2];
            printf("(c) %s loop, %d thread%s, best of %d calls:\n", what[k], t, t == 1 ? "" : "s", 15 * ROUNDS);
            printf("    anchor: standalone clang -O2 -fopenmp          %8.3f ms\n", b[k]);
            printf("    %%%%openmp --no-trace (tracing off)              %8.3f ms   %+.1f%%\n", off[k],
                   100 * (off[k] / b[k] - 1));
            printf("    %%%%openmp (traced: regions, chunks, waits)      %8.3f ms   %+.1f%%\n", on[k],
                   100 * (on[k] / b[k] - 1));
        }
    engine_free(e);
    char *rm = xasprintf("rm -rf '%s'", dir);
    if (system(rm) != 0)
        fprintf(stderr, "omp_bench: cannot remove %s\n", dir);
    free(rm);
    free(bin);
    free(cache);
    buf_free(&out);
    free(fresh);
    free(again);
    free(by_hand);
    return 0;
}
