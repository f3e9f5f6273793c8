/* cellgen.c — one cell's translation unit (see cellgen.h). */
#include "cellgen.h"
#include "jit.h"
#include "split.h"
#include "textutil.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const dropped_words[] = {"static", "inline", "__inline", "__inline__", NULL};

char *cellgen_strip_storage(const char *text)
{
    struct buf b = {0};
    const char *p = text;
    while (*p) {
        if (isalpha((unsigned char)*p) || *p == '_') {
            const char *s = p;
            while (text_word_char(*p))
                p++;
            int drop = 0;
            for (int i = 0; dropped_words[i]; i++)
                if ((size_t)(p - s) == strlen(dropped_words[i]) && !strncmp(s, dropped_words[i], (size_t)(p - s)))
                    drop = 1;
            if (drop) {
                while (*p == ' ' || *p == '\t')
                    p++;
                continue;
            }
            buf_add(&b, s, (size_t)(p - s));
            continue;
        }
        buf_addc(&b, *p++);
    }
    return buf_take(&b);
}

static void line_dir(struct buf *b, int line, const char *name)
{
    buf_printf(b, "#line %d \"%s\"\n", line, name);
}

/* A C string literal for s. */
static void add_c_string(struct buf *b, const char *s)
{
    buf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_addc(b, '\\');
        if (*s == '\n') {
            buf_adds(b, "\\n");
            continue;
        }
        buf_addc(b, *s);
    }
    buf_addc(b, '"');
}

static int show_rows_at(struct buf *b, const struct jit *j, const char *e, const char *type, const char *prefix,
                        size_t upto, int level);

/* _Generic associations for the session's struct types [0, upto), calling
 * the functions struct_shows names with prefix pf. */
static void struct_branches(struct buf *b, const struct jit *j, size_t upto, const char *pf)
{
    for (size_t k = 0; k < upto; k++)
        buf_printf(b, "%s: %ss%zu, %s *: %sp%zu, ", j->structs[k].spelling, pf, k, j->structs[k].spelling, pf, k);
}

/* The call showing the value of expression e by its type (_Generic): the
 * show functions of the session's struct types [0, upto) (prefix pf), the
 * scalars', else its bytes. type, when not NULL, is e's declared type,
 * which tells an array from a pointer (an int[2] is as big as one). */
static void show_generic(struct buf *b, const struct jit *j, const char *e, const char *type, const char *pf,
                         size_t upto)
{
    buf_printf(b, "_Generic((%s), ", e);
    struct_branches(b, j, upto, pf);
    buf_adds(b, "__PARC_SCALARS default: __parc_show_opaque)(");
    if (type)
        add_c_string(b, type);
    else
        buf_adds(b, "(const char *)0");
    buf_printf(b, ", sizeof(%s), (%s))", e, e);
}

/* Functions that show values of each session struct type, field by field:
 * pfsN for a struct, pfpN for a pointer to it. */
static void struct_shows(struct buf *b, const struct jit *j, const char *pf)
{
    for (size_t k = 0; k < j->nstructs; k++) {
        const struct jit_struct *s = &j->structs[k];
        buf_printf(b, "static void %ss%zu(const char *tn, __SIZE_TYPE__ sz, %s v) {\n", pf, k, s->spelling);
        buf_printf(b, "__parc_struct_begin(tn, \"%s\", sz);\n", s->display);
        for (size_t f = 0; f < s->nfields; f++) {
            const char *type = s->field_types[f];
            /* A flexible array member (`int d[]`) has no size to show and
             * is not in the copy v: left out, as bit-fields are. */
            if (type && strstr(type, "[]"))
                continue;
            buf_printf(b, "__parc_field(\"%s\"); ", s->fields[f]);
            char *e = xasprintf("v.%s", s->fields[f]);
            if (type && show_rows_at(b, j, e, type, pf, k, 0)) {
                buf_addc(b, '\n');
                free(e);
                continue;
            }
            show_generic(b, j, e, type, pf, k);
            buf_adds(b, ";\n");
            free(e);
        }
        buf_adds(b, "__parc_struct_end();\n}\n");
        buf_printf(b,
                   "static void %sp%zu(const char *tn, __SIZE_TYPE__ sz, %s *v) {\n"
                   "__SIZE_TYPE__ n = __parc_array_begin(tn, \"%s\", sz, sizeof *v, v);\n"
                   "for (__SIZE_TYPE__ i = 0; i < n && __parc_array_elem(i); i++) "
                   "%ss%zu((const char *)0, sizeof *v, v[i]);\n"
                   "__parc_array_end(n);\n}\n",
                   pf, k, s->spelling, s->display, pf, k);
    }
}

