"""A cell process outlives its executor only while the front end lives: if
the executor is killed from outside, the running cell goes on (it could
still commit and become the session); if the front end then dies too, the
cell ends instead of spinning on as an orphan."""
import os
import signal
import time

from jupyter_client.manager import start_new_kernel

from kernelharness import TIMEOUT, alive, wait_until


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
