/* streams.c — see streams.h. One buffer holds the output waiting to be
 * published, all of it from one stream: output of the other stream first
 * publishes what waits, so stdout and stderr keep their relative order. */
#include "streams.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "kernel.h"
#include "utf8.h"
#include "util.h"

/* Output waits at most this long, in nanoseconds. */
#define FLUSH_NS (20 * 1000000LL)
/* A buffer this large is published without waiting. */
#define FLUSH_BYTES (64 * 1024)

struct kstreams {
    struct kernel *k;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int stop;
    const struct kmsg *parent; /* the request whose cell runs, or NULL */
    struct buf pending;        /* output waiting, all from stream `which` */
    int which;
    struct buf carry[2];       /* per stream: bytes ending mid-character */
    long long last_ns;         /* when output was last published */
};

/* Publishes the waiting output (all of it if final, else up to the last
 * whole character). Called with s->lock held. */
static void flush_locked(struct kstreams *s, int final)
{
    struct buf *p = &s->pending;
    if (!p->len || !s->parent)
        return;
    size_t n = final ? p->len : kutf8_whole_prefix(p->data, p->len);
    if (n > 0) {
        json_t *c = json_pack("{s:s, s:o}", "name", s->which ? "stderr" : "stdout", "text",
                              kutf8_json_string(p->data, n));
        kernel_publish(s->k, s->k->pub_main, s->parent, "stream", c);
        s->last_ns = now_ns();
    }
    buf_add(&s->carry[s->which], p->data + n, p->len - n);
    buf_reset(p);
}

static void *flusher_main(void *arg)
{
    struct kstreams *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        if (s->pending.len && now_ns() - s->last_ns >= FLUSH_NS)
            flush_locked(s, 0);
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        long long wait = s->pending.len ? FLUSH_NS / 4 : 1000000000LL;
        t.tv_nsec += wait % 1000000000LL;
        t.tv_sec += wait / 1000000000LL + t.tv_nsec / 1000000000LL;
        t.tv_nsec %= 1000000000LL;
        pthread_cond_timedwait(&s->wake, &s->lock, &t);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

struct kstreams *kstreams_start(struct kernel *k)
{
    struct kstreams *s = xcalloc(1, sizeof *s);
    s->k = k;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = pthread_create(&s->thread, NULL, flusher_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    return s;
}

void kstreams_stop(struct kstreams *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = 1;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    buf_free(&s->pending);
    buf_free(&s->carry[0]);
    buf_free(&s->carry[1]);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

void kstreams_begin(struct kstreams *s, const struct kmsg *parent)
{
    pthread_mutex_lock(&s->lock);
    s->parent = parent;
    s->last_ns = 0;
    pthread_mutex_unlock(&s->lock);
}

void kstreams_add(struct kstreams *s, int which, const char *data, size_t len)
{
    pthread_mutex_lock(&s->lock);
    if (s->pending.len && s->which != which)
        flush_locked(s, 0);
    if (!s->pending.len) {
        s->which = which;
        buf_add(&s->pending, s->carry[which].data ? s->carry[which].data : "", s->carry[which].len);
        buf_reset(&s->carry[which]);
    }
    buf_add(&s->pending, data, len);
    if (s->pending.len >= FLUSH_BYTES || now_ns() - s->last_ns >= FLUSH_NS)
        flush_locked(s, 0);
    else
        pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
}

void kstreams_flush(struct kstreams *s, int final)
{
    pthread_mutex_lock(&s->lock);
    flush_locked(s, final);
    for (int w = 0; final && w < 2; w++) {
        if (!s->carry[w].len)
            continue;
        s->which = w;
        buf_add(&s->pending, s->carry[w].data, s->carry[w].len);
        buf_reset(&s->carry[w]);
        flush_locked(s, 1);
    }
    pthread_mutex_unlock(&s->lock);
}

void kstreams_end(struct kstreams *s)
{
    kstreams_flush(s, 1);
    pthread_mutex_lock(&s->lock);
    s->parent = NULL;
    buf_reset(&s->carry[0]);
    buf_reset(&s->carry[1]);
    pthread_mutex_unlock(&s->lock);
}
