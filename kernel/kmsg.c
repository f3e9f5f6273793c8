/* kmsg.c — see kmsg.h. */
#include "kmsg.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <openssl/rand.h>
#include <zmq.h>

#include "signing.h"

static const char DELIM[] = "<IDS|MSG>";

void kmsg_uuid(char out[37])
{
    unsigned char r[16];
    if (RAND_bytes(r, sizeof r) != 1) {
        /* Uniqueness, not secrecy, is what a message id needs. */
        static unsigned long long counter;
        unsigned long long t = (unsigned long long)now_ns() ^ (++counter * 0x9e3779b97f4a7c15ULL);
        for (int i = 0; i < 16; i++)
            r[i] = (unsigned char)(t >> (8 * (i % 8))) ^ (unsigned char)(i * 31);
    }
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
             r[12], r[13], r[14], r[15]);
}

void kmsg_session_init(struct kmsg_session *s, struct ksign *sign)
{
    s->sign = sign;
    kmsg_uuid(s->id);
}

/* ========================================================================
 * Receiving
 * ===================================================================== */

/* Receives every frame of the next multipart message. Returns the frames
 * (malloc'd array of initialised zmq_msg_t, *n of them) or NULL when the
 * socket failed. */
static zmq_msg_t *recv_frames(void *sock, size_t *n)
{
    size_t cap = 8;
    zmq_msg_t *f = xmalloc(cap * sizeof *f);
    *n = 0;
    for (;;) {
        if (*n == cap)
            f = xrealloc(f, (cap *= 2) * sizeof *f);
        zmq_msg_init(&f[*n]);
        if (zmq_msg_recv(&f[*n], sock, 0) < 0) {
            zmq_msg_close(&f[*n]);
            if (errno == EINTR)
                continue;
            for (size_t i = 0; i < *n; i++)
                zmq_msg_close(&f[i]);
            free(f);
            return NULL;
        }
        int more = zmq_msg_more(&f[*n]);
        (*n)++;
        if (!more)
            return f;
    }
}

static void copy_frame(struct buf *b, const struct kmsg_frame *f)
{
    memset(b, 0, sizeof *b);
    buf_add(b, f->data, f->len);
}

/* Parses frame f as a JSON object; NULL if it is not one. Strings may hold
 * U+0000 (kmsg_str treats those as missing); integers too big for a
 * json_int_t are read as reals rather than refusing the message. */
