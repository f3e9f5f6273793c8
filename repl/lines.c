/* lines.c — see lines.h. A terminal in canonical mode hands out one line
 * per read(), so nothing typed ahead is swallowed; for pipes the buffer
 * keeps what follows the current line for the next call. */
#include "lines.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct lines {
    int fd;
    int tty;
    int eof;
    volatile sig_atomic_t *stop;
    struct buf buf; /* bytes read, not yet handed out, start at pos */
    size_t pos;
};

struct lines *lines_open(int fd, volatile sig_atomic_t *stop)
{
    struct lines *l = xcalloc(1, sizeof *l);
    l->fd = fd;
    l->tty = isatty(fd);
    l->stop = stop;
    return l;
}

/* Hands out the first n bytes after pos as a new string. */
static void take(struct lines *l, size_t n, char **line, size_t *len)
{
    *line = xstrndup(l->buf.data + l->pos, n);
    *len = n;
    l->pos += n;
    if (l->pos == l->buf.len) {
        buf_reset(&l->buf);
        l->pos = 0;
    }
}

/* Waits for input and appends what one read() gives. 1 read something,
 * 0 end of file, -1 stopped. */
static int fill(struct lines *l)
{
    for (;;) {
        struct pollfd p = {.fd = l->fd, .events = POLLIN};
        /* poll is never restarted after a signal handler, so Ctrl-C is seen
         * here even when the handler was installed with SA_RESTART. */
        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR) {
                if (l->stop && *l->stop)
                    return -1;
                continue;
            }
            return 0;
        }
        char tmp[4096];
        ssize_t n = read(l->fd, tmp, sizeof tmp);
        if (n > 0) {
            buf_add(&l->buf, tmp, (size_t)n);
            return 1;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            if (l->stop && *l->stop)
                return -1;
            continue;
        }
        return 0;
    }
}

enum lines_result lines_get(struct lines *l, char **line, size_t *len)
{
    for (;;) {
        char *start = l->buf.data + l->pos;
        size_t have = l->buf.len - l->pos;
        char *nl = have ? memchr(start, '\n', have) : NULL;
        if (nl) {
            take(l, (size_t)(nl - start) + 1, line, len);
            return LINES_OK;
        }
        if (l->eof) {
            if (have) {
                take(l, have, line, len);
                return LINES_OK;
            }
            return LINES_EOF;
        }
        int r = fill(l);
        if (r < 0)
            return LINES_STOPPED;
        if (r == 0) {
            if (have) {
                take(l, have, line, len);
                return LINES_OK;
            }
            /* Ctrl-D on a terminal ends this read only. */
            l->eof = !l->tty;
            return LINES_EOF;
        }
    }
}

void lines_free(struct lines *l)
{
    if (!l)
        return;
    buf_free(&l->buf);
    free(l);
}
