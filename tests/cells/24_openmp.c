%timeline off
#include <omp.h>
#include <unistd.h>
double t0 = omp_get_wtime();
omp_lock_t lock;
omp_init_lock(&lock);
omp_set_lock(&lock);
int held = !omp_test_lock(&lock);
omp_unset_lock(&lock);
held && omp_get_max_threads() >= 1 && omp_get_wtime() >= t0
//---
int cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
long long squares(int n) { long long s = 0; for (int i = 0; i < n; i++) s += (long long)i * i; return s; }
//---
long long sum = 0;
#pragma omp parallel for reduction(+:sum)
for (int i = 0; i < 100000; i++) sum += (long long)i * i;
sum == squares(100000)
//---
%%openmp -t 4
int hits = 0, inside = 0, most = 0;
#pragma omp parallel for
for (int i = 0; i < 4000; i++) {
#pragma omp critical
    {
        hits++;
        if (++inside > most) most = inside;
        inside--;
    }
}
printf("hits %d, most inside at once %d\n", hits, most);
//---
int team(void) {
    int n = 0;
#pragma omp parallel
    {
#pragma omp single
        n = omp_get_num_threads();
    }
    return n;
}
//---
team() == cores
//---
int *nowhere = 0;
#pragma omp parallel
{
    if (omp_get_thread_num() == omp_get_num_threads() - 1)
        *nowhere = 1;
}
//---
team() == cores && sum == squares(100000)
//---
%%openmp -t 3 --schedule dynamic,4
omp_sched_t kind;
int chunk;
omp_get_schedule(&kind, &chunk);
printf("%d threads, schedule %d chunk %d\n", team(), (int)kind, chunk);
//---
team() == cores
//---
%omp_threads 3
%omp_threads
team()
//---
%omp_threads default
team() == cores
//---
%%openmp -t 0
1
//---
%%openmp --schedule sometimes
1
//---
%%openmp --bind nowhere
1
//---
%%openmp --fast
1
//---
%%openmp --bind none -t 2
team()
//---
#pragma omp parallel for
for (int i = 0; i < 2; i++) omp_set_lock(&lock), omp_unset_lock(&lock);
omp_destroy_lock(&lock);
hits
//---
void bump(void) {
#pragma omp parallel for
    for (int i = 0; i < 1000; i++) {
#pragma omp critical
        hits++;
    }
}
//---
#pragma omp parallel for reduction(+:sum)
for (int i = 0; i < 10; i++) sum += 1;
#pragma omp parallel sections
{
#pragma omp section
    bump();
#pragma omp section
    for (int i = 0; i < 1000; i++) {
#pragma omp critical
        hits++;
    }
}
printf("%d hits, sum %s\n", hits, sum == squares(100000) + 10 ? "exact" : "wrong");
//---
_Pragma("omp parallel reduction(+:hits)") hits += 1;
hits == 6000 + cores
//---
int mine = 0;
#pragma omp threadprivate(mine)
//---
%%openmp -t 2
int total = 0;
#pragma omp parallel reduction(+:total)
{
    mine = omp_get_thread_num() + 1;
    total += mine;
}
total * 10 + mine
