#!/bin/bash
# Runs parc's GPU checks on a machine with an NVIDIA GPU, from the
# repository's root, with parc built elsewhere (a Debian 12 build folder
# BUILD, relative to the root) and what the machine may lack carried along:
#   CARRY/tcc     /usr/bin/tcc and /usr/lib/x86_64-linux-gnu/tcc (TinyCC)
#   CARRY/lib     shared libraries the machine may lack (libOpenCL.so.1, libomp.so.5)
#   CARRY/klib    parc-kernel's libraries (libzmq, libjansson...), for the notebook
#   CARRY/py      nbclient and what it needs (pure Python; pyzmq, rpds for 3.12)
#   CARRY/debs    Debian packages unpacked on demand (libc6-dev headers)
# scripts/gpu-carry.sh gathers CARRY on a Debian 12 machine.
# The build's compiled-in paths name /work/main: the repository is linked
# there when that path is free. Logs and results go to $OUT (default
# ./gpu-out). GPU_CHECK_NO_INSTALL=1 skips installing (on a shared machine).
#   scripts/gpu-check.sh BUILD CARRY [quick]
set -u
BUILD=${1:?usage: gpu-check.sh BUILD CARRY [quick]}
CARRY=$(cd "${2:?usage: gpu-check.sh BUILD CARRY [quick]}" && pwd)
QUICK=${3:-}
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
ROOT=$PWD
exec > >(tee -a "$OUT/gpu-check.log") 2>&1
step() { printf '\n==== %s (%s)\n' "$1" "$(date -u +%T)"; }

step "machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
/usr/local/cuda/bin/nvcc --version | tail -2 || true
nproc
grep -m1 'model name' /proc/cpuinfo
(. /etc/os-release && echo "$PRETTY_NAME")

step "install"
export LD_LIBRARY_PATH=$CARRY/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
if [ -z "${GPU_CHECK_NO_INSTALL:-}" ]; then
  [ -e /work/main ] || { mkdir -p /work && ln -s "$ROOT" /work/main; }
  install -m 755 "$CARRY/tcc/tcc" /usr/local/bin/tcc
  mkdir -p /usr/lib/x86_64-linux-gnu/tcc && cp -r "$CARRY/tcc/lib/." /usr/lib/x86_64-linux-gnu/tcc/
  if [ ! -e /etc/OpenCL/vendors/nvidia.icd ] && ldconfig -p | grep -q libnvidia-opencl.so.1; then
    mkdir -p /etc/OpenCL/vendors && echo libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
  fi
fi
ls /etc/OpenCL/vendors 2>/dev/null
command -v clang >/dev/null || export PARC_CLANG=gcc
B=/work/main/$BUILD
export PARC_BUILD_DIR=$B PYTHONUNBUFFERED=1
PY=python3
"$PY" -c 'import pytest' 2>/dev/null || PY=$ROOT/.venv/bin/python

step "smoke: a C cell, %gpus, a %%cuda cell"
printf 'int x = 6 * 7;\nx\n//---\n%%gpus\n//---\n%%%%cuda\nextern "C" int twice(int v) { return 2 * v; }\n//---\ntwice(x)\n' > /tmp/smoke.c
if ! timeout 120 "$B/tests/cellrun" /tmp/smoke.c | tee "$OUT/smoke.txt" | grep -q '(int) 84'; then
  echo "SMOKE FAILED: TinyCC may not read this machine's headers; trying the carried libc6-dev headers"
  for d in "$CARRY"/debs/libc6-dev_*.deb; do dpkg -x "$d" /tmp/libc6dev; done
  cp -r /tmp/libc6dev/usr/include/. /usr/include/ && timeout 120 "$B/tests/cellrun" /tmp/smoke.c | tee "$OUT/smoke.txt"
fi

step "golden cells: the CUDA and OpenCL ones"
rm -rf /tmp/golden && mkdir -p /tmp/golden && cp tests/cells/3[0-9]_*.c tests/cells/3[0-9]_*.expect /tmp/golden/
(cd /tmp && timeout 300 sh "$ROOT/tests/cells/run.sh" "$B/tests/cellrun" /tmp/golden) 2>&1 | tee "$OUT/golden.txt"

step "pytest tests/gpu"
PARC_CUDA_TIMELINE_OUT=$OUT/cuda-timeline.svg timeout 240 "$PY" -m pytest -v -rs tests/gpu 2>&1 | tee "$OUT/pytest-gpu.txt"

# The GPU notebooks: their committed outputs come from here (copy
# $OUT/NN_*.ipynb over notebooks/ after a run that says "ran").
for nb in 11_cuda 12_opencl; do
  step "notebook $nb through nbclient"
  cp "notebooks/$nb.ipynb" "$OUT/$nb.ipynb"
  LD_LIBRARY_PATH=$CARRY/klib:$LD_LIBRARY_PATH PYTHONPATH=$CARRY/py${PYTHONPATH:+:$PYTHONPATH} \
    timeout 180 "$PY" tests/notebooks/nbrun.py "$OUT/$nb.ipynb" 2>&1 | tee "$OUT/notebook-$nb.txt"
done

summary() {
  step "summary"
  grep -h -E '^tests/gpu/.*(PASSED|FAILED|ERROR|SKIPPED)' "$OUT/pytest-gpu.txt" 2>/dev/null
  grep -h -E '^(ok  |FAIL|[0-9]+ passed)' "$OUT/golden.txt" 2>/dev/null
  for nb in 11_cuda 12_opencl; do
    printf 'notebook %s: %s\n' "$nb" "$(tail -1 "$OUT/notebook-$nb.txt" 2>/dev/null)"
  done
}
[ "$QUICK" = quick ] && { summary; exit 0; }

step "bench: cuda_bench"
timeout 300 "$B/bench/cuda_bench" 2>&1 | tee "$OUT/cuda_bench.txt"
step "bench: opencl_bench nvidia"
timeout 120 "$B/bench/opencl_bench" nvidia 2>&1 | tee "$OUT/opencl_bench.txt"
summary
step "done"
