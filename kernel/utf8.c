/* utf8.c — see utf8.h. */
#include "utf8.h"

#include "util.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes available), or
 * 0 if the bytes there are not one. Rejects overlongs, surrogates and code
 * points above U+10FFFF, as JSON decoders do. */
static size_t seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t need;
    unsigned cp, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        need = 2, cp = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        need = 3, cp = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        need = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return need;
}

/* Bytes the code point at s occupies, counting an invalid byte as one. */
static size_t step(const char *s, size_t n)
{
    size_t k = seq_len((const unsigned char *)s, n);
    return k ? k : 1;
}

size_t kutf8_cp_to_byte(const char *s, size_t len, size_t cp)
{
    size_t i = 0;
    while (cp-- > 0 && i < len)
        i += step(s + i, len - i);
    return i < len ? i : len;
}

size_t kutf8_byte_to_cp(const char *s, size_t len, size_t byte)
{
    size_t i = 0, cp = 0;
    if (byte > len)
        byte = len;
    while (i < byte) {
        i += step(s + i, len - i);
        cp++;
    }
    return cp;
}

json_t *kutf8_json_string(const char *s, size_t len)
{
    static const char repl[] = "\xef\xbf\xbd";
    struct buf b = {0};
    size_t i = 0, run = 0;
    while (i < len) {
        size_t k = seq_len((const unsigned char *)s + i, len - i);
        if (k) {
            i += k;
            continue;
        }
        buf_add(&b, s + run, i - run);
        buf_add(&b, repl, 3);
        i++;
        run = i;
    }
    json_t *j;
    if (run == 0) {
        j = json_stringn(s, len);
    } else {
        buf_add(&b, s + run, len - run);
        j = json_stringn(b.data, b.len);
    }
    buf_free(&b);
    if (!j)
        j = json_string("");
    if (!j)
        abort();
    return j;
}

size_t kutf8_whole_prefix(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    /* Look back over at most 3 continuation bytes for a lead byte whose
     * sequence runs past the end. */
    for (size_t back = 1; back <= 4 && back <= len; back++) {
        unsigned c = u[len - back];
        if ((c & 0xc0) == 0x80)
            continue;
        if (c < 0xc2 || c > 0xf4)
            return len;
        size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        return need > back ? len - back : len;
    }
    return len;
}

int kutf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t k = seq_len((const unsigned char *)s + i, len - i);
        if (!k || s[i] == 0)
            return 0;
        i += k;
    }
    return 1;
}
