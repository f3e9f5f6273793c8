#!/usr/bin/env bash
# Sets up everything parc needs on Debian 12 and builds it: Debian packages
# (as root, or through sudo), a Python virtual environment in .venv for the
# test tools, and the build in build/. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# C libraries and tools, all from Debian.
PACKAGES=(
  build-essential pkg-config meson ninja-build
  tcc libtcc-dev libedit-dev clang libomp-dev
  libzmq3-dev libjansson-dev libssl-dev
  libclang-rt-14-dev
  python3 python3-venv
  tmux
  chromium fonts-dejavu-core
  ocl-icd-opencl-dev pocl-opencl-icd
  openmpi-bin libopenmpi-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python tools for the tests, pinned, never in the system Python.
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if ! cmp -s requirements.txt .venv/.requirements.txt; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt
  cp requirements.txt .venv/.requirements.txt
fi

# Build.
if [ ! -f build/build.ninja ]; then
  meson setup build --prefix=/usr/local >/dev/null
fi
ninja -C build >/dev/null
echo "setup: parc is built in build/"
