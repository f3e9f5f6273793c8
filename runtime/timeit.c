/* timeit.c — the runtime of %timeit and %time (see engine/timing.h). The
 * algorithm and the output follow IPython's magics exactly: calibration by
 * powers of ten until a run takes at least 0.2 s, 7 runs by default, mean
 * and population standard deviation per loop, times printed with 3
 * significant digits in s, ms, µs or ns. */
#include "parc.h"
#include "timeit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

long long rt_compile_ns;

long long parc__clock_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* IPython's _format_time. */
static void format_time(char *out, size_t n, double t, int precision)
{
    if (t >= 60.0) {
        static const struct {
            const char *suffix;
            double len;
        } parts[] = {{"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1}};
        double left = t;
        size_t o = 0;
        out[0] = 0;
        for (size_t i = 0; i < 4; i++) {
            long v = (long)(left / parts[i].len);
            if (v > 0) {
                left = fmod(left, parts[i].len);
                o += (size_t)snprintf(out + o, n - o, "%s%ld%s", o ? " " : "", v, parts[i].suffix);
            }
            if (left < 1)
                break;
        }
        return;
    }
    static const char *const units[] = {"s", "ms", "\xc2\xb5s", "ns"};
    static const double scaling[] = {1, 1e3, 1e6, 1e9};
    int order = 3;
    if (t > 0.0) {
        order = -(int)(floor(floor(log10(t)) / 3));
        if (order > 3)
            order = 3;
        if (order < 0)
            order = 0;
    }
    snprintf(out, n, "%.*g %s", precision, t * scaling[order], units[order]);
}

static char *thousands(char *out, size_t n, long v)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%ld", v);
    size_t len = strlen(digits), o = 0;
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = 0;
    return out;
}

parc_timeit_result parc__timeit(long long (*fn)(long), long loops, int repeat, int precision, int quiet)
{
    parc_timeit_result r;
    memset(&r, 0, sizeof r);
    if (repeat < 1)
        repeat = 1;
    if (loops <= 0) {
        for (int i = 0; i < 10; i++) {
            loops = 1;
            for (int k = 0; k < i; k++)
                loops *= 10;
            if (fn(loops) >= 200000000LL)
                break;
        }
    }
    r.loops = loops;
    r.repeat = repeat;
    r.all_runs = malloc((size_t)repeat * sizeof *r.all_runs);
    double sum = 0;
    for (int i = 0; i < repeat; i++) {
        double t = (double)fn(loops) / 1e9;
        if (r.all_runs)
            r.all_runs[i] = t;
        double per = t / (double)loops;
        if (i == 0 || per < r.best)
            r.best = per;
        if (i == 0 || per > r.worst)
            r.worst = per;
        sum += per;
    }
    r.average = sum / repeat;
    double var = 0;
    for (int i = 0; r.all_runs && i < repeat; i++) {
        double d = r.all_runs[i] / (double)loops - r.average;
        var += d * d;
    }
    r.stdev = sqrt(var / repeat);
    r.compile_time = (double)rt_compile_ns / 1e9;
    if (quiet)
        return r;
    if (r.compile_time > 0.1)
        printf("Compiler time: %.2f s\n", r.compile_time);
    if (r.worst > 4 * r.best && r.best > 0 && r.worst > 1e-6)
        printf("The slowest run took %0.2f times longer than the fastest. This could mean that an intermediate "
               "result is being cached.\n",
               r.worst / r.best);
    char mean[64], sd[64], nl[32];
    format_time(mean, sizeof mean, r.average, precision);
    format_time(sd, sizeof sd, r.stdev, precision);
    printf("%s \xc2\xb1 %s per loop (mean \xc2\xb1 std. dev. of %d run%s, %s loop%s each)\n", mean, sd, repeat,
           repeat != 1 ? "s" : "", thousands(nl, sizeof nl, loops), loops != 1 ? "s" : "");
    fflush(stdout);
    return r;
}

static int timing;
static long long wall0;
static struct rusage usage0;

void parc__time_begin(void)
{
    timing = 1;
    getrusage(RUSAGE_SELF, &usage0);
    wall0 = parc__clock_ns();
}

static double seconds(struct timeval a, struct timeval b)
{
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_usec - a.tv_usec) / 1e6;
}

void parc__time_end(void)
{
    if (!timing)
        return;
    timing = 0;
    long long wall = parc__clock_ns() - wall0;
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    double user = seconds(usage0.ru_utime, u.ru_utime), sys = seconds(usage0.ru_stime, u.ru_stime);
    char a[64], b[64], c[64], w[64];
    format_time(a, sizeof a, user, 3);
    format_time(b, sizeof b, sys, 3);
    format_time(c, sizeof c, user + sys, 3);
    format_time(w, sizeof w, (double)wall / 1e9, 3);
    printf("CPU times: user %s, sys: %s, total: %s\nWall time: %s\n", a, b, c, w);
    if ((double)rt_compile_ns / 1e9 > 0.1) {
        char t[64];
        format_time(t, sizeof t, (double)rt_compile_ns / 1e9, 3);
        printf("Compiler : %s\n", t);
    }
    fflush(stdout);
}

static void (*cell_end_fns[8])(void);
static int ncell_end_fns;

void rt_on_cell_end(void (*fn)(void))
{
    if (ncell_end_fns == (int)(sizeof cell_end_fns / sizeof *cell_end_fns))
        abort(); /* a fixed, small set of runtimes registers here */
    cell_end_fns[ncell_end_fns++] = fn;
}

void rt_cell_end(void)
{
    for (int i = 0; i < ncell_end_fns; i++)
        cell_end_fns[i]();
    parc__time_end();
}
