/* value.c — text for the value of a cell's final expression, shown as
 * "(type) value". The generated code picks the function by the
 * expression's type with _Generic; arrays are told from pointers by their
 * size, structs are shown field by field. Memory is read through
 * process_vm_readv so that showing a wild pointer cannot crash the cell. */
#include "events.h"
#include "parc.h"
#include "util.h"
#include "wire.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_ELEMS 10  /* elements shown of each array */
#define MAX_SHOWN 100 /* values shown in all: a deep array stays a few lines */
#define MAX_STRING 200
#define MAX_DEPTH 16   /* levels of arrays shown; deeper ones are "{ ... }" */

static struct buf out;
static int depth; /* arrays and structs open (may pass MAX_DEPTH) */
static size_t shown; /* values (not arrays or structs) shown so far */
static int no_value;
static int capturing; /* text taken by __parc_value_take, not sent */
/* Per open level (SLOT): whether a struct has no field shown yet, whether
 * an array is cut short (2: none of it shown). Levels from MAX_DEPTH on
 * share the last slot: an array there shows nothing, so none of them nests
 * inside another. */
static int first[MAX_DEPTH + 1];
static int truncated[MAX_DEPTH + 1];
#define SLOT(v) (v)[depth < MAX_DEPTH ? depth : MAX_DEPTH]

void __parc_value_begin(void)
{
    buf_reset(&out);
    depth = 0;
    shown = 0;
    no_value = 0;
    capturing = 0;
}

void __parc_value_capture(void)
{
    __parc_value_begin();
    capturing = 1;
}

char *__parc_value_take(void)
{
    capturing = 0;
    char *r = no_value ? xstrdup("") : xstrdup(out.data ? out.data : "");
    buf_free(&out);
    return r;
}

void __parc_value_end(void)
{
    /* %time on an expression: the value is computed, stop the clock
     * before it is shown. */
    parc__time_end();
    if (no_value)
        return;
    rt_send_bundle(EV_RESULT, NULL, "text/plain", out.data ? out.data : "", out.len);
    buf_free(&out);
}

/* "(type) " for the outermost value only (captured text goes without: its
 * reader shows the type apart). */
static void type_prefix(const char *tn, const char *dflt)
{
    if (depth == 0 && !capturing)
        buf_printf(&out, "(%s) ", tn ? tn : dflt);
}

/* type_prefix for a value that is no array or struct: one more shown. */
static void prefix(const char *tn, const char *dflt)
{
    shown++;
    type_prefix(tn, dflt);
}

/* Copies n bytes at p into dst if that memory is readable. */
static int safe_read(void *dst, const void *p, size_t n)
{
    struct iovec local = {dst, n}, remote = {(void *)p, n};
    return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)n ? 0 : -1;
}

static void add_char_escaped(int c, char quote)
{
    switch (c) {
    case '\n': buf_adds(&out, "\\n"); return;
    case '\t': buf_adds(&out, "\\t"); return;
    case '\r': buf_adds(&out, "\\r"); return;
    case '\0': buf_adds(&out, "\\0"); return;
    case '\\': buf_adds(&out, "\\\\"); return;
    }
    if (c == quote) {
        buf_addc(&out, '\\');
        buf_addc(&out, (char)c);
    } else if (isprint(c))
        buf_addc(&out, (char)c);
    else
        buf_printf(&out, "\\x%02x", c & 0xff);
}

void __parc_show_bool(const char *tn, size_t sz, _Bool v)
{
    prefix(tn, "_Bool");
    buf_adds(&out, v ? "true" : "false");
}

void __parc_show_char(const char *tn, size_t sz, char v)
{
    prefix(tn, "char");
    buf_addc(&out, '\'');
    add_char_escaped((unsigned char)v, '\'');
    buf_addc(&out, '\'');
}

#define SHOW_INT(fn, type, name, fmt)                         \
    void fn(const char *tn, size_t sz, type v)                \
    {                                                         \
        prefix(tn, name);                                     \
        buf_printf(&out, fmt, v);                             \
    }
SHOW_INT(__parc_show_schar, signed char, "signed char", "%d")
SHOW_INT(__parc_show_uchar, unsigned char, "unsigned char", "%u")
SHOW_INT(__parc_show_short, short, "short", "%d")
SHOW_INT(__parc_show_ushort, unsigned short, "unsigned short", "%u")
SHOW_INT(__parc_show_int, int, "int", "%d")
SHOW_INT(__parc_show_uint, unsigned, "unsigned int", "%u")
SHOW_INT(__parc_show_long, long, "long", "%ld")
SHOW_INT(__parc_show_ulong, unsigned long, "unsigned long", "%lu")
SHOW_INT(__parc_show_llong, long long, "long long", "%lld")
SHOW_INT(__parc_show_ullong, unsigned long long, "unsigned long long", "%llu")