/* The element type of array type type when it is an array or a pointer
 * ("double[2][2]" -> "double[2]", "char *[3]" -> "char *", "const char
 * *const [3]" -> "const char *const"), malloc'd, or NULL (arrays of
 * scalars and structs have show functions of their own). */
static char *row_type(const char *type)
{
    const char *a = strchr(type, '[');
    const char *z = a ? strchr(a, ']') : NULL;
    if (!z)
        return NULL;
    char *elem = xasprintf("%.*s%s", (int)(a - type), type, z + 1);
    size_t n = strlen(elem);
    while (n && elem[n - 1] == ' ')
        elem[--n] = 0;
    /* The pointer's own qualifiers come after its '*'. */
    size_t m = n;
    for (int again = 1; again;) {
        static const char *const quals[] = {"const", "volatile", "restrict", NULL};
        again = 0;
        while (m && elem[m - 1] == ' ')
            m--;
        for (int q = 0; quals[q] && !again; q++) {
            size_t ql = strlen(quals[q]);
            if (m >= ql && !strncmp(elem + m - ql, quals[q], ql) && (m == ql || !text_word_char(elem[m - ql - 1]))) {
                m -= ql;
                again = 1;
            }
        }
    }
    if (strchr(elem, '[') || (m && elem[m - 1] == '*'))
        return elem;
    free(elem);
    return NULL;
}

/* Code showing array e, of declared type type, element by element when
 * its elements are rows or pointers (a matrix, an array of strings), rows
 * of rows in nested braces as C writes their initializers; 0 if it is no
 * such array. prefix names the struct show functions, of which the first
 * upto exist; level names the loop's variables apart from its outer
 * loops'. */
static int show_rows_at(struct buf *b, const struct jit *j, const char *e, const char *type, const char *prefix,
                        size_t upto, int level)
{
    char *elem = row_type(type);
    if (!elem)
        return 0;
    buf_printf(b, "{ __SIZE_TYPE__ __parc_n%d = __parc_array_begin(", level);
    add_c_string(b, type);
    buf_adds(b, ", ");
    add_c_string(b, elem);
    buf_printf(b,
               ", sizeof(%s), sizeof((%s)[0]), (%s)); for (__SIZE_TYPE__ __parc_i%d = 0; __parc_i%d < __parc_n%d "
               "&& __parc_array_elem(__parc_i%d); __parc_i%d++) { ",
               e, e, e, level, level, level, level, level);
    char *row = xasprintf("(%s)[__parc_i%d]", e, level);
    if (!strchr(elem, '[') || !show_rows_at(b, j, row, elem, prefix, upto, level + 1)) {
        show_generic(b, j, row, strchr(elem, '[') ? elem : NULL, prefix, upto);
        buf_addc(b, ';');
    }
    buf_printf(b, " } __parc_array_end(__parc_n%d); }", level);
    free(row);
    free(elem);
    return 1;
}

static int show_rows(struct buf *b, const struct jit *j, const char *e, const char *type, const char *prefix)
{
    return show_rows_at(b, j, e, type, prefix, j->nstructs, 0);
}

