/* session.c — magics that change session settings (see session.h). They
 * run in the cell process: a failed cell takes its settings back. */
#include "session.h"
#include "jit.h"
#include "magic.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

void session_apply_limits(const struct session *s)
{
    /* Only the soft limit: the executor that the cell may become sets the
     * one it started with back (guard.c). The process limit is kept by the
     * cells' fork() (guard_fork_allowed): RLIMIT_NPROC counts every process
     * of the user, and none of root's. */
    if (s->mem_limit > 0) {
        struct rlimit r;
        getrlimit(RLIMIT_DATA, &r);
        if (r.rlim_max == RLIM_INFINITY || (rlim_t)s->mem_limit < r.rlim_max)
            r.rlim_cur = (rlim_t)s->mem_limit;
        setrlimit(RLIMIT_DATA, &r);
    }
}

int session_magic_cflags(struct magic_call *c)
{
    struct jit *j = c->s->jit;
    if (!c->args[0]) {
        printf("%s\n", j->cflags[0] ? j->cflags : "(no extra compiler options)");
        return 0;
    }
    free(j->cflags);
    j->cflags = xstrdup(c->args);
    return 0;
}

int session_magic_lib(struct magic_call *c)
{
    if (!c->args[0]) {
        buf_printf(c->err, "%s: usage: %%lib NAME...   (makes libNAME available to cells, e.g. %%lib m)\n", c->cell);
        return -1;
    }
    for (char *tok = strtok(c->args, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (!strncmp(tok, "-l", 2))
            tok += 2;
        struct buf e = {0};
        int rc = jit_load_library(tok, &e);
        if (rc < 0)
            buf_printf(c->err, "%s: %s\n", c->cell, e.data);
        buf_free(&e);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int session_magic_include_path(struct magic_call *c)
{
    struct jit *j = c->s->jit;
    if (!c->args[0]) {
        for (size_t i = 0; i < j->ninclude_dirs; i++)
            printf("%s\n", j->include_dirs[i]);
        return 0;
    }
    j->include_dirs = xrealloc(j->include_dirs, (j->ninclude_dirs + 1) * sizeof *j->include_dirs);
    j->include_dirs[j->ninclude_dirs++] = xstrdup(c->args);
    return 0;
}

/* "512M", "2G", "100000" -> bytes; -1 if malformed. */
static long long parse_size(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0)
        return -1;
    long long mult = 1;
    switch (toupper((unsigned char)*end)) {
    case 0: break;
    case 'K': mult = 1LL << 10; end++; break;
    case 'M': mult = 1LL << 20; end++; break;
    case 'G': mult = 1LL << 30; end++; break;
    default: return -1;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    return *end ? -1 : (long long)(v * (double)mult);
}

int session_magic_limit(struct magic_call *c)
{
    struct session *s = c->s;
    char what[16] = "", value[64] = "";
    int n = sscanf(c->args, "%15s %63s", what, value);
    if (n <= 0) {
        printf("time  %g s%s\nmem   %lld bytes%s\nprocs %ld%s\n", s->time_limit, s->time_limit > 0 ? "" : " (no limit)",
               s->mem_limit, s->mem_limit > 0 ? "" : " (no limit)", s->procs_limit,
               s->procs_limit > 0 ? "" : " (no limit)");
        return 0;
    }
    if (n == 2 && !strcmp(what, "time")) {
        char *end;
        double v = strtod(value, &end);
        if (!*end && v >= 0) {
            s->time_limit = v;
            return 0;
        }
    } else if (n == 2 && !strcmp(what, "mem")) {
        long long v = parse_size(value);
        if (v >= 0) {
            s->mem_limit = v;
            return 0;
        }
    } else if (n == 2 && !strcmp(what, "procs")) {
        char *end;
        long v = strtol(value, &end, 10);
        if (!*end && v >= 0) {
            s->procs_limit = v;
            return 0;
        }
    }
    buf_printf(c->err, "%s: usage: %%limit time SECONDS | mem SIZE | procs N   (0 = no limit)\n", c->cell);
    return -1;
}

int session_magic_lsmagic(struct magic_call *c)
{
    struct buf b = {0};
    magic_list(&b);
    fputs(b.data, stdout);
    buf_free(&b);
    (void)c;
    return 0;
}
