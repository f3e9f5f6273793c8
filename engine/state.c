/* state.c — %who, %whos, %history, %reset (see state.h). They read the
 * jit's declarations: what the session would repeat at the top of the
 * next cell is exactly what it holds. */
#include "state.h"
#include "cellgen.h"
#include "jit.h"
#include "magic.h"
#include "session.h"
#include "textutil.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum name_kind { NK_VARIABLE, NK_FUNCTION, NK_TYPE, NK_MACRO, NK_COUNT };

static const char *const kind_names[NK_COUNT] = {"variable", "function", "type", "macro"};

/* A name the session holds. */
struct entry {
    char *name;
    enum name_kind kind;
    const struct decl *d;
    char *macro_value; /* NK_MACRO: its replacement text */
};

struct entries {
    struct entry *v;
    size_t n;
};

static void add_entry(struct entries *e, const char *name, enum name_kind k, const struct decl *d, char *mv)
{
    for (size_t i = 0; i < e->n; i++)
        if (!strcmp(e->v[i].name, name)) {
            /* A definition outranks a prototype; a later #define a former. */
            if (k == NK_FUNCTION && d->kind == DECL_PROTO) {
                free(mv);
                return;
            }
            free(e->v[i].macro_value);
            e->v[i] = (struct entry){e->v[i].name, k, d, mv};
            return;
        }
    e->v = xrealloc(e->v, (e->n + 1) * sizeof *e->v);
    e->v[e->n++] = (struct entry){xstrdup(name), k, d, mv};
}

static void drop_entry(struct entries *e, const char *name)
{
    for (size_t i = 0; i < e->n; i++)
        if (!strcmp(e->v[i].name, name)) {
            free(e->v[i].name);
            free(e->v[i].macro_value);
            e->v[i] = e->v[--e->n];
            return;
        }
}

/* "#define N 10" -> name "N", value "10"; "#undef N" -> name, *undef. */
static int parse_directive(const char *text, char **name, char **value, int *undef)
{
    const char *p = text + 1 + strspn(text + 1, " \t");
    int def = !strncmp(p, "define", 6), und = !strncmp(p, "undef", 5);
    if (!def && !und)
        return -1;
    p += def ? 6 : 5;
    p += strspn(p, " \t");
    const char *s = p;
    while (text_word_char(*p))
        p++;
    if (p == s)
        return -1;
    *name = xstrndup(s, (size_t)(p - s));
    if (*p == '(') { /* function-like: the parameters are part of the value */
        const char *close = strchr(p, ')');
        p = close ? close + 1 : p + strlen(p);
    }
    p += strspn(p, " \t");
    size_t n = strlen(p);
    while (n && isspace((unsigned char)p[n - 1]))
        n--;
    *value = xstrndup(p, n);
    *undef = und;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* Every name of the session, sorted; names parc makes for itself
 * (__parc_...) left out. */
static struct entries collect(const struct jit *j)
{
    struct entries e = {0};
    for (size_t i = 0; i < j->ndecls; i++) {
        const struct decl *d = &j->decls[i];
        if (d->kind == DECL_PP) {
            char *name, *value;
            int undef;
            if (parse_directive(d->text, &name, &value, &undef) < 0)
                continue;
            if (undef) {
                drop_entry(&e, name);
                free(value);
            } else
                add_entry(&e, name, NK_MACRO, d, value);
            free(name);
            continue;
        }
        if (!d->key || !strncmp(d->key, "__parc", 6))
            continue;
        enum name_kind k = d->kind == DECL_VAR ? NK_VARIABLE : d->kind == DECL_TYPE ? NK_TYPE : NK_FUNCTION;
        add_entry(&e, d->key, k, d, NULL);
    }
    if (e.n)
        qsort(e.v, e.n, sizeof *e.v, by_name);
    return e;
}

static void entries_free(struct entries *e)
{
    for (size_t i = 0; i < e->n; i++) {
        free(e->v[i].name);
        free(e->v[i].macro_value);
    }
    free(e->v);
}

int state_magic_who(struct magic_call *c)
{
    int only = -1;
    for (int k = 0; k < NK_COUNT && c->args[0]; k++) {
        size_t n = strlen(kind_names[k]);
        if (!strncmp(c->args, kind_names[k], n) && (!c->args[n] || !strcmp(c->args + n, "s")))
            only = k;
    }
    if (c->args[0] && only < 0)
        return magic_usage(c, "'%s' is not variables, functions, types or macros", c->args);
    struct entries e = collect(c->s->jit);
    static const char *const titles[NK_COUNT] = {"variables:", "functions:", "types:", "macros:"};
    int any = 0;
    for (int k = 0; k < NK_COUNT; k++) {
        if (only >= 0 && k != only)
            continue;
        struct buf line = {0};
        for (size_t i = 0; i < e.n; i++)
            if ((int)e.v[i].kind == k)
                buf_printf(&line, "  %s", e.v[i].name);
        if (line.len)
            printf("%-10s%s\n", titles[k], line.data);
        any |= line.len != 0;
        buf_free(&line);
    }
    if (!any)
        puts("Interactive namespace is empty.");
    entries_free(&e);
    return 0;
}

/* What the Type column says about e. */
static char *type_text(const struct entry *e)
{
    const struct decl *d = e->d;
    if (e->kind == NK_VARIABLE)
        return xstrdup(d->type ? d->type : "");
    if (e->kind == NK_MACRO)
        return xstrdup("");
    const char *t = d->text;
    if (e->kind == NK_TYPE) {
        size_t n = strcspn(t, " \t\n{");
        return xstrndup(t, n);
    }
    /* A function: its prototype. */
    if (!strncmp(t, "extern ", 7))
        t += 7;
    size_t n = strlen(t);
    const char *label = strstr(t, " __asm__(\""); /* see CELLGEN_TLS_MARK */
    if (label)
        n = (size_t)(label - t);
    while (n && (isspace((unsigned char)t[n - 1]) || t[n - 1] == ';'))
        n--;
    char *r = xstrndup(t, n);
    for (char *p = r; *p; p++)
        if (*p == '\n' || *p == '\t')
            *p = ' ';
    return r;
}

/* A C string literal for s. */
static void add_string(struct buf *b, const char *s)
{
    buf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_addc(b, '\\');
        if (*s == '\n')
            buf_adds(b, "\\n");
        else
            buf_addc(b, *s);
    }
    buf_addc(b, '"');
}