/* Type type without its first dimension ("int[2][3]" -> "int[3]",
 * "char *[4]" -> "char *", "int (*[2])(int)" -> "int (*)(int)"),
 * malloc'd; NULL if it is no array ("int (*)[3]" is a pointer to arrays:
 * its first '[' comes after a ')'). */
static char *element_type(const char *type)
{
    const char *a = strchr(type, '[');
    const char *z = a ? strchr(a, ']') : NULL;
    const char *close = strchr(type, ')');
    if (!z || (close && close < a))
        return NULL;
    size_t n = (size_t)(a - type);
    while (!z[1] && n && type[n - 1] == ' ')
        n--;
    return xasprintf("%.*s%s", (int)n, type, z + 1);
}

/* The declared type of e when it is a session variable followed by
 * subscripts and members (`cube`, `cube[1]`, `g.cells[0]`) whose types
 * are known: "int[3][4]", as the session spells it; malloc'd, or NULL. */
static char *declared_type(const struct jit *j, const char *e)
{
    const char *p = e;
    while (text_word_char(*p))
        p++;
    char *name = xstrndup(e, (size_t)(p - e));
    const struct decl *var = text_is_identifier(name) ? jit_find_decl(j, name) : NULL;
    free(name);
    if (!var || var->kind != DECL_VAR || !var->type)
        return NULL;
    char *type = xstrdup(var->type);
    while (type && *p) {
        char *next = NULL;
        if (*p == '[') {
            int depth = 0;
            for (; *p && !(*p == ']' && --depth == 0); p++)
                depth += *p == '[';
            if (*p)
                next = element_type(type), p++;
        } else if (*p == '.') {
            const char *f = ++p;
            while (text_word_char(*p))
                p++;
            for (size_t k = 0; k < j->nstructs && !next; k++) {
                const struct jit_struct *st = &j->structs[k];
                if (strcmp(st->spelling, type) && strcmp(st->display, type))
                    continue;
                for (size_t i = 0; i < st->nfields && !next; i++)
                    if (strlen(st->fields[i]) == (size_t)(p - f) && !strncmp(st->fields[i], f, (size_t)(p - f)) &&
                        st->field_types[i])
                        next = xstrdup(st->field_types[i]);
            }
        }
        free(type);
        type = next;
    }
    if (type && *p) {
        free(type);
        return NULL;
    }
    return type;
}

/* Code that shows the value of expression e. */
static void show_value(struct buf *b, const struct jit *j, const char *e)
{
    char *type = declared_type(j, e);
    if (type) {
        struct buf rows = {0};
        if (show_rows(&rows, j, e, type, "__parc_show_")) {
            buf_printf(b, "{ __parc_value_begin(); %s __parc_value_end(); }\n", rows.data);
            buf_free(&rows);
            free(type);
            return;
        }
    }
    /* 'a' has type int in C, but users mean a character. */
    char *cast = e[0] == '\'' ? xasprintf("(char)%s", e) : NULL;
    if (cast)
        e = cast;
    /* A void expression (a call of a void function) has no value: the
     * outer selection sends it to __parc_show_void. */
    buf_printf(b, "{ __parc_value_begin(); _Generic((__typeof__(%s) *)0, void *: __parc_show_void, default: _Generic((", e);
    buf_adds(b, e);
    buf_adds(b, "), ");
    struct_branches(b, j, j->nstructs, "__parc_show_");
    buf_adds(b, "__PARC_SCALARS default: __parc_show_opaque))(");
    /* Name the type as declared when the expression is a session variable
     * (uint8_t, point, int[5]) or a part of one rather than as the compiler
     * reduces it. */
    if (type)
        add_c_string(b, type);
    else if (e[0] == '"')
        buf_adds(b, "\"const char *\"");
    else
        buf_adds(b, "(const char *)0");
    buf_printf(b, ", sizeof(%s), (%s)); __parc_value_end(); }\n", e, e);
    free(cast);
    free(type);
}

