/* scaling.c — what %%scaling runs in the cell: the body once to warm up,
 * then R times per worker count; a table, an Amdahl fit and a plot (see
 * parc.h). */
#include "parc.h"
#include "pool.h"
#include "omp_run.h"
#include "ompt.h"
#include "trace.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Set only while %%scaling runs a cell's body. */
static int scaling_procs;

static int cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int parc_default_use_procs(void)
{
    return scaling_procs;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Times in table cells of 10 columns ("µs" is two bytes, one column). */
static void fmt_time(double s, char *out, size_t n)
{
    if (s >= 1)
        snprintf(out, n, "%.3g s", s);
    else if (s >= 1e-3)
        snprintf(out, n, "%.3g ms", s * 1e3);
    else
        snprintf(out, n, "%.3g µs", s * 1e6);
    size_t len = strlen(out), cols = len - (strstr(out, "µ") != NULL);
    while (cols < 10 && len + 1 < n)
        out[len++] = ' ', out[len] = 0, cols++;
}

/* Least squares of t = a + b / w; the serial fraction a / (a + b). */
static double amdahl(const int *w, const double *t, size_t n, double *a, double *b)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = 0; i < n; i++) {
        double x = 1.0 / w[i];
        sx += x, sy += t[i], sxx += x * x, sxy += x * t[i];
    }
    double d = (double)n * sxx - sx * sx;
    if (n < 2 || fabs(d) < 1e-300) {
        *a = 0, *b = n ? t[0] * w[0] : 0;
        return 0;
    }
    *b = ((double)n * sxy - sx * sy) / d;
    *a = (sy - *b * sx) / (double)n;
    if (*a < 0)
        *a = 0, *b = sxy / sxx;
    if (*b < 0)
        *b = 0, *a = sy / (double)n;
    return *a + *b > 0 ? *a / (*a + *b) : 0;
}

static void plot(const int *w, const double *best, size_t n, double a, double b, double serial)
{
    int nc = cores();
    double *x = xmalloc(n * sizeof *x), *sp = xmalloc(n * sizeof *sp), *ideal = xmalloc(n * sizeof *ideal);
    double *fit_t = xmalloc(n * sizeof *fit_t), *fit_s = xmalloc(n * sizeof *fit_s);
    double base = best[0] * w[0]; /* the time of one worker, as measured at the smallest count */
    for (size_t i = 0; i < n; i++) {
        x[i] = w[i];
        sp[i] = base / best[i];
        ideal[i] = w[i];
        fit_t[i] = a + b / w[i];
        fit_s[i] = (a + b) / fit_t[i];
    }
    char title[128];
    parc_plot *pt = parc_plot_new("time against workers", "workers", "seconds (best run)");
    parc_plot_line(pt, "measured", x, best, n);
    parc_plot_dashed(pt, "Amdahl fit", x, fit_t, n);
    snprintf(title, sizeof title, "speedup (serial fraction %.3f)", serial);
    parc_plot *ps = parc_plot_new(title, "workers", "speedup");
    parc_plot_line(ps, "measured", x, sp, n);
    parc_plot_dashed(ps, "ideal", x, ideal, n);
    parc_plot_dashed(ps, "Amdahl fit", x, fit_s, n);
    char label[64];
    snprintf(label, sizeof label, "oversubscribed (> %d cores)", nc);
    for (size_t i = 0; i < n; i++)
        if (w[i] > nc) {
            parc_plot__hollow(pt, 0, i);
            parc_plot__hollow(ps, 0, i);
        }
    if (w[n - 1] > nc) {
        parc_plot_shade_from(pt, nc, label);
        parc_plot_shade_from(ps, nc, label);
    }
    char *a_svg = parc_plot_svg(pt), *b_svg = parc_plot_svg(ps);
    /* The two charts side by side in one picture. */
    char *svg = xasprintf("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1280\" height=\"400\" "
                          "viewBox=\"0 0 1280 400\"><svg x=\"0\" y=\"0\" width=\"640\" height=\"400\">%s</svg>"
                          "<svg x=\"640\" y=\"0\" width=\"640\" height=\"400\">%s</svg></svg>\n",
                          strstr(a_svg, ">") + 1, strstr(b_svg, ">") + 1);
    /* Inner documents lose their own <svg ...> line but keep </svg>; cut it. */
    char *p;
    while ((p = strstr(svg, "</svg>\n</svg>")))
        memmove(p, p + 7, strlen(p + 7) + 1);
    parc_display_svg(svg);
    free(svg);
    free(a_svg);
    free(b_svg);
    parc_plot_free(pt);
    parc_plot_free(ps);
    free(x), free(sp), free(ideal), free(fit_t), free(fit_s);
}

