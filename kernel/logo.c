/* logo.c — see logo.h. The raster version samples the same shapes as the
 * SVG (in a 64-unit square), 4x4 samples per pixel for smooth edges. */
#include "logo.h"

#include <math.h>
#include <stdlib.h>

#include "png.h"

struct rgb {
    unsigned char r, g, b;
};

static const struct rgb TILE = {0x1f, 0x3a, 0x93}, WHITE = {0xff, 0xff, 0xff};
static const struct rgb LANE[3] = {{0xff, 0xb3, 0x47}, {0x4c, 0xd9, 0xc4}, {0xff, 0x6b, 0x81}};
/* Lanes: x0, x1, y0, y1 in logo units. */
static const float LANE_BOX[3][4] = {{30, 56, 23, 28}, {36, 58, 30, 35}, {30, 50, 37, 42}};

static const char SVG[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" "
    "viewBox=\"0 0 64 64\">\n"
    "  <rect width=\"64\" height=\"64\" rx=\"12\" fill=\"#1f3a93\"/>\n"
    "  <path d=\"M 36.25 21.75 A 14.5 14.5 0 1 0 36.25 42.25\" fill=\"none\" "
    "stroke=\"#ffffff\" stroke-width=\"7\"/>\n"
    "  <rect x=\"30\" y=\"23\" width=\"26\" height=\"5\" rx=\"2\" fill=\"#ffb347\"/>\n"
    "  <rect x=\"36\" y=\"30\" width=\"22\" height=\"5\" rx=\"2\" fill=\"#4cd9c4\"/>\n"
    "  <rect x=\"30\" y=\"37\" width=\"20\" height=\"5\" rx=\"2\" fill=\"#ff6b81\"/>\n"
    "</svg>\n";

const char *klogo_svg(void)
{
    return SVG;
}

static int in_round_rect(float x, float y, float x0, float y0, float x1, float y1, float r)
{
    if (x < x0 || x > x1 || y < y0 || y > y1)
        return 0;
    float cx = x < x0 + r ? x0 + r : x > x1 - r ? x1 - r : x;
    float cy = y < y0 + r ? y0 + r : y > y1 - r ? y1 - r : y;
    return (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
}

/* The color at logo point (x, y); 0 outside the tile. */
static int sample(float x, float y, struct rgb *c)
{
    if (!in_round_rect(x, y, 0, 0, 64, 64, 12))
        return 0;
    *c = TILE;
    float dx = x - 26, dy = y - 32, d = sqrtf(dx * dx + dy * dy);
    if (d >= 11 && d <= 18 && !(dx > 0 && fabsf(dy) < dx)) /* the C, open 90 degrees */
        *c = WHITE;
    for (int i = 0; i < 3; i++) {
        const float *b = LANE_BOX[i];
        if (in_round_rect(x, y, b[0], b[2], b[1], b[3], 2))
            *c = LANE[i];
    }
    return 1;
}

void klogo_png(int size, struct buf *out)
{
    unsigned char *px = xcalloc((size_t)size * size, 4);
    float scale = 64.0f / (float)size;
    for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
            unsigned r = 0, g = 0, b = 0, n = 0;
            for (int sy = 0; sy < 4; sy++) {
                for (int sx = 0; sx < 4; sx++) {
                    struct rgb c;
                    if (sample((x + (sx + 0.5f) / 4) * scale, (y + (sy + 0.5f) / 4) * scale, &c)) {
                        r += c.r, g += c.g, b += c.b;
                        n++;
                    }
                }
            }
            unsigned char *p = px + ((size_t)y * size + x) * 4;
            if (n) {
                p[0] = (unsigned char)(r / n);
                p[1] = (unsigned char)(g / n);
                p[2] = (unsigned char)(b / n);
                p[3] = (unsigned char)(n * 255 / 16);
            }
        }
    }
    kpng_encode(px, size, size, out);
    free(px);
}
