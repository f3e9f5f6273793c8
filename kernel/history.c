/* history.c — see history.h. Entries live in memory (the newest
 * KHIST_KEEP of the file plus this session's); the file is append-only, one
 * JSON object per line, so concurrent kernels never corrupt each other's
 * lines. */
#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define KHIST_KEEP 10000

struct entry {
    int session, line;
    char *input, *output;
};

struct khist {
    struct entry *e;
    size_t n, cap;
    int session;
    int fd; /* the file, opened for appending, or -1 */
};

static void push(struct khist *h, int session, int line, const char *in, const char *out)
{
    if (h->n == h->cap)
        h->e = xrealloc(h->e, (h->cap = h->cap ? 2 * h->cap : 64) * sizeof *h->e);
    h->e[h->n++] = (struct entry){session, line, xstrdup(in), out ? xstrdup(out) : NULL};
}

/* Drops the oldest entries beyond KHIST_KEEP. */
static void trim(struct khist *h)
{
    if (h->n <= KHIST_KEEP)
        return;
    size_t drop = h->n - KHIST_KEEP;
    for (size_t i = 0; i < drop; i++) {
        free(h->e[i].input);
        free(h->e[i].output);
    }
    memmove(h->e, h->e + drop, KHIST_KEEP * sizeof *h->e);
    h->n = KHIST_KEEP;
}

/* Creates the directories leading to path. */
static void make_parents(const char *path)
{
    char *p = xstrdup(path), *slash = strrchr(p, '/');
    if (slash && slash != p) {
        *slash = 0;
        mkdir_p(p, 0700);
    }
    free(p);
}

static void load(struct khist *h, FILE *f)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        json_t *o = json_loadb(line, (size_t)len, 0, NULL);
        json_t *s = json_object_get(o, "session"), *l = json_object_get(o, "line");
        json_t *in = json_object_get(o, "input"), *out = json_object_get(o, "output");
        if (json_is_integer(s) && json_is_integer(l) && json_is_string(in)) {
            int sess = (int)json_integer_value(s);
            push(h, sess, (int)json_integer_value(l), json_string_value(in),
                 json_is_string(out) ? json_string_value(out) : NULL);
            if (sess >= h->session)
                h->session = sess + 1;
            if (h->n > 2 * KHIST_KEEP)
                trim(h);
        }
        json_decref(o);
    }
    free(line);
    trim(h);
}

struct khist *khist_open(const char *path, char **warning)
{
    struct khist *h = xcalloc(1, sizeof *h);
    h->session = 1;
    h->fd = -1;
    if (warning)
        *warning = NULL;
    if (!path || !*path)
        return h;
    make_parents(path);
    FILE *f = fopen(path, "r");
    if (f) {
        load(h, f);
        fclose(f);
    }
    h->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (h->fd < 0 && warning)
        *warning = xasprintf("history file %s: %s; history is kept in memory only", path,
                             strerror(errno));
    return h;
}

void khist_free(struct khist *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++) {
        free(h->e[i].input);
        free(h->e[i].output);
    }
    free(h->e);
    if (h->fd >= 0)
        close(h->fd);
    free(h);
}

char *khist_default_path(void)
{
    const char *env = getenv("PARC_KERNEL_HISTORY");
    if (env)
        return *env ? xstrdup(env) : NULL;
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && *xdg == '/')
        return xasprintf("%s/parc/kernel-history.jsonl", xdg);
    const char *home = getenv("HOME");
    if (home && *home)
        return xasprintf("%s/.local/share/parc/kernel-history.jsonl", home);
    return NULL;
}

int khist_session(const struct khist *h)
{
    return h->session;
}

void khist_add(struct khist *h, int line, const char *input, const char *output)
{
    push(h, h->session, line, input, output);
    trim(h);
    if (h->fd < 0)
        return;
    json_t *o = json_pack("{s:i, s:i, s:s, s:s?}", "session", h->session, "line", line,
                          "input", input, "output", output);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    if (s) {
        size_t n = strlen(s);
        s[n] = '\n'; /* replaces the NUL: one write, one line */
        (void)!write_all(h->fd, s, n + 1);
    }
    free(s);
    json_decref(o);
}

static json_t *row(const struct entry *e, int output)
{
    if (output)
        return json_pack("[i, i, [s, s?]]", e->session, e->line, e->input, e->output);
    return json_pack("[i, i, s]", e->session, e->line, e->input);
}

/* An array of the rows of entries e[i] for the indices in idx[0..n). */
static json_t *rows(const struct khist *h, const size_t *idx, size_t n, int output)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *r = row(&h->e[idx[i]], output);
        if (r)
            json_array_append_new(a, r);
    }
    return a;
}

json_t *khist_tail(const struct khist *h, long n, int output)
{
    size_t from = n > 0 && (size_t)n < h->n ? h->n - (size_t)n : 0;
    json_t *a = json_array();
    if (n <= 0)
        return a;
    for (size_t i = from; i < h->n; i++) {
        json_t *r = row(&h->e[i], output);
        if (r)
            json_array_append_new(a, r);
    }
    return a;
}

json_t *khist_range(const struct khist *h, long session, long start, long stop, int output)
{
    if (session <= 0)
        session += h->session;
    json_t *a = json_array();
    for (size_t i = 0; i < h->n; i++) {
        const struct entry *e = &h->e[i];
        if (e->session != session || e->line < start || (stop > 0 && e->line >= stop))
            continue;
        json_t *r = row(e, output);
        if (r)
            json_array_append_new(a, r);
    }
    return a;
}

json_t *khist_search(const struct khist *h, const char *pattern, long n, int unique, int output)
{
    size_t *idx = xmalloc((h->n ? h->n : 1) * sizeof *idx), k = 0;
    /* Newest first, so that unique keeps the latest of each input. */
    for (size_t i = h->n; i-- > 0;) {
        if (fnmatch(pattern, h->e[i].input, 0) != 0)
            continue;
        int dup = 0;
        for (size_t j = 0; unique && !dup && j < k; j++)
            dup = strcmp(h->e[idx[j]].input, h->e[i].input) == 0;
        if (dup)
            continue;
        idx[k++] = i;
        if (n > 0 && k == (size_t)n)
            break;
    }
    for (size_t i = 0; i < k / 2; i++) {
        size_t t = idx[i];
        idx[i] = idx[k - 1 - i];
        idx[k - 1 - i] = t;
    }
    json_t *a = rows(h, idx, k, output);
    free(idx);
    return a;
}
