/* replay.h — %replay: a new session built by running the cells that
 * succeeded again, in a fresh parc-engine (exec'd in place of the
 * executor). It is how a GPU session whose in-place cell crashed gets its
 * GPU state back (see gpu/gpusession.h); any session may use it. */
#ifndef PARC_REPLAY_H
#define PARC_REPLAY_H

#include <stddef.h>

struct magic_call;
struct session;

/* %replay: asks the executor to replay once the cell has committed. */
int replay_magic(struct magic_call *c);

/* Writes the session's history, without its last cell (the one asking
 * for the replay), to a new private file. Its path, malloc'd, or NULL. */
char *replay_save(const struct session *s);

/* Reads and removes the file made by replay_save: *n cells, their code
 * in (*codes)[i] and numbers in (*cells)[i] (malloc'd arrays of malloc'd
 * strings). 0, or -1 if it cannot be read. */
int replay_load(const char *path, char ***codes, int **cells, size_t *n);

#endif
