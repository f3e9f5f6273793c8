/* lineedit.h — reading typed lines with libedit: prompts, emacs-style
 * editing, history kept across runs, Tab completion from the engine, and
 * Ctrl-C that throws away the line being typed. */
#ifndef PARC_REPL_LINEEDIT_H
#define PARC_REPL_LINEEDIT_H

struct engine;
struct lineedit;

enum lineedit_result {
    LINEEDIT_LINE,      /* *line holds what was typed */
    LINEEDIT_EOF,       /* Ctrl-D on an empty line, or the terminal went away */
    LINEEDIT_INTERRUPT, /* Ctrl-C: the line was thrown away */
};

/* Starts line editing on stdin/stdout (a terminal) and loads the history.
 * engine answers completions and stays owned by the caller. Returns NULL
 * when libedit cannot start. Free with lineedit_close. */
struct lineedit *lineedit_open(struct engine *engine);

/* Reads one line after prompt. before is the text of the cell typed so far
 * (completion sees it), indent is put in front of the new line ready for
 * editing. On LINEEDIT_LINE, *line is malloc'd, owned by the caller, without
 * its '\n'. */
enum lineedit_result lineedit_read(struct lineedit *le, const char *prompt, const char *before,
                                   const char *indent, char **line);

/* Adds a line to the history and saves it. */
void lineedit_remember(struct lineedit *le, const char *line);

/* Restores the terminal and frees le. Accepts NULL. */
void lineedit_close(struct lineedit *le);

#endif
