/* introspect.c — what the session can say about code at a cursor (see
 * introspect.h): struct members after `.` and `->`, and descriptions of
 * names. Questions that need the compiler (the type of an expression, the
 * value of a variable) are answered by a probe cell compiled and run in a
 * throwaway fork of the executor, so they change nothing. */
#include "introspect.h"
#include "guard.h"
#include "cellgen.h"
#include "jit.h"
#include "session.h"
#include "split.h"
#include "textutil.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Probes                                                              */
/* ------------------------------------------------------------------ */

/* Where a probe cell leaves its answer (in the fork that runs it). */
static char *probe_answer;

/* How long a throwaway fork has to answer. */
#define IN_FORK_MS 10000

char *introspect_in_fork(struct session *s, char *(*fn)(struct session *, const char *), const char *arg)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return NULL;
    fflush(NULL);
    pid_t pid = session_fork(s);
    if (pid == 0) {
        close(p[0]);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        char *r = fn(s, arg);
        if (r)
            write_all(p[1], r, strlen(r));
        _exit(0);
    }
    close(p[1]);
    struct buf b = {0};
    if (pid > 0 && guard_read_all_within(p[0], &b, IN_FORK_MS) < 0) {
        kill(pid, SIGKILL);
        buf_free(&b);
    }
    close(p[0]);
    if (pid > 0)
        guard_reap_within(pid, 1000);
    if (!b.len) {
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b);
}

/* In the throwaway fork: compiles code (which stores a string in
 * probe_answer, through its address: see answer_to) as a quiet cell, runs
 * it and returns the answer; with want_diag, the compiler's messages
 * instead. */
static char *probe_run(struct session *s, const char *code, int want_diag)
{
    struct jit_cell cell;
    struct buf diag = {0};
    int rc = jit_compile(s->jit, code, 0, 1, &cell, &diag);
    if (want_diag)
        return buf_take(&diag);
    if (rc == 0 && cell.entry) {
        cell.entry();
        return probe_answer;
    }
    return NULL;
}

/* Adds the start of a statement whose value is the probe's answer. (A
 * store to a constant address would be compiled with a 32-bit one.) */
static void answer_to(struct buf *b)
{
    buf_printf(b, "char **__parc_answer = (char **)%p; *__parc_answer = (char *)", (void *)&probe_answer);
}

static char *probe_child(struct session *s, const char *code)
{
    return probe_run(s, code, 0);
}

static char *probe_diag_child(struct session *s, const char *code)
{
    return probe_run(s, code, 1);
}

/* The answer of the probe cell code, malloc'd, or NULL if it did not
 * compile or gave none. */
static char *probe(struct session *s, const char *code)
{
    return introspect_in_fork(s, probe_child, code);
}

/* ------------------------------------------------------------------ */
/* Members                                                             */
/* ------------------------------------------------------------------ */

/* Start of the operand ending at end (exclusive) in code: names, member
 * accesses and bracketed groups, as in `pts[i].pos->`. */
static size_t operand_start(const char *code, size_t end)
{
    size_t a = end;
    while (a > 0) {
        char c = code[a - 1];
        if (text_word_char(c) || c == '.') {
            a--;
        } else if (c == '>' && a > 1 && code[a - 2] == '-') {
            a -= 2;
        } else if (c == ']' || c == ')') {
            char open = c == ']' ? '[' : '(';
            int depth = 0;
            size_t b = a;
            while (b > 0) {
                b--;
                if (code[b] == c)
                    depth++;
                else if (code[b] == open && --depth == 0)
                    break;
            }
            if (depth != 0)
                return a;
            a = b;
        } else {
            break;
        }
    }
    while (a < end && !(text_word_char(code[a]) || code[a] == '('))
        a++;
    return a;
}

/* Code choosing the index of the session struct type of (e), as "N" for
 * the struct and "pN" for a pointer to it, or "". Nested selections: two
 * spellings of one type (a tag and its typedef) must not be associations
 * of one _Generic. */
static void type_selector(struct buf *b, const struct jit *j, const char *e)
{
    for (size_t k = 0; k < j->nstructs; k++)
        buf_printf(b, "_Generic((%s), %s: \"%zu\", %s *: \"p%zu\", default: ", e, j->structs[k].spelling, k,
                   j->structs[k].spelling, k);
    buf_adds(b, "\"\"");
    for (size_t k = 0; k < j->nstructs; k++)
        buf_addc(b, ')');
}

/* Field names of struct or union type (as "struct timespec") defined in
 * the standard headers, found in the flattened prelude: a malloc'd
 * NULL-terminated array, or NULL. */
