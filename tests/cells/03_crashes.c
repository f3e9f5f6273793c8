#include <signal.h>
#include <unistd.h>
#include <assert.h>
int sentinel = 7;
int *np = 0;
int zero = 0;
int recurse(int n) { return recurse(n + 1) + 1; }
//---
sentinel = 100; *np = 1;
//---
sentinel
//---
sentinel = 100; np = (int *)16; *np = 2;
//---
sentinel
//---
sentinel = 100; recurse(0);
//---
sentinel
//---
sentinel = 100; printf("%d\n", sentinel / zero);
//---
sentinel
//---
sentinel = 100; abort();
//---
sentinel
//---
sentinel = 100; assert(sentinel == 8);
//---
sentinel
//---
sentinel = 100; exit(0);
//---
sentinel
//---
sentinel = 100; exit(3);
//---
sentinel
//---
sentinel = 100; _exit(4);
//---
sentinel
//---
sentinel = 100; raise(SIGKILL);
//---
sentinel
//---
sentinel = 100; kill(getpid(), SIGTERM);
//---
sentinel
//---
%limit time 1
//---
sentinel = 100; for (;;) ;
//---
sentinel
//---
%limit time 0
//---
int later = 5; sentinel = later;
//---
sentinel
