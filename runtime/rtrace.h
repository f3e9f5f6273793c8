/* rtrace.h — how the runtime records into the cell's trace (trace/trace.h).
 * The recorder is referenced weakly: in a program built without it (the
 * benchmarks, unit tests) every call here does nothing. */
#ifndef PARC_RT_TRACE_H
#define PARC_RT_TRACE_H

#include "trace.h"

#pragma weak trace_rec_lane
#pragma weak trace_rec_name
#pragma weak trace_rec_now
#pragma weak trace_rec_event
#pragma weak trace_rec_arrow

/* Whether a recorder is linked in. */
static inline int rtrace_on(void)
{
    return trace_rec_event != 0;
}

/* The calling thread's lane; label is used on the thread's first event. */
static inline int rtrace_lane(const char *label)
{
    return rtrace_on() ? trace_rec_lane(label) : -1;
}

static inline int rtrace_name(const char *name)
{
    return rtrace_on() ? trace_rec_name(name) : -1;
}

static inline int64_t rtrace_now(void)
{
    return rtrace_on() ? trace_rec_now() : 0;
}

static inline void rtrace_event(int lane, int kind, int name, int64_t start, int64_t end, int64_t a0, int64_t a1)
{
    if (rtrace_on() && lane >= 0)
        trace_rec_event(lane, kind, name, start, end, a0, a1);
}

static inline void rtrace_arrow(int from_lane, int64_t from_ns, int to_lane, int64_t to_ns, int name)
{
    if (rtrace_on() && from_lane >= 0 && to_lane >= 0)
        trace_rec_arrow(from_lane, from_ns, to_lane, to_ns, name);
}

/* The name of the function at addr, for task names: a cell's function
 * (through rt_symbolize, set by the executor), else a linked one, else
 * "task". Never NULL; the string lives as long as the session. */
const char *rtrace_fn_name(const void *addr);

/* Set by the executor: the name of the cell function at addr, or NULL. */
extern const char *(*rt_symbolize)(const void *addr);

#endif
