/* cuda.c — %%cuda cells through nvcc (see cuda.h). */
#include "cuda.h"
#include "cc.h"
#include "cudadev.h"
#include "diag.h"
#include "jit.h"
#include "magic.h"
#include "nvrtc.h"
#include "session.h"
#include "textutil.h"
#include "util.h"
#include "vectorize.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Cache and messages                                                  */
/* ------------------------------------------------------------------ */

unsigned long long cuda_hash(unsigned long long h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* line with every CUDA_CELL_NAME replaced by name, malloc'd. */
static char *renamed(const char *line, size_t len, const char *name)
{
    struct buf b = {0};
    size_t ml = strlen(CUDA_CELL_NAME);
    for (size_t i = 0; i < len;) {
        if (len - i >= ml && !memcmp(line + i, CUDA_CELL_NAME, ml)) {
            buf_adds(&b, name);
            i += ml;
        } else
            buf_addc(&b, line[i++]);
    }
    return b.data ? buf_take(&b) : xstrdup("");
}

void cuda_messages(struct buf *out, const char *name, const char *raw)
{
    size_t nl = strlen(name);
    for (const char *l = raw ? raw : ""; *l;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        char *line = renamed(l, len, name);
        len = strlen(line);
        l += (e ? (size_t)(e - l) : strlen(l)) + (e != NULL);
        /* cudafe++ and NVRTC: "cell[3](5): error: ..."; the source line
         * and caret that follow are shown again by diag_format. */
        if (!strncmp(line, name, nl) && line[nl] == '(' && isdigit((unsigned char)line[nl + 1])) {
            const char *close = strstr(line + nl, "): ");
            if (close) {
                buf_printf(out, "%s:%d: %s\n", name, atoi(line + nl + 1), close + 3);
                free(line);
                continue;
            }
        }
        /* nvcc's own complaints ("nvcc fatal   : Unknown option '-x'")
         * are about the magic's line. */
        if (!strncmp(line, "nvcc ", 5) && strstr(line, " : ")) {
            const char *kind = !strncmp(line + 5, "warning", 7) ? "warning" : "error";
            buf_printf(out, "%s:1: %s: %%%%cuda: nvcc: %s\n", name, kind, strstr(line, " : ") + 3);
            free(line);
            continue;
        }
        int noise = !len || strstr(line, "detected in the compilation of") ||
                    strstr(line, "Remark: The warnings can be suppressed") ||
                    (line[0] == ' ' && !strchr(line, ':')) || !strcmp(line, "^") ||
                    strspn(line, " ^~") == len;
        if (!noise)
            buf_printf(out, "%s\n", line);
        free(line);
    }
}

/* ------------------------------------------------------------------ */
/* Reading the cell                                                    */
/* ------------------------------------------------------------------ */

/* The cell's text with comments, strings and character literals blanked
 * out (same length, newlines kept), so that scans see only code. */
static char *code_only(const char *text)
{
    char *s = xstrdup(text);
    for (char *p = s; *p; p++) {
        if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n')
                *p++ = ' ';
            if (!*p)
                break;
        } else if (p[0] == '/' && p[1] == '*') {
            char *e = strstr(p + 2, "*/");
            char *end = e ? e + 2 : p + strlen(p);
            for (; p < end; p++)
                if (*p != '\n')
                    *p = ' ';
            p--;
        } else if (*p == '"' || *p == '\'') {
            char q = *p;
            for (p++; *p && *p != q && *p != '\n'; p++) {
                if (*p == '\\' && p[1])
                    *p++ = ' ';
                *p = ' ';
            }
            if (!*p)
                break;
        }
    }
    return s;
}

/* One top-level item of the cell: its head (before '{' or ';') and
 * whether a body follows, and whether it is in an extern "C" block or
 * marked extern "C". */
struct cu_item {
    const char *head;
    size_t len;
    int body, extern_c;
};

/* Calls fn for every top-level item of code (blanked by code_only; the
 * text of the original is orig at the same offsets). */
