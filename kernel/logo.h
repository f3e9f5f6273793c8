/* logo.h — parc's logo (a C holding three timeline lanes on a blue
 * tile), drawn in code so the kernelspec needs no image files. */
#ifndef PARC_KERNEL_LOGO_H
#define PARC_KERNEL_LOGO_H

#include "util.h"

/* Appends a size x size PNG of the logo to out. */
void klogo_png(int size, struct buf *out);

/* The logo as an SVG document (static text). */
const char *klogo_svg(void);

#endif
