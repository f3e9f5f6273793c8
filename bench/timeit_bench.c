/* timeit_bench.c — is %timeit right? A spin function and a loop calling
 * it are compiled with libtcc here, the loop written as %timeit writes its
 * timing loop, and timed directly with clock_gettime (the reference); the
 * same spin is defined in a parc session and timed with %timeit. Both run
 * the same machine code, so the two per-call times should agree. Prints both and their ratio for spins of about 50 ns, 1 us and
 * 20 us. Usage: timeit_bench. */
#include "engine.h"
#include "util.h"

#include <libtcc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char spin_src[] = "void spin_%d(void) { for (volatile int i = 0; i < %d; i++) ; }\n";
static const char loop_src[] = "void drive(long n) { for (long i = 0; i < n; i++) { spin_%d(); } }\n";

/* ns per call of spin, the median of 9 timings of `calls` calls. */
static double reference(int k, long calls)
{
    char src[512];
    int len = snprintf(src, sizeof src, spin_src, k, k);
    snprintf(src + len, sizeof src - (size_t)len, loop_src, k);
    TCCState *s = tcc_new();
    tcc_set_lib_path(s, "/usr/lib/x86_64-linux-gnu/tcc");
    tcc_set_output_type(s, TCC_OUTPUT_MEMORY);
    if (tcc_compile_string(s, src) < 0 || tcc_relocate(s, TCC_RELOCATE_AUTO) < 0) {
        fprintf(stderr, "timeit_bench: cannot compile the spin function\n");
        exit(1);
    }
    void (*drive)(long) = (void (*)(long))tcc_get_symbol(s, "drive");
    double v[9];
    for (int r = 0; r < 9; r++) {
        long long t0 = now_ns();
        drive(calls);
        v[r] = (double)(now_ns() - t0) / (double)calls;
    }
    tcc_delete(s);
    for (int i = 0; i < 9; i++)
        for (int j = i + 1; j < 9; j++)
            if (v[j] < v[i]) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
    return v[4];
}

static struct buf result;

static void on_event(void *ctx, const struct engine_event *ev)
{
    (void)ctx;
    if (ev->kind == ENGINE_EV_RESULT)
        buf_adds(&result, ev->mime[0].data);
    if (ev->kind == ENGINE_EV_ERROR)
        fprintf(stderr, "%s\n", ev->traceback);
}

static double via_timeit(struct engine *e, int k)
{
    char code[512];
    struct engine_exec ex = {.on_event = on_event};
    snprintf(code, sizeof code, spin_src, k, k);
    engine_execute(e, code, &ex);
    snprintf(code, sizeof code, "%%timeit -q -o r%d spin_%d()", k, k);
    engine_execute(e, code, &ex);
    buf_reset(&result);
    snprintf(code, sizeof code, "r%d.average * 1e9", k);
    engine_execute(e, code, &ex);
    return result.data ? atof(result.data + strlen("(double) ")) : -1;
}

int main(void)
{
    char err[256];
    struct engine *e = engine_start(NULL, err, sizeof err);
    if (!e) {
        fprintf(stderr, "timeit_bench: %s\n", err);
        return 1;
    }
    static const struct {
        int k;
        long calls;
    } cases[] = {{20, 2000000}, {500, 200000}, {10000, 10000}};
    printf("%-10s %14s %14s %8s\n", "spin", "reference", "%timeit", "ratio");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double ref = reference(cases[i].k, cases[i].calls);
        double ti = via_timeit(e, cases[i].k);
        printf("k=%-8d %11.1f ns %11.1f ns %8.3f\n", cases[i].k, ref, ti, ti / ref);
    }
    engine_free(e);
    return 0;
}
