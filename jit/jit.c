/* jit.c — the session's declarations and symbols, and the compilation of a
 * cell against them (see jit.h). A cell becomes one translation unit: the
 * prelude, the session's declarations, the cell's own file-scope items, and
 * a function holding its statements. TinyCC compiles it in memory; clang
 * or gcc compile it to an object that libtcc links the same way. */
#include "jit.h"
#include "cc.h"
#include "cccache.h"
#include "cellgen.h"
#include "diag.h"
#include "prelude.h"
#include "split.h"
#include "textutil.h"
#include "util.h"

#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <glob.h>
#include <libtcc.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Session state                                                       */
/* ------------------------------------------------------------------ */

struct jit *jit_new(const char *runtime_include)
{
    struct jit *j = xcalloc(1, sizeof *j);
    j->runtime_include = xstrdup(runtime_include);
    j->cflags = xstrdup("");
    j->cc = xstrdup("tcc");
    j->ldflags = xstrdup("");
    return j;
}

static void decl_free(struct decl *d)
{
    free(d->key);
    free(d->text);
    free(d->type);
}

static void struct_free(struct jit_struct *s)
{
    free(s->spelling);
    free(s->display);
    strv_free(s->fields, s->nfields);
    strv_free(s->field_types, s->nfields);
}

/* Frees n declarations and ns struct types, and the arrays holding them:
 * a session's, or a mark's. */
static void decls_free(struct decl *decls, size_t n, struct jit_struct *structs, size_t ns)
{
    for (size_t i = 0; i < n; i++)
        decl_free(&decls[i]);
    free(decls);
    for (size_t i = 0; i < ns; i++)
        struct_free(&structs[i]);
    free(structs);
}

void jit_free(struct jit *j)
{
    if (!j)
        return;
    decls_free(j->decls, j->ndecls, j->structs, j->nstructs);
    for (size_t i = 0; i < j->nsyms; i++)
        free(j->syms[i].name);
    free(j->syms);
    free(j->symhash);
    free(j->regions);
    strv_free(j->include_dirs, j->ninclude_dirs);
    free(j->cflags);
    free(j->cc);
    free(j->ldflags);
    free(j->cell_cc);
    strv_free(j->cc_includes, j->ncc_includes);
    free(j->runtime_include);
    free(j->omp_include);
    free(j->prelude);
    strv_free(j->sys_includes, j->nsys_includes);
    free(j);
}

int jit_prepare(struct jit *j, struct buf *err)
{
    if (j->prelude)
        return 0;
    j->prelude = prelude_build(j->runtime_include, j->omp_include, j->sys_includes, j->nsys_includes, err);
    return j->prelude ? 0 : -1;
}

const struct decl *jit_find_decl(const struct jit *j, const char *name)
{
    for (size_t i = j->ndecls; i-- > 0;)
        if (j->decls[i].key && !strcmp(j->decls[i].key, name))
            return &j->decls[i];
    return NULL;
}

