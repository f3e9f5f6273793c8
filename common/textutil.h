/* textutil.h — small readers of C source text shared by parc's parts (words,
 * identifiers, lines) and lists of malloc'd strings. */
#ifndef PARC_TEXTUTIL_H
#define PARC_TEXTUTIL_H

#include <stddef.h>

/* Whether c can be part of a C identifier: a letter, a digit or '_'. */
int text_word_char(int c);

/* Whether all of s is one C identifier (a letter or '_', then letters,
 * digits and '_'). 0 for "". */
int text_is_identifier(const char *s);

/* Whether w occurs in the len bytes at s as a whole word: no identifier
 * character right before or after it. 0 when w is "". */
int text_has_word(const char *s, size_t len, const char *w);

/* Line n (1-based) of s, without its newline: a pointer into s, its
 * length in *len; NULL when s has fewer lines (or line n is empty and
 * the last). */
const char *text_line(const char *s, int n, size_t *len);

/* Whether one of the n strings of v equals s. */
int strv_has(char *const *v, size_t n, const char *s);

/* Frees the n malloc'd strings of v, then v itself. v may be NULL when n
 * is 0. */
void strv_free(char **v, size_t n);

#endif
