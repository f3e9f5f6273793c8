// A session that brings in a GPU runtime (here PoCL, OpenCL on the CPU,
// through the plain OpenCL API) runs later cells in place: a compile error
// leaves its declarations out, a crash is reported by the watcher and the
// session goes on without the GPU state, %replay rebuilds it, and the
// watcher stops an in-place cell that runs past its time limit.
int x = 1;
//---
%lib OpenCL
#include <CL/cl.h>
cl_uint nplatforms = 0;
clGetPlatformIDs(0, NULL, &nplatforms);
printf("OpenCL started\n");
//---
x += 10;
int later = undeclared_name;
//---
int later = 5;
x + later
//---
*(volatile int *)0 = 1;
//---
x
//---
%replay
//---
x++;
x + later
//---
%limit time 1
x = 100;
for (;;)
    ;
//---
%limit time 0
x
