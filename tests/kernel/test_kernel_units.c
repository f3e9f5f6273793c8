/* test_kernel_units.c — unit tests of the kernel's modules that need no
 * running kernel: UTF-8 handling, signing and the replay memory, message
 * decoding over a ZeroMQ pair, mime bundles, history queries, the
 * connection file and the PNG writer. Prints each failed check and a final
 * "N passed, M failed" line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <zmq.h>

#include "connection.h"
#include "history.h"
#include "kmsg.h"
#include "mime.h"
#include "png.h"
#include "signing.h"
#include "utf8.h"
#include "util.h"

#include "../unit/check.h"

static void test_utf8(void)
{
    const char *s = "a\xc3\xa9z\xe2\x82\xac!"; /* a é z € ! */
    size_t n = strlen(s);
    CHECK(kutf8_cp_to_byte(s, n, 2) == 3, "é is two bytes");
    CHECK(kutf8_cp_to_byte(s, n, 4) == 7, "€ is three bytes");
    CHECK(kutf8_cp_to_byte(s, n, 99) == n, "clamped");
    CHECK(kutf8_byte_to_cp(s, n, 7) == 4, "back to code points");
    CHECK(kutf8_whole_prefix("ab\xe2\x82", 4) == 2, "a cut euro sign is held back");
    CHECK(kutf8_whole_prefix("ab\xe2\x82\xac", 5) == 5, "a whole one is not");
    CHECK(kutf8_whole_prefix("ab\xff", 3) == 3, "an invalid byte is not held");
    CHECK(kutf8_valid(s, n) && !kutf8_valid("a\xff", 2) && !kutf8_valid("a\0b", 3), "valid");
    json_t *j = kutf8_json_string("x\xffy", 3);
    CHECK(j && strcmp(json_string_value(j), "x\xef\xbf\xbdy") == 0, "U+FFFD replaces bad bytes");
    json_decref(j);
    j = kutf8_json_string("\xed\xa0\x80", 3); /* a surrogate: invalid in UTF-8 */
    CHECK(j && json_string_length(j) == 9, "each byte of a surrogate replaced");
    json_decref(j);
}

