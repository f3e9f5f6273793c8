/* chrome.h — a trace in the Chrome trace event format (JSON), which
 * Perfetto (ui.perfetto.dev) and chrome://tracing open. */
#ifndef PARC_TRACE_CHROME_H
#define PARC_TRACE_CHROME_H

#include "trace.h"

/* The JSON document for t (malloc'd). Each lane is a thread track named by
 * its label, in a process track per pid. Tasks, waits and spans are
 * complete ("X") slices; slices that would overlap without nesting on a
 * lane go to an extra track of that lane ("label (2)"), so that slices on
 * one track always nest. Marks are instants, arrows flow events. Times are
 * in µs with ns precision. */
char *trace_chrome_json(const struct trace *t);

#endif
