"""The teaching notebooks: each one runs top to bottom with the built kernel,
without errors and within the time a class can wait for; each shows the
observable its lesson is about; and the committed copies carry the outputs
of a complete run."""
import os
import pathlib
import re

import nbformat
import pytest

import nbrun

NOTEBOOKS = sorted(p.name for p in nbrun.NOTEBOOKS.glob("*.ipynb"))
LESSONS = {
    "01_processes_and_pools.ipynb", "02_futures.ipynb", "03_monte_carlo_pi.ipynb",
    "04_races_locks_atomics.ipynb", "05_threads_vs_processes.ipynb", "06_openmp_loops.ipynb",
    "07_static_vs_dynamic.ipynb", "08_scaling_amdahl.ipynb", "09_matvec_scaling.ipynb",
    "10_parzen_benchmark.ipynb", "11_cuda.ipynb", "12_opencl.ipynb", "13_mpi.ipynb", "14_task_graphs.ipynb",
}


def cuda_toolkit():
    """Where NVRTC is, as parc looks for it ($CUDA_HOME, else /usr/local/cuda), or None."""
    home = pathlib.Path(os.environ.get("CUDA_HOME") or "/usr/local/cuda")
    return home if list((home / "lib64").glob("libnvrtc.so*")) else None


def skip_without_what_it_needs(name):
    # setup.sh installs what every other notebook needs; the CUDA toolkit is not a Debian package
    if name == "11_cuda.ipynb" and not cuda_toolkit():
        pytest.skip("the CUDA notebook compiles its kernels with NVRTC: no CUDA toolkit on this machine")


def stdout(nb):
    """Everything the notebook's cells printed on stdout, in order."""
    return "".join(o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs
                   if o.output_type == "stream" and o.name == "stdout")


def cell_stdout(cell):
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def cell_with(nb, text):
    """The first code cell whose source contains text."""
    for c in nb.cells:
        if c.cell_type == "code" and text in c.source:
            return c
    raise AssertionError(f"no cell contains {text!r}")


def timeline(cell):
    """The text/plain of the cell's timeline display, or None."""
    for o in cell.outputs:
        if o.output_type == "display_data" and "timeline of cell" in o.data.get("text/plain", ""):
            return o
    return None


def summary(cell, name):
    """A number from the timeline's summary line, e.g. summary(c, "imbalance")."""
    text = timeline(cell).data["text/plain"]
    return float(re.search(name + r" (\d+(\.\d+)?)", text).group(1))


def svgs(cell):
    return [o.data["image/svg+xml"] for o in cell.outputs if o.output_type == "display_data"
            and "image/svg+xml" in o.data]


def test_every_lesson_is_there():
    assert LESSONS <= set(NOTEBOOKS)
    index = (nbrun.NOTEBOOKS / "README.md").read_text()
    readme = (nbrun.ROOT / "README.md").read_text()
    for name in NOTEBOOKS:
        assert f"({name})" in index, f"notebooks/README.md does not link {name}"
        assert f"(notebooks/{name})" in readme, f"README.md does not link {name}"
    assert "](notebooks/timeline-task-graph.svg)" in readme
    assert (nbrun.NOTEBOOKS / "timeline-task-graph.svg").read_text().startswith("<svg")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_runs_without_errors_in_under_a_minute(executed, name):
    skip_without_what_it_needs(name)
    nb, secs = executed(name)
    assert nbrun.error_outputs(nb) == []
    errs = [o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "stream" and o.name == "stderr" and "error" in o.text]
    assert errs == []
    assert secs < 60


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_copy_has_the_outputs_of_a_complete_run(executed, name):
    committed = nbformat.read(nbrun.NOTEBOOKS / name, as_version=4)
    nbformat.validate(committed)
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), "not run top to bottom"
    assert nbrun.error_outputs(committed) == []
    skip_without_what_it_needs(name)
    fresh, _ = executed(name)
    def kinds(cell):  # what a cell shows, less timelines (shown or not as the run went)
        return {(o.output_type, o.get("name", "")) for o in cell.outputs
                if not (o.output_type == "display_data" and "timeline of cell" in o.data.get("text/plain", ""))}

    gpu = lambda nb: "a CUDA GPU is here" in stdout(nb)
    same_machine_kind = gpu(committed) == gpu(fresh)  # the CUDA notebook is committed from a GPU run
    for old, new in zip(code, [c for c in fresh.cells if c.cell_type == "code"]):
        assert old.source == new.source
        if same_machine_kind:  # else a GPU and a CPU run show different things by design
            assert kinds(old) == kinds(new), f"outputs of this cell are not current:\n{old.source[:200]}"
    for c in code:
        for o in c.outputs:
            if o.output_type == "display_data" and "timeline of cell" in o.data.get("text/plain", ""):
                assert o.data["image/svg+xml"].startswith("<svg"), "a timeline without its picture"
    if any(svgs(c) for c in fresh.cells if c.cell_type == "code"):
        assert any(svgs(c) for c in code), "the pictures are missing"


