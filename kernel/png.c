/* png.c — see png.h. Compression is not worth a dependency for 16 KiB
 * logos, so the zlib stream uses stored blocks only. */
#include "png.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
    static uint32_t table[256];
    if (!table[1]) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    }
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static uint32_t adler32(const unsigned char *p, size_t n)
{
    uint32_t a = 1, b = 0;
    while (n--) {
        a = (a + *p++) % 65521;
        b = (b + a) % 65521;
    }
    return b << 16 | a;
}

static void put32(struct buf *b, uint32_t v)
{
    unsigned char c[4] = {v >> 24, v >> 16, v >> 8, v};
    buf_add(b, c, 4);
}

static void chunk(struct buf *out, const char *type, const unsigned char *data, size_t n)
{
    put32(out, (uint32_t)n);
    size_t at = out->len;
    buf_add(out, type, 4);
    buf_add(out, data, n);
    put32(out, crc32_update(0, (const unsigned char *)out->data + at, n + 4));
}

void kpng_encode(const unsigned char *rgba, int w, int h, struct buf *out)
{
    static const unsigned char sig[8] = {137, 'P', 'N', 'G', '\r', '\n', 26, '\n'};
    size_t row = (size_t)w * 4, rawlen = (row + 1) * (size_t)h;
    unsigned char *raw = xmalloc(rawlen);
    for (int y = 0; y < h; y++) {
        raw[y * (row + 1)] = 0; /* filter: none */
        memcpy(raw + y * (row + 1) + 1, rgba + y * row, row);
    }
    struct buf z = {0};
    buf_add(&z, "\x78\x01", 2);
    for (size_t at = 0; at < rawlen || at == 0;) {
        size_t n = rawlen - at > 65535 ? 65535 : rawlen - at;
        unsigned char hdr[5] = {at + n == rawlen, n & 0xff, n >> 8, ~n & 0xff, (~n >> 8) & 0xff};
        buf_add(&z, hdr, 5);
        buf_add(&z, raw + at, n);
        at += n;
        if (n == 0)
            break;
    }
    put32(&z, adler32(raw, rawlen));
    unsigned char ihdr[13] = {w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h,
                              8, 6, 0, 0, 0};
    buf_add(out, sig, 8);
    chunk(out, "IHDR", ihdr, 13);
    chunk(out, "IDAT", (const unsigned char *)z.data, z.len);
    chunk(out, "IEND", NULL, 0);
    buf_free(&z);
    free(raw);
}