/* Whether %whos can read the variable's value: it has storage in the
 * session and a complete type. */
static int has_value(const struct jit *j, const struct entry *e)
{
    return e->kind == NK_VARIABLE && jit_find_sym(j, e->name) && e->d->type && !strstr(e->d->type, "[]");
}

int state_magic_whos(struct magic_call *c)
{
    if (magic_no_args(c) < 0)
        return -1;
    const struct jit *j = c->s->jit;
    struct entries e = collect(j);
    if (!e.n) {
        puts("Interactive namespace is empty.");
        entries_free(&e);
        return 0;
    }
    /* One line of code: functions showing struct values (named after the
     * magic's line, so two %whos in a cell do not clash), then a row per
     * name, then the table. */
    char prefix[48];
    snprintf(prefix, sizeof prefix, "__parc_whos%d_", c->line);
    cellgen_value_shows(c->code, j, prefix);
    for (size_t i = 0; i < e.n; i++) {
        const struct entry *x = &e.v[i];
        char *type = type_text(x);
        int value = has_value(j, x);
        if (value) {
            buf_adds(c->code, "__parc_value_capture(); ");
            cellgen_show_call(c->code, j, x->name, x->d->type, prefix);
        }
        buf_adds(c->code, " parc__whos_row(");
        add_string(c->code, x->name);
        buf_printf(c->code, ", \"%s\", ", kind_names[x->kind]);
        add_string(c->code, type);
        buf_printf(c->code, ", %d, ", x->d->cell);
        if (value)
            buf_adds(c->code, "(const char *)0");
        else
            add_string(c->code, x->macro_value ? x->macro_value : "");
        buf_adds(c->code, ");");
        free(type);
    }
    buf_adds(c->code, " parc__whos_print();");
    entries_free(&e);
    return 0;
}

int state_magic_history(struct magic_call *c)
{
    int numbers = 0;
    if (!strcmp(c->args, "-n"))
        numbers = 1;
    else if (c->args[0])
        return magic_usage(c, "unknown option '%s' (-n: with cell numbers)", c->args);
    const struct session *s = c->s;
    for (size_t i = 0; i < s->nhistory; i++) {
        const char *code = s->history[i];
        size_t n = strlen(code);
        while (n && code[n - 1] == '\n')
            n--;
        if (numbers)
            printf("%4d:%c", s->history_cells[i], memchr(code, '\n', n) ? '\n' : ' ');
        printf("%.*s\n", (int)n, code);
    }
    return 0;
}

/* Asks through stdin whether to reset; 1 for yes. */
static int confirm(void)
{
    printf("Once deleted, variables cannot be recovered. Proceed (y/[n])? ");
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin)) {
        putchar('\n');
        return 0;
    }
    char *p = line + strspn(line, " \t");
    return (p[0] == 'y' || p[0] == 'Y') && (isspace((unsigned char)p[1]) || !p[1] || !strncasecmp(p, "yes", 3));
}

int state_magic_reset(struct magic_call *c)
{
    if (c->args[0] && strcmp(c->args, "-f"))
        return magic_usage(c, "unknown option '%s' (-f: without asking)", c->args);
    if (!c->args[0] && !confirm()) {
        puts("Nothing done.");
        return 0;
    }
    struct session *s = c->s;
    struct buf e = {0};
    struct jit *fresh = s->new_jit ? s->new_jit(&e) : NULL;
    if (!fresh) {
        magic_error(c, "%s", e.data ? e.data : "cannot start a new session");
        buf_free(&e);
        return -1;
    }
    /* Settings stay: compiler options and include folders. */
    struct jit *old = s->jit;
    free(fresh->cflags);
    fresh->cflags = xstrdup(old->cflags);
    for (size_t i = 0; i < old->ninclude_dirs; i++) {
        fresh->include_dirs = xrealloc(fresh->include_dirs, (fresh->ninclude_dirs + 1) * sizeof *fresh->include_dirs);
        fresh->include_dirs[fresh->ninclude_dirs++] = xstrdup(old->include_dirs[i]);
    }
    /* The old jit is not freed: its code stays mapped (a handler or a
     * library may still point into it) and the crash handler of this cell
     * still reads it. */
    fresh->retired = old;
    s->jit = fresh;
    for (size_t i = 0; i < s->nhistory; i++)
        free(s->history[i]);
    s->nhistory = 0;
    return 0;
}
