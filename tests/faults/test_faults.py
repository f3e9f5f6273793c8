"""Hostile cells, run through the Jupyter kernel with a real client.

Each group of cells shares one kernel session holding `sentinel`, set to
42 before the group starts. After every hostile cell: the reply says what
happened (status and message checked), `sentinel` still holds 42 (or what
a cell that finished set it to), and a plain cell still works.
"""
import os
import pathlib
import re
import threading
import time

import pytest
from jupyter_client.manager import start_new_kernel

from kernelharness import TIMEOUT, alive, descendants, run_cell, stream_text, wait_until

SENTINEL = 42


def cpu_seconds(pid):
    """The CPU time process pid has used (user and system)."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def error_text(reply):
    return f"{reply.get('ename')}: {reply.get('evalue')}"


class Session:
    """A kernel, its client, and checks run after each hostile cell."""

    def __init__(self):
        self.km, self.kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT)
        reply, _ = run_cell(self.kc, f"#include <stdio.h>\nint sentinel = {SENTINEL};")
        assert reply["status"] == "ok", reply

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def kernel_pid(self):
        return self.km.provisioner.process.pid

    def processes(self):
        """How many processes the kernel has below it (zombies not counted)."""
        return len([p for p in descendants(self.kernel_pid()) if alive(p)])

    def run(self, code, timeout=TIMEOUT, **kw):
        # Each cell is sent after the previous one's reply: none of them is
        # queued behind a failure, so none should be aborted.
        kw.setdefault("stop_on_error", False)
        return run_cell(self.kc, code, timeout=timeout, **kw)

    def fails(self, code, ename, *patterns, timeout=TIMEOUT, **kw):
        """Runs a cell that must fail with ename; its message must match
        every pattern; the session must be intact afterwards."""
        reply, out = self.run(code, timeout=timeout, **kw)
        assert reply["status"] == "error", (reply, stream_text(out), stream_text(out, "stderr"))
        msg = error_text(reply)
        assert reply["ename"] == ename, msg
        assert "the session is as it was before" in msg, msg
        for p in patterns:
            assert re.search(p, msg), (p, msg)
        self.intact()
        return reply, out

    def ok(self, code, timeout=TIMEOUT, **kw):
        reply, out = self.run(code, timeout=timeout, **kw)
        assert reply["status"] == "ok", (error_text(reply), stream_text(out), stream_text(out, "stderr"))
        return out

    def intact(self, value=SENTINEL):
        """The sentinel kept its value; printing and computing still work."""
        reply, out = self.run('printf("alive %d\\n", sentinel + 1);')
        assert reply["status"] == "ok", error_text(reply)
        assert stream_text(out) == f"alive {value + 1}\n", (stream_text(out), stream_text(out, "stderr"))

    def interrupt_after(self, seconds):
        t = threading.Timer(seconds, self.km.interrupt_kernel)
        t.start()
        return t


@pytest.fixture(scope="class")
def s():
    sess = Session()
    yield sess
    sess.close()


# ---------------------------------------------------------------------------
class TestCrashes:
    def test_segfault(self, s):
        s.fails("sentinel = 1; *(volatile int *)0 = 1;", "SegmentationFault",
                r"segmentation fault \(SIGSEGV\) in the statements of cell\[\d+\]")

    def test_abort(self, s):
        s.fails("#include <stdlib.h>\nsentinel = 1; abort();", "Crash", r"abort \(SIGABRT\)")

    def test_fpe(self, s):
        s.fails("volatile int zero = 0; sentinel = 1 / zero;", "Crash", r"division by zero \(SIGFPE\)")

    def test_bus_error(self, s):
        # Reading a mapped page beyond the end of a file.
        s.fails("#include <sys/mman.h>\nFILE *f = tmpfile();\n"
                "volatile char *p = mmap(0, 4096, PROT_READ, MAP_SHARED, fileno(f), 0);\n"
                "sentinel = p[0];", "Crash", r"bus error \(SIGBUS\)")

    def test_illegal_instruction(self, s):
        s.fails('sentinel = 1; __asm__ volatile("ud2");', "Crash", r"illegal instruction \(SIGILL\)")

    def test_stack_overflow(self, s):
        s.fails("int deep(int n) { volatile char pad[512]; pad[0] = n; return deep(n + 1) + pad[0]; }\n"
                "sentinel = deep(0);", "SegmentationFault", r"in deep\(\) \(defined in cell\[\d+\]\)")
        # The function the failed cell defined is gone with it.
        reply, _ = s.run("deep(1);")
        assert reply["status"] == "error" and "deep" in error_text(reply)

    def test_exit(self, s):
        s.fails("#include <stdlib.h>\nsentinel = 1; exit(3);", "SystemExit", r"exit status 3")

    def test_double_free(self, s):
        reply, out = s.fails("#include <stdlib.h>\nchar *p = malloc(32); free(p); sentinel = 1; free(p);",
                             "Crash", r"abort \(SIGABRT\)")
        assert "double free" in stream_text(out, "stderr")

    def test_heap_overflow_detected_at_free(self, s):
        reply, out = s.fails("#include <stdlib.h>\n#include <string.h>\n"
                             "char *a = malloc(2000), *b = malloc(2000);\n"
                             "memset(a, 0x41, 2100); sentinel = 1; free(a); free(b);",
                             "Crash", r"abort \(SIGABRT\)")
        assert re.search(r"free\(\)|corrupted", stream_text(out, "stderr"))

    def test_heap_overflow_not_freed(self, s):
        # The cell ends normally with the heap behind its block damaged: the
        # damage is found before the cell may become the session.
        reply, out = s.fails("#include <stdlib.h>\n#include <string.h>\n"
                             "char *a = malloc(100000); memset(a, 0x41, 100000 + 64); sentinel = 1;",
                             "Crash", r"SIGABRT")
        assert re.search(r"malloc\(\)|corrupted", stream_text(out, "stderr"))

    def test_wild_writes_over_parcs_heap(self, s):
        # Zeroes the heap downwards from a block until the write faults:
        # everything parc keeps in the heap is overwritten on the way.
        s.fails("#include <stdlib.h>\nsentinel = 1;\nchar *p = malloc(16);\n"
                "for (long i = 0;; i++) p[-i] = 0;", "SegmentationFault", r"SIGSEGV")

    def test_wild_write_into_cell_code(self, s):
        s.ok("int twice(int x) { return 2 * x; }")
        s.fails("#include <string.h>\nmemset((void *)twice, 0xff, 16); sentinel = twice(3);",
                "Crash", r"SIG(ILL|SEGV)")
        out = s.ok('printf("%d\\n", twice(21));')
        assert stream_text(out) == "42\n"

    def test_wild_write_into_stdio(self, s):
        s.fails("#include <string.h>\nsentinel = 1; memset(stdout, 0x55, 64); printf(\"x\\n\");",
                "SegmentationFault", r"SIGSEGV")

    def test_longjmp_to_stale_buffer(self, s):
        # Undefined behaviour: the jump lands in a frame that is gone; it
        # crashes, or loops until the time limit.
        # Undefined behaviour: the jump lands in a frame that is gone; what
        # follows is anybody's guess, the session stays usable.
        reply, out = s.run("%limit time 3\n#include <setjmp.h>\njmp_buf stale;\n"
                           "int setter(void) { volatile char pad[64]; pad[0] = 1; return setjmp(stale) + pad[0]; }\n"
                           "void smash(void) { volatile char junk[4096]; for (int i = 0; i < 4096; i++) junk[i] = 0x7f; }\n"
                           "int got = setter(); smash(); longjmp(stale, 5);")
        if reply["status"] == "error":
            assert reply["ename"] in ("SegmentationFault", "Crash", "TimeoutError"), error_text(reply)
            assert "the session is as it was before" in error_text(reply)
        s.intact()
        s.ok("%limit time 0")

    def test_longjmp_to_a_buffer_never_set(self, s):
        s.fails("#include <setjmp.h>\njmp_buf never;\nsentinel = 1; longjmp(never, 1);",
                "SegmentationFault", r"SIGSEGV")


# ---------------------------------------------------------------------------
class TestStdio:
    def test_close_stdout_and_stderr(self, s):
        s.ok('#include <unistd.h>\nprintf("before\\n"); fflush(stdout); close(1); close(2);')
        s.intact()
        reply, out = s.run('fprintf(stderr, "err works\\n");')
        assert stream_text(out, "stderr") == "err works\n"

    def test_dup2_over_0_1_2(self, s):
        s.ok('#include <fcntl.h>\n#include <unistd.h>\nint devnull = open("/dev/null", O_RDWR);\n'
             "dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2);")
        s.intact()

    def test_close_parcs_own_pipes(self, s):
        s.fails("#include <unistd.h>\nsentinel = 1; for (int fd = 0; fd < 1024; fd++) close(fd);",
                "Crash", r"closed or replaced the file descriptors parc uses")

    def test_pipes_closed_while_the_cell_runs_on(self, s):
        # The executor waits for such a cell without spinning on the pipe
        # the cell closed.
        engines = [p for p in descendants(s.kernel_pid()) if alive(p)
                   and pathlib.Path(f"/proc/{p}/comm").read_text().strip() == "parc-engine"]
        assert len(engines) == 1, engines
        before = cpu_seconds(engines[0])
        s.fails("#include <unistd.h>\nfor (int fd = 3; fd < 1024; fd++) close(fd);\nusleep(1500000);",
                "Crash", r"closed or replaced the file descriptors parc uses")
        assert cpu_seconds(engines[0]) - before < 0.5

    def test_writing_to_every_small_fd(self, s):
        # parc's own pipes are out of the way: a cell's first open() gives 3,
        # as in a program of its own, and writes to fds 3-9 miss them.
        out = s.ok('#include <fcntl.h>\n#include <unistd.h>\nfor (int fd = 3; fd < 10; fd++) close(fd);\n'
                   'int first = open("/dev/null", O_RDONLY); close(first);\n'
                   'for (int fd = 3; fd < 10; fd++) write(fd, "hello\\n", 6);\nprintf("%d\\n", first);')
        assert stream_text(out) == "3\n"
        s.intact()

    def test_setvbuf_with_a_buffer_on_the_cell_stack(self, s):
        out = s.ok('char buf[256]; setvbuf(stdout, buf, _IOFBF, sizeof buf); printf("full\\n");')
        assert stream_text(out) == "full\n"
        # The buffer died with the cell; stdout must not use it any more.
        out = s.ok('int junk[4096]; for (int i = 0; i < 4096; i++) junk[i] = i;\n'
                   'printf("line one\\n"); fprintf(stderr, "e\\n"); printf("line two\\n");')
        assert stream_text(out) == "line one\nline two\n"
        s.intact()

    def test_unbuffered_stdout(self, s):
        out = s.ok('setvbuf(stdout, NULL, _IONBF, 0); printf("a"); printf("b\\n");')
        assert stream_text(out) == "ab\n"
        s.intact()

    def test_freopen_stdout(self, s, tmp_path):
        f = tmp_path / "out.txt"
        s.ok(f'freopen("{f}", "w", stdout); printf("into the file\\n");')
        assert f.read_text() == "into the file\n"
        s.intact()
        assert f.read_text() == "into the file\n"

    def test_binary_garbage_and_invalid_utf8(self, s):
        out = s.ok('for (int i = 0; i < 256; i++) putchar(i);\n'
                   'printf("\\xff\\xfe|\\xc3\\x28|\\xed\\xa0\\x80|\\xf4\\x90\\x80\\x80|end\\n");')
        text = stream_text(out)
        assert text.endswith("|end\n") and "\ufffd" in text
        assert text.encode("utf-8")  # valid text, whatever came in
        s.intact()


# ---------------------------------------------------------------------------
class TestSignals:
    def test_sigint_ignored_then_interrupt(self, s):
        s.interrupt_after(1.0)
        s.fails("#include <signal.h>\nsignal(SIGINT, SIG_IGN); sentinel = 1; for (;;) ;",
                "KeyboardInterrupt", r"interrupted")

    def test_sigint_handler_kept_then_interrupt(self, s):
        s.ok("#include <signal.h>\nvoid on_int(int sig) { (void)sig; }\nsignal(SIGINT, on_int);")
        s.interrupt_after(1.0)
        s.fails("sentinel = 1; for (;;) ;", "KeyboardInterrupt", r"interrupted")

    def test_all_signals_blocked_then_interrupt(self, s):
        s.interrupt_after(1.0)
        s.fails("#include <signal.h>\nsigset_t all; sigfillset(&all); sigprocmask(SIG_BLOCK, &all, 0);\n"
                "sentinel = 1; for (;;) ;", "KeyboardInterrupt", r"interrupted")

    def test_leaving_its_process_group_then_interrupt(self, s):
        # The cell moves into the executor's process group: it is stopped
        # all the same.
        leave = "#include <unistd.h>\nsetpgid(0, getpgid(getppid())); sentinel = 1; for (;;) ;"
        s.interrupt_after(1.0)
        s.fails(leave, "KeyboardInterrupt", r"interrupted")
        s.fails("%limit time 1\n" + leave, "TimeoutError", r"time limit of 1 s")
        s.ok("%limit time 0")

    def test_signals_blocked_by_a_cell_that_finished(self, s):
        s.ok("sigset_t all; sigfillset(&all); sigprocmask(SIG_BLOCK, &all, 0);")
        s.interrupt_after(1.0)
        s.fails("sentinel = 1; for (;;) ;", "KeyboardInterrupt", r"interrupted")

    def test_sigsegv_handler_that_returns(self, s):
        # The fault repeats for ever; an interrupt still ends it.
        s.interrupt_after(1.0)
        s.fails("void on_segv(int sig) { (void)sig; }\nsignal(SIGSEGV, on_segv);\n"
                "sentinel = 1; *(volatile int *)0 = 1;", "KeyboardInterrupt", r"interrupted")

    def test_sigsegv_handler_recovering_with_siglongjmp(self, s):
        out = s.ok("#include <setjmp.h>\nsigjmp_buf back;\n"
                   "void jump(int sig) { siglongjmp(back, sig); }\n"
                   "signal(SIGSEGV, jump);\n"
                   'if (sigsetjmp(back, 1) == 0) *(volatile int *)0 = 1; else printf("recovered\\n");')
        assert stream_text(out) == "recovered\n"
        s.fails("*(volatile int *)0 = 1;", "SegmentationFault", r"SIGSEGV")

    def test_sigchld_handler_reaping_everything(self, s):
        s.ok("#include <sys/wait.h>\nvoid reap(int sig) { (void)sig; while (waitpid(-1, 0, WNOHANG) > 0) ; }\n"
             "signal(SIGCHLD, reap);")
        s.fails("sentinel = 1; *(volatile int *)0 = 1;", "SegmentationFault", r"SIGSEGV")
        s.ok("signal(SIGCHLD, SIG_IGN);")
        s.fails("sentinel = 1; *(volatile int *)0 = 1;", "SegmentationFault", r"SIGSEGV")

    def test_alarm_left_set(self, s):
        s.ok("#include <unistd.h>\nalarm(1);")
        time.sleep(1.5)
        s.intact()

    def test_posix_timer_left_set(self, s):
        # A timer_create timer signals SIGALRM to the process holding the
        # session, which would end it while idle.
        s.ok("#include <time.h>\n#include <signal.h>\ntimer_t tick; timer_create(CLOCK_MONOTONIC, NULL, &tick);\n"
             "struct itimerspec every = {{0, 200000000}, {0, 200000000}}; timer_settime(tick, 0, &every, NULL);")
        time.sleep(1.0)
        s.intact()

    def test_kill_own_process_group(self, s):
        s.fails("#include <signal.h>\nsentinel = 1; kill(0, SIGKILL);", "Crash", r"killed \(SIGKILL\)")
        s.fails("#include <signal.h>\n#include <unistd.h>\nsentinel = 1; killpg(getpgrp(), SIGTERM);",
                "Crash", r"terminated \(SIGTERM\)")

    def test_kill_parent(self, s):
        reply, out = s.run("#include <signal.h>\n#include <unistd.h>\n"
                           'int r = kill(getppid(), SIGKILL); printf("kill: %d\\n", r);')
        assert reply["status"] == "ok", error_text(reply)
        assert stream_text(out) == "kill: -1\n"
        assert "holds the session" in stream_text(out, "stderr")
        s.intact()

    def test_kill_parent_through_syscall(self, s):
        # The process holding the session before the cell dies; the cell
        # finishes and becomes the session.
        out = s.ok("#include <signal.h>\n#include <unistd.h>\n#include <sys/syscall.h>\n"
                   "syscall(SYS_kill, getppid(), SIGKILL); sentinel = 43;")
        s.intact(43)
        s.ok("sentinel = 42;")


# ---------------------------------------------------------------------------
class TestProcesses:
    def test_fork_bomb(self, s):
        before = s.processes()
        s.ok("%limit procs 16\n%limit time 2")
        s.fails("#include <unistd.h>\nsentinel = 1; for (;;) fork();", "TimeoutError",
                r"time limit of 2 s", r"fork\(\) failed \d+ times?: the cell reached its limit of 16 processes",
                timeout=60)
        assert wait_until(lambda: s.processes() <= before, 10)
        s.ok("%limit time 0\n%limit procs 256")

    def test_forks_up_to_the_limit(self, s):
        s.ok("%limit procs 8")
        before = s.processes()
        out = s.ok("#include <unistd.h>\n#include <errno.h>\n#include <string.h>\n"
                   "int made = 0;\n"
                   "for (int i = 0; i < 20; i++) { pid_t p = fork(); if (p == 0) { sleep(30); _exit(0); }\n"
                   '  if (p < 0) { printf("fork failed: %s\\n", strerror(errno)); break; } made++; }\n'
                   'printf("made %d\\n", made);', timeout=60)
        assert stream_text(out) == "fork failed: Resource temporarily unavailable\nmade 7\n"
        assert "fork() failed 1 time in cell[" in stream_text(out, "stderr")
        assert "limit of 8 processes (%limit procs)" in stream_text(out, "stderr")
        # The sleeping children ended with the cell.
        assert wait_until(lambda: s.processes() <= before, 10)
        s.ok("%limit procs 256")

    def test_background_commands_count_against_the_limit(self, s):
        # A shell's `cmd &` outlives it in the cell's process group: each
        # system(), popen() and ! counts the group first.
        s.ok("%limit procs 8")
        before = s.processes()
        out = s.ok('#include <stdlib.h>\nint started = 0;\n'
                   'for (int i = 0; i < 30; i++) { if (system("sleep 30 &") != 0) break; started++; }\n'
                   'printf("started %d\\n", started);\n'
                   'FILE *p = popen("echo hi", "r");\n'
                   'printf("popen %s\\n", p ? "ran" : "refused");\n'
                   '!echo never', timeout=60)
        assert stream_text(out) == "started 7\npopen refused\n"
        err = stream_text(out, "stderr")
        assert "parc: !echo never not run: the cell reached its limit of 8 processes (%limit procs)" in err
        assert "fork() failed 3 times in cell[" in err
        assert wait_until(lambda: s.processes() <= before, 10)
        s.ok("%limit procs 256")

    def test_child_returning_from_the_cell(self, s):
        out = s.ok('#include <unistd.h>\n#include <sys/wait.h>\npid_t child = fork();\n'
                   'if (child > 0) { waitpid(child, 0, 0); printf("parent\\n"); } else printf("child\\n");')
        assert sorted(stream_text(out).splitlines()) == ["child", "parent"]
        s.intact()

    def test_exec(self, s):
        reply, out = s.fails('#include <unistd.h>\nsentinel = 1; execl("/bin/echo", "echo", "from echo", (char *)0);',
                             "SystemExit", r"replaced its process with /bin/echo")
        assert stream_text(out) == "from echo\n"

    def test_fork_then_exec_in_the_child(self, s):
        out = s.ok('#include <unistd.h>\n#include <sys/wait.h>\n'
                   'pid_t c = fork(); if (c == 0) { execl("/bin/echo", "echo", "child ran echo", (char *)0); _exit(1); }\n'
                   "waitpid(c, 0, 0);")
        assert stream_text(out) == "child ran echo\n"
        s.intact()

    def test_sleeping_child_left_behind(self, s):
        before = s.processes()
        s.ok("#include <unistd.h>\nif (fork() == 0) { sleep(1000); _exit(0); }")
        assert wait_until(lambda: s.processes() <= before, 10)
        s.intact()

    def test_background_commands_left_behind(self, s):
        before = s.processes()
        s.ok('#include <stdlib.h>\nsystem("sleep 1000 &");\n!sleep 1001 &')
        assert wait_until(lambda: s.processes() <= before, 10)
        s.intact()

    def test_chdir_and_environment_persist(self, s, tmp_path):
        s.ok(f'#include <unistd.h>\n#include <stdlib.h>\nchdir("{tmp_path}"); setenv("PARC_FAULTS", "set", 1);')
        out = s.ok('char here[4096]; printf("%s %s\\n", getcwd(here, sizeof here), getenv("PARC_FAULTS"));')
        assert stream_text(out) == f"{tmp_path} set\n"
        # ... unless the cell fails: then they are taken back with it.
        s.fails('chdir("/"); setenv("PARC_FAULTS", "changed", 1); sentinel = 1; abort();', "Crash", "SIGABRT")
        out = s.ok('printf("%s %s\\n", getcwd(here, sizeof here), getenv("PARC_FAULTS"));')
        assert stream_text(out) == f"{tmp_path} set\n"


# ---------------------------------------------------------------------------
class TestResources:
    def test_malloc_100_gb(self, s):
        out = s.ok('#include <stdlib.h>\nchar *huge = malloc(100UL << 30); printf("%s\\n", huge ? "got it" : "NULL");')
        assert stream_text(out) == "NULL\n"
        s.fails("huge = malloc(100UL << 30); sentinel = 1; huge[0] = 1;", "SegmentationFault", "SIGSEGV")

    def test_touching_memory_until_the_limit(self, s):
        s.ok("%limit mem 300M")
        s.fails("#include <string.h>\nsentinel = 1;\n"
                "for (;;) { char *p = malloc(1 << 20); memset(p, 1, 1 << 20); }",
                "SegmentationFault", r"memory limit of 300 MB \(%limit mem\)")
        s.ok("%limit mem 4G")

    def test_sleeping_beyond_the_time_limit(self, s):
        s.ok("%limit time 1")
        t0 = time.monotonic()
        s.fails("#include <unistd.h>\nsentinel = 1; sleep(30);", "TimeoutError", r"time limit of 1 s")
        assert time.monotonic() - t0 < 10
        s.ok("%limit time 0")

    def test_limits_set_by_the_cell_itself(self, s):
        s.fails("%limit time 1\nsentinel = 1; for (;;) ;", "TimeoutError", r"time limit of 1 s")
        out = s.ok("%limit time 0\n%limit mem 100M\nchar *big = malloc(200 << 20); printf(\"%s\\n\", big ? \"got\" : \"NULL\");")
        assert stream_text(out) == "NULL\n"
        s.ok("%limit mem 4G")

    def test_limits_apply_to_every_cell(self, s):
        s.ok("%limit time 1")
        for _ in range(3):
            s.fails("sentinel = 1; for (;;) ;", "TimeoutError", r"time limit of 1 s")
        s.ok("%limit time 0")


# ---------------------------------------------------------------------------
class TestThreads:
    def test_deadlock_then_interrupt(self, s):
        s.interrupt_after(1.0)
        s.fails("#include <pthread.h>\n#include <unistd.h>\n"
                "pthread_mutex_t la = PTHREAD_MUTEX_INITIALIZER, lb = PTHREAD_MUTEX_INITIALIZER;\n"
                "void *one(void *x) { pthread_mutex_lock(&la); usleep(100000); pthread_mutex_lock(&lb); return x; }\n"
                "void *two(void *x) { pthread_mutex_lock(&lb); usleep(100000); pthread_mutex_lock(&la); return x; }\n"
                "pthread_t t1, t2; pthread_create(&t1, 0, one, 0); pthread_create(&t2, 0, two, 0);\n"
                "sentinel = 1; pthread_join(t1, 0); pthread_join(t2, 0);", "KeyboardInterrupt", r"interrupted")

    def test_threads_running_at_cell_end(self, s):
        reply, out = s.run("#include <pthread.h>\nvoid *spin(void *x) { for (;;) ; return x; }\n"
                           "pthread_t spinner; pthread_create(&spinner, 0, spin, 0); sentinel = 43;")
        assert reply["status"] == "ok", error_text(reply)
        assert "1 thread was still running" in stream_text(out, "stderr")
        s.intact(43)
        s.ok("sentinel = 42;")


# ---------------------------------------------------------------------------
class TestInput:
    def test_reading_stdin_forever_without_stdin(self, s):
        s.interrupt_after(1.0)
        reply, out = s.fails("sentinel = 1; long eofs = 0; for (;;) if (getchar() == EOF) eofs++;",
                             "KeyboardInterrupt", r"interrupted", allow_stdin=False)

    def test_reading_stdin_forever_with_stdin(self, s):
        answers = []

        def answer(msg):
            answers.append(msg["content"]["prompt"])
            if len(answers) < 3:
                s.kc.input("line")
            else:
                s.km.interrupt_kernel()

        reply, out = s.run("sentinel = 1; char line[100]; for (;;) fgets(line, sizeof line, stdin);",
                           allow_stdin=True, stdin_hook=answer)
        assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt", error_text(reply)
        # The loop may ask once more before the interrupt reaches it on a
        # busy machine; each extra request is answered with an interrupt.
        assert len(answers) >= 3, answers
        s.intact()


# ---------------------------------------------------------------------------
def rss_kb(pid, field="VmRSS"):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class TestOutput:
    def test_printing_1_gb(self, s):
        """1 GB printed: the first 10 MB (the default limit) are shown, a
        notice says how much was dropped, the kernel's memory stays small."""
        kernel = s.kernel_pid()
        before = rss_kb(kernel)
        first = []
        t0 = time.monotonic()

        def hook(msg):
            if msg["msg_type"] == "stream" and not first:
                first.append(time.monotonic() - t0)

        outputs = []

        def collect(msg):
            hook(msg)
            outputs.append(msg)

        reply = s.kc.execute_interactive(
            "#include <string.h>\nchar line[1024]; memset(line, 'x', 1023); line[1023] = 0;\n"
            "for (long i = 0; i < (1L << 20); i++) puts(line);", timeout=120, output_hook=collect,
            stop_on_error=False)
        assert reply["content"]["status"] == "ok"
        out = stream_text(outputs)
        assert 10 * 2**20 - 4096 <= len(out) <= 10 * 2**20, len(out)
        assert out == ("x" * 1023 + "\n") * (len(out) // 1024)
        err = stream_text(outputs, "stderr")
        assert "reached the limit of 10.0 MB (%limit output)" in err, err
        assert re.search(r"10[01]\d\.\d MB of output was not shown \(limit 10\.0 MB per cell\): "
                         r"%limit output SIZE raises the limit", err), err
        assert first and first[0] < 5, first
        # The kernel never held more than a few bursts of it.
        grew = rss_kb(kernel, "VmHWM") - before
        print(f"1 GB printed in {time.monotonic() - t0:.1f} s; the kernel's peak memory grew by {grew} kB")
        assert grew < 100 * 1024, (before, rss_kb(kernel, "VmHWM"))
        s.intact()

    def test_kernel_answers_during_a_flood(self, s):
        """While a cell floods its output without end, the kernel answers on
        its control channel and heartbeat, and an interrupt stops the cell."""
        msg_id = s.kc.execute('sentinel = 1; for (;;) printf("flood flood flood flood\\n");',
                              stop_on_error=False)
        time.sleep(1.0)
        t0 = time.monotonic()
        req = s.kc.session.msg("kernel_info_request")
        s.kc.control_channel.send(req)
        reply = s.kc.control_channel.get_msg(timeout=10)
        assert reply["parent_header"]["msg_id"] == req["header"]["msg_id"]
        assert time.monotonic() - t0 < 2, time.monotonic() - t0
        assert s.kc.hb_channel.is_beating()
        s.km.interrupt_kernel()
        while True:
            reply = s.kc.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        assert reply["content"]["ename"] == "KeyboardInterrupt", reply["content"]
        # What the flood left on iopub is drained, then the session is intact.
        while True:
            try:
                s.kc.get_iopub_msg(timeout=1)
            except Exception:
                break
        s.intact()

    def test_output_limit_setting(self, s):
        s.ok("%limit output 2K")
        reply, out = s.run('for (int i = 0; i < 1000; i++) printf("%04d\\n", i);')
        assert stream_text(out) == "".join(f"{i:04d}\n" for i in range(2048 // 5))
        assert "limit of 2.0 KB" in stream_text(out, "stderr")
        s.ok("%limit output 0")
        reply, out = s.run('for (int i = 0; i < 1000; i++) printf("%04d\\n", i);')
        assert len(stream_text(out)) == 5000 and stream_text(out, "stderr") == ""
        out = s.ok("%limit output 10M\n%limit")
        assert "output  10 MB per cell" in stream_text(out)

    def test_interrupting_a_flood(self, s):
        s.interrupt_after(1.5)
        s.fails('sentinel = 1; for (;;) printf("flood\\n");', "KeyboardInterrupt", "interrupted")


def test_limits_from_the_environment():
    """PARC_LIMITS sets a new session's limits; a part it cannot read is
    named before the first cell's output, the rest still applies."""
    env = dict(os.environ, PARC_LIMITS="time=1,procs=4,output=1K,bogus=1")
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT, env=env)
    try:
        reply, out = run_cell(kc, "%limit")
        assert reply["status"] == "ok"
        assert stream_text(out) == "time    1 s\nmem     4 GB\nprocs   4\noutput  1 KB per cell\n"
        assert "PARC_LIMITS: cannot read 'bogus=1'" in stream_text(out, "stderr")
        reply, _ = run_cell(kc, "for (;;) ;", stop_on_error=False)
        assert reply["ename"] == "TimeoutError" and "time limit of 1 s" in reply["evalue"], reply
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
