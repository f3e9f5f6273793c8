/* utf8.h — the UTF-8 chores of the wire protocol: Jupyter counts cursor
 * positions in code points and every JSON string must be valid UTF-8,
 * while cells write arbitrary bytes. */
#ifndef PARC_KERNEL_UTF8_H
#define PARC_KERNEL_UTF8_H

#include <stddef.h>

#include <jansson.h>

/* Byte offset of code point number cp in s (len bytes); len if s has fewer
 * code points. Invalid bytes count as one code point each. */
size_t kutf8_cp_to_byte(const char *s, size_t len, size_t cp);

/* Number of code points in the first byte bytes of s (clamped to len). */
size_t kutf8_byte_to_cp(const char *s, size_t len, size_t byte);

/* A new JSON string holding s (len bytes, may contain NULs), with every
 * invalid UTF-8 sequence replaced by U+FFFD. Never NULL. */
json_t *kutf8_json_string(const char *s, size_t len);

/* Length of the longest prefix of s that does not end inside a multi-byte
 * sequence that more bytes could still complete; the rest (at most 3
 * bytes) is best kept for the next chunk of the same stream. */
size_t kutf8_whole_prefix(const char *s, size_t len);

/* Whether s (len bytes) is valid UTF-8 without NUL bytes. */
int kutf8_valid(const char *s, size_t len);

#endif
