/* session.h — the executor's session: the jit state (declarations,
 * symbols, compiler settings), limits, the cells run so far, and the pipes
 * to the front end. A cell process works on its own copy; it becomes the
 * session when the cell succeeds. */
#ifndef PARC_SESSION_H
#define PARC_SESSION_H

#include <stddef.h>
#include <sys/types.h>

struct buf;
struct jit;
struct magic_call;
struct timeline;
struct magic_source;
struct openmp;

struct session {
    struct jit *jit;
    int req_fd;        /* requests from the front end */
    int ev_fd;         /* events to the front end */
    int in_fd;         /* answers to input requests */
    double time_limit; /* seconds a cell may run; 0 = no limit */
    long long mem_limit; /* bytes of memory a cell may allocate (RLIMIT_DATA); 0 = no limit */
    long procs_limit;  /* processes a cell may have at once, itself included; 0 = no limit */
    long long output_limit; /* bytes of output per cell the front end shows; 0 = no limit */
    char *notice;      /* said on stderr by the next cell to run (a bad PARC_LIMITS); cleared when one commits */
    char **history;    /* code of the cells that ran, in order */
    int *history_cells; /* their cell numbers */
    size_t nhistory;
    struct timeline *timeline; /* %timeline settings and the last trace (timeline.c) */
    int gpu_in_place;  /* a GPU runtime lives in the executor: cells run in place (gpu/gpusession.h) */
    int gpu_lost;      /* an in-place cell died: its GPU state is gone until %replay */
    int replay_pending; /* %replay ran in this cell: replay once it commits (replay.h) */
    struct openmp *openmp;     /* %omp_threads, %%openmp (openmp.c) */
    struct magic_source *sources; /* lines of the cell being run that came from files or magics */
    size_t nsources;
    /* A new, prepared jit for %reset, or NULL with a message in err. */
    struct jit *(*new_jit)(struct buf *err);
};

/* The limits of a new session, for a shared teaching server: time 600 s,
 * memory 4 GB, 256 processes, 10 MB of output per cell; PARC_LIMITS
 * ("time=60,mem=2G,procs=64,output=1M", any subset) changes them. A
 * malformed PARC_LIMITS is reported in err (the defaults stay for what it
 * does not set) and returns -1. */
int session_default_limits(struct session *s, struct buf *err);

/* Applies the per-cell resource limits (%limit mem/procs) to the calling
 * process, a cell about to run. */
void session_apply_limits(const struct session *s);

/* fork() for the executor's own children (cells, throwaway forks): as
 * fork(), but in a session whose in-place cell died, going on in the
 * watcher (a fork of a process that ran a GPU runtime with its own
 * threads), without the fork handlers, which could wait for locks those
 * threads held. */
pid_t session_fork(const struct session *s);

/* Settings magics (see magic.h): %lib, %include_path, %limit, %lsmagic,
 * %magic. */
int session_magic_lib(struct magic_call *c);
int session_magic_include_path(struct magic_call *c);
int session_magic_limit(struct magic_call *c);
int session_magic_lsmagic(struct magic_call *c);

#endif
