"""%%mpi cells through the Jupyter protocol: ranks' lines labelled on the
right streams, the timeline (a lane per rank, an arrow per message) shown
after the cell and growing live while the job runs, a failed rank as the
cell's error with its lane kept up to the crash, and an interrupt that
ends the whole job with no process of it left."""
import re
import shutil
import threading
import time

import pytest

from kernelharness import alive, descendants, run_cell, stream_text, wait_until

pytestmark = pytest.mark.skipif(shutil.which("mpirun") is None,
                                reason="Open MPI is not installed (openmpi-bin libopenmpi-dev)")

RING = r"""%%mpi -n 3
int v = rank, got;
MPI_Sendrecv(&v, 1, MPI_INT, (rank + 1) % size, 0, &got, 1, MPI_INT, (rank + size - 1) % size, 0,
             MPI_COMM_WORLD, MPI_STATUS_IGNORE);
MPI_Barrier(MPI_COMM_WORLD);
usleep(200000 * rank);
printf("rank %d got %d\n", rank, got);
fprintf(stderr, "rank %d done\n", rank);
"""


def test_labelled_streams_and_timeline(kernel):
    _, kc = kernel
    run_cell(kc, "#include <unistd.h>\n")
    reply, outputs = run_cell(kc, RING)
    assert reply["status"] == "ok"
    assert stream_text(outputs) == "[0] rank 0 got 2\n[1] rank 1 got 0\n[2] rank 2 got 1\n"
    assert sorted(stream_text(outputs, "stderr").splitlines()) == [f"[{r}] rank {r} done" for r in range(3)]
    shown = [m["content"] for m in outputs if m["msg_type"] == "display_data"]
    assert len(shown) == 1  # shown once; while the job runs it is updated in place
    svg = [m["content"] for m in outputs if m["msg_type"] in ("display_data", "update_display_data")][-1]["data"][
        "image/svg+xml"]
    assert "(running)" not in svg
    for r in range(3):
        assert f">rank {r} (pid " in svg
    assert svg.count("marker-end=") == 3
    assert "MPI_Sendrecv" in svg


LIVE = r"""%%mpi -n 2
int v = rank, got;
MPI_Sendrecv(&v, 1, MPI_INT, 1 - rank, 0, &got, 1, MPI_INT, 1 - rank, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
if (rank == 0)
    usleep(1500000); /* computing, while rank 1 waits in the barrier */
MPI_Barrier(MPI_COMM_WORLD);
if (rank == 0)
    printf("done\n");
"""


def test_timeline_grows_while_the_job_runs(kernel):
    _, kc = kernel
    run_cell(kc, "#include <unistd.h>\n")
    reply, outputs = run_cell(kc, LIVE, timeout=60)
    assert reply["status"] == "ok"
    done = next(i for i, m in enumerate(outputs)
                if m["msg_type"] == "stream" and "[0] done" in m["content"]["text"])
    pictures = [m["content"]["data"]["image/svg+xml"] for m in outputs
                if m["msg_type"] in ("display_data", "update_display_data")]
    # Before the ranks' last line: a running picture with both ranks'
    # lanes, the exchange they made before, its two messages, and the
    # barrier rank 1 is still waiting in.
    live = [m["content"]["data"]["image/svg+xml"] for m in outputs[:done]
            if m["msg_type"] in ("display_data", "update_display_data")
            and "(running)" in m["content"]["data"]["image/svg+xml"]]
    assert any(">rank 0 (pid " in svg and ">rank 1 (pid " in svg and "MPI_Sendrecv" in svg
               and svg.count("marker-end=") == 2 and "MPI_Barrier (waiting)&#10;rank 1 (pid " in svg
               for svg in live), live[-1:] or "no live picture"
    final = pictures[-1]
    assert "(running)" not in final
    assert "MPI_Barrier" in final and final.count("marker-end=") == 2
    assert "crashed" not in final and "killed" not in final


CRASH = r"""%%mpi -n 2
int v = rank;
if (rank == 0)
    usleep(300000);
MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD); /* rank 1 waits 0.3 s */
usleep(200000);
if (rank == 1) {
    int *p = NULL;
    *p = 1;
}
MPI_Barrier(MPI_COMM_WORLD);
"""