void parc__scaling_run(void (*body)(void), const char *ws, int procs, int repeat)
{
    int w[64];
    size_t n = 0;
    for (const char *p = ws; *p && n < 64;) {
        w[n++] = atoi(p);
        p += strcspn(p, ",");
        p += *p == ',';
    }
    if (n == 0 || !body)
        return;
    if (repeat < 1)
        repeat = 1;
    int omp = procs == 2;
    scaling_procs = procs == 1;
    rt_scaling_workers = w[0];
    if (omp) {
        rt_omp_set_threads(w[0]);
        trace_ompt_set_recording(0); /* runs are timed, not drawn */
    }
    trace_rec_begin(0);
    body(); /* warm-up: code, caches and pages touched once */
    double best[64], mean[64], sd[64];
    for (size_t i = 0; i < n; i++) {
        rt_scaling_workers = w[i];
        if (omp)
            rt_omp_set_threads(w[i]);
        double sum = 0, sum2 = 0;
        best[i] = INFINITY;
        for (int r = 0; r < repeat; r++) {
            trace_rec_begin(0); /* each run records afresh: the recording never fills */
            double t0 = seconds();
            body();
            double t = seconds() - t0;
            best[i] = fmin(best[i], t);
            sum += t, sum2 += t * t;
        }
        mean[i] = sum / repeat;
        sd[i] = sqrt(fmax(0, sum2 / repeat - mean[i] * mean[i]));
    }
    rt_scaling_workers = 0;
    scaling_procs = 0;
    /* Amdahl's law assumes a core per worker: fit the counts that have one,
     * when there are two such counts, else all of them. */
    int nc = cores(), fw[64];
    double fb[64];
    size_t nf = 0;
    int distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (w[i] <= nc) {
            fw[nf] = w[i], fb[nf++] = best[i];
            distinct |= w[i] != fw[0];
        }
    int within = distinct && nf < n;
    double a, b, serial = within ? amdahl(fw, fb, nf, &a, &b) : amdahl(w, best, n, &a, &b);
    printf("%%%%scaling: %s, %d run%s per count after a warm-up; %d cores\n",
           omp ? "OpenMP threads" : procs ? "processes" : "threads",
           repeat, repeat == 1 ? "" : "s", nc);
    printf("%7s   %-10s  %-10s   %-10s  %7s  %10s\n", "workers", "best", "mean", "± sd", "speedup", "efficiency");
    double base = best[0] * w[0];
    for (size_t i = 0; i < n; i++) {
        char tb[32], tm[32], ts[32];
        fmt_time(best[i], tb, sizeof tb);
        fmt_time(mean[i], tm, sizeof tm);
        fmt_time(sd[i], ts, sizeof ts);
        double s = base / best[i];
        printf("%7d   %s  %s ± %s  %6.2f×  %9.0f%%%s\n", w[i], tb, tm, ts, s, 100 * s / w[i],
               w[i] > nc ? "  oversubscribed" : "");
    }
    char over[64] = "";
    if (within)
        snprintf(over, sizeof over, " (fitted up to %d workers, one per core)", nc);
    if (serial > 0)
        printf("Amdahl fit: T(w) = %.4g s + %.4g s / w; serial fraction %.3f, speedup at most %.3g×%s\n", a, b,
               serial, 1 / serial, over);
    else
        printf("Amdahl fit: T(w) = %.4g s + %.4g s / w; serial fraction 0%s\n", a, b, over);
    plot(w, best, n, a, b, serial);
}
