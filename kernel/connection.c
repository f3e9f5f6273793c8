/* connection.c — see connection.h. */
#include "connection.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <zmq.h>

#include "util.h"

static const char *const port_names[KCH_COUNT] = {
    "shell_port", "iopub_port", "stdin_port", "control_port", "hb_port",
};

int kconn_max_frame(const char *env, long long *bytes, char *err, size_t errlen)
{
    *bytes = KCONN_MAX_FRAME;
    if (!env || !*env)
        return 0;
    long long v = parse_size(env);
    if (v < 0) {
        snprintf(err, errlen,
                 "PARC_KERNEL_MAX_FRAME=%s is no size (e.g. 64M, 1G, or 0 for no limit); frames up to %lld MB are "
                 "read",
                 env, KCONN_MAX_FRAME >> 20);
        return -1;
    }
    if (v > 0 && v < KCONN_MIN_FRAME) {
        snprintf(err, errlen,
                 "PARC_KERNEL_MAX_FRAME=%s is below %lld KB, too small for ordinary requests; frames up to %lld MB "
                 "are read",
                 env, KCONN_MIN_FRAME >> 10, KCONN_MAX_FRAME >> 20);
        return -1;
    }
    *bytes = v;
    return 0;
}

int kconn_limit_frames(void *sock, long long bytes)
{
    int64_t max = bytes > 0 ? (int64_t)bytes : -1;
    return zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof max);
}

const char *kconn_port_name(enum kchannel ch)
{
    return port_names[ch];
}

/* The string member name of o, or def if it is missing; -1 if present but
 * not a string. */
static int get_string(json_t *o, const char *name, const char *def, char **out)
{
    json_t *v = json_object_get(o, name);
    if (!v) {
        *out = def ? xstrdup(def) : NULL;
        return 0;
    }
    if (!json_is_string(v))
        return -1;
    *out = xstrndup(json_string_value(v), json_string_length(v));
    return 0;
}

int kconn_load(const char *path, struct kconn *c, char *err, size_t errlen)
{
    json_error_t je;
    memset(c, 0, sizeof *c);
    c->path = xstrdup(path);
    json_t *o = json_load_file(path, 0, &je);
    if (!o) {
        snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
        return -1;
    }
    int rc = -1;
    if (!json_is_object(o)) {
        snprintf(err, errlen, "%s: not a JSON object", path);
        goto out;
    }
    if (get_string(o, "transport", "tcp", &c->transport) < 0 ||
        get_string(o, "ip", "127.0.0.1", &c->ip) < 0 ||
        get_string(o, "key", "", &c->key) < 0 ||
        get_string(o, "signature_scheme", "hmac-sha256", &c->scheme) < 0) {
        snprintf(err, errlen, "%s: transport, ip, key and signature_scheme must be strings", path);
        goto out;
    }
    c->keylen = strlen(c->key);
    if (strcmp(c->transport, "tcp") != 0 && strcmp(c->transport, "ipc") != 0) {
        snprintf(err, errlen, "%s: unknown transport '%s'", path, c->transport);
        goto out;
    }
    for (int ch = 0; ch < KCH_COUNT; ch++) {
        json_t *v = json_object_get(o, port_names[ch]);
        if (!v) {
            c->port[ch] = 0;
            continue;
        }
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 65535) {
            snprintf(err, errlen, "%s: %s must be a port number", path, port_names[ch]);
            goto out;
        }
        c->port[ch] = (int)json_integer_value(v);
    }
    rc = 0;
out:
    json_decref(o);
    return rc;
}

void kconn_free(struct kconn *c)
{
    free(c->path);
    free(c->transport);
    free(c->ip);
    free(c->key);
    free(c->scheme);
    memset(c, 0, sizeof *c);
}

void kconn_endpoint(const struct kconn *c, enum kchannel ch, char *out, size_t outlen)
{
    if (strcmp(c->transport, "ipc") == 0) {
        /* jupyter_client numbers ipc channels from 1 when ports are unset. */
        snprintf(out, outlen, "ipc://%s-%d", c->ip, c->port[ch] ? c->port[ch] : (int)ch + 1);
    } else if (c->port[ch] == 0) {
        snprintf(out, outlen, "tcp://%s:*", c->ip);
    } else {
        snprintf(out, outlen, "tcp://%s:%d", c->ip, c->port[ch]);
    }
}

int kconn_set_port(struct kconn *c, enum kchannel ch, const char *endpoint)
{
    if (strcmp(c->transport, "tcp") != 0 || c->port[ch] != 0)
        return 0;
    const char *colon = strrchr(endpoint, ':');
    if (!colon)
        return -1;
    c->port[ch] = atoi(colon + 1);
    json_t *o = json_load_file(c->path, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return -1;
    }
    json_object_set_new(o, port_names[ch], json_integer(c->port[ch]));
    int rc = json_dump_file(o, c->path, JSON_INDENT(1)) == 0 ? 0 : -1;
    json_decref(o);
    return rc;
}

/* Whether ip names this machine only: 127.0.0.0/8, ::1, localhost. */
static int is_loopback(const char *ip)
{
    return !strncmp(ip, "127.", 4) || !strcmp(ip, "::1") || !strcmp(ip, "[::1]") ||
           !strcmp(ip, "localhost");
}

void kconn_warnings(const struct kconn *c, struct buf *out)
{
    struct stat st;
    if (stat(c->path, &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
        buf_printf(out,
                   "warning: the connection file %s can be %s by other users (mode %03o): "
                   "whoever reads its key can run code as you; make it private with "
                   "chmod 600\n",
                   c->path, st.st_mode & (S_IWGRP | S_IWOTH) ? "read or changed" : "read",
                   (unsigned)(st.st_mode & 0777));
    if (c->keylen == 0)
        buf_printf(out, "warning: the connection file %s has no key: messages are not signed, "
                        "so anyone who can reach the kernel's ports can run code as you\n",
                   c->path);
    if (strcmp(c->transport, "tcp") == 0 && !is_loopback(c->ip))
        buf_printf(out, "warning: listening on %s, not only on this machine (127.0.0.1)%s\n",
                   c->ip, c->keylen ? "" : " and without a key");
}