def test_01_pool_results_in_input_order_from_two_processes(executed):
    nb, _ = executed("01_processes_and_pools.ipynb")
    rows = re.findall(r"cube\(\s*(\d+)\) =\s*(\d+)\s+worker (\d) \(pid (\d+)\)",
                      cell_stdout(cell_with(nb, "parc_procs(2)")))
    assert [(int(x), int(v)) for x, v, _, _ in rows] == [(x, x ** 3) for x in range(1, 11)]
    assert len({pid for *_, pid in rows}) == 2
    text = stdout(nb)
    given = re.search(r"input order: +([\d ]+)\n", text).group(1).split()
    done = re.search(r"completion order: +([\d ]+)\n", text).group(1).split()
    assert sorted(done, key=int) == given and done != given
    assert "ended with status 10" in text and "ended with status 11" in text
    assert "every item ran in this process" in text and text.count(": yes") == 1
    assert timeline(cell_with(nb, "kids[k] = fork()")) is not None


def test_02_results_arrive_in_completion_order(executed):
    nb, _ = executed("02_futures.ipynb")
    text = stdout(nb)
    assert "done = 0" in text and "done = 1" in text and "result: 1000" in text
    jobs = [int(j) for j in re.findall(r"job (\d) \(", text)]
    assert sorted(jobs) == list(range(6)) and jobs != sorted(jobs)
    assert jobs.index(0) > jobs.index(1)  # the 300 ms job after the 50 ms one
    wall = int(re.search(r"wall time with 2 workers (\d+) ms", text).group(1))
    assert 300 <= wall < 750
    assert "first finished: the 10 ms job" in text and "results: 300 and 100" in text


def test_03_one_task_per_dart_is_slower_than_chunks(executed):
    nb, _ = executed("03_monte_carlo_pi.ipynb")
    text = stdout(nb)
    pis = set(re.findall(r"pi ~ (\d\.\d+)", text))
    assert len(pis) == 1 and abs(float(pis.pop()) - 3.14159) < 0.01  # the same darts each time
    serial = float(re.search(r"serial: .* in ([\d.]+) ms", text).group(1))
    fine = float(re.search(r"one task per dart: .* in ([\d.]+) ms", text).group(1))
    chunked = float(re.search(r"two chunks: .* in ([\d.]+) ms", text).group(1))
    assert fine > serial and fine > 2 * chunked
    sweep = [float(t) for t in re.findall(r"darts per task: +([\d.]+) ms", text)]
    assert len(sweep) == 7 and sweep[0] > sweep[-1]
    assert summary(cell_with(nb, "run_chunked(pool, 1, &pi)"), "speedup") < 1.5


