/* split.c — cell text -> top-level items (see split.h). A small lexer
 * finds tokens, brackets and preprocessor lines; a chunker cuts the token
 * stream at top-level ';' and at the end of function bodies and compound
 * statements; a classifier tells declarations from statements and reads
 * the names each declaration introduces. */
#include "split.h"
#include "textutil.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Lexer                                                               */
/* ------------------------------------------------------------------ */

enum tok_kind { T_IDENT, T_NUM, T_STR, T_CHR, T_PUNCT, T_PP, T_MAGIC, T_EOF };

struct tok {
    enum tok_kind kind;
    size_t start, end; /* byte range in the cell */
    int line;
};

struct toks {
    struct tok *v;
    size_t n, cap;
    enum split_state state; /* SPLIT_OPEN for an unterminated comment */
    int err_line, err_col;  /* SPLIT_LITERAL: where the literal starts */
};

/* A string or character literal that the line (or the input) ends inside:
 * C has no multi-line literals, so this is an error, not unfinished input. */
static void bad_literal(struct toks *t, const char *c, size_t s, int line)
{
    size_t n = strlen(c);
    if (n && c[n - 1] == '\\') {
        t->state = SPLIT_OPEN; /* "abc\ at the end: a line continuation follows */
        return;
    }
    size_t b = s;
    while (b > 0 && c[b - 1] != '\n')
        b--;
    t->state = SPLIT_LITERAL;
    t->err_line = line;
    t->err_col = (int)(s - b) + 1;
}

static void tok_push(struct toks *t, enum tok_kind k, size_t s, size_t e, int line)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    t->v[t->n++] = (struct tok){k, s, e, line};
}

static const char *const puncts3[] = {"<<=", ">>=", "...", NULL};
static const char *const puncts2[] = {"->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
                                      "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##", NULL};

/* Skips a quoted literal starting at i (the quote). Returns the index after
 * it; *open is set if the input or the line ended inside it. */
static size_t skip_quoted(const char *c, size_t i, size_t n, int *open, int *line)
{
    char q = c[i++];
    while (i < n) {
        if (c[i] == '\\' && i + 1 < n) {
            if (c[i + 1] == '\n')
                (*line)++;
            i += 2;
            continue;
        }
        if (c[i] == q)
            return i + 1;
        if (c[i] == '\n')
            break;
        i++;
    }
    *open = 1;
    return i;
}

/* Whether the '%' at c[i], first on its line, starts a magic (the rule of
 * engine/magic.c): '%' then a name, '?' or '%', or after what ends a
 * statement; otherwise it is C's remainder operator going on ("% 5;"). */
static int magic_at(const struct toks *t, const char *c, size_t i)
{
    char nx = c[i + 1];
    if (isalpha((unsigned char)nx) || nx == '_' || nx == '?' || nx == '%' || !t->n)
        return 1;
    const struct tok *p = &t->v[t->n - 1];
    return p->kind == T_PP || p->kind == T_MAGIC ||
           (p->kind == T_PUNCT && p->end - p->start == 1 && strchr(";{}", c[p->start]));
}

