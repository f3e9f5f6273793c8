"""CUDA through the engine (tests/cellrun) on a machine with an NVIDIA GPU:
%%cuda cells called from C cells with results checked against C, kernels
of NVRTC cells launched by name, %%vectorize --target cuda, the CUPTI
timeline, and a GPU session that crashes and is rebuilt by %replay. Every
test skips, saying why, where no CUDA device can be used (the no-device
behaviour is tests/cells/32_cuda).

    PARC_BUILD_DIR=build .venv/bin/python -m pytest -q tests/gpu/test_cuda.py
"""
import ctypes
import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("PARC_BUILD_DIR", ROOT / "build"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD
CELLRUN = BUILD / "tests" / "cellrun"


def cuda_device():
    """Why no CUDA device can be used here, or None if one can."""
    try:
        cu = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return "no CUDA driver on this machine (libcuda.so.1 not found)"
    if cu.cuInit(0) != 0:
        return "the CUDA driver did not start"
    n = ctypes.c_int(0)
    if cu.cuDeviceGetCount(ctypes.byref(n)) != 0 or n.value == 0:
        return "the CUDA driver sees no GPU"
    return None


WHY = cuda_device()
pytestmark = pytest.mark.skipif(WHY is not None, reason=f"no CUDA device: {WHY}")


def run_cells(tmp_path, *cells, timeout=150):
    """Runs the cells in one session; returns what a user sees."""
    src = tmp_path / "cells.c"
    src.write_text("\n//---\n".join(cells) + "\n")
    env = dict(os.environ, HOME=str(tmp_path), XDG_CACHE_HOME=str(tmp_path / "cache"))
    r = subprocess.run([str(CELLRUN), str(src)], capture_output=True, text=True, timeout=timeout, env=env,
                       cwd=tmp_path)
    return r.stdout + r.stderr


CUDA_CELL = r"""%%cuda
__global__ void saxpy_k(int n, float a, const float *x, float *y)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        y[i] = a * x[i] + y[i];
}

#define TILE 32
__global__ void matmul_k(int n, const float *a, const float *b, float *c)
{
    __shared__ float ta[TILE][TILE], tb[TILE][TILE];
    int row = blockIdx.y * TILE + threadIdx.y, col = blockIdx.x * TILE + threadIdx.x;
    float sum = 0;
    for (int t = 0; t < n; t += TILE) {
        ta[threadIdx.y][threadIdx.x] = a[row * n + t + threadIdx.x];
        tb[threadIdx.y][threadIdx.x] = b[(t + threadIdx.y) * n + col];
        __syncthreads();
        for (int k = 0; k < TILE; k++)
            sum += ta[threadIdx.y][k] * tb[k][threadIdx.x];
        __syncthreads();
    }
    c[row * n + col] = sum;
}

extern "C" int saxpy(int n, float a, const float *x, float *y)
{
    float *dx, *dy;
    size_t bytes = n * sizeof(float);
    cudaMalloc(&dx, bytes);
    cudaMalloc(&dy, bytes);
    cudaMemcpy(dx, x, bytes, cudaMemcpyHostToDevice);
    cudaMemcpy(dy, y, bytes, cudaMemcpyHostToDevice);
    saxpy_k<<<(n + 255) / 256, 256>>>(n, a, dx, dy);
    cudaError_t e = cudaMemcpy(y, dy, bytes, cudaMemcpyDeviceToHost);
    cudaFree(dx);
    cudaFree(dy);
    return e;
}

/* n must be a multiple of TILE. */
extern "C" int matmul(int n, const float *a, const float *b, float *c)
{
    float *da, *db, *dc;
    size_t bytes = (size_t)n * n * sizeof(float);
    cudaMalloc(&da, bytes);
    cudaMalloc(&db, bytes);
    cudaMalloc(&dc, bytes);
    cudaMemcpy(da, a, bytes, cudaMemcpyHostToDevice);
    cudaMemcpy(db, b, bytes, cudaMemcpyHostToDevice);
    matmul_k<<<dim3(n / TILE, n / TILE), dim3(TILE, TILE)>>>(n, da, db, dc);
    cudaError_t e = cudaMemcpy(c, dc, bytes, cudaMemcpyDeviceToHost);
    cudaFree(da);
    cudaFree(db);
    cudaFree(dc);
    return e;
}"""


def test_saxpy_and_matmul_from_a_cuda_cell(tmp_path):
    out = run_cells(
        tmp_path,
        "%timeline off",
        CUDA_CELL,
        "enum { N = 1000000 };\n"
        "static float x[N], y[N], ref[N];\n"
        "for (int i = 0; i < N; i++) { x[i] = i % 1000; y[i] = i % 7; ref[i] = 2.5f * x[i] + y[i]; }\n"
        "int rc = saxpy(N, 2.5f, x, y);\n"
        "int bad = 0;\n"
        "for (int i = 0; i < N; i++) bad += y[i] != ref[i];\n"
        'printf("saxpy: status %d, %d of %d wrong\\n", rc, bad, N);',
        "enum { M = 256 };\n"
        "static float a[M * M], b[M * M], c[M * M];\n"
        "for (int i = 0; i < M * M; i++) { a[i] = (i % 13) - 6; b[i] = (i % 7) - 3; }\n"
        "int rc2 = matmul(M, a, b, c);\n"
        "int wrong = 0;\n"
        "for (int i = 0; i < M; i++)\n"
        "    for (int j = 0; j < M; j++) {\n"
        "        float s = 0;\n"
        "        for (int k = 0; k < M; k++) s += a[i * M + k] * b[k * M + j];\n"
        "        wrong += s != c[i * M + j];\n"
        "    }\n"
        'printf("matmul: status %d, %d of %d wrong\\n", rc2, wrong, M * M);',
    )
    assert "saxpy: status 0, 0 of 1000000 wrong" in out, out
    assert "matmul: status 0, 0 of 65536 wrong" in out, out
    assert "no CUDA device" not in out, out
    assert "this session now uses the GPU (CUDA)" in out, out


def test_nvrtc_kernels_launched_by_name(tmp_path):
    out = run_cells(
        tmp_path,
        "%timeline off",
        "%%cuda\n"
        "__global__ void scale(float *x, float a, int n)\n"
        "{\n"
        "    int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
        "    if (i < n) x[i] *= a;\n"
        "}",
        "enum { N = 100000 };\n"
        "static float h[N];\n"
        "for (int i = 0; i < N; i++) h[i] = i;\n"
        "float *d = parc_cuda_malloc(sizeof h);\n"
        "parc_cuda_to_device(d, h, sizeof h);\n"
        "float a = 3; int n = N;\n"
        'int rc = parc_cuda_launch("scale", (N + 255) / 256, 256, (void *[]){&d, &a, &n});\n'
        "parc_cuda_to_host(h, d, sizeof h);\n"
        "int bad = 0;\n"
        "for (int i = 0; i < N; i++) bad += h[i] != 3.0f * i;\n"
        'printf("scale: launch %d, %d wrong\\n", rc, bad);',
        'parc_cuda_launch("nope", 1, 1, NULL)',
    )
    assert "scale: launch 0, 0 wrong" in out, out
    assert "parc: parc_cuda_launch: no kernel named 'nope' (kernels: scale)" in out, out


def test_vectorize_cuda_against_a_c_loop(tmp_path):
    fn = "#include <math.h>\nfloat expon(float x, float y) { return expf(x) + expf(y); }"
    out = run_cells(
        tmp_path,
        "%timeline off",
        "%%vectorize --target cuda\n" + fn,
        "enum { N = 1000000 };\n"
        "static float x[N], y[N], out[N];\n"
        "for (int i = 0; i < N; i++) { x[i] = (i % 1000) / 500.0f; y[i] = (i % 77) / 40.0f; }\n"
        "expon_cuda(x, y, out, N);\n"
        "int bad = 0;\n"
        "for (int i = 0; i < N; i++) { float r = expon(x[i], y[i]); bad += fabsf(out[i] - r) > 1e-5f * r; }\n"
        'printf("vectorize cuda: %d of %d outside 1e-5\\n", bad, N);',
    )
    assert "vectorize cuda: 0 of 1000000 outside 1e-5" in out, out


def test_cupti_timeline_has_copies_and_kernels(tmp_path):
    trace = tmp_path / "cuda.json"
    svg = tmp_path / "cuda.svg"
    out = run_cells(
        tmp_path,
        CUDA_CELL,
        "enum { N = 1000000 };\n"
        "static float x[N], y[N];\n"
        "for (int i = 0; i < N; i++) { x[i] = i; y[i] = 1; }\n"
        "saxpy(N, 2.0f, x, y);\n"
        "saxpy(N, 2.0f, x, y);",
        f"%timeline save {trace}",
        f"%timeline save {svg}",
    )
    assert "[display image/svg+xml" in out, out  # shown after the cell without asking
    data = json.loads(trace.read_text())
    events = data["traceEvents"] if isinstance(data, dict) else data
    names = [e.get("name", "") for e in events]
    lanes = [e.get("args", {}).get("name", "") for e in events if e.get("ph") == "M"]
    assert any(l.startswith("CUDA stream") for l in lanes), lanes
    assert any(l.startswith("CUDA API") for l in lanes), lanes
    assert sum(n.startswith("HtoD copy 4.00 MB") for n in names) == 4, names
    assert sum(n.startswith("DtoH copy 4.00 MB") for n in names) == 2, names
    assert sum(n.startswith("saxpy_k grid (3907,1,1) block (256,1,1)") for n in names) == 2, names
    assert any(n == "cudaMemcpy" for n in names), names
    assert "GB/s" in svg.read_text()
    dest = os.environ.get("PARC_CUDA_TIMELINE_OUT")
    if dest:
        pathlib.Path(dest).write_text(svg.read_text())
        pathlib.Path(dest).with_suffix(".json").write_text(trace.read_text())


def test_gpu_session_crash_and_replay(tmp_path):
    out = run_cells(
        tmp_path,
        "%timeline off",
        "%%cuda\n__global__ void inc(int *p) { p[threadIdx.x] += 1; }",
        "int *d = parc_cuda_malloc(32 * sizeof(int));\n"
        "int h[32] = {0};\n"
        "parc_cuda_to_device(d, h, sizeof h);",
        'parc_cuda_launch("inc", 1, 32, (void *[]){&d});\n'
        "parc_cuda_to_host(h, d, sizeof h);\n"
        "h[5]",
        "*(volatile int *)0 = 1;",
        "%replay",
        'parc_cuda_launch("inc", 1, 32, (void *[]){&d});\n'
        "parc_cuda_to_host(h, d, sizeof h);\n"
        "h[5]",
    )
    assert "(int) 1\n" in out, out
    assert "crashed" in out and "%replay rebuilds it" in out, out
    assert "parc: %replay ran 4 cells again" in out, out
    # Replayed: the device memory was made again and inc ran once more
    # before the last cell, whose own launch makes 2.
    assert out.rstrip().endswith("(int) 2"), out
