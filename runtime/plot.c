/* plot.c — small SVG charts for cells (parc_plot_* in parc.h): lines,
 * points, bars, linear or log-log axes, a legend. Also drawn by %%scaling. */
#include "parc.h"
#include "svg.h"
#include "textutil.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 640
#define H 400
#define ML 78 /* margins */
#define MR 170
#define MT 40
#define MB 52
#define TEXT "#8c8c8c"

enum { S_LINE, S_POINTS, S_DASHED, S_BAR };

struct series {
    char *name;
    int style;
    double *x, *y;
    char **labels; /* bars */
    unsigned char *hollow;
    size_t n;
};

struct parc_plot {
    char *title, *xlabel, *ylabel;
    int loglog;
    double shade_from; /* NAN: none */
    char *shade_label;
    struct series *s;
    size_t ns;
};

parc_plot *parc_plot_new(const char *title, const char *xlabel, const char *ylabel)
{
    parc_plot *p = xcalloc(1, sizeof *p);
    p->title = xstrdup(title ? title : "");
    p->xlabel = xstrdup(xlabel ? xlabel : "");
    p->ylabel = xstrdup(ylabel ? ylabel : "");
    p->shade_from = NAN;
    return p;
}

static struct series *add(parc_plot *p, const char *name, int style, const double *xs, const double *ys, size_t n)
{
    p->s = xrealloc(p->s, (p->ns + 1) * sizeof *p->s);
    struct series *s = &p->s[p->ns++];
    memset(s, 0, sizeof *s);
    s->name = xstrdup(name ? name : "");
    s->style = style;
    s->n = n;
    s->x = xcalloc(n + 1, sizeof *s->x);
    s->y = xcalloc(n + 1, sizeof *s->y);
    s->hollow = xcalloc(n + 1, 1);
    for (size_t i = 0; i < n; i++) {
        s->x[i] = xs ? xs[i] : (double)i;
        s->y[i] = ys[i];
    }
    return s;
}

void parc_plot_line(parc_plot *p, const char *name, const double *xs, const double *ys, size_t n)
{
    if (p && ys)
        add(p, name, S_LINE, xs, ys, n);
}

void parc_plot_points(parc_plot *p, const char *name, const double *xs, const double *ys, size_t n)
{
    if (p && ys)
        add(p, name, S_POINTS, xs, ys, n);
}

void parc_plot_dashed(parc_plot *p, const char *name, const double *xs, const double *ys, size_t n)
{
    if (p && ys)
        add(p, name, S_DASHED, xs, ys, n);
}

void parc_plot_bar(parc_plot *p, const char *name, const char *const *labels, const double *ys, size_t n)
{
    if (!p || !ys)
        return;
    struct series *s = add(p, name, S_BAR, NULL, ys, n);
    s->labels = xcalloc(n + 1, sizeof *s->labels);
    for (size_t i = 0; i < n; i++)
        s->labels[i] = xstrdup(labels && labels[i] ? labels[i] : "");
}

void parc_plot_loglog(parc_plot *p, int on)
{
    if (p)
        p->loglog = on;
}

void parc_plot_shade_from(parc_plot *p, double x, const char *label)
{
    if (!p)
        return;
    p->shade_from = x;
    free(p->shade_label);
    p->shade_label = xstrdup(label ? label : "");
}

void parc_plot__hollow(parc_plot *p, size_t series, size_t i)
{
    if (p && series < p->ns && i < p->s[series].n)
        p->s[series].hollow[i] = 1;
}

void parc_plot_free(parc_plot *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->ns; i++) {
        struct series *s = &p->s[i];
        strv_free(s->labels, s->labels ? s->n : 0);
        free(s->name);
        free(s->x);
        free(s->y);
        free(s->hollow);
    }
    free(p->s);
    free(p->title);
    free(p->xlabel);
    free(p->ylabel);
    free(p->shade_label);
    free(p);
}

/* ---- Drawing -------------------------------------------------------- */

struct axis {
    double lo, hi;
    int log;
    double a, b; /* pixel range */
};

static double map(const struct axis *ax, double v)
{
    double f = ax->log ? (log10(v) - log10(ax->lo)) / (log10(ax->hi) - log10(ax->lo))
                       : (v - ax->lo) / (ax->hi - ax->lo);
    return ax->a + f * (ax->b - ax->a);
}

