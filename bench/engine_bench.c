/* engine_bench.c — how long cells take through the engine API, with no
 * front end: (a) a trivial cell, (b) a 50-line cell using four standard
 * headers, (c) the engine's own cost per cell (fork, pipes, commit): the
 * round trip minus the compile and run times the cell process measured.
 * Prints median and p90 in milliseconds. Usage: engine_bench [RUNS]. */
#include "engine.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    printf("%-44s median %7.3f ms   p90 %7.3f ms   (n=%d)\n", what, v[n / 2], v[n * 9 / 10], n);
}

static const char *fifty_lines(void)
{
    static struct buf b;
    if (b.len)
        return b.data;
    buf_adds(&b, "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <math.h>\n");
    for (int i = 0; i < 11; i++)
        buf_printf(&b,
                   "static double f%d(double x) {\n"
                   "    double s = 0; for (int i = 0; i < 10; i++) s += sqrt(x + i);\n"
                   "    return s;\n"
                   "}\n",
                   i);
    buf_adds(&b, "char text[64];\nint main_value = 0;\nsnprintf(text, sizeof text, \"%g\", f1(2.0));\n");
    buf_adds(&b, "main_value = (int)strlen(text) + (int)f10(1.0);\n");
    return b.data;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 200;
    if (runs < 10)
        runs = 10;
    char err[512];
    struct engine *e = engine_start(NULL, err, sizeof err);
    if (!e) {
        fprintf(stderr, "engine_bench: %s\n", err);
        return 1;
    }
    double *trivial = xcalloc((size_t)runs, sizeof(double));
    double *fifty = xcalloc((size_t)runs, sizeof(double));
    double *overhead = xcalloc((size_t)runs, sizeof(double));
    struct engine_exec ex = {0};
    for (int i = 0; i < 20; i++)
        engine_execute(e, "int warm = 1;", &ex);
    for (int i = 0; i < runs; i++) {
        ex.cell_no = i + 1;
        long long t0 = now_ns();
        if (engine_execute(e, "int x = 1;", &ex) != ENGINE_OK) {
            fprintf(stderr, "engine_bench: trivial cell failed\n");
            return 1;
        }
        long long t1 = now_ns(), c, r;
        engine_last_times(e, &c, &r);
        trivial[i] = (double)(t1 - t0) / 1e6;
        overhead[i] = (double)(t1 - t0 - c - r) / 1e6;
    }
    for (int i = 0; i < runs; i++) {
        long long t0 = now_ns();
        if (engine_execute(e, fifty_lines(), &ex) != ENGINE_OK) {
            fprintf(stderr, "engine_bench: 50-line cell failed\n");
            return 1;
        }
        fifty[i] = (double)(now_ns() - t0) / 1e6;
    }
    report("(a) trivial cell `int x = 1;`", trivial, runs);
    report("(b) 50-line cell, four standard headers", fifty, runs);
    report("(c) engine cost per cell (fork, pipes, commit)", overhead, runs);
    engine_free(e);
    return 0;
}
