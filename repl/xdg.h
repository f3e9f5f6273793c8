/* xdg.h — parc's own folders under the XDG base directories (state for the
 * history, cache for image files the REPL writes). */
#ifndef PARC_REPL_XDG_H
#define PARC_REPL_XDG_H

/* Returns "$ENVVAR/parc", or "$HOME/FALLBACK/parc" when ENVVAR is unset or
 * not absolute (e.g. xdg_dir("XDG_STATE_HOME", ".local/state")), creating
 * the folders (mode 0700) as needed. The result is malloc'd and owned by the
 * caller; NULL when no home is known or the folder cannot be created. */
char *xdg_dir(const char *envvar, const char *fallback);

#endif
