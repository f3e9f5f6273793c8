/* introspect.h — what the session can say about code at a cursor, for
 * completion and inspection (Tab, ?name, inspect_request). Call these in
 * the executor: probes that compile and run code do so in a throwaway
 * fork, so the session never changes. */
#ifndef PARC_INTROSPECT_H
#define PARC_INTROSPECT_H

#include <stddef.h>

struct session;

/* Members of the struct before a `.` or `->` that ends, with the word
 * being typed, at cursor (`p.x`, `pts[i].pos->`), when the session knows
 * the operand's type. Returns -1 when the cursor is not after such an
 * operator; else the number of members starting with the typed word, in
 * *matches (a malloc'd NULL-terminated array of malloc'd strings, freed by
 * the caller) and in *start the offset of the typed word. */
int introspect_members(struct session *s, const char *code, size_t cursor, char ***matches, size_t *start);

/* Runs fn(s, arg) in a throwaway fork of the executor, its stdout and
 * stderr going to /dev/null (compiling can leave state behind, and some
 * TinyCC errors end the process). Returns the string fn returned, passed
 * back through a pipe, malloc'd; NULL when fn returned NULL or "", or
 * gave no answer within 10 s (a fork of a process running a GPU runtime
 * runs the runtime's fork handlers, which could block). */
char *introspect_in_fork(struct session *s, char *(*fn)(struct session *, const char *), const char *arg);

/* A description of name for a reader: for a session name its declaration,
 * type, current value (variables) and defining cell; for a name from the
 * standard headers its prototype or macro; with detail (??name) also the
 * source of a session name's definition. malloc'd, or NULL if nothing is
 * known. */
char *introspect_describe(struct session *s, const char *name, int detail);

/* The description of what code holds at cursor: the name there (as
 * introspect_describe), or for a member access (p.x, a[1].pos->y, without
 * calls) its current value. malloc'd, or NULL. */
char *introspect_at(struct session *s, const char *code, size_t cursor, int detail);

#endif