static void test_signing(void)
{
    char err[128], hex[KSIGN_HEX_MAX];
    struct ksign *s = ksign_new("hmac-sha256", "key", 3, err, sizeof err);
    CHECK(s && ksign_enabled(s), "signer");
    /* HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"),
     * given in two parts: the frames are signed as one stream. */
    const void *parts[2] = {"The quick brown fox ", "jumps over the lazy dog"};
    size_t lens[2] = {20, 23};
    CHECK(ksign_sign(s, 2, parts, lens, hex) == 0 &&
              strcmp(hex, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8") == 0,
          "known HMAC: %s", hex);
    const char *why = NULL;
    CHECK(ksign_verify(s, hex, strlen(hex), 2, parts, lens, &why) == 0, "authentic");
    CHECK(ksign_verify(s, hex, strlen(hex), 2, parts, lens, &why) < 0 &&
              strcmp(why, "replayed signature") == 0, "replay rejected");
    char bad[KSIGN_HEX_MAX];
    strcpy(bad, hex);
    bad[0] = bad[0] == '0' ? '1' : '0';
    lens[1] = 22;
    ksign_sign(s, 2, parts, lens, hex);
    CHECK(ksign_verify(s, bad, strlen(bad), 2, parts, lens, &why) < 0 &&
              strcmp(why, "invalid signature") == 0, "wrong signature rejected");
    CHECK(ksign_verify(s, "zz", 2, 2, parts, lens, &why) < 0, "malformed rejected");
    /* Far more messages than one generation of the replay memory. */
    int ok = 1;
    for (int i = 0; i < 70000 && ok; i++) {
        char msg[32];
        const void *p[1] = {msg};
        size_t l[1] = {(size_t)snprintf(msg, sizeof msg, "m%d", i)};
        ksign_sign(s, 1, p, l, hex);
        ok = ksign_verify(s, hex, strlen(hex), 1, p, l, &why) == 0;
    }
    CHECK(ok, "fresh messages accepted after generations turn over");
    ksign_free(s);
    CHECK(!ksign_new("rot13", "k", 1, err, sizeof err), "unknown scheme");
    s = ksign_new("hmac-sha256", "", 0, err, sizeof err);
    CHECK(s && !ksign_enabled(s) && ksign_sign(s, 2, parts, lens, hex) == 0 && hex[0] == 0 &&
              ksign_verify(s, "", 0, 2, parts, lens, &why) == 0, "empty key: unsigned");
    ksign_free(s);
}

static void test_messages(void)
{
    char err[256];
    struct ksign *sign = ksign_new("hmac-sha256", "secret", 6, err, sizeof err);
    struct kmsg_session ses;
    kmsg_session_init(&ses, sign);
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    zmq_bind(a, "inproc://units");
    zmq_connect(b, "inproc://units");

    kmsg_send(a, &ses, NULL, "topic", NULL, "status", json_pack("{s:s}", "execution_state", "busy"));
    struct kmsg m;
    CHECK(kmsg_recv(b, &ses, &m, err, sizeof err) == 0, "%s", err);
    CHECK(m.nident == 1 && strcmp(m.ident[0].data, "topic") == 0, "topic frame");
    CHECK(strcmp(m.msg_type, "status") == 0 && strcmp(kmsg_str(&m, "execution_state", ""), "busy") == 0,
          "content");
    CHECK(strcmp(json_string_value(json_object_get(m.header, "version")), "5.3") == 0, "version");
    kmsg_clear(&m);

    /* Garbage: every case is consumed whole and reported, never fatal. */
    zmq_send(b, "no delimiter", 12, 0);
    CHECK(kmsg_recv(a, &ses, &m, err, sizeof err) == -1 && strstr(err, "delimiter"), "%s", err);
    zmq_send(b, "<IDS|MSG>", 9, ZMQ_SNDMORE);
    zmq_send(b, "sig", 3, 0);
    CHECK(kmsg_recv(a, &ses, &m, err, sizeof err) == -1 && strstr(err, "truncated"), "%s", err);
    const char *f[] = {"<IDS|MSG>", "", "{", "{}", "{}", "{}"};
    const void *parts[4] = {f[2], f[3], f[4], f[5]};
    size_t lens[4] = {1, 2, 2, 2};
    char hex[KSIGN_HEX_MAX];
    ksign_sign(sign, 4, parts, lens, hex);
    f[1] = hex;
    for (int i = 0; i < 6; i++)
        zmq_send(b, f[i], strlen(f[i]), i < 5 ? ZMQ_SNDMORE : 0);
    CHECK(kmsg_recv(a, &ses, &m, err, sizeof err) == -1 && strstr(err, "JSON"), "%s", err);
    /* A message with buffers keeps them. */
    f[2] = "{\"msg_type\":\"x\",\"msg_id\":\"1\"}";
    parts[0] = f[2];
    lens[0] = strlen(f[2]);
    ksign_sign(sign, 4, parts, lens, hex);
    for (int i = 0; i < 6; i++)
        zmq_send(b, f[i], strlen(f[i]), ZMQ_SNDMORE);
    zmq_send(b, "buf", 3, 0);
    CHECK(kmsg_recv(a, &ses, &m, err, sizeof err) == 0 && m.nbuffer == 1 &&
              strcmp(m.buffer[0].data, "buf") == 0, "%s", err);
    kmsg_clear(&m);
    zmq_close(a);
    zmq_close(b);
    zmq_ctx_term(ctx);
    ksign_free(sign);
}

static void test_mime(void)
{
    struct engine_mime m[] = {
        {"text/plain", "caf\xc3\xa9", 5},
        {"image/png", "\x89PNG", 4},
        {"application/json", "{\"a\": [1, 2]}", 13},
        {"image/svg+xml", "<svg/>", 6},
    };
    char *plain = NULL;
    json_t *d = kmime_bundle(m, 4, &plain);
    CHECK(plain && strcmp(plain, "caf\xc3\xa9") == 0, "text/plain kept for history");
    CHECK(strcmp(json_string_value(json_object_get(d, "image/png")), "iVBORw==") == 0, "base64");
    CHECK(json_is_array(json_object_get(json_object_get(d, "application/json"), "a")), "JSON embedded");
    CHECK(strcmp(json_string_value(json_object_get(d, "image/svg+xml")), "<svg/>") == 0, "SVG is text");
    json_decref(d);
    free(plain);
}

/* The inputs of a history query's rows, joined with '|'. */
static char *inputs(json_t *rows)
{
    struct buf b = {0};
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        json_t *in = json_array_get(r, 2);
        if (json_is_array(in))
            in = json_array_get(in, 0);
        buf_printf(&b, "%s%s", i ? "|" : "", json_string_value(in));
    }
    json_decref(rows);
    return buf_take(&b);
}

