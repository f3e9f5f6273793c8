/* compilers.c — the compiler magics (see compilers.h). They only change
 * settings in the session's jit; jit_compile acts on them. */
#include "compilers.h"
#include "cc.h"
#include "jit.h"
#include "magic.h"
#include "session.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Checks that cmd's compiler exists; -1 with c->err set if not. */
static int check(struct magic_call *c, const char *cmd)
{
    if (cc_is_tcc(cmd))
        return 0;
    struct buf e = {0};
    int rc = cc_check(cmd, &e);
    if (rc < 0)
        magic_error(c, "%s", e.data);
    buf_free(&e);
    return rc;
}

int compilers_magic_cc(struct magic_call *c)
{
    struct jit *j = c->s->jit;
    if (!c->args[0]) {
        printf("%s\n", j->cc);
        return 0;
    }
    if (check(c, c->args) < 0)
        return -1;
    free(j->cc);
    j->cc = xstrdup(c->args);
    return 0;
}

/* %cflags and %ldflags: c's arguments replace *flags; without arguments
 * shows them, or none_text when there are none. */
static int set_flags(struct magic_call *c, char **flags, const char *none_text)
{
    if (!c->args[0]) {
        printf("%s\n", (*flags)[0] ? *flags : none_text);
        return 0;
    }
    free(*flags);
    *flags = xstrdup(c->args);
    return 0;
}

int compilers_magic_cflags(struct magic_call *c)
{
    return set_flags(c, &c->s->jit->cflags, "(no extra compiler options)");
}

int compilers_magic_ldflags(struct magic_call *c)
{
    return set_flags(c, &c->s->jit->ldflags, "(no linker options)");
}

/* Whether an option asks for optimization (-O, -O1..3, -Os, -Ofast...). */
static int is_opt_flag(const char *f)
{
    return !strncmp(f, "-O", 2) && strcmp(f, "-O0") != 0;
}

int compilers_magic_c(struct magic_call *c)
{
    struct jit *j = c->s->jit;
    const char *cc = NULL;
    int remarks = 0, opt = 0;
    struct buf flags = {0};
    char *save = NULL;
    for (char *tok = strtok_r(c->args, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (!strcmp(tok, "--cc")) {
            cc = strtok_r(NULL, " \t", &save);
            if (!cc) {
                buf_free(&flags);
                return magic_usage(c, "--cc needs the name of a compiler");
            }
        } else if (!strncmp(tok, "--cc=", 5)) {
            cc = tok + 5;
        } else if (!strcmp(tok, "--remarks")) {
            remarks = 1;
        } else if (!strncmp(tok, "--", 2)) {
            buf_free(&flags);
            return magic_usage(c, "unknown option '%s'", tok);
        } else {
            opt |= is_opt_flag(tok);
            buf_printf(&flags, " %s", tok);
        }
    }
    /* TinyCC does not optimize: remarks and -O mean clang. */
    const char *base = cc ? cc : (remarks || opt) && cc_is_tcc(j->cc) ? cc_default_clang() : j->cc;
    const char *o = strstr(base, " -O");
    opt |= o && strncmp(o, " -O0", 4) != 0;
    char *cmd = xasprintf("%s%s%s", base, remarks && !opt ? " -O2" : "", flags.data ? flags.data : "");
    buf_free(&flags);
    if (remarks && !cc_is_clang(cmd)) {
        free(cmd);
        return magic_usage(c, "--remarks shows clang's optimization remarks: use it with clang");
    }
    if (check(c, cmd) < 0) {
        free(cmd);
        return -1;
    }
    free(j->cell_cc);
    j->cell_cc = cmd;
    j->cell_remarks = remarks;
    /* The cell's own line becomes an empty line: line numbers stay. */
    buf_addc(c->code, '\n');
    buf_adds(c->code, c->body);
    return 0;
}
