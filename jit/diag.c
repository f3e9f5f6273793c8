/* diag.c — compiler messages mapped to cells (see diag.h). */
#include "diag.h"
#include "split.h"
#include "textutil.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Line n (1-based) of code, malloc'd, or NULL. */
static char *line_of(const char *code, int n)
{
    size_t len;
    const char *p = text_line(code, n, &len);
    return p ? xstrndup(p, len) : NULL;
}

/* 1-based column of the first quoted word of msg in line, or 0. */
static int column_of(const char *line, const char *msg)
{
    for (const char *q = msg; (q = strpbrk(q, "'\"")); q++) {
        const char *e = strchr(q + 1, *q);
        if (!e)
            break;
        size_t n = (size_t)(e - q - 1);
        if (n == 0 || n > 64) {
            q = e;
            continue;
        }
        size_t ll = strlen(line);
        for (const char *h = line; (h = memmem(h, ll - (size_t)(h - line), q + 1, n)); h++) {
            int word = text_word_char(q[1]);
            int before_ok = h == line || !word || !text_word_char(h[-1]);
            int after_ok = !word || !text_word_char(h[n]);
            if (before_ok && after_ok)
                return (int)(h - line) + 1;
        }
        q = e;
    }
    return 0;
}

/* 1-based column of the first place in line where an expression is
 * missing ("int x = ;", "f(a, )", "y = 2 * ;"): the ';', ',' or ')' right
 * after an operator, or 0. TinyCC's "identifier expected" has no column. */
static int column_of_gap(const char *line)
{
    for (const char *p = line; *p; p++) {
        if (*p == '"' || *p == '\'') {
            char q = *p;
            while (*++p && *p != q)
                p += *p == '\\' && p[1];
            if (!*p)
                return 0;
            continue;
        }
        if (!strchr("=+-*/%<>&|^,!~", *p))
            continue;
        if ((p[1] == *p && strchr("+-", *p)) || (p > line && p[-1] == *p && strchr("+-", *p)))
            continue; /* x++; */
        if (*p == '>' && p > line && p[-1] == '-')
            continue; /* -> */
        const char *q = p + 1;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q && strchr(";,)", *q))
            return (int)(q - line) + 1;
    }
    return 0;
}

int diag_column(const char *line, const char *msg)
{
    return column_of(line, msg);
}

static void show_source(struct buf *out, const char *code, int lineno, int col)
{
    char *line = line_of(code, lineno);
    if (!line)
        return;
    buf_printf(out, "%5d | %s\n", lineno, line);
    if (col > 0) {
        buf_adds(out, "      | ");
        for (int i = 1; i < col; i++)
            buf_addc(out, line[i - 1] == '\t' ? '\t' : ' ');
        buf_adds(out, "^\n");
    }
    free(line);
}

/* The number of the last line of code that is not blank. */
static int last_line(const char *code)
{
    int line = 1, last = 1;
    for (const char *p = code; *p; p++) {
        if (*p == '\n')
            line++;
        else if (!isspace((unsigned char)*p))
            last = line;
    }
    return last;
}

/* The linker's "undefined symbol 'NAME'": a name declared (or used) but
 * defined nowhere, shown at its last use in the cell (where it stands). */
