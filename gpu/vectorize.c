/* vectorize.c — %%vectorize (see vectorize.h): reading the scalar
 * function, and the targets cpu, omp and opencl. */
#include "vectorize.h"
#include "cc.h"
#include "cuda.h"
#include "jit.h"
#include "magic.h"
#include "opencl.h"
#include "session.h"
#include "textutil.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int target_cpu(struct magic_call *c, const struct vec_fn *fn);
static int target_omp(struct magic_call *c, const struct vec_fn *fn);
static int target_opencl(struct magic_call *c, const struct vec_fn *fn);

/* The targets. A new one is a line here and its generate function. */
static const struct vec_target targets[] = {
    {"cpu", target_cpu},
    {"omp", target_omp},
    {"opencl", target_opencl},
    {"cuda", cuda_vectorize},
    {0},
};

/* ------------------------------------------------------------------ */
/* Reading the function                                                */
/* ------------------------------------------------------------------ */

static void vec_fn_free(struct vec_fn *f)
{
    strv_free(f->ptype, (size_t)f->nparams);
    strv_free(f->pname, (size_t)f->nparams);
    free(f->ret);
    free(f->name);
    free(f->array);
}

/* A copy of s with comments, string and character literals and
 * preprocessor lines blanked (newlines kept), so braces and parentheses
 * can be counted. */
static char *blank_noise(const char *s)
{
    char *r = xstrdup(s);
    int line_start = 1;
    for (char *p = r; *p; p++) {
        if (line_start && (*p == ' ' || *p == '\t'))
            continue;
        if (line_start && *p == '#') {
            while (*p && *p != '\n') {
                if (p[0] == '\\' && p[1] == '\n')
                    *p++ = ' ';
                *p++ = ' ';
            }
            if (!*p)
                break;
            continue;
        }
        line_start = *p == '\n';
        if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n')
                *p++ = ' ';
            if (!*p)
                break;
            line_start = 1;
        } else if (p[0] == '/' && p[1] == '*') {
            for (; *p && !(p[0] == '*' && p[1] == '/'); p++)
                if (*p != '\n')
                    *p = ' ';
            if (!*p)
                break;
            p[0] = p[1] = ' ';
            p++;
        } else if (*p == '"' || *p == '\'') {
            char q = *p++;
            for (; *p && *p != q && *p != '\n'; p++) {
                if (*p == '\\' && p[1])
                    *p++ = ' ';
                *p = ' ';
            }
            if (!*p)
                break;
        }
    }
    return r;
}

static char *trim(const char *a, const char *b)
{
    while (a < b && isspace((unsigned char)*a))
        a++;
    while (b > a && isspace((unsigned char)b[-1]))
        b--;
    return xstrndup(a, (size_t)(b - a));
}

/* Splits "TYPE NAME" (trimmed) at its last identifier. */
static int split_decl(const char *d, char **type, char **name)
{
    size_t n = strlen(d);
    size_t e = n;
    if (!e || !text_word_char(d[e - 1]))
        return -1;
    size_t b = e;
    while (b && text_word_char(d[b - 1]))
        b--;
    *name = xstrndup(d + b, e - b);
    *type = trim(d, d + b);
    return 0;
}

/* Whether t is an arithmetic type spelled with the usual words. */
static int is_number_type(const char *t)
{
    static const char *words[] = {"const", "signed", "unsigned", "char", "short", "int", "long", "float", "double",
                                  "size_t", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t",
                                  "uint32_t", "uint64_t", NULL};
    if (!*t)
        return 0;
    for (const char *p = t; *p;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        const char *b = p;
        while (text_word_char(*p))
            p++;
        if (p == b)
            return 0; /* '*', '[', ... */
        int ok = 0;
        for (int i = 0; words[i]; i++)
            ok |= strlen(words[i]) == (size_t)(p - b) && !strncmp(words[i], b, (size_t)(p - b));
        if (!ok)
            return 0;
    }
    return 1;
}

/* Drops the storage words that do not belong to a type. */
static char *plain_type(const char *t)
{
    struct buf b = {0};
    for (const char *p = t; *p;) {
        while (isspace((unsigned char)*p))
            p++;
        const char *s = p;
        while (*p && !isspace((unsigned char)*p))
            p++;
        size_t n = (size_t)(p - s);
        if (!n || (n == 6 && !strncmp(s, "static", 6)) || (n == 6 && !strncmp(s, "inline", 6)) ||
            (n == 6 && !strncmp(s, "extern", 6)))
            continue;
        buf_printf(&b, "%s%.*s", b.len ? " " : "", (int)n, s);
    }
    return b.len ? buf_take(&b) : xstrdup("");
}

static int read_error(struct magic_call *c, int line, const char *msg)
{
    buf_printf(c->err, "%s:%d: error: %s\n", c->cell, line, msg);
    return -1;
}

