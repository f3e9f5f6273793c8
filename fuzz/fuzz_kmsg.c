/* fuzz_kmsg.c — libFuzzer harness for the kernel's wire-message decoder
 * (kmsg_decode: frames -> validated message) and the accessors handlers
 * use on what it accepts.
 *
 * Input: one mode byte, then the frames of one multipart message separated
 * by NUL bytes. Mode bit 0 set: the kernel has a key ("fuzz"), and the
 * harness puts the right signature into the frame after the delimiter
 * (bit 1 clear) or keeps the input's (bit 1 set: a forged one, which must
 * be refused). Mode bit 0 clear: no key, anything is accepted unsigned. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"
#include "signing.h"
#include "utf8.h"
#include "util.h"

static const char DELIM[] = "<IDS|MSG>";
static const char KEY[] = "fuzz";

/* Cuts data into frames at NUL bytes; returns how many (at most max). */
static size_t cut(const uint8_t *data, size_t size, struct kmsg_frame *f, size_t max)
{
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size && n < max; i++) {
        if (i == size || data[i] == 0) {
            f[n++] = (struct kmsg_frame){data + start, i - start};
            start = i + 1;
        }
    }
    return n;
}

/* Signs frames d+2..d+5 into sig when there is room for them. */
static int sign_after_delimiter(struct ksign *k, struct kmsg_frame *f, size_t n, char *sig)
{
    for (size_t d = 0; d < n; d++) {
        if (f[d].len != sizeof DELIM - 1 || memcmp(f[d].data, DELIM, f[d].len) != 0)
            continue;
        if (n - d < 6)
            return 0;
        const void *parts[4];
        size_t lens[4];
        for (int i = 0; i < 4; i++) {
            parts[i] = f[d + 2 + i].data;
            lens[i] = f[d + 2 + i].len;
        }
        if (ksign_sign(k, 4, parts, lens, sig) < 0)
            abort();
        f[d + 1] = (struct kmsg_frame){sig, strlen(sig)};
        return 1;
    }
    return 0;
}

/* What the kernel's handlers read from an accepted message. */
static void use(const struct kmsg *m)
{
    static const char *const names[] = {"code", "cursor_pos", "silent", "store_history",
                                        "allow_stdin", "stop_on_error", "restart", "n",
                                        "hist_access_type", "comm_id", "value"};
    size_t total = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *s = kmsg_str(m, names[i], "");
        total += strlen(s) + (size_t)kmsg_bool(m, names[i], 0) + (size_t)kmsg_int(m, names[i], 0);
        size_t len = strlen(s);
        long long cp = kmsg_int(m, names[i], -1);
        size_t byte = cp < 0 ? len : kutf8_cp_to_byte(s, len, (size_t)cp);
        if (byte > len)
            abort(); /* a cursor past the end of the code */
        total += kutf8_byte_to_cp(s, len, byte) + (size_t)kutf8_valid(s, len) +
                 (size_t)kmsg_has_nul(m, names[i]);
        json_decref(kutf8_json_string(s, len));
    }
    if (strlen(m->msg_type) > total + (1u << 30))
        abort(); /* never: keeps total from being optimized away */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int keyed = data[0] & 1, forged = data[0] & 2;
    struct kmsg_frame f[64];
    size_t n = cut(data + 1, size - 1, f, 64);
    char err[256], sig[KSIGN_HEX_MAX];
    struct ksign *k = ksign_new("hmac-sha256", keyed ? KEY : "", keyed ? strlen(KEY) : 0, err,
                                sizeof err);
    if (!k)
        abort();
    int signed_here = keyed && !forged && sign_after_delimiter(k, f, n, sig);
    struct kmsg_session s;
    kmsg_session_init(&s, k);
    struct kmsg m;
    int rc = kmsg_decode(&s, f, n, &m, err, sizeof err);
    if (rc == 0) {
        if (keyed && !signed_here)
            abort(); /* an unsigned or forged message was accepted with a key set */
        if (!m.msg_type || strlen(m.msg_type) != json_string_length(json_object_get(m.header, "msg_type")) ||
            !json_is_object(m.content) || !json_is_object(m.header))
            abort(); /* a message type with U+0000 in it must be refused */
        use(&m);
        /* The same message again is a replay when signing is on. */
        struct kmsg again;
        if (keyed && kmsg_decode(&s, f, n, &again, err, sizeof err) == 0)
            abort();
        kmsg_clear(&m);
    } else if (m.header || m.content || m.ident || m.msg_type) {
        abort(); /* a refused message holds nothing */
    }
    ksign_free(k);
    return 0;
}
