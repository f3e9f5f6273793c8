/* test_trace_render.c — the renderers on synthetic traces: the SVG and the
 * text timeline against golden files (tests/trace/), structural checks on
 * the SVG (lanes, legend, tooltips, hatching, merging of what is narrower
 * than a pixel), the summary numbers, and nesting in the Chrome JSON.
 * With --update the golden files are rewritten (check them by eye). */
#include "chrome.h"
#include "stats.h"
#include "svg.h"
#include "text.h"
#include "trace.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, update;
static const char *golden_dir;

#define CHECK(c)                                                                  \
    do {                                                                          \
        if (!(c)) {                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
            failures++;                                                           \
        }                                                                         \
    } while (0)

/* A hand-made trace: lanes, names, and events added in any order. */
static struct trace *make(size_t nlanes, const char *const *names, size_t nnames, int64_t wall)
{
    struct trace *t = xcalloc(1, sizeof *t);
    t->nlanes = nlanes;
    t->lanes = xcalloc(nlanes, sizeof *t->lanes);
    for (size_t i = 0; i < nlanes; i++) {
        t->lanes[i].label = xasprintf("worker %zu (tid %zu)", i, 1000 + i);
        t->lanes[i].pid = 999;
        t->lanes[i].tid = (int)(1000 + i);
    }
    t->nnames = nnames;
    t->names = xcalloc(nnames, sizeof *t->names);
    for (size_t i = 0; i < nnames; i++)
        t->names[i] = xstrdup(names[i]);
    t->wall_ns = wall;
    return t;
}

static void add(struct trace *t, int lane, int kind, int name, int64_t a, int64_t b, int64_t a0)
{
    /* Room doubles at powers of two: 100,000 events stay quick under ASan. */
    size_t n = t->nevents;
    if (n == 0 || (n & (n - 1)) == 0)
        t->events = xrealloc(t->events, (n ? 2 * n : 16) * sizeof *t->events);
    t->events[t->nevents++] = (struct trace_event){lane, name, (uint8_t)kind, a, b, {a0, TRACE_NO_ARG}};
}

static int cmp_event(const void *x, const void *y)
{
    const struct trace_event *a = x, *b = y;
    if (a->lane != b->lane)
        return a->lane - b->lane;
    if (a->start_ns != b->start_ns)
        return a->start_ns < b->start_ns ? -1 : 1;
    return a->end_ns > b->end_ns ? -1 : a->end_ns < b->end_ns;
}

