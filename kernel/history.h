/* history.h — the kernel's own input history: every stored cell with its
 * session and line number and the text of its result, kept in a JSON-lines
 * file across kernel runs, and the three queries of history_request (tail,
 * range, search). */
#ifndef PARC_KERNEL_HISTORY_H
#define PARC_KERNEL_HISTORY_H

#include <stddef.h>

#include <jansson.h>

struct khist;

/* Opens the history kept in the file at path (created with its directory
 * when missing; NULL or "" keeps history in memory only) and starts a new
 * session numbered one past the last one in the file. Never fails: an
 * unreadable file gives an empty history (and *warning, if not NULL, a
 * malloc'd message for the log). Free with khist_free. */
struct khist *khist_open(const char *path, char **warning);
/* Closes the file and frees h. Accepts NULL. */
void khist_free(struct khist *h);

/* The default file: $PARC_KERNEL_HISTORY if set (empty: no file), else
 * $XDG_DATA_HOME/parc/kernel-history.jsonl or
 * ~/.local/share/parc/kernel-history.jsonl. malloc'd, or NULL. */
char *khist_default_path(void);

/* The current session's number. */
int khist_session(const struct khist *h);

/* Records cell line (its execution count) of the current session with its
 * input and the text of its result (output may be NULL). Appends it to the
 * file at once. */
void khist_add(struct khist *h, int line, const char *input, const char *output);

/* The queries. Each returns a new JSON array of [session, line, input]
 * entries, or [session, line, [input, output]] when output is set, oldest
 * first. */
/* The last n entries over all sessions. */
json_t *khist_tail(const struct khist *h, long n, int output);
/* Lines start <= line < stop (stop <= 0: to the end) of session (0 or
 * negative: relative to the current one). */
json_t *khist_range(const struct khist *h, long session, long start, long stop, int output);
/* Entries whose input matches the glob pattern, the last n of them (n <= 0:
 * all); unique keeps only the latest entry of each distinct input. */
json_t *khist_search(const struct khist *h, const char *pattern, long n, int unique, int output);

#endif
