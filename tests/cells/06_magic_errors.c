// A wrong use of each magic: the message names the cell, the magic's line
// and the magic (cell[N]:LINE: error: %name: ...), says what is wrong,
// naming the word it cannot take, and shows the magic's usage; nothing of
// the cell runs and the session goes on. Nothing here needs a GPU, nvcc,
// OpenCL or MPI: the arguments are read before any of them is started.
int kept = 7;
//---
int a = 1;
int b = 2;
%limit time soon
//---
%limit mem
//---
%omp_threads many
//---
%timeline sideways
//---
%timeline save trace.png
//---
%timeit -p 20 kept
//---
%timeit -o 9lives kept
//---
%time
//---
%who things
//---
%whos p
//---
%history --all
//---
%reset -x
//---
%replay now
//---
%gpus 0
//---
%pwd here
//---
%cd a b
//---
%env 2PAC=1
//---
%load
//---
%run
//---
%lib
//---
%cc nothere
//---
%tiemout 5
//---
%%c --fast
int c;
//---
%%writefile -x notes.txt
text
//---
%%threads
//---
%%procs 2; 3
int d;
//---
%%openmp --bind nowhere
int e;
//---
%%timeit -n 0
kept;
//---
%%timeit
//---
%%timeline now
int f;
//---
%%scaling -r many
kept;
//---
%%mpi -n 0
int g;
//---
%%opencl --device first
kernel void k(global int *p) { p[0] = 1; }
//---
%%vectorize --target gpu
float twice(float x) { return 2 * x; }
//---
%%cuda --nvcc --nvrtc
__global__ void k(int *p) { p[0] = 1; }
//---
%%thread 4
int h;
//---
// A cell magic below the first line.
%%threads 2
int i;
//---
%%threads workers
int i;
//---
int j = 1;
%time j = missing + 1;
//---
%timeit -n 1 -r 1 kept +;
//---
%timeit -n 1 -r 1 n
//---
%%scaling -r 3x
kept;
//---
// A number with anything after it is not a number.
%timeit -n 3x kept
//---
%timeit -p 5x kept
//---
%%timeit -r 2x
kept;
//---
%timeit -r 99999999999 kept
//---
%%threads 3x
int k;
//---
%%procs 08
int k;
//---
%%mpi -n 4x
int k;
//---
%%openmp -t 2x
int k;
//---
%%openmp --schedule dynamic,4x
int k;
//---
%omp_threads 4x
//---
%limit time 5s
//---
%limit time inf
//---
%limit procs 3x
//---
%limit mem 4Gx
//---
%limit time 5 more
//---
%%opencl --device 3x
kernel void k(global int *p) { p[0] = 1; }
//---
%%opencl --device 4294967296
kernel void k(global int *p) { p[0] = 1; }
//---
%%time kept
kept;
//---
%lsmagic all
//---
%magic timeit
//---
kept
//---
%time kept = "ab" * 2;
//---
%
//---
%?
//---
// A line starting with % that goes on the statement before it is C's
// remainder operator, not a magic.
int rem = 17
    % 5;
int rem2 = 17
%3;
rem * 10 + rem2
