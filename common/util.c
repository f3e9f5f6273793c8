/* util.c — see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
    static const char msg[] = "parc: out of memory\n";
    (void)!write(2, msg, sizeof msg - 1);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    struct buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return buf_take(&b);
}

static void buf_grow(struct buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
    buf_grow(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
    buf_add(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    buf_grow(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *buf_take(struct buf *b)
{
    buf_grow(b, 0);
    char *p = b->data;
    p[b->len] = 0; /* a buffer never written to has no terminator yet */
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int read_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t r = read(fd, c, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

long long parse_size(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v >= 0)) /* nan too */
        return -1;
    long long mult = 1;
    switch (*end) {
    case 0: break;
    case 'k': case 'K': mult = 1LL << 10; end++; break;
    case 'm': case 'M': mult = 1LL << 20; end++; break;
    case 'g': case 'G': mult = 1LL << 30; end++; break;
    default: return -1;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    double bytes = v * (double)mult;
    /* Under one byte is no size, not 0 (which callers read as "no limit"). */
    return *end || bytes >= 9e18 || (bytes > 0 && bytes < 1) ? -1 : (long long)bytes;
}

int mkdir_p(const char *path, unsigned mode)
{
    char *p = xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, mode) != 0 && errno != EEXIST)
            rc = -1;
        *s = c;
        if (c == '\0')
            break;
    }
    struct stat st;
    if (rc == 0 && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = -1;
    free(p);
    return rc;
}

/* Why path cannot hold parc's cache, or NULL when it is a folder of this
 * user's alone: owned by the effective uid, not writable by group or
 * others. A cache holds objects that parc loads and runs, so a folder
 * another user can write to (or made first, in /tmp) must not be one.
 * follow: a symbolic link at path counts as its target (a link the user
 * made in a folder of their own); else it is refused. */
static const char *cache_unsafe(const char *path, int follow)
{
    struct stat st;
    if ((follow ? stat(path, &st) : lstat(path, &st)) != 0)
        return "cannot be read";
    if (S_ISLNK(st.st_mode))
        return "is a symbolic link";
    if (!S_ISDIR(st.st_mode))
        return "is not a folder";
    if (st.st_uid != geteuid())
        return "belongs to another user";
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return "is writable by other users";
    return NULL;
}

char *cache_folder(const char *sub)
{
    /* Said once per process: every cell built by clang asks again. */
    static int warned;
    const char *env = getenv("PARC_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    const char *tmp = getenv("TMPDIR");
    if (env && !strcmp(env, "off"))
        return NULL;
    /* XDG_CACHE_HOME, HOME and TMPDIR count only as absolute paths (XDG's
     * rule). The last resort's name is predictable: another user may have
     * made it, or a link by its name, before parc. */
    int shared_tmp = !(env && *env) && !(xdg && xdg[0] == '/') && !(home && home[0] == '/');
    char *root = env && *env ? xstrdup(env)
                 : xdg && xdg[0] == '/' ? xasprintf("%s/parc", xdg)
                 : home && home[0] == '/' ? xasprintf("%s/.cache/parc", home)
                                          : xasprintf("%s/parc-cache-%d", tmp && tmp[0] == '/' ? tmp : "/tmp",
                                                      (int)getuid());
    /* Made by mkdir alone in TMPDIR: mkdir_p would follow a link there. */
    if (shared_tmp ? mkdir(root, 0700) != 0 && errno != EEXIST : mkdir_p(root, 0700) < 0) {
        free(root);
        return NULL;
    }
    const char *why = cache_unsafe(root, !shared_tmp);
    if (why) {
        if (!warned++)
            fprintf(stderr, "parc: caching nothing: the cache folder %s %s\n", root, why);
        free(root);
        return NULL;
    }
    char *dir = sub ? xasprintf("%s/%s", root, sub) : xstrdup(root);
    free(root);
    if (mkdir_p(dir, 0700) < 0) {
        free(dir);
        return NULL;
    }
    return dir;
}

int buf_read_stream(struct buf *b, FILE *f)
{
    char tmp[8192];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        buf_add(b, tmp, n);
    return ferror(f) ? -1 : 0;
}

char *read_whole_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *data = NULL;
    if (fstat(fd, &st) == 0) {
        data = xmalloc((size_t)st.st_size + 1);
        if (read_all(fd, data, (size_t)st.st_size) < 0) {
            free(data);
            data = NULL;
        } else {
            data[st.st_size] = 0;
            if (len)
                *len = (size_t)st.st_size;
        }
    }
    close(fd);
    return data;
}

void buf_read_fd(struct buf *b, int fd)
{
    char tmp[4096];
    ssize_t n;
    while ((n = read(fd, tmp, sizeof tmp)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            buf_add(b, tmp, (size_t)n);
}
