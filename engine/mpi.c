/* mpi.c — the %%mpi cell magic (see mpi.h). The ranks are separate
 * programs started by mpirun, not forks of the session, so the cell's
 * program is written out whole: the session's declarations, the earlier
 * cells' definitions its body needs (from the session's history), and
 * main() holding the body between MPI_Init and MPI_Finalize. The session's
 * globals that hold no pointers start from the values they have when the
 * cell starts; others from their initializers. */
#include "mpi.h"
#include "cc.h"
#include "cellgen.h"
#include "diag.h"
#include "jit.h"
#include "magic.h"
#include "mpi_run.h"
#include "prelude.h"
#include "session.h"
#include "split.h"
#include "textutil.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

/* Fills job's options from c->args (changed in place). 0, or -1 with a
 * usage message. */
static int parse_args(struct magic_call *c, struct mpi_job *job)
{
    char *save = NULL;
    for (char *tok = strtok_r(c->args, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (!strcmp(tok, "-n") || !strcmp(tok, "-np") || !strcmp(tok, "--np")) {
            const char *v = strtok_r(NULL, " \t", &save);
            char *end = NULL;
            long n = v ? strtol(v, &end, 10) : 0;
            if (!v)
                return magic_usage(c, "%s needs the number of ranks, from 1 to 1024", tok);
            if (*end || n < 1 || n > 1024)
                return magic_usage(c, "'%s' is not a number of ranks from 1 to 1024", v);
            job->nranks = (int)n;
        } else if (!strcmp(tok, "--hostfile") || !strcmp(tok, "-hostfile") || !strncmp(tok, "--hostfile=", 11)) {
            const char *f = tok[10] == '=' ? tok + 11 : strtok_r(NULL, " \t", &save);
            if (!f || !*f)
                return magic_usage(c, "--hostfile needs a file naming the hosts (\"localhost slots=4\")");
            if (access(f, R_OK) != 0)
                return magic_usage(c, "cannot read the hostfile '%s'", f);
            free(job->hostfile);
            job->hostfile = xstrdup(f);
        } else if (!strcmp(tok, "--oversubscribe")) {
            job->oversubscribe = 1;
        } else if (!strcmp(tok, "--")) {
            for (char *w = strtok_r(NULL, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                job->extra = xrealloc(job->extra, (job->nextra + 1) * sizeof *job->extra);
                job->extra[job->nextra++] = xstrdup(w);
            }
        } else {
            return magic_usage(c, "unknown option '%s' (mpirun's own options go after --)", tok);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Definitions of earlier cells                                        */
/* ------------------------------------------------------------------ */

/* What earlier cells defined, latest first wins: functions (whole text)
 * and the constant initializers of globals. */
struct defs {
    char **names, **texts;
    size_t n;
};

static void defs_set(struct defs *d, const char *name, char *text)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->names[i], name)) {
            free(d->texts[i]);
            d->texts[i] = text;
            return;
        }
    d->names = xrealloc(d->names, (d->n + 1) * sizeof *d->names);
    d->texts = xrealloc(d->texts, (d->n + 1) * sizeof *d->texts);
    d->names[d->n] = xstrdup(name);
    d->texts[d->n++] = text;
}

static const char *defs_get(const struct defs *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->names[i], name))
            return d->texts[i];
    return NULL;
}

static void defs_free(struct defs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->names[i]);
        free(d->texts[i]);
    }
    free(d->names);
    free(d->texts);
}

/* A function definition without storage class (the session's prototype
 * of it has none). malloc'd. */
static char *function_text(const struct item *it)
{
    size_t hl = strlen(it->head);
    const char *body = strncmp(it->text, it->head, hl) ? strchr(it->text, '{') : it->text + hl;
    char *head = cellgen_strip_storage(it->head);
    char *t = xasprintf("%s %s\n", head, body ? body : "{}");
    free(head);
    return t;
}