static char **header_fields(const char *prelude, const char *type)
{
    size_t n = strlen(type);
    for (const char *p = prelude; (p = strstr(p, type)); p += n) {
        if ((p > prelude && (text_word_char(p[-1]))) || text_word_char(p[n]))
            continue;
        const char *q = p + n;
        while (isspace((unsigned char)*q))
            q++;
        if (*q != '{')
            continue;
        int depth = 0;
        const char *e = q;
        for (; *e; e++)
            if (*e == '{')
                depth++;
            else if (*e == '}' && --depth == 0)
                break;
        if (!*e)
            return NULL;
        char *text = xasprintf("%.*s;", (int)(e + 1 - p), p);
        struct split sp;
        split_cell(text, NULL, &sp);
        char **v = NULL;
        if (sp.nitems && sp.items[0].nfields) {
            v = xcalloc(sp.items[0].nfields + 1, sizeof *v);
            for (size_t i = 0; i < sp.items[0].nfields; i++)
                v[i] = xstrdup(sp.items[0].fields[i]);
        }
        split_free(&sp);
        free(text);
        return v;
    }
    return NULL;
}

/* The struct or union type of operand (its pointee with arrow) when it is
 * one of the standard headers' ("struct timespec"), malloc'd, or NULL. The
 * compiler names it in its message about a conversion the probe asks for. */
static char *header_type(struct session *s, const char *operand, int arrow)
{
    char *code = xasprintf("int __parc_probe = %s(%s);", arrow ? "*" : "", operand);
    char *msgs = introspect_in_fork(s, probe_diag_child, code);
    free(code);
    const char *m = msgs ? strstr(msgs, "cannot convert '") : NULL;
    char *type = NULL;
    if (m) {
        m += 16;
        for (const char *q; (q = !strncmp(m, "extern ", 7) || !strncmp(m, "const ", 6)
                                     ? strchr(m, ' ') : NULL) != NULL;)
            m = q + 1;
        const char *e = strchr(m, '\'');
        if (e && (!strncmp(m, "struct ", 7) || !strncmp(m, "union ", 6)) && !memchr(m, '<', (size_t)(e - m)))
            type = xstrndup(m, (size_t)(e - m));
    }
    free(msgs);
    return type;
}

/* Fields of session variable name when its type is an unnamed struct
 * (struct { double x; } v), read from its declaration: a malloc'd
 * NULL-terminated array, or NULL. */
static char **unnamed_struct_fields(const struct jit *j, const char *name)
{
    const struct decl *d = jit_find_decl(j, name);
    if (!d || d->kind != DECL_VAR || !d->type || strchr(d->type, '*') || strchr(d->type, '['))
        return NULL;
    struct split sp;
    split_cell(d->text, NULL, &sp);
    char **v = NULL;
    if (sp.nitems == 1 && sp.items[0].nfields) {
        v = xcalloc(sp.items[0].nfields + 1, sizeof *v);
        for (size_t i = 0; i < sp.items[0].nfields; i++)
            v[i] = xstrdup(sp.items[0].fields[i]);
    }
    split_free(&sp);
    return v;
}

/* Adds the names of fields that start with prefix (plen bytes) to the
 * NULL-terminated *matches holding *n. */
static void add_fields(char ***matches, size_t *n, char *const *fields, size_t nfields, const char *prefix,
                       size_t plen)
{
    for (size_t f = 0; f < nfields; f++)
        if (!strncmp(fields[f], prefix, plen)) {
            *matches = xrealloc(*matches, (*n + 2) * sizeof **matches);
            (*matches)[(*n)++] = xstrdup(fields[f]);
            (*matches)[*n] = NULL;
        }
}

