/* signing.c — see signing.h. HMAC comes from OpenSSL's EVP_MAC; the replay
 * memory is two generations of open-addressing sets of digests, so it stays
 * bounded without deleting single entries: when the young generation is
 * full it becomes the old one and the old one is forgotten. */
#include "signing.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "util.h"

#define GEN_MAX 32768          /* digests per generation */
#define GEN_SLOTS (GEN_MAX * 2) /* power of two, load at most 1/2 */
#define DIGEST_MAX 64
#define STORED 16 /* bytes of a digest remembered: ample against collisions */

struct digest_set {
    unsigned char (*slot)[STORED];
    unsigned char *used;
    size_t count;
};

struct ksign {
    int enabled;
    size_t dlen;            /* digest length in bytes */
    EVP_MAC_CTX *tmpl;      /* keyed context, duplicated for every message */
    pthread_mutex_t lock;   /* guards the replay memory */
    struct digest_set gen[2]; /* gen[0] young, gen[1] old */
};

static void set_init(struct digest_set *d)
{
    d->slot = xcalloc(GEN_SLOTS, STORED);
    d->used = xcalloc(GEN_SLOTS, 1);
    d->count = 0;
}

static void set_clear(struct digest_set *d)
{
    memset(d->used, 0, GEN_SLOTS);
    d->count = 0;
}

static size_t set_home(const unsigned char *dg)
{
    size_t h = 0;
    memcpy(&h, dg, sizeof h); /* a digest is already uniformly random */
    return h & (GEN_SLOTS - 1);
}

static int set_has(const struct digest_set *d, const unsigned char *dg)
{
    for (size_t i = set_home(dg);; i = (i + 1) & (GEN_SLOTS - 1)) {
        if (!d->used[i])
            return 0;
        if (memcmp(d->slot[i], dg, STORED) == 0)
            return 1;
    }
}

static void set_add(struct digest_set *d, const unsigned char *dg)
{
    size_t i = set_home(dg);
    while (d->used[i])
        i = (i + 1) & (GEN_SLOTS - 1);
    memcpy(d->slot[i], dg, STORED);
    d->used[i] = 1;
    d->count++;
}

struct ksign *ksign_new(const char *scheme, const char *key, size_t keylen,
                        char *err, size_t errlen)
{
    struct ksign *s = xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    if (keylen == 0)
        return s;
    if (!scheme || !*scheme)
        scheme = "hmac-sha256";
    if (strncmp(scheme, "hmac-", 5) != 0) {
        snprintf(err, errlen, "unsupported signature scheme '%s'", scheme);
        goto fail;
    }
    const EVP_MD *md = EVP_get_digestbyname(scheme + 5);
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!md || !mac) {
        EVP_MAC_free(mac);
        snprintf(err, errlen, "unsupported signature scheme '%s'", scheme);
        goto fail;
    }
    s->dlen = (size_t)EVP_MD_get_size(md);
    s->tmpl = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)EVP_MD_get0_name(md), 0),
        OSSL_PARAM_construct_end(),
    };
    if (!s->tmpl || s->dlen > DIGEST_MAX || s->dlen < STORED ||
        !EVP_MAC_init(s->tmpl, (const unsigned char *)key, keylen, params)) {
        snprintf(err, errlen, "cannot initialise %s", scheme);
        goto fail;
    }
    s->enabled = 1;
    set_init(&s->gen[0]);
    set_init(&s->gen[1]);
    return s;
fail:
    ksign_free(s);
    return NULL;
}

void ksign_free(struct ksign *s)
{
    if (!s)
        return;
    EVP_MAC_CTX_free(s->tmpl);
    for (int g = 0; g < 2; g++) {
        free(s->gen[g].slot);
        free(s->gen[g].used);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

int ksign_enabled(const struct ksign *s)
{
    return s->enabled;
}

/* The raw digest of the frames into dg (s->dlen bytes). 0 or -1. */
static int digest(struct ksign *s, size_t n, const void *const *parts, const size_t *lens,
                  unsigned char *dg)
{
    EVP_MAC_CTX *c = EVP_MAC_CTX_dup(s->tmpl);
    size_t out = 0;
    int ok = c != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = EVP_MAC_update(c, parts[i], lens[i]);
    ok = ok && EVP_MAC_final(c, dg, &out, DIGEST_MAX) && out == s->dlen;
    EVP_MAC_CTX_free(c);
    return ok ? 0 : -1;
}

int ksign_sign(struct ksign *s, size_t n, const void *const *parts, const size_t *lens,
               char *hex)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char dg[DIGEST_MAX];
    hex[0] = 0;
    if (!s->enabled)
        return 0;
    if (digest(s, n, parts, lens, dg) < 0)
        return -1;
    for (size_t i = 0; i < s->dlen; i++) {
        hex[2 * i] = digits[dg[i] >> 4];
        hex[2 * i + 1] = digits[dg[i] & 15];
    }
    hex[2 * s->dlen] = 0;
    return 0;
}

/* Decodes 2*dlen hex digits (either case) into out. 0 or -1. */
static int unhex(const char *hex, size_t dlen, unsigned char *out)
{
    for (size_t i = 0; i < 2 * dlen; i++) {
        int c = (unsigned char)hex[i], v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else
            return -1;
        if (i % 2 == 0)
            out[i / 2] = (unsigned char)(v << 4);
        else
            out[i / 2] |= (unsigned char)v;
    }
    return 0;
}

int ksign_verify(struct ksign *s, const char *sig, size_t siglen, size_t n,
                 const void *const *parts, const size_t *lens, const char **why)
{
    unsigned char want[DIGEST_MAX], got[DIGEST_MAX];
    if (!s->enabled)
        return 0;
    if (siglen != 2 * s->dlen || unhex(sig, s->dlen, got) < 0) {
        *why = "malformed signature";
        return -1;
    }
    if (digest(s, n, parts, lens, want) < 0) {
        *why = "cannot compute signature";
        return -1;
    }
    if (CRYPTO_memcmp(want, got, s->dlen) != 0) {
        *why = "invalid signature";
        return -1;
    }
    int replay = 0;
    pthread_mutex_lock(&s->lock);
    if (set_has(&s->gen[0], want) || set_has(&s->gen[1], want)) {
        replay = 1;
    } else {
        if (s->gen[0].count >= GEN_MAX) {
            struct digest_set old = s->gen[1];
            s->gen[1] = s->gen[0];
            s->gen[0] = old;
            set_clear(&s->gen[0]);
        }
        set_add(&s->gen[0], want);
    }
    pthread_mutex_unlock(&s->lock);
    if (replay) {
        *why = "replayed signature";
        return -1;
    }
    return 0;
}
