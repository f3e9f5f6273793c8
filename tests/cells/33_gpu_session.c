// A session that brings in a GPU runtime (here PoCL, OpenCL on the CPU,
// through the plain OpenCL API) runs later cells in place: a compile error
// leaves its declarations out, what a finished cell did to the process
// (stdout closed, an alarm set and its signal ignored, a file size limit
// of 0) is put back, a crash is reported by the watcher and the session
// goes on without the GPU state, %replay rebuilds it, and the watcher
// stops an in-place cell that runs past its time limit.
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
#include <unistd.h>
#include <signal.h>
#include <sys/resource.h>
signal(SIGALRM, SIG_IGN);
alarm(1);
struct rlimit no_files = {0, RLIM_INFINITY};
setrlimit(RLIMIT_FSIZE, &no_files);
fflush(stdout);
close(1);
//---
usleep(1300000);
FILE *f = tmpfile();
printf("still here, wrote %d bytes\n", (int)write(fileno(f), "0123456789", 10));
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
