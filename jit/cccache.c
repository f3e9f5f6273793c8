/* cccache.c — the on-disk cache of compiled cells (see cccache.h). One
 * folder, cc in parc's cache folder (cache_folder: ~/.cache/parc/cc);
 * KEY.o holds an object and KEY.txt its messages. Files are written under
 * a temporary name and renamed, so sessions sharing the folder never read
 * half a file. */
#include "cccache.h"
#include "util.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Stands for the cell's name in kept messages. */
#define NAME_MARK "\001cell\001"
/* The folder is pruned now and then (see prune): files unused for this
 * long go, and the oldest go while it holds more than CACHE_MAX bytes. */
#define CACHE_AGE_DAYS 30
#define CACHE_MAX (256ll << 20)

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Feeds text to both hashes with every "name" in it (quoted, as #line
 * directives have it) left out. */
static void feed(uint64_t h[2], const char *text, const char *name)
{
    char *quoted = xasprintf("\"%s\"", name);
    size_t qn = strlen(quoted);
    for (const char *p = text;;) {
        const char *q = strstr(p, quoted);
        size_t n = q ? (size_t)(q - p) : strlen(p);
        h[0] = fnv(h[0], p, n);
        h[1] = fnv(h[1], p, n);
        if (!q)
            break;
        h[0] = fnv(h[0], "\"\"", 2);
        h[1] = fnv(h[1], "\"\"", 2);
        p = q + qn;
    }
    h[0] = fnv(h[0], "", 1);
    h[1] = fnv(h[1], "", 1);
    free(quoted);
}

/* The compiler program's size and time of change: an upgraded compiler
 * makes new keys. */
static void feed_program(uint64_t h[2], const char *cmd)
{
    size_t n = strcspn(cmd + strspn(cmd, " \t"), " \t");
    char *prog = xstrndup(cmd + strspn(cmd, " \t"), n);
    const char *path = getenv("PATH");
    char *copy = xstrdup(path ? path : "/usr/bin:/bin");
    struct stat st = {0};
    int found = strchr(prog, '/') && stat(prog, &st) == 0;
    for (char *d = strtok(copy, ":"); d && !found; d = strtok(NULL, ":")) {
        char *f = xasprintf("%s/%s", d, prog);
        found = stat(f, &st) == 0;
        free(f);
    }
    char id[64];
    snprintf(id, sizeof id, "%lld %lld", (long long)st.st_size, (long long)st.st_mtime);
    feed(h, id, "");
    free(copy);
    free(prog);
}

/* Whether the line at l (len bytes) is a directive (not #line) that the
 * cell's part of the unit, from cell on, holds too. */
static int repeated_directive(const char *l, size_t len, const char *cell)
{
    const char *p = l + strspn(l, " \t");
    if (*p != '#' || !strncmp(p + 1 + strspn(p + 1, " \t"), "line", 4))
        return 0;
    for (const char *q = cell; (q = memmem(q, strlen(q), l, len)); q += len)
        if ((q == cell || q[-1] == '\n') && (q[len] == '\n' || !q[len]))
            return 1;
    return 0;
}

/* The unit as the key sees it: the session's copies of directives the
 * cell itself holds are left out. Running a cell again puts its own
 * #defines into the session before it, which changes no code. malloc'd. */
static char *key_text(const char *unit, const char *name)
{
    const char *session = strstr(unit, "\"<session>\"\n");
    char *quoted = xasprintf("\"%s\"", name);
    const char *cell = session ? strstr(session, quoted) : NULL;
    free(quoted);
    if (!cell)
        return xstrdup(unit);
    while (cell > unit && cell[-1] != '\n')
        cell--;
    struct buf b = {0};
    buf_add(&b, unit, (size_t)(session - unit));
    for (const char *l = session; l < cell;) {
        const char *e = memchr(l, '\n', (size_t)(cell - l));
        size_t len = e ? (size_t)(e - l) : (size_t)(cell - l);
        if (!repeated_directive(l, len, cell)) {
            buf_add(&b, l, len);
            buf_addc(&b, '\n');
        }
        l += len + 1;
    }
    buf_adds(&b, cell);
    return buf_take(&b);
}

char *cccache_key(const char *cmd, const char *opts, const char *unit, const char *name)
{
    uint64_t h[2] = {1469598103934665603ULL, 0x9e3779b97f4a7c15ULL};
    feed(h, PARC_VERSION, name);
    feed_program(h, cmd);
    feed(h, cmd, name);
    feed(h, opts, name);
    char *text = key_text(unit, name);
    feed(h, text, name);
    free(text);
    return xasprintf("%016llx%016llx", (unsigned long long)h[0], (unsigned long long)h[1]);
}

/* Copies file from to file to (through a temporary file and a rename when
 * atomic). 0 or -1. */
