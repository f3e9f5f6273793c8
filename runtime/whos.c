/* whos.c — the table %whos prints. The code %whos generates (see
 * engine/state.c) shows each variable into a string with the value
 * display's own functions and adds a row; the table is printed when every
 * row is in, so that its columns line up. */
#include "parc.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUE 40 /* longer values are cut, ending in "..." */
#define MAX_TYPE 32

struct row {
    char *col[5]; /* name, kind, type, cell, value */
};

static struct row *rows;
static size_t nrows;

/* A malloc'd copy of s, cut to max characters with "..." at the end. */
static char *shorten(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return xstrdup(s);
    char *r = xmalloc(max + 1);
    memcpy(r, s, max - 3);
    memcpy(r + max - 3, "...", 4);
    return r;
}

void parc__whos_row(const char *name, const char *kind, const char *type, int cell, const char *value_text)
{
    char *value = value_text ? xstrdup(value_text) : __parc_value_take();
    rows = xrealloc(rows, (nrows + 1) * sizeof *rows);
    struct row *r = &rows[nrows++];
    r->col[0] = xstrdup(name);
    r->col[1] = xstrdup(kind);
    r->col[2] = shorten(type, MAX_TYPE);
    r->col[3] = cell > 0 ? xasprintf("cell[%d]", cell) : xstrdup("");
    r->col[4] = shorten(value, MAX_VALUE);
    free(value);
}

/* Prints cols padded to widths w, without blanks at the end. */
static void print_row(const char *const *cols, const size_t *w)
{
    struct buf b = {0};
    for (int c = 0; c < 5; c++)
        buf_printf(&b, "%-*s  ", (int)w[c], cols[c]);
    while (b.len && b.data[b.len - 1] == ' ')
        b.data[--b.len] = 0;
    printf("%s\n", b.data);
    buf_free(&b);
}

void parc__whos_print(void)
{
    static const char *const head[5] = {"Name", "Kind", "Type", "Cell", "Value"};
    size_t w[5];
    for (int c = 0; c < 5; c++) {
        w[c] = strlen(head[c]);
        for (size_t i = 0; i < nrows; i++)
            if (strlen(rows[i].col[c]) > w[c])
                w[c] = strlen(rows[i].col[c]);
    }
    print_row(head, w);
    size_t total = w[0] + w[1] + w[2] + w[3] + w[4] + 8;
    for (size_t i = 0; i < total; i++)
        putchar('-');
    putchar('\n');
    for (size_t i = 0; i < nrows; i++) {
        print_row((const char *const *)rows[i].col, w);
        for (int c = 0; c < 5; c++)
            free(rows[i].col[c]);
    }
    free(rows);
    rows = NULL;
    nrows = 0;
}