static void each_item(const char *code, const char *orig, void (*fn)(const struct cu_item *, const char *, void *),
                      void *ctx)
{
    int depth = 0, ext_depth = -1;
    const char *start = code;
    int extern_c = 0;
    for (const char *p = code; *p; p++) {
        if (*p == '#' && depth == (ext_depth >= 0 ? ext_depth + 1 : 0)) {
            /* A directive: skip its line(s). */
            while (*p && *p != '\n')
                p += p[0] == '\\' && p[1] == '\n' ? 2 : 1;
            start = p + (*p != 0);
            if (!*p)
                break;
            continue;
        }
        int top = depth == (ext_depth >= 0 ? ext_depth + 1 : 0);
        if (top && !strncmp(p, "extern", 6) && (p == code || !isalnum((unsigned char)p[-1]))) {
            const char *q = p + 6;
            while (isspace((unsigned char)*q))
                q++;
            if (*q == '"' || (orig[q - code] == '"')) {
                /* extern "C": blanked string; find its end in orig. */
                const char *o = orig + (q - code) + 1;
                while (*o && *o != '"')
                    o++;
                q = code + (o - orig) + 1;
                while (isspace((unsigned char)*q))
                    q++;
                if (*q == '{') {
                    ext_depth = depth;
                    depth++;
                    p = q;
                    start = q + 1;
                    continue;
                }
                extern_c = 1;
                start = q;
                p = q - 1;
                continue;
            }
        }
        if (*p == '{') {
            if (top) {
                struct cu_item it = {orig + (start - code), (size_t)(p - start), 1, extern_c || ext_depth >= 0};
                fn(&it, code + (start - code), ctx);
            }
            depth++;
        } else if (*p == '}') {
            depth--;
            if (ext_depth >= 0 && depth == ext_depth) {
                ext_depth = -1;
                start = p + 1;
                extern_c = 0;
            } else if (depth == (ext_depth >= 0 ? ext_depth + 1 : 0)) {
                /* after a body: a ';' may follow (struct) */
                start = p + 1;
                extern_c = 0;
            }
        } else if (*p == ';' && top) {
            struct cu_item it = {orig + (start - code), (size_t)(p - start), 0, extern_c || ext_depth >= 0};
            fn(&it, code + (start - code), ctx);
            start = p + 1;
            extern_c = 0;
        }
    }
}

/* Whether an item's head is a function's: a '(' outside brackets that
 * is not an initializer's. */
static const char *call_paren(const char *head, size_t len)
{
    int eq = 0;
    for (size_t i = 0; i < len; i++) {
        if (head[i] == '=')
            eq = 1;
        if (head[i] == '(' && !eq)
            return head + i;
    }
    return NULL;
}

struct scan {
    int kernels;      /* __global__ functions */
    int host_funcs;   /* functions that are neither __global__ nor __device__ */
    char **knames;    /* kernel names */
    size_t nknames;
    struct jit *j;    /* with cell_no: where to declare extern "C" functions */
    int cell_no;
    struct buf skipped; /* extern "C" functions C cannot declare */
};

/* The name before the '(' at paren in head, malloc'd, or NULL. */
static char *name_before(const char *head, const char *paren)
{
    const char *e = paren;
    while (e > head && isspace((unsigned char)e[-1]))
        e--;
    const char *b = e;
    while (b > head && text_word_char(b[-1]))
        b--;
    return b < e ? xstrndup(b, (size_t)(e - b)) : NULL;
}

/* head without CUDA's __host__ and with its whitespace collapsed. */
static char *c_prototype(const char *head, size_t len)
{
    struct buf b = {0};
    int space = 0;
    for (size_t i = 0; i < len; i++) {
        if (!strncmp(head + i, "__host__", 8) && (i == 0 || !isalnum((unsigned char)head[i - 1])) &&
            !text_word_char(head[i + 8])) {
            i += 7;
            space = 1;
            continue;
        }
        if (isspace((unsigned char)head[i])) {
            space = 1;
            continue;
        }
        if (space && b.len)
            buf_addc(&b, ' ');
        space = 0;
        buf_addc(&b, head[i]);
    }
    return buf_take(&b);
}

static void on_item(const struct cu_item *it, const char *blank, void *ctx)
{
    struct scan *sc = ctx;
    const char *paren = call_paren(blank, it->len);
    if (!paren || !it->body)
        return;
    int global = text_has_word(blank, it->len, "__global__");
    int device = text_has_word(blank, it->len, "__device__") && !text_has_word(blank, it->len, "__host__");
    char *name = name_before(blank, paren);
    if (global) {
        sc->kernels++;
        if (name) {
            sc->knames = xrealloc(sc->knames, (sc->nknames + 1) * sizeof *sc->knames);
            sc->knames[sc->nknames++] = xstrdup(name);
        }
    } else if (!device)
        sc->host_funcs++;
    if (sc->j && it->extern_c && !global && !device && name) {
        char *proto = c_prototype(it->head, it->len);
        if (strpbrk(proto, "&<:") || text_has_word(proto, strlen(proto), "template"))
            buf_printf(&sc->skipped, "%s%s", sc->skipped.len ? ", " : "", name);
        else
            jit_declare_function(sc->j, name, proto, sc->cell_no);
        free(proto);
    }
    free(name);
}