static int copy_file(const char *from, const char *to, int atomic)
{
    int in = open(from, O_RDONLY);
    if (in < 0)
        return -1;
    char *tmp = atomic ? xasprintf("%s.%d.tmp", to, (int)getpid()) : xstrdup(to);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int ok = out >= 0;
    char b[65536];
    ssize_t n;
    while (ok && (n = read(in, b, sizeof b)) != 0)
        ok = n > 0 && write_all(out, b, (size_t)n) == 0;
    close(in);
    if (out >= 0 && close(out) < 0)
        ok = 0;
    if (ok && atomic && rename(tmp, to) < 0)
        ok = 0;
    if (!ok)
        unlink(tmp);
    free(tmp);
    return ok ? 0 : -1;
}

/* text with every a replaced by b, malloc'd. */
static char *replace(const char *text, const char *a, const char *b)
{
    struct buf out = {0};
    size_t an = strlen(a);
    for (const char *p = text;;) {
        const char *q = *a ? strstr(p, a) : NULL;
        if (!q) {
            buf_adds(&out, p);
            break;
        }
        buf_add(&out, p, (size_t)(q - p));
        buf_adds(&out, b);
        p = q + an;
    }
    return buf_take(&out);
}

char *cccache_path(const char *key, const char *ext)
{
    char *dir = cache_folder("cc");
    if (!dir)
        return NULL;
    char *p = xasprintf("%s/%s.%s", dir, key, ext);
    free(dir);
    return p;
}

/* One file of the folder, for pruning. */
struct entry {
    char *path;
    time_t mtime;
    long long size;
};

static int by_age(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

/* Removes what was not used for CACHE_AGE_DAYS (a use touches the files;
 * a precompiled prelude's header is never touched, so it goes with its
 * .pch), then the oldest files while the folder holds over CACHE_MAX. */
static void prune(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct entry *v = NULL;
    size_t n = 0;
    long long total = 0;
    time_t old = time(NULL) - (time_t)CACHE_AGE_DAYS * 86400;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || (len > 2 && !strcmp(e->d_name + len - 2, ".h")))
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) < 0) {
            free(path);
            continue;
        }
        v = xrealloc(v, (n + 1) * sizeof *v);
        v[n++] = (struct entry){path, st.st_mtime, (long long)st.st_size};
        total += st.st_size;
    }
    closedir(d);
    qsort(v, n, sizeof *v, by_age);
    for (size_t i = 0; i < n; i++) {
        if (v[i].mtime < old || total > CACHE_MAX) {
            unlink(v[i].path);
            total -= v[i].size;
            size_t len = strlen(v[i].path);
            if (len > 4 && !strcmp(v[i].path + len - 4, ".pch")) {
                strcpy(v[i].path + len - 3, "h");
                unlink(v[i].path);
            }
        }
        free(v[i].path);
    }
    free(v);
}

void cccache_touch(const char *path)
{
    if (path)
        utimes(path, NULL);
}

int cccache_get(const char *key, const char *obj, const char *name, struct buf *msgs)
{
    char *dir = cache_folder("cc");
    if (!dir)
        return -1;
    char *o = xasprintf("%s/%s.o", dir, key), *t = xasprintf("%s/%s.txt", dir, key);
    int rc = -1;
    FILE *f = fopen(t, "r");
    if (f && copy_file(o, obj, 0) == 0) {
        struct buf m = {0};
        buf_read_stream(&m, f);
        char *named = replace(m.data ? m.data : "", NAME_MARK, name);
        buf_adds(msgs, named);
        free(named);
        buf_free(&m);
        utimes(o, NULL);
        utimes(t, NULL);
        rc = 0;
    }
    if (f)
        fclose(f);
    free(o);
    free(t);
    free(dir);
    return rc;
}

void cccache_put(const char *key, const char *obj, const char *name, const char *msgs)
{
    char *dir = cache_folder("cc");
    if (!dir)
        return;
    char *o = xasprintf("%s/%s.o", dir, key), *t = xasprintf("%s/%s.txt", dir, key);
    char *tmp = xasprintf("%s.%d.tmp", t, (int)getpid());
    char *marked = replace(msgs ? msgs : "", name, NAME_MARK);
    /* The object first: a messages file means both are complete. */
    if (copy_file(obj, o, 1) == 0) {
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int ok = fd >= 0 && write_all(fd, marked, strlen(marked)) == 0;
        if (fd >= 0 && close(fd) < 0)
            ok = 0;
        if (!ok || rename(tmp, t) < 0)
            unlink(tmp);
    }
    free(marked);
    free(tmp);
    free(o);
    free(t);
    if (!strncmp(key, "00", 2)) /* one put in 256 */
        prune(dir);
    free(dir);
}