static void lex(const char *c, struct toks *t)
{
    size_t n = strlen(c), i = 0;
    int line = 1, at_line_start = 1;
    t->state = SPLIT_OK;
    while (i < n) {
        char ch = c[i];
        if (ch == '\n') {
            line++;
            at_line_start = 1;
            i++;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v') {
            i++;
            continue;
        }
        if (ch == '\\' && i + 1 < n && c[i + 1] == '\n') {
            i += 2;
            line++;
            continue;
        }
        if (ch == '/' && i + 1 < n && c[i + 1] == '/') {
            while (i < n && c[i] != '\n') {
                if (c[i] == '\\' && i + 1 < n && c[i + 1] == '\n') {
                    line++;
                    i++;
                }
                i++;
            }
            continue;
        }
        if (ch == '/' && i + 1 < n && c[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < n && !(c[j] == '*' && c[j + 1] == '/')) {
                if (c[j] == '\n')
                    line++;
                j++;
            }
            if (j + 1 >= n) {
                t->state = SPLIT_OPEN;
                return;
            }
            i = j + 2;
            continue;
        }
        size_t s = i;
        int l0 = line;
        if (at_line_start && (ch == '#' || (ch == '%' && magic_at(t, c, i)))) {
            /* A directive or magic: the rest of the line, continuations included. */
            while (i < n && c[i] != '\n') {
                if (c[i] == '\\' && i + 1 < n && c[i + 1] == '\n') {
                    i += 2;
                    line++;
                    continue;
                }
                if (ch == '#' && c[i] == '/' && i + 1 < n && c[i + 1] == '*') {
                    /* A comment may span lines inside a directive. */
                    size_t j = i + 2;
                    while (j + 1 < n && !(c[j] == '*' && c[j + 1] == '/')) {
                        if (c[j] == '\n')
                            line++;
                        j++;
                    }
                    if (j + 1 >= n) {
                        t->state = SPLIT_OPEN;
                        return;
                    }
                    i = j + 2;
                    continue;
                }
                i++;
            }
            size_t e = i;
            while (e > s && isspace((unsigned char)c[e - 1]))
                e--;
            tok_push(t, ch == '#' ? T_PP : T_MAGIC, s, e, l0);
            continue;
        }
        at_line_start = 0;
        if (isalpha((unsigned char)ch) || ch == '_' || ch == '$') {
            while (i < n && (isalnum((unsigned char)c[i]) || c[i] == '_' || c[i] == '$'))
                i++;
            /* String prefixes: L"", u8"", u"", U"". */
            if (i < n && (c[i] == '"' || c[i] == '\'') && i - s <= 2 &&
                (!strncmp(c + s, "L", i - s) || !strncmp(c + s, "u8", i - s) || !strncmp(c + s, "u", i - s) ||
                 !strncmp(c + s, "U", i - s))) {
                int open = 0;
                char q = c[i];
                i = skip_quoted(c, i, n, &open, &line);
                if (open) {
                    bad_literal(t, c, s, l0);
                    return;
                }
                tok_push(t, q == '"' ? T_STR : T_CHR, s, i, l0);
                continue;
            }
            tok_push(t, T_IDENT, s, i, l0);
            continue;
        }
        if (isdigit((unsigned char)ch) || (ch == '.' && i + 1 < n && isdigit((unsigned char)c[i + 1]))) {
            while (i < n && (isalnum((unsigned char)c[i]) || c[i] == '.' || c[i] == '_' ||
                             ((c[i] == '+' || c[i] == '-') && strchr("eEpP", c[i - 1]))))
                i++;
            tok_push(t, T_NUM, s, i, l0);
            continue;
        }
        if (ch == '"' || ch == '\'') {
            int open = 0;
            i = skip_quoted(c, i, n, &open, &line);
            if (open) {
                bad_literal(t, c, s, l0);
                return;
            }
            tok_push(t, ch == '"' ? T_STR : T_CHR, s, i, l0);
            continue;
        }
        size_t len = 1;
        for (int k = 0; puncts3[k]; k++)
            if (!strncmp(c + i, puncts3[k], 3))
                len = 3;
        if (len == 1)
            for (int k = 0; puncts2[k]; k++)
                if (!strncmp(c + i, puncts2[k], 2))
                    len = 2;
        i += len;
        tok_push(t, T_PUNCT, s, i, l0);
    }
    tok_push(t, T_EOF, n, n, line);
}

/* ------------------------------------------------------------------ */
/* Token helpers                                                       */
/* ------------------------------------------------------------------ */

struct cursor {
    const char *c;
    const struct tok *v;
    size_t n; /* tokens in range (not counting EOF) */
};

static int is(const struct cursor *k, size_t i, const char *s)
{
    if (i >= k->n)
        return 0;
    const struct tok *t = &k->v[i];
    size_t l = strlen(s);
    return t->kind != T_STR && t->kind != T_CHR && t->end - t->start == l && !memcmp(k->c + t->start, s, l);
}

static int is_ident(const struct cursor *k, size_t i)
{
    return i < k->n && k->v[i].kind == T_IDENT;
}

static char *tok_str(const struct cursor *k, size_t i)
{
    return xstrndup(k->c + k->v[i].start, k->v[i].end - k->v[i].start);
}

/* Source text of tokens [a, b). */
static char *range_text(const struct cursor *k, size_t a, size_t b)
{
    if (a >= b)
        return xstrdup("");
    return xstrndup(k->c + k->v[a].start, k->v[b - 1].end - k->v[a].start);
}

/* Index after the bracket group opening at i. */
static size_t skip_group(const struct cursor *k, size_t i)
{
    int depth = 0;
    for (; i < k->n; i++) {
        if (is(k, i, "(") || is(k, i, "[") || is(k, i, "{"))
            depth++;
        else if (is(k, i, ")") || is(k, i, "]") || is(k, i, "}")) {
            if (--depth == 0)
                return i + 1;
        }
    }
    return k->n;
}

const char *const split_keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
    "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
    "volatile", "while", "_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic",
    "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local", "typeof", "__typeof__",
    "__attribute__", "__thread", "__int128", "__inline__", "__restrict__", "__extension__", "asm",
    "__asm__", "__const__", "__signed__", "__volatile__", "__inline", "__restrict", NULL};

int split_is_keyword(const char *name)
{
    for (int i = 0; split_keywords[i]; i++)
        if (!strcmp(split_keywords[i], name))
            return 1;
    return 0;
}

static int in_list(const char *const *list, const struct cursor *k, size_t i)
{
    for (int j = 0; list[j]; j++)
        if (is(k, i, list[j]))
            return 1;
    return 0;
}

