/* shell.c — %cd, %pwd and %env (see shell.h). */
#include "shell.h"
#include "magic.h"
#include "textutil.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

char **shell_words(struct magic_call *c, const char *args, int *n)
{
    char **v = xmalloc(sizeof *v);
    *n = 0;
    v[0] = NULL;
    for (const char *p = args;;) {
        p += strspn(p, " \t");
        if (!*p)
            return v;
        struct buf w = {0};
        buf_adds(&w, "");
        while (*p && *p != ' ' && *p != '\t') {
            char q = *p;
            if (q == '\\') {
                if (p[1])
                    p++;
                buf_addc(&w, *p++);
            } else if (q == '\'' || q == '"') {
                const char *s = ++p;
                while (*p && *p != q) {
                    /* In double quotes a backslash keeps only " and \ as they are. */
                    if (q == '"' && *p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    buf_addc(&w, *p++);
                }
                if (!*p) {
                    magic_usage(c, "the %s quote before '%s' is not closed", q == '"' ? "double" : "single", s);
                    buf_free(&w);
                    strv_free(v, (size_t)*n);
                    return NULL;
                }
                p++;
            } else
                buf_addc(&w, *p++);
        }
        v = xrealloc(v, (size_t)(*n + 2) * sizeof *v);
        v[(*n)++] = buf_take(&w);
        v[*n] = NULL;
    }
}

char *shell_home(const char *word)
{
    if (word[0] == '~' && (word[1] == '/' || !word[1]) && getenv("HOME"))
        return xasprintf("%s%s", getenv("HOME"), word + 1);
    return xstrdup(word);
}

char *shell_path_arg(struct magic_call *c, const char *arg, const char *what)
{
    int n;
    char **w = shell_words(c, arg, &n);
    char *path = NULL;
    if (!w)
        return NULL;
    if (n == 0)
        magic_usage(c, "needs a %s", what);
    else if (n > 1)
        magic_usage(c, "'%s' is more than one %s: put quotes around a name with spaces", arg, what);
    else
        path = shell_home(w[0]);
    strv_free(w, (size_t)n);
    return path;
}

int shell_magic_cd(struct magic_call *c)
{
    char *dir;
    if (!c->args[0]) {
        const char *home = getenv("HOME");
        dir = xstrdup(home ? home : "/");
    } else if (!strcmp(c->args, "-")) {
        const char *old = getenv("OLDPWD");
        if (!old)
            return magic_error(c, "-: there is no directory before this one");
        dir = xstrdup(old);
    } else if (!(dir = shell_path_arg(c, c->args, "directory")))
        return -1;
    char *before = getcwd(NULL, 0);
    if (chdir(dir) < 0) {
        magic_error(c, "%s: %s", dir, strerror(errno));
        free(dir);
        free(before);
        return -1;
    }
    free(dir);
    char *now = getcwd(NULL, 0);
    if (before)
        setenv("OLDPWD", before, 1);
    if (now) {
        setenv("PWD", now, 1);
        printf("%s\n", now);
    }
    free(before);
    free(now);
    return 0;
}

int shell_magic_pwd(struct magic_call *c)
{
    if (magic_no_args(c) < 0)
        return -1;
    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        return magic_error(c, "%s", strerror(errno));
    printf("%s\n", cwd);
    free(cwd);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void list_env(void)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **v = xmalloc((n + 1) * sizeof *v);
    memcpy(v, environ, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_str);
    for (size_t i = 0; i < n; i++)
        printf("%s\n", v[i]);
    free(v);
}

int shell_magic_env(struct magic_call *c)
{
    char *a = c->args;
    if (!a[0]) {
        list_env();
        return 0;
    }
    char *p = a;
    while (text_word_char(*p))
        p++;
    if (p == a || isdigit((unsigned char)a[0]) || (*p && *p != '=' && *p != ' ' && *p != '\t')) {
        size_t n = strcspn(a, " \t=");
        return magic_usage(c, "'%.*s' is not a variable name", (int)(n ? n : strlen(a)), a);
    }
    if (!*p) {
        const char *v = getenv(a);
        if (!v)
            return magic_error(c, "%s is not set", a);
        printf("%s\n", v);
        return 0;
    }
    /* NAME=VALUE or NAME VALUE: the value is the rest, as written. */
    char *value = p + 1;
    if (*p != '=')
        value += strspn(value, " \t");
    if (*p != '=' && *value == '=')
        value += 1 + strspn(value + 1, " \t"); /* NAME = VALUE */
    *p = 0;
    if (setenv(a, value, 1) < 0)
        return magic_error(c, "%s", strerror(errno));
    printf("env: %s=%s\n", a, value);
    return 0;
}