static void scan_free(struct scan *sc)
{
    strv_free(sc->knames, sc->nknames);
    buf_free(&sc->skipped);
}

/* Reads body: its kernels, host functions, and (with j) declares its
 * extern "C" functions in j. */
static void scan_cell(const char *body, struct jit *j, int cell_no, struct scan *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->j = j;
    sc->cell_no = cell_no;
    char *blank = code_only(body);
    each_item(blank, body, on_item, sc);
    free(blank);
}

/* Whether the cell holds kernels and device functions only: nothing NVRTC
 * cannot compile (host code, launches, #include). */
static int kernel_only(const char *body, const struct scan *sc)
{
    if (!sc->kernels || sc->host_funcs)
        return 0;
    char *blank = code_only(body);
    int r = !strstr(blank, "<<<") && !strstr(blank, "#include") && !strstr(blank, "# include");
    free(blank);
    return r;
}

/* ------------------------------------------------------------------ */
/* nvcc                                                                */
/* ------------------------------------------------------------------ */

/* The nvcc to run: $PARC_NVCC, else the toolkit's, else one on PATH;
 * malloc'd, or NULL. */
static char *find_nvcc(void)
{
    const char *env = getenv("PARC_NVCC");
    if (env && *env)
        return xstrdup(env);
    char *p = xasprintf("%s/bin/nvcc", cudadev_home());
    if (access(p, X_OK) == 0)
        return p;
    free(p);
    struct buf e = {0};
    int ok = cc_check("nvcc", &e) == 0;
    buf_free(&e);
    return ok ? xstrdup("nvcc") : NULL;
}

/* Runs cmd, its output (stdout and stderr) into out. Exit status, -1 if
 * it could not run. */
static int run(const char *cmd, struct buf *out)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    buf_read_stream(out, p);
    int st = pclose(p);
    return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int ok = fd >= 0 && write_all(fd, text, strlen(text)) == 0;
    if (fd >= 0)
        close(fd);
    return ok ? 0 : -1;
}

/* Whether flags choose the GPU architecture themselves. */
static int names_arch(const char *flags)
{
    return strstr(flags, "-arch") || strstr(flags, "-gencode") || strstr(flags, "--gpu-architecture") ||
           strstr(flags, "--generate-code");
}

/* Formats compiler output about the cell for users into err (errors) or
 * stderr (warnings). */
static void show_messages(struct magic_call *c, const char *raw, int failed)
{
    struct buf mapped = {0}, shown = {0};
    cuda_messages(&mapped, c->cell, raw);
    char *code = xasprintf("%s\n%s", c->text, c->body);
    if (mapped.len)
        diag_format(&shown, c->cell, code, mapped.data);
    free(code);
    if (failed)
        buf_add(c->err, shown.data ? shown.data : "", shown.len);
    else if (shown.len) {
        fputs(shown.data, stderr);
        fflush(stderr);
    }
    buf_free(&mapped);
    buf_free(&shown);
}

/* Compiles the cell with nvcc into an object (from the cache when the
 * same text was compiled with the same options). Returns the object's
 * path, malloc'd, or NULL with messages in c->err. */
