/* session.c — magics that change session settings (see session.h), which
 * run in the cell process: a failed cell takes its settings back; the
 * session's limits and the executor's fork. */
#include "session.h"
#include "jit.h"
#include "magic.h"
#include "events.h"
#include "util.h"
#include "wire.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define PARC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PARC_SANITIZED 1
#endif
#endif

static int set_limit(struct session *s, const char *what, const char *value);

int session_default_limits(struct session *s, struct buf *err)
{
    s->time_limit = 600;
    s->mem_limit = 4LL << 30;
    s->procs_limit = 256;
    s->output_limit = 10LL << 20;
    const char *env = getenv("PARC_LIMITS");
    if (!env || !*env)
        return 0;
    char *copy = xstrdup(env);
    int rc = 0;
    for (char *tok = strtok(copy, ", \t"); tok; tok = strtok(NULL, ", \t")) {
        char *eq = strchr(tok, '=');
        if (eq)
            *eq = 0;
        if (!eq || set_limit(s, tok, eq + 1) < 0) {
            buf_printf(err, "parc: PARC_LIMITS: cannot read '%s%s%s' (want time=SECONDS, mem=SIZE, procs=N, "
                       "output=SIZE)\n", tok, eq ? "=" : "", eq ? eq + 1 : "");
            rc = -1;
        }
    }
    free(copy);
    return rc;
}

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
#ifndef PARC_SANITIZED /* AddressSanitizer's shadow memory counts as data */
        setrlimit(RLIMIT_DATA, &r);
#endif
    }
}

pid_t session_fork(const struct session *s)
{
    return s->gpu_lost ? _Fork() : fork();
}

int session_magic_lib(struct magic_call *c)
{
    if (!c->args[0])
        return magic_usage(c, "needs the name of a library: %%lib m makes libm available");
    for (char *tok = strtok(c->args, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (!strncmp(tok, "-l", 2))
            tok += 2;
        struct buf e = {0};
        int rc = jit_load_library(tok, &e);
        if (rc < 0)
            magic_error(c, "%s", e.data);
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

/* "4 GB", "300 MB", "12 KB", "100 bytes"; "no limit" for 0. */
static void format_limit(char *out, size_t n, long long bytes)
{
    if (bytes <= 0)
        snprintf(out, n, "no limit");
    else if (bytes >= (1LL << 30) && bytes % (1LL << 30) == 0)
        snprintf(out, n, "%lld GB", bytes >> 30);
    else if (bytes >= (1LL << 20) && bytes % (1LL << 20) == 0)
        snprintf(out, n, "%lld MB", bytes >> 20);
    else if (bytes >= (1LL << 10) && bytes % (1LL << 10) == 0)
        snprintf(out, n, "%lld KB", bytes >> 10);
    else
        snprintf(out, n, "%lld bytes", bytes);
}

/* Sets one limit from its name and value text; -1 if the value is wrong
 * (what is one of time, mem, output, procs). */
static int set_limit(struct session *s, const char *what, const char *value)
{
    char *end;
    if (!strcmp(what, "time")) {
        double v = strtod(value, &end);
        /* Not nan or inf; at most 1e9 s, which the supervisor counts in ns. */
        if (end == value || *end || !(v >= 0 && v <= 1e9))
            return -1;
        s->time_limit = v;
    } else if (!strcmp(what, "mem") || !strcmp(what, "output")) {
        long long v = parse_size(value);
        if (v < 0)
            return -1;
        *(!strcmp(what, "mem") ? &s->mem_limit : &s->output_limit) = v;
    } else if (!strcmp(what, "procs")) {
        errno = 0;
        long v = strtol(value, &end, 10);
        if (!isdigit((unsigned char)value[0]) || *end || errno || v > INT_MAX)
            return -1;
        s->procs_limit = v;
    } else {
        return -1;
    }
    return 0;
}

int session_magic_limit(struct magic_call *c)
{
    struct session *s = c->s;
    /* KIND VALUE: two words, and nothing after them. */
    char *a = c->args;
    size_t wl = strcspn(a, " \t");
    char *v = a + wl + strspn(a + wl, " \t");
    size_t vl = strcspn(v, " \t");
    const char *rest = v + vl + strspn(v + vl, " \t");
    if (*rest)
        return magic_usage(c, "unexpected argument '%s'", rest);
    a[wl] = v[vl] = 0;
    const char *what = a, *value = v;
    int n = !*what ? 0 : !*value ? 1 : 2;
    if (n <= 0) {
        char mem[32], out[32];
        format_limit(mem, sizeof mem, s->mem_limit);
        format_limit(out, sizeof out, s->output_limit);
        if (s->time_limit > 0)
            printf("time    %g s\n", s->time_limit);
        else
            printf("time    no limit\n");
        printf("mem     %s\n", mem);
        if (s->procs_limit > 0)
            printf("procs   %ld\n", s->procs_limit);
        else
            printf("procs   no limit\n");
        printf("output  %s%s\n", out, s->output_limit > 0 ? " per cell" : "");
        return 0;
    }
    if (n == 2 && set_limit(s, what, value) == 0) {
        if (!strcmp(what, "time") && rt_commit_fd >= 0) {
            /* The process supervising this cell learns it now. */
            char note[64];
            int len = snprintf(note, sizeof note, "T%g", s->time_limit);
            (void)!write(rt_commit_fd, note, (size_t)len + 1);
        }
        if (!strcmp(what, "output")) {
            /* The front end cuts output: it learns the new limit now. */
            char v[32];
            snprintf(v, sizeof v, "%lld", s->output_limit);
            wire_sendv(s->ev_fd, EV_OUTPUT_LIMIT, v, NULL);
        }
        return 0;
    }
    static const char *const kinds[][2] = {{"time", "a number of seconds"},
                                           {"mem", "a size such as 512M or 4G"},
                                           {"procs", "a number of processes"},
                                           {"output", "a size such as 100K or 10M"}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (strcmp(what, kinds[k][0]))
            continue;
        if (n < 2)
            return magic_usage(c, "%s needs %s (0 = no limit)", what, kinds[k][1]);
        return magic_usage(c, "%s '%s' is not %s (0 = no limit)", what, value, kinds[k][1]);
    }
    return magic_usage(c, "'%s' is not time, mem, procs or output", what);
}

int session_magic_lsmagic(struct magic_call *c)
{
    if (c->args[0])
        return magic_usage(c, "unexpected argument '%s' (%%NAME? explains one magic)", c->args);
    struct buf b = {0};
    magic_list(&b);
    fputs(b.data, stdout);
    buf_free(&b);
    return 0;
}
