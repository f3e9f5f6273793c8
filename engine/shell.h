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

/* A path argument of the magic c as a user writes it: surrounding quotes
 * removed, a leading ~ made $HOME. malloc'd; NULL (with a usage message in
 * c->err) when arg is empty or holds more than one word. what names the
 * path for that message ("file name"). */
char *shell_path_arg(struct magic_call *c, const char *arg, const char *what);

#endif
