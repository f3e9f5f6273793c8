/* svg.h — a trace drawn as an SVG timeline: a lane per worker, tasks
 * coloured by name with a legend, waits hatched, a time axis, tooltips and
 * a summary line. Readable on light and dark backgrounds. */
#ifndef PARC_TRACE_SVG_H
#define PARC_TRACE_SVG_H

#include "trace.h"

struct trace_svg_opts {
    int width;         /* pixels; 0 = 960 */
    const char *id;    /* prefix of the picture's element ids (unique per page); NULL = "parc" */
    const char *title; /* NULL = "timeline" */
    int live;          /* the cell is still running: say so */
};

/* The SVG document for t (malloc'd, NUL-terminated; caller frees). Tasks
 * and waits narrower than a pixel are merged with their neighbours, so the
 * size depends on the width, not on the number of events; the picture
 * says how many were merged. opts may be NULL. */
char *trace_svg(const struct trace *t, const struct trace_svg_opts *opts);

/* The colour parc gives the name with index i (mid-tones, readable on
 * light and dark backgrounds): "#rrggbb". */
const char *trace_color(int i);

/* Appends s to b with &, <, >, " and ' escaped for XML. */
struct buf;
void trace_xml_escape(struct buf *b, const char *s);

#endif
