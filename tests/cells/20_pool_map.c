%timeline off
/* Each call writes the id of the worker that ran it. */
void who(void *in, void *out) { *(int *)out = parc_worker_id(); }
void square(void *in, void *out) { long x = *(long *)in; *(long *)out = x * x; }
/* Counts the calls per index (to check each runs exactly once). */
int calls[1000];
void count(void *in, void *out) { parc_atomic_add((long *)out, 1); }
void show(const int *v, int n) { for (int i = 0; i < n; i++) printf("%d", v[i]); printf("\n"); }
//---
/* Static, chunk 0: one block of ceil(20/3) = 7 items per worker. */
parc_pool *t3 = parc_threads(3);
int ids[20];
parc_map(t3, who, NULL, ids, 20, 0, sizeof(int), PARC_STATIC, 0);
show(ids, 20);
/* Static, chunk 2: item i on worker (i / 2) % 3. */
parc_map(t3, who, NULL, ids, 20, 0, sizeof(int), PARC_STATIC, 2);
show(ids, 20);
parc_pool_size(t3)
//---
/* Dynamic and guided: every index exactly once. */
long hits[1000];
int once(void) { for (int i = 0; i < 1000; i++) if (hits[i] != 1) return 0; return 1; }
memset(hits, 0, sizeof hits);
parc_map(t3, count, NULL, hits, 1000, 0, sizeof(long), PARC_DYNAMIC, 1);
printf("dynamic chunk 1: %s\n", once() ? "each index once" : "WRONG");
memset(hits, 0, sizeof hits);
parc_map(t3, count, NULL, hits, 1000, 0, sizeof(long), PARC_DYNAMIC, 7);
printf("dynamic chunk 7: %s\n", once() ? "each index once" : "WRONG");
memset(hits, 0, sizeof hits);
parc_map(t3, count, NULL, hits, 1000, 0, sizeof(long), PARC_GUIDED, 0);
printf("guided: %s\n", once() ? "each index once" : "WRONG");
//---
/* A pool made in an earlier cell works in later ones. */
long in[12], out[12];
for (int i = 0; i < 12; i++) in[i] = i;
parc_map(t3, square, in, out, 12, sizeof(long), sizeof(long), PARC_GUIDED, 2);
out
//---
/* Process pools: same assignment, results through shared memory. */
parc_pool *p2 = parc_procs(2);
parc_map(p2, who, NULL, ids, 20, 0, sizeof(int), PARC_STATIC, 3);
show(ids, 20);
memset(out, 0, sizeof out);
parc_map(p2, square, in, out, 12, sizeof(long), sizeof(long), PARC_DYNAMIC, 1);
out
//---
/* A function defined after the pool was made runs in its processes. */
void cube(void *in, void *out) { long x = *(long *)in; *(long *)out = x * x * x; }
parc_map(p2, cube, in, out, 12, sizeof(long), sizeof(long), PARC_STATIC, 0);
out
//---
/* Outside workers: id 0 of 1. */
printf("%d %d %d\n", parc_worker_id(), parc_worker_count(), parc_cpu_count() > 0);
long t0 = parc_now();
parc_now() >= t0
//---
parc_map(t3, square, in, out, 0, sizeof(long), sizeof(long), PARC_STATIC, 0)
//---
parc_map(t3, NULL, in, out, 12, sizeof(long), sizeof(long), PARC_STATIC, 0)
//---
parc_map(t3, square, in, out, 12, sizeof(long), sizeof(long), 7, 0)
//---
parc_threads(100000) == NULL
//---
parc_map(NULL, square, in, out, 12, sizeof(long), sizeof(long), PARC_STATIC, 0)
//---
parc_pool_free(t3);
parc_pool_free(p2);
parc_map(t3, square, in, out, 12, sizeof(long), sizeof(long), PARC_STATIC, 0)
//---
parc_pool_size(p2)