static const char *const storage_kw[] = {"typedef", "extern", "static", "auto", "register", "inline",
                                         "__inline", "__inline__", "_Noreturn", "_Thread_local",
                                         "__thread", "__extension__", NULL};
static const char *const qual_kw[] = {"const", "volatile", "restrict", "_Atomic", "__const__",
                                      "__volatile__", "__restrict__", "__restrict", NULL};
/* complex and imaginary are <complex.h>'s names for _Complex and
 * _Imaginary: `double complex z;` declares z. */
static const char *const base_kw[] = {"void", "char", "short", "int", "long", "float", "double", "signed",
                                      "unsigned", "_Bool", "_Complex", "_Imaginary", "complex", "imaginary",
                                      "__int128", "__signed__", NULL};

/* Type names from standard headers, so `size_t n = 3;` is known to be a
 * declaration even though the session has not seen the typedef. */
static const char *const std_types[] = {
    "size_t", "ssize_t", "ptrdiff_t", "FILE", "off_t", "pid_t", "time_t", "clock_t", "wchar_t",
    "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t",
    "intptr_t", "uintptr_t", "intmax_t", "uintmax_t", "bool", "va_list", "pthread_t",
    "pthread_mutex_t", "pthread_cond_t", "pthread_attr_t", "pthread_barrier_t", "pthread_rwlock_t",
    "pthread_spinlock_t", "pthread_once_t", "pthread_key_t", "sem_t", "div_t", "ldiv_t", "lldiv_t",
    "fpos_t", "sig_atomic_t", "mode_t", "uid_t", "gid_t", "socklen_t", "jmp_buf", "sigjmp_buf",
    "float_t", "double_t", "int_fast8_t", "int_fast16_t", "int_fast32_t", "int_fast64_t",
    "uint_fast8_t", "uint_fast16_t", "uint_fast32_t", "uint_fast64_t", "int_least8_t",
    "int_least16_t", "int_least32_t", "int_least64_t", "uint_least8_t", "uint_least16_t",
    "uint_least32_t", "uint_least64_t", "parc_pool", "parc_future", "parc_lock", "DIR",
    "sigset_t", "u_int", "u_long", "char16_t", "char32_t", "max_align_t", NULL};

