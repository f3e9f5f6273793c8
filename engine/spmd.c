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
    if (!c->body[strspn(c->body, " \t\r\n")])
        return magic_usage(c, "the code every worker runs goes on the lines after %%%%%s", c->magic->name);
    if (strchr(c->args, ';') || strchr(c->args, '{'))
        return magic_usage(c, "'%s' is not one expression, the number of workers", c->args);
    /* Line 1 declares the body, starts the workers and opens the body, so
     * that the body keeps its line numbers and messages about N point at
     * the magic's line (magic_map_lines shows it). N may be any
     * expression; it is checked when the cell runs. */
    buf_printf(c->code, "void __parc_spmd_body(void); parc__spmd(%d, (%s), __parc_spmd_body); "
                        "void __parc_spmd_body(void) {\n", procs, c->args[0] ? c->args : "0");
    buf_adds(c->code, c->body);
    buf_adds(c->code, "\n}\n");
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
