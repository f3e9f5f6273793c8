/* span.c — named spans and instant markers in user code (see parc.h),
 * recorded on the calling thread's lane. */
#include "pool.h"
#include "rtrace.h"

#define SPAN_DEPTH 64

static __thread struct {
    int name;
    int64_t start;
} spans[SPAN_DEPTH];
static __thread int depth;   /* may exceed SPAN_DEPTH: those are not recorded */
static __thread int warned;

void parc_span_begin(const char *name)
{
    if (depth < SPAN_DEPTH) {
        spans[depth].name = rtrace_name(name ? name : "span");
        spans[depth].start = rtrace_now();
    }
    depth++;
}

void parc_span_end(void)
{
    if (depth == 0) {
        if (!warned)
            rt_error("parc_span_end: no span is open on this thread (one parc_span_end per parc_span_begin)");
        warned = 1;
        return;
    }
    depth--;
    if (depth < SPAN_DEPTH)
        rtrace_event(rtrace_lane(NULL), TRACE_SPAN, spans[depth].name, spans[depth].start, rtrace_now(),
                     TRACE_NO_ARG, TRACE_NO_ARG);
}

void parc_mark(const char *name)
{
    if (!rtrace_on())
        return;
    int64_t t = rtrace_now();
    rtrace_event(rtrace_lane(NULL), TRACE_MARK, rtrace_name(name ? name : "mark"), t, t, TRACE_NO_ARG,
                 TRACE_NO_ARG);
}