static void read_definitions(const struct session *s, const char *code, int depth, struct defs *funcs,
                             struct defs *inits);

/* The definitions in the files that %load and %run lines of code brought
 * in, as the files are now. */
static void read_loaded(const struct session *s, const char *code, int depth, struct defs *funcs,
                        struct defs *inits)
{
    if (depth > 8)
        return; /* a file that loads itself */
    for (const char *p = code; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        p += strspn(p, " \t");
        if (strncmp(p, "%load", 5) && strncmp(p, "%run", 4))
            continue;
        p += strcspn(p, " \t\n");
        p += strspn(p, " \t");
        char *file = xstrndup(p, strcspn(p, " \t\n"));
        FILE *f = *file ? fopen(file, "r") : NULL;
        free(file);
        if (!f)
            continue;
        struct buf text = {0};
        buf_read_stream(&text, f);
        fclose(f);
        if (text.len)
            read_definitions(s, text.data, depth + 1, funcs, inits);
        buf_free(&text);
    }
}

/* Adds the functions and constant initializers code defines. */
static void read_definitions(const struct session *s, const char *code, int depth, struct defs *funcs,
                             struct defs *inits)
{
    struct split sp;
    jit_split(s->jit, code, &sp);
    for (size_t i = 0; i < sp.nitems; i++) {
        const struct item *it = &sp.items[i];
        if (it->kind == ITEM_FUNC && it->ndecls && it->decls[0].name && it->head)
            defs_set(funcs, it->decls[0].name, function_text(it));
        if (it->kind == ITEM_VAR)
            for (size_t k = 0; k < it->ndecls; k++) {
                const struct declarator *d = &it->decls[k];
                if (d->name && !d->is_func)
                    defs_set(inits, d->name, d->init && !d->runtime_init ? xstrdup(d->init) : NULL);
            }
        if (it->kind == ITEM_MAGIC)
            read_loaded(s, it->text, depth, funcs, inits);
    }
    split_free(&sp);
}

/* Reads the definitions of the cells in the session's history (and of
 * the files they %load or %run). Cells of a cell magic count only for
 * %%c (plain C for another compiler). */
static void read_history(const struct session *s, struct defs *funcs, struct defs *inits)
{
    for (size_t h = 0; h < s->nhistory; h++) {
        const char *code = s->history[h];
        const char *p = code + strspn(code, " \t");
        if (p[0] == '%' && p[1] == '%') {
            if (!(p[2] == 'c' && (p[3] == ' ' || p[3] == '\t' || p[3] == '\n' || !p[3])))
                continue;
            const char *nl = strchr(p, '\n');
            if (!nl)
                continue;
            code = nl + 1;
        }
        read_definitions(s, code, 0, funcs, inits);
    }
}

/* ------------------------------------------------------------------ */
/* What the body needs                                                 */
/* ------------------------------------------------------------------ */

struct names {
    char **v;
    size_t n;
};

/* Adds the identifiers of text not seen yet to the work list. */
static void names_scan(struct names *s, const char *text)
{
    char **ids = split_identifiers(text ? text : "");
    for (char **p = ids; *p; p++)
        if (!strv_has(s->v, s->n, *p)) {
            s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
            s->v[s->n++] = xstrdup(*p);
        }
    split_strv_free(ids);
}

/* Every name the body uses, directly or through the session's macros,
 * functions and initializers (the list grows while it is walked). */
static void reachable(const struct jit *j, const char *body, const struct defs *funcs, const struct defs *inits,
                      struct names *out)
{
    names_scan(out, body);
    for (size_t i = 0; i < j->ndecls; i++)
        if (j->decls[i].kind == DECL_PP)
            names_scan(out, j->decls[i].text);
    for (size_t i = 0; i < inits->n; i++)
        names_scan(out, inits->texts[i]);
    for (size_t i = 0; i < out->n; i++)
        names_scan(out, defs_get(funcs, out->v[i]));
}