/* %g text s of p significant digits without an exponent when the number
 * is between 1e-4 and 1e16, as Python's repr writes it: 800, not 8e+02. */
static void plain_notation(char *s, size_t cap, int p, long double v)
{
    char *e = strchr(s, 'e');
    if (!e)
        return;
    int exp = atoi(e + 1);
    if (exp >= -4 && exp < 16)
        snprintf(s, cap, "%.*Lf", p - 1 - exp > 0 ? p - 1 - exp : 0, v);
}

/* The shortest decimal text that reads back as the same number, as
 * Python's repr does. */
void __parc_show_double(const char *tn, size_t sz, double v)
{
    char s[64];
    int p;
    for (p = 1; p <= 17; p++) {
        snprintf(s, sizeof s, "%.*g", p, v);
        if (strtod(s, NULL) == v)
            break;
    }
    plain_notation(s, sizeof s, p > 17 ? 17 : p, v);
    prefix(tn, "double");
    buf_adds(&out, s);
}

void __parc_show_float(const char *tn, size_t sz, float v)
{
    char s[64];
    int p;
    for (p = 1; p <= 9; p++) {
        snprintf(s, sizeof s, "%.*g", p, (double)v);
        if (strtof(s, NULL) == v)
            break;
    }
    plain_notation(s, sizeof s, p > 9 ? 9 : p, v);
    prefix(tn, "float");
    buf_adds(&out, s);
}

void __parc_show_ldouble(const char *tn, size_t sz, long double v)
{
    char s[80];
    int p;
    for (p = 1; p <= 21; p++) {
        snprintf(s, sizeof s, "%.*Lg", p, v);
        if (strtold(s, NULL) == v)
            break;
    }
    plain_notation(s, sizeof s, p > 21 ? 21 : p, v);
    prefix(tn, "long double");
    buf_adds(&out, s);
}

