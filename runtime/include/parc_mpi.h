/* parc_mpi.h — compiled into the program of every %%mpi cell (included
 * once, in its only translation unit; never by session cells): each rank's
 * start and end around the cell's body, the copy of the session's globals,
 * and a PMPI layer that records MPI calls for the cell's timeline.
 *
 * Records go to parc as they are made, so that the timeline grows while
 * the job runs: each rank writes them to its stdout (write(2) of whole
 * lines, past stdio) every 150 ms (up to 2000 a time), at MPI_Finalize,
 * at exit() and on a crashing signal, as lines starting with "\036parc-mpi "
 * that parc reads back (runtime/mpi_run.c) and never shows. Times are ns
 * of the rank's own CLOCK_MONOTONIC, in the lane's record as they are and
 * after it from then on (shorter lines): parc places a rank on its machine
 * as they are, a rank on another machine by its clock's offset to rank
 * 0's, measured at MPI_Init (ping-pong, the shortest round trip wins).
 *   L pid host offset t              the rank's lane: MPI_Init ended at t
 *   E kind t0 t1 arg0 arg1           an MPI call
 *   S dest tag bytes t               a message sent (posted at t)
 *   R source tag bytes t             a message received (complete at t)
 *   W kind t0                        an MPI call in progress since t0
 *   F t                              records up to t are all sent
 *   B t0 t1                          from MPI_Init to MPI_Finalize (the end)
 *   D n                              events dropped (over PM_MAX_EVENTS)
 *   C signal t                       the rank crashed (its last records)
 *   X t                              the rank exited without MPI_Finalize
 * and "A code" on stderr for MPI_Abort. */
#ifndef PARC_MPI_LAYER_H
#define PARC_MPI_LAYER_H

#include <mpi.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

enum {
    PM_SEND, PM_RECV, PM_ISEND, PM_IRECV, PM_WAIT, PM_WAITALL, PM_SENDRECV, PM_SSEND,
    PM_BARRIER, PM_BCAST, PM_REDUCE, PM_ALLREDUCE, PM_GATHER, PM_ALLGATHER, PM_SCATTER, PM_ALLTOALL,
    PM_TEST, PM_WAITANY, PM_GATHERV, PM_ALLGATHERV, PM_SCATTERV, PM_SCAN,
};

#define PM_MAX_EVENTS 200000 /* per rank; more are counted, not sent */
#define PM_EVERY_NS 150000000LL
#define PM_LIVE_MAX 2000 /* events sent per PM_EVERY_NS while the rank runs */
#define PM_MAX_REQUESTS 4096

struct pm_event {
    char type; /* 'E', 'S' or 'R' */
    int kind;
    long long t0, t1;
    long long a, b, c; /* E: arg0, arg1; S/R: peer, tag, bytes */
};

/* The MPI calls' thread (MPI_Init's: THREAD_SINGLE or FUNNELED) adds
 * events at pm_head and does nothing else; whoever holds pm_send_lock
 * sends events from pm_tail on: the sender thread at most PM_LIVE_MAX
 * every PM_EVERY_NS (what a rank sends while it runs stays a small load
 * for mpirun, which forwards it, beside ranks that are measuring), the
 * ends (MPI_Finalize, exit, a crash) all that is left. With TinyCC, which
 * has no atomics, x86's ordered stores and a compiler barrier publish the
 * head; elsewhere without atomics the MPI thread sends itself. */
#if defined(__GNUC__) && !defined(__TINYC__)
#define PM_PUBLISH(var, v) __atomic_store_n(&(var), (v), __ATOMIC_RELEASE)
#define PM_READ(var) __atomic_load_n(&(var), __ATOMIC_ACQUIRE)
#define PM_SENDER 1
#elif defined(__x86_64__) || defined(__i386__)
#define PM_PUBLISH(var, v)                                                                                     \
    do {                                                                                                       \
        __asm__ __volatile__("" ::: "memory");                                                                 \
        *(volatile long *)&(var) = (v);                                                                        \
    } while (0)
