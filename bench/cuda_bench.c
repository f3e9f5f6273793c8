/* cuda_bench.c — CUDA in a parc session, against anchors measured in the
 * same run:
 *   compile latency: a %%cuda cell through nvcc cold (empty cache) and
 *     cached, a kernel-only cell through NVRTC cold and cached (edit to
 *     launchable: the kernel is loaded when the cell ends), against a
 *     TinyCC cell;
 *   element-wise N = 1,000,000 floats (expf(x) + expf(y), %%vectorize):
 *     TinyCC loop, gcc -O3 loop (cpu target), the cuda target with its
 *     copies, and its kernel alone on device-resident data;
 *   4096 x 4096 float matmul: gcc -O3 -march=native on every core (a
 *     block of rows per thread) against a tiled %%cuda kernel, alone and
 *     with its copies; the results checked against each other.
 * Prints one line per figure. Usage: cuda_bench (needs a CUDA device). */
#include "engine.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct capture {
    struct buf out, error;
};

static void on_event(void *ctx, const struct engine_event *ev)
{
    struct capture *c = ctx;
    if (ev->kind == ENGINE_EV_STDOUT || ev->kind == ENGINE_EV_STDERR)
        buf_add(&c->out, ev->data, ev->len);
    else if (ev->kind == ENGINE_EV_ERROR)
        buf_adds(&c->error, ev->traceback && ev->traceback[0] ? ev->traceback : ev->evalue);
}

static int cell_no;

/* Runs code as a cell; returns its compile time in ms, or -1 after
 * printing why it failed. */
static double cell(struct engine *e, const char *code, struct capture *c)
{
    buf_free(&c->out);
    buf_free(&c->error);
    struct engine_exec ex = {.cell_no = ++cell_no, .on_event = on_event, .ctx = c};
    if (engine_execute(e, code, &ex) != ENGINE_OK) {
        fprintf(stderr, "cuda_bench: the cell failed:\n%s\n%s\n%s\n", code, c->out.data ? c->out.data : "",
                c->error.data ? c->error.data : "");
        return -1;
    }
    long long compile_ns, run_ns;
    engine_last_times(e, &compile_ns, &run_ns);
    return compile_ns / 1e6;
}

/* Runs code and prints what it printed after label. */
static void show(struct engine *e, const char *label, const char *code, struct capture *c)
{
    if (cell(e, code, c) >= 0) {
        const char *o = c->out.data ? c->out.data : "";
        printf("%-56s %s", label, o);
        if (!*o || o[strlen(o) - 1] != '\n')
            putchar('\n');
    }
}

/* Times stmt with %timeit and prints its result line after label. */
static void timeit(struct engine *e, const char *label, const char *opts, const char *stmt, struct capture *c)
{
    char *code = xasprintf("%%timeit %s %s", opts, stmt);
    if (cell(e, code, c) >= 0) {
        const char *l = c->out.data ? c->out.data : "";
        const char *nl = strchr(l, '\n');
        printf("%-56s %.*s\n", label, nl ? (int)(nl - l) : (int)strlen(l), l);
    }
    free(code);
}

#define FN "#include <math.h>\nfloat expon(float x, float y) { return expf(x) + expf(y); }\n"

static const char matmul_cuda[] =
    "%%cuda\n"
    "#define TILE 32\n"
    "__global__ void mm_k(int n, const float *a, const float *b, float *c)\n"
    "{\n"
    "    __shared__ float ta[TILE][TILE], tb[TILE][TILE + 1];\n"
    "    int row = blockIdx.y * TILE + threadIdx.y, col = blockIdx.x * TILE + threadIdx.x;\n"
    "    float sum = 0;\n"
    "    for (int t = 0; t < n; t += TILE) {\n"
    "        ta[threadIdx.y][threadIdx.x] = a[row * n + t + threadIdx.x];\n"
    "        tb[threadIdx.y][threadIdx.x] = b[(t + threadIdx.y) * n + col];\n"
    "        __syncthreads();\n"
    "        for (int k = 0; k < TILE; k++)\n"
    "            sum += ta[threadIdx.y][k] * tb[k][threadIdx.x];\n"
    "        __syncthreads();\n"
    "    }\n"
    "    c[row * n + col] = sum;\n"
    "}\n"
    "static float *da, *db, *dc;\n"
    "extern \"C\" void mm_upload(int n, const float *a, const float *b)\n"
    "{\n"
    "    size_t bytes = (size_t)n * n * sizeof(float);\n"
    "    if (!da) { cudaMalloc(&da, bytes); cudaMalloc(&db, bytes); cudaMalloc(&dc, bytes); }\n"
    "    cudaMemcpy(da, a, bytes, cudaMemcpyHostToDevice);\n"
    "    cudaMemcpy(db, b, bytes, cudaMemcpyHostToDevice);\n"
    "}\n"
    "extern \"C\" void mm_kernel(int n)\n"
    "{\n"
    "    mm_k<<<dim3(n / TILE, n / TILE), dim3(TILE, TILE)>>>(n, da, db, dc);\n"
    "    cudaDeviceSynchronize();\n"
    "}\n"
    "extern \"C\" void mm_download(int n, float *c)\n"
    "{\n"
    "    cudaMemcpy(c, dc, (size_t)n * n * sizeof(float), cudaMemcpyDeviceToHost);\n"
    "}\n"
    "extern \"C\" void mm_gpu(int n, const float *a, const float *b, float *c)\n"
    "{\n"
    "    mm_upload(n, a, b);\n"
    "    mm_kernel(n);\n"
    "    mm_download(n, c);\n"
    "}";

