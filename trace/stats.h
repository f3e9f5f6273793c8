/* stats.h — the summary numbers of a trace: wall time, busy time per lane,
 * speedup, efficiency, load imbalance, and whether anything overlapped. */
#ifndef PARC_TRACE_STATS_H
#define PARC_TRACE_STATS_H

#include "trace.h"

struct trace_stats {
    int64_t wall_ns;    /* the trace's wall_ns (at least the last event's end) */
    size_t nlanes;
    int64_t *busy_ns;   /* per lane: time in tasks, minus time in waits */
    int64_t *wait_ns;   /* per lane: time in waits */
    size_t *ntasks;     /* per lane: task events */
    size_t working;     /* lanes with at least one task */
    int64_t busy_sum;
    double speedup;     /* busy_sum / wall */
    double efficiency;  /* speedup / working lanes */
    double imbalance;   /* (max - mean) / max of busy over working lanes */
    int parallel;       /* tasks on two lanes overlapped in time */
};

/* Computes the summary of t into st (arrays malloc'd: trace_stats_free). */
void trace_stats(const struct trace *t, struct trace_stats *st);
void trace_stats_free(struct trace_stats *st);

/* A time as text with a unit chosen for it: "950 ns", "12.3 µs", "4.56 ms",
 * "1.23 s". Writes at most n bytes to out; returns out. */
char *trace_fmt_ns(int64_t ns, char *out, size_t n);

/* The name of event e in t ("?" when unknown). */
const char *trace_event_name(const struct trace *t, const struct trace_event *e);

#endif
