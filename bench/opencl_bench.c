/* opencl_bench.c — an element-wise function over N = 1,000,000 floats
 * (expf(x) + expf(y)) built by %%vectorize for each target and timed with
 * %timeit inside one session, against anchors measured in the same run:
 * the same loop compiled by TinyCC (a plain cell) and by clang -O2 (the cpu
 * target). The OpenCL figures are split into the whole call (two copies
 * in, the kernel, one copy out) and the kernel alone on data already on
 * the device. Usage: opencl_bench [PLATFORM] (default pocl; e.g. nvidia). */
#include "engine.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct capture {
    struct buf out, error;
};

static void on_event(void *ctx, const struct engine_event *ev)
{
    struct capture *c = ctx;
    if (ev->kind == ENGINE_EV_STDOUT)
        buf_add(&c->out, ev->data, ev->len);
    else if (ev->kind == ENGINE_EV_ERROR)
        buf_adds(&c->error, ev->traceback && ev->traceback[0] ? ev->traceback : ev->evalue);
}

/* Runs code as a cell; 0, or -1 (quiet: without printing why). */
static int cell_q(struct engine *e, const char *code, struct capture *c, int quiet)
{
    buf_free(&c->out);
    buf_free(&c->error);
    struct engine_exec ex = {.cell_no = 1, .on_event = on_event, .ctx = c};
    if (engine_execute(e, code, &ex) != ENGINE_OK) {
        if (!quiet)
            fprintf(stderr, "opencl_bench: the cell failed:\n%s\n%s\n", code, c->error.data ? c->error.data : "");
        return -1;
    }
    return 0;
}

static int cell(struct engine *e, const char *code, struct capture *c)
{
    return cell_q(e, code, c, 0);
}

/* Times stmt with %timeit and prints its result line after label. */
static void timeit(struct engine *e, const char *label, const char *stmt, struct capture *c)
{
    char *code = xasprintf("%%timeit -r 5 %s", stmt);
    if (cell(e, code, c) == 0) {
        const char *l = c->out.data ? c->out.data : "";
        const char *nl = strchr(l, '\n');
        printf("%-48s %.*s\n", label, nl ? (int)(nl - l) : (int)strlen(l), l);
    }
    free(code);
}

#define FN "#include <math.h>\nfloat expon(float x, float y) { return expf(x) + expf(y); }\n"

int main(int argc, char **argv)
{
    const char *platform = argc > 1 ? argv[1] : "pocl";
    char err[512];
    struct engine *e = engine_start(NULL, err, sizeof err);
    if (!e) {
        fprintf(stderr, "opencl_bench: %s\n", err);
        return 1;
    }
    struct capture c = {0};
    char *open = xasprintf("%%%%opencl --platform %s\nkernel void unused(global int *x) { }", platform);
    const char *setup[] = {
        "%timeline off",
        "%%vectorize\n" FN,
        "void expon_tcc(const float *x, const float *y, float *out, size_t n)\n"
        "{\n    for (size_t i = 0; i < n; i++)\n        out[i] = expon(x[i], y[i]);\n}",
        open,
        "%%vectorize --target opencl\n" FN,
        "enum { N = 1000000 };\n"
        "static float x[N], y[N], o_cpu[N], o_cl[N];\n"
        "for (int i = 0; i < N; i++) { x[i] = (i % 1000) / 500.0f; y[i] = (i % 77) / 40.0f; }\n"
        "parc_cl_buf *dx = parc_cl_buffer(sizeof x, x), *dy = parc_cl_buffer(sizeof y, y), *dout = parc_cl_buffer(sizeof x, NULL);\n"
        "parc_cl_kern *k = parc_cl_kernel(\"expon_opencl\");",
        "expon_cpu(x, y, o_cpu, N); expon_opencl(x, y, o_cl, N);\n"
        "int bad = 0;\n"
        "for (int i = 0; i < N; i++) bad += fabsf(o_cl[i] - o_cpu[i]) > 1e-5f * o_cpu[i];\n"
        "printf(\"%s; %d of %d results differ from the C loop by more than 1e-5\\n\", parc_cl_device(), bad, N);",
    };
    for (size_t i = 0; i < sizeof setup / sizeof *setup; i++)
        if (cell(e, setup[i], &c) < 0)
            return 1;
    printf("OpenCL device: %s", c.out.data);
    /* OpenMP needs clang and libomp: without them that line is left out. */
    int omp = cell_q(e, "%%vectorize --target omp\n" FN, &c, 1) == 0;
    char *omp_why = omp ? NULL : xstrndup(c.error.data ? c.error.data : "", strcspn(c.error.data ? c.error.data : "", "\n"));
    printf("N = 1,000,000 floats, out[i] = expf(x[i]) + expf(y[i]); %%timeit -r 5 in one session\n");
    timeit(e, "anchor: C loop, TinyCC (a plain cell)", "expon_tcc(x, y, o_cpu, N)", &c);
    timeit(e, "anchor: C loop, clang -O2 (--target cpu)", "expon_cpu(x, y, o_cpu, N)", &c);
    timeit(e, "--target opencl, whole call (copies + kernel)", "expon_opencl(x, y, o_cl, N)", &c);
    timeit(e, "  the kernel alone (data on the device)",
           "parc_cl_run(k, N, dx, dy, dout, (long long)N); parc_cl_finish()", &c);
    timeit(e, "  copying x to the device (4 MB)", "parc_cl_write(dx, x, sizeof x)", &c);
    timeit(e, "  copying out back (4 MB)", "parc_cl_read(dout, o_cl, sizeof o_cl)", &c);
    /* Last: libomp's idle threads keep spinning for a while after a loop,
     * and would take the cores from PoCL's. */
    if (omp)
        timeit(e, "--target omp (OpenMP threads, clang -O2)", "expon_omp(x, y, o_cpu, N)", &c);
    else
        printf("%-48s skipped: %s\n", "--target omp", omp_why);
    free(omp_why);
    free(open);
    buf_free(&c.out);
    buf_free(&c.error);
    engine_free(e);
    return 0;
}
