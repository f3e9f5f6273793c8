#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and starts parc's main job:
# JupyterLab on the teaching notebooks (notebooks/) with the parc kernel
# installed into the project's virtual environment, listening on
# 127.0.0.1 (port 8888 unless taken; the address with its token is printed).
#   bash scripts/start.sh [JUPYTER LAB OPTIONS]
#   bash scripts/start.sh --repl [PARC ARGUMENTS]    the terminal REPL instead
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${1:-}" = --repl ]; then
  shift
  exec build/repl/parc "$@"
fi
build/repl/parc install-kernel --prefix .venv >/dev/null
root=()
[ "$(id -u)" -ne 0 ] || root=(--allow-root)
exec .venv/bin/jupyter lab --ip=127.0.0.1 "${root[@]}" "$@" notebooks/