/* Whether the text [a, b) ending in ')' is a statement (for, while, if,
 * switch) rather than a function's header. */
static int is_statement(const char *a, const char *b)
{
    while (a < b && isspace((unsigned char)*a))
        a++;
    static const char *kw[] = {"for", "while", "if", "switch", NULL};
    for (int i = 0; kw[i]; i++) {
        size_t n = strlen(kw[i]);
        if ((size_t)(b - a) > n && !strncmp(a, kw[i], n) && !text_word_char(a[n]))
            return 1;
    }
    return 0;
}

/* Reads the last function defined in body into fn. 0, or -1 with a
 * message. */
static int read_function(struct magic_call *c, struct vec_fn *fn)
{
    char *s = blank_noise(c->body);
    const char *open = NULL; /* '{' of the last top-level function body */
    const char *stmt = s;    /* where the current top-level item started */
    const char *header = NULL, *end = NULL;
    int depth = 0, parens = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '{') {
            if (depth == 0) {
                const char *q = p;
                while (q > stmt && isspace((unsigned char)q[-1]))
                    q--;
                if (q > stmt && q[-1] == ')' && !is_statement(stmt, q)) {
                    open = p;
                    header = stmt;
                    end = NULL;
                }
            }
            depth++;
        } else if (*p == '}') {
            if (--depth == 0) {
                stmt = p + 1;
                if (open && !end)
                    end = p + 1;
            }
        } else if (*p == '(' || *p == ')') {
            parens += *p == '(' ? 1 : -1;
        } else if (*p == ';' && depth == 0 && parens == 0) {
            stmt = p + 1;
        }
    }
    if (!open) {
        free(s);
        return read_error(c, 1, "%%vectorize needs a scalar function: float f(float x, float y) { return ...; }");
    }
    const char *close = open;
    while (*close != ')')
        close--;
    const char *par = close;
    for (int d = 0; par > header; par--) {
        if (*par == ')')
            d++;
        else if (*par == '(' && --d == 0)
            break;
    }
    int line = 2;
    for (const char *p = s; p < par; p++)
        line += *p == '\n';
    char *decl = trim(header, par), *ret = NULL;
    if (split_decl(decl, &ret, &fn->name) < 0 || !*ret) {
        free(decl);
        free(ret);
        free(s);
        return read_error(c, line, "cannot read the function's name and return type");
    }
    fn->ret = plain_type(ret);
    free(ret);
    free(decl);
    fn->line = line;
    fn->end = end ? (size_t)(end - s) : strlen(s);
    char *params = trim(par + 1, close);
    int rc = 0;
    if (!*params || !strcmp(params, "void")) {
        rc = read_error(c, line, "the function needs at least one parameter: one input array is made per parameter");
    } else {
        for (char *p = params, *comma; p && !rc; p = comma ? comma + 1 : NULL) {
            comma = strchr(p, ',');
            char *one = trim(p, comma ? comma : p + strlen(p));
            char *type = NULL, *name = NULL;
            if (split_decl(one, &type, &name) < 0 || !is_number_type(type)) {
                char *m = xasprintf("parameter '%s': %%%%vectorize takes numbers (char, short, int, long, float, double, "
                                    "with unsigned and const), not pointers, arrays or structs",
                                    one);
                rc = read_error(c, line, m);
                free(m);
                free(type);
                free(name);
            } else {
                fn->ptype = xrealloc(fn->ptype, (size_t)(fn->nparams + 1) * sizeof *fn->ptype);
                fn->pname = xrealloc(fn->pname, (size_t)(fn->nparams + 1) * sizeof *fn->pname);
                fn->ptype[fn->nparams] = type;
                fn->pname[fn->nparams++] = name;
            }
            free(one);
        }
    }
    if (!rc && !is_number_type(fn->ret)) {
        char *m = xasprintf("the function returns '%s': %%%%vectorize needs a function returning a number", fn->ret);
        rc = read_error(c, line, m);
        free(m);
    }
    free(params);
    free(s);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Targets                                                             */
/* ------------------------------------------------------------------ */

const char *vectorize_unused_name(const struct vec_fn *fn, const char *want, const char *other)
{
    for (int i = 0; i < fn->nparams; i++)
        if (!strcmp(fn->pname[i], want))
            return other;
    return want;
}

void vectorize_params(const struct vec_fn *fn, struct buf *out)
{
    for (int i = 0; i < fn->nparams; i++) {
        const char *t = fn->ptype[i];
        buf_printf(out, "%s%s *%s, ", strncmp(t, "const", 5) ? "const " : "", t, fn->pname[i]);
    }
    buf_printf(out, "%s *%s, size_t %s", fn->ret, vectorize_unused_name(fn, "out", "out_"), vectorize_unused_name(fn, "n", "n_"));
}

