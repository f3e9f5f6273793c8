/* record.c — the recorder (trace_rec_* in trace.h): one MAP_SHARED region
 * per cell, so that threads and forked processes of the cell all write into
 * it. Each thread owns blocks of events it fills without locks or atomics
 * read-modify-write (one release store per event); lanes, names and
 * arrows are small tables claimed with atomic operations. */
#include "trace.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define REC_MAX_LANES 1024
#define REC_MAX_NAMES 4096 /* power of two: also the hash table size */
#define REC_NAME_LEN 56
#define REC_MAX_ARROWS 65536
#define REC_BLOCK_EVENTS 256
#define REC_DEFAULT_CAPACITY (1u << 20)

struct rec_lane {
    int32_t state; /* 0 free, 1 being written, 2 ready */
    int32_t pid, tid;
    int32_t open_kind, open_name;
    int64_t open_start; /* TRACE_NO_ARG: no task open */
    int32_t pending_name;
    int64_t pending_start; /* TRACE_NO_ARG: no wait in progress */
    char label[64];
};

struct rec_name {
    int32_t state; /* 0 free, 1 being written, 2 ready */
    int32_t idx;   /* index in order of interning */
    char text[REC_NAME_LEN];
};

struct rec_block {
    int32_t owner_tid;
    uint32_t count; /* events written; stored with release after each one */
    struct trace_event ev[REC_BLOCK_EVENTS];
};

/* The shared region: this header, then the blocks. */
struct rec_shared {
    int64_t origin_ns; /* CLOCK_MONOTONIC at trace_rec_begin */
    int32_t cell_pid;
    uint32_t nblocks_max;
    uint32_t nblocks;     /* claimed (may exceed nblocks_max: then dropped) */
    uint32_t nlanes, nthreads, nprocs, nnames, narrows;
    uint64_t dropped;
    int64_t win_start, win_end; /* trace_rec_window; win_end 0: none */
    int32_t name_order[REC_MAX_NAMES]; /* idx -> hash slot */
    struct rec_lane lanes[REC_MAX_LANES];
    struct rec_name names[REC_MAX_NAMES];
    struct trace_arrow arrows[REC_MAX_ARROWS];
};

/* The region of the current cell. Process-wide by nature: every thread and
 * forked child of the cell must reach it without being handed anything. */
static struct rec_shared *rec;
static size_t rec_size;
/* Bumped by trace_rec_begin and in the child of every fork, so that a
 * thread's cached lane and block are known stale. */
static unsigned rec_generation = 1;

/* What one thread holds; valid while gen == rec_generation. */
static __thread struct {
    unsigned gen;
    int lane;
    struct rec_block *block;
} me;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int gettid_(void)
{
    return (int)syscall(SYS_gettid);
}