static char *nvcc_object(struct magic_call *c, const char *nvcc, const char *flags, const struct cudadev_info *dev)
{
    struct jit *j = c->s->jit;
    struct buf src = {0}, opts = {0};
    /* parc.h is C: its _Bool is C++'s bool. */
    buf_printf(&src, "#include <cuda_runtime.h>\n#define _Bool bool\n#include <parc.h>\n#undef _Bool\n#line 2 \"%s\"\n%s\n",
               CUDA_CELL_NAME, c->body);
    buf_printf(&opts, "-Xcompiler -fPIC -cudart shared -I'%s'", j->runtime_include);
    for (size_t i = 0; i < j->ninclude_dirs; i++)
        buf_printf(&opts, " -I'%s'", j->include_dirs[i]);
    if (dev && !names_arch(flags))
        buf_printf(&opts, " -arch=sm_%d%d", dev->major, dev->minor);
    buf_printf(&opts, " %s", flags);
    unsigned long long h = cuda_hash(CUDA_HASH_START, nvcc, strlen(nvcc) + 1);
    h = cuda_hash(h, opts.data, opts.len + 1);
    h = cuda_hash(h, src.data, src.len);
    char *cache = cache_folder(NULL);
    char *obj = cache ? xasprintf("%s/cuda-%016llx.o", cache, h) : NULL;
    if (obj && access(obj, R_OK) == 0)
        goto done; /* compiled before */
    char *dir = cc_make_dir();
    char *cu = dir ? xasprintf("%s/cell.cu", dir) : NULL;
    char *out = dir ? xasprintf("%s/cell.o", dir) : NULL;
    if (!dir || write_file(cu, src.data) < 0) {
        magic_error(c, "cannot write the cell's source for nvcc");
        free(obj);
        obj = NULL;
    } else {
        struct buf msgs = {0};
        char *cmd = xasprintf("'%s' %s -c -o '%s' '%s' 2>&1", nvcc, opts.data, out, cu);
        int st = run(cmd, &msgs);
        free(cmd);
        if (st != 0) {
            show_messages(c, msgs.data ? msgs.data : "", 1);
            if (st < 0 || !c->err->len)
                magic_error(c, "nvcc failed (exit status %d)", st);
            free(obj);
            obj = NULL;
        } else {
            show_messages(c, msgs.data ? msgs.data : "", 0);
            if (!obj)
                obj = xasprintf("%s/cell.o", dir), dir = NULL; /* no cache: keep the folder */
            else if (rename(out, obj) < 0) {
                /* Another file system: copy through a temporary name. */
                char *tmp = xasprintf("%s.%d", obj, (int)getpid());
                char *cp = xasprintf("cp '%s' '%s' && mv '%s' '%s'", out, tmp, tmp, obj);
                struct buf ignored = {0};
                if (run(cp, &ignored) != 0) {
                    free(obj);
                    obj = xstrdup(out);
                    dir = NULL;
                }
                buf_free(&ignored);
                free(cp);
                free(tmp);
            }
        }
        buf_free(&msgs);
    }
    free(cu);
    free(out);
    cc_remove_dir(dir);
done:
    free(cache);
    buf_free(&src);
    buf_free(&opts);
    return obj;
}

/* Links obj into the session and declares the cell's extern "C"
 * functions. 0 or -1. */
