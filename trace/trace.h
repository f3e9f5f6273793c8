/* trace.h — the one model of what ran in parallel: lanes (a thread, a
 * process, later an OpenMP thread, an MPI rank, a GPU stream), events on
 * them (tasks, waits, spans, instants) and arrows between them (messages,
 * dependencies). Recorders in the cell process write it (runtime pools,
 * interposed pthread_create/fork, parc locks, user spans); every renderer
 * (SVG, text, Chrome trace JSON, the summary) reads the same struct trace. */
#ifndef PARC_TRACE_H
#define PARC_TRACE_H

#include <stddef.h>
#include <stdint.h>

enum trace_kind {
    TRACE_TASK, /* work: a pool task, a chunk of a loop, a worker's body */
    TRACE_WAIT, /* waiting: for a lock, a future, a barrier, a message */
    TRACE_SPAN, /* a region the user named (spans nest) */
    TRACE_MARK, /* an instant: start_ns == end_ns */
};

#define TRACE_NO_ARG INT64_MIN

struct trace_event {
    int32_t lane;
    int32_t name;     /* index into trace.names */
    uint8_t kind;     /* enum trace_kind */
    int64_t start_ns; /* since the trace's origin */
    int64_t end_ns;
    int64_t arg[2];   /* e.g. task index, or a chunk [lo, hi); TRACE_NO_ARG if unused */
};

struct trace_lane {
    char *label; /* "thread 2 (tid 1234)", "process 1 (pid 999)" */
    int pid, tid;
};

struct trace_arrow {
    int32_t from_lane, to_lane;
    int64_t from_ns, to_ns;
    int32_t name;
};

/* A finished (or snapshot) trace. Owned by whoever got it; trace_free. */
struct trace {
    struct trace_lane *lanes;
    size_t nlanes;
    struct trace_event *events; /* sorted by lane, then start */
    size_t nevents;
    struct trace_arrow *arrows;
    size_t narrows;
    char **names;
    size_t nnames;
    int64_t wall_ns; /* origin to the end of recording */
};

void trace_free(struct trace *t);

/* ---- Recording (in the cell process) ---------------------------------
 * Buffers live in shared memory created at the start of each cell, so
 * that process workers forked by the cell record into them too. Every
 * function is safe from any thread or forked child of the cell; recording
 * an event costs a few tens of ns and takes no lock. */

/* Starts a fresh recording with room for capacity events (0 = default).
 * Called by the executor before each cell. 0 or -1. */
int trace_rec_begin(size_t capacity);
/* Whether anything was recorded since trace_rec_begin. */
int trace_rec_used(void);
/* ns since the recording's origin. */
int64_t trace_rec_now(void);
/* The calling thread's lane, registered with label on first use (label may
 * be NULL: "thread N (tid T)" or "process N (pid P)"). */
int trace_rec_lane(const char *label);
/* The index of name in the names table (interned; safe to call often). */
int trace_rec_name(const char *name);
void trace_rec_event(int lane, int kind, int name, int64_t start_ns, int64_t end_ns, int64_t a0, int64_t a1);
void trace_rec_arrow(int from_lane, int64_t from_ns, int to_lane, int64_t to_ns, int name);
/* A copy of what was recorded so far, or NULL if nothing. */
struct trace *trace_rec_snapshot(void);

/* ---- Recording, added ------------------------------------------------ */

/* A new lane that is not the calling thread's (a process the caller
 * forked, a worker seen from outside). -1 when there is no recording or
 * no room. */
int trace_rec_new_lane(const char *label);
/* The lane registered by the main thread of process pid, or -1. */
int trace_rec_lane_of_pid(int pid);
/* Opens an event on lane that lasts until trace_rec_close (a thread's or a
 * process's whole life). A snapshot taken meanwhile shows it ending at the
 * snapshot's time. One open event per lane; closing twice records once. */
void trace_rec_open(int lane, int kind, int name, int64_t start_ns);
void trace_rec_close(int lane, int64_t end_ns);
/* Makes snapshots show only [start_ns, end_ns] of the recording (times
 * then count from start_ns; what lies outside is left out): the part
 * worth seeing when most of the cell was spent elsewhere (starting MPI).
 * A snapshot ends at its own time at the latest (end_ns INT64_MAX: from
 * start_ns on, while the cell runs). */
void trace_rec_window(int64_t start_ns, int64_t end_ns);
/* A wait on lane in progress since start_ns (name -1: none any more):
 * snapshots show it ending at their time; it is never recorded itself (an
 * MPI call a rank is blocked in, recorded whole when it returns). One per
 * lane; a new one replaces the last. */
void trace_rec_pending(int lane, int name, int64_t start_ns);
/* Renames lane (an MPI rank's, once it is known how it ended). */
void trace_rec_relabel(int lane, const char *label);
/* Events and arrows lost because the recording was full. */
uint64_t trace_rec_dropped(void);

#endif