int introspect_members(struct session *s, const char *code, size_t cursor, char ***matches, size_t *start)
{
    size_t len = strlen(code);
    if (cursor > len)
        cursor = len;
    size_t w = cursor;
    while (w > 0 && text_word_char(code[w - 1]))
        w--;
    int arrow = w >= 2 && code[w - 1] == '>' && code[w - 2] == '-';
    int dot = w >= 1 && code[w - 1] == '.';
    if (!arrow && !dot)
        return -1;
    size_t op = w - (arrow ? 2 : 1);
    size_t a = operand_start(code, op);
    if (a >= op || isdigit((unsigned char)code[a]))
        return -1; /* 1.5 is a number, not a member access */
    *start = w;
    *matches = xcalloc(1, sizeof **matches);
    const struct jit *j = s->jit;
    char *operand = xstrndup(code + a, op - a);
    char *answer = NULL;
    if (j->nstructs) {
        struct buf probe_code = {0};
        answer_to(&probe_code);
        type_selector(&probe_code, j, operand);
        buf_adds(&probe_code, ";");
        answer = probe(s, probe_code.data);
        buf_free(&probe_code);
    }
    size_t n = 0;
    const char *prefix = code + w;
    size_t plen = cursor - w;
    if (answer && answer[0]) {
        size_t k = strtoul(answer + (answer[0] == 'p'), NULL, 10);
        if ((answer[0] == 'p') == arrow && k < j->nstructs)
            add_fields(matches, &n, j->structs[k].fields, j->structs[k].nfields, prefix, plen);
    } else if (j->prelude) {
        /* Not a session type: one of the headers' (struct timespec), or a
         * variable of an unnamed struct type (struct { ... } v)? */
        char *type = header_type(s, operand, arrow);
        char **fields = type ? header_fields(j->prelude, type) : NULL;
        if (!fields && !arrow)
            fields = unnamed_struct_fields(j, operand);
        size_t nf = 0;
        while (fields && fields[nf])
            nf++;
        add_fields(matches, &n, fields, nf, prefix, plen);
        strv_free(fields, nf);
        free(type);
    }
    free(answer);
    free(operand);
    return (int)n;
}

/* ------------------------------------------------------------------ */
/* Descriptions                                                        */
/* ------------------------------------------------------------------ */

/* The declaration of function or variable name in the flattened prelude
 * ("int printf(const char *__restrict __format, ...);"), malloc'd, or
 * NULL. Spaces are collapsed and glibc's asm labels dropped. */
static char *prelude_declaration(const char *prelude, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = prelude; p && (p = strstr(p, name)); p += n) {
        if ((p > prelude && text_word_char(p[-1])) || text_word_char(p[n]))
            continue;
        const char *q = p + n;
        while (*q == ' ')
            q++;
        if (*q != '(' && *q != ';' && *q != '[')
            continue;
        const char *a = p;
        while (a > prelude && a[-1] != ';' && a[-1] != '}' && a[-1] != '{' && a[-1] != '#')
            a--;
        if (a > prelude && a[-1] == '#')
            continue; /* a macro's text */
        const char *e = strchr(p, ';');
        if (!e || memchr(p, '{', (size_t)(e - p)) || memchr(a, '=', (size_t)(p - a)))
            continue;
        struct buf b = {0};
        int space = 0;
        for (const char *c = a; c < e; c++) {
            if (isspace((unsigned char)*c)) {
                space = b.len > 0;
                continue;
            }
            if (!strncmp(c, "__asm__", 7)) {
                const char *close = strchr(c, ')');
                if (close && close < e) {
                    c = close;
                    continue;
                }
            }
            if (space && !(b.len && b.data[b.len - 1] == '(') && *c != ')' && *c != ',' && *c != '(')
                buf_addc(&b, ' ');
            space = 0;
            buf_addc(&b, *c);
        }
        while (b.len && b.data[b.len - 1] == ' ')
            b.data[--b.len] = 0;
        char *text = buf_take(&b);
        if (!strncmp(text, "extern ", 7))
            memmove(text, text + 7, strlen(text + 7) + 1);
        char *r = xasprintf("%s;", text);
        free(text);
        return r;
    }
    return NULL;
}

/* The #define of macro name in the prelude, malloc'd, or NULL. */
static char *prelude_macro(const char *prelude, const char *name)
{
    char *key = xasprintf("\n#define %s", name);
    size_t kl = strlen(key);
    char *r = NULL;
    for (const char *p = prelude; p && (p = strstr(p, key)); p += kl)
        if (p[kl] == ' ' || p[kl] == '(' || p[kl] == '\n') {
            const char *e = strchr(p + 1, '\n');
            r = e ? xstrndup(p + 1, (size_t)(e - p - 1)) : xstrdup(p + 1);
        }
    free(key);
    return r; /* the last one wins, as for the compiler */
}

/* The value of expression expr (of declared type type, or NULL), shown
 * as a cell's value would be without its type ("42"), malloc'd, or NULL. */
static char *value_of(struct session *s, const char *expr, const char *type)
{
    const struct jit *j = s->jit;
    struct buf code = {0};
    cellgen_value_shows(&code, j, "__parc_inspect_");
    buf_adds(&code, "__parc_value_capture(); ");
    cellgen_show_call(&code, j, expr, type, "__parc_inspect_");
    buf_adds(&code, " ");
    answer_to(&code);
    buf_adds(&code, "__parc_value_take();");
    char *v = probe(s, code.data);
    buf_free(&code);
    return v;
}