static int known_type(const struct cursor *k, size_t i, const struct split_ctx *ctx)
{
    if (!is_ident(k, i))
        return 0;
    if (in_list(std_types, k, i))
        return 1;
    if (ctx && ctx->is_type) {
        char *s = tok_str(k, i);
        int r = ctx->is_type(ctx->ctx, s);
        free(s);
        return r;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Declarations                                                        */
/* ------------------------------------------------------------------ */

struct names {
    char **v;
    size_t n;
};

static void names_add(struct names *s, const char *name)
{
    s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
    s->v[s->n++] = xstrdup(name);
}

/* Whether the item starting at token 0 of k is a declaration. */
static int looks_like_decl(const struct cursor *k, const struct split_ctx *ctx, const struct names *cellvars)
{
    if (k->n == 0)
        return 0;
    if (in_list(storage_kw, k, 0) || in_list(qual_kw, k, 0) || in_list(base_kw, k, 0) || is(k, 0, "struct") ||
        is(k, 0, "union") || is(k, 0, "enum") || is(k, 0, "typeof") || is(k, 0, "__typeof__") ||
        is(k, 0, "_Static_assert") || is(k, 0, "__attribute__") || is(k, 0, "_Alignas"))
        return 1;
    if (!is_ident(k, 0))
        return 0;
    char *first = tok_str(k, 0);
    int keyword = split_is_keyword(first);
    int var = strv_has(cellvars->v, cellvars->n, first) || (ctx && ctx->is_var && ctx->is_var(ctx->ctx, first));
    free(first);
    if (keyword || var)
        return 0;
    if (known_type(k, 0, ctx))
        return !(is(k, 1, "=") || is(k, 1, ".") || is(k, 1, "->") || is(k, 1, "[") ||
                 (is(k, 1, "(") && !is(k, 2, "*"))); /* `T (*fp)(int)` declares */
    /* An unknown name followed by a name: `mytype x`. */
    if (is_ident(k, 1)) {
        char *second = tok_str(k, 1);
        int kw = split_is_keyword(second) && !in_list(qual_kw, k, 1);
        free(second);
        return !kw;
    }
    /* `T *p = ...`, `T **pp;` where T is not a known variable. */
    if (is(k, 1, "*")) {
        size_t j = 1;
        while (is(k, j, "*") || in_list(qual_kw, k, j))
            j++;
        if (is_ident(k, j) && j > 1 && (is(k, j + 1, "=") || is(k, j + 1, ";") || is(k, j + 1, ",") ||
                                        is(k, j + 1, "[") || j + 1 >= k->n))
            return 1;
    }
    return 0;
}

/* Reads the declaration specifiers from token 0. Returns the index of the
 * first declarator token. Records storage class, tags and bodies. */
static size_t read_specs(const struct cursor *k, struct item *it, size_t *body_a, size_t *body_b,
                         size_t *tag_tok)
{
    size_t i = 0;
    int base = 0;
    *body_a = *body_b = *tag_tok = (size_t)-1;
    while (i < k->n) {
        if (is(k, i, "typedef")) {
            it->is_typedef = 1;
            i++;
        } else if (is(k, i, "extern")) {
            it->is_extern = 1;
            i++;
        } else if (is(k, i, "static")) {
            it->is_static = 1;
            i++;
        } else if (in_list(storage_kw, k, i) || in_list(qual_kw, k, i)) {
            if (is(k, i, "_Atomic") && is(k, i + 1, "(")) {
                i = skip_group(k, i + 1);
                base = 1;
            } else
                i++;
        } else if (in_list(base_kw, k, i)) {
            base = 1;
            i++;
        } else if (is(k, i, "struct") || is(k, i, "union") || is(k, i, "enum")) {
            base = 1;
            i++;
            while (is(k, i, "__attribute__"))
                i = skip_group(k, i + 1);
            if (is_ident(k, i)) {
                *tag_tok = i;
                i++;
            }
            if (is(k, i, "{")) {
                *body_a = i;
                i = skip_group(k, i);
                *body_b = i;
            }
        } else if (is(k, i, "__attribute__") || is(k, i, "_Alignas") || is(k, i, "typeof") ||
                   is(k, i, "__typeof__")) {
            if (!is(k, i, "__attribute__") && !is(k, i, "_Alignas"))
                base = 1;
            i = skip_group(k, i + 1);
        } else if (is_ident(k, i) && !base) {
            base = 1;
            i++;
        } else
            break;
    }
    return i;
}

/* Index after the operand of the sizeof before i: a parenthesized group,
 * or (`sizeof g`, `sizeof *p`, `sizeof s.a[0]`) prefix operators, a name
 * and its member and subscript postfixes. The operand is not evaluated. */
static size_t skip_sizeof_operand(const struct cursor *k, size_t i)
{
    if (is(k, i, "("))
        return skip_group(k, i);
    while (is(k, i, "*") || is(k, i, "&") || is(k, i, "-") || is(k, i, "+") || is(k, i, "!") || is(k, i, "~") ||
           is(k, i, "sizeof"))
        i++;
    i = is(k, i, "(") ? skip_group(k, i) : i + 1;
    for (;;) {
        if ((is(k, i, ".") || is(k, i, "->")) && is_ident(k, i + 1))
            i += 2;
        else if (is(k, i, "["))
            i = skip_group(k, i);
        else
            return i;
    }
}

/* Whether the initializer tokens [a, b) must run as code. */
static int needs_runtime(const struct cursor *k, size_t a, size_t b, const struct split_ctx *ctx,
                         const struct names *cellvars)
{
    for (size_t i = a; i < b; i++) {
        if (!is_ident(k, i))
            continue;
        if (i > a && (is(k, i - 1, ".") || is(k, i - 1, "->")))
            continue; /* a member designator or access */
        char *name = tok_str(k, i);
        int skip = split_is_keyword(name);
        int call = !skip && is(k, i + 1, "(");
        int var = !skip && !(i > a && is(k, i - 1, "&")) &&
                  (strv_has(cellvars->v, cellvars->n, name) || (ctx && ctx->is_var && ctx->is_var(ctx->ctx, name)));
        free(name);
        if (call || var)
            return 1;
        if (is(k, i, "sizeof"))
            i = skip_sizeof_operand(k, i + 1) - 1;
    }
    return 0;
}

/* The number of elements of the brace list [a, b) ("{f(), 2}" -> 2,
 * "{[4] = 1}" -> 5), or 0 when it cannot tell (a designator that is not
 * a number, a braced string). */
static size_t list_length(const struct cursor *k, size_t a, size_t b)
{
    if (b <= a + 1 || !is(k, a, "{") || !is(k, b - 1, "}"))
        return 0;
    size_t idx = 0, max = 0;
    int depth = 0, empty = 1;
    for (size_t i = a + 1; i < b - 1; i++) {
        if (depth == 0 && empty && is(k, i, "[")) {
            /* [N] = value: the next element is number N */
            if (k->v[i + 1].kind != T_NUM || !is(k, i + 2, "]") || !is(k, i + 3, "="))
                return 0;
            idx = strtoul(k->c + k->v[i + 1].start, NULL, 0);
            i += 3;
            continue;
        }
        if (depth == 0 && empty && is(k, i, "."))
            return 0;
        if (is(k, i, "(") || is(k, i, "[") || is(k, i, "{"))
            depth++;
        else if (is(k, i, ")") || is(k, i, "]") || is(k, i, "}"))
            depth--;
        if (depth == 0 && is(k, i, ",")) {
            if (!empty && ++idx > max)
                max = idx;
            empty = 1;
        } else
            empty = 0;
    }
    if (!empty && ++idx > max)
        max = idx;
    return max;
}

/* The size of the char array the string literals [a, b) initialize
 * ("ab" "c\n" -> 5), or 0 for anything else (wide strings, \u). */
static size_t string_size(const struct cursor *k, size_t a, size_t b)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++) {
        if (k->v[i].kind != T_STR || k->c[k->v[i].start] != '"')
            return 0;
        for (size_t p = k->v[i].start + 1; p + 1 < k->v[i].end; p++, n++) {
            if (k->c[p] != '\\')
                continue;
            char e = k->c[++p];
            if (e == 'u' || e == 'U')
                return 0;
            if (e == 'x')
                while (isxdigit((unsigned char)k->c[p + 1]))
                    p++;
            for (int d = 0; d < 2 && e >= '0' && e <= '7' && k->c[p + 1] >= '0' && k->c[p + 1] <= '7'; d++)
                p++;
        }
    }
    return a < b ? n + 1 : 0;
}

