%timeline off
#include <unistd.h>
void *square(void *a) { long x = (long)a; return (void *)(x * x); }
/* Tasks that finish in a chosen order, whatever the scheduling: task k
 * waits for its turn (turn == k's rank), then passes the turn on. */
long turn;
void *in_turn(void *a) {
    long rank = (long)a;
    while (parc_atomic_load(&turn) != rank) usleep(100);
    usleep(30000); /* the previous task has returned by now */
    parc_atomic_add(&turn, 1);
    return a;
}
/* Task graph: each task writes its name at the next position of log. */
char log_[8]; long nlog;
void *step(void *name) { usleep(2000); log_[parc_atomic_add(&nlog, 1)] = *(char *)name; return name; }
//---
parc_pool *p = parc_threads(3);
parc_future *f[10];
for (long i = 0; i < 10; i++) f[i] = parc_submit(p, square, (void *)i);
for (int i = 0; i < 10; i++) printf("%ld ", (long)parc_get(f[i]));
printf("\n");
parc_done(f[9])
//---
/* Results in completion order (as_completed): submitted 0, 1, 2, they
 * finish in the order of their ranks 2, 0, 1. */
parc_pool_free(p);
p = parc_threads(3);
turn = 0;
parc_future *a = parc_submit(p, in_turn, (void *)2);
parc_future *b = parc_submit(p, in_turn, (void *)0);
parc_future *c = parc_submit(p, in_turn, (void *)1);
parc_future *next;
while ((next = parc_next_completed(p)))
    printf("finished: %s (rank %ld)\n", next == a ? "a" : next == b ? "b" : "c", (long)parc_get(next));
parc_next_completed(p) == NULL
//---
/* A diamond: B and C after A, D after both. */
nlog = 0;
parc_future *A = parc_submit(p, step, "A");
parc_future *B = parc_submit_after(p, step, "B", &A, 1);
parc_future *C = parc_submit_after(p, step, "C", &A, 1);
parc_future *BC[2];
BC[0] = B, BC[1] = C;
parc_future *D = parc_submit_after(p, step, "D", BC, 2);
parc_get(D);
printf("%s first, %s last, %ld tasks\n", log_[0] == 'A' ? "A" : "not A", log_[3] == 'D' ? "D" : "not D", nlog);
parc_wait_all(p)
//---
/* A chain on a process pool: each task starts after the previous one. */
parc_pool *q = parc_procs(2);
parc_future *chain[6];
chain[0] = parc_submit(q, square, (void *)1);
for (long i = 1; i < 6; i++) chain[i] = parc_submit_after(q, square, (void *)(i + 1), &chain[i - 1], 1);
for (int i = 0; i < 6; i++) printf("%ld ", (long)parc_get(chain[i]));
printf("\n");
//---
/* Futures outlive their cell. */
(long)parc_get(chain[5]) + (long)parc_get(chain[4])
//---
/* A task that crashes ends its process worker only; so does exit(). */
parc_pool *one = parc_procs(1);
void *crash(void *a) { if (a) *(volatile int *)0 = 1; else exit(3); return NULL; }
parc_future *bad = parc_submit(one, crash, (void *)1);
parc_future *after_bad = parc_submit_after(one, square, (void *)5, &bad, 1);
parc_wait_all(one)
//---
parc_get(bad) == NULL && parc_get(after_bad) == NULL
//---
parc_get(parc_submit(one, crash, NULL)) == NULL
//---
(long)parc_get(parc_submit(one, square, (void *)7))
//---
parc_submit(one, NULL, NULL) == NULL
//---
parc_submit_after(one, square, NULL, NULL, 2) == NULL
//---
parc_submit_after(one, square, NULL, &chain[0], 1) == NULL
//---
parc_pool_free(p);
parc_get(f[0]) == NULL && parc_done(f[0]) == -1
//---
parc_get(NULL)
