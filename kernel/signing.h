/* signing.h — message authentication for the wire protocol: HMAC over the
 * header, parent header, metadata and content frames with the connection
 * file's key, hex-encoded, plus a memory of recent signatures so that a
 * captured message cannot be replayed. */
#ifndef PARC_KERNEL_SIGNING_H
#define PARC_KERNEL_SIGNING_H

#include <stddef.h>

struct ksign;

/* Creates a signer for scheme (e.g. "hmac-sha256") and key (keylen bytes).
 * An empty key gives a signer that signs with "" and accepts anything, as
 * the protocol says. Returns NULL and fills err for an unknown scheme. The
 * caller frees the signer with ksign_free. Safe to share between threads. */
struct ksign *ksign_new(const char *scheme, const char *key, size_t keylen,
                        char *err, size_t errlen);
/* Frees s and its replay memory. Accepts NULL. */
void ksign_free(struct ksign *s);

/* Whether messages are signed at all (the key is not empty). */
int ksign_enabled(const struct ksign *s);

/* Signs the n frames (parts[i], lens[i]) into hex, a buffer of at least
 * KSIGN_HEX_MAX bytes, NUL-terminated ("" when unsigned). 0 or -1. */
#define KSIGN_HEX_MAX 129
int ksign_sign(struct ksign *s, size_t n, const void *const *parts, const size_t *lens,
               char *hex);

/* Checks a received signature (siglen bytes of hex) against the frames,
 * in constant time, then rejects it if it was seen before; a good one is
 * remembered. Returns 0 if the message is authentic and new, -1 otherwise
 * with a reason in *why (a static string). */
int ksign_verify(struct ksign *s, const char *sig, size_t siglen, size_t n,
                 const void *const *parts, const size_t *lens, const char **why);

#endif