def test_04_racy_counter_loses_updates_lock_and_atomic_do_not(executed):
    nb, _ = executed("04_races_locks_atomics.ipynb")
    text = stdout(nb)
    racy = [int(n) for n in re.findall(r"run \d+: counter = +(\d+) of 2000000", text)]
    assert len(racy) >= 5 and min(racy) < 2000000
    assert "with a lock: counter = 2000000 of 2000000" in text
    assert "with an atomic add: counter = 2000000 of 2000000" in text
    assert float(re.search(r"the lock took ([\d.]+) times", text).group(1)) > 1
    assert "each added 1000000: counter = 0" in text
    assert "shared memory, atomic add: 2000000 of 2000000" in text
    lock_svg = svgs(cell_with(nb, "add_some_locked"))[0]
    assert "holding lock" in lock_svg  # (waits show only when one had to block)


def test_05_a_process_costs_more_to_start_than_a_thread(executed):
    nb, _ = executed("05_threads_vs_processes.ipynb")
    text = stdout(nb)
    ratio = float(re.search(r"process: [\d.]+ us, ratio ([\d.]+)", text).group(1))
    assert ratio > 1.5
    assert text.count("per loop (mean ± std. dev. of 5 runs, 200 loops each)") == 2
    assert "child:  value = 42" in text and "parent: value = 1" in text
    assert "sum of squares 1..100 = 338350 (expected 338350)" in text
    items = sorted(int(i) for i in re.findall(r"item +(\d+) from worker", text))
    assert items == list(range(12)) and "12 messages" in text


def test_06_openmp_loop_order_and_chunks(executed):
    nb, _ = executed("06_openmp_loops.ipynb")
    text = stdout(nb)
    assert re.search(r"parallel: [\d.]+ ms, speedup [\d.]+ over serial; y\[N-1\] = 4e\+12", text)
    outside = float(re.search(r"time steps outside: ([\d.]+) ms", text).group(1))
    inside = float(re.search(r"particles outside: +([\d.]+) ms", text).group(1))
    assert inside < outside
    assert "same final positions: yes" in text
    chunks = timeline(cell_with(nb, "schedule(dynamic, N / 16)"))
    assert "OpenMP thread 1" in chunks.data["text/plain"]
    assert chunks.data["image/svg+xml"].count("iterations [") == 16  # a box per chunk


def test_07_dynamic_schedule_balances_uneven_tasks(executed):
    nb, _ = executed("07_static_vs_dynamic.ipynb")
    static = cell_with(nb, "PARC_STATIC, 0);\nprintf")
    dynamic = cell_with(nb, "PARC_DYNAMIC, 1);\nprintf")
    assert summary(dynamic, "imbalance") < summary(static, "imbalance")
    text = stdout(nb)
    s = float(re.search(r"static: (\d+) ms", text).group(1))
    d = float(re.search(r"dynamic: (\d+) ms", text).group(1))
    assert d < s
    assert len(re.findall(r"^(static|static, chunk 1|dynamic|guided) +\d+ ms$", text, re.M)) == 4


def test_08_amdahl_fit_gives_a_serial_fraction(executed):
    nb, _ = executed("08_scaling_amdahl.ipynb")
    cell = cell_with(nb, "%%scaling")
    text = cell_stdout(cell)
    assert len(re.findall(r"^ +[1-4] +[\d.]+ (s|ms)", text, re.M)) == 4
    serial = float(re.search(r"serial fraction ([\d.]+)", text).group(1))
    assert 0 <= serial <= 1
    assert "Amdahl fit" in svgs(cell)[0]
    assert re.search(r"pi ~ 3\.14159", stdout(nb))


def test_09_openmp_loses_small_and_gains_large(executed):
    nb, _ = executed("09_matvec_scaling.ipynb")
    text = stdout(nb)
    assert ": equal" in text
    rows = re.findall(r"N = +(\d+): serial +([\d.]+) us, OpenMP +([\d.]+) us, speedup ([\d.]+)", text)
    assert [int(r[0]) for r in rows] == [16 << k for k in range(8)]
    speedup = [float(r[3]) for r in rows]
    assert speedup[0] < 1  # a parallel region costs more than 256 multiply-adds
    assert max(speedup[4:]) > 2 * speedup[0]
    serial = [float(r[1]) for r in rows]
    assert serial[-1] > 100 * serial[1]  # N² work
    assert len(svgs(cell_with(nb, "parc_plot_loglog"))) == 2


