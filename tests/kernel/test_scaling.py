"""%%scaling through the kernel: the table (numbers normalised), one SVG
with both charts, the ideal line, the Amdahl fit and oversubscribed points,
and clear errors for bad options."""
import os
import re

import pytest

from kernelharness import run_cell, stream_text

CELL = """%%scaling -w 1,2,{over} -r 2
usleep(4000 / parc_default_workers());
"""


def normalise(text):
    text = re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "N", text)
    return re.sub(r" +", " ", text)


def test_scaling_table_and_plot(kernel):
    _, kc = kernel
    over = (os.cpu_count() or 2) + 1
    run_cell(kc, "#include <unistd.h>")
    reply, outputs = run_cell(kc, CELL.format(over=over), timeout=60)
    assert reply["status"] == "ok", outputs
    lines = normalise(stream_text(outputs)).splitlines()
    assert len(lines) == 6, lines
    assert lines[0] == "%%scaling: threads, N runs per count after a warm-up; N cores"
    assert lines[1] == "workers best mean ± sd speedup efficiency"
    row = r" N N (s|ms|µs) N (s|ms|µs) ± N (s|ms|µs) N× N%"
    for line in lines[2:4]:
        assert re.fullmatch(row, line), line
    assert re.fullmatch(row + " oversubscribed", lines[4]), lines[4]
    assert re.fullmatch(r"Amdahl fit: T\(w\) = N s \+ N s / w; serial fraction N(, speedup at most N×)?"
                        r" \(fitted up to N workers, one per core\)", lines[5]), lines[5]
    shown = [m["content"]["data"] for m in outputs if m["msg_type"] == "display_data"]
    assert len(shown) == 1  # the plot; no timeline for the runs
    svg = shown[0]["image/svg+xml"]
    assert svg.startswith("<svg") and svg.count("<svg") == 3
    assert "time against workers" in svg and "speedup (serial fraction" in svg
    assert ">ideal</text>" in svg and svg.count(">Amdahl fit</text>") == 2
    assert "oversubscribed (&gt; " in svg and svg.count("oversubscribed</title>") == 2
    assert svg.count('fill="none" stroke="#4e79a7"') >= 2  # hollow markers


def test_scaling_errors(kernel):
    _, kc = kernel
    reply, _ = run_cell(kc, "%%scaling -w 0,2\nint x = 1;\n")
    assert reply["status"] == "error"
    assert reply["evalue"].startswith("cell[") and "error: %%scaling: -w '0,2': worker counts" in reply["evalue"]
    reply, _ = run_cell(kc, "%%scaling -x\nint x = 1;\n")
    assert reply["status"] == "error" and "%%scaling: unknown option '-x'" in reply["evalue"]
    assert "[--threads | --procs | --omp]" in "\n".join(reply["traceback"])


def test_scaling_sets_the_default_pool_size(kernel):
    """parc_threads(0) makes as many workers as %%scaling measures."""
    _, kc = kernel
    cell = ("%%scaling -w 1,3 -r 1\n"
            "parc_pool *p = parc_threads(0);\n"
            "fprintf(stderr, \"size %d\\n\", parc_pool_size(p));\n"
            "parc_pool_free(p);\n")
    reply, outputs = run_cell(kc, cell, timeout=60)
    assert reply["status"] == "ok", outputs
    err = "".join(m["content"]["text"] for m in outputs
                  if m["msg_type"] == "stream" and m["content"]["name"] == "stderr")
    assert err.split() == ["size", "1", "size", "1", "size", "3"]  # warm-up, then 1 and 3
    reply, outputs = run_cell(kc, "parc_pool_size(parc_threads(0)) == parc_cpu_count()")
    assert [m["content"]["data"]["text/plain"] for m in outputs
            if m["msg_type"] == "execute_result"] == ["(int) 1"]


def test_amdahl_fit_leaves_out_oversubscribed_counts(kernel):
    """Amdahl's law assumes a core per worker: a count above the cores that
    is much slower does not make the fit see a serial part."""
    _, kc = kernel
    cores = os.cpu_count() or 1
    if cores < 2:
        pytest.skip("needs two cores: two worker counts within the cores")
    run_cell(kc, "#include <unistd.h>")
    cell = (f"%%scaling -w 1,2,{cores + 1} -r 1\n"
            f"usleep(parc_default_workers() > {cores} ? 200000 : 20000 / parc_default_workers());\n")
    reply, outputs = run_cell(kc, cell, timeout=60)
    assert reply["status"] == "ok", outputs
    fit = stream_text(outputs).splitlines()[-1]
    assert fit.endswith(f"(fitted up to {cores} workers, one per core)"), fit
    serial = float(re.search(r"serial fraction ([0-9.]+)", fit).group(1))
    assert serial < 0.25, fit  # all three counts would give about 0.9
