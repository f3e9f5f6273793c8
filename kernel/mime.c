/* mime.c — see mime.h. */
#include "mime.h"

#include <string.h>

#include <openssl/evp.h>

#include "utf8.h"
#include "util.h"

json_t *kmime_base64(const void *data, size_t len)
{
    size_t cap = 4 * ((len + 2) / 3) + 1;
    unsigned char *out = xmalloc(cap);
    size_t done = 0;
    const unsigned char *in = data;
    /* EVP_EncodeBlock takes an int length: encode in bounded slices whose
     * size is a multiple of 3, so the pieces join without padding. */
    while (len > 0) {
        size_t slice = len > 3u * (1u << 28) ? 3u * (1u << 28) : len;
        done += (size_t)EVP_EncodeBlock(out + done, in, (int)slice);
        in += slice;
        len -= slice;
    }
    json_t *j = json_stringn((const char *)out, done);
    free(out);
    return j;
}

static int is_json_type(const char *mime)
{
    size_t n = strlen(mime);
    return strcmp(mime, "application/json") == 0 ||
           (n > 5 && strcmp(mime + n - 5, "+json") == 0);
}

static int is_binary_type(const char *mime)
{
    if (strncmp(mime, "image/", 6) == 0)
        return strcmp(mime, "image/svg+xml") != 0;
    return strcmp(mime, "application/pdf") == 0 ||
           strcmp(mime, "application/octet-stream") == 0;
}

/* The JSON value for one entry. */
static json_t *value(const struct engine_mime *m)
{
    if (is_json_type(m->mime)) {
        json_t *j = json_loadb(m->data, m->len, JSON_DECODE_ANY, NULL);
        if (j)
            return j;
    }
    if (is_binary_type(m->mime))
        return kmime_base64(m->data, m->len);
    /* Text that is not valid UTF-8 is shown with U+FFFD where it breaks;
     * other types cannot be repaired that way and travel as base64. */
    int textual = strncmp(m->mime, "text/", 5) == 0 || strstr(m->mime, "xml") ||
                  strstr(m->mime, "javascript");
    if (!textual && !kutf8_valid(m->data, m->len))
        return kmime_base64(m->data, m->len);
    return kutf8_json_string(m->data, m->len);
}

json_t *kmime_bundle(const struct engine_mime *m, size_t n, char **plain)
{
    json_t *data = json_object();
    if (plain)
        *plain = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!m[i].mime || !m[i].data)
            continue;
        json_t *v = value(&m[i]);
        if (v)
            json_object_set_new(data, m[i].mime, v);
        if (plain && !*plain && strcmp(m[i].mime, "text/plain") == 0)
            *plain = xstrndup(m[i].data, m[i].len);
    }
    return data;
}