/* The current value of session variable d, or NULL. */
static char *variable_value(struct session *s, const struct decl *d)
{
    if (!jit_find_sym(s->jit, d->key) || !d->type || strstr(d->type, "[]"))
        return NULL;
    return value_of(s, d->key, d->type);
}

/* The source of name's definition in the cell that made it (?? asks for
 * it), malloc'd, or NULL. */
static char *definition_source(const struct session *s, const char *name, int cell)
{
    const char *code = NULL;
    for (size_t i = 0; i < s->nhistory; i++)
        if (s->history_cells[i] == cell)
            code = s->history[i];
    if (!code)
        return NULL;
    struct split sp;
    split_cell(code, NULL, &sp);
    char *r = NULL;
    for (size_t i = 0; i < sp.nitems && !r; i++) {
        const struct item *it = &sp.items[i];
        for (size_t k = 0; k < it->ndecls && !r; k++)
            if (it->decls[k].name && !strcmp(it->decls[k].name, name))
                r = xstrdup(it->text);
        for (size_t k = 0; k < it->ntype_names && !r; k++)
            if (!strcmp(it->type_names[k], name))
                r = xstrdup(it->text);
    }
    split_free(&sp);
    return r;
}

char *introspect_describe(struct session *s, const char *name, int detail)
{
    const struct jit *j = s->jit;
    const struct decl *d = name[0] ? jit_find_decl(j, name) : NULL;
    struct buf out = {0};
    if (d) {
        const char *text = d->text;
        if (!strncmp(text, "extern ", 7))
            text += 7;
        const char *label = strstr(text, " __asm__(\""); /* see CELLGEN_TLS_MARK */
        if (label)
            buf_printf(&out, "%.*s;", (int)(label - text), text);
        else
            buf_adds(&out, text);
        if (out.len && out.data[out.len - 1] != '\n')
            buf_addc(&out, '\n');
        if (d->type)
            buf_printf(&out, "type: %s\n", d->type);
        if (d->kind == DECL_VAR) {
            char *v = variable_value(s, d);
            if (v && v[0])
                buf_printf(&out, "value: %s\n", v);
            free(v);
        }
        if (d->cell > 0)
            buf_printf(&out, "defined in cell[%d]\n", d->cell);
        char *src = detail && d->cell > 0 ? definition_source(s, name, d->cell) : NULL;
        if (src)
            buf_printf(&out, "source:\n%s\n", src);
        free(src);
        return buf_take(&out);
    }
    /* The C library and parc.h, as flattened into every cell. */
    char *decl = j->prelude ? prelude_declaration(j->prelude, name) : NULL;
    char *macro = j->prelude ? prelude_macro(j->prelude, name) : NULL;
    if (decl)
        buf_printf(&out, "%s\n", decl);
    if (macro)
        buf_printf(&out, "%s\n", macro);
    if (decl || macro)
        buf_adds(&out, "from the standard headers (always available in cells)\n");
    free(decl);
    free(macro);
    return out.len ? buf_take(&out) : NULL;
}

char *introspect_at(struct session *s, const char *code, size_t cursor, int detail)
{
    size_t len = strlen(code);
    if (cursor > len)
        cursor = len;
    size_t a = cursor, b = cursor;
    while (a > 0 && text_word_char(code[a - 1]))
        a--;
    while (b < len && text_word_char(code[b]))
        b++;
    if (a == b || isdigit((unsigned char)code[a]))
        return NULL;
    int member = (a >= 1 && code[a - 1] == '.') || (a >= 2 && code[a - 1] == '>' && code[a - 2] == '-');
    size_t e0 = member ? operand_start(code, a - (code[a - 1] == '.' ? 1 : 2)) : a;
    if (member && e0 < a && !isdigit((unsigned char)code[e0]) && !memchr(code + e0, '(', b - e0)) {
        /* p.x, pts[1].pos->y: the member's current value (no calls, so
         * asking runs none of the cell's functions). */
        char *expr = xstrndup(code + e0, b - e0);
        char *v = value_of(s, expr, NULL);
        char *r = v && v[0] ? xasprintf("%s\nvalue: %s\n", expr, v) : NULL;
        free(v);
        free(expr);
        return r;
    }
    char *name = xstrndup(code + a, b - a);
    char *r = introspect_describe(s, name, detail);
    free(name);
    return r;
}
