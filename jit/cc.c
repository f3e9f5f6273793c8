/* cc.c — running clang or gcc on a cell and reading what it made (see
 * cc.h). */
#include "cc.h"
#include "util.h"

#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The program of cmd: its first word, malloc'd. */
static char *program_of(const char *cmd)
{
    const char *p = cmd ? cmd : "";
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, " \t");
    return xstrndup(p, n);
}

int cc_is_tcc(const char *cmd)
{
    char *prog = program_of(cmd);
    const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
    int r = !*base || !strcmp(base, "tcc");
    free(prog);
    return r;
}

int cc_is_clang(const char *cmd)
{
    char *prog = program_of(cmd);
    const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
    int r = !strncmp(base, "clang", 5);
    free(prog);
    return r;
}

const char *cc_default_clang(void)
{
    const char *c = getenv("PARC_CLANG");
    return c && *c ? c : "clang";
}

int cc_check(const char *cmd, struct buf *err)
{
    char *prog = program_of(cmd);
    int found = 0;
    if (strchr(prog, '/'))
        found = access(prog, X_OK) == 0;
    else {
        const char *path = getenv("PATH");
        char *copy = xstrdup(path ? path : "/usr/bin:/bin");
        for (char *d = strtok(copy, ":"); d && !found; d = strtok(NULL, ":")) {
            char *f = xasprintf("%s/%s", d, prog);
            found = access(f, X_OK) == 0;
            free(f);
        }
        free(copy);
    }
    if (!found) {
        const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
        if (!strncmp(base, "clang", 5) || !strncmp(base, "gcc", 3))
            buf_printf(err, "the compiler '%s' is not installed (Debian package %s)", prog, base);
        else
            buf_printf(err, "the compiler '%s' was not found", prog);
    }
    free(prog);
    return found ? 0 : -1;
}

char *cc_make_dir(void)
{
    char tmpl[] = "/tmp/parc-cc-XXXXXX";
    return mkdtemp(tmpl) ? xstrdup(tmpl) : NULL;
}

void cc_remove_dir(char *dir)
{
    if (!dir)
        return;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)))
            if (e->d_name[0] != '.') {
                char *f = xasprintf("%s/%s", dir, e->d_name);
                unlink(f);
                free(f);
            }
        closedir(d);
    }
    rmdir(dir);
    free(dir);
}

/* Whether a compiler's output line is worth showing: summaries ("2
 * warnings generated."), "In function" headers and include traces are
 * not. */
static int keep_line(const char *line, size_t len)
{
    if (!len)
        return 0;
    if (len > 10 && !strncmp(line + len - 10, "generated.", 10))
        return 0;
    if (memmem(line, len, ": In function ", 14) || memmem(line, len, ": At top level:", 15))
        return 0;
    if (!strncmp(line, "In file included from", 21) || !strncmp(line, "                 from ", 22))
        return 0;
    return 1;
}

/* Runs cmd through the shell; appends its output (stdout and stderr)
 * line by line, filtered, to msgs. Returns its exit status, -1 if it
 * could not run. */
static int run_filtered(const char *cmd, struct buf *msgs)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    struct buf out = {0};
    buf_read_stream(&out, p);
    int st = pclose(p);
    for (const char *l = out.data ? out.data : ""; *l;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        /* Remarks end in the option that asked for them: drop it. */
        const char *opt = memmem(l, len, " [-R", 4);
        size_t keep = opt && l[len - 1] == ']' ? (size_t)(opt - l) : len;
        if (keep_line(l, len)) {
            buf_add(msgs, l, keep);
            buf_addc(msgs, '\n');
        }
        l += len + (e != NULL);
    }
    buf_free(&out);
    return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* clang places remarks in code under #line at the function ("file.c:2:6:
 * remark: ...") and names the real place in a note that follows ("note:
 * could not determine the original source location for cell[3]:4:5").
 * Rewrites such remarks to that place and drops the notes. */
