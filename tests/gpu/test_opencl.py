"""OpenCL and %gpus through the engine (tests/cellrun), on whatever this
machine has: PoCL everywhere (CI), NVIDIA's OpenCL platform where an NVIDIA
GPU and its driver are installed (those tests skip elsewhere, saying why).

    PARC_BUILD_DIR=build .venv/bin/python -m pytest -q tests/gpu
"""
import ctypes
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("PARC_BUILD_DIR", ROOT / "build"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD
CELLRUN = BUILD / "tests" / "cellrun"
VENDORS = pathlib.Path("/etc/OpenCL/vendors")


def run_cells(tmp_path, *cells, timeout=120, **env_extra):
    """Runs the cells in one session; returns what a user sees."""
    src = tmp_path / "cells.c"
    src.write_text("\n//---\n".join(cells) + "\n")
    env = dict(os.environ, HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"), **env_extra)
    r = subprocess.run([str(CELLRUN), str(src)], capture_output=True, text=True, timeout=timeout, env=env)
    return r.stdout + r.stderr


def has_cuda_driver():
    try:
        ctypes.CDLL("libcuda.so.1")
        return True
    except OSError:
        return False


def icd_names():
    return sorted(p.name for p in VENDORS.glob("*.icd")) if VENDORS.is_dir() else []


def test_gpus_lists_devices_or_says_why(tmp_path):
    out = run_cells(tmp_path, "%gpus", 'printf("available: %d\\n", parc_gpu_available());')
    if has_cuda_driver():
        assert "CUDA device 0: " in out or "CUDA: the CUDA driver" in out, out
        if "CUDA device 0: " in out:
            assert "compute capability" in out and "SMs" in out and "driver " in out, out
            assert "available: 1" in out, out
    else:
        assert "CUDA: no CUDA driver on this machine (libcuda.so.1 not found)" in out, out
    if icd_names():
        assert "OpenCL platform 0: " in out and "device 0: " in out, out
    else:
        assert "OpenCL: no OpenCL platform" in out, out
    if not has_cuda_driver() and icd_names() == ["pocl.icd"]:
        assert "available: 0" in out, out  # PoCL is a CPU


def test_gpus_keeps_the_session_forking(tmp_path):
    """Asking for devices loads no GPU runtime into the session: a later
    crash is still rolled back by fork-per-cell, without the in-place note."""
    out = run_cells(tmp_path, "%gpus", "int kept = 42;", "*(volatile int *)0 = 1;", "kept")
    assert "now uses the GPU" not in out, out
    assert "the session is as it was before cell[3]" in out, out
    assert "(int) 42" in out, out


def test_no_opencl_platform_is_explained(tmp_path):
    """With no OpenCL driver installed (the ICD loader finds none), %gpus,
    %%opencl and the helpers say so, and the session goes on."""
    empty = tmp_path / "vendors"
    empty.mkdir()
    out = run_cells(
        tmp_path, "%gpus", "%%opencl\nkernel void k(global int *x) { }",
        'printf("%d\\n", parc_cl_buffer(16, NULL) == NULL);', "1 + 1", OCL_ICD_VENDORS=str(empty))
    why = "no OpenCL platform (install pocl-opencl-icd for the CPU, or a GPU vendor's OpenCL driver)"
    assert "OpenCL: " + why in out, out
    assert "cell[2]:1: error: %%opencl: " + why in out, out
    assert "parc: parc_cl_buffer: " + why in out, out
    assert "\n1\n" in out and "(int) 2" in out, out
    assert "now uses the GPU" not in out, out


NVIDIA = [n for n in icd_names() if "nvidia" in n.lower()]


@pytest.mark.skipif(not NVIDIA, reason="no NVIDIA OpenCL platform on this machine (/etc/OpenCL/vendors has no nvidia*.icd)")
def test_opencl_on_the_nvidia_platform(tmp_path):
    out = run_cells(
        tmp_path,
        "%timeline off",
        """%%opencl --platform nvidia
kernel void saxpy(float a, global const float *x, global float *y) {
    size_t i = get_global_id(0);
    y[i] = a * x[i] + y[i];
}
kernel void matmul(int n, global const float *a, global const float *b, global float *c) {
    int row = get_global_id(1), col = get_global_id(0);
    float s = 0;
    for (int k = 0; k < n; k++)
        s += a[row * n + k] * b[k * n + col];
    c[row * n + col] = s;
}""",
        """enum { N = 1000000, M = 256 };
static float x[N], y[N], ref[N];
for (int i = 0; i < N; i++) { x[i] = i % 1000; y[i] = i % 7; ref[i] = 2.5f * x[i] + y[i]; }
parc_cl_buf *dx = parc_cl_buffer(sizeof x, x), *dy = parc_cl_buffer(sizeof y, y);
parc_cl_run(parc_cl_kernel("saxpy"), N, 2.5f, dx, dy);
parc_cl_read(dy, y, sizeof y);
int bad = 0;
for (int i = 0; i < N; i++) bad += y[i] != ref[i];
printf("device: %s\\nsaxpy differ: %d\\n", parc_cl_device(), bad);
static float a[M * M], b[M * M], c[M * M];
for (int i = 0; i < M * M; i++) { a[i] = i % 5; b[i] = i % 3; }
parc_cl_buf *da = parc_cl_buffer(sizeof a, a), *db = parc_cl_buffer(sizeof b, b), *dc = parc_cl_buffer(sizeof c, NULL);
size_t global[2] = {M, M}, local[2] = {16, 16};
parc_cl_run_nd(parc_cl_kernel("matmul"), 2, global, local, M, da, db, dc);
parc_cl_read(dc, c, sizeof c);
bad = 0;
for (int r = 0; r < M; r++)
    for (int col = 0; col < M; col++) {
        float s = 0;
        for (int k = 0; k < M; k++) s += a[r * M + k] * b[k * M + col];
        bad += s != c[r * M + col];
    }
printf("matmul differ: %d\\n", bad);""",
        """%%vectorize --target opencl
float expon(float x, float y) { return expf(x) + expf(y); }""",
        """static float out[N];
expon_opencl(x, y, out, 1000);
bad = 0;
for (int i = 0; i < 1000; i++) bad += fabsf(out[i] - expon(x[i], y[i])) > 1e-5f * fabsf(expon(x[i], y[i]));
printf("vectorize differ: %d\\n", bad);""",
        """%timeline save /tmp/parc-nvidia-opencl.json
!grep -o '"name":"OpenCL [^"]*' /tmp/parc-nvidia-opencl.json
!rm -f /tmp/parc-nvidia-opencl.json""",
    )
    assert "OpenCL (NVIDIA)" in out, out
    assert "saxpy differ: 0" in out, out
    assert "matmul differ: 0" in out, out
    assert "vectorize differ: 0" in out, out
    assert "device: " in out and "device: pthread" not in out, out
    assert '"name":"OpenCL NVIDIA' in out, out
