"""Fixtures for the Jupyter kernel tests.

A session-wide private Jupyter environment (JUPYTER_PATH, data, runtime and
config folders in a temporary directory) holds kernelspecs written by
`parc-kernel install-kernel` for the kernel built in build/: "parc" (message
interrupts, as installed for users) and "parc-signal" (SIGINT interrupts).
The kernel's history file is private too.
"""
import os

import pytest
from jupyter_client.manager import start_new_kernel

from kernelharness import KERNEL, TIMEOUT, install_kernelspec


@pytest.fixture(scope="session", autouse=True)
def jupyter_env(tmp_path_factory):
    if not KERNEL.exists():
        pytest.fail(f"{KERNEL} is not built (run: ninja -C build)")
    base = tmp_path_factory.mktemp("jupyter")
    install_kernelspec(base)
    install_kernelspec(base, "parc-signal", interrupt_mode="signal")
    saved = dict(os.environ)
    os.environ.update(
        JUPYTER_PATH=str(base / "share" / "jupyter"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTER_CONFIG_DIR=str(base / "config"),
        IPYTHONDIR=str(base / "ipython"),
        PARC_KERNEL_HISTORY=str(base / "kernel-history.jsonl"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    yield base
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def kernel():
    """A started parc kernel and a blocking client, ready; shut down after."""
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT)
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=False)


@pytest.fixture
def logged_kernel(tmp_path):
    """A kernel whose stderr (its log) is kept in a file."""
    log = open(tmp_path / "kernel.log", "w+")
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT, stderr=log)
    yield km, kc, tmp_path / "kernel.log"
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    log.close()