static void place_remarks(struct buf *msgs)
{
    static const char where[] = "note: could not determine the original source location for ";
    struct buf out = {0};
    const char *remark = NULL;
    size_t remark_len = 0;
    int placed = 0;
    for (const char *l = msgs->data ? msgs->data : ""; *l;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        const char *w = memmem(l, len, where, sizeof where - 1);
        const char *r = memmem(l, len, ": remark: ", 10);
        if (w && remark && !placed) {
            const char *loc = w + sizeof where - 1;
            buf_add(&out, loc, len - (size_t)(loc - l));
            const char *rm = memmem(remark, remark_len, ": remark: ", 10);
            buf_add(&out, rm, remark_len - (size_t)(rm - remark));
            buf_addc(&out, '\n');
            placed = 1;
        } else if (!w) {
            if (remark && !placed) {
                buf_add(&out, remark, remark_len);
                buf_addc(&out, '\n');
            }
            remark = NULL;
            if (r) {
                remark = l;
                remark_len = len;
                placed = 0;
            } else {
                buf_add(&out, l, len);
                buf_addc(&out, '\n');
            }
        }
        l += len + (e != NULL);
    }
    if (remark && !placed) {
        buf_add(&out, remark, remark_len);
        buf_addc(&out, '\n');
    }
    buf_free(msgs);
    *msgs = out;
}

int cc_compile(const char *cmd, const char *opts, const char *unit, const char *dir, struct buf *msgs)
{
    char *src = xasprintf("%s/cell.c", dir);
    int fd = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int ok = fd >= 0 && write_all(fd, unit, strlen(unit)) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok) {
        buf_printf(msgs, "error: cannot write %s\n", src);
        free(src);
        return -1;
    }
    const char *plain = cc_is_clang(cmd) ? "-fno-color-diagnostics -fno-caret-diagnostics"
                                         : "-fdiagnostics-color=never -fno-diagnostics-show-caret";
    char *line = xasprintf("%s %s %s -fPIC -c -o '%s/cell.o' '%s' 2>&1", cmd, plain, opts, dir, src);
    struct buf out = {0};
    int st = run_filtered(line, &out);
    place_remarks(&out);
    if (out.len)
        buf_add(msgs, out.data, out.len);
    buf_free(&out);
    free(line);
    free(src);
    if (st < 0)
        buf_printf(msgs, "error: cannot run the compiler '%s'\n", cmd);
    return st == 0 ? 0 : -1;
}

int cc_precompile(const char *cmd, const char *opts, const char *text, const char *header, const char *pch)
{
    char *src = xasprintf("%s.%d.tmp", header, (int)getpid()), *tmp = xasprintf("%s.%d.tmp", pch, (int)getpid());
    int fd = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int ok = fd >= 0 && write_all(fd, text, strlen(text)) == 0;
    if (fd >= 0 && close(fd) < 0)
        ok = 0;
    ok = ok && rename(src, header) == 0;
    if (ok) {
        char *line = xasprintf("%s %s -fPIC -x c-header -o '%s' '%s' 2>&1", cmd, opts, tmp, header);
        struct buf out = {0};
        ok = run_filtered(line, &out) == 0 && rename(tmp, pch) == 0;
        buf_free(&out);
        free(line);
    }
    if (!ok) {
        unlink(tmp);
        unlink(src);
    }
    free(tmp);
    free(src);
    return ok ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Reading objects                                                     */
/* ------------------------------------------------------------------ */

/* Relocation types that only thread-local storage uses. */
static int is_tls_reloc(unsigned type)
{
    switch (type) {
    case R_X86_64_DTPMOD64: case R_X86_64_DTPOFF64: case R_X86_64_TPOFF64: case R_X86_64_TLSGD:
    case R_X86_64_TLSLD: case R_X86_64_DTPOFF32: case R_X86_64_GOTTPOFF: case R_X86_64_TPOFF32:
    case R_X86_64_GOTPC32_TLSDESC: case R_X86_64_TLSDESC_CALL: case R_X86_64_TLSDESC:
        return 1;
    default:
        return 0;
    }
}

int cc_read_object(const char *obj, struct cc_sym **syms, size_t *n, int *has_tls)
{
    *syms = NULL;
    *n = 0;
    *has_tls = 0;
    size_t len;
    char *data = read_whole_file(obj, &len);
    if (!data)
        return -1;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    if (len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_machine != EM_X86_64 || eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > len) {
        free(data);
        return -1;
    }
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(data + eh->e_shoff);
    for (size_t i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_offset + sh[i].sh_size > len)
            continue;
        if (sh[i].sh_type == SHT_RELA) {
            const Elf64_Rela *r = (const Elf64_Rela *)(data + sh[i].sh_offset);
            for (size_t k = 0; k < sh[i].sh_size / sizeof *r; k++)
                if (is_tls_reloc(ELF64_R_TYPE(r[k].r_info)))
                    *has_tls = 1;
        } else if (sh[i].sh_type == SHT_SYMTAB && sh[i].sh_link < eh->e_shnum) {
            const Elf64_Sym *s = (const Elf64_Sym *)(data + sh[i].sh_offset);
            const char *strtab = data + sh[sh[i].sh_link].sh_offset;
            for (size_t k = 0; k < sh[i].sh_size / sizeof *s; k++) {
                int bind = ELF64_ST_BIND(s[k].st_info);
                if ((bind != STB_GLOBAL && bind != STB_WEAK) || !s[k].st_name)
                    continue;
                int tls = ELF64_ST_TYPE(s[k].st_info) == STT_TLS;
                *has_tls |= tls;
                *syms = xrealloc(*syms, (*n + 1) * sizeof **syms);
                (*syms)[(*n)++] = (struct cc_sym){xstrdup(strtab + s[k].st_name), s[k].st_shndx != SHN_UNDEF, tls};
            }
        }
    }
    free(data);
    return 0;
}

