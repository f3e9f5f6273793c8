/* textutil.c — see textutil.h. */
#include "textutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int text_word_char(int c)
{
    return isalnum((unsigned char)c) || c == '_';
}

int text_is_identifier(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_')
        return 0;
    for (; *s; s++)
        if (!text_word_char(*s))
            return 0;
    return 1;
}

int text_has_word(const char *s, size_t len, const char *w)
{
    size_t wl = strlen(w);
    if (!wl)
        return 0;
    for (const char *h = s; (h = memmem(h, len - (size_t)(h - s), w, wl)); h++) {
        int before = h > s && text_word_char(h[-1]);
        int after = (size_t)(h - s) + wl < len && text_word_char(h[wl]);
        if (!before && !after)
            return 1;
    }
    return 0;
}

const char *text_line(const char *s, int n, size_t *len)
{
    const char *p = s;
    for (int i = 1; i < n && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p || !*p)
        return NULL;
    const char *e = strchr(p, '\n');
    *len = e ? (size_t)(e - p) : strlen(p);
    return p;
}

int strv_has(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return 1;
    return 0;
}

void strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}