static void sort(struct trace *t)
{
    qsort(t->events, t->nevents, sizeof *t->events, cmp_event);
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static void golden(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", golden_dir, name);
    if (update) {
        FILE *f = fopen(path, "w");
        CHECK(f && fputs(text, f) >= 0);
        if (f)
            fclose(f);
    } else {
        FILE *f = fopen(path, "r");
        struct buf b = {0};
        char tmp[4096];
        size_t n;
        while (f && (n = fread(tmp, 1, sizeof tmp, f)) > 0)
            buf_add(&b, tmp, n);
        if (f)
            fclose(f);
        int same = b.data && !strcmp(b.data, text);
        if (!same)
            fprintf(stderr, "%s differs from the output (run with --update and check by eye)\n", path);
        CHECK(same);
        buf_free(&b);
    }
    free(path);
}

/* Two workers: a static schedule that leaves worker 1 idle at the end, a
 * wait on a lock, a user span holding two tasks, a mark and a message. */
static struct trace *schedule_trace(void)
{
    static const char *names[] = {"square", "lock", "phase 1", "checkpoint", "result"};
    struct trace *t = make(2, names, 5, 10000000);
    add(t, 0, TRACE_SPAN, 2, 0, 6000000, TRACE_NO_ARG);
    for (int i = 0; i < 4; i++)
        add(t, 0, TRACE_TASK, 0, i * 2000000, i * 2000000 + 1900000, i);
    add(t, 1, TRACE_TASK, 0, 0, 1500000, 4);
    add(t, 1, TRACE_WAIT, 1, 1500000, 2500000, TRACE_NO_ARG);
    add(t, 1, TRACE_TASK, 0, 2500000, 4000000, 5);
    add(t, 1, TRACE_MARK, 3, 4000000, 4000000, TRACE_NO_ARG);
    sort(t);
    t->arrows = xcalloc(1, sizeof *t->arrows);
    t->arrows[0] = (struct trace_arrow){1, 0, 4000000, 4100000, 4};
    t->narrows = 1;
    return t;
}

static void test_stats(void)
{
    struct trace *t = schedule_trace();
    struct trace_stats st;
    trace_stats(t, &st);
    CHECK(st.wall_ns == 10000000);
    CHECK(st.busy_ns[0] == 4 * 1900000);
    CHECK(st.busy_ns[1] == 3000000);
    CHECK(st.working == 2);
    CHECK(fabs(st.speedup - 1.06) < 1e-9);
    CHECK(fabs(st.efficiency - 0.53) < 1e-9);
    CHECK(fabs(st.imbalance - (7.6 - 5.3) / 7.6) < 1e-9);
    CHECK(st.parallel);
    trace_stats_free(&st);
    /* One lane after the other is not parallel. */
    static const char *names[] = {"a"};
    struct trace *s = make(2, names, 1, 100);
    add(s, 0, TRACE_TASK, 0, 0, 50, TRACE_NO_ARG);
    add(s, 1, TRACE_TASK, 0, 50, 100, TRACE_NO_ARG);
    trace_stats(s, &st);
    CHECK(!st.parallel && st.working == 2);
    trace_stats_free(&st);
    trace_free(s);
    char buf[32];
    CHECK(!strcmp(trace_fmt_ns(950, buf, sizeof buf), "950 ns"));
    CHECK(!strcmp(trace_fmt_ns(12300, buf, sizeof buf), "12.3 µs"));
    CHECK(!strcmp(trace_fmt_ns(4560000, buf, sizeof buf), "4.56 ms"));
    CHECK(!strcmp(trace_fmt_ns(1230000000, buf, sizeof buf), "1.23 s"));
    trace_free(t);
}

static void test_svg(void)
{
    struct trace *t = schedule_trace();
    struct trace_svg_opts o = {0, "g", "static schedule", 0};
    char *svg = trace_svg(t, &o);
    golden("schedule.svg", svg);
    CHECK(!strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39));
    CHECK(strstr(svg, ">worker 0 (tid 1000)</text>") && strstr(svg, ">worker 1 (tid 1001)</text>"));
    CHECK(count(svg, "<title>square&#10;") == 6);                 /* a tooltip per task */
    CHECK(strstr(svg, "<title>square&#10;worker 1 (tid 1001)&#10;start 2.5 ms, duration 1.5 ms&#10;args: 5</title>"));
    CHECK(count(svg, "fill=\"url(#g-hatch)\"") == 2);           /* the wait, and its key */
    CHECK(strstr(svg, "<title>lock (waiting)&#10;"));
    CHECK(strstr(svg, ">square</text>") && strstr(svg, ">phase 1</text>")); /* legend */
    CHECK(strstr(svg, "speedup 1.06×") && strstr(svg, "efficiency 53%") && strstr(svg, "imbalance 30%"));
    CHECK(strstr(svg, ">76%</text>") && strstr(svg, ">30%</text>")); /* busy per lane */
    CHECK(strstr(svg, ">ms</text>") && strstr(svg, ">10</text>"));   /* axis in ms up to 10 */
    CHECK(strstr(svg, "marker-end=\"url(#g-arrow)\""));
    CHECK(!strstr(svg, "merged into"));
    CHECK(count(svg, "<text") == count(svg, "</text>"));
    free(svg);
    trace_free(t);
}

