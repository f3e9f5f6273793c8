/* connection.h — the connection file a Jupyter front end hands the kernel:
 * transport, address, the five ports, the signing key and scheme. */
#ifndef PARC_KERNEL_CONNECTION_H
#define PARC_KERNEL_CONNECTION_H

#include <stddef.h>

struct buf;

enum kchannel { KCH_SHELL, KCH_IOPUB, KCH_STDIN, KCH_CONTROL, KCH_HB, KCH_COUNT };

struct kconn {
    char *path;        /* where the file was read from */
    char *transport;   /* "tcp" or "ipc" */
    char *ip;          /* address, or the path prefix for ipc */
    int port[KCH_COUNT];
    char *key;         /* signing key, keylen bytes, may be empty */
    size_t keylen;
    char *scheme;      /* "hmac-sha256" */
};

/* The largest frame (one part of a message) the kernel reads from a
 * client unless PARC_KERNEL_MAX_FRAME says otherwise. ZeroMQ drops the
 * connection a bigger one comes on as soon as it reads the frame's size,
 * before any of it is held in memory; the kernel serves the others. */
#define KCONN_MAX_FRAME (256LL << 20)

/* The smallest limit PARC_KERNEL_MAX_FRAME may set: below it ordinary
 * requests (a cell of a few pages, a completion) would cost every client
 * its connection. */
#define KCONN_MIN_FRAME (64LL << 10)

/* The frame limit the environment value env asks for ("64M", "1G",
 * "1000000"; "0" for none; NULL or empty for KCONN_MAX_FRAME) into *bytes.
 * 0, or -1 with a message in err when env is malformed or below
 * KCONN_MIN_FRAME (*bytes is then KCONN_MAX_FRAME). */
int kconn_max_frame(const char *env, long long *bytes, char *err, size_t errlen);

/* Makes ZeroMQ socket sock refuse frames over bytes (0: no limit); call
 * it before binding. 0, or -1 with errno set. */
int kconn_limit_frames(void *sock, long long bytes);

/* Reads and checks the connection file at path into c (zeroed first).
 * Returns 0, or -1 with a message in err. Free with kconn_free. */
int kconn_load(const char *path, struct kconn *c, char *err, size_t errlen);

/* Frees what c holds. Accepts a zeroed or partly loaded c. */
void kconn_free(struct kconn *c);

/* The ZeroMQ endpoint of channel ch, e.g. "tcp://127.0.0.1:5555" or
 * "ipc:///tmp/k-3", into out. A tcp port 0 gives "tcp://ip:*" so that the
 * system picks one (report it with kconn_set_port). */
void kconn_endpoint(const struct kconn *c, enum kchannel ch, char *out, size_t outlen);

/* Records the port actually bound for ch from a ZeroMQ endpoint string
 * ("tcp://127.0.0.1:40213"); rewrites the file when it changed so that
 * clients reading it find the kernel. 0 or -1. */
int kconn_set_port(struct kconn *c, enum kchannel ch, const char *endpoint);

/* Appends to out one line (no "parc-kernel: " prefix) per risk the
 * connection exposes: a file other users may read or write (its key lets
 * them run code as this user), an empty key (unsigned messages are
 * accepted), tcp on an address other than loopback. Nothing when none. */
void kconn_warnings(const struct kconn *c, struct buf *out);

/* The connection file's name of channel ch ("shell_port", ...). */
const char *kconn_port_name(enum kchannel ch);

#endif
