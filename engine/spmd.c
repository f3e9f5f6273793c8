/* spmd.c — %%threads and %%procs (see spmd.h). The body becomes a
 * function that every worker calls, so variables it declares are each
 * worker's own and end with the cell; variables of earlier cells are
 * shared by threads and copied into each process. */
#include "spmd.h"
#include "jit.h"
#include "magic.h"
#include "spmd_run.h"
#include "util.h"

#include <string.h>

void spmd_install(struct jit *j)
{
    for (const struct spmd_wrapper *w = spmd_wrappers; w->name; w++)
        jit_define(j, w->name, w->fn);
}

static int spmd_magic(struct magic_call *c, int procs)
{
    const char *name = procs ? "procs" : "threads";
    if (!c->body[strspn(c->body, " \t\r\n")]) {
        buf_printf(c->err, "%s: usage: %%%%%s [N], then the code every worker runs on the next lines\n", c->cell,
                   name);
        return -1;
    }
    if (strchr(c->args, ';') || strchr(c->args, '{')) {
        buf_printf(c->err, "%s: %%%%%s takes one expression, the number of workers\n", c->cell, name);
        return -1;
    }
    /* Line 1 opens the function, so the body keeps its line numbers. N
     * may be any expression; it is checked when the cell runs. */
    buf_adds(c->code, "void __parc_spmd_body(void) {\n");
    buf_adds(c->code, c->body);
    buf_printf(c->code, "\n}\nparc__spmd(%d, (%s), __parc_spmd_body);\n", procs, c->args[0] ? c->args : "0");
    return 0;
}

int spmd_magic_threads(struct magic_call *c)
{
    return spmd_magic(c, 0);
}

int spmd_magic_procs(struct magic_call *c)
{
    return spmd_magic(c, 1);
}
