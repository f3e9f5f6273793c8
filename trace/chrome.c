/* chrome.c — Chrome trace event JSON (see chrome.h). */
#include "chrome.h"
#include "stats.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static void json_str(struct buf *b, const char *s)
{
    buf_addc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            buf_printf(b, "\\u%04x", c);
        else
            buf_addc(b, (char)c);
    }
    buf_addc(b, '"');
}

static void us(struct buf *b, int64_t ns)
{
    buf_printf(b, "%lld.%03lld", (long long)(ns / 1000), (long long)((ns % 1000 + 1000) % 1000));
}

/* Sub-tracks of one lane: each a stack of the ends of the open slices. */
struct track {
    int64_t *stack;
    size_t n, cap;
};

/* Whether e can go on track k (nesting in what is open there); pops
 * slices that ended before e starts. */
static int fits(struct track *k, const struct trace_event *e)
{
    while (k->n && k->stack[k->n - 1] <= e->start_ns)
        k->n--;
    return !k->n || k->stack[k->n - 1] >= e->end_ns;
}

static void push(struct track *k, int64_t end)
{
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 8;
        k->stack = xrealloc(k->stack, k->cap * sizeof *k->stack);
    }
    k->stack[k->n++] = end;
}

static const char *kind_cat(int kind)
{
    return kind == TRACE_TASK ? "task" : kind == TRACE_WAIT ? "wait" : kind == TRACE_SPAN ? "span" : "mark";
}

static void thread_name(struct buf *b, const struct trace_lane *l, int tid, int sub)
{
    buf_printf(b, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":", l->pid,
               tid);
    char *name = sub ? xasprintf("%s (%d)", l->label, sub + 1) : xstrdup(l->label);
    json_str(b, name);
    free(name);
    buf_adds(b, "}}");
    buf_printf(b, ",\n{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":%d,\"tid\":%d,\"args\":"
                  "{\"sort_index\":%d}}",
               l->pid, tid, tid);
}

char *trace_chrome_json(const struct trace *t)
{
    struct buf b = {0};
    buf_adds(&b, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
    buf_adds(&b, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":0,\"args\":{\"name\":\"parc\"}}");
    /* Track ids: lane l's sub-track k is tid l * 64 + k + 1. */
    size_t i = 0;
    for (size_t l = 0; l < t->nlanes; l++) {
        const struct trace_lane *ln = &t->lanes[l];
        struct track tracks[64] = {{0}};
        int ntracks = 1;
        thread_name(&b, ln, (int)l * 64 + 1, 0);
        while (i < t->nevents && t->events[i].lane < (int)l)
            i++;
        for (; i < t->nevents && t->events[i].lane == (int)l; i++) {
            const struct trace_event *e = &t->events[i];
            if (e->kind == TRACE_MARK) {
                buf_printf(&b, ",\n{\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,\"tid\":%d,\"ts\":", ln->pid, (int)l * 64 + 1);
                us(&b, e->start_ns);
                buf_adds(&b, ",\"name\":");
                json_str(&b, trace_event_name(t, e));
                buf_adds(&b, "}");
                continue;
            }
            int k = 0;
            while (k < ntracks && !fits(&tracks[k], e))
                k++;
            if (k == ntracks) {
                if (ntracks == 64)
                    k = 63; /* beyond 64 overlapping slices: the last track takes them */
                else
                    thread_name(&b, ln, (int)l * 64 + 1 + ntracks++, k);
            }
            push(&tracks[k], e->end_ns);
            buf_printf(&b, ",\n{\"ph\":\"X\",\"pid\":%d,\"tid\":%d,\"ts\":", ln->pid, (int)l * 64 + 1 + k);
            us(&b, e->start_ns);
            buf_adds(&b, ",\"dur\":");
            us(&b, e->end_ns - e->start_ns);
            buf_printf(&b, ",\"cat\":\"%s\",\"name\":", kind_cat(e->kind));
            json_str(&b, trace_event_name(t, e));
            if (e->arg[0] != TRACE_NO_ARG) {
                buf_printf(&b, ",\"args\":{\"a0\":%lld", (long long)e->arg[0]);
                if (e->arg[1] != TRACE_NO_ARG)
                    buf_printf(&b, ",\"a1\":%lld", (long long)e->arg[1]);
                buf_adds(&b, "}");
            }
            buf_adds(&b, "}");
        }
        for (int k = 0; k < ntracks; k++)
            free(tracks[k].stack);
    }
    for (size_t a = 0; a < t->narrows; a++) {
        const struct trace_arrow *ar = &t->arrows[a];
        if (ar->from_lane < 0 || ar->to_lane < 0 || (size_t)ar->from_lane >= t->nlanes ||
            (size_t)ar->to_lane >= t->nlanes)
            continue;
        const char *name = ar->name >= 0 && (size_t)ar->name < t->nnames ? t->names[ar->name] : "message";
        for (int end = 0; end < 2; end++) {
            int lane = end ? ar->to_lane : ar->from_lane;
            buf_printf(&b, ",\n{\"ph\":\"%s\",\"id\":%zu,\"pid\":%d,\"tid\":%d,\"cat\":\"arrow\",\"ts\":",
                       end ? "f\",\"bp\":\"e" : "s", a + 1, t->lanes[lane].pid, lane * 64 + 1);
            us(&b, end ? ar->to_ns : ar->from_ns);
            buf_adds(&b, ",\"name\":");
            json_str(&b, name);
            buf_adds(&b, "}");
        }
    }
    buf_adds(&b, "\n]}\n");
    return buf_take(&b);
}
