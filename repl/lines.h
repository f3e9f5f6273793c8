/* lines.h — reads input one line at a time from a file descriptor (piped
 * cells, and answers to a cell's input requests), never consuming more than
 * it hands out, and giving up when Ctrl-C was pressed. */
#ifndef PARC_REPL_LINES_H
#define PARC_REPL_LINES_H

#include <signal.h>
#include <stddef.h>

struct lines;

enum lines_result {
    LINES_OK,      /* *line holds the next line */
    LINES_EOF,     /* end of input (or a read error) */
    LINES_STOPPED, /* a signal arrived and *stop was set */
};

/* Reads from fd, which stays owned by the caller. stop (may be NULL) is a
 * flag a signal handler sets: a wait interrupted by a signal while it is set
 * ends with LINES_STOPPED. Free the result with lines_free. */
struct lines *lines_open(int fd, volatile sig_atomic_t *stop);

/* Reads the next line. On LINES_OK, *line is a malloc'd string owned by the
 * caller, holding the line with its '\n' (the last line of a file may lack
 * it), and *len its length. End of file is final for pipes and files; on a
 * terminal a later call reads again. */
enum lines_result lines_get(struct lines *l, char **line, size_t *len);

void lines_free(struct lines *l);

#endif
