%timeline off
#include <unistd.h>
#define N 8
typedef struct { int lo, hi; } range;
double A[N][N], x[N];
int scale = 1;
char *label = "scaled";
/* The rows of A that a rank owns. */
range block(int rank, int size) { range r = {rank * N / size, (rank + 1) * N / size}; return r; }
double row_dot(int i) { double s = 0; for (int j = 0; j < N; j++) s += A[i][j] * x[j]; return s; }
for (int i = 0; i < N; i++) {
    x[i] = i + 1;
    for (int j = 0; j < N; j++)
        A[i][j] = i + 2 * j;
}
scale = 3;
//---
/* The serial product, to compare with. */
for (int i = 0; i < N; i++)
    printf("%g ", row_dot(i));
printf("\n");
//---
%%mpi -n 2
/* A scalar from rank 0 to rank 1; scale has the session's value. */
if (rank == 0) {
    int v = 14 * scale;
    MPI_Send(&v, 1, MPI_INT, 1, 7, MPI_COMM_WORLD);
} else {
    int v;
    MPI_Status st;
    MPI_Recv(&v, 1, MPI_INT, 0, 7, MPI_COMM_WORLD, &st);
    printf("received %d from rank %d with tag %d (%s)\n", v, st.MPI_SOURCE, st.MPI_TAG, label);
}
//---
%%mpi -n 2
/* An array. */
double buf[5];
if (rank == 0) {
    for (int i = 0; i < 5; i++)
        buf[i] = i * 1.5;
    MPI_Send(buf, 5, MPI_DOUBLE, 1, 0, MPI_COMM_WORLD);
} else {
    MPI_Recv(buf, 5, MPI_DOUBLE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    for (int i = 0; i < 5; i++)
        printf("%g ", buf[i]);
    printf("\n");
}
//---
%%mpi -n 4
/* Distributed matrix-vector product: each rank its rows, Allgather joins
 * them (4 ranks on a 2-core machine: oversubscribed by parc). */
range r = block(rank, size);
double mine[N], y[N];
for (int i = r.lo; i < r.hi; i++)
    mine[i - r.lo] = row_dot(i);
MPI_Allgather(mine, N / size, MPI_DOUBLE, y, N / size, MPI_DOUBLE, MPI_COMM_WORLD);
int same = 1;
for (int i = 0; i < N; i++)
    same &= y[i] == row_dot(i);
if (rank == 0) {
    for (int i = 0; i < N; i++)
        printf("%g ", y[i]);
    printf("\nequal to the serial product: %s\n", same ? "yes" : "no");
}
//---
%%mpi -n 3
/* Allreduce: a sum split over the ranks. */
long part = 0;
for (long i = rank + 1; i <= 1000; i += size)
    part += i;
long total;
MPI_Allreduce(&part, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
scale = 100; /* the ranks' own copy */
if (rank == size - 1)
    printf("sum of 1..1000 = %ld, serial %ld\n", total, 1000L * 1001 / 2);
//---
/* The session's variables are untouched by MPI cells. */
scale
//---
%%mpi -n 3
/* Output is labelled with the rank (the ranks wait their turn here). */
MPI_Barrier(MPI_COMM_WORLD);
usleep(200000 * rank);
printf("hello from rank %d of %d\n", rank, size);
//---
%%mpi -n 2
if (rank == 1) {
    int *p = NULL;
    *p = 1;
}
MPI_Barrier(MPI_COMM_WORLD);
//---
%%mpi -n 2
if (rank == 1)
    MPI_Abort(MPI_COMM_WORLD, 3);
MPI_Barrier(MPI_COMM_WORLD);
//---
%%mpi -n 2
if (rank == 1)
    return 4;
MPI_Barrier(MPI_COMM_WORLD);
//---
%%mpi -n 2
if (rank == 1)
    exit(0);
MPI_Barrier(MPI_COMM_WORLD);
//---
%%mpi -n 2
int k = rank + undefined_name;
//---
%%mpi -n 0
printf("never\n");
//---
%%writefile /tmp/parc_test_mpi_hosts
localhost slots=3
//---
%%writefile /tmp/parc_test_mpi_load.c
int sevenfold(int x) { return 7 * x; }
int main(void) { return 0; }
//---
%%mpi --hostfile /tmp/parc_test_mpi_hosts
/* No -n: as many ranks as the hostfile has slots. */
int n;
MPI_Reduce(&rank, &n, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
if (rank == 0)
    printf("%d ranks from the hostfile, ranks add up to %d\n", size, n);
//---
%%mpi -n 4 --hostfile /tmp/parc_test_mpi_hosts
printf("more ranks than the hostfile's slots\n");
//---
%cc clang -O2
//---
%%mpi -n 2
/* Built by clang -O2 as %cc says; a function defined in the cell. */
static int square(int v) { return v * v; }
int s = square(rank + 2);
int all[2];
MPI_Gather(&s, 1, MPI_INT, all, 1, MPI_INT, 0, MPI_COMM_WORLD);
if (rank == 0)
    printf("squares %d %d\n", all[0], all[1]);
//---
%cc tcc
//---
%%c
/* A session function TinyCC cannot compile: the MPI program goes to clang. */
#include <stdatomic.h>
_Atomic long tally;
long bump(long v) { return atomic_fetch_add(&tally, v) + v; }
//---
%%mpi -n 2
if (rank == 1)
    printf("bump %ld\n", bump(5));
//---
%%mpi -n 2
/* MPI and OpenMP together: each rank runs a parallel region. */
#include <omp.h>
int threads = 0;
#pragma omp parallel num_threads(2) reduction(+ : threads)
threads += 1;
if (rank == 1)
    printf("%d threads in rank %d\n", threads, rank);
//---
%load /tmp/parc_test_mpi_load.c
//---
%%mpi -n 2
/* Functions from a %load file (as it is now), and a session main (left
 * out: the program has its own). */
if (rank == 1)
    printf("loaded: %d\n", sevenfold(rank));
//---
%%mpi?
//---
/* Without Open MPI (here: not on PATH) the cell says what to install. */
%env PATH=/nonexistent
//---
%%mpi -n 2
;
