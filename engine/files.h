/* files.h — cells and files: %%writefile, %load, %run. */
#ifndef PARC_FILES_H
#define PARC_FILES_H

struct magic_call;

/* %%writefile [-a] FILE: writes (-a: appends) the cell's body, ending in a
 * newline, to FILE and prints "Writing FILE" ("Appending to FILE"); the
 * cell is not compiled. 0, or -1 with a message. */
int files_magic_writefile(struct magic_call *c);

/* %load FILE: the file's text takes the line's place, keeping its lines,
 * and runs with the rest of the cell. Messages about its lines name the
 * file. 0, or -1 with a message. */
int files_magic_load(struct magic_call *c);

/* %run FILE [ARGS...]: compiles and runs the file like %load, then, if
 * the file defines main, calls it with argv = FILE ARGS... (a program as
 * it would run from a shell) and reports a status other than 0.
 * Messages name the file. 0, or -1 with a message. */
int files_magic_run(struct magic_call *c);

#endif