static size_t hash_name(const char *s)
{
    size_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void rehash(struct jit *j)
{
    free(j->symhash);
    j->symhash_cap = j->symhash_cap ? j->symhash_cap * 2 : 256;
    j->symhash = xcalloc(j->symhash_cap, sizeof *j->symhash);
    for (size_t i = 0; i < j->nsyms; i++) {
        size_t h = hash_name(j->syms[i].name) & (j->symhash_cap - 1);
        while (j->symhash[h])
            h = (h + 1) & (j->symhash_cap - 1);
        j->symhash[h] = i + 1;
    }
}

const struct jit_sym *jit_find_sym(const struct jit *j, const char *name)
{
    if (!j->symhash_cap)
        return NULL;
    for (size_t h = hash_name(name) & (j->symhash_cap - 1); j->symhash[h]; h = (h + 1) & (j->symhash_cap - 1))
        if (!strcmp(j->syms[j->symhash[h] - 1].name, name))
            return &j->syms[j->symhash[h] - 1];
    return NULL;
}

static void set_sym(struct jit *j, const char *name, void *addr, int cell)
{
    struct jit_sym *old = (struct jit_sym *)jit_find_sym(j, name);
    if (old) {
        old->addr = addr;
        old->cell = cell;
        return;
    }
    if (j->nsyms == j->capsyms) {
        j->capsyms = j->capsyms ? j->capsyms * 2 : 64;
        j->syms = xrealloc(j->syms, j->capsyms * sizeof *j->syms);
    }
    j->syms[j->nsyms++] = (struct jit_sym){xstrdup(name), addr, cell};
    if (2 * j->nsyms > j->symhash_cap)
        rehash(j);
    else {
        size_t h = hash_name(name) & (j->symhash_cap - 1);
        while (j->symhash[h])
            h = (h + 1) & (j->symhash_cap - 1);
        j->symhash[h] = j->nsyms;
    }
}

void jit_define(struct jit *j, const char *name, void *addr)
{
    set_sym(j, name, addr, 0);
}

static int is_type_cb(void *ctx, const char *name)
{
    const struct decl *d = jit_find_decl(ctx, name);
    return d && d->is_type_name;
}

static int is_var_cb(void *ctx, const char *name)
{
    const struct decl *d = jit_find_decl(ctx, name);
    return d && d->kind == DECL_VAR;
}

void jit_split(const struct jit *j, const char *code, struct split *out)
{
    struct split_ctx sc = {is_type_cb, is_var_cb, (void *)j};
    split_cell(code, &sc, out);
}

/* Removes declarations keyed key; returns the index the first one had,
 * or -1. */
static long drop_decl(struct jit *j, const char *key)
{
    long first = -1;
    size_t o = 0;
    for (size_t i = 0; i < j->ndecls; i++) {
        if (j->decls[i].key && !strcmp(j->decls[i].key, key)) {
            if (first < 0)
                first = (long)o;
            decl_free(&j->decls[i]);
            continue;
        }
        j->decls[o++] = j->decls[i];
    }
    j->ndecls = o;
    return first;
}

/* Whether name occurs in text as a word. */
static int mentions(const char *text, const char *name)
{
    return text_has_word(text, strlen(text), name);
}

/* The word a later cell names a declaration by: "point" for "struct
 * point". */
static const char *key_word(const char *key)
{
    const char *sp = strrchr(key, ' ');
    return sp ? sp + 1 : key;
}

/* Whether declaration text is something TinyCC cannot compile: it uses
 * such C itself, or a name declared so. */
static int is_tcc_gap(const struct jit *j, const char *text)
{
    if (diag_tcc_gap(text, 1))
        return 1;
    for (size_t i = 0; i < j->ndecls; i++)
        if (j->decls[i].tcc_gap && j->decls[i].key && mentions(text, key_word(j->decls[i].key)))
            return 1;
    return 0;
}

/* Adds d. A type replaces an older one in place, so declarations that
 * depend on it stay after it; everything else goes to the end. */
static void add_decl(struct jit *j, struct decl d)
{
    d.tcc_gap = is_tcc_gap(j, d.text);
    long at = d.key ? drop_decl(j, d.key) : -1;
    if (d.kind != DECL_TYPE || at < 0)
        at = (long)j->ndecls;
    j->decls = xrealloc(j->decls, (j->ndecls + 1) * sizeof *j->decls);
    memmove(j->decls + at + 1, j->decls + at, (j->ndecls - (size_t)at) * sizeof *j->decls);
    j->decls[at] = d;
    j->ndecls++;
}

static void add_struct(struct jit *j, const struct item *it)
{
    for (size_t i = 0; i < j->nstructs; i++)
        if (!strcmp(j->structs[i].spelling, it->struct_spelling)) {
            struct_free(&j->structs[i]);
            memmove(j->structs + i, j->structs + i + 1, (j->nstructs - i - 1) * sizeof *j->structs);
            j->nstructs--;
            break;
        }
    struct jit_struct s = {xstrdup(it->struct_spelling), xstrdup(it->struct_display),
                           xcalloc(it->nfields + 1, sizeof(char *)), xcalloc(it->nfields + 1, sizeof(char *)),
                           it->nfields};
    for (size_t i = 0; i < it->nfields; i++) {
        s.fields[i] = xstrdup(it->fields[i]);
        s.field_types[i] = it->field_types[i] ? xstrdup(it->field_types[i]) : NULL;
    }
    j->structs = xrealloc(j->structs, (j->nstructs + 1) * sizeof *j->structs);
    j->structs[j->nstructs++] = s;
}

/* A declarator's type: the specifiers with the declarator minus its name,
 * "int" + "a[5]" -> "int[5]", "char" + "*s" -> "char *". Thread-locality
 * is no part of it. */
static char *type_of(const char *specs, const struct declarator *d)
{
    struct buf b = {0};
    for (const char *w = specs; *w;) {
        size_t n = strcspn(w, " ");
        if (!(n == 8 && !strncmp(w, "__thread", 8)) && !(n == 13 && !strncmp(w, "_Thread_local", 13))) {
            if (b.len)
                buf_addc(&b, ' ');
            buf_add(&b, w, n);
        }
        w += n + strspn(w + n, " ");
    }
    if (!d->name)
        return buf_take(&b);
    const char *p = strstr(d->decl, d->name);
    if (p) {
        struct buf rest = {0};
        buf_add(&rest, d->decl, (size_t)(p - d->decl));
        buf_adds(&rest, p + strlen(d->name));
        const char *r = rest.data;
        while (*r == ' ')
            r++;
        if (*r && *r != '[')
            buf_addc(&b, ' ');
        buf_adds(&b, r);
        buf_free(&rest);
    }
    return buf_take(&b);
}

/* Whether a directive belongs to the session's prelude. */
static int keep_directive(const char *text)
{
    const char *p = text + 1;
    while (*p == ' ' || *p == '\t')
        p++;
    return strncmp(p, "line", 4) != 0 && strncmp(p, "error", 5) != 0 && strncmp(p, "warning", 7) != 0;
}

/* Records what the cell declares, so later cells see it. */
static void remember(struct jit *j, const struct split *sp, int cell)
{
    for (size_t i = 0; i < sp->nitems; i++) {
        const struct item *it = &sp->items[i];
        switch (it->kind) {
        case ITEM_PP:
            if (keep_directive(it->text) && !cellgen_statement_pragma(sp, i))
                add_decl(j, (struct decl){DECL_PP, NULL, xasprintf("%s\n", it->text), NULL, cell, 0, 0});
            break;
        case ITEM_TYPE:
            add_decl(j, (struct decl){DECL_TYPE, xstrdup(it->ntype_names ? it->type_names[0] : it->text),
                                      xasprintf("%s%s\n", it->text, it->terminated ? "" : ";"), NULL, cell,
                                      it->is_typedef, 0});
            for (size_t k = 1; k < it->ntype_names; k++)
                drop_decl(j, it->type_names[k]);
            if (it->struct_spelling)
                add_struct(j, it);
            break;
        case ITEM_PROTO:
            add_decl(j, (struct decl){DECL_PROTO,
                                      xstrdup(it->ndecls && it->decls[0].name ? it->decls[0].name : it->text),
                                      xasprintf("%s%s\n", it->text, it->terminated ? "" : ";"), NULL, cell, 0, 0});
            break;
        case ITEM_VAR:
            if (it->tag_def) {
                add_decl(j, (struct decl){DECL_TYPE, xstrdup(it->type_names[0]), xasprintf("%s\n", it->tag_def),
                                          NULL, cell, 0, 0});
                if (it->struct_spelling)
                    add_struct(j, it);
            }
            for (size_t k = 0; k < it->ndecls; k++) {
                const struct declarator *d = &it->decls[k];
                if (!d->name)
                    continue;
                char *label = cellgen_tls_label(sp, d->name, cell);
                add_decl(j, (struct decl){DECL_VAR, xstrdup(d->name),
                                          xasprintf("extern %s %s%s;\n", it->specs_ref, d->decl, label ? label : ""),
                                          type_of(it->specs_ref, d), cell, 0, 0});
                free(label);
            }
            break;
        case ITEM_FUNC:
            if (it->ndecls && it->decls[0].name) {
                char *head = cellgen_strip_storage(it->head);
                char *label = cellgen_tls_label(sp, it->decls[0].name, cell);
                add_decl(j, (struct decl){DECL_FUNC, xstrdup(it->decls[0].name),
                                          xasprintf("%s%s;\n", head, label ? label : ""), NULL, cell, 0, 0});
                free(label);
                free(head);
            }
            break;
        default:
            break;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Compiling                                                           */
/* ------------------------------------------------------------------ */

struct diag_sink {
    struct buf msgs; /* raw tcc messages, one per line */
    int errors;
};

static void on_tcc_msg(void *opaque, const char *msg)
{
    struct diag_sink *d = opaque;
    buf_adds(&d->msgs, msg);
    buf_addc(&d->msgs, '\n');
    if (!strstr(msg, ": warning: "))
        d->errors++;
}

static const char *const linker_syms[] = {
    "_etext", "_edata", "_end", "__preinit_array_start", "__preinit_array_end", "__init_array_start",
    "__init_array_end", "__fini_array_start", "__fini_array_end", "_GLOBAL_OFFSET_TABLE_", NULL};

struct sym_ctx {
    struct jit *j;
    int cell;
    const struct split *sp;
};

static int defined_by_cell(const struct split *sp, const char *name)
{
    for (size_t i = 0; i < sp->nitems; i++) {
        const struct item *it = &sp->items[i];
        if (it->kind != ITEM_VAR && it->kind != ITEM_FUNC)
            continue;
        for (size_t k = 0; k < it->ndecls; k++)
            if (it->decls[k].name && !strcmp(it->decls[k].name, name))
                return 1;
    }
    return 0;
}

static void on_symbol(void *opaque, const char *name, const void *val)
{
    struct sym_ctx *c = opaque;
    for (int i = 0; linker_syms[i]; i++)
        if (!strcmp(name, linker_syms[i]))
            return;
    if (!strncmp(name, "__parc_", 7) || strchr(name, '@'))
        return; /* parc's own, and linker entries such as "f@plt" */
    if (!defined_by_cell(c->sp, name) && !strncmp(name, "__", 2))
        return; /* compiler support routines pulled from libtcc1.a */
    const struct jit_sym *old = jit_find_sym(c->j, name);
    if (old && old->addr == val)
        return; /* one we handed to the compiler ourselves */
    set_sym(c->j, name, (void *)val, c->cell);
}

/* Adds -L and -l options of ldflags to s. */
static void apply_ldflags(TCCState *s, const char *ldflags)
{
    char *copy = xstrdup(ldflags);
    char *save = NULL;
    for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        int lib = !strncmp(tok, "-l", 2), dir = !strncmp(tok, "-L", 2);
        if (!lib && !dir)
            continue;
        const char *arg = tok[2] ? tok + 2 : strtok_r(NULL, " \t", &save);
        if (arg && lib)
            tcc_add_library(s, arg);
        else if (arg)
            tcc_add_library_path(s, arg);
    }
    free(copy);
}

/* A TinyCC state compiling to memory; flags: options of this cell's
 * compiler command, or NULL. */
static TCCState *new_state(struct jit *j, struct diag_sink *sink, const char *flags)
{
    TCCState *s = tcc_new();
    if (!s)
        return NULL;
    tcc_set_error_func(s, sink, on_tcc_msg);
    tcc_set_lib_path(s, PARC_TCC_LIBDIR);
    tcc_set_options(s, "-Wall -Wno-unused-function");
    if (j->cflags[0])
        tcc_set_options(s, j->cflags);
    if (flags && flags[0])
        tcc_set_options(s, flags);
    tcc_add_sysinclude_path(s, PARC_TCC_LIBDIR "/include");
    if (j->omp_include)
        tcc_add_sysinclude_path(s, j->omp_include);
    tcc_add_include_path(s, j->runtime_include);
    for (size_t i = 0; i < j->ninclude_dirs; i++)
        tcc_add_include_path(s, j->include_dirs[i]);
    tcc_set_output_type(s, TCC_OUTPUT_MEMORY);
    apply_ldflags(s, j->ldflags);
    return s;
}

/* Whether TinyCC cells must see the session variable d as hidden: it was
 * defined by a cell and lies within 1 GB of the code memory the new cell
 * goes to. TinyCC compiles `x OP g` for a global double g into an
 * instruction reading g's own address (PC32); libtcc turns that relocation
 * against a symbol given by tcc_add_symbol into a jump stub, so the cell
 * would read code bytes instead of g. A hidden symbol keeps the direct
 * PC32, which is right when g is that close (code_memory keeps the
 * session's memory together). */
/* Whether a variable of this type cannot be a floating-point operand:
 * an integer or a pointer (words such as "unsigned long", "uint8_t",
 * "char *"). Such variables need no hidden declaration (see near_var). */
static int never_float(const char *type)
{
    static const char *const words[] = {"const", "volatile", "signed", "unsigned", "char", "short", "int",
                                        "long", "_Bool", "bool", "size_t", "ssize_t", "ptrdiff_t",
                                        "intptr_t", "uintptr_t", "pid_t", "off_t", NULL};
    size_t n = strlen(type);
    while (n && type[n - 1] == ' ')
        n--;
    if (n && type[n - 1] == '*')
        return 1;
    for (const char *p = type; *p;) {
        size_t w = strcspn(p, " ");
        int known = (w >= 7 && !strncmp(p + w - 2, "_t", 2) && (!strncmp(p, "int", 3) || !strncmp(p, "uint", 4)));
        for (int i = 0; words[i] && !known; i++)
            known = strlen(words[i]) == w && !strncmp(p, words[i], w);
        if (!known)
            return 0;
        p += w + strspn(p + w, " ");
    }
    return 1;
}

static const struct jit_sym *near_var(const struct jit *j, const struct decl *d)
{
    if (d->kind != DECL_VAR || !d->key || d->tcc_gap || !j->arena || !d->type || never_float(d->type))
        return NULL;
    /* The symbol the declaration links to: its asm label, if it has one
     * (see CELLGEN_TLS_MARK). */
    const char *label = strstr(d->text, "__asm__(\"");
    char name[256];
    if (label && strcspn(label + 9, "\"") >= sizeof name)
        return NULL;
    if (label)
        snprintf(name, sizeof name, "%.*s", (int)strcspn(label + 9, "\""), label + 9);
    const struct jit_sym *s = jit_find_sym(j, label ? name : d->key);
    if (!s || !s->addr)
        return NULL;
    long long dist = (long long)((intptr_t)s->addr - (intptr_t)j->arena);
    return dist > -(1LL << 30) && dist < (1LL << 30) ? s : NULL;
}

/* The session's declarations as C text, leaving out those the cell
 * defines again, and for TinyCC (for_tcc) those it cannot compile.
 * Returns it, malloc'd. */
static char *session_text(struct jit *j, const struct split *sp, int for_tcc)
{
    struct buf tu = {0};
    buf_adds(&tu, "#line 1 \"<session>\"\n");
    for (size_t i = 0; i < j->ndecls; i++) {
        const struct decl *d = &j->decls[i];
        if (for_tcc && d->tcc_gap)
            continue;
        if (d->key && (d->kind == DECL_VAR || d->kind == DECL_FUNC || d->kind == DECL_PROTO) &&
            defined_by_cell(sp, d->key))
            continue;
        if (d->key && d->kind == DECL_TYPE) {
            int again = 0;
            for (size_t k = 0; k < sp->nitems && !again; k++)
                for (size_t t = 0; t < sp->items[k].ntype_names; t++)
                    if (!strcmp(sp->items[k].type_names[t], d->key))
                        again = 1;
            if (again)
                continue;
        }
        if (for_tcc && near_var(j, d))
            buf_adds(&tu, "__attribute((visibility(\"hidden\"))) ");
        buf_adds(&tu, d->text);
    }
    return buf_take(&tu);
}

/* The prelude of clang and gcc cells: the headers themselves (TinyCC's
 * flattened text holds TinyCC's own definitions), and <omp.h> in OpenMP
 * cells. malloc'd. */
static char *cc_prelude(const struct jit *j, int openmp)
{
    struct buf b = {0};
    buf_adds(&b, "#line 1 \"<prelude>\"\n");
    if (openmp)
        buf_adds(&b, "#include <omp.h>\n");
    for (int i = 0; prelude_headers[i]; i++)
        buf_printf(&b, "#include <%s>\n", prelude_headers[i]);
    for (size_t i = 0; i < j->nsys_includes; i++)
        buf_printf(&b, "#include <%s>\n", j->sys_includes[i]);
    for (size_t i = 0; i < j->ncc_includes; i++)
        buf_printf(&b, "#include <%s>\n", j->cc_includes[i]);
    return buf_take(&b);
}

/* The whole translation unit: prelude, session text, the cell. */
static char *build_unit(struct jit *j, const char *prelude, const char *session, const char *code,
                        const struct split *sp, int cell_no, int quiet_value, int *has_value)
{
    struct buf tu = {0};
    buf_adds(&tu, prelude ? prelude : "");
    buf_adds(&tu, session);
    cellgen_unit(&tu, j, code, sp, cell_no, quiet_value, has_value);
    return buf_take(&tu);
}

/* Adds every session symbol the cell does not define itself, except the
 * hidden variables (hidden_added: add_hidden_vars added them already). */
static void add_session_symbols(struct jit *j, TCCState *s, const struct split *sp, int hidden_added)
{
    char *hidden = xcalloc(j->nsyms + 1, 1);
    for (size_t i = 0; hidden_added && i < j->ndecls; i++) {
        const struct jit_sym *v = near_var(j, &j->decls[i]);
        if (v)
            hidden[v - j->syms] = 1;
    }
    for (size_t i = 0; i < j->nsyms; i++)
        if (!hidden[i] && !defined_by_cell(sp, j->syms[i].name))
            tcc_add_symbol(s, j->syms[i].name, j->syms[i].addr);
    free(hidden);
}

/* Adds the variables session_text declared hidden, before the cell is
 * compiled: a symbol added after compiling loses the visibility the
 * cell's declaration gave it. */
static void add_hidden_vars(struct jit *j, TCCState *s, const struct split *sp)
{
    for (size_t i = 0; i < j->ndecls; i++) {
        const struct jit_sym *v = near_var(j, &j->decls[i]);
        if (v && !defined_by_cell(sp, v->name))
            tcc_add_symbol(s, v->name, v->addr);
    }
}

/* Memory for len bytes of a cell's code and data. Cells share large
 * executable mappings: a mapping per cell would make every fork slower as
 * the session grows. */
static void *code_memory(struct jit *j, size_t len)
{
    if (!j->arena || j->arena_used + len > j->arena_cap) {
        size_t cap = len > (4u << 20) ? (len + 4095) & ~(size_t)4095 : (4u << 20);
        /* Near the last mapping, so the session's variables stay within
         * reach of the new code (see near_var). */
        int prot = PROT_READ | PROT_WRITE | PROT_EXEC;
        void *m = MAP_FAILED;
        /* Below it if that is free, else the nearest free place within
         * reach on either side (a GPU runtime reserves large ranges). */
        for (long k = 1; j->arena && m == MAP_FAILED && (size_t)k * cap < (1u << 30); k++)
            for (int side = 0; side < 2 && m == MAP_FAILED; side++) {
                uintptr_t a = (uintptr_t)j->arena;
                uintptr_t at = side ? a + (uintptr_t)(k - 1) * cap + j->arena_cap : a - (uintptr_t)k * cap;
                if ((side && at < a) || (!side && at > a) || at < (1u << 20))
                    continue;
                m = mmap((void *)at, cap, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
                if (m != MAP_FAILED && m != (void *)at) {
                    munmap(m, cap); /* a kernel that ignores MAP_FIXED_NOREPLACE */
                    m = MAP_FAILED;
                }
            }
        if (m == MAP_FAILED)
            m = mmap(NULL, cap, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            return NULL;
        j->arena = m;
        j->arena_cap = cap;
        j->arena_used = 0;
    }
    void *p = j->arena + j->arena_used;
    j->arena_used += len;
    return p;
}

/* Constructors of objects from other compilers: tcc_relocate does not
 * run .init_array. */
static void run_init_array(TCCState *s)
{
    void (**a)(void) = (void (**)(void))tcc_get_symbol(s, "__init_array_start");
    void (**e)(void) = (void (**)(void))tcc_get_symbol(s, "__init_array_end");
    for (; a && e && a < e; a++)
        if (*a)
            (*a)();
}

/* Links what s holds (compiled code, objects) against the session,
 * places it in the session's code memory and records its symbols.
 * Deletes s. 0 or -1. */
static int place(struct jit *j, TCCState *s, const struct split *sp, int cell_no, struct diag_sink *sink,
                 struct jit_cell *out, int hidden_added)
{
    add_session_symbols(j, s, sp, hidden_added);
    int size = tcc_relocate(s, NULL);
    if (size < 0 || sink->errors) {
        tcc_delete(s);
        return -1;
    }
    size_t len = ((size_t)size + 63) & ~(size_t)63;
    char *old_arena = j->arena;
    void *mem = code_memory(j, len);
    long long moved = (long long)((intptr_t)j->arena - (intptr_t)old_arena);
    if (mem && hidden_added && old_arena && (moved > (1LL << 30) || moved < -(1LL << 30))) {
        /* The hidden variables' PC32 relocations would not reach. */
        buf_adds(&sink->msgs, "error: cannot place the compiled cell near the session's variables\n");
        tcc_delete(s);
        return -1;
    }
    if (!mem || tcc_relocate(s, mem) < 0) {
        buf_adds(&sink->msgs, "error: cannot place the compiled cell in memory\n");
        tcc_delete(s);
        return -1;
    }
    out->entry = (void (*)(void))tcc_get_symbol(s, "__parc_cell");
    j->regions = xrealloc(j->regions, (j->nregions + 1) * sizeof *j->regions);
    j->regions[j->nregions++] = (struct jit_region){mem, len, (void *)out->entry, cell_no};
    struct sym_ctx c = {j, cell_no, sp};
    tcc_list_symbols(s, &c, on_symbol);
    run_init_array(s);
    tcc_delete(s);
    return 0;
}

static int compile_tcc(struct jit *j, const char *flags, const char *unit, const struct split *sp, int cell_no,
                       struct diag_sink *sink, struct jit_cell *out)
{
    TCCState *s = new_state(j, sink, flags);
    if (!s) {
        buf_adds(&sink->msgs, "error: cannot start the compiler\n");
        return -1;
    }
    add_hidden_vars(j, s, sp);
    if (tcc_compile_string(s, unit) < 0 || sink->errors) {
        tcc_delete(s);
        return -1;
    }
    return place(j, s, sp, cell_no, sink, out, 1);
}

/* Links the object file obj (from clang or gcc) with libtcc, exactly as a
 * TinyCC cell: functions and globals on both sides see each other. */
static int link_object(struct jit *j, const char *obj, const struct split *sp, int cell_no, struct diag_sink *sink,
                       struct jit_cell *out)
{
    TCCState *s = new_state(j, sink, NULL);
    if (!s || tcc_add_file(s, obj) < 0 || sink->errors) {
        if (s)
            tcc_delete(s);
        return -1;
    }
    /* Support routines such objects call (__muldc3, __divti3...). */
    if (access(PARC_LIBGCC, R_OK) == 0)
        tcc_add_file(s, PARC_LIBGCC);
    return place(j, s, sp, cell_no, sink, out, 0);
}

struct so_range {
    void *base;
    void *start;
    size_t len;
};

static int find_range(struct dl_phdr_info *info, size_t size, void *ctx)
{
    struct so_range *r = ctx;
    (void)size;
    if ((void *)info->dlpi_addr != r->base)
        return 0;
    uintptr_t lo = UINTPTR_MAX, hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_LOAD) {
            uintptr_t a = info->dlpi_addr + info->dlpi_phdr[i].p_vaddr;
            if (a < lo)
                lo = a;
            if (a + info->dlpi_phdr[i].p_memsz > hi)
                hi = a + info->dlpi_phdr[i].p_memsz;
        }
    if (hi > lo) {
        r->start = (void *)lo;
        r->len = hi - lo;
    }
    return 1;
}

/* An object with thread-local storage, which libtcc cannot link: linked
 * by the compiler as a shared object, the session's symbols it uses given
 * by address (--defsym), and loaded with dlopen. Its thread-local
 * variables are found by the dynamic linker in the objects loaded before. */
static int link_shared(struct jit *j, const char *cmd, const char *obj, const char *dir, const struct cc_sym *syms,
                       size_t n, int cell_no, struct diag_sink *sink, struct jit_cell *out)
{
    struct buf opts = {0};
    buf_adds(&opts, j->ldflags);
    for (size_t i = 0; i < n; i++) {
        const struct jit_sym *js = syms[i].defined || syms[i].tls ? NULL : jit_find_sym(j, syms[i].name);
        if (js)
            buf_printf(&opts, " -Wl,--defsym,%s=%p", syms[i].name, js->addr);
    }
    void *h = cc_load_shared(cmd, obj, dir, opts.data ? opts.data : "", &sink->msgs);
    buf_free(&opts);
    if (!h) {
        sink->errors++;
        return -1;
    }
    out->entry = (void (*)(void))dlsym(h, "__parc_cell");
    void *any = (void *)out->entry;
    for (size_t i = 0; i < n; i++) {
        if (!syms[i].defined || !strncmp(syms[i].name, "__parc_", 7))
            continue;
        void *addr = dlsym(h, syms[i].name);
        if (addr)
            set_sym(j, syms[i].name, addr, cell_no);
        const char *mark = strstr(syms[i].name, CELLGEN_TLS_MARK);
        if (addr && mark && mark > syms[i].name) {
            char *plain = xstrndup(syms[i].name, (size_t)(mark - syms[i].name));
            set_sym(j, plain, addr, cell_no); /* found by its C name too */
            free(plain);
        }
        any = any ? any : addr;
    }
    Dl_info info;
    struct so_range r = {NULL, NULL, 0};
    if (any && dladdr(any, &info))
        r.base = info.dli_fbase;

    if (r.base && dl_iterate_phdr(find_range, &r) && r.len) {
        j->regions = xrealloc(j->regions, (j->nregions + 1) * sizeof *j->regions);
        j->regions[j->nregions++] = (struct jit_region){r.start, r.len, (void *)out->entry, cell_no};
    }
    return 0;
}

struct jit_mark {
    struct decl *decls;
    size_t ndecls;
    struct jit_struct *structs;
    size_t nstructs;
};

struct jit_mark *jit_mark(const struct jit *j)
{
    struct jit_mark *m = xcalloc(1, sizeof *m);
    m->decls = xcalloc(j->ndecls + 1, sizeof *m->decls);
    for (size_t i = 0; i < j->ndecls; i++) {
        struct decl d = j->decls[i];
        d.key = d.key ? xstrdup(d.key) : NULL;
        d.text = xstrdup(d.text);
        d.type = d.type ? xstrdup(d.type) : NULL;
        m->decls[m->ndecls++] = d;
    }
    m->structs = xcalloc(j->nstructs + 1, sizeof *m->structs);
    for (size_t i = 0; i < j->nstructs; i++) {
        const struct jit_struct *o = &j->structs[i];
        struct jit_struct c = {xstrdup(o->spelling), xstrdup(o->display), xcalloc(o->nfields + 1, sizeof(char *)),
                               xcalloc(o->nfields + 1, sizeof(char *)), o->nfields};
        for (size_t k = 0; k < o->nfields; k++) {
            c.fields[k] = xstrdup(o->fields[k]);
            c.field_types[k] = o->field_types[k] ? xstrdup(o->field_types[k]) : NULL;
        }
        m->structs[m->nstructs++] = c;
    }
    return m;
}

void jit_back_to(struct jit *j, struct jit_mark *m)
{
    decls_free(j->decls, j->ndecls, j->structs, j->nstructs);
    j->decls = m->decls;
    j->ndecls = m->ndecls;
    j->structs = m->structs;
    j->nstructs = m->nstructs;
    free(j->cell_cc);
    j->cell_cc = NULL;
    free(m);
}

void jit_mark_free(struct jit_mark *m)
{
    if (!m)
        return;
    decls_free(m->decls, m->ndecls, m->structs, m->nstructs);
    free(m);
}

int jit_link_shared(struct jit *j, const char *cmd, const char *obj, const char *link_opts, int cell_no,
                    struct buf *msgs)
{
    struct cc_sym *syms = NULL;
    size_t n = 0;
    int tls = 0;
    if (cc_read_object(obj, &syms, &n, &tls) < 0) {
        buf_adds(msgs, "error: the compiler made no x86-64 object file\n");
        return -1;
    }
    char *dir = cc_make_dir();
    struct diag_sink sink = {{0}, 0};
    struct jit_cell out = {0};
    char *saved = j->ldflags;
    j->ldflags = xasprintf("%s %s", saved, link_opts ? link_opts : "");
    int rc = dir ? link_shared(j, cmd, obj, dir, syms, n, cell_no, &sink, &out) : -1;
    free(j->ldflags);
    j->ldflags = saved;
    if (!dir)
        buf_adds(msgs, "error: cannot create a temporary folder for the linker\n");
    if (sink.msgs.len)
        buf_add(msgs, sink.msgs.data, sink.msgs.len);
    buf_free(&sink.msgs);
    cc_syms_free(syms, n);
    cc_remove_dir(dir);
    return rc;
}

void jit_declare_function(struct jit *j, const char *name, const char *proto, int cell_no)
{
    add_decl(j, (struct decl){DECL_PROTO, xstrdup(name), xasprintf("%s;\n", proto), NULL, cell_no, 0, 0});
}

/* Each -Rpass option takes one pattern: a later one replaces an earlier. */
static const char remark_opts[] = " '-Rpass=loop-vectorize|loop-unroll' -Rpass-missed=loop-vectorize"
                                  " -Rpass-analysis=loop-vectorize";

/* The precompiled prelude of a clang unit (its #include lines, before the
 * session's declarations), made once and kept in the object cache: the
 * headers are most of what clang reads for a small cell. Its path,
 * malloc'd, or NULL (gcc, no cache, or it would not precompile). */
static char *precompiled_prelude(const char *cmd, const char *opts, const char *unit)
{
    const char *end = strstr(unit, "#line 1 \"<session>\"");
    if (!cc_is_clang(cmd) || !end)
        return NULL;
    char *text = xstrndup(unit, (size_t)(end - unit));
    char *key = cccache_key(cmd, opts, text, "<prelude>");
    char *pch = cccache_path(key, "pch"), *header = cccache_path(key, "h");
    if (pch && access(pch, R_OK) == 0)
        cccache_touch(pch);
    else if (pch && cc_precompile(cmd, opts, text, header, pch) < 0) {
        free(pch);
        pch = NULL;
    }
    free(header);
    free(key);
    free(text);
    return pch;
}

static int session_has(void *ctx, const char *name)
{
    return jit_find_sym(ctx, name) != NULL;
}

/* Compiles unit with an external compiler command and links it in. */
static int compile_cc(struct jit *j, const char *cmd, int remarks, const char *unit, const struct split *sp,
                      int cell_no, struct diag_sink *sink, struct jit_cell *out)
{
    char *dir = cc_make_dir();
    if (!dir) {
        buf_adds(&sink->msgs, "error: cannot create a temporary folder for the compiler\n");
        sink->errors++;
        return -1;
    }
    struct buf opts = {0};
    buf_printf(&opts, "-Wall -Wno-unused-function -I'%s'", j->runtime_include);
    for (size_t i = 0; i < j->ninclude_dirs; i++)
        buf_printf(&opts, " -I'%s'", j->include_dirs[i]);
    if (j->cflags[0])
        buf_printf(&opts, " %s", j->cflags);
    if (remarks)
        buf_adds(&opts, remark_opts);
    /* An unchanged cell run again links the object it had (cccache.h). */
    char *obj = xasprintf("%s/cell.o", dir);
    char *name = cell_no > 0 ? xasprintf("cell[%d]", cell_no) : xstrdup("cell");
    char *key = cccache_key(cmd, opts.data, unit, name);
    int rc = 0;
    if (cccache_get(key, obj, name, &sink->msgs) < 0) {
        size_t before = sink->msgs.len;
        char *pch = precompiled_prelude(cmd, opts.data, unit);
        if (pch) {
            char *with = xasprintf("%s -include-pch '%s'", opts.data, pch);
            rc = cc_compile(cmd, with, unit, dir, &sink->msgs);
            free(with);
            const char *m = sink->msgs.data ? sink->msgs.data + before : "";
            if (rc < 0 && (strstr(m, "precompiled header") || strstr(m, "AST file"))) {
                /* A header changed since: compile as before, precompile anew next time. */
                unlink(pch);
                sink->msgs.len = before;
                sink->msgs.data[before] = 0;
                free(pch);
                pch = NULL;
            }
        }
        if (!pch)
            rc = cc_compile(cmd, opts.data, unit, dir, &sink->msgs);
        free(pch);
        if (rc == 0)
            cccache_put(key, obj, name, sink->msgs.data ? sink->msgs.data + before : "");
    }
    free(key);
    free(name);
    buf_free(&opts);
    if (rc == 0)
        cc_merge_commons(obj, session_has, j);
    struct cc_sym *syms = NULL;
    size_t n = 0;
    int tls = 0;
    if (rc == 0 && cc_read_object(obj, &syms, &n, &tls) < 0) {
        buf_adds(&sink->msgs, "error: the compiler made no x86-64 object file\n");
        rc = -1;
    }
    if (rc == 0)
        rc = tls ? link_shared(j, cmd, obj, dir, syms, n, cell_no, sink, out)
                 : link_object(j, obj, sp, cell_no, sink, out);
    if (rc < 0)
        sink->errors++;
    cc_syms_free(syms, n);
    free(obj);
    cc_remove_dir(dir);
    return rc;
}

/* Whether header (as in #include <header>) is in a folder the C compilers
 * search. */
static int header_exists(const struct jit *j, const char *header)
{
    static const char *const dirs[] = {"/usr/local/include", "/usr/include/x86_64-linux-gnu", "/usr/include",
                                       "/usr/lib/llvm-*/lib/clang/*/include", "/usr/lib/gcc/x86_64-linux-gnu/*/include",
                                       NULL};
    int found = 0;
    for (int i = 0; dirs[i] && !found; i++) {
        char *pat = xasprintf("%s/%s", dirs[i], header);
        glob_t g;
        found = glob(pat, 0, NULL, &g) == 0;
        if (found)
            globfree(&g);
        free(pat);
    }
    for (size_t i = 0; i < j->ninclude_dirs && !found; i++) {
        char *f = xasprintf("%s/%s", j->include_dirs[i], header);
        found = access(f, R_OK) == 0;
        free(f);
    }
    return found;
}

/* Whether TinyCC compiles prelude text p. */
static int tcc_compiles(struct jit *j, const char *p)
{
    struct diag_sink sink = {{0}, 0};
    TCCState *s = new_state(j, &sink, NULL);
    int ok = s && tcc_compile_string(s, p) == 0 && !sink.errors;
    if (s)
        tcc_delete(s);
    buf_free(&sink.msgs);
    return ok;
}

/* System headers are part of the flattened prelude: a cell's
 * `#include <h>` of one already there costs nothing, and a new one is
 * flattened into it once (tens of ms) instead of being read again by every
 * later cell. A header TinyCC cannot compile (<complex.h>) or does not
 * have (<stdatomic.h>) goes to cc_includes instead: clang and gcc cells
 * include it. Such items become ITEM_EMPTY. Returns the first header of
 * the cell that only clang and gcc cells can have, or NULL. */
static const char *absorb_includes(struct jit *j, struct split *sp)
{
    const char *cc_only = NULL;
    for (size_t i = 0; i < sp->nitems; i++) {
        struct item *it = &sp->items[i];
        char name[256];
        if (it->kind != ITEM_PP || !prelude_system_include(it->text, name, sizeof name))
            continue;
        int known = 0;
        for (int k = 0; prelude_headers[k] && !known; k++)
            known = !strcmp(prelude_headers[k], name);
        for (size_t k = 0; k < j->nsys_includes && !known; k++)
            known = !strcmp(j->sys_includes[k], name);
        for (size_t k = 0; k < j->ncc_includes && !known; k++)
            if (!strcmp(j->cc_includes[k], name)) {
                known = 1;
                cc_only = cc_only ? cc_only : j->cc_includes[k];
            }
        if (!known) {
            j->sys_includes = xrealloc(j->sys_includes, (j->nsys_includes + 1) * sizeof *j->sys_includes);
            j->sys_includes[j->nsys_includes++] = xstrdup(name);
            struct buf err = {0};
            char *p = prelude_build(j->runtime_include, j->omp_include, j->sys_includes, j->nsys_includes, &err);
            buf_free(&err);
            if (!p || !tcc_compiles(j, p)) {
                free(p);
                free(j->sys_includes[--j->nsys_includes]);
                if (!header_exists(j, name))
                    continue; /* not found: the compiler will say so */
                j->cc_includes = xrealloc(j->cc_includes, (j->ncc_includes + 1) * sizeof *j->cc_includes);
                j->cc_includes[j->ncc_includes++] = xstrdup(name);
                cc_only = cc_only ? cc_only : j->cc_includes[j->ncc_includes - 1];
            } else {
                free(j->prelude);
                j->prelude = p;
            }
        }
        it->kind = ITEM_EMPTY;
    }
    return cc_only;
}

/* Makes <omp.h> part of the session's prelude (once): an OpenMP cell
 * includes it without asking, and what it declares with its types
 * (omp_lock_t l;) is repeated in later TinyCC cells too. */
static void add_omp_header(struct jit *j)
{
    for (size_t k = 0; k < j->nsys_includes; k++)
        if (!strcmp(j->sys_includes[k], "omp.h"))
            return;
    if (!j->omp_include)
        return;
    j->sys_includes = xrealloc(j->sys_includes, (j->nsys_includes + 1) * sizeof *j->sys_includes);
    j->sys_includes[j->nsys_includes++] = xstrdup("omp.h");
    struct buf err = {0};
    char *p = prelude_build(j->runtime_include, j->omp_include, j->sys_includes, j->nsys_includes, &err);
    buf_free(&err);
    if (!p || !tcc_compiles(j, p)) {
        free(p);
        free(j->sys_includes[--j->nsys_includes]);
        return;
    }
    free(j->prelude);
    j->prelude = p;
}

/* The compiler of one cell. */
struct backend {
    int tcc;      /* TinyCC in memory */
    char *cmd;    /* the command: "tcc FLAGS", "clang -O2", malloc'd */
    int remarks;  /* show clang's optimization remarks */
    char *note;   /* which compiler and why, for the user; malloc'd or NULL */
};

/* Options after the program of a compiler command. */
static const char *cmd_flags(const char *cmd)
{
    const char *p = cmd + strspn(cmd, " \t");
    p += strcspn(p, " \t");
    return p + strspn(p, " \t");
}

/* Why TinyCC cannot compile the cell, malloc'd, or NULL: C it lacks in
 * the cell, a header only clang can read, or a name from the session
 * declared with such C. */
static char *tcc_gap_reason(const struct jit *j, const char *code, const char *cc_only)
{
    const char *what = diag_tcc_gap(code, 0);
    if (what)
        return xstrdup(what);
    if (cc_only)
        return xasprintf("<%s>", cc_only);
    for (size_t i = 0; i < j->ndecls; i++) {
        const struct decl *d = &j->decls[i];
        if (d->tcc_gap && d->key && mentions(code, key_word(d->key))) {
            what = diag_tcc_gap(d->text, 1);
            return xasprintf("%s, used by %s", what ? what : "the declaration", key_word(d->key));
        }
    }
    return NULL;
}

/* Whether the cell has C to compile. */
static int has_code(const struct split *sp)
{
    for (size_t i = 0; i < sp->nitems; i++)
        if (sp->items[i].kind != ITEM_EMPTY && sp->items[i].kind != ITEM_MAGIC)
            return 1;
    return 0;
}

/* The command building an OpenMP cell, malloc'd: clang (the one %%c or
 * %cc named, else the default one; never gcc, whose libgomp cannot run in
 * a forked cell), optimizing at -O2 unless told otherwise, -fopenmp. */
static char *openmp_command(const struct jit *j)
{
    const char *cmd = j->cell_cc && cc_is_clang(j->cell_cc) ? j->cell_cc
                      : cc_is_clang(j->cc)                  ? j->cc
                                                            : cc_default_clang();
    int has_opt = strstr(cmd, " -O") != NULL;
    int has_omp = strstr(cmd, " -fopenmp") != NULL;
    return xasprintf("%s%s%s", cmd, has_opt ? "" : " -O2", has_omp ? "" : " -fopenmp");
}

/* An OpenMP cell's compiler; the note says so the first time. */
static int choose_openmp(struct jit *j, const char *name, struct backend *be, struct buf *diag)
{
    be->tcc = 0;
    be->remarks = j->cell_remarks;
    be->cmd = openmp_command(j);
    if (!j->omp_note_shown) {
        be->note = xasprintf("[%s compiled with %s: OpenMP cells are built by clang with LLVM's libomp]\n", name,
                             be->cmd);
        j->omp_note_shown = 1;
    }
    struct buf e = {0};
    int rc = cc_check(be->cmd, &e);
    if (rc < 0)
        buf_printf(diag, "%s: error: this cell uses OpenMP, and %s\n", name, e.data);
    buf_free(&e);
    return rc;
}

/* Chooses the cell's compiler: the one %%c named, else the session's;
 * TinyCC gives way to clang for C it cannot compile. -1 with a message
 * in diag if that compiler is missing. */
static int choose_backend(struct jit *j, const char *code, const struct split *sp, const char *name,
                          const char *cc_only, struct backend *be, struct buf *diag)
{
    const char *cmd = j->cell_cc ? j->cell_cc : j->cc;
    if (has_code(sp) && (j->cell_openmp || diag_uses_openmp(code)))
        return choose_openmp(j, name, be, diag);
    be->tcc = cc_is_tcc(cmd);
    if (!j->cell_cc && !has_code(sp)) {
        /* Nothing to compile (a cell of magics): TinyCC is instant. */
        be->tcc = 1;
        be->cmd = xstrdup("tcc");
        return 0;
    }
    be->remarks = j->cell_remarks;
    char *why = be->tcc ? tcc_gap_reason(j, code, cc_only) : NULL;
    if (why) {
        be->tcc = 0;
        be->cmd = xstrdup(cc_default_clang());
        be->note = xasprintf("[%s compiled with %s: TinyCC cannot compile %s]\n", name, be->cmd, why);
    } else {
        be->cmd = xstrdup(cmd);
        if (!be->tcc)
            be->note = xasprintf("[%s compiled with %s]\n", name, be->cmd);
    }
    struct buf e = {0};
    int rc = be->tcc ? 0 : cc_check(be->cmd, &e);
    if (rc < 0 && why)
        buf_printf(diag, "%s: error: this cell uses %s, which TinyCC cannot compile, and %s\n", name, why, e.data);
    else if (rc < 0)
        buf_printf(diag, "%s: error: %s\n", name, e.data);
    buf_free(&e);
    free(why);
    return rc;
}

static int compile_with(struct jit *j, const struct backend *be, const char *unit, const struct split *sp,
                        int cell_no, struct diag_sink *sink, struct jit_cell *out)
{
    if (be->tcc)
        return compile_tcc(j, cmd_flags(be->cmd), unit, sp, cell_no, sink, out);
    return compile_cc(j, be->cmd, be->remarks, unit, sp, cell_no, sink, out);
}

/* Keeps only the remarks about the cell's own lines (not the headers'). */
static void drop_foreign_remarks(struct buf *msgs, const char *name)
{
    struct buf keep = {0};
    size_t nl = strlen(name);
    for (const char *l = msgs->data ? msgs->data : ""; *l;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) + 1 : strlen(l);
        if (!memmem(l, len, ": remark: ", 10) || (!strncmp(l, name, nl) && l[nl] == ':'))
            buf_add(&keep, l, len);
        l += len;
    }
    buf_free(msgs);
    *msgs = keep;
}

int jit_compile(struct jit *j, const char *code, int cell_no, int quiet_value, struct jit_cell *out,
                struct buf *diag)
{
    memset(out, 0, sizeof *out);
    struct split sp;
    jit_split(j, code, &sp);
    char *name = cell_no > 0 ? xasprintf("cell[%d]", cell_no) : xstrdup("cell");
    struct backend be = {0, NULL, 0, NULL};
    int rc = -1;
    char *session = NULL, *unit = NULL, *prelude = NULL;
    struct diag_sink sink = {{0}, 0};
    if (sp.state != SPLIT_OK) {
        diag_unbalanced(diag, name, code, &sp);
        goto out;
    }
    if (j->cell_openmp || diag_uses_openmp(code) || strstr(code, "omp.h")) {
        struct buf e = {0};
        rc = jit_load_openmp(&e);
        if (rc < 0)
            buf_printf(diag, "%s: error: %s\n", name, e.data);
        buf_free(&e);
        if (rc < 0)
            goto out;
        rc = -1;
    }
    const char *cc_only = absorb_includes(j, &sp);
    if (choose_backend(j, code, &sp, name, cc_only, &be, diag) < 0)
        goto out;
    /* Remember the cell's declarations first: build_unit leaves out the
     * session's older versions of what the cell defines, and the cell's
     * own struct types are needed to show values. */
    session = session_text(j, &sp, be.tcc);
    remember(j, &sp, cell_no);
    int openmp = !be.tcc && strstr(be.cmd, "-fopenmp") != NULL;
    if (openmp)
        add_omp_header(j);
    prelude = be.tcc ? NULL : cc_prelude(j, openmp);
    int has_value = 0;
    unit = build_unit(j, be.tcc ? j->prelude : prelude, session, code, &sp, cell_no, quiet_value, &has_value);
    rc = compile_with(j, &be, unit, &sp, cell_no, &sink, out);
    if (rc < 0 && has_value && sink.errors) {
        /* The final expression may have no value to show (a void call):
         * run it as a plain statement instead. */
        struct diag_sink again = {{0}, 0};
        free(unit);
        unit = build_unit(j, be.tcc ? j->prelude : prelude, session, code, &sp, cell_no, 1, &has_value);
        if (compile_with(j, &be, unit, &sp, cell_no, &again, out) == 0) {
            buf_free(&sink.msgs);
            sink = again;
            rc = 0;
        } else
            buf_free(&again.msgs);
    }
    out->has_value = has_value;
    if (be.remarks)
        drop_foreign_remarks(&sink.msgs, name);
    if (be.note && rc == 0)
        buf_adds(diag, be.note);
    if (sink.msgs.len)
        diag_format(diag, name, code, sink.msgs.data);
    if (be.note && rc < 0)
        buf_adds(diag, be.note);
out:
    /* %%c and %%openmp chose the compiler of this cell only. */
    free(j->cell_cc);
    j->cell_cc = NULL;
    j->cell_remarks = 0;
    j->cell_openmp = 0;
    buf_free(&sink.msgs);
    free(be.cmd);
    free(be.note);
    free(prelude);
    free(unit);
    free(session);
    free(name);
    split_free(&sp);
    return rc;
}

/* code with the words of C TinyCC lacks (_Atomic, __thread, __int128...)
 * taken out or replaced by ones it knows, so that it can still tell where
 * the text ends; malloc'd. */
static char *without_tcc_gaps(const char *code)
{
    static const char *const from[] = {"_Atomic", "__thread", "_Thread_local", "thread_local", "_Complex",
                                       "_Imaginary", "__uint128_t", "__int128_t", "__int128", NULL};
    static const char *const to[] = {"", "", "", "", "", "", "unsigned long", "long", "long", NULL};
    struct buf b = {0};
    for (const char *p = code; *p;) {
        int hit = -1;
        if (isalpha((unsigned char)*p) || *p == '_') {
            size_t n = 0;
            while (text_word_char(p[n]))
                n++;
            for (int i = 0; from[i] && hit < 0; i++)
                if (strlen(from[i]) == n && !strncmp(p, from[i], n))
                    hit = i;
            buf_add(&b, hit >= 0 ? to[hit] : p, hit >= 0 ? strlen(to[hit]) : n);
            p += n;
            continue;
        }
        buf_addc(&b, *p++);
    }
    return buf_take(&b);
}

/* jit_is_complete; gaps_out: code has been through without_tcc_gaps. */
static int is_complete(struct jit *j, const char *code, int gaps_out)
{
    struct split sp;
    jit_split(j, code, &sp);
    enum split_state st = sp.state;
    if (st != SPLIT_OK) {
        split_free(&sp);
        return st == SPLIT_OPEN || st == SPLIT_DANGLING ? 1 : 2;
    }
    /* `#pragma omp parallel for` needs the loop that follows it. */
    size_t last = sp.nitems;
    while (last > 0 && (sp.items[last - 1].kind == ITEM_EMPTY || sp.items[last - 1].kind == ITEM_MAGIC))
        last--;
    if (last > 0 && sp.items[last - 1].kind == ITEM_PP && cellgen_pragma_needs_statement(sp.items[last - 1].text)) {
        split_free(&sp);
        return 1;
    }
    if (!gaps_out && diag_tcc_gap(code, 0)) {
        /* Clang will compile it: TinyCC only tells whether the text ends
         * too early, once the words it lacks are out; anything else it
         * finds wrong (a GCC builtin) may be right for clang. */
        split_free(&sp);
        char *plain = without_tcc_gaps(code);
        int r = is_complete(j, plain, 1);
        free(plain);
        return r == 1 ? 1 : 0;
    }
    /* Brackets are balanced: ask the compiler whether the text ends too
     * early (TinyCC names "<eof>" or "end of file" in such errors). */
    absorb_includes(j, &sp);
    char *session = session_text(j, &sp, 1);
    remember(j, &sp, 0);
    int has_value = 0;
    char *unit = build_unit(j, j->prelude, session, code, &sp, 0, 1, &has_value);
    free(session);
    struct diag_sink sink = {{0}, 0};
    TCCState *s = new_state(j, &sink, NULL);
    int rc = 0;
    if (s) {
        if (tcc_compile_string(s, unit) < 0 || sink.errors) {
            const char *m = sink.msgs.data ? sink.msgs.data : "";
            /* An error past the cell's end means its text ran into what
             * follows it, unless the text ends like a finished statement. */
            size_t n = strlen(code);
            while (n && (code[n - 1] == ' ' || code[n - 1] == '\t' || code[n - 1] == '\n' || code[n - 1] == '\r'))
                n--;
            int finished = n && (code[n - 1] == ';' || code[n - 1] == '}');
            int at_end = strstr(m, "<eof>") || strstr(m, "end of file") || strstr(m, "<cell>:") || strstr(m, "<end>:");
            rc = at_end && !finished ? 1 : 2;
        }
        tcc_delete(s);
    }
    buf_free(&sink.msgs);
    free(unit);
    split_free(&sp);
    return rc;
}


/* ------------------------------------------------------------------ */
/* Libraries                                                           */
/* ------------------------------------------------------------------ */

static const char *const lib_dirs[] = {"/usr/local/lib", "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
                                       "/usr/lib", "/lib", NULL};

int jit_load_openmp(struct buf *err)
{
    if (dlopen(PARC_LIBOMP, RTLD_NOW | RTLD_GLOBAL))
        return 0;
    buf_printf(err, "OpenMP needs LLVM's libomp, which cannot be loaded (%s): install the Debian package libomp-dev",
               dlerror());
    return -1;
}

int jit_is_complete(struct jit *j, const char *code)
{
    return is_complete(j, code, 0);
}

int jit_load_library(const char *name, struct buf *err)
{
    char *file = xasprintf("lib%s.so", name);
    void *h = dlopen(file, RTLD_NOW | RTLD_GLOBAL);
    /* libNAME.so may be a linker script (libm.so is): try the versioned
     * shared object it stands for. */
    for (int i = 0; !h && lib_dirs[i]; i++) {
        DIR *d = opendir(lib_dirs[i]);
        if (!d)
            continue;
        struct dirent *e;
        size_t fl = strlen(file);
        while (!h && (e = readdir(d))) {
            if (strncmp(e->d_name, file, fl) || e->d_name[fl] != '.')
                continue;
            char *path = xasprintf("%s/%s", lib_dirs[i], e->d_name);
            h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
            free(path);
        }
        closedir(d);
    }
    if (!h)
        buf_printf(err, "cannot load library '%s': no %s found (install its Debian -dev package?)", name, file);
    free(file);
    return h ? 0 : -1;
}