static const char matmul_cpu[] =
    "%%c --cc gcc -O3 -march=native\n"
    "#include <pthread.h>\n"
    "#include <string.h>\n"
    "#include <unistd.h>\n"
    "struct mm_job { int n, lo, hi; const float *a, *b; float *c; };\n"
    "static void *mm_rows(void *p)\n"
    "{\n"
    "    struct mm_job *j = p;\n"
    "    int n = j->n;\n"
    "    for (int i = j->lo; i < j->hi; i++) {\n"
    "        float *ci = j->c + (size_t)i * n;\n"
    "        memset(ci, 0, n * sizeof *ci);\n"
    "        for (int k = 0; k < n; k++) {\n"
    "            float aik = j->a[(size_t)i * n + k];\n"
    "            const float *bk = j->b + (size_t)k * n;\n"
    "            for (int x = 0; x < n; x++)\n"
    "                ci[x] += aik * bk[x];\n"
    "        }\n"
    "    }\n"
    "    return NULL;\n"
    "}\n"
    "void mm_cpu(int n, const float *a, const float *b, float *c)\n"
    "{\n"
    "    int t = (int)sysconf(_SC_NPROCESSORS_ONLN);\n"
    "    if (t > 64) t = 64;\n"
    "    pthread_t th[64];\n"
    "    struct mm_job jobs[64];\n"
    "    for (int k = 0; k < t; k++) {\n"
    "        jobs[k] = (struct mm_job){n, n * k / t, n * (k + 1) / t, a, b, c};\n"
    "        pthread_create(&th[k], NULL, mm_rows, &jobs[k]);\n"
    "    }\n"
    "    for (int k = 0; k < t; k++)\n"
    "        pthread_join(th[k], NULL);\n"
    "}";

static const char nvrtc_kernel[] = "%%%%cuda\n"
                                   "__global__ void bench_scale_%d(float *x, float a, int n)\n"
                                   "{\n"
                                   "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
                                   "    if (i < n) x[i] *= a;\n"
                                   "}";

static const char nvcc_cell[] = "%%%%cuda\n"
                                "__global__ void bench_add_%d(float *x, int n)\n"
                                "{\n"
                                "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
                                "    if (i < n) x[i] += 1;\n"
                                "}\n"
                                "extern \"C\" void bench_add_host_%d(float *dx, int n)\n"
                                "{\n"
                                "    bench_add_%d<<<(n + 255) / 256, 256>>>(dx, n);\n"
                                "}";