/* 128-bit integers (clang and gcc cells): printf has no format for them. */
static void add_u128(unsigned __int128 v)
{
    char d[48];
    size_t n = 0;
    do {
        d[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    while (n)
        buf_addc(&out, d[--n]);
}

void __parc_show_i128(const char *tn, size_t sz, __int128 v)
{
    prefix(tn, "__int128");
    if (v < 0)
        buf_addc(&out, '-');
    add_u128(v < 0 ? -(unsigned __int128)v : (unsigned __int128)v);
}

void __parc_show_u128(const char *tn, size_t sz, unsigned __int128 v)
{
    prefix(tn, "unsigned __int128");
    add_u128(v);
}

/* Whether a value the show functions got as a pointer (arrays decay) is
 * an array, by its declared type name tn: "int[3]" is, "int *" is not. A
 * name without either ("row" from typedef int row[3]), or none, leaves
 * its size to tell: a pointer's is sizeof(void *). */
static int is_array(const char *tn, size_t sz)
{
    if (tn && strchr(tn, '['))
        return 1;
    if (tn && strchr(tn, '*'))
        return 0;
    return sz != sizeof(void *);
}

static void add_address(const void *v)
{
    if (v)
        buf_printf(&out, "%p", v);
    else
        buf_adds(&out, "NULL");
}

void __parc_show_str(const char *tn, size_t sz, const char *v)
{
    int array = is_array(tn, sz);
    size_t limit = array ? sz : MAX_STRING, start = out.len;
    if (array && !tn) {
        char t[48];
        snprintf(t, sizeof t, "char[%zu]", sz);
        prefix(t, t);
    } else
        prefix(tn, "char *");
    if (!v) {
        buf_adds(&out, "NULL");
        return;
    }
    buf_addc(&out, '"');
    size_t i;
    for (i = 0; i < limit; i++) {
        char c;
        if (safe_read(&c, v + i, 1) < 0) {
            if (i == 0) { /* only this value's text goes */
                out.len = start;
                out.data[start] = 0;
                type_prefix(tn, "char *");
                buf_printf(&out, "%p (unreadable)", (const void *)v);
                return;
            }
            break;
        }
        if (!c)
            break;
        add_char_escaped((unsigned char)c, '"');
    }
    buf_addc(&out, '"');
    if (i == limit && !array)
        buf_adds(&out, "...");
}

void __parc_show_ptr(const char *tn, size_t sz, const void *v)
{
    prefix(tn, "void *");
    add_address(v);
}

size_t __parc_array_begin(const char *tn, const char *elem, size_t sz, size_t esz, const void *p)
{
    if (!is_array(tn, sz) || esz == 0) {
        char t[128];
        snprintf(t, sizeof t, "%s *", elem);
        prefix(tn, t);
        add_address(p);
        return 0;
    }
    size_t n = sz / esz;
    char t[128];
    snprintf(t, sizeof t, "%s[%zu]", elem, n);
    type_prefix(tn, t);
    buf_adds(&out, "{ ");
    depth++;
    SLOT(truncated) = n > MAX_ELEMS;
    if (n == 0) {
        buf_adds(&out, "}");
        depth--;
    }
    return n > MAX_ELEMS ? MAX_ELEMS : n;
}

int __parc_array_elem(size_t i)
{
    /* Past MAX_SHOWN values the rest of every array open is "...": a
     * double[12][12][12] shows its first 100 numbers, not 1000. */
    if (shown >= MAX_SHOWN || depth >= MAX_DEPTH) {
        SLOT(truncated) = i ? 1 : 2; /* 2: none of it shown */
        return 0;
    }
    if (i)
        buf_adds(&out, ", ");
    return 1;
}

void __parc_array_end(size_t n)
{
    if (n == 0)
        return;
    buf_adds(&out, SLOT(truncated) == 2 ? "... }" : SLOT(truncated) ? ", ... }" : " }");
    depth--;
}

#define SHOW_PTR(fn, type, elem, show)                                      \
    void fn(const char *tn, size_t sz, const type *v)                       \
    {                                                                       \
        size_t n = __parc_array_begin(tn, elem, sz, sizeof(type), v);       \
        for (size_t i = 0; i < n && __parc_array_elem(i); i++)              \
            show(NULL, sizeof(type), v[i]);                                 \
        __parc_array_end(n);                                                \
    }
SHOW_PTR(__parc_show_pbool, _Bool, "_Bool", __parc_show_bool)
SHOW_PTR(__parc_show_pschar, signed char, "signed char", __parc_show_schar)
SHOW_PTR(__parc_show_puchar, unsigned char, "unsigned char", __parc_show_uchar)
SHOW_PTR(__parc_show_pshort, short, "short", __parc_show_short)
SHOW_PTR(__parc_show_pushort, unsigned short, "unsigned short", __parc_show_ushort)
SHOW_PTR(__parc_show_pint, int, "int", __parc_show_int)
SHOW_PTR(__parc_show_puint, unsigned, "unsigned int", __parc_show_uint)
SHOW_PTR(__parc_show_plong, long, "long", __parc_show_long)
SHOW_PTR(__parc_show_pulong, unsigned long, "unsigned long", __parc_show_ulong)
SHOW_PTR(__parc_show_pllong, long long, "long long", __parc_show_llong)
SHOW_PTR(__parc_show_pullong, unsigned long long, "unsigned long long", __parc_show_ullong)
SHOW_PTR(__parc_show_pfloat, float, "float", __parc_show_float)
SHOW_PTR(__parc_show_pdouble, double, "double", __parc_show_double)
SHOW_PTR(__parc_show_pldouble, long double, "long double", __parc_show_ldouble)

void __parc_show_opaque(const char *tn, size_t sz, ...)
{
    prefix(tn, "value");
    /* A function pointer (declared "int (*)(int)") has no _Generic
     * association of its own: it is shown as the address it holds. */
    if (tn && strstr(tn, "(*") && sz == sizeof(void (*)(void))) {
        va_list ap;
        va_start(ap, sz);
        void (*f)(void) = va_arg(ap, void (*)(void));
        va_end(ap);
        add_address(f ? (const void *)(__UINTPTR_TYPE__)f : NULL);
        return;
    }
    buf_printf(&out, "{%zu bytes}", sz);
}

void __parc_show_void(const char *tn, size_t sz, ...)
{
    no_value = 1;
}

void __parc_struct_begin(const char *tn, const char *name, size_t sz)
{
    type_prefix(tn, name);
    buf_adds(&out, "{ ");
    depth++;
    SLOT(first) = 1;
}

void __parc_field(const char *name)
{
    if (!SLOT(first))
        buf_adds(&out, ", ");
    SLOT(first) = 0;
    buf_printf(&out, "%s = ", name);
}

void __parc_struct_end(void)
{
    buf_adds(&out, SLOT(first) ? "}" : " }");
    if (depth > 0)
        depth--;
}