/* Whether a global's bytes mean the same in another process: no pointer
 * in its type or in a session type it names, and writable. */
static int copyable(const struct jit *j, const struct decl *d)
{
    if (!d->type || d->tcc_gap || strpbrk(d->type, "*(") || strstr(d->text, "__thread") ||
        strstr(d->text, "_Thread_local"))
        return 0;
    char **ids = split_identifiers(d->type);
    int ok = 1;
    for (char **p = ids; *p && ok; p++) {
        if (!strcmp(*p, "const"))
            ok = 0;
        for (size_t i = 0; i < j->ndecls && ok; i++) {
            const struct decl *t = &j->decls[i];
            if (t->kind != DECL_TYPE || !t->key)
                continue;
            const char *w = strrchr(t->key, ' ');
            if (!strcmp(w ? w + 1 : t->key, *p) && strchr(t->text, '*'))
                ok = 0;
        }
    }
    split_strv_free(ids);
    return ok;
}

/* ------------------------------------------------------------------ */
/* The program                                                         */
/* ------------------------------------------------------------------ */

/* A global's definition from its extern declaration: "extern int a[3];\n"
 * -> "int a[3] = INIT;\n". */
static void add_var(struct buf *b, const struct decl *d, const char *init)
{
    const char *t = d->text;
    if (!strncmp(t, "extern ", 7))
        t += 7;
    size_t n = strlen(t);
    while (n && (t[n - 1] == '\n' || t[n - 1] == ';' || t[n - 1] == ' '))
        n--;
    buf_add(b, t, n);
    if (init)
        buf_printf(b, " = %s", init);
    buf_adds(b, ";\n");
}

static void add_item(struct buf *b, const char *cell, const struct item *it)
{
    buf_printf(b, "#line %d \"%s\"\n%s%s\n", it->line + 1, cell, it->text, it->terminated ? "" : ";");
}

/* Items of the body that go to file scope; a #pragma stays with the
 * statement it is about. */
static int hoisted(const struct item *it)
{
    if (it->kind == ITEM_PP) {
        const char *p = it->text + strspn(it->text, " \t#");
        return strncmp(p, "pragma", 6) != 0;
    }
    return it->kind == ITEM_TYPE || it->kind == ITEM_FUNC || it->kind == ITEM_PROTO;
}

/* The program has its own main: a session's main (a cell's, or one %run
 * brought) stays out. */
static int is_main(const struct decl *d)
{
    return d->key && !strcmp(d->key, "main");
}

/* What the program is made of: earlier cells' definitions and the names
 * the body reaches. */
struct parts {
    struct defs funcs, inits;
    struct names used;
};

/* Writes the program into prog and, into stub, the cell's own code: the
 * table of globals whose values the ranks start from, and the call that
 * runs the job. */

