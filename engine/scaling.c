/* scaling.c — the %%scaling cell magic (see scaling.h). The cell's body
 * becomes a function that parc__scaling_run calls per worker count; line k
 * of the cell stays line k of the code, so messages point at the cell. */
#include "scaling.h"
#include "magic.h"
#include "session.h"
#include "timeline.h"
#include "jit.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int valid_counts(const char *s)
{
    int n = 0;
    for (const char *p = s; *p;) {
        if (!isdigit((unsigned char)*p))
            return 0;
        long v = strtol(p, (char **)&p, 10);
        if (v < 1 || v > 256)
            return 0;
        n++;
        if (*p == ',')
            p++;
        else if (*p)
            return 0;
    }
    return n > 0 && n <= 64;
}

int scaling_magic_cell(struct magic_call *c)
{
    const char *ws = "1,2,4,8";
    int procs = 0, repeat = 3;
    char *save = NULL;
    for (char *tok = strtok_r(c->args, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (!strcmp(tok, "-w")) {
            ws = strtok_r(NULL, " \t", &save);
            if (!ws)
                return magic_usage(c, "-w needs worker counts from 1 to 256 separated by commas (-w 1,2,4,8)");
            if (!valid_counts(ws))
                return magic_usage(c,
                                   "-w '%s': worker counts are numbers from 1 to 256 separated by commas (-w 1,2,4,8)",
                                   ws);
        } else if (!strcmp(tok, "-r")) {
            const char *r = strtok_r(NULL, " \t", &save);
            if (!r)
                return magic_usage(c, "-r needs the number of runs per worker count (1 to 1000)");
            char *end;
            long v = strtol(r, &end, 10);
            if (!isdigit((unsigned char)r[0]) || *end || v < 1 || v > 1000)
                return magic_usage(c, "-r '%s' is not a number of runs from 1 to 1000", r);
            repeat = (int)v;
        } else if (!strcmp(tok, "--threads")) {
            procs = 0;
        } else if (!strcmp(tok, "--procs")) {
            procs = 1;
        } else if (!strcmp(tok, "--omp")) {
            procs = 2; /* OpenMP threads: the cell is built as OpenMP */
            c->s->jit->cell_openmp = 1;
        } else {
            return magic_usage(c, "unknown option '%s'", tok);
        }
    }
    if (!c->s->timeline)
        c->s->timeline = xcalloc(1, sizeof *c->s->timeline);
    c->s->timeline->suppress = 1; /* dozens of runs: the table and plot say it */
    buf_adds(c->code, "static void __parc_scaling_body(void) {\n");
    buf_adds(c->code, c->body);
    buf_printf(c->code, "\n}\nparc__scaling_run(__parc_scaling_body, \"%s\", %d, %d);\n", ws, procs, repeat);
    return 0;
}
