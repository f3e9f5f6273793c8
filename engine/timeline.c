/* timeline.c — timelines of cells (see timeline.h). */
#include "timeline.h"
#include "chrome.h"
#include "events.h"
#include "intercept.h"
#include "jit.h"
#include "magic.h"
#include "session.h"
#include "stats.h"
#include "svg.h"
#include "text.h"
#include "trace.h"
#include "util.h"
#include "wire.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long a cell runs before its timeline is shown live, and how often it
 * is redrawn then. */
#define LIVE_AFTER_MS 500
#define LIVE_EVERY_MS 500

static struct timeline *tl_of(struct session *s)
{
    if (!s->timeline)
        s->timeline = xcalloc(1, sizeof *s->timeline);
    return s->timeline;
}

/* The name of the cell function at fn, for threads' tasks. */
static const char *name_of(const void *fn, void *ctx)
{
    struct session *s = ctx;
    for (size_t i = 0; i < s->jit->nsyms; i++)
        if (s->jit->syms[i].addr == fn)
            return s->jit->syms[i].name;
    return NULL;
}

void timeline_cell_prepare(struct session *s)
{
    trace_intercept_init(name_of, s);
    jit_define(s->jit, "pthread_create", (void *)trace_pthread_create);
    jit_define(s->jit, "waitpid", (void *)trace_waitpid);
    jit_define(s->jit, "wait", (void *)trace_wait);
    jit_define(s->jit, "exit", (void *)trace_exit);
    jit_define(s->jit, "_exit", (void *)trace__exit);
}

/* ---- Showing -------------------------------------------------------- */

static int text_width(void)
{
    const char *c = getenv("COLUMNS");
    int w = c ? atoi(c) : 0;
    return w >= 40 && w <= 400 ? w : 100;
}

/* Sends t as one bundle: SVG and text. type EV_DISPLAY or
 * EV_UPDATE_DISPLAY; id names the display. */
static void show(const struct trace *t, int type, const char *id, int cell_no, int live)
{
    char *title = cell_no > 0 ? xasprintf("timeline of cell[%d]", cell_no) : xstrdup("timeline");
    char *svg_id = xasprintf("parc-tl-%d-%d", (int)getpid(), cell_no);
    struct trace_svg_opts o = {0, svg_id, title, live};
    char *svg = trace_svg(t, &o);
    char *text = trace_text(t, text_width());
    char *plain = live ? xasprintf("%s (running)\n%s", title, text) : xasprintf("%s\n%s", title, text);
    const char *mimes[2] = {"image/svg+xml", "text/plain"};
    const void *data[2] = {svg, plain};
    rt_send_bundle_multi(type, id, 2, mimes, data, NULL);
    free(plain);
    free(text);
    free(svg);
    free(svg_id);
    free(title);
}

static int wanted(const struct timeline *tl, const struct trace *t)
{
    if (tl->suppress)
        return 0;
    if (tl->force || tl->mode == TIMELINE_ON)
        return 1;
    if (tl->mode == TIMELINE_OFF)
        return 0;
    /* A GPU's queue or stream ran commands: where the time went is what
     * the cell is about. */
    for (size_t i = 0; i < t->nlanes; i++)
        if (t->lanes[i].label && (!strncmp(t->lanes[i].label, "OpenCL ", 7) || !strncmp(t->lanes[i].label, "CUDA ", 5)))
            return 1;
    struct trace_stats st;
    trace_stats(t, &st);
    int p = st.parallel;
    trace_stats_free(&st);
    return p;
}

/* ---- Live ----------------------------------------------------------- */

/* The helper thread of the running cell. Only the cell process has one. */
static struct live {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int running, stop, shown;
    int cell_no;
    struct timeline *tl;
    char id[64];
} live = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

/* Waits ms or until asked to stop; returns whether to stop. */
static int live_sleep(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000)
        ts.tv_sec++, ts.tv_nsec -= 1000000000;
    pthread_mutex_lock(&live.lock);
    while (!live.stop && pthread_cond_timedwait(&live.cond, &live.lock, &ts) != ETIMEDOUT)
        ;
    int stop = live.stop;
    pthread_mutex_unlock(&live.lock);
    return stop;
}

static void *live_main(void *arg)
{
    (void)arg;
    if (live_sleep(LIVE_AFTER_MS))
        return NULL;
    do {
        struct trace *t = trace_rec_snapshot();
        if (t && (live.shown || wanted(live.tl, t))) {
            show(t, live.shown ? EV_UPDATE_DISPLAY : EV_DISPLAY, live.id, live.cell_no, 1);
            live.shown = 1;
        }
        trace_free(t);
    } while (!live_sleep(LIVE_EVERY_MS));
    return NULL;
}

