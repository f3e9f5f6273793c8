"""Hostile cells in a GPU session, run through the Jupyter kernel.

A session that started a GPU runtime runs its cells in place, in the
executor itself (ARCHITECTURE.md, GPU sessions): what a cell that finishes
does to its process would stay in the session. The commit-time guard puts
it back after every in-place cell as it does for forked cells: the
standard fds, signal dispositions and mask, timers, resource limits,
processes left behind. Handlers the GPU runtime installed stay. PoCL
(OpenCL on the CPU) stands for the GPU here; `ctx` is its context, which
lives only in the executor, so a cell that still uses it shows that the
session is still in place.
"""
import re
import time

import pytest

from kernelharness import TIMEOUT, alive, stream_text, wait_until
from test_faults import Session, error_text

START = r"""%lib OpenCL
#include <CL/cl.h>
#include <signal.h>
cl_platform_id platform;
cl_device_id device;
clGetPlatformIDs(1, &platform, NULL);
clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, NULL);
cl_context ctx = clCreateContext(NULL, 1, &device, NULL, NULL, NULL);
const char *disposition(int sig)
{
    struct sigaction sa;
    sigaction(sig, NULL, &sa);
    return sa.sa_handler == SIG_DFL ? "default" : sa.sa_handler == SIG_IGN ? "ignored" : "handler";
}
printf("context %s\n", ctx ? "made" : "missing");"""

STILL_IN_PLACE = 'cl_uint refs = 0;\nclGetContextInfo(ctx, CL_CONTEXT_REFERENCE_COUNT, sizeof refs, &refs, NULL);\n' \
                 'printf("refs %u, sentinel %d\\n", refs, sentinel);'


def introspect(g):
    """Completion, inspection and is_complete answer (each runs in a
    throwaway fork of the session's process)."""
    g.ok("struct point { int x, y; } spot = {3, 4};")
    code = "spot.y + senti"
    reply = g.kc.complete(code, len(code), reply=True, timeout=TIMEOUT)["content"]
    assert "sentinel" in reply["matches"], reply
    code = "spot."
    reply = g.kc.complete(code, len(code), reply=True, timeout=TIMEOUT)["content"]
    assert reply["matches"] == ["x", "y"], reply
    reply = g.kc.inspect("spot", 2, reply=True, timeout=TIMEOUT)["content"]
    assert reply["found"] and "3" in reply["data"]["text/plain"], reply
    msg_id = g.kc.is_complete("for (;;) {")
    reply = g.kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "incomplete", reply["content"]


class GpuSession(Session):
    def in_place(self, value=42):
        """The OpenCL context made by START still answers: the cells still
        run in the process that made it."""
        out = self.ok(STILL_IN_PLACE)
        assert stream_text(out) == f"refs 1, sentinel {value}\n", (stream_text(out), stream_text(out, "stderr"))

    def undone(self, cell, probe, expected):
        """What cell leaves set in the process is undone: probe, the next
        cell, prints expected, still in place."""
        self.ok(cell)
        out = self.ok(probe)
        assert stream_text(out) == expected, stream_text(out)
        self.in_place()


@pytest.fixture(scope="class")
def g():
    sess = GpuSession()
    out = sess.ok(START, timeout=120)
    assert stream_text(out) == "context made\n", stream_text(out, "stderr")
    assert "cells run in place" in stream_text(out, "stderr")
    yield sess
    sess.close()


