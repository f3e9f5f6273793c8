/* events.h — how the runtime inside a cell process reaches the front end:
 * the event pipe (events the front end turns into outputs) and the input
 * pipe (answers to input requests). */
#ifndef PARC_RT_EVENTS_H
#define PARC_RT_EVENTS_H

#include <stddef.h>

/* Set by the executor before any cell runs; -1 when not connected. */
extern int rt_event_fd;
extern int rt_input_fd;
/* The cell process's commit pipe to the executor; -1 outside a cell. */
extern int rt_commit_fd;

/* Ends the cell with an error the runtime found (a failed MPI job): sends
 * ename, evalue and traceback as the cell's error and ends the cell
 * process; the executor then reports no error of its own, the cell's
 * status is crashed if crashed is set (something it ran failed), else
 * compile_error (it could not run), and the session stays as it was
 * before the cell. Never returns. */
void rt_cell_fail(int crashed, const char *ename, const char *evalue, const char *traceback)
    __attribute__((noreturn));
/* fn (NULL: none) runs once when rt_cell_fail is called, before the error
 * is sent: the engine shows the cell's timeline so far with it. */
void rt_on_cell_fail(void (*fn)(void));

/* Sends a mime bundle event (EV_RESULT, EV_DISPLAY, EV_UPDATE_DISPLAY)
 * with one entry. id may be NULL. Thread-safe. Returns 0 or -1. */
int rt_send_bundle(int type, const char *id, const char *mime, const void *data, size_t len);
/* Sends one bundle of n entries (mimes[i] -> data[i] of lens[i] bytes;
 * (size_t)-1 = strlen), e.g. an SVG with its text/plain alternative. id
 * may be NULL. Thread-safe. Returns 0 or -1. */
int rt_send_bundle_multi(int type, const char *id, size_t n, const char *const *mimes, const void *const *data,
                         const size_t *lens);
/* Sends an output event and waits for the front end's IN_ACK, which it
 * sends once it has taken all output printed before: output and displays
 * then keep their order. Thread-safe. */
int rt_send_synced(int type, size_t n, const char *const *fields, const size_t *lens);
/* Sends a request event and reads its answer into *answer (frame_free it),
 * holding the pipes meanwhile so that no other thread's acknowledged event
 * takes the answer. Thread-safe. Returns 0 or -1. */
struct frame;
int rt_send_request(int type, size_t n, const char *const *fields, const size_t *lens, struct frame *answer);
/* Sends any event; fields as in wire_send. Thread-safe. */
int rt_send(int type, size_t n, const char *const *fields, const size_t *lens);

#endif