static void write_program(struct magic_call *c, int tcc, const struct parts *pa, struct buf *prog, struct buf *stub)
{
    const struct jit *j = c->s->jit;
    const struct defs funcs = pa->funcs, inits = pa->inits;
    const struct names used = pa->used;

    buf_adds(prog, "#line 1 \"<prelude>\"\n#include <parc_mpi.h>\n");
    for (int i = 0; prelude_headers[i]; i++)
        buf_printf(prog, "#include <%s>\n", prelude_headers[i]);
    for (size_t i = 0; i < j->nsys_includes; i++)
        buf_printf(prog, "#include <%s>\n", j->sys_includes[i]);
    for (size_t i = 0; !tcc && i < j->ncc_includes; i++)
        buf_printf(prog, "#include <%s>\n", j->cc_includes[i]);

    buf_adds(prog, "#line 1 \"<session>\"\n");
    for (size_t i = 0; i < j->ndecls; i++)
        if (!(tcc && j->decls[i].tcc_gap) && !is_main(&j->decls[i]))
            buf_adds(prog, j->decls[i].text);
    buf_adds(stub, "{ extern int parc__mpi_run(const void *, unsigned long); "
                   "struct { const char *n; const void *a; unsigned long s; } v[] = {");
    int nvars = 0;
    for (size_t i = 0; i < j->ndecls; i++) {
        const struct decl *d = &j->decls[i];
        if (d->kind == DECL_VAR && !(tcc && d->tcc_gap)) {
            add_var(prog, d, defs_get(&inits, d->key));
            if (copyable(j, d) && strv_has(used.v, used.n, d->key)) {
                buf_printf(stub, "{\"%s\", &%s, sizeof %s}, ", d->key, d->key, d->key);
                nvars++;
            }
        }
    }
    buf_printf(stub, "{0, 0, 0}}; parc__mpi_run(v, %d); }", nvars);
    for (size_t i = 0; i < j->ndecls; i++) {
        const struct decl *d = &j->decls[i];
        const char *def = d->kind == DECL_FUNC && !(tcc && d->tcc_gap) ? defs_get(&funcs, d->key) : NULL;
        if (def && strv_has(used.v, used.n, d->key) && !is_main(d))
            buf_adds(prog, def);
    }

    struct split sp;
    jit_split(c->s->jit, c->body, &sp);
    for (size_t i = 0; i < sp.nitems; i++)
        if (hoisted(&sp.items[i]))
            add_item(prog, c->cell, &sp.items[i]);
    buf_adds(prog, "#line 1 \"<parc-mpi>\"\n"
                   "int main(int argc, char **argv)\n{\n"
                   "    parc_mpi_start(&argc, &argv);\n"
                   "    int rank, size;\n"
                   "    MPI_Comm_rank(MPI_COMM_WORLD, &rank);\n"
                   "    MPI_Comm_size(MPI_COMM_WORLD, &size);\n");
    for (size_t i = 0; i < j->ndecls; i++) {
        const struct decl *d = &j->decls[i];
        if (d->kind == DECL_VAR && !(tcc && d->tcc_gap) && copyable(j, d) && strv_has(used.v, used.n, d->key))
            buf_printf(prog, "    parc_mpi_load(\"%s\", &%s, sizeof %s);\n", d->key, d->key, d->key);
    }
    buf_adds(prog, "    {\n");
    for (size_t i = 0; i < sp.nitems; i++)
        if (!hoisted(&sp.items[i]) && sp.items[i].kind != ITEM_MAGIC && sp.items[i].kind != ITEM_EMPTY)
            add_item(prog, c->cell, &sp.items[i]);
    buf_adds(prog, "#line 1 \"<parc-mpi>\"\n    }\n    return parc_mpi_end();\n}\n");
    split_free(&sp);
}

/* A function the body reaches whose text parc does not have (it came
 * from %load or %run, whose files are not kept), or NULL. */
static const struct decl *unknown_function(const struct jit *j, const struct parts *pa)
{
    for (size_t i = 0; i < j->ndecls; i++) {
        const struct decl *d = &j->decls[i];
        if (d->kind == DECL_FUNC && strv_has(pa->used.v, pa->used.n, d->key) && !defs_get(&pa->funcs, d->key))
            return d;
    }
    return NULL;
}

/* Why TinyCC cannot build the program: C it lacks in the body or in the
 * session code the body reaches (described for users), or NULL. */
static const char *tcc_gap(const struct jit *j, const char *body, const struct parts *pa)
{
    const char *gap = diag_tcc_gap(body, 0);
    for (size_t i = 0; !gap && i < j->ndecls; i++) {
        const struct decl *d = &j->decls[i];
        const char *w = d->key ? strrchr(d->key, ' ') : NULL;
        const char *name = w ? w + 1 : d->key;
        if (!name || !strv_has(pa->used.v, pa->used.n, name))
            continue;
        if (d->tcc_gap)
            gap = diag_tcc_gap(d->text, 1) ? diag_tcc_gap(d->text, 1) : "the session's declarations it uses";
        else if (d->kind == DECL_FUNC && defs_get(&pa->funcs, d->key))
            gap = diag_tcc_gap(defs_get(&pa->funcs, d->key), 0);
    }
    return gap;
}