static int nvcc_link(struct magic_call *c, const char *obj)
{
    struct jit *j = c->s->jit;
    struct buf msgs = {0};
    char *opts = xasprintf("-L'%s/lib64' -Wl,-rpath,'%s/lib64' -lcudart", cudadev_home(), cudadev_home());
    int rc = jit_link_shared(j, "g++", obj, opts, c->cell_no, &msgs);
    free(opts);
    if (rc < 0) {
        size_t n = msgs.len;
        while (n && msgs.data[n - 1] == '\n')
            n--;
        magic_error(c, "the compiled cell could not be linked into the session:\n%.*s", (int)n,
                    msgs.data ? msgs.data : "");
        buf_free(&msgs);
        return -1;
    }
    buf_free(&msgs);
    struct scan sc;
    scan_cell(c->body, j, c->cell_no, &sc);
    if (sc.skipped.len)
        fprintf(stderr,
                "%s: note: %s use%s C++ in %s signature: C cells cannot call %s (give %s a C signature)\n",
                c->cell, sc.skipped.data, strchr(sc.skipped.data, ',') ? "" : "s",
                strchr(sc.skipped.data, ',') ? "their" : "its", strchr(sc.skipped.data, ',') ? "them" : "it",
                strchr(sc.skipped.data, ',') ? "them" : "it");
    scan_free(&sc);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The magic                                                           */
/* ------------------------------------------------------------------ */

int cuda_magic_cell(struct magic_call *c)
{
    int force_nvcc = 0, force_nvrtc = 0;
    struct buf flags = {0};
    char *save = NULL;
    for (char *tok = strtok_r(c->args, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        if (!strcmp(tok, "--nvcc"))
            force_nvcc = 1;
        else if (!strcmp(tok, "--nvrtc"))
            force_nvrtc = 1;
        else
            buf_printf(&flags, "%s%s", flags.len ? " " : "", tok);
    }
    const char *fl = flags.data ? flags.data : "";
    if (force_nvcc && force_nvrtc) {
        buf_free(&flags);
        return magic_usage(c, "--nvcc and --nvrtc exclude each other");
    }
    c->no_compile = 1;
    struct cudadev_info dev;
    struct buf why = {0};
    int have = cudadev_probe(&dev, &why) == 0;
    struct scan sc;
    scan_cell(c->body, NULL, 0, &sc);
    int fast = !force_nvcc && kernel_only(c->body, &sc) && nvrtc_accepts(fl);
    if (force_nvrtc && !fast) {
        scan_free(&sc);
        buf_free(&flags);
        buf_free(&why);
        return magic_usage(c, sc.kernels ? "--nvrtc takes a cell of kernels only (no host code, launches or "
                                           "#include) and the options -D, -U, -I, -std=, --use_fast_math"
                                         : "--nvrtc: the cell defines no __global__ kernel");
    }
    int rc;
    if (fast) {
        rc = nvrtc_cell(c, (const char *const *)sc.knames, sc.nknames, fl, have ? &dev : NULL);
    } else {
        char *nvcc = find_nvcc();
        if (!nvcc) {
            magic_error(c,
                        "nvcc, the CUDA compiler, was not found: install the CUDA toolkit in %s (or set CUDA_HOME "
                        "or PARC_NVCC)",
                        cudadev_home());
            rc = -1;
        } else {
            char *obj = nvcc_object(c, nvcc, fl, have ? &dev : NULL);
            rc = obj ? nvcc_link(c, obj) : -1;
            free(obj);
            free(nvcc);
        }
    }
    if (rc == 0 && !have) {
        printf("no CUDA device: %s\n", why.data);
        fflush(stdout);
    }
    scan_free(&sc);
    buf_free(&flags);
    buf_free(&why);
    return rc;
}

/* ------------------------------------------------------------------ */
/* %%vectorize --target cuda                                           */
/* ------------------------------------------------------------------ */

/* The kernel of fn: the cell's text up to the function's end, every
 * function in it a device function (NVRTC's -default-device), then a
 * kernel applying fn to element i of each input. */
static char *vectorize_kernel(struct magic_call *c, const struct vec_fn *fn)
{
    struct buf b = {0};
    buf_adds(&b, "typedef signed char int8_t; typedef unsigned char uint8_t; typedef short int16_t;\n"
                 "typedef unsigned short uint16_t; typedef int int32_t; typedef unsigned int uint32_t;\n"
                 "typedef long int64_t; typedef unsigned long uint64_t;\n");
    buf_printf(&b, "#line 2 \"%s\"\n", CUDA_CELL_NAME);
    /* #include lines mean nothing here (NVRTC has the math functions). */
    vectorize_add_text(&b, c->body, fn);
    const char *out = vectorize_unused_name(fn, "out", "out_"), *n = vectorize_unused_name(fn, "n", "n_");
    buf_printf(&b, "\nextern \"C\" __global__ void %s(", fn->array);
    for (int i = 0; i < fn->nparams; i++)
        buf_printf(&b, "%s%s *%s, ", strncmp(fn->ptype[i], "const", 5) ? "const " : "", fn->ptype[i], fn->pname[i]);
    buf_printf(&b, "%s *%s, unsigned long long %s)\n{\n", fn->ret, out, n);
    buf_printf(&b, "    unsigned long long i__ = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;\n"
                   "    if (i__ < %s)\n        %s[i__] = %s(", n, out, fn->name);
    for (int i = 0; i < fn->nparams; i++)
        buf_printf(&b, "%s%s[i__]", i ? ", " : "", fn->pname[i]);
    buf_adds(&b, ");\n}\n");
    return buf_take(&b);
}

int cuda_vectorize(struct magic_call *c, const struct vec_fn *fn)
{
    struct cudadev_info dev;
    struct buf why = {0};
    int have = cudadev_probe(&dev, &why) == 0;
    char *src = vectorize_kernel(c, fn);
    const char *names[] = {fn->array};
    int rc = nvrtc_program(c, src, names, 1, "-default-device", have ? &dev : NULL);
    free(src);
    if (rc < 0) {
        buf_printf(c->err, "%s: note: the cuda target compiles the function as CUDA C++ with NVRTC\n", c->cell);
        buf_free(&why);
        return -1;
    }
    vectorize_add_launcher(c->code, fn, "parc__cuda_vectorize");
    if (!have)
        printf("no CUDA device: %s\n", why.data);
    fflush(stdout);
    buf_free(&why);
    return 0;
}
