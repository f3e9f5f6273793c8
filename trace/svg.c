/* svg.c — SVG timelines (see svg.h). */
#include "svg.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_W 190  /* lane labels, left */
#define BUSY_W 58    /* busy share, right */
#define LANE_H 20
#define LANE_GAP 6
#define TEXT "#8c8c8c" /* mid grey: legible on white and on near-black */
#define MIXED "#a0a0a0"

static const char *palette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#79706e"};

const char *trace_color(int i)
{
    if (i < 0)
        return MIXED;
    return palette[i % (int)(sizeof palette / sizeof *palette)];
}

void trace_xml_escape(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': buf_adds(b, "&amp;"); break;
        case '<': buf_adds(b, "&lt;"); break;
        case '>': buf_adds(b, "&gt;"); break;
        case '"': buf_adds(b, "&quot;"); break;
        case '\'': buf_adds(b, "&#39;"); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
                buf_addc(b, *s);
        }
    }
}

/* Everything the drawing functions share. */
struct pic {
    const struct trace *t;
    struct buf *b;
    const char *id;
    double x0, pw; /* plot area: left edge and width in pixels */
    double scale;  /* pixels per ns */
    int y0;        /* top of the first lane */
    size_t merged_events, merged_marks;
    int any_mixed;
};

static double px(const struct pic *p, int64_t ns)
{
    return p->x0 + (double)ns * p->scale;
}

static int lane_y(const struct pic *p, int lane)
{
    return p->y0 + lane * (LANE_H + LANE_GAP);
}

/* Whether e is a chunk of a loop whose arguments are its iteration range
 * [lo, hi) (OpenMP chunks, trace/ompt.h). */
static int is_chunk(const struct trace *t, const struct trace_event *e)
{
    return e->kind == TRACE_TASK && e->arg[1] != TRACE_NO_ARG && !strcmp(trace_event_name(t, e), "chunk");
}

/* Whether e is a thread's share of a schedule(static, N) loop: chunks of N
 * every M iterations, from arg[0] up to arg[1]. */
static int is_chunks(const struct trace *t, const struct trace_event *e)
{
    return e->kind == TRACE_TASK && e->arg[1] != TRACE_NO_ARG &&
           !strncmp(trace_event_name(t, e), "chunks of ", 10);
}

static void add_args(struct buf *b, const struct trace *t, const struct trace_event *e)
{
    if (e->arg[0] == TRACE_NO_ARG)
        return;
    if (is_chunk(t, e)) {
        buf_printf(b, "&#10;iterations [%lld, %lld)", (long long)e->arg[0], (long long)e->arg[1]);
        return;
    }
    if (is_chunks(t, e)) {
        buf_printf(b, "&#10;from iteration %lld, below %lld", (long long)e->arg[0], (long long)e->arg[1]);
        return;
    }
    buf_printf(b, "&#10;args: %lld", (long long)e->arg[0]);
    if (e->arg[1] != TRACE_NO_ARG)
        buf_printf(b, ", %lld", (long long)e->arg[1]);
}

static void tooltip(struct pic *p, const struct trace_event *e)
{
    char s[32], d[32];
    buf_adds(p->b, "<title>");
    trace_xml_escape(p->b, trace_event_name(p->t, e));
    if (e->kind == TRACE_WAIT)
        buf_adds(p->b, " (waiting)");
    buf_adds(p->b, "&#10;");
    trace_xml_escape(p->b, p->t->lanes[e->lane].label);
    buf_printf(p->b, "&#10;start %s, duration %s", trace_fmt_ns(e->start_ns, s, sizeof s),
               trace_fmt_ns(e->end_ns - e->start_ns, d, sizeof d));
    add_args(p->b, p->t, e);
    buf_adds(p->b, "</title>");
}

static const char *fill_of(struct pic *p, int kind, int name, char *tmp, size_t n)
{
    if (kind == TRACE_WAIT) {
        snprintf(tmp, n, "url(#%s-hatch)", p->id);
        return tmp;
    }
    return trace_color(name);
}