/* The type of an array field named at token m of its declaration sub,
 * whose specifiers are tokens [0, sa) and declarator [d, e): "int[2][3]"
 * for `int m[2][3]`, "char *[4]" for `char *m[4]`; NULL for any other
 * field, or when the specifiers hold a body (a struct defined in place). */
static char *field_array_type(const struct cursor *sub, size_t sa, size_t d, size_t m, size_t e)
{
    if (!is(sub, m + 1, "["))
        return NULL;
    for (size_t i = 0; i < e; i++)
        if ((i < sa || i >= d) && (is(sub, i, "{") || is(sub, i, "(")))
            return NULL;
    struct buf t = {0};
    for (size_t i = 0; i < m; i = i + 1 == sa ? d : i + 1) {
        char *w = tok_str(sub, i);
        if (t.len && !(*w == '*' && t.data[t.len - 1] == '*'))
            buf_addc(&t, ' ');
        buf_adds(&t, w);
        free(w);
    }
    for (size_t i = m + 1; i < e; i++) {
        char *w = tok_str(sub, i);
        buf_adds(&t, w);
        free(w);
    }
    return buf_take(&t);
}

/* Field names of a struct/union body [a, b) (a is '{'), and in types the
 * type of each (field_array_type, NULL for most). Bit-fields and anonymous
 * members are left out: they cannot be shown generically. */
static void read_fields(const struct cursor *k, size_t a, size_t b, struct names *out, struct names *types)
{
    size_t i = a + 1;
    while (i < b - 1) {
        size_t s = i;
        int depth = 0;
        while (i < b - 1 && !(depth == 0 && is(k, i, ";"))) {
            if (is(k, i, "(") || is(k, i, "[") || is(k, i, "{"))
                depth++;
            else if (is(k, i, ")") || is(k, i, "]") || is(k, i, "}"))
                depth--;
            i++;
        }
        struct cursor sub = {k->c, k->v + s, i - s};
        struct item tmp = {0};
        size_t ba, bb, tt;
        size_t j = read_specs(&sub, &tmp, &ba, &bb, &tt), j0 = j;
        while (j < sub.n) {
            size_t d0 = j;
            int dd = 0, bits = 0;
            while (j < sub.n && !(dd == 0 && is(&sub, j, ","))) {
                if (is(&sub, j, "(") || is(&sub, j, "["))
                    dd++;
                else if (is(&sub, j, ")") || is(&sub, j, "]"))
                    dd--;
                else if (dd == 0 && is(&sub, j, ":"))
                    bits = 1;
                j++;
            }
            for (size_t m = d0; m < j && !bits; m++)
                if (is_ident(&sub, m) && !in_list(qual_kw, &sub, m)) {
                    char *name = tok_str(&sub, m);
                    if (!split_is_keyword(name) && !is(&sub, m + 1, "(")) {
                        names_add(out, name);
                        types->v = xrealloc(types->v, (types->n + 1) * sizeof *types->v);
                        types->v[types->n++] = field_array_type(&sub, j0, d0, m, j);
                    }
                    free(name);
                    break;
                }
            j++;
        }
        i++;
    }
}

