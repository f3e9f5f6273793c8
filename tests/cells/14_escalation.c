%timeline off
#include <pthread.h>
int plain = 1;
plain
//---
_Atomic long counter = 0;
void *count(void *arg) { for (int i = 0; i < 100000; i++) counter++; return arg; }
//---
pthread_t th[4];
for (int i = 0; i < 4; i++) pthread_create(&th[i], 0, count, 0);
for (int i = 0; i < 4; i++) pthread_join(th[i], 0);
counter
//---
plain + 1
//---
int base = 10;
int add1(int x) { return x + 1; }
//---
__thread int tl = 5;
void *bump(void *arg) { tl += 100; *(int *)arg = tl; return arg; }
tl = add1(base);
//---
int seen = 0;
pthread_t t;
pthread_create(&t, 0, bump, &seen);
pthread_join(t, 0);
seen * 1000 + tl
//---
__int128 big = (__int128)1 << 100;
big /= 3;
(long)(big >> 90)
//---
#include <complex.h>
double complex z = 3 + 4 * I;
cabs(z)
//---
creal(z * z)
//---
long n = 0;
for (int i = 0; i < 10; i++) __atomic_fetch_add(&n, 2, __ATOMIC_SEQ_CST);
__sync_fetch_and_add(&n, 1);
n
//---
#include <stdatomic.h>
atomic_int flags = 0;
atomic_fetch_or(&flags, 6);
atomic_load(&flags)
//---
plain + n
//---
setenv("PARC_CLANG", "/nonexistent/clang", 1);
//---
_Atomic int again = 1;
//---
unsetenv("PARC_CLANG");
//---
#pragma omp parallel for reduction(+:plain)
for (int i = 0; i < 4; i++) plain++;
plain
