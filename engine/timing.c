/* timing.c — the timing magics (see timing.h). */
#include "timing.h"
#include "magic.h"
#include "textutil.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct timeit_opts {
    long loops;     /* -n: 0 = calibrate */
    int repeat;     /* -r */
    int precision;  /* -p */
    int quiet;      /* -q */
    char name[128]; /* -o NAME: keep the result in a session variable */
};

/* The value of option o at *p: "-n10" or "-n 10". Advances *p. */
static char *option_value(char **p)
{
    char *v = *p;
    while (*v == ' ' || *v == '\t')
        v++;
    char *e = v;
    while (*e && !isspace((unsigned char)*e))
        e++;
    char *r = xstrndup(v, (size_t)(e - v));
    *p = e;
    return r;
}

/* Reads IPython's options from the start of args; returns the rest (the
 * statement or setup code), or NULL with err set. */
static char *timeit_options(struct magic_call *c, struct timeit_opts *o, int allow_o_name)
{
    *o = (struct timeit_opts){0, 7, 3, 0, ""};
    char *p = c->args;
    while (*p == '-' && p[1] && strchr("nrpqtco", p[1]) && (p[2] == 0 || isspace((unsigned char)p[2]) ||
                                                            (strchr("nrp", p[1]) && isdigit((unsigned char)p[2])))) {
        char opt = p[1];
        p += 2;
        if (opt == 'q') {
            o->quiet = 1;
        } else if (opt == 't' || opt == 'c') {
            /* IPython's clock choices; parc always uses the monotonic clock. */
        } else if (opt == 'o') {
            char *v = option_value(&p);
            if (!allow_o_name || !text_is_identifier(v) || strlen(v) >= sizeof o->name) {
                if (*v)
                    magic_usage(c, "-o '%s' is not a variable name to keep the result in", v);
                else
                    magic_usage(c, "-o needs the name of a variable to keep the result in");
                free(v);
                return NULL;
            }
            strcpy(o->name, v);
            free(v);
        } else {
            char *v = option_value(&p), *end;
            errno = 0;
            long n = strtol(v, &end, 10);
            int bad = !isdigit((unsigned char)v[0]) || *end || errno || n <= 0 || (opt == 'p' && n > 17) ||
                      (opt == 'r' && n > INT_MAX);
            if (bad) {
                if (!*v)
                    magic_usage(c, "-%c needs a number", opt);
                else if (opt == 'p')
                    magic_usage(c, "-p '%s' is not a number of digits from 1 to 17", v);
                else
                    magic_usage(c, "-%c '%s' is not a positive number", opt, v);
                free(v);
                return NULL;
            }
            free(v);
            if (opt == 'n')
                o->loops = n;
            else if (opt == 'r')
                o->repeat = (int)n;
            else
                o->precision = (int)n;
        }
        while (*p == ' ' || *p == '\t')
            p++;
    }
    return p;
}

/* The timing function for one statement, on one line. */
static void timing_function(struct buf *b, const char *fn, const char *setup, const char *body_open)
{
    buf_printf(b,
               "static long long %s(long __parc_n) { %s; long long __parc_t0 = parc__clock_ns(); "
               "for (long __parc_i = 0; __parc_i < __parc_n; __parc_i++) { %s",
               fn, setup ? setup : "", body_open);
}

static void timing_call(struct buf *b, const char *fn, const struct timeit_opts *o)
{
    if (o->name[0])
        buf_printf(b, "parc_timeit_result %s = ", o->name);
    buf_printf(b, "parc__timeit(%s, %ld, %d, %d, %d);", fn, o->loops, o->repeat, o->precision, o->quiet);
}

int timing_magic_timeit(struct magic_call *c)
{
    struct timeit_opts o;
    char *stmt = timeit_options(c, &o, 1);
    if (!stmt)
        return -1;
    if (!*stmt)
        return magic_usage(c, "needs a statement to time");
    char fn[64];
    snprintf(fn, sizeof fn, "__parc_timeit_%d", c->line);
    timing_function(c->code, fn, NULL, stmt);
    buf_adds(c->code, "; } return parc__clock_ns() - __parc_t0; } ");
    timing_call(c->code, fn, &o);
    return 0;
}

int timing_magic_timeit_cell(struct magic_call *c)
{
    struct timeit_opts o;
    char *setup = timeit_options(c, &o, 1);
    if (!setup)
        return -1;
    if (!c->body[strspn(c->body, " \t\r\n")])
        return magic_usage(c, "the code to time goes on the lines after %%%%timeit");
    /* Line 1: the function's start and the setup; the body keeps its lines. */
    timing_function(c->code, "__parc_timeit_cell", setup, "\n");
    buf_adds(c->code, c->body);
    buf_adds(c->code, "\n; } return parc__clock_ns() - __parc_t0; } ");
    timing_call(c->code, "__parc_timeit_cell", &o);
    buf_addc(c->code, '\n');
    return 0;
}

int timing_magic_time(struct magic_call *c)
{
    if (!c->args[0])
        return magic_usage(c, "needs a statement to time");
    /* Without a ';' the statement is the cell's value: the timer stops when
     * the value has been computed (runtime/timeit.c). */
    buf_printf(c->code, "parc__time_begin(); %s", c->args);
    size_t n = strlen(c->args);
    if (c->args[n - 1] == ';' || c->args[n - 1] == '}')
        buf_adds(c->code, " parc__time_end();");
    return 0;
}

int timing_magic_time_cell(struct magic_call *c)
{
    if (c->args[0])
        return magic_usage(c, "unexpected argument '%s': the code to time goes on the lines below %%%%time",
                           c->args);
    buf_adds(c->code, "parc__time_begin();\n");
    buf_adds(c->code, c->body);
    return 0;
}
