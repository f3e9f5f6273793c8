/* cells.h — groups input lines into cells. Typed and piped input follow the
 * same rule: after each line the engine says whether the text so far is a
 * finished cell; an incomplete one continues on the next line, and an empty
 * line runs whatever is pending (so an unfinishable cell shows its error). */
#ifndef PARC_REPL_CELLS_H
#define PARC_REPL_CELLS_H

#include <stddef.h>

#include "util.h"

struct engine;

/* The cell being gathered. Zero-initialise, then set engine. */
struct cells {
    struct engine *engine;
    struct buf text; /* lines so far, each ending in '\n' */
    char *indent;    /* indentation the engine suggests for the next line */
};

enum cells_step {
    CELLS_SKIP, /* a blank line with nothing pending: nothing to do */
    CELLS_MORE, /* the cell goes on: read another line */
    CELLS_RUN,  /* the cell is finished: take it with cells_take and run it */
};

/* Adds one line (len bytes; a trailing "\n" or "\r\n" is optional) and says
 * what to do next. */
enum cells_step cells_add(struct cells *c, const char *line, size_t len);

/* Whether lines are pending (a continuation prompt is due). */
int cells_pending(const struct cells *c);

/* The pending text, valid until the next call on c ("" when none). */
const char *cells_text(const struct cells *c);

/* The suggested indentation for the next line ("" when none). */
const char *cells_indent(const struct cells *c);

/* Hands out the pending cell as a malloc'd string owned by the caller and
 * starts a new one. */
char *cells_take(struct cells *c);

/* Drops the pending lines (Ctrl-C at a continuation prompt). */
void cells_discard(struct cells *c);

void cells_free(struct cells *c);


#endif