/* One event drawn on its own. */
static void draw_event(struct pic *p, const struct trace_event *e, int depth)
{
    double x = px(p, e->start_ns), w = (double)(e->end_ns - e->start_ns) * p->scale;
    int y = lane_y(p, e->lane);
    char tmp[64];
    if (w < 1)
        w = 1;
    switch (e->kind) {
    case TRACE_TASK:
    case TRACE_WAIT:
        buf_printf(p->b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"", x, y, w, LANE_H,
                   fill_of(p, e->kind, e->name, tmp, sizeof tmp));
        if (e->kind == TRACE_WAIT)
            buf_printf(p->b, " stroke=\"%s\" stroke-width=\"0.5\"", trace_color(e->name));
        buf_adds(p->b, ">");
        break;
    case TRACE_SPAN: {
        int inset = depth < 4 ? depth * 2 : 8;
        buf_printf(p->b,
                   "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"none\" stroke=\"%s\" "
                   "stroke-width=\"1.5\">",
                   x, y + inset, w, LANE_H - 2 * inset, trace_color(e->name));
        break;
    }
    default: /* TRACE_MARK */
        buf_printf(p->b, "<path d=\"M%.1f %dl-4 -5h8z\" fill=\"%s\">", x, y, trace_color(e->name));
        break;
    }
    tooltip(p, e);
    buf_adds(p->b, e->kind == TRACE_MARK ? "</path>\n" : "</rect>\n");
    /* A chunk wide enough for it shows its range. */
    if (is_chunk(p->t, e)) {
        char range[64];
        int n = snprintf(range, sizeof range, "[%lld, %lld)", (long long)e->arg[0], (long long)e->arg[1]);
        if (w >= 6.0 * n + 4)
            buf_printf(p->b, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#fff\" text-anchor=\"middle\" "
                             "pointer-events=\"none\">%s</text>\n",
                       x + w / 2, y + LANE_H / 2 + 4, range);
    }
}

/* Events narrower than a pixel that touch, gathered into one mark. */
struct run {
    int active, kind, name, lane;
    double xa, xb;
    size_t n;
    int64_t start, end;
};

static void flush_run(struct pic *p, struct run *r)
{
    if (!r->active)
        return;
    r->active = 0;
    char tmp[64], s[32], d[32];
    double w = r->xb - r->xa < 1 ? 1 : r->xb - r->xa;
    if (r->name < 0)
        p->any_mixed = 1;
    buf_printf(p->b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>", r->xa,
               lane_y(p, r->lane), w, LANE_H, fill_of(p, r->kind, r->name, tmp, sizeof tmp));
    buf_printf(p->b, "%zu %s merged (each narrower than a pixel)&#10;", r->n,
               r->kind == TRACE_WAIT ? "waits" : "tasks");
    if (r->name >= 0)
        trace_xml_escape(p->b, p->t->names[r->name]);
    else
        buf_adds(p->b, "several names");
    buf_adds(p->b, "&#10;");
    trace_xml_escape(p->b, p->t->lanes[r->lane].label);
    buf_printf(p->b, "&#10;from %s for %s</title></rect>\n", trace_fmt_ns(r->start, s, sizeof s),
               trace_fmt_ns(r->end - r->start, d, sizeof d));
    p->merged_events += r->n;
    p->merged_marks++;
}

static void add_to_run(struct pic *p, struct run *r, const struct trace_event *e, double xa, double xb)
{
    if (r->active && (r->lane != e->lane || xa > r->xb + 1.0))
        flush_run(p, r);
    if (!r->active) {
        *r = (struct run){1, e->kind, e->name, e->lane, xa, xb, 0, e->start_ns, e->end_ns};
    }
    if (r->name != e->name)
        r->name = -1;
    if (xb > r->xb)
        r->xb = xb;
    if (e->end_ns > r->end)
        r->end = e->end_ns;
    r->n++;
}

/* Tasks and waits of one kind class; small ones merged. A lone small
 * event is drawn on its own. */
