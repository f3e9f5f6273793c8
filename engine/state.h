/* state.h — magics that show or clear what the session holds: %who,
 * %whos, %history and %reset. */
#ifndef PARC_STATE_H
#define PARC_STATE_H

struct magic_call;

/* %who [variables|functions|types|macros]: the session's names, sorted,
 * one line per kind ("variables: a  b"). Prints; 0, or -1 with usage. */
int state_magic_who(struct magic_call *c);

/* %whos: a table of the session's names (name, kind, type, defining cell,
 * value). Variables' values are shown by code it produces, with the value
 * display's text; the table prints where the line is. 0, or -1. */
int state_magic_whos(struct magic_call *c);

/* %history [-n]: the code of the cells that ran before this one (since the
 * last %reset), -n with their cell numbers. 0, or -1 with usage. */
int state_magic_history(struct magic_call *c);

/* %reset [-f]: a fresh session (declarations, definitions, history gone;
 * settings kept). Without -f asks y/n through stdin. 0, or -1. */
int state_magic_reset(struct magic_call *c);

#endif