def test_10_parzen_pool_matches_serial_and_is_faster(executed):
    nb, _ = executed("10_parzen_benchmark.ipynb")
    text = stdout(nb)
    assert "results identical to serial: yes" in text
    rows = re.findall(r"^(serial|\d workers) +([\d.]+) s +speedup ([\d.]+)$", text, re.M)
    assert [r[0] for r in rows] == ["serial", "2 workers", "3 workers", "4 workers", "6 workers"]
    assert all(float(r[2]) > 0 for r in rows)
    # the two processes worked at the same time (busy sum / wall, robust to a busy machine)
    assert summary(cell_with(nb, "with_pool(2)"), "speedup") > 1.5
    estimates = [float(p) for p in re.findall(r"p\(0\) ~ ([\d.]+)", text)]
    assert all(abs(p - 0.159) < 0.05 for p in estimates[:3])
    bars = svgs(cell_with(nb, "parc_plot_bar"))
    assert len(bars) == 1 and "6 workers" in bars[0]


def test_11_cuda_runs_or_says_it_skipped(executed):
    skip_without_what_it_needs("11_cuda.ipynb")
    nb, _ = executed("11_cuda.ipynb")
    text = stdout(nb)
    assert re.search(r"CPU: [\d.]+ ms for 33554432 elements", text)
    assert re.search(r"CPU: [\d.]+ ms for a 1024 x 1024 product", text)
    if "a CUDA GPU is here" in text:
        assert "results equal: yes" in text
        worst = float(re.search(r"largest relative difference (\S+)", text).group(1))
        assert worst < 1e-3
    else:
        assert "no CUDA GPU on this machine: the GPU parts below are skipped" in text
        assert text.count("GPU part skipped: no CUDA GPU on this machine") == 2


def test_12_opencl_matches_c_and_shows_copies(executed):
    nb, _ = executed("12_opencl.ipynb")
    text = stdout(nb)
    assert "OpenCL platform 0" in text  # %gpus found a device (PoCL on a machine without a GPU)
    assert re.search(r"OpenCL on .+: kernel [\d.]+ ms \(C took [\d.]+ ms\)", text)
    assert re.search(r"largest relative difference from C: \S+ -> matches the C result", text)
    lane = timeline(cell_with(nb, "parc_cl_write(dA"))
    assert re.search(r"^OpenCL \S", lane.data["text/plain"], re.M)  # the device's lane
    svg = lane.data["image/svg+xml"]
    assert "<title>write 16.8 MB" in svg and "<title>matvec" in svg and "<title>read 8.2 kB" in svg


def test_13_mpi_messages_and_collectives(executed):
    nb, _ = executed("13_mpi.ipynb")
    text = stdout(nb)
    assert sorted(re.findall(r"^\[(\d)\] I am rank \1 of 3", text, re.M)) == ["0", "1", "2"]
    assert "[1] received 84 from rank 0 (my own answer is still 42)" in text
    session = [c for c in nb.cells if c.cell_type == "code" and c.source.strip().endswith("\nanswer")][0]
    assert session.outputs[0].data["text/plain"] == "(int) 42"  # an MPI cell never changes the session
    assert "[0] total 66 (expected 66)" in text
    assert text.count("the gathered y matches the serial one: yes") == 2
    assert text.count("n(n+1)/2 = 50000005000000: equal") == 2
    sendrecv = svgs(cell_with(nb, "MPI_Send(&answer"))[0]
    assert sendrecv.count("-arrow)") >= 1  # the message, from the send to the receive


def test_14_tasks_run_after_their_dependencies(executed):
    nb, _ = executed("14_task_graphs.ipynb")
    text = stdout(nb)
    assert "every task started after the tasks it needs had finished: yes" in text
    assert "equal to the tree's sum: yes" in text
    run = cell_with(nb, "parc_submit_after(pool, step[v]")
    assert svgs(run)[0].count("-arrow)") == 7  # one arrow per dependency
    tree = cell_with(nb, "parc_submit_after(pool, sum_step")
    assert svgs(tree)[0].count("-arrow)") == 14