static void draw_bars(struct pic *p, int kind)
{
    const struct trace *t = p->t;
    struct run r = {0};
    const struct trace_event *single = NULL; /* a run of one, drawn whole */
    for (size_t i = 0; i < t->nevents; i++) {
        const struct trace_event *e = &t->events[i];
        if (e->kind != kind || e->lane < 0 || (size_t)e->lane >= t->nlanes)
            continue;
        double xa = px(p, e->start_ns), xb = px(p, e->end_ns);
        if (xb - xa >= 1.0) {
            draw_event(p, e, 0);
            continue;
        }
        if (r.active && (r.lane != e->lane || xa > r.xb + 1.0)) {
            if (r.n == 1 && single)
                r.active = 0, draw_event(p, single, 0);
            else
                flush_run(p, &r);
        }
        add_to_run(p, &r, e, xa, xb);
        single = e;
    }
    if (r.active && r.n == 1 && single)
        draw_event(p, single, 0);
    else
        flush_run(p, &r);
}

/* Spans of one name and depth narrower than a pixel that touch, drawn as
 * one outline (a lock held thousands of times stays a small picture). */
struct span_run {
    const struct trace_event *first;
    int depth;
    double xa, xb;
    size_t n;
    int64_t end;
};

static void flush_span_run(struct pic *p, struct span_run *r)
{
    if (!r->first)
        return;
    const struct trace_event *e = r->first;
    r->first = NULL;
    if (r->n == 1) {
        draw_event(p, e, r->depth);
        return;
    }
    char s[32], d[32];
    int inset = r->depth < 4 ? r->depth * 2 : 8;
    double w = r->xb - r->xa < 1 ? 1 : r->xb - r->xa;
    buf_printf(p->b,
               "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"none\" stroke=\"%s\" "
               "stroke-width=\"1.5\"><title>%zu spans merged (each narrower than a pixel)&#10;",
               r->xa, lane_y(p, e->lane) + inset, w, LANE_H - 2 * inset, trace_color(e->name), r->n);
    trace_xml_escape(p->b, e->name >= 0 && (size_t)e->name < p->t->nnames ? p->t->names[e->name] : "span");
    buf_adds(p->b, "&#10;");
    trace_xml_escape(p->b, p->t->lanes[e->lane].label);
    buf_printf(p->b, "&#10;from %s for %s</title></rect>\n", trace_fmt_ns(e->start_ns, s, sizeof s),
               trace_fmt_ns(r->end - e->start_ns, d, sizeof d));
    p->merged_events += r->n;
    p->merged_marks++;
}

static void add_span(struct pic *p, struct span_run *r, const struct trace_event *e, int depth)
{
    double xa = px(p, e->start_ns), xb = xa + (double)(e->end_ns - e->start_ns) * p->scale;
    if (r->first && (r->first->name != e->name || xa > r->xb + 1.0))
        flush_span_run(p, r);
    if (xb - xa >= 1) {
        draw_event(p, e, depth);
        return;
    }
    if (!r->first)
        *r = (struct span_run){e, depth, xa, xb, 0, e->end_ns};
    if (xb > r->xb)
        r->xb = xb;
    if (e->end_ns > r->end)
        r->end = e->end_ns;
    r->n++;
}

/* Spans and marks: spans inset by nesting depth on their lane. */
static void draw_spans_marks(struct pic *p)
{
    const struct trace *t = p->t;
    int64_t stack[8];
    struct span_run runs[9] = {{0}};
    int depth = 0, lane = -1;
    for (size_t i = 0; i < t->nevents; i++) {
        const struct trace_event *e = &t->events[i];
        if (e->lane < 0 || (size_t)e->lane >= t->nlanes)
            continue;
        if (e->kind == TRACE_MARK) {
            draw_event(p, e, 0);
            continue;
        }
        if (e->kind != TRACE_SPAN)
            continue;
        if (e->lane != lane) {
            for (int k = 0; k < 9; k++)
                flush_span_run(p, &runs[k]);
            depth = 0, lane = e->lane;
        }
        while (depth > 0 && stack[depth - 1] <= e->start_ns)
            depth--;
        add_span(p, &runs[depth], e, depth);
        if (depth < 8)
            stack[depth++] = e->end_ns;
    }
    for (int k = 0; k < 9; k++)
        flush_span_run(p, &runs[k]);
}