int main(void)
{
    /* A private, empty cache: the first compile of each kind is cold. */
    char dir[] = "/tmp/parc-cuda-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("cuda_bench: mkdtemp");
        return 1;
    }
    setenv("PARC_CACHE_DIR", dir, 1);
    char err[512];
    struct engine *e = engine_start(NULL, err, sizeof err);
    if (!e) {
        fprintf(stderr, "cuda_bench: %s\n", err);
        return 1;
    }
    struct capture c = {0};
    cell(e, "%timeline off", &c);

    /* ---- Compile latency ------------------------------------------- */
    printf("compile latency (compile + link + load, ms)\n");
    double tcc = cell(e, "int bench_tcc(int x) { return x * 2 + 1; }", &c);
    printf("  %-54s %8.1f\n", "TinyCC C cell (anchor)", tcc);
    char *k1 = xasprintf(nvcc_cell, 1, 1, 1);
    double cold = cell(e, k1, &c);
    double warm = cell(e, k1, &c);
    printf("  %-54s %8.1f\n", "%%cuda with host code, nvcc, cold", cold);
    printf("  %-54s %8.1f\n", "%%cuda with host code, nvcc, cached (same text)", warm);
    char *k2 = xasprintf(nvcc_cell, 2, 2, 2);
    printf("  %-54s %8.1f\n", "%%cuda with host code, nvcc, edited", cell(e, k2, &c));
    double ncold = 0, nwarm = 0;
    for (int i = 0; i < 3; i++) {
        char *k = xasprintf(nvrtc_kernel, 10 + i);
        ncold += cell(e, k, &c) / 3;
        nwarm += cell(e, k, &c) / 3;
        free(k);
    }
    printf("  %-54s %8.1f\n", "%%cuda kernels only, NVRTC, cold (edit to launchable)", ncold);
    printf("  %-54s %8.1f\n", "%%cuda kernels only, NVRTC, cached", nwarm);
    free(k1);
    free(k2);

    /* ---- Element-wise ------------------------------------------------ */
    printf("element-wise expf(x) + expf(y), N = 1,000,000 floats\n");
    cell(e, "%%vectorize --target cpu\n" FN, &c);
    cell(e, "%%vectorize --target cuda\n" FN, &c);
    cell(e,
         "void expon_tcc(const float *x, const float *y, float *out, size_t n)\n"
         "{\n    for (size_t i = 0; i < n; i++)\n        out[i] = expon(x[i], y[i]);\n}",
         &c);
    cell(e,
         "enum { N = 1000000 };\n"
         "static float x[N], y[N], o_cpu[N], o_gpu[N];\n"
         "for (int i = 0; i < N; i++) { x[i] = (i % 1000) / 500.0f; y[i] = (i % 77) / 40.0f; }\n"
         "float *dx = parc_cuda_malloc(sizeof x), *dy = parc_cuda_malloc(sizeof y), *dout = parc_cuda_malloc(sizeof x);\n"
         "parc_cuda_to_device(dx, x, sizeof x);\n"
         "parc_cuda_to_device(dy, y, sizeof y);\n"
         "unsigned long long nn = N;\n"
         "void *kargs[] = {&dx, &dy, &dout, &nn};",
         &c);
    show(e, "  check: cuda target against the cpu target",
         "expon_cpu(x, y, o_cpu, N); expon_cuda(x, y, o_gpu, N);\n"
         "int bad = 0;\n"
         "for (int i = 0; i < N; i++) bad += fabsf(o_cpu[i] - o_gpu[i]) > 1e-5f * o_cpu[i];\n"
         "printf(\"%d of %d outside 1e-5\\n\", bad, N);",
         &c);
    timeit(e, "  TinyCC loop (anchor)", "-r 3", "expon_tcc(x, y, o_cpu, N)", &c);
    timeit(e, "  cpu target: compiled loop, one core", "-r 5", "expon_cpu(x, y, o_cpu, N)", &c);
    timeit(e, "  cuda target, copies included", "-r 5", "expon_cuda(x, y, o_gpu, N)", &c);
    timeit(e, "  cuda target's kernel alone (data on the device)", "-r 5",
           "{ parc_cuda_launch(\"expon_cuda\", (N + 255) / 256, 256, kargs); parc_cuda_sync(); }", &c);

    /* ---- Matmul ------------------------------------------------------ */
    printf("matmul 4096 x 4096 floats\n");
    cell(e, matmul_cuda, &c);
    cell(e, matmul_cpu, &c);
    cell(e,
         "enum { M = 4096 };\n"
         "float *ma = malloc(sizeof(float) * M * M), *mb = malloc(sizeof(float) * M * M);\n"
         "float *mc = malloc(sizeof(float) * M * M), *mg = malloc(sizeof(float) * M * M);\n"
         "for (long i = 0; i < (long)M * M; i++) { ma[i] = (i % 17) / 8.0f - 1; mb[i] = (i % 29) / 16.0f - 0.9f; }",
         &c);
    char *cores = xasprintf("  gcc -O3 -march=native, %ld threads (anchor)", sysconf(_SC_NPROCESSORS_ONLN));
    timeit(e, cores, "-n 1 -r 1", "mm_cpu(M, ma, mb, mc)", &c);
    free(cores);
    timeit(e, "  tiled %%cuda kernel, copies included", "-n 1 -r 3", "mm_gpu(M, ma, mb, mg)", &c);
    timeit(e, "  tiled %%cuda kernel alone", "-r 3", "mm_kernel(M)", &c);
    show(e, "  check: GPU against CPU",
         "mm_download(M, mg);\n"
         "double worst = 0;\n"
         "for (long i = 0; i < (long)M * M; i++) {\n"
         "    double d = fabs((double)mg[i] - mc[i]) / (fabs((double)mc[i]) + 1);\n"
         "    if (d > worst) worst = d;\n"
         "}\n"
         "printf(\"largest relative difference %.2g (%s)\\n\", worst, worst < 1e-4 ? \"ok\" : \"WRONG\");",
         &c);
    buf_free(&c.out);
    buf_free(&c.error);
    engine_free(e);
    char *rm = xasprintf("rm -rf '%s'", dir);
    if (strncmp(dir, "/tmp/parc-cuda-bench-", 21) == 0 && system(rm) != 0)
        fprintf(stderr, "cuda_bench: could not remove %s\n", dir);
    free(rm);
    return 0;
}