static void test_history(void)
{
    char path[] = "/tmp/parc-khist-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    struct khist *h = khist_open(path, NULL);
    CHECK(khist_session(h) == 1, "first session");
    khist_add(h, 1, "int a = 1;", NULL);
    khist_add(h, 2, "a + 1", "(int) 2");
    khist_add(h, 3, "a + 1", "(int) 2");
    khist_free(h);
    h = khist_open(path, NULL);
    CHECK(khist_session(h) == 2, "the next run is the next session");
    khist_add(h, 1, "a * 3", NULL);
    char *s = inputs(khist_tail(h, 2, 0));
    CHECK(strcmp(s, "a + 1|a * 3") == 0, "tail: %s", s);
    free(s);
    s = inputs(khist_range(h, 1, 2, 3, 1));
    CHECK(strcmp(s, "a + 1") == 0, "range of session 1: %s", s);
    free(s);
    s = inputs(khist_range(h, 0, 1, 0, 0));
    CHECK(strcmp(s, "a * 3") == 0, "range of the current session: %s", s);
    free(s);
    s = inputs(khist_search(h, "a ?*", 0, 0, 0));
    CHECK(strcmp(s, "a + 1|a + 1|a * 3") == 0, "search: %s", s);
    free(s);
    s = inputs(khist_search(h, "a ?*", 0, 1, 0));
    CHECK(strcmp(s, "a + 1|a * 3") == 0, "search unique: %s", s);
    free(s);
    s = inputs(khist_search(h, "a ?*", 1, 0, 0));
    CHECK(strcmp(s, "a * 3") == 0, "search n=1: %s", s);
    free(s);
    json_t *t = khist_tail(h, 1, 1);
    CHECK(json_is_null(json_array_get(json_array_get(json_array_get(t, 0), 2), 1)), "no output");
    json_decref(t);
    khist_free(h);
    unlink(path);

    /* The folders leading to the file are made (the default file lives in
     * $XDG_DATA_HOME/parc/, which may not exist yet). */
    char dir[] = "/tmp/parc-khist-dir-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    char *nested = xasprintf("%s/a/b/history.jsonl", dir);
    h = khist_open(nested, NULL);
    khist_add(h, 1, "int b = 2;", NULL);
    khist_free(h);
    CHECK(access(nested, F_OK) == 0, "history file in new folders: %s", nested);
    unlink(nested);
    char *b = xasprintf("%s/a/b", dir), *a = xasprintf("%s/a", dir);
    rmdir(b), rmdir(a), rmdir(dir);
    free(b), free(a), free(nested);
}

static void test_connection(void)
{
    char path[] = "/tmp/parc-kconn-XXXXXX", err[256], ep[256];
    int fd = mkstemp(path);
    const char *text = "{\"transport\": \"tcp\", \"ip\": \"127.0.0.1\", \"shell_port\": 5001, "
                       "\"iopub_port\": 0, \"key\": \"k\", \"signature_scheme\": \"hmac-sha256\"}";
    (void)!write(fd, text, strlen(text));
    close(fd);
    struct kconn c;
    CHECK(kconn_load(path, &c, err, sizeof err) == 0, "%s", err);
    kconn_endpoint(&c, KCH_SHELL, ep, sizeof ep);
    CHECK(strcmp(ep, "tcp://127.0.0.1:5001") == 0, "%s", ep);
    kconn_endpoint(&c, KCH_IOPUB, ep, sizeof ep);
    CHECK(strcmp(ep, "tcp://127.0.0.1:*") == 0, "%s", ep);
    CHECK(kconn_set_port(&c, KCH_IOPUB, "tcp://127.0.0.1:40123") == 0 && c.port[KCH_IOPUB] == 40123,
          "port chosen by the system");
    kconn_free(&c);
    CHECK(kconn_load(path, &c, err, sizeof err) == 0 && c.port[KCH_IOPUB] == 40123,
          "written back for clients");
    kconn_free(&c);
    fd = open(path, O_WRONLY | O_TRUNC);
    (void)!write(fd, "{\"transport\": \"udp\"}", 20);
    close(fd);
    CHECK(kconn_load(path, &c, err, sizeof err) < 0 && strstr(err, "udp"), "%s", err);
    kconn_free(&c);
    unlink(path);
}