void vectorize_add_text(struct buf *b, const char *body, const struct vec_fn *fn)
{
    char *text = xstrndup(body, fn->end);
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        const char *q = p + strspn(p, " \t");
        if (strncmp(q, "#include", 8) != 0)
            buf_add(b, p, n);
        buf_addc(b, '\n');
        p += n + (eol != NULL);
    }
    free(text);
}

void vectorize_add_launcher(struct buf *b, const struct vec_fn *fn, const char *call)
{
    buf_printf(b, "\nint %s(const char *, size_t, int, const void *const *, const size_t *, void *, size_t);\n", call);
    buf_printf(b, "void %s(", fn->array);
    vectorize_params(fn, b);
    const char *out = vectorize_unused_name(fn, "out", "out_"), *n = vectorize_unused_name(fn, "n", "n_");
    buf_adds(b, ")\n{\n    const void *in__[] = {");
    for (int i = 0; i < fn->nparams; i++)
        buf_printf(b, "%s%s", i ? ", " : "", fn->pname[i]);
    buf_adds(b, "};\n    size_t size__[] = {");
    for (int i = 0; i < fn->nparams; i++)
        buf_printf(b, "%ssizeof *%s", i ? ", " : "", fn->pname[i]);
    buf_printf(b, "};\n    %s(\"%s\", %s, %d, in__, size__, %s, sizeof *%s);\n}\n", call, fn->array, n, fn->nparams,
               out, out);
}

/* The loop both CPU targets use, with pragma (or "") before it. */
static void add_loop(struct magic_call *c, const struct vec_fn *fn, const char *pragma)
{
    struct buf *b = c->code;
    const char *out = vectorize_unused_name(fn, "out", "out_"), *n = vectorize_unused_name(fn, "n", "n_");
    buf_printf(b, "\nvoid %s(", fn->array);
    vectorize_params(fn, b);
    buf_printf(b, ")\n{\n%s    for (size_t i__ = 0; i__ < %s; i__++)\n        %s[i__] = %s(", pragma, n, out, fn->name);
    for (int i = 0; i < fn->nparams; i++)
        buf_printf(b, "%s%s[i__]", i ? ", " : "", fn->pname[i]);
    buf_adds(b, ");\n}\n");
}

static int target_cpu(struct magic_call *c, const struct vec_fn *fn)
{
    /* clang -O2 vectorizes the loop; without clang the session's compiler
     * builds it. */
    struct buf e = {0};
    if (cc_check(cc_default_clang(), &e) == 0) {
        struct jit *j = c->s->jit;
        free(j->cell_cc);
        j->cell_cc = xasprintf("%s -O2", cc_default_clang());
    }
    buf_free(&e);
    add_loop(c, fn, "");
    return 0;
}

static int target_omp(struct magic_call *c, const struct vec_fn *fn)
{
    /* A cell with #pragma omp is built by clang -O2 -fopenmp (libomp). */
    add_loop(c, fn, "    #pragma omp parallel for schedule(static)\n");
    return 0;
}

/* OpenCL C spelling of a C number type, or NULL. */
static const char *cl_type(const char *t)
{
    static const char *map[][2] = {
        {"char", "char"},     {"signed char", "char"},    {"unsigned char", "uchar"},  {"short", "short"},
        {"unsigned short", "ushort"}, {"int", "int"},     {"signed", "int"},           {"signed int", "int"},
        {"unsigned", "uint"}, {"unsigned int", "uint"},   {"long", "long"},            {"long int", "long"},
        {"unsigned long", "ulong"}, {"long long", "long"}, {"unsigned long long", "ulong"}, {"size_t", "ulong"},
        {"float", "float"},   {"double", "double"},       {"int8_t", "char"},          {"uint8_t", "uchar"},
        {"int16_t", "short"}, {"uint16_t", "ushort"},     {"int32_t", "int"},          {"uint32_t", "uint"},
        {"int64_t", "long"},  {"uint64_t", "ulong"},
    };
    if (!strncmp(t, "const ", 6))
        t += 6;
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(t, map[i][0]))
            return map[i][1];
    return NULL;
}

/* The kernel source: C's float math names and fixed-width types for
 * OpenCL C, the cell's text at its own lines (#line), then the kernel. */
