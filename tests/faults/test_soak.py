"""Soak test: many cells in one kernel session, with output, results,
displays, display updates, failures and thread-using cells. The kernel's and
the executor's open file descriptors must not grow, nor their memory beyond
what the cells keep.

PARC_SOAK_CELLS sets the number of cells: 1000 by default (well under a
minute); the long run is PARC_SOAK_CELLS=10000 (about two minutes: 10,000
cells took 104 s on a 2-core machine, the kernel grew by 1.9 MB and the
executor by 3.9 MB, the code of the cells it keeps as history).
"""
import os
import pathlib
import time

from jupyter_client.manager import start_new_kernel

from kernelharness import TIMEOUT, alive, descendants, run_cell, stream_text

CELLS = int(os.environ.get("PARC_SOAK_CELLS", "1000"))

# One round of cells; {i} is the cell's number. They change the session's
# variables but define nothing new, so the session should not grow.
ROUND = [
    ('printf("line %d\\n", {i}); counter++;', "ok"),
    ("counter * 2", "ok"),
    ('parc_display_html("<b>cell {i}</b>");', "ok"),
    ('parc_display_id("soak", "text/plain", "a", 1); parc_update_display("soak", "text/plain", "b", 1);', "ok"),
    ("*(volatile int *)0 = {i};", "error"),
    ("for (int k = 0; k < 2; k++) pthread_create(&workers[k], 0, work, 0);\n"
     "for (int k = 0; k < 2; k++) pthread_join(workers[k], 0);", "ok"),
    ('fprintf(stderr, "err %d\\n", {i}); strcpy(text, "cell {i}");', "ok"),
    ("syntax error here {i}", "error"),
]

SETUP = """#include <pthread.h>
#include <string.h>
long counter = 0;
char text[64];
pthread_t workers[2];
void *work(void *arg) { volatile long s = 0; for (int k = 0; k < 1000; k++) s += k; return arg; }
"""


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kb(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def executor(kernel_pid):
    """The parc-engine process holding the session between cells."""
    engines = [p for p in descendants(kernel_pid) if alive(p)
               and pathlib.Path(f"/proc/{p}/comm").read_text().strip() == "parc-engine"]
    assert len(engines) == 1, engines
    return engines[0]


def measure(kernel_pid):
    ex = executor(kernel_pid)
    return {"kernel_fds": fds(kernel_pid), "kernel_kb": rss_kb(kernel_pid),
            "exec_fds": fds(ex), "exec_kb": rss_kb(ex)}


def test_soak():
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT)
    try:
        kernel_pid = km.provisioner.process.pid
        reply, _ = run_cell(kc, SETUP)
        assert reply["status"] == "ok", reply
        warm = None
        t0 = time.monotonic()
        for i in range(CELLS):
            code, want = ROUND[i % len(ROUND)]
            reply, out = run_cell(kc, code.replace("{i}", str(i)), stop_on_error=False)
            assert reply["status"] == want, (i, code, reply)
            if i % len(ROUND) == 0:
                assert stream_text(out) == f"line {i}\n", (i, stream_text(out))
            if i == 4 * len(ROUND) - 1:
                warm = measure(kernel_pid)
        elapsed = time.monotonic() - t0
        end = measure(kernel_pid)
        reply, out = run_cell(kc, 'printf("%ld %s\\n", counter, text);')
        rounds = (CELLS + len(ROUND) - 1) // len(ROUND)
        assert stream_text(out).startswith(f"{rounds} cell "), stream_text(out)
        print(f"{CELLS} cells in {elapsed:.1f} s; after warm-up {warm}, at the end {end}")
        assert end["kernel_fds"] == warm["kernel_fds"], (warm, end)
        assert end["exec_fds"] == warm["exec_fds"], (warm, end)
        # Memory: a little per cell is history (the kernel keeps its input
        # history, the executor the code of the cells that ran).
        allowance_kb = 8 * 1024 + CELLS * 4
        assert end["kernel_kb"] - warm["kernel_kb"] < allowance_kb, (warm, end)
        assert end["exec_kb"] - warm["exec_kb"] < allowance_kb, (warm, end)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