/* Whether the body or the session code it reaches has OpenMP pragmas. */
static int uses_openmp(const struct jit *j, const char *body, const struct parts *pa)
{
    if (diag_uses_openmp(body))
        return 1;
    for (size_t i = 0; i < j->ndecls; i++) {
        const struct decl *d = &j->decls[i];
        const char *def = d->kind == DECL_FUNC ? defs_get(&pa->funcs, d->key) : NULL;
        if (def && strv_has(pa->used.v, pa->used.n, d->key) && diag_uses_openmp(def))
            return 1;
    }
    return 0;
}

int mpi_magic_cell(struct magic_call *c)
{
    struct mpi_job *job = xcalloc(1, sizeof *job);
    if (parse_args(c, job) < 0) {
        mpi_job_free(job);
        return -1;
    }
    if (!c->body[strspn(c->body, " \t\r\n")]) {
        mpi_job_free(job);
        return magic_usage(c, "the code every rank runs goes on the lines after %%%%mpi");
    }
    struct jit *j = c->s->jit;
    struct parts pa = {{0}, {0}, {0}};
    read_history(c->s, &pa.funcs, &pa.inits);
    reachable(j, c->body, &pa.funcs, &pa.inits, &pa.used);
    const struct decl *missing = unknown_function(j, &pa);
    if (missing) {
        magic_error(c,
                    "the code of %s (cell[%d]) is not known: its %%load or %%run file is gone; define it in a cell to "
                    "use it in MPI cells",
                    missing->key, missing->cell);
        strv_free(pa.used.v, pa.used.n);
        defs_free(&pa.funcs);
        defs_free(&pa.inits);
        mpi_job_free(job);
        return -1;
    }
    job->compiler = xstrdup(j->cc && *j->cc ? j->cc : "tcc");
    int tcc = !strcmp(job->compiler, "tcc");
    const char *gap = tcc ? tcc_gap(j, c->body, &pa) : NULL;
    if (uses_openmp(j, c->body, &pa)) {
        /* MPI and OpenMP together: clang with LLVM's libomp. */
        char *cc = xasprintf("%s -fopenmp", tcc ? cc_default_clang() : job->compiler);
        free(job->compiler);
        job->compiler = cc;
        if (tcc)
            printf("[%s compiled with %s: OpenMP]\n", c->cell, job->compiler);
        tcc = 0;
    } else if (gap) {
        /* As for other cells: what TinyCC cannot compile goes to clang. */
        free(job->compiler);
        job->compiler = xstrdup(cc_default_clang());
        tcc = 0;
        printf("[%s compiled with %s: TinyCC cannot compile %s]\n", c->cell, job->compiler, gap);
    }
    job->cell = xstrdup(c->cell);
    job->code = xasprintf("%%%%mpi\n%s", c->body);
    job->cflags = xstrdup(j->cflags ? j->cflags : "");
    job->ldflags = xstrdup(j->ldflags ? j->ldflags : "");
    job->includes = xcalloc(j->ninclude_dirs + 1, sizeof *job->includes);
    job->includes[job->nincludes++] = xstrdup(j->runtime_include);
    for (size_t i = 0; i < j->ninclude_dirs; i++)
        job->includes[job->nincludes++] = xstrdup(j->include_dirs[i]);

    struct buf prog = {0};
    write_program(c, tcc, &pa, &prog, c->code);
    strv_free(pa.used.v, pa.used.n);
    defs_free(&pa.funcs);
    defs_free(&pa.inits);
    job->source = buf_take(&prog);
    mpi_job_set(job);
    /* The stub is a line of TinyCC whatever %cc says: it only calls. */
    free(j->cell_cc);
    j->cell_cc = xstrdup("tcc");
    return 0;
}
