/* prelude.c — flattened common headers (see prelude.h). Measured: a cell
 * that #includes six standard headers compiles in ~4 ms with libtcc; the
 * same declarations flattened, with their macros, take ~1 ms. */
#include "prelude.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const prelude_headers[] = {"stdio.h", "stdlib.h", "string.h", "math.h",
                                       "stdint.h", "stdbool.h", "parc.h", NULL};

#ifndef PARC_TCC_PROGRAM
#define PARC_TCC_PROGRAM "tcc"
#endif

/* Runs cmd and returns its standard output, or NULL. */
static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return NULL;
    struct buf b = {0};
    buf_read_stream(&b, p);
    if (pclose(p) != 0) {
        buf_free(&b);
        return NULL;
    }
    return buf_take(&b);
}

/* Whether the #define line at p names a macro listed in builtins. */
static int is_builtin(const char *line, size_t len, const char *builtins)
{
    const char *name = line + 8; /* after "#define " */
    size_t n = 0;
    while (name + n < line + len && name[n] != ' ' && name[n] != '(')
        n++;
    char key[256];
    if (n + 10 >= sizeof key)
        return 0;
    snprintf(key, sizeof key, "#define %.*s", (int)n, name);
    for (const char *q = builtins; (q = strstr(q, key)); q++) {
        char after = q[strlen(key)];
        if ((q == builtins || q[-1] == '\n') && (after == ' ' || after == '(' || after == '\n'))
            return 1;
    }
    return 0;
}

int prelude_system_include(const char *text, char *name, size_t cap)
{
    const char *p = text;
    if (*p++ != '#')
        return 0;
    while (*p == ' ' || *p == '\t')
        p++;
    if (strncmp(p, "include", 7))
        return 0;
    p += 7;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != '<')
        return 0;
    const char *e = strchr(p, '>');
    if (!e || (size_t)(e - p) + 1 > cap || e == p)
        return 0;
    memcpy(name, p, (size_t)(e - p));
    name[e - p] = 0;
    return 1;
}

char *prelude_build(const char *rt_include, const char *sys_dir, char *const *extra, size_t nextra,
                    struct buf *err)
{
    char src[] = "/tmp/parc-prelude-XXXXXX.c";
    int fd = mkstemps(src, 2);
    if (fd < 0) {
        buf_printf(err, "cannot create a temporary file for the prelude");
        return NULL;
    }
    struct buf text = {0};
    for (int i = 0; prelude_headers[i]; i++)
        buf_printf(&text, "#include <%s>\n", prelude_headers[i]);
    for (size_t i = 0; i < nextra; i++)
        buf_printf(&text, "#include <%s>\n", extra[i]);
    int ok = write_all(fd, text.data, text.len) == 0;
    close(fd);
    buf_free(&text);
    char empty[] = "/tmp/parc-empty-XXXXXX.c";
    int efd = mkstemps(empty, 2);
    if (efd >= 0)
        close(efd);
    char *decls = NULL, *macros = NULL, *builtins = NULL;
    if (ok && efd >= 0) {
        char *dirs = sys_dir ? xasprintf("-I'%s' -isystem '%s'", rt_include, sys_dir) : xasprintf("-I'%s'", rt_include);
        char *cmd = xasprintf(PARC_TCC_PROGRAM " -E -P %s %s 2>/dev/null", dirs, src);
        decls = run(cmd);
        free(cmd);
        cmd = xasprintf(PARC_TCC_PROGRAM " -E -dM %s %s 2>/dev/null", dirs, src);
        free(dirs);
        macros = run(cmd);
        free(cmd);
        cmd = xasprintf(PARC_TCC_PROGRAM " -E -dM %s 2>/dev/null", empty);
        builtins = run(cmd);
        free(cmd);
    }
    unlink(src);
    if (efd >= 0)
        unlink(empty);
    if (!decls || !macros || !builtins) {
        buf_printf(err, "cannot preprocess the standard headers with '" PARC_TCC_PROGRAM
                        "' (is Debian's tcc package installed?)");
        free(decls);
        free(macros);
        free(builtins);
        return NULL;
    }
    struct buf out = {0};
    buf_adds(&out, "#line 1 \"<prelude>\"\n");
    buf_adds(&out, decls);
    buf_addc(&out, '\n');
    for (char *line = macros; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        /* tcc -dM replays #undef too: keep both, in order. */
        int def = len > 8 && !strncmp(line, "#define ", 8) && !is_builtin(line, len, builtins);
        /* glibc defines __attribute__ away for compilers it does not know;
         * TinyCC knows it, and a cell's aligned(64) must not be dropped. */
        if (def && !strncmp(line, "#define __attribute__(", 22))
            def = 0;
        int undef = len > 7 && !strncmp(line, "#undef ", 7);
        if (def || undef) {
            buf_add(&out, line, len);
            buf_addc(&out, '\n');
        }
        line += len + (nl != NULL);
    }
    free(decls);
    free(macros);
    free(builtins);
    return buf_take(&out);
}
