"""Fixtures for the hostile-cell tests: the kernel tests' private Jupyter
environment (see tests/kernel/conftest.py), and one started kernel per test
class, so that each group of hostile cells shares a session."""
import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "kernel"))

from kernelharness import KERNEL, install_kernelspec  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def jupyter_env(tmp_path_factory):
    if not KERNEL.exists():
        pytest.fail(f"{KERNEL} is not built (run: ninja -C build)")
    base = tmp_path_factory.mktemp("jupyter")
    install_kernelspec(base)
    saved = dict(os.environ)
    os.environ.update(
        JUPYTER_PATH=str(base / "share" / "jupyter"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTER_CONFIG_DIR=str(base / "config"),
        IPYTHONDIR=str(base / "ipython"),
        PARC_KERNEL_HISTORY="",
        JUPYTER_PLATFORM_DIRS="1",
    )
    yield base
    os.environ.clear()
    os.environ.update(saved)