static void draw_arrows(struct pic *p)
{
    const struct trace *t = p->t;
    for (size_t i = 0; i < t->narrows; i++) {
        const struct trace_arrow *a = &t->arrows[i];
        if (a->from_lane < 0 || a->to_lane < 0 || (size_t)a->from_lane >= t->nlanes ||
            (size_t)a->to_lane >= t->nlanes)
            continue;
        buf_printf(p->b,
                   "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"" TEXT
                   "\" stroke-width=\"1.2\" marker-end=\"url(#%s-arrow)\"><title>",
                   px(p, a->from_ns), lane_y(p, a->from_lane) + LANE_H / 2, px(p, a->to_ns),
                   lane_y(p, a->to_lane) + LANE_H / 2, p->id);
        trace_xml_escape(p->b, a->name >= 0 && (size_t)a->name < t->nnames ? t->names[a->name] : "message");
        buf_adds(p->b, "</title></line>\n");
    }
}

/* Ticks at 1, 2 or 5 times a power of ten, about eight of them. */
static void draw_axis(struct pic *p, int64_t wall, int y)
{
    double raw = (double)wall / 8;
    double mag = pow(10, floor(log10(raw > 1 ? raw : 1)));
    double step = mag;
    if (raw / mag > 5)
        step = 10 * mag;
    else if (raw / mag > 2)
        step = 5 * mag;
    else if (raw / mag > 1)
        step = 2 * mag;
    double div = 1;
    const char *unit = "ns";
    if (wall >= 1000000000)
        div = 1e9, unit = "s";
    else if (wall >= 1000000)
        div = 1e6, unit = "ms";
    else if (wall >= 1000)
        div = 1e3, unit = "µs";
    buf_printf(p->b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"" TEXT "\"/>\n", p->x0, y,
               p->x0 + p->pw, y);
    for (double v = 0; v <= (double)wall * 1.0001; v += step) {
        double x = px(p, (int64_t)v);
        buf_printf(p->b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"" TEXT "\"/>", x, y, x, y + 4);
        buf_printf(p->b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", x, y + 15, v / div);
    }
    buf_printf(p->b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"start\">%s</text>\n", p->x0 + p->pw + 6, y + 15,
               unit);
}

/* Names used by tasks and waits, in order of their index. */
static int draw_legend(struct pic *p, int y, int width)
{
    const struct trace *t = p->t;
    char *used = xcalloc(t->nnames + 1, 1);
    for (size_t i = 0; i < t->nevents; i++)
        if (t->events[i].name >= 0 && (size_t)t->events[i].name < t->nnames)
            used[t->events[i].name] = 1;
    double x = 10;
    int shown = 0, hidden = 0;
    for (size_t i = 0; i < t->nnames; i++) {
        if (!used[i])
            continue;
        double w = 22 + 7.0 * (double)strlen(t->names[i]);
        if (shown >= 16 || x + w > width - 10) {
            hidden++;
            continue;
        }
        buf_printf(p->b, "<rect x=\"%.0f\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>", x, y - 10,
                   trace_color((int)i));
        buf_printf(p->b, "<text x=\"%.0f\" y=\"%d\">", x + 16, y);
        trace_xml_escape(p->b, t->names[i]);
        buf_adds(p->b, "</text>\n");
        x += w + 10;
        shown++;
    }
    if (hidden)
        buf_printf(p->b, "<text x=\"%.0f\" y=\"%d\">+%d more</text>\n", x, y, hidden);
    free(used);
    return shown + hidden;
}

/* What the patterns mean, after the names: only those the picture uses. */
static void draw_keys(struct pic *p, int y)
{
    int any_wait = 0;
    for (size_t i = 0; i < p->t->nevents && !any_wait; i++)
        any_wait = p->t->events[i].kind == TRACE_WAIT;
    int x = 10;
    if (any_wait) {
        buf_printf(p->b,
                   "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"url(#%s-hatch)\" stroke=\"" TEXT
                   "\" stroke-width=\"0.5\"/><text x=\"%d\" y=\"%d\">waiting</text>\n",
                   x, y - 10, p->id, x + 16, y);
        x += 86;
    }
    if (p->any_mixed)
        buf_printf(p->b,
                   "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"" MIXED
                   "\"/><text x=\"%d\" y=\"%d\">tasks of several names merged</text>\n",
                   x, y - 10, x + 16, y);
}

char *trace_svg(const struct trace *t, const struct trace_svg_opts *opts)
{
    struct trace_svg_opts o = opts ? *opts : (struct trace_svg_opts){0};
    int width = o.width > 0 ? o.width : 960;
    struct buf b = {0};
    struct trace_stats st;
    trace_stats(t, &st);
    int64_t wall = st.wall_ns > 0 ? st.wall_ns : 1;
    struct pic p = {.t = t, .b = &b, .id = o.id ? o.id : "parc"};
    p.x0 = LABEL_W;
    p.pw = width - LABEL_W - BUSY_W;
    p.scale = p.pw / (double)wall;
    p.y0 = 78;
    int lanes_h = (int)t->nlanes * (LANE_H + LANE_GAP);
    int axis_y = p.y0 + lanes_h + 2;
    int height = axis_y + 64;

    buf_printf(&b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "font-family=\"sans-serif\" font-size=\"12\" fill=\"" TEXT "\">\n",
               width, height, width, height);
    buf_printf(&b,
               "<defs><pattern id=\"%s-hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" "
               "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"" TEXT
               "\" fill-opacity=\"0.15\"/><rect width=\"2.5\" height=\"6\" fill=\"" TEXT "\"/></pattern>"
               "<marker id=\"%s-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" "
               "markerHeight=\"6\" orient=\"auto\"><path d=\"M0 0L10 5L0 10z\" fill=\"" TEXT "\"/></marker></defs>\n",
               p.id, p.id);

    /* Title and summary. */
    char w[32];
    buf_adds(&b, "<text x=\"10\" y=\"18\" font-size=\"14\" font-weight=\"bold\">");
    trace_xml_escape(&b, o.title ? o.title : "timeline");
    buf_printf(&b, "%s</text>\n", o.live ? " (running)" : "");
    buf_printf(&b,
               "<text x=\"10\" y=\"38\">wall %s · speedup %.2f× (busy sum / wall) · efficiency %.0f%% on %zu "
               "working lane%s · imbalance %.0f%% ((max − mean) / max busy)</text>\n",
               trace_fmt_ns(st.wall_ns, w, sizeof w), st.speedup, 100 * st.efficiency, st.working,
               st.working == 1 ? "" : "s", 100 * st.imbalance);
    draw_legend(&p, 60, width);

    /* Lanes: label, background, busy share. */
    buf_printf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">busy</text>\n", width - 6, p.y0 - 4);
    for (size_t l = 0; l < t->nlanes; l++) {
        int y = lane_y(&p, (int)l);
        buf_printf(&b, "<rect x=\"%.0f\" y=\"%d\" width=\"%.0f\" height=\"%d\" fill=\"" TEXT
                        "\" fill-opacity=\"0.08\"/>",
                   p.x0, y, p.pw, LANE_H);
        buf_printf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 8, y + 14);
        trace_xml_escape(&b, t->lanes[l].label);
        buf_printf(&b, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f%%</text>\n", width - 6, y + 14,
                   100.0 * (double)st.busy_ns[l] / (double)wall);
    }
    draw_bars(&p, TRACE_TASK);
    draw_bars(&p, TRACE_WAIT);
    draw_spans_marks(&p);
    draw_arrows(&p);
    draw_axis(&p, wall, axis_y);
    draw_keys(&p, axis_y + 38);
    if (p.merged_events)
        buf_printf(&b,
                   "<text x=\"10\" y=\"%d\">%zu events narrower than a pixel are drawn merged into %zu marks "
                   "(hover for counts)</text>\n",
                   axis_y + 58, p.merged_events, p.merged_marks);
    buf_adds(&b, "</svg>\n");
    trace_stats_free(&st);
    return buf_take(&b);
}
