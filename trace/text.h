/* text.h — a trace as Unicode text for terminals: one row per lane fitted
 * to a width, a time axis and the summary. */
#ifndef PARC_TRACE_TEXT_H
#define PARC_TRACE_TEXT_H

#include "trace.h"

/* The text timeline of t, at most width columns wide (0 = 80), malloc'd.
 * Each column shows how much of its time the lane was busy: '█' (most),
 * '▓', '▒', '░' (least), '╌' waiting, ' ' idle. */
char *trace_text(const struct trace *t, int width);

/* The summary line alone (wall, speedup, efficiency, imbalance), malloc'd. */
char *trace_summary(const struct trace *t);

#endif