static double nice_step(double span)
{
    double raw = span / 6, mag = pow(10, floor(log10(raw)));
    double r = raw / mag;
    return (r > 5 ? 10 : r > 2 ? 5 : r > 1 ? 2 : 1) * mag;
}

/* Range of the data: padded, through zero for bars and linear y. */
static void range(struct axis *ax, double lo, double hi, int from_zero)
{
    if (!(lo <= hi))
        lo = 0, hi = 1;
    if (ax->log) {
        if (lo <= 0)
            lo = hi > 0 ? hi / 1000 : 1;
        ax->lo = pow(10, floor(log10(lo)));
        ax->hi = pow(10, ceil(log10(hi > lo ? hi : lo * 10)));
        if (ax->hi <= ax->lo)
            ax->hi = ax->lo * 10;
        return;
    }
    if (from_zero && lo > 0)
        lo = 0;
    if (hi == lo)
        hi = lo + 1;
    double step = nice_step(hi - lo);
    ax->lo = floor(lo / step) * step;
    ax->hi = ceil(hi / step) * step;
}

/* One tick at position x of an axis: a faint grid line across the plot
 * and the label shown, beside the vertical axis (at other) or below the
 * horizontal one. */
static void tick(struct buf *b, int vertical, double other, double x, double shown)
{
    if (vertical)
        buf_printf(b, "<line x1=\"%g\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"" TEXT "\" stroke-opacity=\"0.25\"/>"
                      "<text x=\"%g\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                   other, x, W - MR, x, other - 6, x + 4, shown);
    else
        buf_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%g\" stroke=\"" TEXT "\" stroke-opacity=\"0.25\"/>"
                      "<text x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">%g</text>\n",
                   x, MT, x, other, x, other + 16, shown);
}

static void ticks(struct buf *b, const struct axis *ax, int vertical, double other)
{
    if (ax->log) {
        for (double v = ax->lo; v <= ax->hi * 1.0001; v *= 10)
            tick(b, vertical, other, map(ax, v), v);
        return;
    }
    double step = nice_step(ax->hi - ax->lo);
    for (double v = ax->lo; v <= ax->hi + step * 1e-6; v += step)
        tick(b, vertical, other, map(ax, v), fabs(v) < step * 1e-9 ? 0 : v);
}

static void text(struct buf *b, const char *attrs, const char *s)
{
    buf_printf(b, "<text %s>", attrs);
    trace_xml_escape(b, s);
    buf_adds(b, "</text>\n");
}

static void marker(struct buf *b, double x, double y, const char *color, int hollow, const char *name, double xv,
                   double yv)
{
    buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\"><title>",
               x, y, hollow ? "none" : color, color);
    trace_xml_escape(b, name);
    buf_printf(b, ": (%g, %g)%s</title></circle>\n", xv, yv, hollow ? " oversubscribed" : "");
}

