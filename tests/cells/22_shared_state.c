%timeline off
#define N 200000
long counter;            /* an ordinary global */
parc_lock *lock;
long arrived;            /* both threads start counting together */
void start_together(void) { parc_atomic_add(&arrived, 1); while (parc_atomic_load(&arrived) < 2) ; }
void add_plain(void *in, void *out) { start_together(); for (int i = 0; i < N; i++) counter++; }
void add_locked(void *in, void *out) {
    for (int i = 0; i < N; i++) { parc_lock_acquire(lock); counter++; parc_lock_release(lock); }
}
void add_atomic(void *in, void *out) { for (int i = 0; i < N; i++) parc_atomic_add(&counter, 1); }
/* Runs fn on 2 threads at once; returns the counter. */
parc_pool *two;
long run2(void (*fn)(void *, void *)) {
    counter = arrived = 0;
    parc_map(two, fn, NULL, NULL, 2, 0, 0, PARC_STATIC, 1);
    return counter;
}
//---
/* Unsynchronised increments lose updates: retried until seen (it takes
 * one try almost always, when both threads run at once; a machine that
 * never runs them together would print the count of tries). */
two = parc_threads(2);
lock = parc_lock_new();
int tries = 0, lost = 0;
while (!lost && tries < 2000) { tries++; lost = run2(add_plain) < 2 * N; }
printf(lost ? "threads without a lock: updates lost\n" : "no update lost in %d tries\n", tries);
printf("with parc_lock: %ld of %d\n", run2(add_locked), 2 * N);
printf("with parc_atomic_add: %ld of %d\n", run2(add_atomic), 2 * N);
//---
/* Processes: each has its own copy of an ordinary global. */
counter = 0;
parc_pool *procs2 = parc_procs(2);
parc_map(procs2, add_atomic, NULL, NULL, 2, 0, 0, PARC_STATIC, 1);
printf("ordinary global after 2 processes added to it: %ld\n", counter);
//---
/* In shared memory the processes share the counter: with a lock the total
 * is exact, without one updates are lost (retried until seen). */
long *shared = parc_shared_alloc(sizeof(long));
void padd_locked(void *in, void *out) {
    for (int i = 0; i < N; i++) { parc_lock_acquire(lock); (*shared)++; parc_lock_release(lock); }
}
long *gate = parc_shared_alloc(sizeof(long)); /* both processes start together */
void padd_plain(void *in, void *out) {
    parc_atomic_add(gate, 1);
    while (parc_atomic_load(gate) < 2) ;
    for (int i = 0; i < N; i++) (*shared)++;
}
*shared = 0;
parc_map(procs2, padd_locked, NULL, NULL, 2, 0, 0, PARC_STATIC, 1);
printf("shared memory with parc_lock: %ld of %d\n", *shared, 2 * N);
tries = 0, lost = 0;
while (!lost && tries < 2000) {
    tries++;
    *shared = *gate = 0;
    parc_map(procs2, padd_plain, NULL, NULL, 2, 0, 0, PARC_STATIC, 1);
    lost = *shared < 2 * N;
}
printf(lost ? "processes without a lock: updates lost\n" : "no update lost in %d tries\n", tries);
//---
/* Shared memory and locks stay for later cells; %%procs workers see it. */
*shared = 0;
//---
%%procs 2
for (int i = 0; i < 1000; i++) parc_atomic_add(shared, 1);
//---
*shared
//---
parc_shared_alloc(0)
//---
parc_lock_acquire(NULL);
parc_shared_free(shared);
parc_lock_free(lock);
