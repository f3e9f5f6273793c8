"""A cell process outlives its executor only while the front end lives: if
the executor is killed from outside, the running cell goes on (it could
still commit and become the session); if the front end then dies too, the
cell ends instead of spinning on as an orphan."""
import os
import signal
import time

from jupyter_client.manager import start_new_kernel

from kernelharness import TIMEOUT, alive, descendants, run_cell, stream_text, wait_until


def parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def test_spinning_cell_ends_when_executor_and_front_end_die():
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT)
    try:
        kc.execute('#include <unistd.h>\nprintf("%d\\n", (int)getpid()); fflush(stdout); for (;;) ;')
        cell = None
        while cell is None:
            m = kc.get_iopub_msg(timeout=TIMEOUT)
            if m["msg_type"] == "stream":
                cell = int(m["content"]["text"].split()[0])
        executor = parent_of(cell)
        kernel = km.provisioner.process.pid
        assert executor != kernel and alive(executor)

        os.kill(executor, signal.SIGKILL)
        assert wait_until(lambda: not alive(executor), 5)
        time.sleep(0.3)
        assert alive(cell)                   # the cell goes on without its executor
        assert parent_of(cell) == kernel     # adopted by the front end

        os.kill(kernel, signal.SIGKILL)
        assert wait_until(lambda: not alive(cell), 5), "the orphaned cell is still running"
    finally:
        kc.stop_channels()
        km.cleanup_resources() if hasattr(km, "cleanup_resources") else None


# ---------------------------------------------------------------------------
# Every process of a session ends with its front end: killing the kernel
# (SIGKILL, no chance to clean up) leaves none behind, whichever processes
# the session had at that moment.

def start_cell(kc, code):
    """Sends a cell that prints its pid, then runs on; returns the pid."""
    kc.execute(code, stop_on_error=False)
    while True:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["msg_type"] == "stream" and m["content"]["name"] == "stdout":
            return int(m["content"]["text"].split()[0])


def assert_all_end_with_the_kernel(km, *expected):
    """SIGKILLs the kernel; every process below it must be gone within
    2.5 s. expected are pids that must be among them."""
    kernel = km.provisioner.process.pid
    session = [p for p in descendants(kernel) if alive(p)]
    for p in expected:
        assert p in session, (p, session)
    os.kill(kernel, signal.SIGKILL)
    left = lambda: [p for p in session if alive(p)]  # noqa: E731
    assert wait_until(lambda: not left(), 2.5), f"still running 2.5 s after the front end died: {left()}"


SPIN = '#include <unistd.h>\nprintf("%d\\n", (int)getpid()); fflush(stdout);\n'
BLOCK_ALL = "sigset_t all; sigfillset(&all); sigprocmask(SIG_BLOCK, &all, 0);\n"
POCL = "%lib OpenCL\n#include <CL/cl.h>\n#include <signal.h>\ncl_uint n = 0; clGetPlatformIDs(0, NULL, &n);"


def kernel():
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT)
    return km, kc


def close(km, kc):
    kc.stop_channels()
    km.cleanup_resources() if hasattr(km, "cleanup_resources") else None


def watcher_of(executor, kernel_pid):
    """The watcher of an in-place cell: the other process of the session
    whose parent is the front end."""
    others = [p for p in descendants(kernel_pid) if alive(p) and p != executor and parent_of(p) == kernel_pid]
    assert len(others) == 1, others
    return others[0]


def test_in_place_session_ends_with_the_front_end():
    """A GPU session (PoCL) running a cell in place: the executor and the
    watcher holding the session end when the front end is killed."""
    for block in ("", BLOCK_ALL):
        km, kc = kernel()
        try:
            reply, _ = run_cell(kc, POCL, timeout=120)
            assert reply["status"] == "ok", reply
            executor = start_cell(kc, block + SPIN + "for (;;) ;")
            watcher = watcher_of(executor, km.provisioner.process.pid)
            assert_all_end_with_the_kernel(km, executor, watcher)
        finally:
            close(km, kc)


def test_successor_of_a_cell_leaving_threads_ends_with_the_front_end():
    """A cell that leaves a thread running hands the session to a fork of
    its process (the successor), which then runs cells like any executor:
    idle or running a cell, it ends when the front end is killed."""
    for running in (False, True):
        km, kc = kernel()
        try:
            kernel_pid = km.provisioner.process.pid
            first = [p for p in descendants(kernel_pid) if alive(p)]
            reply, out = run_cell(kc, "#include <pthread.h>\n#include <signal.h>\n"
                                      "void *spin(void *x) { for (;;) ; return x; }\n"
                                      "pthread_t spinner; pthread_create(&spinner, 0, spin, 0);")
            assert reply["status"] == "ok" and "1 thread was still running" in stream_text(out, "stderr"), reply
            # A cell that fails names the executor (its parent) and leaves
            # it as it was.
            reply, out = run_cell(kc, '#include <stdlib.h>\nprintf("%d\\n", (int)getppid()); fflush(stdout); abort();',
                                  stop_on_error=False)
            successor = int(stream_text(out).split()[0])
            assert successor not in first and alive(successor)
            pids = []
            if running:
                pids.append(start_cell(kc, BLOCK_ALL + SPIN + "for (;;) ;"))
                assert parent_of(pids[0]) == successor
            assert_all_end_with_the_kernel(km, successor, *pids)
        finally:
            close(km, kc)
