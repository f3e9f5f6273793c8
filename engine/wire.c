/* wire.c — frames on pipes; see wire.h. */
#include "wire.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put32(char *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint32_t get32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

int wire_send(int fd, int type, size_t n, const char *const *fields, const size_t *lens)
{
    size_t total = 5;
    size_t len[WIRE_MAX_FIELDS];
    if (n > WIRE_MAX_FIELDS)
        return -1;
    for (size_t i = 0; i < n; i++) {
        len[i] = (!lens || lens[i] == (size_t)-1) ? strlen(fields[i]) : lens[i];
        total += 4 + len[i];
    }
    if (total > WIRE_MAX_FRAME)
        return -1;
    char small[4096];
    char *p = total <= sizeof small ? small : malloc(total);
    if (!p)
        return -1;
    put32(p, (uint32_t)(total - 4));
    p[4] = (char)type;
    size_t o = 5;
    for (size_t i = 0; i < n; i++) {
        put32(p + o, (uint32_t)len[i]);
        memcpy(p + o + 4, fields[i], len[i]);
        o += 4 + len[i];
    }
    int rc = write_all(fd, p, total);
    if (p != small)
        free(p);
    return rc;
}

int wire_sendv(int fd, int type, ...)
{
    const char *f[WIRE_MAX_FIELDS];
    size_t n = 0;
    va_list ap;
    va_start(ap, type);
    for (const char *s; n < WIRE_MAX_FIELDS && (s = va_arg(ap, const char *));)
        f[n++] = s;
    va_end(ap);
    return wire_send(fd, type, n, f, NULL);
}

/* Splits payload (type byte + fields) into f; takes ownership of data. */
static int decode(char *data, size_t len, struct frame *f)
{
    memset(f, 0, sizeof *f);
    f->data = data;
    if (len < 1)
        return -1;
    f->type = (unsigned char)data[0];
    size_t o = 1;
    while (o < len) {
        if (len - o < 4 || f->nfield >= WIRE_MAX_FIELDS)
            return -1;
        uint32_t l = get32(data + o);
        if (l > len - o - 4)
            return -1;
        /* Shift the field left over its length prefix to NUL-terminate it. */
        memmove(data + o, data + o + 4, l);
        data[o + l] = 0;
        f->field[f->nfield] = data + o;
        f->flen[f->nfield] = l;
        f->nfield++;
        o += 4 + l;
    }
    return 0;
}

int wire_recv(int fd, struct frame *f)
{
    char hdr[4];
    memset(f, 0, sizeof *f);
    if (read_all(fd, hdr, 4) < 0)
        return -1;
    uint32_t len = get32(hdr);
    if (len < 1 || len > WIRE_MAX_FRAME)
        return -1;
    char *data = malloc(len + 1);
    if (!data)
        return -1;
    if (read_all(fd, data, len) < 0) {
        free(data);
        return -1;
    }
    data[len] = 0;
    if (decode(data, len, f) < 0) {
        frame_free(f);
        return -1;
    }
    return 0;
}

void frame_free(struct frame *f)
{
    if (!f)
        return;
    free(f->data);
    f->data = NULL;
    f->nfield = 0;
}

long wire_fill(struct wire_reader *r, int fd)
{
    if (r->cap - r->len < 65536) {
        r->cap = r->cap ? r->cap * 2 : 131072;
        r->buf = xrealloc(r->buf, r->cap);
    }
    ssize_t n;
    do
        n = read(fd, r->buf + r->len, r->cap - r->len);
    while (n < 0 && errno == EINTR);
    if (n > 0)
        r->len += (size_t)n;
    return n;
}

int wire_take(struct wire_reader *r, struct frame *f)
{
    if (r->len < 4)
        return 0;
    uint32_t len = get32(r->buf);
    if (len < 1 || len > WIRE_MAX_FRAME)
        return -1;
    if (r->len < 4 + (size_t)len)
        return 0;
    char *data = xmalloc(len + 1);
    memcpy(data, r->buf + 4, len);
    data[len] = 0;
    memmove(r->buf, r->buf + 4 + len, r->len - 4 - len);
    r->len -= 4 + len;
    if (decode(data, len, f) < 0) {
        frame_free(f);
        return -1;
    }
    return 1;
}

void wire_reader_free(struct wire_reader *r)
{
    free(r->buf);
    memset(r, 0, sizeof *r);
}