static json_t *parse_object(const struct kmsg_frame *f)
{
    json_error_t e;
    json_t *j = json_loadb(f->data, f->len, JSON_ALLOW_NUL, &e);
    if (!j && json_error_code(&e) == json_error_numeric_overflow)
        j = json_loadb(f->data, f->len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* Whether v is a string without U+0000 in it. */
static int is_clean_string(json_t *v)
{
    return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
}

static int decode(const struct kmsg_session *s, const struct kmsg_frame *f, size_t n,
                  struct kmsg *m, char *err, size_t errlen)
{
    size_t d = 0;
    while (d < n && !(f[d].len == sizeof DELIM - 1 && memcmp(f[d].data, DELIM, sizeof DELIM - 1) == 0))
        d++;
    if (d == n) {
        snprintf(err, errlen, "no <IDS|MSG> delimiter in %zu frame(s)", n);
        return -1;
    }
    if (n - d - 1 < 5) {
        snprintf(err, errlen, "truncated message: %zu frame(s) after the delimiter", n - d - 1);
        return -1;
    }
    const struct kmsg_frame *sig = &f[d + 1], *part = &f[d + 2];
    const void *parts[4];
    size_t lens[4];
    for (int i = 0; i < 4; i++) {
        parts[i] = part[i].data;
        lens[i] = part[i].len;
    }
    const char *why = NULL;
    if (ksign_verify(s->sign, sig->data, sig->len, 4, parts, lens, &why) < 0) {
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    m->header = parse_object(&part[0]);
    m->parent = parse_object(&part[1]);
    m->metadata = parse_object(&part[2]);
    m->content = parse_object(&part[3]);
    if (!m->header || !m->parent || !m->metadata || !m->content) {
        snprintf(err, errlen, "header, parent header, metadata or content is not a JSON object");
        return -1;
    }
    json_t *t = json_object_get(m->header, "msg_type");
    if (!is_clean_string(t) || !is_clean_string(json_object_get(m->header, "msg_id"))) {
        snprintf(err, errlen, "header without msg_type or msg_id");
        return -1;
    }
    m->msg_type = json_string_value(t);
    m->nident = d;
    m->ident = xcalloc(d ? d : 1, sizeof *m->ident);
    for (size_t i = 0; i < d; i++)
        copy_frame(&m->ident[i], &f[i]);
    m->nbuffer = n - d - 6;
    m->buffer = xcalloc(m->nbuffer ? m->nbuffer : 1, sizeof *m->buffer);
    for (size_t i = 0; i < m->nbuffer; i++)
        copy_frame(&m->buffer[i], &f[d + 6 + i]);
    return 0;
}

int kmsg_decode(const struct kmsg_session *s, const struct kmsg_frame *f, size_t n,
                struct kmsg *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    int rc = decode(s, f, n, m, err, errlen);
    if (rc < 0)
        kmsg_clear(m);
    return rc;
}

int kmsg_recv(void *sock, const struct kmsg_session *s, struct kmsg *m,
              char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    size_t n;
    zmq_msg_t *f = recv_frames(sock, &n);
    if (!f) {
        snprintf(err, errlen, "%s", zmq_strerror(errno));
        return -2;
    }
    struct kmsg_frame *fr = xmalloc((n ? n : 1) * sizeof *fr);
    for (size_t i = 0; i < n; i++)
        fr[i] = (struct kmsg_frame){zmq_msg_data(&f[i]), zmq_msg_size(&f[i])};
    int rc = kmsg_decode(s, fr, n, m, err, errlen);
    free(fr);
    for (size_t i = 0; i < n; i++)
        zmq_msg_close(&f[i]);
    free(f);
    return rc;
}

void kmsg_clear(struct kmsg *m)
{
    for (size_t i = 0; i < m->nident; i++)
        buf_free(&m->ident[i]);
    for (size_t i = 0; i < m->nbuffer; i++)
        buf_free(&m->buffer[i]);
    free(m->ident);
    free(m->buffer);
    json_decref(m->header);
    json_decref(m->parent);
    json_decref(m->metadata);
    json_decref(m->content);
    memset(m, 0, sizeof *m);
}

const char *kmsg_str(const struct kmsg *m, const char *name, const char *def)
{
    json_t *v = json_object_get(m->content, name);
    return is_clean_string(v) ? json_string_value(v) : def;
}

int kmsg_has_nul(const struct kmsg *m, const char *name)
{
    json_t *v = json_object_get(m->content, name);
    return json_is_string(v) && !is_clean_string(v);
}

int kmsg_bool(const struct kmsg *m, const char *name, int def)
{
    json_t *v = json_object_get(m->content, name);
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    return def;
}

long long kmsg_int(const struct kmsg *m, const char *name, long long def)
{
    json_t *v = json_object_get(m->content, name);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (d != d)
            return def;
        /* Clamped: converting a double beyond long long is undefined. */
        if (d >= 9.2e18)
            return LLONG_MAX;
        if (d <= -9.2e18)
            return LLONG_MIN;
        return (long long)d;
    }
    return def;
}

/* ========================================================================
 * Sending
 * ===================================================================== */

/* ISO 8601 UTC time with microseconds, as jupyter_client writes it. */
static void iso_now(char out[40])
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 40 - n, ".%06ldZ", (long)tv.tv_usec);
}

static json_t *new_header(const struct kmsg_session *s, const char *msg_type)
{
    char id[37], date[40];
    kmsg_uuid(id);
    iso_now(date);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "msg_id", id, "session", s->id,
                     "username", "parc", "date", date, "msg_type", msg_type,
                     "version", KMSG_PROTOCOL_VERSION);
}

static int send_frame(void *sock, const void *p, size_t n, int more)
{
    for (;;) {
        if (zmq_send(sock, p, n, more ? ZMQ_SNDMORE : 0) >= 0)
            return 0;
        if (errno != EINTR)
            return -1;
    }
}

int kmsg_send(void *sock, const struct kmsg_session *s, const struct kmsg *to,
              const char *topic, const struct kmsg *parent, const char *msg_type,
              json_t *content)
{
    if (!content)
        content = json_object();
    json_t *header = new_header(s, msg_type);
    char *part[4];
    part[0] = json_dumps(header, JSON_COMPACT);
    part[1] = parent && parent->header ? json_dumps(parent->header, JSON_COMPACT) : xstrdup("{}");
    part[2] = xstrdup("{}");
    part[3] = json_dumps(content, JSON_COMPACT);
    json_decref(header);
    json_decref(content);
    if (!part[0] || !part[1] || !part[3])
        abort(); /* jansson only fails to dump on out-of-memory */
    const void *pp[4] = {part[0], part[1], part[2], part[3]};
    size_t lens[4];
    for (int i = 0; i < 4; i++)
        lens[i] = strlen(part[i]);
    char sig[KSIGN_HEX_MAX];
    int rc = ksign_sign(s->sign, 4, pp, lens, sig);
    if (rc == 0 && to) {
        for (size_t i = 0; i < to->nident && rc == 0; i++)
            rc = send_frame(sock, to->ident[i].data, to->ident[i].len, 1);
    } else if (rc == 0 && topic) {
        rc = send_frame(sock, topic, strlen(topic), 1);
    }
    if (rc == 0)
        rc = send_frame(sock, DELIM, sizeof DELIM - 1, 1);
    if (rc == 0)
        rc = send_frame(sock, sig, strlen(sig), 1);
    for (int i = 0; i < 4 && rc == 0; i++)
        rc = send_frame(sock, part[i], lens[i], i < 3);
    for (int i = 0; i < 4; i++)
        free(part[i]);
    return rc;
}