#define PM_READ(var) (*(volatile long *)&(var))
#define PM_SENDER 1
#else
#define PM_PUBLISH(var, v) ((var) = (v))
#define PM_READ(var) (var)
#define PM_SENDER 0
#endif

static struct pm_event *pm_events; /* PM_MAX_EVENTS, malloc'd at MPI_Init */
static long pm_head, pm_tail, pm_dropped;
static volatile long long pm_send_at; /* the next periodic send is due */
static pthread_mutex_t pm_send_lock = PTHREAD_MUTEX_INITIALIZER;
static long long pm_t_init, pm_offset;
static int pm_world_rank, pm_finalized, pm_started;
static pid_t pm_pid; /* the rank's process: a child it forked sends nothing */
static volatile int pm_ended; /* the last records are sent: nothing more */
/* The MPI call in progress (kind -1: none), for a rank killed inside it. */
static volatile int pm_call_kind = -1;
static volatile long long pm_call_t0;

static void pm_enter(int kind, long long t0)
{
    pm_call_t0 = t0;
    pm_call_kind = kind;
}

/* Irecv/Isend requests waiting for their Wait. */
static struct pm_request {
    MPI_Request req;
    int kind, peer, tag;
    long long bytes, t;
} pm_requests[PM_MAX_REQUESTS];
static int pm_nrequests;

static long long pm_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- Sending records ---------------------------------------------------- */

/* Lines are collected here and written in pieces of whole lines that a
 * pipe writes at once (PIPE_BUF), so that no other write of the rank's
 * output lands inside a record. Used under pm_send_lock only. */
static char pm_out[4096];
static size_t pm_out_len;

