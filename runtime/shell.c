/* shell.c — shell commands from cells: a line `!COMMAND` becomes a call of
 * parc_shell (see engine/magic.c). The command's output goes straight to
 * the cell's stdout and stderr, so it streams live and keeps its place
 * among the cell's own output. */
#include "parc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* The last command's status; the runtime is part of the session process,
 * so it outlives the cell that set it. */
static int last_status;

int parc_shell(const char *command)
{
    if (!command)
        return last_status = 127;
    fflush(NULL); /* what the cell printed comes first */
    pid_t pid = fork();
    if (pid < 0)
        return last_status = 127;
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return last_status = 127;
    last_status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 127;
    return last_status;
}

int parc_shell_status(void)
{
    return last_status;
}