/* Stops the helper thread, if it runs. */
static void live_stop(void)
{
    if (!live.running)
        return;
    pthread_mutex_lock(&live.lock);
    live.stop = 1;
    pthread_cond_signal(&live.cond);
    pthread_mutex_unlock(&live.lock);
    pthread_join(live.thread, NULL);
    live.running = 0;
}

/* The runtime ends the cell with an error of its own (rt_cell_fail: an
 * MPI job whose rank crashed): the picture so far is shown as at the end
 * of a cell, before the error. The session keeps nothing of the cell. */
static void run_failed(void)
{
    live_stop();
    struct trace *t = trace_rec_snapshot();
    if (t && (live.shown || wanted(live.tl, t)))
        show(t, live.shown ? EV_UPDATE_DISPLAY : EV_DISPLAY, live.id, live.cell_no, 0);
    trace_free(t);
}

void timeline_run_begin(struct session *s, int cell_no)
{
    struct timeline *tl = tl_of(s);
    trace_rec_begin(0);
    rt_on_cell_fail(run_failed);
    live.running = live.stop = live.shown = 0;
    live.cell_no = cell_no;
    live.tl = tl;
    snprintf(live.id, sizeof live.id, "parc-timeline-%d-%d", (int)getpid(), cell_no);
    if (tl->suppress || (tl->mode == TIMELINE_OFF && !tl->force))
        return;
    /* The helper must not count as a thread the cell left running, nor be
     * traced: it is started with libc's pthread_create and joined below. */
    if (pthread_create(&live.thread, NULL, live_main, NULL) == 0)
        live.running = 1;
}

void timeline_run_end(struct session *s, int cell_no)
{
    struct timeline *tl = tl_of(s);
    rt_on_cell_fail(NULL);
    live_stop();
    struct trace *t = trace_rec_snapshot();
    if (t) {
        if (live.shown || wanted(tl, t))
            show(t, live.shown ? EV_UPDATE_DISPLAY : EV_DISPLAY, live.id, cell_no, 0);
        trace_free(tl->last);
        tl->last = t;
        tl->last_cell = cell_no;
    }
    tl->force = tl->suppress = 0;
}

/* ---- Magics --------------------------------------------------------- */

static const char *mode_name(int mode)
{
    return mode == TIMELINE_ON ? "on" : mode == TIMELINE_OFF ? "off" : "auto";
}

static int save(struct magic_call *c, struct timeline *tl, const char *path)
{
    size_t n = strlen(path);
    int json = n > 5 && !strcmp(path + n - 5, ".json");
    int svg = n > 4 && !strcmp(path + n - 4, ".svg");
    if (!*path)
        return magic_usage(c, "save needs a file name ending in .svg or .json");
    if (!json && !svg)
        return magic_usage(c, "save '%s': the name must end in .svg or .json (Chrome trace for Perfetto)", path);
    if (!tl->last)
        return magic_error(c, "save: no cell has recorded a trace yet");
    char *title = xasprintf("timeline of cell[%d]", tl->last_cell);
    struct trace_svg_opts o = {0, "parc-saved", title, 0};
    char *doc = json ? trace_chrome_json(tl->last) : trace_svg(tl->last, &o);
    free(title);
    FILE *f = fopen(path, "w");
    int ok = f && fputs(doc, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    free(doc);
    if (!ok)
        return magic_error(c, "save: cannot write %s: %s", path, strerror(errno));
    printf("saved the timeline of cell[%d] to %s\n", tl->last_cell, path);
    return 0;
}

int timeline_magic(struct magic_call *c)
{
    struct timeline *tl = tl_of(c->s);
    char *a = c->args;
    if (!*a) {
        printf("timeline: %s\n", mode_name(tl->mode));
        return 0;
    }
    if (!strcmp(a, "on") || !strcmp(a, "off") || !strcmp(a, "auto")) {
        tl->mode = a[1] == 'n' ? TIMELINE_ON : a[1] == 'f' ? TIMELINE_OFF : TIMELINE_AUTO;
        return 0;
    }
    if (!strncmp(a, "save", 4) && (a[4] == ' ' || a[4] == '\t' || !a[4])) {
        a += 4;
        while (*a == ' ' || *a == '\t')
            a++;
        return save(c, tl, a);
    }
    return magic_usage(c, "'%s' is not on, off, auto or save", a);
}

int timeline_magic_cell(struct magic_call *c)
{
    if (magic_no_args(c) < 0)
        return -1;
    tl_of(c->s)->force = 1;
    buf_addc(c->code, '\n');
    buf_adds(c->code, c->body);
    return 0;
}