int cc_merge_commons(const char *obj, int (*known)(void *ctx, const char *name), void *ctx)
{
    size_t len;
    char *data = read_whole_file(obj, &len);
    if (!data)
        return -1;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)data;
    int changed = 0;
    if (len >= sizeof *eh && !memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_ident[EI_CLASS] == ELFCLASS64 &&
        eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf64_Shdr) <= len) {
        const Elf64_Shdr *sh = (const Elf64_Shdr *)(data + eh->e_shoff);
        for (size_t i = 0; i < eh->e_shnum; i++) {
            if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_offset + sh[i].sh_size > len || sh[i].sh_link >= eh->e_shnum)
                continue;
            Elf64_Sym *s = (Elf64_Sym *)(data + sh[i].sh_offset);
            const char *strtab = data + sh[sh[i].sh_link].sh_offset;
            for (size_t k = 0; k < sh[i].sh_size / sizeof *s; k++)
                if (s[k].st_shndx == SHN_COMMON && s[k].st_name && known(ctx, strtab + s[k].st_name)) {
                    s[k].st_shndx = SHN_UNDEF;
                    s[k].st_value = 0;
                    s[k].st_size = 0;
                    s[k].st_info = ELF64_ST_INFO(ELF64_ST_BIND(s[k].st_info), STT_NOTYPE);
                    changed = 1;
                }
        }
    }
    int rc = 0;
    if (changed) {
        int fd = open(obj, O_WRONLY | O_TRUNC);
        rc = fd >= 0 && write_all(fd, data, len) == 0 ? 0 : -1;
        if (fd >= 0)
            close(fd);
    }
    free(data);
    return rc;
}

void cc_syms_free(struct cc_sym *syms, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(syms[i].name);
    free(syms);
}

void *cc_load_shared(const char *cmd, const char *obj, const char *dir, const char *link_opts, struct buf *msgs)
{
    char *so = xasprintf("%s/cell.so", dir);
    char *line = xasprintf("%s -shared -o '%s' '%s' %s 2>&1", cmd, so, obj, link_opts);
    int st = run_filtered(line, msgs);
    free(line);
    void *h = NULL;
    if (st == 0) {
        h = dlopen(so, RTLD_NOW | RTLD_GLOBAL);
        if (!h)
            buf_printf(msgs, "error: %s\n", dlerror());
    } else if (st < 0)
        buf_printf(msgs, "error: cannot run the compiler '%s'\n", cmd);
    free(so);
    return h;
}