class TestInPlaceGuard:
    def test_runtime_handlers_are_kept(self, g):
        # PoCL's LLVM installs handlers (SIGHUP, SIGTERM, ...) when the
        # context is made; they are the runtime's and stay. What a cell
        # sets over them is put back after it.
        out = g.ok('printf("%s %s %s\\n", disposition(SIGHUP), disposition(SIGTERM), disposition(SIGQUIT));')
        before = stream_text(out)
        assert before.split()[0] == "handler", before
        g.ok("void mine(int sig) { (void)sig; }\n"
             "signal(SIGHUP, SIG_IGN); signal(SIGTERM, mine); signal(SIGQUIT, SIG_DFL);")
        out = g.ok('printf("%s %s %s\\n", disposition(SIGHUP), disposition(SIGTERM), disposition(SIGQUIT));')
        assert stream_text(out) == before
        g.in_place()

    def test_cell_handlers_do_not_outlive_the_cell(self, g):
        g.ok("void on_segv(int sig) { (void)sig; }\nsignal(SIGALRM, on_segv); signal(SIGCHLD, SIG_IGN);\n"
             "signal(SIGINT, on_segv); signal(SIGWINCH, on_segv);")
        out = g.ok('printf("%s %s %s\\n", disposition(SIGALRM), disposition(SIGCHLD), disposition(SIGWINCH));')
        assert stream_text(out) == "default default default\n"
        g.in_place()

    def test_close_stdout_and_stderr(self, g):
        g.ok('#include <unistd.h>\nprintf("before\\n"); fflush(stdout); close(1); close(2);')
        g.intact()
        reply, out = g.run('fprintf(stderr, "err works\\n");')
        assert stream_text(out, "stderr") == "err works\n"
        g.in_place()

    def test_dup2_over_0_1_2(self, g):
        g.ok('#include <fcntl.h>\n#include <unistd.h>\nint devnull = open("/dev/null", O_RDWR);\n'
             "dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2); close(devnull);")
        g.intact()
        g.in_place()

    def test_setvbuf_with_a_buffer_on_the_cell_stack(self, g):
        g.undone('char buf[256]; setvbuf(stdout, buf, _IOFBF, sizeof buf); printf("full\\n");',
                 'int junk[4096]; for (int i = 0; i < 4096; i++) junk[i] = i;\n'
                 'printf("line one\\n"); printf("line two\\n");',
                 "line one\nline two\n")

    def test_alarm_and_timers_left_set(self, g):
        g.ok("#include <unistd.h>\n#include <sys/time.h>\nalarm(1);\n"
             "struct itimerval it = {{0, 300000}, {0, 300000}};\n"
             "setitimer(ITIMER_REAL, &it, NULL); setitimer(ITIMER_PROF, &it, NULL);")
        time.sleep(1.5)
        g.intact()
        g.in_place()

    def test_posix_timer_left_set(self, g):
        g.ok("#include <time.h>\ntimer_t tick; timer_create(CLOCK_MONOTONIC, NULL, &tick);\n"
             "struct itimerspec every = {{0, 200000000}, {0, 200000000}}; timer_settime(tick, 0, &every, NULL);")
        time.sleep(1.0)
        g.intact()
        g.in_place()

    def test_signal_mask_left_blocked(self, g):
        g.undone("sigset_t all; sigfillset(&all); sigprocmask(SIG_BLOCK, &all, NULL);",
                 "sigset_t now; sigprocmask(SIG_BLOCK, NULL, &now);\n"
                 'printf("%d %d\\n", sigismember(&now, SIGUSR1), sigismember(&now, SIGTERM));',
                 "0 0\n")

    def test_resource_limits(self, g, tmp_path):
        # A file size limit of 0 left behind would kill the session with
        # SIGXFSZ at the next write to a file.
        g.ok("#include <sys/resource.h>\nstruct rlimit fs; getrlimit(RLIMIT_FSIZE, &fs);\n"
             "fs.rlim_cur = 0; setrlimit(RLIMIT_FSIZE, &fs);")
        out = g.ok(f'FILE *f = fopen("{tmp_path}/x", "w"); fputs("0123456789", f); fclose(f);\n'
                   'struct rlimit now; getrlimit(RLIMIT_FSIZE, &now);\n'
                   'printf("%s\\n", now.rlim_cur == RLIM_INFINITY ? "unlimited" : "limited");')
        assert stream_text(out) == "unlimited\n"
        assert (tmp_path / "x").read_text() == "0123456789"
        g.in_place()

    def test_children_left_behind(self, g):
        before = g.processes()
        g.ok("#include <unistd.h>\nif (fork() == 0) { sleep(1000); _exit(0); }")
        assert wait_until(lambda: g.processes() <= before, 10)
        g.ok('#include <stdlib.h>\nsystem("sleep 1000 &");')
        assert wait_until(lambda: g.processes() <= before, 10)
        g.in_place()

    def test_child_returning_from_the_cell(self, g):
        # A process the cell forked ends where the cell's code ends, and
        # exit() in one leaves without the GPU runtime's exit handlers
        # (which would wait for threads that did not come along).
        out = g.ok('#include <unistd.h>\n#include <sys/wait.h>\npid_t child = fork();\n'
                   'if (child > 0) { waitpid(child, 0, 0); printf("parent\\n"); } else printf("child\\n");')
        assert sorted(stream_text(out).splitlines()) == ["child", "parent"], stream_text(out)
        out = g.ok('#include <stdlib.h>\npid_t two = fork(); if (two == 0) { printf("exits\\n"); exit(3); }\n'
                   'int st; waitpid(two, &st, 0); printf("status %d\\n", WEXITSTATUS(st));', timeout=20)
        assert stream_text(out) == "exits\nstatus 3\n", stream_text(out)
        g.intact()
        g.in_place()

    def test_child_crashing(self, g):
        # A crash of a process the cell forked is the child's: the cell
        # goes on, in place, past the 2 s a stuck crash handler is given.
        out = g.ok('#include <unistd.h>\n#include <sys/wait.h>\n'
                   'pid_t c = fork(); if (c == 0) { *(volatile int *)0 = 1; _exit(0); }\n'
                   'int st; waitpid(c, &st, 0); usleep(2500000);\n'
                   'printf("child signal %d\\n", WIFSIGNALED(st) ? WTERMSIG(st) : 0);', timeout=30)
        assert stream_text(out) == "child signal 11\n", stream_text(out, "stderr")
        g.in_place()

    def test_kill_refused_for_the_watcher_and_front_end(self, g):
        # In place, the process holding the session as it was before the
        # cell is the watcher: the cell's pid is the executor's own.
        out = g.ok("#include <unistd.h>\n"
                   'printf("%d\\n", kill(getppid(), SIGKILL));')
        assert stream_text(out) == "-1\n"
        assert "is the front end of this session" in stream_text(out, "stderr")
        g.in_place()

    def test_chdir_and_umask_persist(self, g, tmp_path):
        # As in forked cells: the working folder, umask and environment
        # are the session's, kept when a cell finishes.
        g.ok(f'#include <unistd.h>\n#include <sys/stat.h>\nchdir("{tmp_path}"); umask(077);')
        out = g.ok('char here[4096]; mode_t m = umask(077);\nprintf("%s %03o\\n", getcwd(here, sizeof here), m);')
        assert stream_text(out) == f"{tmp_path} 077\n"
        g.in_place()

    def test_compile_error_after_hostile_magic_state(self, g):
        reply, _ = g.run("%limit mem 300M\nint broken = undeclared_here;")
        assert reply["status"] == "error" and reply["ename"] == "CompileError", error_text(reply)
        out = g.ok("#include <stdlib.h>\nchar *big = malloc(400 << 20); printf(\"%s\\n\", big ? \"got\" : \"NULL\"); free(big);")
        assert stream_text(out) == "got\n"
        g.in_place()

    def test_introspection_in_place(self, g):
        introspect(g)
        g.in_place()

    # The cells below end the in-place process: the session goes on in the
    # watcher, without the GPU's state.
    def test_sigusr1_is_parcs_in_place(self, g):
        # In place, SIGUSR1 interrupts the cell: a cell may not ignore,
        # catch or block it (it is told so); other signals are its own.
        reply, out = g.run("void on_usr1(int sig) { (void)sig; }\n"
                           'printf("%d ", signal(SIGUSR1, SIG_IGN) == SIG_ERR);\n'
                           "struct sigaction act = {0}; act.sa_handler = on_usr1;\n"
                           'printf("%d ", sigaction(SIGUSR1, &act, NULL));\n'
                           "sigset_t all; sigfillset(&all); sigprocmask(SIG_BLOCK, &all, NULL);\n"
                           "sigset_t now; sigprocmask(SIG_BLOCK, NULL, &now);\n"
                           'printf("%d %d\\n", sigismember(&now, SIGUSR1), sigismember(&now, SIGUSR2));')
        assert reply["status"] == "ok", error_text(reply)
        assert stream_text(out) == "1 -1 0 1\n", stream_text(out)
        err = stream_text(out, "stderr")
        for fn in ("signal", "sigaction", "sigprocmask"):
            assert f"parc: {fn}(SIGUSR1) refused: in a GPU session cells run in place" in err, err
        g.in_place()

    def test_interrupt_a_cell_ignoring_and_blocking_signals(self, g):
        g.interrupt_after(1.0)
        reply, out = g.run("signal(SIGUSR1, SIG_IGN); signal(SIGINT, SIG_IGN);\n"
                           "sigset_t all; sigfillset(&all); sigprocmask(SIG_BLOCK, &all, NULL);\n"
                           "sentinel = 1; for (;;) ;")
        assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", error_text(reply)
        assert "without the GPU's state" in error_text(reply), error_text(reply)
        g.intact()
        introspect(g)  # in forks of the process that took over

    def test_crash_after_a_cell_made_the_session_a_subreaper(self):
        # The watcher of the next cell must still be there to take over.
        s = GpuSession()
        try:
            s.ok(START, timeout=120)
            s.ok("#include <sys/prctl.h>\nprctl(PR_SET_CHILD_SUBREAPER, 1);")
            s.in_place()
            s.fails("sentinel = 1; *(volatile int *)0 = 1;", "Crash", "without the GPU's state")
        finally:
            s.close()

    def test_closing_parcs_pipes_in_place(self):
        for close_all in (False, True):
            s = GpuSession()
            try:
                s.ok(START, timeout=120)
                s.in_place()
                if close_all:
                    # The watcher's commit pipe goes too: it cannot hear why.
                    reply, _ = s.run("#include <unistd.h>\nsentinel = 1; for (int fd = 0; fd < 4096; fd++) close(fd);")
                    why = "ended the session's process"
                else:
                    # The first pipe above fd 100 is the one requests come on.
                    reply, _ = s.run("#include <unistd.h>\n#include <sys/stat.h>\nsentinel = 1;\n"
                                     "for (int fd = 100; fd < 4096; fd++) {\n"
                                     "    struct stat st;\n"
                                     "    if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) { close(fd); break; }\n"
                                     "}")
                    why = "closed or replaced the file descriptors parc uses to talk to the front end"
                msg = error_text(reply)
                assert reply["status"] == "error", msg
                assert why in msg and "without the GPU's state" in msg, msg
                s.intact()
            finally:
                s.close()