def test_crashed_rank_keeps_its_lane(kernel):
    _, kc = kernel
    run_cell(kc, "%timeline on\n#include <unistd.h>\nint kept = 5;\n")
    reply, outputs = run_cell(kc, CRASH, timeout=60)
    assert reply["status"] == "error"
    assert "rank 1 crashed: Segmentation fault" in reply["evalue"]
    kinds = [m["msg_type"] for m in outputs]
    pictures = [m["content"]["data"] for m in outputs if m["msg_type"] in ("display_data", "update_display_data")]
    assert pictures, kinds
    # The final picture comes before the error.
    assert max(i for i, k in enumerate(kinds) if k in ("display_data", "update_display_data")) < kinds.index("error")
    svg, text = pictures[-1]["image/svg+xml"], pictures[-1]["text/plain"]
    assert "(running)" not in svg
    # The crashed rank's calls before its crash are on its lane, which says
    # it crashed; rank 0, stopped by mpirun inside its barrier, was killed.
    assert "MPI_Bcast (waiting)&#10;rank 1 (crashed, pid " in svg
    assert "<title>crashed: Segmentation fault (signal 11)&#10;rank 1 (crashed, pid " in svg  # where it died
    assert "MPI_Barrier (waiting)&#10;rank 1 (" not in svg
    assert "MPI_Barrier (waiting)&#10;rank 0 (killed, pid " in svg
    assert "rank 1 (crashed, pid" in text
    reply, outputs = run_cell(kc, "kept + 1")
    assert reply["status"] == "ok"
    assert [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"] == ["(int) 6"]


FORGED = r"""%%mpi -n 2
/* Lines that look like parc's records: a rank the job does not have, times
 * no clock gives, and more records than a rank makes. */
if (rank == 1) {
    printf("[1,1000]<stdout>:\036parc-mpi L 1 nowhere 9223372036854775807 -9223372036854775807\n");
    printf("\036parc-mpi E 0 -9223372036854775807 9223372036854775807 1 2\n");
    printf("\036parc-mpi W 1 -9223372036854775807\n");
    printf("\036parc-mpi D 9223372036854775807\n");
    for (int i = 0; i < 260000; i++)
        printf("\036parc-mpi S 0 %d 8 %d\n", i, i);
    fflush(stdout);
}
MPI_Barrier(MPI_COMM_WORLD);
if (rank == 0)
    printf("done\n");
"""


def test_forged_records_cost_little(kernel):
    _, kc = kernel
    reply, outputs = run_cell(kc, FORGED, timeout=60)
    assert reply["status"] == "ok"
    assert stream_text(outputs) == "[0] done\n"
    # Rank 1's records past 250000 (its own MPI_Barrier too) are left out.
    assert re.search(r"the timeline lacks 100\d\d MPI calls", stream_text(outputs, "stderr"))
    svg = [m["content"] for m in outputs if m["msg_type"] in ("display_data", "update_display_data")][-1]["data"][
        "image/svg+xml"]
    assert ">rank 0 (pid " in svg and ">rank 1 (pid " in svg
    assert ">rank 2" not in svg and "rank 1000" not in svg
    reply, _ = run_cell(kc, "1 + 1")
    assert reply["status"] == "ok"


def test_ranks_mpirun_arguments_ask_for(kernel):
    # A later -n among mpirun's own arguments wins: every rank has a lane.
    _, kc = kernel
    reply, outputs = run_cell(kc, "%%mpi -n 1 -- -n 2\nMPI_Barrier(MPI_COMM_WORLD);\n"
                                  "if (rank == 1)\n    printf(\"size %d\\n\", size);\n", timeout=60)
    assert reply["status"] == "ok"
    assert stream_text(outputs) == "[1] size 2\n"
    svg = [m["content"] for m in outputs if m["msg_type"] in ("display_data", "update_display_data")][-1]["data"][
        "image/svg+xml"]
    assert ">rank 0 (pid " in svg and ">rank 1 (pid " in svg


def test_long_line_of_brackets(kernel):
    # Each '[' could start the tag of another rank's piece of output: a
    # long line of them is read in time proportional to its length.
    _, kc = kernel
    reply, outputs = run_cell(kc, "%%mpi -n 1\nfor (int i = 0; i < 3000000; i++)\n    putchar('[');\n"
                                  "printf(\"]\\n\");\n", timeout=30)
    assert reply["status"] == "ok"
    assert stream_text(outputs) == "[0] " + "[" * 3000000 + "]\n"


def test_failed_rank_is_the_cells_error(kernel):
    _, kc = kernel
    reply, outputs = run_cell(kc, "%%mpi -n 2\nif (rank == 1) MPI_Abort(MPI_COMM_WORLD, 7);\n"
                                  "MPI_Barrier(MPI_COMM_WORLD);\n")
    assert reply["status"] == "error"
    assert reply["ename"] == "MPIError"
    assert "rank 1 called MPI_Abort with error code 7" in reply["evalue"]
    errors = [m["content"] for m in outputs if m["msg_type"] == "error"]
    assert len(errors) == 1 and errors[0]["ename"] == "MPIError"
    reply, _ = run_cell(kc, "1 + 1")
    assert reply["status"] == "ok"


def test_interrupt_ends_the_job(kernel):
    km, kc = kernel
    kernel_pid = km.provisioner.process.pid
    outputs = []
    interrupted_at = []

    def interrupt_when_spinning():
        # Once both ranks run their endless loop.
        wait_until(lambda: stream_text(list(outputs)).count("spinning") >= 2, timeout=30)
        time.sleep(0.2)
        interrupted_at.append(time.monotonic())
        km.interrupt_kernel()

    watcher = threading.Thread(target=interrupt_when_spinning)
    watcher.start()
    reply = kc.execute_interactive("%%mpi -n 2\nprintf(\"spinning\\n\");\nfor (;;) ;\n", timeout=60,
                                   output_hook=outputs.append)["content"]
    ended = time.monotonic()
    watcher.join()
    assert reply["status"] == "error"
    assert ended - interrupted_at[0] < 5
    assert "[0] spinning" in stream_text(outputs) and "[1] spinning" in stream_text(outputs)

    def job_gone():
        for pid in descendants(kernel_pid):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            if b"parc-mpi-" in cmd and alive(pid):
                return False
        return True

    assert wait_until(job_gone, timeout=5)
    reply, _ = run_cell(kc, "2 + 2")
    assert reply["status"] == "ok"