static char *kernel_source(struct magic_call *c, const struct vec_fn *fn)
{
    static const char *mathf[] = {"sqrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "pow", "sin",
                                  "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "fabs",
                                  "fmin", "fmax", "floor", "ceil", "round", "trunc", "fmod", "hypot", "cbrt", "erf",
                                  NULL};
    struct buf b = {0};
    if (strstr(c->body, "double"))
        buf_adds(&b, "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n");
    for (int i = 0; mathf[i]; i++)
        buf_printf(&b, "#define %sf %s\n", mathf[i], mathf[i]);
    buf_adds(&b, "typedef char int8_t; typedef uchar uint8_t; typedef short int16_t; typedef ushort uint16_t;\n"
                 "typedef int int32_t; typedef uint uint32_t; typedef long int64_t; typedef ulong uint64_t;\n"
                 "#line 2\n");
    vectorize_add_text(&b, c->body, fn);
    buf_addc(&b, '\n');
    buf_printf(&b, "kernel void %s(", fn->array);
    for (int i = 0; i < fn->nparams; i++)
        buf_printf(&b, "global const %s *%s, ", cl_type(fn->ptype[i]), fn->pname[i]);
    const char *out = vectorize_unused_name(fn, "out", "out_"), *n = vectorize_unused_name(fn, "n", "n_");
    buf_printf(&b, "global %s *%s, ulong %s)\n{\n    size_t i__ = get_global_id(0);\n    if (i__ < %s)\n        %s[i__] = %s(",
               cl_type(fn->ret), out, n, n, out, fn->name);
    for (int i = 0; i < fn->nparams; i++)
        buf_printf(&b, "%s%s[i__]", i ? ", " : "", fn->pname[i]);
    buf_adds(&b, ");\n}\n");
    return buf_take(&b);
}

static int target_opencl(struct magic_call *c, const struct vec_fn *fn)
{
    for (int i = 0; i <= fn->nparams; i++) {
        const char *t = i < fn->nparams ? fn->ptype[i] : fn->ret;
        if (!cl_type(t)) {
            char *m = xasprintf("the opencl target has no type '%s' (OpenCL C has char, short, int, long, float, "
                                "double and their unsigned kinds)", t);
            read_error(c, fn->line, m);
            free(m);
            return -1;
        }
    }
    struct buf err = {0};
    if (ocl_open(NULL, -1, &err) < 0) {
        magic_error(c, "%s", err.data);
        buf_free(&err);
        return -1;
    }
    char *src = kernel_source(c, fn);
    char *lines = xasprintf("\n%s", c->body);
    struct buf diag = {0}, names = {0};
    int rc = ocl_build(src, lines, NULL, c->cell, &diag, &names);
    free(lines);
    if (rc < 0) {
        buf_add(c->err, diag.data, diag.len);
        buf_printf(c->err, "%s: note: the function is compiled as OpenCL C for the opencl target\n", c->cell);
    }
    buf_free(&diag);
    buf_free(&names);
    free(src);
    if (rc < 0)
        return -1;
    vectorize_add_launcher(c->code, fn, "parc__cl_vectorize");
    return 0;
}

/* ------------------------------------------------------------------ */
/* The magic                                                           */
/* ------------------------------------------------------------------ */

int vectorize_magic(struct magic_call *c)
{
    const char *target = "cpu", *name = NULL;
    char *save = NULL;
    for (char *t = strtok_r(c->args, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        int is_target = !strcmp(t, "--target") || !strncmp(t, "--target=", 9);
        int is_name = !strcmp(t, "--name") || !strncmp(t, "--name=", 7);
        if (!is_target && !is_name)
            return magic_usage(c, "unknown option '%s'", t);
        const char *v = strchr(t, '=') ? strchr(t, '=') + 1 : strtok_r(NULL, " \t", &save);
        if (!v || !*v)
            return magic_usage(c, is_target ? "--target needs cpu, omp, opencl or cuda" : "--name needs a name");
        if (is_target)
            target = v;
        else
            name = v;
    }
    const struct vec_target *tg = NULL;
    for (const struct vec_target *t = targets; t->name; t++)
        if (!strcmp(t->name, target))
            tg = t;
    if (!tg)
        return magic_usage(c, "--target '%s' is not cpu, omp, opencl or cuda", target);
    if (name && !text_is_identifier(name))
        return magic_usage(c, "--name '%s' is not a C identifier", name);
    struct vec_fn fn = {0};
    if (read_function(c, &fn) < 0) {
        vec_fn_free(&fn);
        return -1;
    }
    fn.array = name ? xstrdup(name) : xasprintf("%s_%s", fn.name, tg->name);
    if (!strcmp(fn.array, fn.name)) {
        vec_fn_free(&fn);
        return magic_usage(c, "--name must differ from the scalar function's name: both stay callable");
    }
    /* The cell's own line becomes an empty line: line numbers stay. */
    buf_addc(c->code, '\n');
    buf_adds(c->code, c->body);
    if (c->code->len && c->code->data[c->code->len - 1] != '\n')
        buf_addc(c->code, '\n');
    int rc = tg->generate(c, &fn);
    vec_fn_free(&fn);
    return rc;
}
