#include <unistd.h>
#include <sys/wait.h>
printf("before fork, no newline ");
pid_t pid = fork();
if (pid == 0) { printf("child\n"); _exit(0); }
waitpid(pid, NULL, 0);
printf("parent\n");
//---
pid > 0
