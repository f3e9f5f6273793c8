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

char *shell_path_arg(const char *arg, const char *cell, const char *usage, struct buf *err)
{
    size_t n = strlen(arg);
    char *word;
    if (n >= 2 && (arg[0] == '"' || arg[0] == '\'') && arg[n - 1] == arg[0])
        word = xstrndup(arg + 1, n - 2);
    else if (!arg[0] || strpbrk(arg, " \t")) {
        buf_printf(err, "%s: usage: %s\n", cell, usage);
        return NULL;
    } else
        word = xstrdup(arg);
    if (word[0] == '~' && (word[1] == '/' || !word[1]) && getenv("HOME")) {
        char *home = xasprintf("%s%s", getenv("HOME"), word + 1);
        free(word);
        word = home;
    }
    return word;
}

int shell_magic_cd(struct magic_call *c)
{
    static const char usage[] = "%cd [DIR]   (no DIR: home; -: the directory before)";
    char *dir;
    if (!c->args[0]) {
        const char *home = getenv("HOME");
        dir = xstrdup(home ? home : "/");
    } else if (!strcmp(c->args, "-")) {
        const char *old = getenv("OLDPWD");
        if (!old) {
            buf_printf(c->err, "%s: %%cd -: no directory before this one\n", c->cell);
            return -1;
        }
        dir = xstrdup(old);
    } else if (!(dir = shell_path_arg(c->args, c->cell, usage, c->err)))
        return -1;
    char *before = getcwd(NULL, 0);
    if (chdir(dir) < 0) {
        buf_printf(c->err, "%s: %%cd: %s: %s\n", c->cell, dir, strerror(errno));
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
    if (c->args[0]) {
        buf_printf(c->err, "%s: usage: %%pwd\n", c->cell);
        return -1;
    }
    char *cwd = getcwd(NULL, 0);
    if (!cwd) {
        buf_printf(c->err, "%s: %%pwd: %s\n", c->cell, strerror(errno));
        return -1;
    }
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
    static const char usage[] = "usage: %env [NAME[=VALUE]]   (or %env NAME VALUE)";
    char *a = c->args;
    if (!a[0]) {
        list_env();
        return 0;
    }
    char *p = a;
    while (text_word_char(*p))
        p++;
    if (p == a || isdigit((unsigned char)a[0]) || (*p && *p != '=' && *p != ' ' && *p != '\t')) {
        buf_printf(c->err, "%s: %s\n", c->cell, usage);
        return -1;
    }
    if (!*p) {
        const char *v = getenv(a);
        if (!v) {
            buf_printf(c->err, "%s: %%env: %s is not set\n", c->cell, a);
            return -1;
        }
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
    if (setenv(a, value, 1) < 0) {
        buf_printf(c->err, "%s: %%env: %s\n", c->cell, strerror(errno));
        return -1;
    }
    printf("env: %s=%s\n", a, value);
    return 0;
}
