/* files.c — %%writefile, %load and %run (see files.h). */
#include "files.h"
#include "magic.h"
#include "shell.h"
#include "textutil.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int files_magic_writefile(struct magic_call *c)
{
    char *a = c->args;
    int append = 0;
    if (!strncmp(a, "-a", 2) && (a[2] == ' ' || a[2] == '\t')) {
        append = 1;
        a += 2 + strspn(a + 2, " \t");
    }
    if (!strcmp(a, "-a"))
        return magic_usage(c, "needs a file name");
    if (a[0] == '-')
        return magic_usage(c, "unknown option '%.*s'", (int)strcspn(a, " \t"), a);
    char *path = shell_path_arg(c, a, "file name");
    if (!path)
        return -1;
    FILE *f = fopen(path, append ? "a" : "w");
    if (!f) {
        magic_error(c, "cannot write %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    size_t n = strlen(c->body);
    int ok = fwrite(c->body, 1, n, f) == n;
    if (ok && n && c->body[n - 1] != '\n')
        ok = fputc('\n', f) != EOF;
    if (fclose(f) != 0)
        ok = 0;
    if (!ok) {
        magic_error(c, "cannot write %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    /* IPython's words, with the name as the user wrote it, unquoted. */
    int nw;
    char **w = shell_words(c, a, &nw);
    printf("%s %s\n", append ? "Appending to" : "Writing", w[0]);
    strv_free(w, (size_t)nw);
    free(path);
    c->no_compile = 1;
    return 0;
}

/* The text of the file at path into c->code, its lines kept. 0, or -1. */
static int load_file(struct magic_call *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return magic_error(c, "cannot read %s: %s", path, strerror(errno));
    buf_read_stream(c->code, f);
    fclose(f);
    if (!c->code->len)
        buf_addc(c->code, ' '); /* an empty file: still a line */
    c->keep_lines = 1;
    c->source = path;
    return 0;
}

int files_magic_load(struct magic_call *c)
{
    char *path = shell_path_arg(c, c->args, "file name");
    if (!path)
        return -1;
    int rc = load_file(c, path);
    if (rc == 0) {
        /* The name as written, unquoted; c->source must live until the
         * framework has copied it. */
        int n;
        char **w = shell_words(c, c->args, &n);
        strcpy(c->args, w[0]);
        strv_free(w, (size_t)n);
        c->source = c->args;
    }
    free(path);
    return rc;
}

/* Skips a comment, string or character literal at p; returns where it
 * ends, or p when there is none. */
static const char *skip_literal(const char *p)
{
    if (p[0] == '/' && p[1] == '/')
        return p + strcspn(p, "\n");
    if (p[0] == '/' && p[1] == '*') {
        const char *e = strstr(p + 2, "*/");
        return e ? e + 2 : p + strlen(p);
    }
    if (*p == '"' || *p == '\'') {
        const char *q = p + 1;
        while (*q && *q != *p && *q != '\n')
            q += q[0] == '\\' && q[1] ? 2 : 1;
        return *q == *p ? q + 1 : q;
    }
    return p;
}

/* Whether code defines or declares main at file scope: 0 no, 1 main(void),
 * 2 main with parameters. */
static int find_main(const char *code)
{
    int depth = 0;
    for (const char *p = code; *p;) {
        const char *e = skip_literal(p);
        if (e != p) {
            p = e;
            continue;
        }
        if (*p == '{' || *p == '}') {
            depth += *p == '{' ? 1 : -1;
            p++;
            continue;
        }
        if (isalpha((unsigned char)*p) || *p == '_') {
            const char *s = p;
            while (text_word_char(*p))
                p++;
            if (depth == 0 && p - s == 4 && !strncmp(s, "main", 4)) {
                const char *q = p + strspn(p, " \t\n");
                if (*q == '(') {
                    q += 1 + strspn(q + 1, " \t\n");
                    return *q == ')' || (!strncmp(q, "void", 4) && q[4 + strspn(q + 4, " \t\n")] == ')') ? 1 : 2;
                }
            }
            continue;
        }
        p++;
    }
    return 0;
}

/* A C string literal for s. */
static void add_string(struct buf *b, const char *s)
{
    buf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_addc(b, '\\');
        buf_addc(b, *s);
    }
    buf_addc(b, '"');
}

int files_magic_run(struct magic_call *c)
{
    int argc;
    char **argv = shell_words(c, c->args, &argc);
    if (!argv)
        return -1;
    int rc = -1;
    if (argc == 0)
        magic_usage(c, "needs a file name");
    else {
        char *path = shell_home(argv[0]);
        rc = load_file(c, path);
        free(path);
    }
    int m = rc == 0 ? find_main(c->code->data) : 0;
    if (m) {
        /* On its own line after the file's, numbered as the file's next. */
        if (c->code->data[c->code->len - 1] != '\n')
            buf_addc(c->code, '\n');
        buf_adds(c->code, "{ static char *__parc_argv[] = {");
        for (int i = 0; i < argc; i++) {
            add_string(c->code, argv[i]);
            buf_adds(c->code, ", ");
        }
        buf_printf(c->code,
                   "0}; int __parc_status = main(%s); if (__parc_status) "
                   "fprintf(stderr, \"%%s: main returned %%d\\n\", __parc_argv[0], __parc_status); }",
                   m == 1 ? "" : "sizeof __parc_argv / sizeof *__parc_argv - 1, __parc_argv");
    }
    if (rc == 0) {
        strcpy(c->args, argv[0]); /* names the file; lives until the framework copies it */
        c->source = c->args;
    }
    strv_free(argv, (size_t)argc);
    return rc;
}