/* Fills it from a declaration item (tokens of k). */
static void read_decl(const struct cursor *k, struct item *it, const struct split_ctx *ctx, struct names *cellvars)
{
    size_t body_a, body_b, tag_tok;
    size_t i = read_specs(k, it, &body_a, &body_b, &tag_tok);
    it->specs = range_text(k, 0, i);
    /* Specifiers usable in an extern declaration in a later cell: no
     * storage class but thread-locality, and a tagged body replaced by its
     * tag. */
    struct buf ref = {0};
    for (size_t j = 0; j < i; j++) {
        if (in_list(storage_kw, k, j) && !is(k, j, "__thread") && !is(k, j, "_Thread_local"))
            continue;
        if (j == body_a && tag_tok != (size_t)-1) {
            j = body_b - 1;
            continue;
        }
        if (ref.len)
            buf_addc(&ref, ' ');
        char *s = range_text(k, j, j + 1);
        buf_adds(&ref, s);
        free(s);
    }
    it->specs_ref = buf_take(&ref);
    if (tag_tok != (size_t)-1 && body_a != (size_t)-1) {
        /* "struct tag { ... }" is a type definition of its own. */
        size_t kw = tag_tok - 1;
        while (kw > 0 && !(is(k, kw, "struct") || is(k, kw, "union") || is(k, kw, "enum")))
            kw--;
        char *tagname = range_text(k, kw, tag_tok + 1);
        char *body = range_text(k, kw, body_b);
        it->tag_def = xasprintf("%s;", body);
        free(body);
        it->type_names = xrealloc(it->type_names, (it->ntype_names + 1) * sizeof *it->type_names);
        it->type_names[it->ntype_names++] = xstrdup(tagname);
        if (!is(k, kw, "enum")) {
            it->struct_spelling = xstrdup(tagname);
            it->struct_display = xstrdup(tagname);
        }
        free(tagname);
    }
    if (body_a != (size_t)-1 && !is(k, body_a - 1 - (tag_tok != (size_t)-1), "enum")) {
        struct names f = {0}, ft = {0};
        read_fields(k, body_a, body_b, &f, &ft);
        it->fields = f.v;
        it->field_types = ft.v;
        it->nfields = f.n;
    }
    /* Declarators. */
    while (i < k->n && !is(k, i, ";")) {
        size_t d0 = i;
        int depth = 0;
        size_t name_tok = (size_t)-1;
        while (i < k->n) {
            if (depth == 0 && (is(k, i, ",") || is(k, i, "=") || is(k, i, ";") || is(k, i, "{")))
                break;
            if (is(k, i, "(") || is(k, i, "["))
                depth++;
            else if (is(k, i, ")") || is(k, i, "]"))
                depth--;
            else if (name_tok == (size_t)-1 && is_ident(k, i) && !in_list(qual_kw, k, i) &&
                     !is(k, i, "__attribute__")) {
                name_tok = i;
            } else if (is(k, i, "__attribute__")) {
                i = skip_group(k, i + 1);
                continue;
            }
            i++;
        }
        struct declarator d = {0};
        if (name_tok != (size_t)-1) {
            d.name = tok_str(k, name_tok);
            d.is_func = is(k, name_tok + 1, "(");
            d.is_array = is(k, name_tok + 1, "[");
        }
        d.decl = range_text(k, d0, i);
        if (is(k, i, "=")) {
            size_t a = ++i;
            int dd = 0;
            while (i < k->n && !(dd == 0 && (is(k, i, ",") || is(k, i, ";")))) {
                if (is(k, i, "(") || is(k, i, "[") || is(k, i, "{"))
                    dd++;
                else if (is(k, i, ")") || is(k, i, "]") || is(k, i, "}"))
                    dd--;
                i++;
            }
            d.init = range_text(k, a, i);
            d.runtime_init = needs_runtime(k, a, i, ctx, cellvars);
            size_t len = 0;
            if (d.is_array && is(k, name_tok + 2, "]")) {
                len = !is(k, a, "{") ? string_size(k, a, i) : list_length(k, a, i);
                /* char s[] = {"xy"}: the braces hold the string, not one
                 * element (as in char s[][4] = {"xy"} or a struct's). */
                if (is(k, a, "{") && !is(k, name_tok + 3, "[") && !strchr(d.decl, '*') &&
                    text_has_word(it->specs, strlen(it->specs), "char")) {
                    size_t braced = string_size(k, a + 1, i - 1);
                    if (braced)
                        len = braced;
                }
            }
            if (len) {
                /* int a[] = {f(), 2}: an initializer that runs as code
                 * leaves the file-scope definition without a size, and
                 * later cells need it too (sizeof a, showing a). */
                char *pre = range_text(k, d0, name_tok + 2), *post = range_text(k, name_tok + 2, a - 1);
                free(d.decl);
                d.decl = xasprintf("%s%zu%s", pre, len, post);
                free(pre);
                free(post);
            }
        }
        if (is(k, i, "{")) {
            /* A function body follows this declarator. */
            it->head = range_text(k, 0, i);
            it->kind = ITEM_FUNC;
        }
        if (d.name || d.decl[0]) {
            it->decls = xrealloc(it->decls, (it->ndecls + 1) * sizeof *it->decls);
            it->decls[it->ndecls++] = d;
        } else {
            free(d.decl);
            free(d.init);
        }
        if (it->kind == ITEM_FUNC)
            break;
        if (is(k, i, ","))
            i++;
    }
    if (it->kind == ITEM_FUNC)
        return;
    int all_func = it->ndecls > 0;
    for (size_t j = 0; j < it->ndecls; j++)
        if (!it->decls[j].is_func)
            all_func = 0;
    if (it->is_typedef) {
        it->kind = ITEM_TYPE;
        for (size_t j = 0; j < it->ndecls; j++) {
            if (!it->decls[j].name)
                continue;
            it->type_names = xrealloc(it->type_names, (it->ntype_names + 1) * sizeof *it->type_names);
            it->type_names[it->ntype_names++] = xstrdup(it->decls[j].name);
            if (it->nfields && !strcmp(it->decls[j].decl, it->decls[j].name)) {
                if (!it->struct_spelling)
                    it->struct_spelling = xstrdup(it->decls[j].name);
                free(it->struct_display);
                it->struct_display = xstrdup(it->decls[j].name);
            }
        }
    } else if (it->ndecls == 0)
        it->kind = ITEM_TYPE;
    else if (it->is_extern || all_func)
        it->kind = ITEM_PROTO;
    else {
        it->kind = ITEM_VAR;
        for (size_t j = 0; j < it->ndecls; j++)
            if (it->decls[j].name)
                names_add(cellvars, it->decls[j].name);
    }
}

