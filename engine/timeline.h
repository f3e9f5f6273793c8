/* timeline.h — the session's side of tracing: each cell runs with a fresh
 * recording, the timeline is shown after it (and while it runs, when it
 * runs long), and the magics %timeline and %%timeline. */
#ifndef PARC_TIMELINE_H
#define PARC_TIMELINE_H

struct session;
struct magic_call;

enum { TIMELINE_AUTO, TIMELINE_ON, TIMELINE_OFF };

/* Timeline settings and the last trace; part of the session. */
struct timeline {
    int mode;            /* TIMELINE_AUTO: shown when tasks overlapped on two lanes */
    int force;           /* %%timeline: shown for this cell whatever the mode */
    int suppress;        /* not shown for this cell (%%scaling) */
    struct trace *last;  /* the last cell's trace that recorded anything */
    int last_cell;
};

/* Before the cell compiles: makes the traced pthread_create, fork, wait
 * and exit the ones cells link against. */
void timeline_cell_prepare(struct session *s);
/* Right before the cell's code runs: a fresh recording, and a helper
 * thread that shows the timeline live once the cell has run ~0.5 s. */
void timeline_run_begin(struct session *s, int cell_no);
/* Right after the cell's code returned: stops the helper thread, keeps the
 * trace and shows it (one display bundle: SVG and a text timeline) when
 * the settings say so. */
void timeline_run_end(struct session *s, int cell_no);

int timeline_magic(struct magic_call *c);      /* %timeline on|off|auto|save FILE */
int timeline_magic_cell(struct magic_call *c); /* %%timeline */

#endif
