/* shell.h — the working directory and the environment: %cd, %pwd, %env.
 * They change the cell process, which becomes the session, so a change
 * lasts until changed again (and a failed cell takes it back). Lines
 * starting with ! are shell commands (engine/magic.c, runtime/shell.c). */
#ifndef PARC_SHELL_H
#define PARC_SHELL_H

struct buf;
struct magic_call;

/* %cd [DIR]: changes the working directory (no DIR: $HOME; -: the one
 * before) and prints the new one. 0, or -1 with a message. */
int shell_magic_cd(struct magic_call *c);

/* %pwd: prints the working directory. */
int shell_magic_pwd(struct magic_call *c);

/* %env [NAME[=VALUE]]: lists the environment, prints one variable, or
 * sets one (NAME=VALUE or NAME VALUE). 0, or -1 with a message. */
int shell_magic_env(struct magic_call *c);

/* The words of a magic's arguments, split as a shell splits them: a
 * word ends at a space or tab outside quotes; '...' keeps its text as it
 * is, "..." too but for \" and \\, and a backslash outside quotes keeps
 * the next character (an escaped space: "my\ file.c"). NULL-terminated,
 * each and the array malloc'd (strv_free), *n words; NULL with a usage
 * message in c->err when a quote is not closed. */
char **shell_words(struct magic_call *c, const char *args, int *n);

/* word with a leading ~ made $HOME; malloc'd. */
char *shell_home(const char *word);

/* A path argument of the magic c as a user writes it: one shell word
 * (shell_words: quotes removed, escapes read), a leading ~ made $HOME.
 * malloc'd; NULL (with a usage message in c->err) when arg is empty, holds
 * more than one word or leaves a quote open. what names the path for that
 * message ("file name"). */
char *shell_path_arg(struct magic_call *c, const char *arg, const char *what);

#endif