/* Whether specifiers declare thread-local storage. */
static int is_tls(const char *specs)
{
    static const char *const words[] = {"__thread", "_Thread_local", "thread_local", NULL};
    for (int i = 0; words[i]; i++)
        if (text_has_word(specs, strlen(specs), words[i]))
            return 1;
    return 0;
}

char *cellgen_tls_label(const struct split *sp, const char *name, int cell_no)
{
    if (cell_no <= 0 || !name)
        return NULL;
    int tls = 0;
    for (size_t i = 0; i < sp->nitems && !tls; i++)
        tls = sp->items[i].kind == ITEM_VAR && sp->items[i].specs && is_tls(sp->items[i].specs);
    return tls ? xasprintf(" __asm__(\"%s" CELLGEN_TLS_MARK "%d\")", name, cell_no) : NULL;
}

/* The file-scope text of a variable definition; initializers that must
 * run as code go to body instead. */
static void var_item(struct buf *fs, struct buf *body, const struct split *sp, const struct item *it,
                     const char *name, int cell_no)
{
    char *specs = cellgen_strip_storage(it->specs);
    buf_adds(fs, specs);
    for (size_t k = 0; k < it->ndecls; k++) {
        const struct declarator *d = &it->decls[k];
        buf_adds(fs, k ? ", " : " ");
        buf_adds(fs, d->decl);
        char *label = cellgen_tls_label(sp, d->name, cell_no);
        if (label)
            buf_adds(fs, label);
        free(label);
        if (d->init && !d->runtime_init) {
            buf_adds(fs, " = ");
            buf_adds(fs, d->init);
        }
        if (d->init && d->runtime_init && d->name) {
            line_dir(body, it->line, name);
            buf_printf(body, "{ __typeof__(%s) __parc_init = %s;\nmemcpy(&%s, &__parc_init, sizeof %s); }\n",
                       d->name, d->init, d->name, d->name);
        }
    }
    buf_adds(fs, ";\n");
    free(specs);
}

/* Pragmas of OpenMP that only make sense at file scope. */
/* Whether p starts with the word w. */
static int word_is(const char *p, const char *w)
{
    size_t n = strlen(w);
    return !strncmp(p, w, n) && !text_word_char(p[n]);
}

/* The directive of a `#pragma omp` line ("parallel for ..."), or NULL. */
static const char *omp_directive(const char *text)
{
    const char *p = text + strspn(text, " \t");
    if (*p++ != '#')
        return NULL;
    p += strspn(p, " \t");
    if (!word_is(p, "pragma"))
        return NULL;
    p += 6 + strspn(p + 6, " \t");
    if (!word_is(p, "omp"))
        return NULL;
    return p + 3 + strspn(p + 3, " \t");
}

static int any_word(const char *p, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (word_is(p, words[i]))
            return 1;
    return 0;
}

/* OpenMP directives that only make sense at file scope, and those that
 * stand alone as statements (no statement after them). */
static const char *const file_scope[] = {"threadprivate", "declare", "requires", "begin", "end", NULL};
static const char *const standalone[] = {"barrier", "taskwait", "taskyield", "flush", "cancel", "cancellation",
                                         "depobj", "scan", NULL};

int cellgen_pragma_needs_statement(const char *text)
{
    const char *d = omp_directive(text);
    if (!d || !*d || any_word(d, file_scope) || any_word(d, standalone))
        return 0;
    if (word_is(d, "target")) {
        d += 6 + strspn(d + 6, " \t");
        return !word_is(d, "enter") && !word_is(d, "exit") && !word_is(d, "update");
    }
    return !word_is(d, "ordered") || !strstr(d, "depend");
}

