#!/bin/bash
# Gathers, on this Debian 12 machine, what scripts/gpu-check.sh needs on a
# GPU machine that has CUDA, OpenCL, gcc and Python but no package registry
# (the CARRY folder of gpu-check.sh):
#   tcc/   TinyCC's compiler driver and runtime folder
#   lib/   libOpenCL.so.1 (the ICD loader) and libomp.so.5
#   klib/  the libraries parc-kernel links that such a machine may lack
#   py/    nbclient and what it needs, unpacked for that machine's Python
#   debs/  libc6-dev, unpacked there if TinyCC cannot read its headers
#   scripts/gpu-carry.sh [CARRY] [PYTHON_VERSION]   (.gpu-carry, 3.12)
set -eu
CARRY=${1:-.gpu-carry}
PYVER=${2:-3.12}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$CARRY"/tcc/lib "$CARRY"/lib "$CARRY"/klib "$CARRY"/py "$CARRY"/debs
CARRY=$(cd "$CARRY" && pwd)

cp /usr/bin/tcc "$CARRY/tcc/tcc"
cp -r /usr/lib/x86_64-linux-gnu/tcc/. "$CARRY/tcc/lib/"
cp -L /lib/x86_64-linux-gnu/libOpenCL.so.1 /lib/x86_64-linux-gnu/libomp.so.5 "$CARRY/lib/"

# parc-kernel's libraries beyond glibc, the C++ runtime and Kerberos.
KERNEL=$(ls "$ROOT"/build*/kernel/parc-kernel 2>/dev/null | head -1)
[ -n "$KERNEL" ] || { echo "gpu-carry: build parc first (no build*/kernel/parc-kernel)" >&2; exit 1; }
ldd "$KERNEL" | awk '$3 ~ /^\// {print $3}' |
  grep -E 'lib(zmq|jansson|sodium|pgm-[0-9.]+|norm|bsd|md)\.so' |
  xargs -r cp -L -t "$CARRY/klib/"

# nbclient at the versions requirements.txt pins, as wheels for PYVER.
WHEELS=$(mktemp -d)
pins=$(grep -E '^(nbclient|nbformat|jupyter_client|jupyter_core|pyzmq|traitlets)==' "$ROOT/requirements.txt")
"$ROOT/.venv/bin/python" -m pip download -q --only-binary=:all: --python-version "$PYVER" \
  --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 -d "$WHEELS" $pins
for w in "$WHEELS"/*.whl; do "$ROOT/.venv/bin/python" -m zipfile -e "$w" "$CARRY/py/"; done
rm -r "$WHEELS"

(cd "$CARRY/debs" && apt-get download libc6-dev >/dev/null 2>&1)
du -sh "$CARRY"
