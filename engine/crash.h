/* crash.h — where a cell crashed, in the user's terms: the function and
 * cell the faulting instruction belongs to. Runs inside the dying cell
 * process, from its signal handler, on an alternate stack. */
#ifndef PARC_CRASH_H
#define PARC_CRASH_H

struct jit;

/* Installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT in the
 * cell process. On a crash the handler writes 'X' and a description of
 * the place to fd, then dies of the same signal. cell_no names the cell
 * running now; j gives the code regions and symbols. */
void crash_install(int fd, const struct jit *j, int cell_no);

/* A signal's description for users: "segmentation fault (SIGSEGV)". */
const char *crash_signal_name(int sig);

#endif