int cellgen_statement_pragma(const struct split *sp, size_t i)
{
    const char *p = sp->items[i].text;
    if (sp->items[i].kind != ITEM_PP || *p != '#')
        return 0;
    p += 1 + strspn(p + 1, " \t");
    if (strncmp(p, "pragma", 6))
        return 0;
    const char *d = omp_directive(sp->items[i].text);
    if (d && any_word(d, file_scope))
        return 0;
    if (d && any_word(d, standalone))
        return 1; /* a statement of its own */
    for (size_t k = i + 1; k < sp->nitems; k++) {
        enum item_kind kind = sp->items[k].kind;
        if (kind == ITEM_PP || kind == ITEM_MAGIC)
            continue;
        return kind == ITEM_STMT || kind == ITEM_EXPR;
    }
    return 0;
}

void cellgen_unit(struct buf *tu, const struct jit *j, const char *code, const struct split *sp, int cell_no,
                  int quiet_value, int *has_value)
{
    (void)code;
    char name[32];
    if (cell_no > 0)
        snprintf(name, sizeof name, "cell[%d]", cell_no);
    else
        snprintf(name, sizeof name, "cell");
    struct buf body = {0};
    const char *value = NULL;
    for (size_t i = 0; i < sp->nitems; i++) {
        const struct item *it = &sp->items[i];
        const char *semi = it->terminated ? "" : ";";
        if (cellgen_statement_pragma(sp, i)) {
            line_dir(&body, it->line, name);
            buf_printf(&body, "%s\n", it->text);
            continue;
        }
        switch (it->kind) {
        case ITEM_PP:
        case ITEM_TYPE:
        case ITEM_PROTO:
            line_dir(tu, it->line, name);
            buf_printf(tu, "%s%s\n", it->text, it->kind == ITEM_PP ? "" : semi);
            break;
        case ITEM_FUNC: {
            size_t hl = strlen(it->head);
            char *head = cellgen_strip_storage(it->head);
            char *label = cellgen_tls_label(sp, it->ndecls ? it->decls[0].name : NULL, cell_no);
            line_dir(tu, it->line, name);
            if (label)
                buf_printf(tu, "%s%s;\n", head, label); /* a definition takes no asm label */
            buf_printf(tu, "%s%s\n", head, it->text + hl);
            free(label);
            free(head);
            break;
        }
        case ITEM_VAR:
            line_dir(tu, it->line, name);
            var_item(tu, &body, sp, it, name, cell_no);
            break;
        case ITEM_STMT:
            line_dir(&body, it->line, name);
            buf_printf(&body, "%s%s\n", it->text, semi);
            break;
        case ITEM_EXPR:
            if (quiet_value) {
                line_dir(&body, it->line, name);
                buf_printf(&body, "%s;\n", it->text);
            } else
                value = it->text;
            break;
        case ITEM_MAGIC:
        case ITEM_EMPTY:
            break;
        }
    }
    if (value) {
        struct_shows(tu, j, "__parc_show_");
        const struct item *last = &sp->items[sp->nitems - 1];
        line_dir(&body, last->line, name);
        show_value(&body, j, value);
    }
    buf_adds(tu, "#line 1 \"<cell>\"\nvoid __parc_cell(void) {\n");
    if (body.len)
        buf_add(tu, body.data, body.len);
    /* An error reported in "<cell>" or "<end>" means the cell's text ran
     * into what follows it: the cell is unfinished (see jit_is_complete). */
    buf_adds(tu, "#line 1 \"<end>\"\n}\n");
    buf_free(&body);
    *has_value = value != NULL;
}

void cellgen_value_shows(struct buf *b, const struct jit *j, const char *prefix)
{
    struct_shows(b, j, prefix);
}

void cellgen_show_call(struct buf *b, const struct jit *j, const char *name, const char *type, const char *prefix)
{
    if (type && show_rows(b, j, name, type, prefix))
        return;
    show_generic(b, j, name, type, prefix, j->nstructs);
    buf_addc(b, ';');
}
