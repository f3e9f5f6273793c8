/* histfile.h — the REPL's history, kept across runs in
 * $XDG_STATE_HOME/parc/history (default ~/.local/state/parc/history). */
#ifndef PARC_REPL_HISTFILE_H
#define PARC_REPL_HISTFILE_H

#include <histedit.h>

struct histfile {
    History *h;
    char *path; /* malloc'd; NULL when the history cannot be kept */
};

/* Creates the history and loads the file if there is one. 0, or -1 when
 * libedit cannot make a history (then hf->h is NULL). A missing or
 * unwritable state folder only means nothing is kept across runs. */
int histfile_open(struct histfile *hf);

/* Appends one entry (a line without its '\n') and saves the file. */
void histfile_add(struct histfile *hf, const char *line);

/* Frees what hf owns. Accepts a zeroed hf. */
void histfile_close(struct histfile *hf);

#endif
