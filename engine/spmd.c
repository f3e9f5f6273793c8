/* spmd.c — %%threads and %%procs (see spmd.h). The body becomes a
 * function that every worker calls, so variables it declares are each
 * worker's own and end with the cell; variables of earlier cells are
 * shared by threads and copied into each process. */
#include "spmd.h"
#include "jit.h"
#include "magic.h"
#include "spmd_run.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void spmd_install(struct jit *j)
{
    for (const struct spmd_wrapper *w = spmd_wrappers; w->name; w++)
        jit_define(j, w->name, w->fn);
}

/* Whether a, written as a number (a digit first, letters and digits
 * after), is not a C integer constant: "3x", "08". An expression is left
 * to the compiler. */
static int bad_literal(const char *a)
{
    if (!isdigit((unsigned char)a[0]))
        return 0;
    for (const char *p = a; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return 0;
    char *end;
    errno = 0;
    (void)strtol(a, &end, 0);
    return errno || end[strspn(end, "uUlL")] || strspn(end, "uUlL") > 3;
}

static int spmd_magic(struct magic_call *c, int procs)
{
    if (!c->body[strspn(c->body, " \t\r\n")])
        return magic_usage(c, "the code every worker runs goes on the lines after %%%%%s", c->magic->name);
    if (strchr(c->args, ';') || strchr(c->args, '{'))
        return magic_usage(c, "'%s' is not one expression, the number of workers", c->args);
    if (bad_literal(c->args))
        return magic_usage(c, "'%s' is not a number of workers", c->args);
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
