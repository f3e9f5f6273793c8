/* cells.c — see cells.h. */
#include "cells.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "util.h"

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v')
            return 0;
    return 1;
}

static void set_indent(struct cells *c, char *indent)
{
    free(c->indent);
    c->indent = indent;
}

enum cells_step cells_add(struct cells *c, const char *line, size_t len)
{
    if (is_blank(line, len))
        return c->text.len ? CELLS_RUN : CELLS_SKIP;
    if (len && line[len - 1] == '\n')
        len--;
    if (len && line[len - 1] == '\r')
        len--;
    buf_add(&c->text, line, len);
    buf_addc(&c->text, '\n');

    char *help = engine_help_name(c->text.data, NULL);
    if (help) {
        free(help);
        return CELLS_RUN; /* "name?" is no unfinished ?: expression */
    }
    char *indent = NULL;
    enum engine_completeness k = engine_is_complete(c->engine, c->text.data, &indent);
    set_indent(c, indent);
    /* An invalid cell runs at once: running it is what shows the error. */
    return k == ENGINE_INCOMPLETE ? CELLS_MORE : CELLS_RUN;
}

int cells_pending(const struct cells *c)
{
    return c->text.len != 0;
}

const char *cells_text(const struct cells *c)
{
    return c->text.len ? c->text.data : "";
}

const char *cells_indent(const struct cells *c)
{
    return c->indent && c->text.len ? c->indent : "";
}

char *cells_take(struct cells *c)
{
    set_indent(c, NULL);
    return buf_take(&c->text);
}

void cells_discard(struct cells *c)
{
    set_indent(c, NULL);
    buf_reset(&c->text);
}

void cells_free(struct cells *c)
{
    if (!c)
        return;
    set_indent(c, NULL);
    buf_free(&c->text);
}
