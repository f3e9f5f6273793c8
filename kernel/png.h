/* png.h — a minimal PNG writer (8-bit RGBA, stored deflate blocks), enough
 * for the kernel's logos without an image library. */
#ifndef PARC_KERNEL_PNG_H
#define PARC_KERNEL_PNG_H

#include "util.h"

/* Appends the PNG encoding of a w x h image to out; rgba holds w*h pixels
 * of 4 bytes (red, green, blue, alpha), row by row from the top. */
void kpng_encode(const unsigned char *rgba, int w, int h, struct buf *out);

#endif