/* A frame over the limit costs its sender the connection; the socket
 * goes on serving others. Real TCP: ZeroMQ checks sizes in its stream
 * engine, which inproc does not use. */
static void test_frame_limit(void)
{
    char err[256];
    long long v;
    CHECK(kconn_max_frame(NULL, &v, err, sizeof err) == 0 && v == KCONN_MAX_FRAME, "default");
    CHECK(kconn_max_frame("64M", &v, err, sizeof err) == 0 && v == 64LL << 20, "64M: %lld", v);
    CHECK(kconn_max_frame("0", &v, err, sizeof err) == 0 && v == 0, "no limit");
    CHECK(kconn_max_frame("0.5M", &v, err, sizeof err) == 0 && v == 512 << 10, "0.5M: %lld", v);
    CHECK(kconn_max_frame("64", &v, err, sizeof err) < 0 && v == KCONN_MAX_FRAME && strstr(err, "too small"),
          "64 bytes is refused: %s", err);
    CHECK(kconn_max_frame("0.2", &v, err, sizeof err) < 0 && v == KCONN_MAX_FRAME, "0.2 bytes is not 'no limit'");
    CHECK(kconn_max_frame("lots", &v, err, sizeof err) < 0 && v == KCONN_MAX_FRAME && strstr(err, "lots"), "%s",
          err);

    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    int linger = 0, timeout = 3000;
    zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(router, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    CHECK(kconn_limit_frames(router, 1000) == 0, "set the limit");
    CHECK(zmq_bind(router, "tcp://127.0.0.1:*") == 0, "bind");
    char ep[256];
    size_t len = sizeof ep;
    zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, ep, &len);
    void *big = zmq_socket(ctx, ZMQ_DEALER), *small = zmq_socket(ctx, ZMQ_DEALER);
    zmq_setsockopt(big, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(small, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(big, ep);
    char frame[2000];
    memset(frame, 'x', sizeof frame);
    zmq_send(big, frame, sizeof frame, 0);  /* over the limit: refused */
    zmq_send(big, "late", 4, 0);            /* the connection is gone */
    zmq_connect(small, ep);
    zmq_send(small, frame, 1000, 0);        /* at the limit: read */
    char id[256], got[2048];
    int n = zmq_recv(router, id, sizeof id, 0);
    int m = n > 0 ? zmq_recv(router, got, sizeof got, 0) : -1;
    CHECK(m == 1000, "the frame at the limit arrives (%d)", m);
    timeout = 300;
    zmq_setsockopt(router, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    n = zmq_recv(router, id, sizeof id, 0); /* nothing else comes */
    CHECK(n < 0 && errno == EAGAIN, "nothing from the refused sender (%d)", n);
    zmq_close(big);
    zmq_close(small);
    zmq_close(router);
    zmq_ctx_term(ctx);
}

static void test_png(void)
{
    unsigned char px[2 * 2 * 4] = {255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 0};
    struct buf b = {0};
    kpng_encode(px, 2, 2, &b);
    CHECK(b.len > 8 && memcmp(b.data, "\x89PNG\r\n\x1a\n", 8) == 0, "signature");
    CHECK(memcmp(b.data + 12, "IHDR", 4) == 0 && b.data[19] == 2 && b.data[23] == 2, "size");
    CHECK(memcmp(b.data + b.len - 8, "IEND", 4) == 0, "ends with IEND");
    /* The stored zlib block holds the filter byte and the pixels as is. */
    const char *idat = memmem(b.data, b.len, "IDAT", 4);
    CHECK(idat && memcmp(idat + 4 + 2 + 5 + 1, px, 8) == 0, "first row stored");
    buf_free(&b);
}

int main(void)
{
    test_utf8();
    test_signing();
    test_messages();
    test_mime();
    test_history();
    test_connection();
    test_frame_limit();
    test_png();
    return check_report();
}