char *parc_plot_svg(const parc_plot *p)
{
    if (!p)
        return NULL;
    struct buf b = {0};
    int bars = 0;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    size_t ncat = 0, nbar = 0;
    for (size_t i = 0; i < p->ns; i++) {
        const struct series *s = &p->s[i];
        if (s->style == S_BAR) {
            bars = 1;
            nbar++;
            if (s->n > ncat)
                ncat = s->n;
        }
        for (size_t k = 0; k < s->n; k++) {
            if (p->loglog && (s->x[k] <= 0 || s->y[k] <= 0))
                continue;
            xlo = fmin(xlo, s->x[k]), xhi = fmax(xhi, s->x[k]);
            ylo = fmin(ylo, s->y[k]), yhi = fmax(yhi, s->y[k]);
        }
    }
    struct axis X = {0, 1, p->loglog && !bars, ML, W - MR}, Y = {0, 1, p->loglog, H - MB, MT};
    if (bars)
        X.lo = -0.5, X.hi = (double)ncat - 0.5;
    else
        range(&X, xlo, xhi, 0);
    range(&Y, ylo, yhi, 1);
    buf_printf(&b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "font-family=\"sans-serif\" font-size=\"12\" fill=\"" TEXT "\">\n",
               W, H, W, H);
    text(&b, "x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\"", p->title);
    if (!isnan(p->shade_from) && !bars && p->shade_from < X.hi) {
        double x = map(&X, p->shade_from > X.lo ? p->shade_from : X.lo);
        buf_printf(&b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"" TEXT
                       "\" fill-opacity=\"0.12\"/>",
                   x, MT, W - MR - x, H - MB - MT);
        char *attrs = xasprintf("x=\"%.1f\" y=\"%d\"", x + 4, MT + 14);
        text(&b, attrs, p->shade_label);
        free(attrs);
    }
    ticks(&b, &Y, 1, ML);
    if (bars) {
        const struct series *first = NULL;
        for (size_t i = 0; i < p->ns && !first; i++)
            if (p->s[i].style == S_BAR)
                first = &p->s[i];
        for (size_t k = 0; k < ncat; k++) {
            char *attrs = xasprintf("x=\"%.1f\" y=\"%d\" text-anchor=\"middle\"", map(&X, (double)k), H - MB + 16);
            text(&b, attrs, k < first->n ? first->labels[k] : "");
            free(attrs);
        }
    } else {
        ticks(&b, &X, 0, H - MB);
    }
    buf_printf(&b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"" TEXT "\"/>\n", ML, MT,
               W - MR - ML, H - MB - MT);
    char *attrs = xasprintf("x=\"%d\" y=\"%d\" text-anchor=\"middle\"", (ML + W - MR) / 2, H - 12);
    text(&b, attrs, p->xlabel);
    free(attrs);
    attrs = xasprintf("x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\"", (MT + H - MB) / 2,
                      (MT + H - MB) / 2);
    text(&b, attrs, p->ylabel);
    free(attrs);

    size_t bar_i = 0;
    double slot = (map(&X, 1) - map(&X, 0)) * 0.8;
    for (size_t i = 0; i < p->ns; i++) {
        const struct series *s = &p->s[i];
        const char *c = trace_color((int)i);
        if (s->style == S_BAR) {
            double w = slot / (double)nbar;
            for (size_t k = 0; k < s->n; k++) {
                double x = map(&X, (double)k) - slot / 2 + w * (double)bar_i;
                double y = map(&Y, s->y[k]), y0 = map(&Y, Y.log ? Y.lo : 0);
                buf_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>", x,
                           fmin(y, y0), w - 2, fabs(y0 - y), c);
                trace_xml_escape(&b, s->name);
                buf_adds(&b, " ");
                trace_xml_escape(&b, s->labels[k]);
                buf_printf(&b, ": %g</title></rect>\n", s->y[k]);
            }
            bar_i++;
            continue;
        }
        if (s->style != S_POINTS) {
            buf_printf(&b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"", c,
                       s->style == S_DASHED ? " stroke-dasharray=\"6 4\"" : "");
            for (size_t k = 0; k < s->n; k++)
                if (!p->loglog || (s->x[k] > 0 && s->y[k] > 0))
                    buf_printf(&b, "%.1f,%.1f ", map(&X, s->x[k]), map(&Y, s->y[k]));
            buf_adds(&b, "\"/>\n");
        }
        if (s->style != S_DASHED)
            for (size_t k = 0; k < s->n; k++)
                if (!p->loglog || (s->x[k] > 0 && s->y[k] > 0))
                    marker(&b, map(&X, s->x[k]), map(&Y, s->y[k]), c, s->hollow[k], s->name, s->x[k], s->y[k]);
    }
    /* Legend, right of the plot. */
    for (size_t i = 0; i < p->ns; i++) {
        int y = MT + 10 + 20 * (int)i;
        const char *c = trace_color((int)i);
        if (p->s[i].style == S_BAR)
            buf_printf(&b, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"%s\"/>", W - MR + 12, y - 5, c);
        else if (p->s[i].style == S_POINTS)
            buf_printf(&b, "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"%s\"/>", W - MR + 19, y, c);
        else
            buf_printf(&b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>",
                       W - MR + 10, y, W - MR + 28, y, c,
                       p->s[i].style == S_DASHED ? " stroke-dasharray=\"6 4\"" : "");
        attrs = xasprintf("x=\"%d\" y=\"%d\"", W - MR + 34, y + 4);
        text(&b, attrs, p->s[i].name);
        free(attrs);
    }
    buf_adds(&b, "</svg>\n");
    return buf_take(&b);
}

void parc_plot_show(const parc_plot *p)
{
    char *svg = parc_plot_svg(p);
    if (svg)
        parc_display_svg(svg);
    free(svg);
}
