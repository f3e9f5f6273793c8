/* text.c — Unicode timelines for the terminal (see text.h). */
#include "text.h"
#include "stats.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

char *trace_summary(const struct trace *t)
{
    struct trace_stats st;
    trace_stats(t, &st);
    char w[32];
    char *s = xasprintf("wall %s · speedup %.2f× · efficiency %.0f%% on %zu working lane%s · imbalance %.0f%%",
                        trace_fmt_ns(st.wall_ns, w, sizeof w), st.speedup, 100 * st.efficiency, st.working,
                        st.working == 1 ? "" : "s", 100 * st.imbalance);
    trace_stats_free(&st);
    return s;
}

/* Adds the time of [a, b) to the columns it covers. */
static void spread(double *col, int cols, double ns_per_col, int64_t a, int64_t b)
{
    if (b <= a)
        return;
    int c0 = (int)((double)a / ns_per_col), c1 = (int)((double)b / ns_per_col);
    for (int c = c0 < 0 ? 0 : c0; c <= c1 && c < cols; c++) {
        double lo = c * ns_per_col, hi = lo + ns_per_col;
        double x = (double)a > lo ? (double)a : lo, y = (double)b < hi ? (double)b : hi;
        if (y > x)
            col[c] += (y - x) / ns_per_col;
    }
}

/* Display width of a UTF-8 string (one column per code point). */
static int columns(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

char *trace_text(const struct trace *t, int width)
{
    struct trace_stats st;
    trace_stats(t, &st);
    if (width <= 0)
        width = 80;
    int label_w = 0;
    for (size_t l = 0; l < t->nlanes; l++) {
        int n = columns(t->lanes[l].label);
        if (n > label_w)
            label_w = n;
    }
    if (label_w > 24)
        label_w = 24;
    int cols = width - label_w - 3 - 5; /* " │" ... "│" + " 100%" */
    if (cols < 10)
        cols = 10;
    double ns_per_col = (double)(st.wall_ns > 0 ? st.wall_ns : 1) / cols;
    double *busy = xmalloc((size_t)cols * sizeof *busy), *wait = xmalloc((size_t)cols * sizeof *wait);
    struct buf b = {0};
    size_t i = 0;
    for (size_t l = 0; l < t->nlanes; l++) {
        memset(busy, 0, (size_t)cols * sizeof *busy);
        memset(wait, 0, (size_t)cols * sizeof *wait);
        while (i < t->nevents && t->events[i].lane < (int)l)
            i++;
        for (; i < t->nevents && t->events[i].lane == (int)l; i++) {
            const struct trace_event *e = &t->events[i];
            if (e->kind == TRACE_TASK)
                spread(busy, cols, ns_per_col, e->start_ns, e->end_ns);
            else if (e->kind == TRACE_WAIT)
                spread(wait, cols, ns_per_col, e->start_ns, e->end_ns);
        }
        const char *label = t->lanes[l].label;
        int n = columns(label), k = 0;
        for (const char *p = label; *p && k < label_w; p++) {
            buf_addc(&b, *p);
            if (((unsigned char)p[1] & 0xc0) != 0x80)
                k++;
        }
        for (; n < label_w; n++)
            buf_addc(&b, ' ');
        buf_adds(&b, " │");
        for (int c = 0; c < cols; c++) {
            double f = busy[c] - wait[c];
            if (wait[c] > 0.5 && wait[c] >= busy[c] - wait[c])
                buf_adds(&b, "╌");
            else
                buf_adds(&b, f >= 0.75 ? "█" : f >= 0.5 ? "▓" : f >= 0.25 ? "▒" : f > 0.001 ? "░" : " ");
        }
        buf_printf(&b, "│%4.0f%%\n", 100.0 * (double)st.busy_ns[l] / (double)(st.wall_ns > 0 ? st.wall_ns : 1));
    }
    /* Axis: 0 at the left, the wall time at the right. */
    char w[32];
    trace_fmt_ns(st.wall_ns, w, sizeof w);
    for (int k = 0; k < label_w + 2; k++)
        buf_addc(&b, ' ');
    buf_addc(&b, '0');
    int pad = cols - 1 - columns(w);
    for (int k = 0; k < pad; k++)
        buf_addc(&b, ' ');
    buf_printf(&b, "%s\n", w);
    char *sum = trace_summary(t);
    buf_printf(&b, "%s\n", sum);
    free(sum);
    free(busy);
    free(wait);
    trace_stats_free(&st);
    return buf_take(&b);
}