/* ------------------------------------------------------------------ */
/* Chunker                                                             */
/* ------------------------------------------------------------------ */

static void add_item(struct split *s, const char *code, const struct tok *v, size_t a, size_t b, int terminated,
                     enum item_kind kind)
{
    struct item it = {0};
    it.kind = kind;
    it.text = xstrndup(code + v[a].start, v[b - 1].end - v[a].start);
    it.line = v[a].line;
    it.terminated = terminated;
    s->items = xrealloc(s->items, (s->nitems + 1) * sizeof *s->items);
    s->items[s->nitems++] = it;
}

/* Whether the ';' at i ends `while (...)`, the tail of a do statement. */
static int ends_do_while(const struct cursor *c, size_t i)
{
    if (i < 2 || !is(c, i - 1, ")"))
        return 0;
    int depth = 0;
    for (size_t j = i - 1; j > 0; j--) {
        if (is(c, j, ")"))
            depth++;
        else if (is(c, j, "(") && --depth == 0)
            return is(c, j - 1, "while");
    }
    return 0;
}

static int control_start(const struct cursor *k)
{
    static const char *const ctl[] = {"if", "for", "while", "switch", "do", "else", "{", "case",
                                      "default", "return", "goto", "break", "continue", NULL};
    return in_list(ctl, k, 0);
}

/* Tokens that cannot end C text: each needs an operand, a name or more of
 * its declaration after it. `++` and `--` can (`x++`); so can a directive,
 * which ends at its line (`#define X a +`). */