static void after_fork_child(void)
{
    __atomic_add_fetch(&rec_generation, 1, __ATOMIC_RELAXED);
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void install_atfork(void)
{
    pthread_atfork(NULL, NULL, after_fork_child);
}

static struct rec_block *block_at(uint32_t i)
{
    return (struct rec_block *)((char *)rec + sizeof *rec + (size_t)i * sizeof(struct rec_block));
}

int trace_rec_begin(size_t capacity)
{
    pthread_once(&atfork_once, install_atfork);
    if (rec) {
        munmap(rec, rec_size);
        rec = NULL;
    }
    if (capacity == 0)
        capacity = REC_DEFAULT_CAPACITY;
    size_t nblocks = (capacity + REC_BLOCK_EVENTS - 1) / REC_BLOCK_EVENTS;
    size_t size = sizeof *rec + nblocks * sizeof(struct rec_block);
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    __atomic_add_fetch(&rec_generation, 1, __ATOMIC_RELAXED);
    if (p == MAP_FAILED)
        return -1;
    rec = p;
    rec_size = size;
    rec->origin_ns = mono_ns();
    rec->cell_pid = (int)getpid();
    rec->nblocks_max = (uint32_t)nblocks;
    for (int i = 0; i < REC_MAX_LANES; i++)
        rec->lanes[i].open_start = rec->lanes[i].pending_start = TRACE_NO_ARG;
    return 0;
}

int trace_rec_used(void)
{
    if (!rec)
        return 0;
    if (__atomic_load_n(&rec->nblocks, __ATOMIC_ACQUIRE) || __atomic_load_n(&rec->narrows, __ATOMIC_ACQUIRE))
        return 1;
    uint32_t n = __atomic_load_n(&rec->nlanes, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < n && i < REC_MAX_LANES; i++)
        if (__atomic_load_n(&rec->lanes[i].open_start, __ATOMIC_ACQUIRE) != TRACE_NO_ARG)
            return 1;
    return 0;
}

int64_t trace_rec_now(void)
{
    return rec ? mono_ns() - rec->origin_ns : 0;
}

static int new_lane(const char *label)
{
    uint32_t i = __atomic_fetch_add(&rec->nlanes, 1, __ATOMIC_ACQ_REL);
    if (i >= REC_MAX_LANES)
        return -1;
    struct rec_lane *l = &rec->lanes[i];
    int pid = (int)getpid(), tid = gettid_();
    l->pid = pid;
    l->tid = tid;
    if (label)
        snprintf(l->label, sizeof l->label, "%s", label);
    else if (pid == rec->cell_pid && tid == pid)
        snprintf(l->label, sizeof l->label, "cell (pid %d)", pid);
    else if (tid == pid)
        snprintf(l->label, sizeof l->label, "process %u (pid %d)",
                 __atomic_add_fetch(&rec->nprocs, 1, __ATOMIC_RELAXED), pid);
    else
        snprintf(l->label, sizeof l->label, "thread %u (tid %d)",
                 __atomic_add_fetch(&rec->nthreads, 1, __ATOMIC_RELAXED), tid);
    __atomic_store_n(&l->state, 2, __ATOMIC_RELEASE);
    return (int)i;
}

int trace_rec_lane(const char *label)
{
    if (!rec)
        return -1;
    if (me.gen != rec_generation) {
        me.gen = rec_generation;
        me.lane = -2;
        me.block = NULL;
    }
    if (me.lane == -2)
        me.lane = new_lane(label);
    return me.lane;
}

int trace_rec_new_lane(const char *label)
{
    return rec ? new_lane(label) : -1;
}

void trace_rec_relabel(int lane, const char *label)
{
    if (!rec || lane < 0 || (uint32_t)lane >= __atomic_load_n(&rec->nlanes, __ATOMIC_ACQUIRE) ||
        lane >= REC_MAX_LANES)
        return;
    /* A snapshot may copy the label meanwhile: its last byte stays 0, so
     * the copy ends, at worst mixing the two names once. */
    struct rec_lane *l = &rec->lanes[lane];
    size_t n = strnlen(label, sizeof l->label - 1);
    memcpy(l->label, label, n);
    memset(l->label + n, 0, sizeof l->label - n);
}

int trace_rec_lane_of_pid(int pid)
{
    if (!rec)
        return -1;
    uint32_t n = __atomic_load_n(&rec->nlanes, __ATOMIC_ACQUIRE);
    for (uint32_t i = 0; i < n && i < REC_MAX_LANES; i++)
        if (__atomic_load_n(&rec->lanes[i].state, __ATOMIC_ACQUIRE) == 2 && rec->lanes[i].pid == pid &&
            rec->lanes[i].tid == pid)
            return (int)i;
    return -1;
}

static uint32_t hash_name(const char *s)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; s[i] && i < REC_NAME_LEN - 1; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

int trace_rec_name(const char *name)
{
    if (!rec)
        return -1;
    if (!name)
        name = "";
    uint32_t h = hash_name(name);
    for (uint32_t k = 0; k < REC_MAX_NAMES; k++) {
        struct rec_name *n = &rec->names[(h + k) & (REC_MAX_NAMES - 1)];
        int32_t st = __atomic_load_n(&n->state, __ATOMIC_ACQUIRE);
        if (st == 0) {
            int32_t zero = 0;
            if (__atomic_compare_exchange_n(&n->state, &zero, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
                snprintf(n->text, sizeof n->text, "%s", name);
                n->idx = (int32_t)__atomic_fetch_add(&rec->nnames, 1, __ATOMIC_ACQ_REL);
                rec->name_order[n->idx] = (int32_t)((h + k) & (REC_MAX_NAMES - 1));
                __atomic_store_n(&n->state, 2, __ATOMIC_RELEASE);
                return n->idx;
            }
            st = 1;
        }
        while (st == 1)
            st = __atomic_load_n(&n->state, __ATOMIC_ACQUIRE);
        if (!strncmp(n->text, name, REC_NAME_LEN - 1))
            return n->idx;
    }
    return -1; /* table full */
}

/* A fresh block for the calling thread, or NULL when the region is full. */
static struct rec_block *claim_block(void)
{
    uint32_t i = __atomic_fetch_add(&rec->nblocks, 1, __ATOMIC_ACQ_REL);
    if (i >= rec->nblocks_max)
        return NULL;
    struct rec_block *b = block_at(i);
    b->owner_tid = gettid_();
    return b;
}

void trace_rec_event(int lane, int kind, int name, int64_t start_ns, int64_t end_ns, int64_t a0, int64_t a1)
{
    if (!rec || lane < 0)
        return;
    if (me.gen != rec_generation) {
        me.gen = rec_generation;
        me.lane = -2;
        me.block = NULL;
    }
    struct rec_block *b = me.block;
    if (!b || b->count == REC_BLOCK_EVENTS) {
        b = me.block = claim_block();
        if (!b) {
            __atomic_add_fetch(&rec->dropped, 1, __ATOMIC_RELAXED);
            return;
        }
    }
    uint32_t c = b->count;
    struct trace_event *e = &b->ev[c];
    e->lane = lane;
    e->name = name;
    e->kind = (uint8_t)kind;
    e->start_ns = start_ns;
    e->end_ns = end_ns;
    e->arg[0] = a0;
    e->arg[1] = a1;
    __atomic_store_n(&b->count, c + 1, __ATOMIC_RELEASE);
}

void trace_rec_arrow(int from_lane, int64_t from_ns, int to_lane, int64_t to_ns, int name)
{
    if (!rec)
        return;
    uint32_t i = __atomic_fetch_add(&rec->narrows, 1, __ATOMIC_ACQ_REL);
    if (i >= REC_MAX_ARROWS) {
        __atomic_add_fetch(&rec->dropped, 1, __ATOMIC_RELAXED);
        return;
    }
    rec->arrows[i] = (struct trace_arrow){from_lane, to_lane, from_ns, to_ns, name};
}

void trace_rec_open(int lane, int kind, int name, int64_t start_ns)
{
    if (!rec || lane < 0 || lane >= REC_MAX_LANES)
        return;
    struct rec_lane *l = &rec->lanes[lane];
    l->open_kind = kind;
    l->open_name = name;
    __atomic_store_n(&l->open_start, start_ns, __ATOMIC_RELEASE);
}

void trace_rec_close(int lane, int64_t end_ns)
{
    if (!rec || lane < 0 || lane >= REC_MAX_LANES)
        return;
    struct rec_lane *l = &rec->lanes[lane];
    int64_t start = __atomic_exchange_n(&l->open_start, TRACE_NO_ARG, __ATOMIC_ACQ_REL);
    if (start != TRACE_NO_ARG)
        trace_rec_event(lane, l->open_kind, l->open_name, start, end_ns, TRACE_NO_ARG, TRACE_NO_ARG);
}

void trace_rec_pending(int lane, int name, int64_t start_ns)
{
    if (!rec || lane < 0 || lane >= REC_MAX_LANES)
        return;
    struct rec_lane *l = &rec->lanes[lane];
    if (name < 0) {
        __atomic_store_n(&l->pending_start, TRACE_NO_ARG, __ATOMIC_RELEASE);
        return;
    }
    __atomic_store_n(&l->pending_start, TRACE_NO_ARG, __ATOMIC_RELEASE);
    __atomic_store_n(&l->pending_name, name, __ATOMIC_RELEASE);
    __atomic_store_n(&l->pending_start, start_ns, __ATOMIC_RELEASE);
}

uint64_t trace_rec_dropped(void)
{
    return rec ? __atomic_load_n(&rec->dropped, __ATOMIC_RELAXED) : 0;
}

/* ---- Snapshots ----------------------------------------------------- */

static int cmp_event(const void *a, const void *b)
{
    const struct trace_event *x = a, *y = b;
    if (x->lane != y->lane)
        return x->lane < y->lane ? -1 : 1;
    if (x->start_ns != y->start_ns)
        return x->start_ns < y->start_ns ? -1 : 1;
    /* Longer first, so that an enclosing slice precedes what it holds. */
    if (x->end_ns != y->end_ns)
        return x->end_ns > y->end_ns ? -1 : 1;
    return 0;
}

static void *xalloc(size_t n)
{
    void *p = calloc(n ? n : 1, 1);
    if (!p)
        abort();
    return p;
}

void trace_rec_window(int64_t start_ns, int64_t end_ns)
{
    if (!rec || end_ns <= start_ns)
        return;
    __atomic_store_n(&rec->win_start, start_ns, __ATOMIC_RELEASE);
    __atomic_store_n(&rec->win_end, end_ns, __ATOMIC_RELEASE);
}

/* Keeps what falls in [ws, we], cut to it, with times from ws. */
static void clip(struct trace *t, int64_t ws, int64_t we)
{
    size_t o = 0;
    for (size_t i = 0; i < t->nevents; i++) {
        struct trace_event e = t->events[i];
        if (e.end_ns < ws || e.start_ns > we)
            continue;
        e.start_ns = (e.start_ns < ws ? ws : e.start_ns) - ws;
        e.end_ns = (e.end_ns > we ? we : e.end_ns) - ws;
        t->events[o++] = e;
    }
    t->nevents = o;
    o = 0;
    for (size_t i = 0; i < t->narrows; i++) {
        struct trace_arrow a = t->arrows[i];
        if (a.from_ns < ws || a.to_ns > we)
            continue;
        a.from_ns -= ws;
        a.to_ns -= ws;
        t->arrows[o++] = a;
    }
    t->narrows = o;
}

struct trace *trace_rec_snapshot(void)
{
    if (!trace_rec_used())
        return NULL;
    int64_t now = trace_rec_now();
    struct trace *t = xalloc(sizeof *t);
    uint32_t nl = __atomic_load_n(&rec->nlanes, __ATOMIC_ACQUIRE);
    if (nl > REC_MAX_LANES)
        nl = REC_MAX_LANES;
    /* Lanes still being registered are left for the next snapshot. */
    while (nl > 0 && __atomic_load_n(&rec->lanes[nl - 1].state, __ATOMIC_ACQUIRE) != 2)
        nl--;
    t->lanes = xalloc(nl * sizeof *t->lanes);
    t->nlanes = nl;
    size_t nopen = 0;
    for (uint32_t i = 0; i < nl; i++) {
        t->lanes[i].label = strdup(rec->lanes[i].label);
        t->lanes[i].pid = rec->lanes[i].pid;
        t->lanes[i].tid = rec->lanes[i].tid;
        nopen += __atomic_load_n(&rec->lanes[i].open_start, __ATOMIC_ACQUIRE) != TRACE_NO_ARG;
        nopen++; /* room for a wait in progress */
    }
    uint32_t nb = __atomic_load_n(&rec->nblocks, __ATOMIC_ACQUIRE);
    if (nb > rec->nblocks_max)
        nb = rec->nblocks_max;
    size_t cap = nopen;
    for (uint32_t i = 0; i < nb; i++)
        cap += __atomic_load_n(&block_at(i)->count, __ATOMIC_ACQUIRE);
    t->events = xalloc(cap * sizeof *t->events);
    size_t n = 0;
    for (uint32_t i = 0; i < nb && n < cap; i++) {
        struct rec_block *b = block_at(i);
        uint32_t c = __atomic_load_n(&b->count, __ATOMIC_ACQUIRE);
        for (uint32_t k = 0; k < c && n < cap; k++)
            if (b->ev[k].lane >= 0 && (uint32_t)b->ev[k].lane < nl)
                t->events[n++] = b->ev[k];
    }
    for (uint32_t i = 0; i < nl && n < cap; i++) {
        struct rec_lane *l = &rec->lanes[i];
        int64_t s = __atomic_load_n(&l->open_start, __ATOMIC_ACQUIRE);
        if (s != TRACE_NO_ARG)
            t->events[n++] = (struct trace_event){(int32_t)i, l->open_name, (uint8_t)l->open_kind, s,
                                                  now > s ? now : s, {TRACE_NO_ARG, TRACE_NO_ARG}};
        s = __atomic_load_n(&l->pending_start, __ATOMIC_ACQUIRE);
        if (s != TRACE_NO_ARG && n < cap)
            t->events[n++] = (struct trace_event){(int32_t)i, __atomic_load_n(&l->pending_name, __ATOMIC_ACQUIRE),
                                                  TRACE_WAIT, s, now > s ? now : s, {TRACE_NO_ARG, TRACE_NO_ARG}};
    }
    t->nevents = n;
    uint32_t na = __atomic_load_n(&rec->narrows, __ATOMIC_ACQUIRE);
    if (na > REC_MAX_ARROWS)
        na = REC_MAX_ARROWS;
    t->arrows = xalloc(na * sizeof *t->arrows);
    memcpy(t->arrows, rec->arrows, na * sizeof *t->arrows);
    t->narrows = na;
    int64_t ws = __atomic_load_n(&rec->win_start, __ATOMIC_ACQUIRE);
    int64_t we = __atomic_load_n(&rec->win_end, __ATOMIC_ACQUIRE);
    if (we > now)
        we = now;
    if (we > ws) {
        clip(t, ws, we);
        now = we - ws;
    }
    qsort(t->events, t->nevents, sizeof *t->events, cmp_event);
    uint32_t nn = __atomic_load_n(&rec->nnames, __ATOMIC_ACQUIRE);
    if (nn > REC_MAX_NAMES)
        nn = REC_MAX_NAMES;
    t->names = xalloc(nn * sizeof *t->names);
    t->nnames = nn;
    for (uint32_t i = 0; i < nn; i++) {
        struct rec_name *nm = &rec->names[rec->name_order[i]];
        t->names[i] = strdup(__atomic_load_n(&nm->state, __ATOMIC_ACQUIRE) == 2 ? nm->text : "?");
    }
    for (size_t i = 0; i < n; i++)
        if (t->events[i].name < 0 || (size_t)t->events[i].name >= nn)
            t->events[i].name = -1;
    t->wall_ns = now;
    return t;
}

void trace_free(struct trace *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nlanes; i++)
        free(t->lanes[i].label);
    for (size_t i = 0; i < t->nnames; i++)
        free(t->names[i]);
    free(t->lanes);
    free(t->events);
    free(t->arrows);
    free(t->names);
    free(t);
}
