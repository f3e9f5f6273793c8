/* kmsg.h — Jupyter messages on ZeroMQ sockets: receiving a multipart
 * message into its parts (routing identities, delimiter, signature, four
 * JSON frames, buffers), checking it, and building and sending signed
 * messages with fresh headers. */
#ifndef PARC_KERNEL_KMSG_H
#define PARC_KERNEL_KMSG_H

#include <stddef.h>

#include <jansson.h>

#include "util.h"

struct ksign;

#define KMSG_PROTOCOL_VERSION "5.3"

/* What every message the kernel sends shares: the signer and the kernel's
 * session id. Immutable after kmsg_session_init, so threads may share it. */
struct kmsg_session {
    struct ksign *sign;
    char id[40];
};

/* Fills s with signer sign (borrowed) and a new random session id. */
void kmsg_session_init(struct kmsg_session *s, struct ksign *sign);

/* A received message. The JSON parts are owned references. */
struct kmsg {
    struct buf *ident;   /* routing identities, nident of them */
    size_t nident;
    json_t *header, *parent, *metadata, *content;
    struct buf *buffer;  /* extra binary frames, nbuffer of them */
    size_t nbuffer;
    const char *msg_type; /* points into header */
};

/* One frame of a multipart message, borrowed. */
struct kmsg_frame {
    const void *data;
    size_t len;
};

/* Checks and decodes the n frames of one multipart message (routing
 * identities, delimiter, signature, four JSON frames, buffers) into m,
 * which owns copies of what it keeps. Returns 0 for a well-formed,
 * authentic, fresh message whose four JSON frames are objects and whose
 * header has string msg_type and msg_id; -1 otherwise, with the reason in
 * err and m zeroed. Release m with kmsg_clear. */
int kmsg_decode(const struct kmsg_session *s, const struct kmsg_frame *f, size_t n,
                struct kmsg *m, char *err, size_t errlen);

/* Receives one whole multipart message from sock (which must be readable,
 * or the call blocks) into m. Returns 0 for a well-formed, authentic,
 * fresh message; -1 when it must be dropped (garbage, bad or replayed
 * signature; the reason is in err) — the frames are consumed either way.
 * -2 when the socket itself failed (errno set). Release m with
 * kmsg_clear. */
int kmsg_recv(void *sock, const struct kmsg_session *s, struct kmsg *m,
              char *err, size_t errlen);

/* Releases what m holds and zeroes it. */
void kmsg_clear(struct kmsg *m);

/* A string member of m's content, or def when missing, not a string, or
 * holding U+0000 (see kmsg_has_nul). */
const char *kmsg_str(const struct kmsg *m, const char *name, const char *def);
/* Whether the member is a string with U+0000 in it, which C text cannot be. */
int kmsg_has_nul(const struct kmsg *m, const char *name);
/* A boolean member of m's content (JSON true/false, or a number), or def. */
int kmsg_bool(const struct kmsg *m, const char *name, int def);
/* An integer member of m's content (a real one truncated and clamped to
 * the range of long long), or def. */
long long kmsg_int(const struct kmsg *m, const char *name, long long def);

/* Sends a message of msg_type with content (a reference the call steals)
 * on sock. Routing: the identities of to (a request being answered), or a
 * single topic frame when topic is not NULL (iopub), or none. parent is
 * the request whose header becomes the parent header (NULL: {}). Returns 0
 * or -1. */
int kmsg_send(void *sock, const struct kmsg_session *s, const struct kmsg *to,
              const char *topic, const struct kmsg *parent, const char *msg_type,
              json_t *content);

/* Writes a new random (version 4) UUID, 36 characters and a NUL, to out. */
void kmsg_uuid(char out[37]);

#endif
