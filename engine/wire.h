/* wire.h — the framing used on the pipes between a front end's engine
 * client, the executor and cell processes. A frame is a 4-byte length, a
 * 1-byte type and a list of fields, each a 4-byte length and its bytes. */
#ifndef PARC_WIRE_H
#define PARC_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Requests: front end -> executor (request pipe). */
enum {
    REQ_EXECUTE = 1,   /* cell_no, flags, code */
    REQ_IS_COMPLETE,   /* code */
    REQ_COMPLETE,      /* code, cursor */
    REQ_INSPECT,       /* code, cursor, detail */
    REQ_SHUTDOWN,
};

/* Events: executor and cells -> front end (event pipe). */
enum {
    EV_READY = 32,     /* pid */
    EV_CELL_PID,       /* pid of the process running the cell, output limit in bytes */
    EV_RESULT,         /* display_id, then mime, data pairs */
    EV_DISPLAY,        /* display_id, then mime, data pairs */
    EV_UPDATE_DISPLAY, /* display_id, then mime, data pairs */
    EV_CLEAR_OUTPUT,   /* wait */
    EV_ERROR,          /* ename, evalue, traceback */
    EV_INPUT_REQUEST,  /* prompt, password */
    EV_DONE,           /* status, executor pid */
    EV_REPLY,          /* fields depend on the request */
    EV_OUTPUT_LIMIT,   /* bytes of output per cell the front end shows (0 = all) */
};

/* Input: front end -> cell (input pipe). One frame per answer. */
enum {
    IN_TEXT = 64,      /* text */
    IN_EOF,
    IN_ACK,            /* an output event was delivered (see runtime/events.c) */
};

#define WIRE_MAX_FIELDS 64
#define WIRE_MAX_FRAME (256u << 20)

/* A decoded frame. Field pointers point into data and are NUL-terminated. */
struct frame {
    int type;
    size_t nfield;
    const char *field[WIRE_MAX_FIELDS];
    size_t flen[WIRE_MAX_FIELDS];
    char *data; /* owned: free with frame_free */
};

/* Writes one frame of n fields (lengths in lens; a length of (size_t)-1
 * means strlen) to fd in a single write when it fits a pipe's atomic size.
 * Returns 0 or -1. Async-signal-safe apart from malloc for large frames. */
int wire_send(int fd, int type, size_t n, const char *const *fields, const size_t *lens);
/* Convenience: fields are NUL-terminated strings; the list ends at NULL. */
int wire_sendv(int fd, int type, ...);

/* Reads one frame from a blocking fd. Returns 0, or -1 on end of file,
 * error or a malformed frame. */
int wire_recv(int fd, struct frame *f);
void frame_free(struct frame *f);

/* Incremental decoder for a non-blocking fd: feed bytes, take frames. */
struct wire_reader {
    char *buf;
    size_t len, cap;
};
/* Reads what is available from fd into r. Returns bytes read, 0 at end of
 * file, -1 on error (EAGAIN included: check errno). */
long wire_fill(struct wire_reader *r, int fd);
/* Takes the next complete frame out of r. Returns 1 if one was taken, 0 if
 * none is complete yet, -1 if the stream is malformed. */
int wire_take(struct wire_reader *r, struct frame *f);
void wire_reader_free(struct wire_reader *r);

#endif