static void pm_write_out(void)
{
    size_t done = 0;
    while (done < pm_out_len) {
        ssize_t n = write(1, pm_out + done, pm_out_len - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    pm_out_len = 0;
}

/* Appends one record line: "\036parc-mpi T V1 V2 ...\n" (n values, at most
 * 5). Integers by hand: cheaper than printf on the MPI thread, and safe in
 * the crash handler. */
static void pm_line(char type, int n, long long v0, long long v1, long long v2, long long v3, long long v4)
{
    if (pm_out_len + 128 > sizeof pm_out)
        pm_write_out();
    char *p = pm_out + pm_out_len;
    memcpy(p, "\036parc-mpi ", 10);
    p += 10;
    *p++ = type;
    long long v[5] = {v0, v1, v2, v3, v4};
    for (int i = 0; i < n && i < 5; i++) {
        *p++ = ' ';
        unsigned long long u = v[i] < 0 ? 0ull - (unsigned long long)v[i] : (unsigned long long)v[i];
        if (v[i] < 0)
            *p++ = '-';
        char digits[20];
        int k = 0;
        do
            digits[k++] = (char)('0' + u % 10);
        while ((u /= 10) && k < 20);
        while (k)
            *p++ = digits[--k];
    }
    *p++ = '\n';
    pm_out_len = (size_t)(p - pm_out);
}

/* Sends up to max records from pm_tail, the call in progress, and "F
 * now" (the rank was alive then). Caller holds pm_send_lock. */
static void pm_send_locked(long max)
{
    long head = PM_READ(pm_head);
    if (head - pm_tail > max)
        head = pm_tail + max;
    for (long i = pm_tail; i < head; i++) {
        const struct pm_event *e = &pm_events[i];
        if (e->type == 'E')
            pm_line('E', 5, e->kind, e->t0 - pm_t_init, e->t1 - pm_t_init, e->a, e->b);
        else if (e->type == 'S')
            pm_line('S', 4, e->a, e->b, e->c, e->t0 - pm_t_init, 0);
        else
            pm_line('R', 4, e->a, e->b, e->c, e->t0 - pm_t_init, 0);
    }
    pm_tail = head;
    /* A call in progress shows live, as a wait growing until it returns. */
    long long t0 = pm_call_t0;
    int kind = pm_call_kind;
    if (kind >= 0 && t0 == pm_call_t0)
        pm_line('W', 2, kind, t0 - pm_t_init, 0, 0, 0);
    long long now = pm_now();
    pm_line('F', 1, now - pm_t_init, 0, 0, 0, 0);
    pm_write_out();
    pm_send_at = now + PM_EVERY_NS;
}

static void pm_send(long max)
{
    pthread_mutex_lock(&pm_send_lock);
    if (!pm_ended)
        pm_send_locked(max);
    pthread_mutex_unlock(&pm_send_lock);
}

static void pm_add(char type, int kind, long long t0, long long t1, long long a, long long b, long long c)
{
    if (type == 'E')
        pm_call_kind = -1;
    if (pm_finalized || !pm_events || pm_head >= PM_MAX_EVENTS) {
        pm_dropped++;
        return;
    }
    struct pm_event *e = &pm_events[pm_head];
    e->type = type;
    e->kind = kind;
    e->t0 = t0;
    e->t1 = t1;
    e->a = a;
    e->b = b;
    e->c = c;
    PM_PUBLISH(pm_head, pm_head + 1);
    if (!PM_SENDER && t1 >= pm_send_at)
        pm_send(PM_LIVE_MAX);
}

/* The sender thread: sends what the rank recorded every PM_EVERY_NS, so
 * that a rank computing or blocked in a call still shows what it did. */
static void *pm_sender(void *arg)
{
    (void)arg;
    struct timespec ts = {0, PM_EVERY_NS};
    while (!pm_ended) {
        nanosleep(&ts, NULL);
        pm_send(PM_LIVE_MAX);
    }
    return NULL;
}

/* A crashing signal: the records so far and "C signal t" go out (unless
 * the crash came while they were being sent), then the signal does what
 * it did before. */
static void pm_on_crash(int sig)
{
    if (!pm_ended && getpid() == pm_pid && pthread_mutex_trylock(&pm_send_lock) == 0) {
        long long t = pm_now();
        pm_send_locked(PM_MAX_EVENTS);
        if (pm_call_kind >= 0)
            pm_line('E', 5, pm_call_kind, pm_call_t0 - pm_t_init, t - pm_t_init, -1, 0);
        pm_line('C', 2, sig, t - pm_t_init, 0, 0, 0);
        pm_write_out();
        pm_ended = 1;
        pthread_mutex_unlock(&pm_send_lock);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* exit() (or return) in the body, before MPI_Finalize. */
static void pm_at_exit(void)
{
    if (getpid() != pm_pid)
        return;
    pthread_mutex_lock(&pm_send_lock);
    if (!pm_ended) {
        long long t = pm_now();
        pm_send_locked(PM_MAX_EVENTS);
        pm_line('X', 1, t - pm_t_init, 0, 0, 0, 0);
        pm_write_out();
        pm_ended = 1;
    }
    pthread_mutex_unlock(&pm_send_lock);
}

static long long pm_bytes(int count, MPI_Datatype t)
{
    int size = 0;
    if (t == MPI_DATATYPE_NULL || PMPI_Type_size(t, &size) != MPI_SUCCESS)
        return 0;
    return (long long)count * size;
}

/* A rank of comm as a rank of MPI_COMM_WORLD (arrows join world ranks). */
static int pm_world(MPI_Comm comm, int r)
{
    if (comm == MPI_COMM_WORLD || r < 0)
        return r;
    MPI_Group g, w;
    int out = r;
    PMPI_Comm_group(comm, &g);
    PMPI_Comm_group(MPI_COMM_WORLD, &w);
    PMPI_Group_translate_ranks(g, 1, &r, w, &out);
    PMPI_Group_free(&g);
    PMPI_Group_free(&w);
    return out == MPI_UNDEFINED ? -1 : out;
}

/* A receive that completed: its real source, tag and size. */
static void pm_received(MPI_Comm comm, const MPI_Status *st, MPI_Datatype t, long long at)
{
    int count = 0;
    PMPI_Get_count(st, t, &count);
    pm_add('R', 0, at, at, pm_world(comm, st->MPI_SOURCE), st->MPI_TAG,
           count == MPI_UNDEFINED ? 0 : pm_bytes(count, t));
}

/* ---- Point to point ------------------------------------------------- */

int MPI_Send(const void *buf, int count, MPI_Datatype t, int dest, int tag, MPI_Comm comm)
{
    long long t0 = pm_now(), bytes = pm_bytes(count, t);
    pm_enter(PM_SEND, t0);
    int peer = pm_world(comm, dest);
    pm_add('S', 0, t0, t0, peer, tag, bytes);
    int rc = PMPI_Send(buf, count, t, dest, tag, comm);
    pm_add('E', PM_SEND, t0, pm_now(), peer, bytes, 0);
    return rc;
}

int MPI_Ssend(const void *buf, int count, MPI_Datatype t, int dest, int tag, MPI_Comm comm)
{
    long long t0 = pm_now(), bytes = pm_bytes(count, t);
    pm_enter(PM_SSEND, t0);
    int peer = pm_world(comm, dest);
    pm_add('S', 0, t0, t0, peer, tag, bytes);
    int rc = PMPI_Ssend(buf, count, t, dest, tag, comm);
    pm_add('E', PM_SSEND, t0, pm_now(), peer, bytes, 0);
    return rc;
}

int MPI_Recv(void *buf, int count, MPI_Datatype t, int source, int tag, MPI_Comm comm, MPI_Status *status)
{
    MPI_Status st;
    long long t0 = pm_now();
    pm_enter(PM_RECV, t0);
    int rc = PMPI_Recv(buf, count, t, source, tag, comm, &st);
    long long t1 = pm_now();
    if (rc == MPI_SUCCESS)
        pm_received(comm, &st, t, t1);
    pm_add('E', PM_RECV, t0, t1, pm_world(comm, st.MPI_SOURCE), pm_bytes(count, t), 0);
    if (status != MPI_STATUS_IGNORE)
        *status = st;
    return rc;
}

int MPI_Sendrecv(const void *sbuf, int scount, MPI_Datatype st_, int dest, int stag, void *rbuf, int rcount,
                 MPI_Datatype rt, int source, int rtag, MPI_Comm comm, MPI_Status *status)
{
    MPI_Status st;
    long long t0 = pm_now();
    pm_enter(PM_SENDRECV, t0);
    if (dest != MPI_PROC_NULL)
        pm_add('S', 0, t0, t0, pm_world(comm, dest), stag, pm_bytes(scount, st_));
    int rc = PMPI_Sendrecv(sbuf, scount, st_, dest, stag, rbuf, rcount, rt, source, rtag, comm, &st);
    long long t1 = pm_now();
    if (rc == MPI_SUCCESS && source != MPI_PROC_NULL)
        pm_received(comm, &st, rt, t1);
    pm_add('E', PM_SENDRECV, t0, t1, pm_world(comm, dest), pm_bytes(scount, st_), 0);
    if (status != MPI_STATUS_IGNORE)
        *status = st;
    return rc;
}

static void pm_remember(MPI_Request r, int kind, int peer, int tag, long long bytes, long long t)
{
    if (pm_nrequests < PM_MAX_REQUESTS)
        pm_requests[pm_nrequests++] = (struct pm_request){r, kind, peer, tag, bytes, t};
}

int MPI_Isend(const void *buf, int count, MPI_Datatype t, int dest, int tag, MPI_Comm comm, MPI_Request *req)
{
    long long t0 = pm_now(), bytes = pm_bytes(count, t);
    pm_enter(PM_ISEND, t0);
    int peer = pm_world(comm, dest);
    pm_add('S', 0, t0, t0, peer, tag, bytes);
    int rc = PMPI_Isend(buf, count, t, dest, tag, comm, req);
    pm_add('E', PM_ISEND, t0, pm_now(), peer, bytes, 0);
    return rc;
}

/* Irecv's datatype and communicator, kept until its Wait reads the status. */
static struct {
    MPI_Request req;
    MPI_Datatype type;
    MPI_Comm comm;
} pm_irecvs[PM_MAX_REQUESTS];
static int pm_nirecvs;

int MPI_Irecv(void *buf, int count, MPI_Datatype t, int source, int tag, MPI_Comm comm, MPI_Request *req)
{
    long long t0 = pm_now();
    pm_enter(PM_IRECV, t0);
    int rc = PMPI_Irecv(buf, count, t, source, tag, comm, req);
    pm_add('E', PM_IRECV, t0, pm_now(), pm_world(comm, source), pm_bytes(count, t), 0);
    if (rc == MPI_SUCCESS && pm_nirecvs < PM_MAX_REQUESTS) {
        pm_irecvs[pm_nirecvs].req = *req;
        pm_irecvs[pm_nirecvs].type = t;
        pm_irecvs[pm_nirecvs].comm = comm;
        pm_nirecvs++;
    }
    return rc;
}

/* After a request completed: a receive's arrow end. */
static void pm_completed(MPI_Request r, const MPI_Status *st, long long at)
{
    for (int i = 0; i < pm_nirecvs; i++)
        if (pm_irecvs[i].req == r) {
            pm_received(pm_irecvs[i].comm, st, pm_irecvs[i].type, at);
            pm_irecvs[i] = pm_irecvs[--pm_nirecvs];
            return;
        }
}

int MPI_Wait(MPI_Request *req, MPI_Status *status)
{
    MPI_Status st;
    MPI_Request r = *req;
    long long t0 = pm_now();
    pm_enter(PM_WAIT, t0);
    int rc = PMPI_Wait(req, &st);
    long long t1 = pm_now();
    if (rc == MPI_SUCCESS && r != MPI_REQUEST_NULL)
        pm_completed(r, &st, t1);
    pm_add('E', PM_WAIT, t0, t1, -1, 0, 0);
    if (status != MPI_STATUS_IGNORE)
        *status = st;
    return rc;
}

/* MPI_Test: recorded only when it completes a request (a polling loop
 * would fill the timeline with slivers). */
int MPI_Test(MPI_Request *req, int *flag, MPI_Status *status)
{
    MPI_Status st;
    MPI_Request r = *req;
    long long t0 = pm_now();
    pm_enter(PM_TEST, t0);
    int rc = PMPI_Test(req, flag, &st);
    if (rc == MPI_SUCCESS && *flag && r != MPI_REQUEST_NULL) {
        long long t1 = pm_now();
        pm_completed(r, &st, t1);
        pm_add('E', PM_TEST, t0, t1, -1, 0, 0);
    } else {
        pm_call_kind = -1;
    }
    if (status != MPI_STATUS_IGNORE)
        *status = st;
    return rc;
}

int MPI_Waitany(int n, MPI_Request reqs[], int *index, MPI_Status *status)
{
    MPI_Status st;
    MPI_Request *copy = malloc((n > 0 ? n : 1) * sizeof *copy);
    for (int i = 0; i < n; i++)
        copy[i] = reqs[i];
    long long t0 = pm_now();
    pm_enter(PM_WAITANY, t0);
    int rc = PMPI_Waitany(n, reqs, index, &st);
    long long t1 = pm_now();
    if (rc == MPI_SUCCESS && *index != MPI_UNDEFINED && *index >= 0 && *index < n)
        pm_completed(copy[*index], &st, t1);
    pm_add('E', PM_WAITANY, t0, t1, -1, 0, 0);
    free(copy);
    if (status != MPI_STATUS_IGNORE)
        *status = st;
    return rc;
}

int MPI_Waitall(int n, MPI_Request reqs[], MPI_Status statuses[])
{
    MPI_Request *copy = malloc((n > 0 ? n : 1) * sizeof *copy);
    MPI_Status *st = malloc((n > 0 ? n : 1) * sizeof *st);
    for (int i = 0; i < n; i++)
        copy[i] = reqs[i];
    long long t0 = pm_now();
    pm_enter(PM_WAITALL, t0);
    int rc = PMPI_Waitall(n, reqs, st);
    long long t1 = pm_now();
    for (int i = 0; i < n && rc == MPI_SUCCESS; i++)
        if (copy[i] != MPI_REQUEST_NULL)
            pm_completed(copy[i], &st[i], t1);
    pm_add('E', PM_WAITALL, t0, t1, n, 0, 0);
    if (statuses != MPI_STATUSES_IGNORE)
        for (int i = 0; i < n; i++)
            statuses[i] = st[i];
    free(copy);
    free(st);
    return rc;
}

/* ---- Collectives ------------------------------------------------------ */

#define PM_COLLECTIVE(kind, root, bytes, call)                                                                 \
    do {                                                                                                       \
        long long t0_ = pm_now();                                                                              \
        pm_enter(kind, t0_);                                                                                   \
        int rc_ = call;                                                                                        \
        pm_add('E', kind, t0_, pm_now(), root, bytes, 0);                                                      \
        return rc_;                                                                                            \
    } while (0)

int MPI_Barrier(MPI_Comm comm)
{
    PM_COLLECTIVE(PM_BARRIER, -1, 0, PMPI_Barrier(comm));
}

int MPI_Bcast(void *buf, int count, MPI_Datatype t, int root, MPI_Comm comm)
{
    PM_COLLECTIVE(PM_BCAST, pm_world(comm, root), pm_bytes(count, t), PMPI_Bcast(buf, count, t, root, comm));
}

int MPI_Reduce(const void *s, void *r, int count, MPI_Datatype t, MPI_Op op, int root, MPI_Comm comm)
{
    PM_COLLECTIVE(PM_REDUCE, pm_world(comm, root), pm_bytes(count, t), PMPI_Reduce(s, r, count, t, op, root, comm));
}

int MPI_Allreduce(const void *s, void *r, int count, MPI_Datatype t, MPI_Op op, MPI_Comm comm)
{
    PM_COLLECTIVE(PM_ALLREDUCE, -1, pm_bytes(count, t), PMPI_Allreduce(s, r, count, t, op, comm));
}

int MPI_Gather(const void *s, int sc, MPI_Datatype st, void *r, int rc, MPI_Datatype rt, int root, MPI_Comm comm)
{
    PM_COLLECTIVE(PM_GATHER, pm_world(comm, root), pm_bytes(sc, st), PMPI_Gather(s, sc, st, r, rc, rt, root, comm));
}

int MPI_Allgather(const void *s, int sc, MPI_Datatype st, void *r, int rc, MPI_Datatype rt, MPI_Comm comm)
{
    PM_COLLECTIVE(PM_ALLGATHER, -1, pm_bytes(sc, st), PMPI_Allgather(s, sc, st, r, rc, rt, comm));
}

int MPI_Scatter(const void *s, int sc, MPI_Datatype st, void *r, int rc, MPI_Datatype rt, int root, MPI_Comm comm)
{
    PM_COLLECTIVE(PM_SCATTER, pm_world(comm, root), pm_bytes(rc, rt), PMPI_Scatter(s, sc, st, r, rc, rt, root, comm));
}

int MPI_Alltoall(const void *s, int sc, MPI_Datatype st, void *r, int rc, MPI_Datatype rt, MPI_Comm comm)
{
    PM_COLLECTIVE(PM_ALLTOALL, -1, pm_bytes(sc, st), PMPI_Alltoall(s, sc, st, r, rc, rt, comm));
}

int MPI_Gatherv(const void *s, int sc, MPI_Datatype st, void *r, const int rc[], const int displs[], MPI_Datatype rt,
                int root, MPI_Comm comm)
{
    PM_COLLECTIVE(PM_GATHERV, pm_world(comm, root), pm_bytes(sc, st),
                  PMPI_Gatherv(s, sc, st, r, rc, displs, rt, root, comm));
}

int MPI_Allgatherv(const void *s, int sc, MPI_Datatype st, void *r, const int rc[], const int displs[],
                   MPI_Datatype rt, MPI_Comm comm)
{
    PM_COLLECTIVE(PM_ALLGATHERV, -1, pm_bytes(sc, st), PMPI_Allgatherv(s, sc, st, r, rc, displs, rt, comm));
}

int MPI_Scatterv(const void *s, const int sc[], const int displs[], MPI_Datatype st, void *r, int rc, MPI_Datatype rt,
                 int root, MPI_Comm comm)
{
    PM_COLLECTIVE(PM_SCATTERV, pm_world(comm, root), pm_bytes(rc, rt),
                  PMPI_Scatterv(s, sc, displs, st, r, rc, rt, root, comm));
}

int MPI_Scan(const void *s, void *r, int count, MPI_Datatype t, MPI_Op op, MPI_Comm comm)
{
    PM_COLLECTIVE(PM_SCAN, -1, pm_bytes(count, t), PMPI_Scan(s, r, count, t, op, comm));
}

/* ---- Start and end ----------------------------------------------------- */

/* This rank's clock minus rank 0's: of 8 ping-pongs with rank 0, the one
 * with the shortest round trip. Collective over MPI_COMM_WORLD. */
static long long pm_clock_offset(int rank, int size)
{
    long long best = 0, best_rtt = -1;
    for (int peer = 1; peer < size; peer++)
        for (int k = 0; k < 8; k++) {
            long long t[2] = {0, 0};
            if (rank == 0) {
                t[0] = pm_now();
                PMPI_Send(t, 1, MPI_LONG_LONG, peer, 0x7a11, MPI_COMM_WORLD);
                long long remote;
                PMPI_Recv(&remote, 1, MPI_LONG_LONG, peer, 0x7a11, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                long long t1 = pm_now();
                long long off[2] = {remote - (t[0] + t1) / 2, t1 - t[0]};
                PMPI_Send(off, 2, MPI_LONG_LONG, peer, 0x7a12, MPI_COMM_WORLD);
            } else if (rank == peer) {
                PMPI_Recv(t, 1, MPI_LONG_LONG, 0, 0x7a11, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                long long now = pm_now();
                PMPI_Send(&now, 1, MPI_LONG_LONG, 0, 0x7a11, MPI_COMM_WORLD);
                long long off[2];
                PMPI_Recv(off, 2, MPI_LONG_LONG, 0, 0x7a12, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                if (best_rtt < 0 || off[1] < best_rtt) {
                    best_rtt = off[1];
                    best = off[0];
                }
            }
        }
    return best;
}

/* After PMPI_Init: the clock offset, the lane's record sent at once, and
 * what sends the records from then on (the sender thread, exit, crashing
 * signals). */
static void pm_begin(void)
{
    int size = 1;
    PMPI_Comm_rank(MPI_COMM_WORLD, &pm_world_rank);
    PMPI_Comm_size(MPI_COMM_WORLD, &size);
    pm_offset = pm_clock_offset(pm_world_rank, size);
    pm_events = malloc(PM_MAX_EVENTS * sizeof *pm_events);
    pm_t_init = pm_now();
    pm_pid = getpid();
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    pthread_mutex_lock(&pm_send_lock);
    int n = snprintf(pm_out, sizeof pm_out, "\036parc-mpi L %d %.200s %lld %lld\n", (int)getpid(), host, pm_offset,
                     pm_t_init);
    pm_out_len = n > 0 && (size_t)n < sizeof pm_out ? (size_t)n : 0;
    pm_send_locked(PM_MAX_EVENTS);
    pthread_mutex_unlock(&pm_send_lock);
    pm_started = 1;
    atexit(pm_at_exit);
    /* The handlers run on their own stack: a stack overflow crashes too. */
    static char alt[65536];
    stack_t ss = {0};
    ss.ss_sp = alt;
    ss.ss_size = sizeof alt;
    sigaltstack(&ss, NULL);
    const int crashing[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTERM};
    for (size_t i = 0; i < sizeof crashing / sizeof *crashing; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = pm_on_crash;
        sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
        sigaction(crashing[i], &sa, NULL);
    }
    if (PM_SENDER) {
        /* Signals stay with the rank's own threads. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        pthread_t t;
        if (pthread_create(&t, NULL, pm_sender, NULL) == 0)
            pthread_detach(t);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
}

/* MPI_Init of the cell: parc has called it already. */
int MPI_Init(int *argc, char ***argv)
{
    int done = 0;
    PMPI_Initialized(&done);
    if (done)
        return MPI_SUCCESS;
    int rc = PMPI_Init(argc, argv);
    pm_begin();
    return rc;
}

int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
{
    int done = 0;
    PMPI_Initialized(&done);
    if (done) {
        PMPI_Query_thread(provided);
        return MPI_SUCCESS;
    }
    int rc = PMPI_Init_thread(argc, argv, required, provided);
    pm_begin();
    return rc;
}

/* The last records: all the rank's calls, and its end. */
int MPI_Finalize(void)
{
    int done = 0;
    PMPI_Finalized(&done);
    if (done || pm_finalized)
        return MPI_SUCCESS;
    long long t_end = pm_now();
    pm_finalized = 1;
    pthread_mutex_lock(&pm_send_lock);
    if (!pm_ended) {
        pm_send_locked(PM_MAX_EVENTS);
        pm_line('B', 2, 0, t_end - pm_t_init, 0, 0, 0);
        if (pm_dropped)
            pm_line('D', 1, pm_dropped, 0, 0, 0, 0);
        pm_write_out();
        pm_ended = 1;
    }
    pthread_mutex_unlock(&pm_send_lock);
    return PMPI_Finalize();
}

/* MPI_Abort: the records so far, and what it was called with, go to parc
 * before the job ends. */
int MPI_Abort(MPI_Comm comm, int code)
{
    fflush(stdout);
    if (pm_started)
        pm_send(PM_MAX_EVENTS);
    fprintf(stderr, "\036parc-mpi A %d\n", code);
    fflush(stderr);
    return PMPI_Abort(comm, code);
}

/* ---- The globals the session had when the cell started ----------------- */

static char *pm_vars;
static size_t pm_vars_len;

static void pm_read_vars(void)
{
    const char *path = getenv("PARC_MPI_VARS");
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f)
        return; /* another host: the globals keep their initializers */
    size_t cap = 1 << 16;
    pm_vars = malloc(cap);
    size_t n;
    while (pm_vars && (n = fread(pm_vars + pm_vars_len, 1, cap - pm_vars_len, f)) > 0) {
        pm_vars_len += n;
        if (pm_vars_len == cap)
            pm_vars = realloc(pm_vars, cap *= 2);
    }
    fclose(f);
}

/* Copies the session's value of the global name (size bytes) to addr.
 * Records: name, NUL, 8-byte size, the bytes. */
static void parc_mpi_load(const char *name, void *addr, size_t size)
{
    size_t at = 0;
    while (pm_vars && at < pm_vars_len) {
        const char *n = pm_vars + at;
        size_t nl = strnlen(n, pm_vars_len - at);
        unsigned long long sz;
        if (at + nl + 1 + sizeof sz > pm_vars_len)
            return;
        memcpy(&sz, n + nl + 1, sizeof sz);
        const char *data = n + nl + 1 + sizeof sz;
        if (data + sz > pm_vars + pm_vars_len)
            return;
        if (!strcmp(n, name) && sz == size) {
            memcpy(addr, data, size);
            return;
        }
        at = (size_t)(data + sz - pm_vars);
    }
}

/* Before the body: ranks die with their launcher (an interrupted or
 * timed-out cell kills mpirun), output is line-buffered so that it streams,
 * MPI is started. */
static void parc_mpi_start(int *argc, char ***argv)
{
    pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(1);
    setvbuf(stdout, NULL, _IOLBF, 0);
    MPI_Init(argc, argv);
    pm_read_vars();
}

static int parc_mpi_end(void)
{
    MPI_Finalize();
    free(pm_vars);
    return 0;
}

#endif