static void undefined(struct buf *out, const char *name, const char *code, const char *quoted)
{
    char *sym = xstrndup(quoted, (size_t)(strchr(quoted, '\'') - quoted));
    size_t sl = strlen(sym);
    int lineno = 0, col = 0, n = 1;
    const char *bol = code;
    /* The last use outside comments and literals. */
    for (const char *p = code; *p;) {
        if (*p == '\n') {
            n++;
            bol = ++p;
        } else if (p[0] == '/' && p[1] == '/') {
            p += strcspn(p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            for (const char *q = p; q < (e ? e : p + strlen(p)); q++)
                if (*q == '\n')
                    n++, bol = q + 1;
            p = e ? e + 2 : p + strlen(p);
        } else if (*p == '"' || *p == '\'') {
            char qc = *p++;
            while (*p && *p != qc && *p != '\n')
                p += p[0] == '\\' && p[1] && p[1] != '\n' ? 2 : 1;
            if (*p == qc)
                p++;
        } else if (text_word_char((unsigned char)*p)) {
            const char *w = p;
            while (text_word_char((unsigned char)*p))
                p++;
            if ((size_t)(p - w) == sl && !strncmp(w, sym, sl)) {
                lineno = n;
                col = (int)(w - bol) + 1;
            }
        } else {
            p++;
        }
    }
    const char *why = "is defined nowhere: define it in this or an earlier cell, or load the library that has "
                      "it (%lib NAME)";
    if (lineno) {
        buf_printf(out, "%s:%d:%d: error: '%s' %s\n", name, lineno, col, sym, why);
        show_source(out, code, lineno, col);
    } else {
        buf_printf(out, "%s: error: '%s' %s\n", name, sym, why);
    }
    free(sym);
}

void diag_format(struct buf *out, const char *name, const char *code, const char *raw)
{
    size_t nl = strlen(name);
    for (const char *p = raw; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *msg = xstrndup(p, len);
        /* The same message twice (code parc generates may repeat an
         * expression) is shown once. */
        int seen = 0;
        for (const char *q = raw; q < p && !seen; q = strchr(q, '\n') + 1)
            seen = !strncmp(q, p, len) && (q[len] == '\n' || !q[len]);
        p += len + (e != NULL);
        if (seen) {
            free(msg);
            continue;
        }
        if (!strncmp(msg, name, nl) && msg[nl] == ':' && isdigit((unsigned char)msg[nl + 1])) {
            int lineno = atoi(msg + nl + 1);
            const char *rest = strchr(msg + nl + 1, ':');
            rest = rest ? rest + 1 : "";
            int col = 0;
            if (isdigit((unsigned char)*rest)) {
                /* gcc and clang give the column: keep it. */
                const char *c = rest;
                while (isdigit((unsigned char)*c))
                    c++;
                if (*c == ':') {
                    col = atoi(rest);
                    rest = c + 1;
                }
            }
            while (*rest == ' ')
                rest++;
            char *line = line_of(code, lineno);
            char *better = NULL;
            if (!col && line && !strcmp(rest, "error: identifier expected") && (col = column_of_gap(line)) > 0)
                rest = better = xasprintf("error: expected an expression before '%c'", line[col - 1]);
            if (!col)
                col = line ? column_of(line, rest) : 0;
            if (line && col > (int)strlen(line) + 1)
                col = 0;
            free(line);
            if (col)
                buf_printf(out, "%s:%d:%d: %s\n", name, lineno, col, rest);
            else
                buf_printf(out, "%s:%d: %s\n", name, lineno, rest);
            show_source(out, code, lineno, col);
            free(better);
        } else if (!strncmp(msg, "tcc: error: undefined symbol '", 30) && strchr(msg + 30, '\'')) {
            undefined(out, name, code, msg + 30);
        } else if (!strncmp(msg, "tcc: ", 5)) {
            buf_printf(out, "%s: %s\n", name, msg + 5);
        } else if (!strncmp(msg, "<cell>:", 7) || !strncmp(msg, "<end>:", 6)) {
            /* Found in what follows the cell: the cause is at its end. */
            const char *rest = strstr(msg, ": ");
            int last = last_line(code), col = 0;
            char *line = line_of(code, last);
            if (rest && !strcmp(rest + 2, "error: identifier expected") && line && (col = column_of_gap(line)) > 0)
                buf_printf(out, "%s:%d:%d: error: expected an expression before '%c'\n", name, last, col,
                           line[col - 1]);
            else
                buf_printf(out, "%s:%d: %s\n", name, last, rest ? rest + 2 : msg);
            free(line);
            show_source(out, code, last, col);
        } else if (!strncmp(msg, "<prelude>:", 10)) {
            /* A header the cell included (clang and gcc cells). */
            const char *rest = strstr(msg, ": ");
            buf_printf(out, "%s: %s\n", name, rest ? rest + 2 : msg);
        } else if (!strncmp(msg, "<session>:", 10)) {
            const char *rest = strstr(msg, ": ");
            buf_printf(out, "%s: %s (in the declarations kept from earlier cells)\n", name, rest ? rest + 2 : msg);
        } else {
            buf_printf(out, "%s\n", msg);
        }
        free(msg);
    }
}

void diag_unbalanced(struct buf *out, const char *name, const char *code, const struct split *sp)
{
    if (sp->state == SPLIT_UNBALANCED) {
        buf_printf(out, "%s:%d: error: this closing bracket has no opening bracket\n", name, sp->err_line);
        show_source(out, code, sp->err_line, 0);
    } else if (sp->state == SPLIT_LITERAL) {
        char *line = line_of(code, sp->err_line);
        const char *at = line && (size_t)sp->err_col <= strlen(line) ? line + sp->err_col - 1 : "\"";
        char q = at[strcspn(at, "\"'")] == '\'' ? '\'' : '"'; /* after L, u8... */
        buf_printf(out, "%s:%d:%d: error: unterminated %s: close it with %c on the same line\n", name,
                   sp->err_line, sp->err_col, q == '"' ? "string literal" : "character constant", q);
        show_source(out, code, sp->err_line, sp->err_col);
        free(line);
    } else if (sp->state == SPLIT_DANGLING) {
        char *line = line_of(code, sp->err_line);
        size_t at = (size_t)sp->err_col - 1;
        int ok = line && at + (size_t)sp->err_len <= strlen(line);
        buf_printf(out, "%s:%d:%d: error: the cell ends with '%.*s': what follows it is missing\n", name,
                   sp->err_line, sp->err_col, ok ? sp->err_len : 0, ok ? line + at : "");
        show_source(out, code, sp->err_line, sp->err_col);
        free(line);
    } else {
        buf_printf(out, "%s: error: the cell ends inside an unfinished construct "
                        "(an unclosed bracket, string or comment)\n", name);
    }
}

struct tcc_gap {
    const char *word;
    const char *what;
};

/* C that TinyCC cannot compile, by the word that gives it away. */
static const struct tcc_gap tcc_gaps[] = {
    {"_Atomic", "C11 atomics (_Atomic)"},
    {"__thread", "thread-local storage (__thread)"},
    {"_Thread_local", "thread-local storage (_Thread_local)"},
    {"thread_local", "thread-local storage (thread_local)"},
    {"_Complex", "complex numbers (_Complex)"},
    {"_Imaginary", "complex numbers (_Imaginary)"},
    {"__int128", "128-bit integers (__int128)"},
    {"__int128_t", "128-bit integers (__int128_t)"},
    {"__uint128_t", "128-bit integers (__uint128_t)"},
    {NULL, NULL},
};

/* Words of code outside comments, strings and character constants,
 * keywords included. NULL-terminated, free with split_strv_free. */
static char **words(const char *code)
{
    size_t n = 0;
    char **v = xcalloc(1, sizeof *v);
    for (const char *p = code; *p;) {
        if (p[0] == '/' && p[1] == '/') {
            p = strchr(p, '\n');
            if (!p)
                break;
        } else if (p[0] == '/' && p[1] == '*') {
            p = strstr(p + 2, "*/");
            if (!p)
                break;
            p += 2;
        } else if (*p == '"' || *p == '\'') {
            char q = *p++;
            while (*p && *p != q && *p != '\n')
                p += (*p == '\\' && p[1]) ? 2 : 1;
            if (*p)
                p++;
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            const char *s = p;
            while (text_word_char(*p))
                p++;
            v = xrealloc(v, (n + 2) * sizeof *v);
            v[n++] = xstrndup(s, (size_t)(p - s));
            v[n] = NULL;
        } else
            p++;
    }
    return v;
}

/* Whether TinyCC has __builtin_NAME (the others are GCC's and clang's). */
static int tcc_builtin(const char *name)
{
    static const char *const known[] = {"expect", "constant_p", "types_compatible_p", "choose_expr", "offsetof",
                                        "frame_address", "return_address", "alloca", NULL};
    if (!strncmp(name, "va_", 3))
        return 1;
    for (int i = 0; known[i]; i++)
        if (!strcmp(name, known[i]))
            return 1;
    return 0;
}

const char *diag_tcc_gap(const char *code, int in_declaration)
{
    char **ids = words(code);
    const char *what = NULL;
    for (size_t i = 0; ids[i] && !what; i++) {
        for (int k = 0; tcc_gaps[k].word && !what; k++)
            if (!strcmp(ids[i], tcc_gaps[k].word))
                what = tcc_gaps[k].what;
        if (!what && (!strncmp(ids[i], "__atomic_", 9) || !strncmp(ids[i], "__sync_", 7)))
            what = "atomic builtins (__atomic_*, __sync_*)";
        if (!what && !strncmp(ids[i], "__builtin_", 10) && !tcc_builtin(ids[i] + 10))
            what = "GCC builtins (__builtin_popcount, __builtin_clz...)";
        /* Type names from <complex.h> and <stdatomic.h>: in a declaration
         * kept from an earlier cell they can only mean those types. */
        if (!what && in_declaration && (!strcmp(ids[i], "complex") || !strcmp(ids[i], "imaginary")))
            what = "complex numbers (<complex.h>)";
        if (!what && in_declaration && !strncmp(ids[i], "atomic_", 7))
            what = "C11 atomics (<stdatomic.h>)";
    }
    split_strv_free(ids);
    if (!what && strstr(code, "stdatomic.h"))
        what = "C11 atomics (<stdatomic.h>)";
    if (!what && strstr(code, "complex.h"))
        what = "complex numbers (<complex.h>)";
    return what;
}

int diag_uses_openmp(const char *code)
{
    for (const char *p = code; (p = strstr(p, "_Pragma")); p += 7) {
        const char *q = p + 7 + strspn(p + 7, " \t");
        if (*q++ != '(')
            continue;
        q += strspn(q, " \t");
        if (*q++ == '"' && !strncmp(q + strspn(q, " \t"), "omp", 3))
            return 1;
    }
    for (const char *l = code; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
        const char *p = l + strspn(l, " \t");
        if (*p != '#')
            continue;
        p += 1 + strspn(p + 1, " \t");
        if (strncmp(p, "pragma", 6) || (p[6] != ' ' && p[6] != '\t'))
            continue;
        p += 6 + strspn(p + 6, " \t");
        if (!strncmp(p, "omp", 3) && (p[3] == ' ' || p[3] == '\t' || p[3] == '\n' || !p[3]))
            return 1;
    }
    return 0;
}
