/* openmp.c — %%openmp, %omp_threads and the executor's OpenMP hooks (see
 * openmp.h). */
#include "openmp.h"
#include "jit.h"
#include "magic.h"
#include "ompt.h"
#include "session.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct openmp *omp_of(struct session *s)
{
    if (!s->openmp)
        s->openmp = xcalloc(1, sizeof *s->openmp);
    return s->openmp;
}

void openmp_install(struct jit *j)
{
    for (const struct trace_ompt_wrapper *w = trace_ompt_wrappers; w->name; w++)
        jit_define(j, w->name, w->fn);
}

void openmp_cell_begin(struct session *s)
{
    struct openmp *o = omp_of(s);
    struct rt_omp_settings st = o->session;
    if (o->cell_set) {
        if (o->cell.threads)
            st.threads = o->cell.threads;
        if (o->cell.schedule)
            st.schedule = o->cell.schedule, st.chunk = o->cell.chunk;
        if (o->cell.bind)
            st.bind = o->cell.bind;
        st.no_trace = o->cell.no_trace;
    }
    o->cell = (struct rt_omp_settings){0};
    o->cell_set = 0;
    rt_omp_cell_begin(&st);
}

int openmp_cell_end(struct session *s)
{
    (void)s;
    return rt_omp_cell_end();
}

/* A count from 1 to 1024, or 0. */
static int count_of(const char *t)
{
    if (!t || !*t)
        return 0;
    for (const char *p = t; *p; p++)
        if (!isdigit((unsigned char)*p))
            return 0;
    long n = strtol(t, NULL, 10);
    return n >= 1 && n <= 1024 ? (int)n : 0;
}

/* "dynamic,4" into o; 0, or -1. */
static int parse_schedule(const char *t, struct rt_omp_settings *o)
{
    static const char *const kinds[] = {"static", "dynamic", "guided", NULL};
    size_t n = strcspn(t, ",");
    for (int k = 0; kinds[k]; k++)
        if (strlen(kinds[k]) == n && !strncmp(t, kinds[k], n)) {
            o->schedule = k + 1;
            o->chunk = 0;
            if (t[n] == ',' && !(o->chunk = count_of(t + n + 1)))
                return -1;
            return 0;
        }
    return -1;
}

int openmp_magic_cell(struct magic_call *c)
{
    struct rt_omp_settings o = {0};
    char *save = NULL;
    for (char *tok = strtok_r(c->args, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        char *val = strchr(tok, '=');
        if (val && !strncmp(tok, "--", 2))
            *val++ = 0;
        int needs = !strcmp(tok, "-t") || !strcmp(tok, "--threads") || !strcmp(tok, "--schedule") ||
                    !strcmp(tok, "--bind");
        if (needs && !val)
            val = strtok_r(NULL, " \t", &save);
        if (needs && !val)
            return magic_usage(c, "%s needs a value", tok);
        if (!strcmp(tok, "-t") || !strcmp(tok, "--threads")) {
            if (!(o.threads = count_of(val)))
                return magic_usage(c, "%s '%s' is not a number of threads from 1 to 1024", tok, val);
        } else if (!strcmp(tok, "--schedule")) {
            if (parse_schedule(val, &o) < 0)
                return magic_usage(c, "--schedule '%s' is not static, dynamic or guided (a chunk size may follow: "
                                      "dynamic,4)",
                                   val);
        } else if (!strcmp(tok, "--bind")) {
            o.bind = !strcmp(val, "spread") ? RT_OMP_BIND_SPREAD
                     : !strcmp(val, "close") ? RT_OMP_BIND_CLOSE
                     : !strcmp(val, "none")  ? RT_OMP_BIND_NONE
                                             : -1;
            if (o.bind < 0)
                return magic_usage(c, "--bind '%s' is not spread, close or none", val);
        } else if (!strcmp(tok, "--no-trace")) {
            o.no_trace = 1;
        } else {
            return magic_usage(c, "unknown option '%s'", tok);
        }
    }
    struct openmp *om = omp_of(c->s);
    om->cell = o;
    om->cell_set = 1;
    c->s->jit->cell_openmp = 1;
    /* The magic's line becomes an empty line: line numbers stay. */
    buf_addc(c->code, '\n');
    buf_adds(c->code, c->body);
    return 0;
}

int openmp_magic_threads(struct magic_call *c)
{
    struct openmp *o = omp_of(c->s);
    if (!c->args[0]) {
        if (o->session.threads)
            printf("OpenMP threads: %d\n", o->session.threads);
        else
            printf("OpenMP threads: libomp's default (one per core, or OMP_NUM_THREADS)\n");
        return 0;
    }
    int n = !strcmp(c->args, "default") ? 0 : count_of(c->args);
    if (!n && strcmp(c->args, "default"))
        return magic_usage(c, "'%s' is not a number of threads from 1 to 1024, nor default", c->args);
    o->session.threads = n;
    return 0;
}