/* 100,000 tiny tasks on 4 lanes: merged, small, and the picture says so. */
static void test_svg_merging(void)
{
    static const char *names[] = {"tiny", "other"};
    struct trace *t = make(4, names, 2, 100000 * 250);
    for (int l = 0; l < 4; l++)
        for (int i = 0; i < 25000; i++)
            add(t, l, TRACE_TASK, i % 1000 == 999, (int64_t)i * 1000, (int64_t)i * 1000 + 900, i);
    add(t, 0, TRACE_TASK, 0, 25000000 - 1, 25000000, TRACE_NO_ARG); /* a lone one after a gap */
    sort(t);
    long long t0 = now_ns();
    char *svg = trace_svg(t, NULL);
    long long dt = now_ns() - t0;
    size_t len = strlen(svg);
    CHECK(len < 1500000);
    CHECK(dt < 1000000000); /* generous here; bench/trace_bench measures it */
    CHECK(strstr(svg, "100001 events narrower than a pixel are drawn merged into"));
    CHECK(strstr(svg, "tasks merged (each narrower than a pixel)"));
    CHECK(strstr(svg, "several names"));
    CHECK(strstr(svg, ">tasks of several names merged</text>")); /* the key, as used */
    CHECK(!strstr(svg, ">waiting</text>"));                      /* no waits, no key */
    free(svg);
    trace_free(t);
}

static void test_text(void)
{
    struct trace *t = schedule_trace();
    char *text = trace_text(t, 72);
    golden("schedule.txt", text);
    CHECK(strstr(text, "worker 0 (tid 1000) │"));
    CHECK(strstr(text, "╌"));
    CHECK(strstr(text, "speedup 1.06×"));
    free(text);
    trace_free(t);
}

static void test_chrome(void)
{
    struct trace *t = schedule_trace();
    /* A slice that overlaps the span without nesting in it. */
    add(t, 0, TRACE_TASK, 0, 5000000, 7000000, 9);
    sort(t);
    char *json = trace_chrome_json(t);
    golden("schedule.json", json);
    CHECK(strstr(json, "\"name\":\"worker 0 (tid 1000) (2)\""));
    CHECK(count(json, "\"ph\":\"X\"") == 9);
    CHECK(count(json, "\"ph\":\"i\"") == 1);
    CHECK(count(json, "\"ph\":\"s\"") == 1 && count(json, "\"ph\":\"f\"") == 1);
    free(json);
    trace_free(t);
}

/* A lock held 20,000 times inside one task: its sub-pixel hold spans are
 * merged like tasks, and a wide span is still drawn on its own. */
static void test_svg_span_merging(void)
{
    static const char *names[] = {"work", "holding lock", "phase"};
    struct trace *t = make(2, names, 3, 20000 * 1000);
    for (int l = 0; l < 2; l++) {
        add(t, l, TRACE_TASK, 0, 0, 20000 * 1000, TRACE_NO_ARG);
        add(t, l, TRACE_SPAN, 2, 0, 10000 * 1000, TRACE_NO_ARG);
        for (int i = 0; i < 10000; i++)
            add(t, l, TRACE_SPAN, 1, (int64_t)i * 1000 + l * 500, (int64_t)i * 1000 + l * 500 + 400, TRACE_NO_ARG);
    }
    sort(t);
    char *svg = trace_svg(t, NULL);
    CHECK(strlen(svg) < 20000);
    CHECK(count(svg, "spans merged (each narrower than a pixel)&#10;holding lock") == 2);
    CHECK(count(svg, "<title>phase") == 2);
    CHECK(strstr(svg, "20000 events narrower than a pixel are drawn merged into 2 marks"));
    free(svg);
    trace_free(t);
}

int main(int argc, char **argv)
{
    golden_dir = argc > 1 ? argv[1] : "tests/trace";
    update = argc > 2 && !strcmp(argv[2], "--update");
    test_stats();
    test_svg();
    test_svg_merging();
    test_svg_span_merging();
    test_text();
    test_chrome();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    return failures != 0;
}