static const char *const dangling[] = {
    "+",  "-",  "*",  "/",  "%",  "<<", ">>", "<",  ">",  "<=",  ">=",  "==", "!=", "&", "^", "|", "&&", "||",
    "?",  ":",  "=",  "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "<<=", ">>=", ",",  ".",  "->", "!", "~", NULL};

/* Sets SPLIT_DANGLING (or SPLIT_OPEN for a line continuation) when the last
 * token of the text cannot end it. */
static void check_end(const char *code, const struct toks *t, struct split *s)
{
    if (t->n < 2)
        return;
    const struct tok *last = &t->v[t->n - 2]; /* the one before EOF */
    size_t len = last->end - last->start;
    if (len && code[last->end - 1] == '\\' && (last->kind == T_PP || last->kind == T_PUNCT)) {
        s->state = SPLIT_OPEN; /* a backslash at the very end: the line goes on */
        return;
    }
    if (last->kind != T_PUNCT)
        return;
    for (int k = 0; dangling[k]; k++)
        if (strlen(dangling[k]) == len && !memcmp(code + last->start, dangling[k], len)) {
            size_t b = last->start;
            while (b > 0 && code[b - 1] != '\n')
                b--;
            s->state = SPLIT_DANGLING;
            s->err_line = last->line;
            s->err_col = (int)(last->start - b) + 1;
            s->err_len = (int)len;
            return;
        }
}

void split_cell(const char *code, const struct split_ctx *ctx, struct split *s)
{
    memset(s, 0, sizeof *s);
    s->body_line = 1;
    struct toks t = {0};
    lex(code, &t);
    if (t.state != SPLIT_OK) {
        s->state = t.state;
        s->err_line = t.err_line;
        s->err_col = t.err_col;
        free(t.v);
        return;
    }
    size_t n = t.n - 1; /* without EOF */
    size_t i = 0;
    if (n > 0 && t.v[0].kind == T_MAGIC && t.v[0].end - t.v[0].start >= 2 && code[t.v[0].start + 1] == '%') {
        s->cell_magic = xstrndup(code + t.v[0].start, t.v[0].end - t.v[0].start);
        s->body_line = t.v[0].line + 1;
        i = 1;
    }
    struct names cellvars = {0};
    while (i < n) {
        if (t.v[i].kind == T_PP || t.v[i].kind == T_MAGIC) {
            add_item(s, code, t.v, i, i + 1, 1, t.v[i].kind == T_PP ? ITEM_PP : ITEM_MAGIC);
            i++;
            continue;
        }
        size_t a = i;
        int depth = 0, terminated = 0, brace_seen = 0, aggregate = 0;
        int assign = 0; /* a top-level '=' since the last top-level ';' */
        int dos = 0;    /* do statements whose `while (...);` is still ahead */
        struct cursor k = {code, t.v + a, n - a};
        int ctl = control_start(&k);
        for (; i < n; i++) {
            struct cursor c = {code, t.v, n};
            if (t.v[i].kind == T_PP || t.v[i].kind == T_MAGIC)
                continue;
            if (is(&c, i, "(") || is(&c, i, "[")) {
                depth++;
            } else if (is(&c, i, "{")) {
                if (depth == 0 && !brace_seen) {
                    brace_seen = 1;
                    /* Initializer, compound literal or type body: the item
                     * goes on to its ';'. Otherwise a body or block. */
                    aggregate = i > a && (assign || is(&c, i - 1, ",") ||
                                          is(&c, i - 1, "struct") || is(&c, i - 1, "union") ||
                                          is(&c, i - 1, "enum") ||
                                          (i - 1 > a && (is(&c, i - 2, "struct") || is(&c, i - 2, "union") ||
                                                         is(&c, i - 2, "enum"))) ||
                                          (is(&c, i - 1, ")") && !ctl && !looks_like_decl(&k, ctx, &cellvars)));
                }
                depth++;
            } else if (is(&c, i, ")") || is(&c, i, "]") || is(&c, i, "}")) {
                if (--depth < 0) {
                    s->state = SPLIT_UNBALANCED;
                    s->err_line = t.v[i].line;
                    break;
                }
                if (depth == 0 && is(&c, i, "}") && !aggregate && !dos && !is(&c, i + 1, "else") &&
                    !(is(&c, i + 1, ";") && !ctl)) {
                    i++;
                    terminated = 1;
                    break;
                }
            } else if (depth == 0 && is(&c, i, "=")) {
                assign = 1;
            } else if (depth == 0 && is(&c, i, "do")) {
                dos++;
            } else if (depth == 0 && is(&c, i, ";")) {
                assign = 0;
                /* No item starts with else: it belongs to an if anywhere in
                 * this one (`for (...) if (a) b; else c;`). */
                if (is(&c, i + 1, "else"))
                    continue;
                /* An unbraced do body ends at its own ';' (`do x++; while (x
                 * < 3);`): the statement goes on to the ';' after while. */
                if (dos > 0 && ends_do_while(&c, i))
                    dos--;
                if (dos > 0)
                    continue;
                i++;
                terminated = 1;
                break;
            }
        }
        if (s->state == SPLIT_UNBALANCED)
            break;
        if (depth > 0) {
            s->state = SPLIT_OPEN;
            break;
        }
        add_item(s, code, t.v, a, i, terminated, ITEM_STMT);
        struct item *it = &s->items[s->nitems - 1];
        struct cursor ic = {code, t.v + a, i - a};
        if (ic.n == 1 && is(&ic, 0, ";"))
            it->kind = ITEM_EMPTY;
        else if (!ctl && looks_like_decl(&ic, ctx, &cellvars))
            read_decl(&ic, it, ctx, &cellvars);
        else if (!terminated && i >= n && !ctl)
            it->kind = ITEM_EXPR;
    }
    strv_free(cellvars.v, cellvars.n);
    if (s->state == SPLIT_OK)
        check_end(code, &t, s);
    free(t.v);
}

static void item_free(struct item *it)
{
    free(it->text);
    free(it->specs);
    free(it->specs_ref);
    free(it->head);
    free(it->tag_def);
    free(it->struct_spelling);
    free(it->struct_display);
    for (size_t i = 0; i < it->ndecls; i++) {
        free(it->decls[i].name);
        free(it->decls[i].decl);
        free(it->decls[i].init);
    }
    free(it->decls);
    strv_free(it->type_names, it->ntype_names);
    strv_free(it->fields, it->nfields);
    strv_free(it->field_types, it->nfields);
}

void split_free(struct split *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nitems; i++)
        item_free(&s->items[i]);
    free(s->items);
    free(s->cell_magic);
    memset(s, 0, sizeof *s);
}

char **split_identifiers(const char *text)
{
    struct toks t = {0};
    lex(text, &t);
    struct names out = {0};
    for (size_t i = 0; i < t.n; i++) {
        if (t.v[i].kind != T_IDENT)
            continue;
        char *s = xstrndup(text + t.v[i].start, t.v[i].end - t.v[i].start);
        if (!split_is_keyword(s) && !strv_has(out.v, out.n, s))
            names_add(&out, s);
        free(s);
    }
    free(t.v);
    out.v = xrealloc(out.v, (out.n + 1) * sizeof *out.v);
    out.v[out.n] = NULL;
    return out.v;
}

void split_strv_free(char **v)
{
    if (!v)
        return;
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}
