"""Executes parc's teaching notebooks with nbclient against the parc kernel
of a build folder, as nbconvert does: `python tests/notebooks/nbrun.py
[--check] [NOTEBOOK...]` runs each notebook (default: every notebooks/*.ipynb)
top to bottom and, unless --check is given, writes it back with its outputs.
The kernelspec lives in a private temporary Jupyter folder, so nothing the
user installed is used or changed. Exit status 1 when a cell failed.
"""
import argparse
import contextlib
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("PARC_BUILD_DIR", ROOT / "build"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD
KERNEL = BUILD / "kernel" / "parc-kernel"
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 120


@contextlib.contextmanager
def private_jupyter():
    """A private Jupyter environment holding a "parc" kernelspec for the
    built kernel; the caller's environment comes back afterwards."""
    if not KERNEL.exists():
        raise SystemExit(f"{KERNEL} is not built (run: ninja -C {BUILD})")
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="parc-nb-") as tmp:
        base = pathlib.Path(tmp)
        subprocess.run([str(KERNEL), "install-kernel", "--prefix", str(base)],
                       check=True, stdout=subprocess.DEVNULL)
        os.environ.update(
            JUPYTER_PATH=str(base / "share" / "jupyter"),
            JUPYTER_DATA_DIR=str(base / "data"),
            JUPYTER_RUNTIME_DIR=str(base / "runtime"),
            JUPYTER_CONFIG_DIR=str(base / "config"),
            PARC_KERNEL_HISTORY="",
            JUPYTER_PLATFORM_DIRS="1",
        )
        try:
            yield base
        finally:
            os.environ.clear()
            os.environ.update(saved)


def execute(nb, cwd=NOTEBOOKS):
    """Runs every cell of the notebook nb (an nbformat node, changed in
    place) with the parc kernel; returns the seconds it took. Raises
    nbclient's CellExecutionError at the first failing cell (its error
    output is then in nb)."""
    start = time.monotonic()
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="parc",
                            resources={"metadata": {"path": str(cwd)}}, record_timing=False)
    client.execute()
    return time.monotonic() - start


def error_outputs(nb):
    """(cell index, output) for every error output of nb."""
    return [(i, o) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="run without writing the notebooks back")
    ap.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = ap.parse_args()
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    failed = 0
    with private_jupyter():
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            try:
                secs = execute(nb, cwd=path.resolve().parent)
            except Exception as e:  # the notebook keeps the error output
                print(f"{path}: FAILED (not written back):\n{e}")
                failed += 1
                continue
            if not args.check:
                nbformat.write(nb, path)
            print(f"{path}: ran in {secs:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
