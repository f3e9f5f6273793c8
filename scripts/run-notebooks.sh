#!/usr/bin/env bash
# Executes the teaching notebooks in place with the parc kernel of build/
# (or $PARC_BUILD_DIR) and saves them with their outputs:
#   bash scripts/run-notebooks.sh [notebooks/NN_name.ipynb ...]
# --check runs them without writing them back.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python tests/notebooks/nbrun.py "$@"
