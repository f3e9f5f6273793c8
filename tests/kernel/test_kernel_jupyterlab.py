"""A real browser: JupyterLab on loopback, Debian's chromium driven headless
by Playwright. A notebook is opened, the parc kernel chosen in JupyterLab's
kernel dialog, a printing cell and an SVG cell run, and both must render; a
cell reading stdin gets its line from the notebook's input box.
The screenshot is kept as build/kernel-jupyterlab.png."""
import json
import os
import socket
import subprocess
import time
import urllib.request

import pytest

from kernelharness import BUILD, VENV_BIN

CHROMIUM = "/usr/bin/chromium"
SVG = ("<svg xmlns='http://www.w3.org/2000/svg' width='160' height='60'>"
       "<rect width='160' height='60' rx='8' fill='teal'/>"
       "<text x='16' y='37' font-size='20' fill='white'>parc svg</text></svg>")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on 127.0.0.1 serving tmp_path/nb; yields its URL."""
    root = tmp_path / "nb"
    root.mkdir()
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "first",
                     "metadata": {}, "outputs": [], "source": []}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (root / "parc.ipynb").write_text(json.dumps(nb))
    port = free_port()
    log = open(tmp_path / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--allow-root",
         "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.root_dir={root}",
         "--IdentityProvider.token=", "--ServerApp.password=",
         "--LabServerApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/api/status", timeout=1)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (tmp_path / "jupyterlab.log").read_text())
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
def test_jupyterlab_runs_parc_cells(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            page.goto(lab + "/lab/tree/parc.ipynb", timeout=60000)
            # A notebook without a kernel: JupyterLab asks which to start.
            page.wait_for_selector(".jp-Dialog select", timeout=60000)
            page.select_option(".jp-Dialog select", label="C (parc)")
            page.click(".jp-Dialog .jp-mod-accept")
            page.wait_for_selector("text=C (parc) | Idle", timeout=60000)

            page.locator(".jp-Cell").nth(0).locator(".cm-content").click()
            page.keyboard.insert_text('#include <stdio.h>\nprintf("hello from parc\\n");')
            page.keyboard.press("Shift+Enter")
            out = page.wait_for_selector(
                ".jp-OutputArea-output:has-text('hello from parc')", timeout=60000)
            assert out.inner_text().strip() == "hello from parc"

            page.locator(".jp-Cell").nth(1).locator(".cm-content").click()
            page.keyboard.insert_text(f'parc_display_svg("{SVG}");')
            page.keyboard.press("Shift+Enter")
            img = page.wait_for_selector(".jp-RenderedSVG img", timeout=60000)
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img,
                                   timeout=30000)
            assert img.evaluate("img => img.naturalWidth") == 160
            assert "parc%20svg" in img.get_attribute("src") or "parc svg" in img.get_attribute("src")
            # stdin: scanf opens the notebook's input box.
            page.locator(".jp-Cell").nth(2).locator(".cm-content").click()
            page.keyboard.insert_text(
                'char who[32];\nscanf("%31s", who);\nprintf("hi %s\\n", who);')
            page.keyboard.press("Shift+Enter")
            box = page.wait_for_selector(".jp-Stdin-input", timeout=60000)
            box.fill("Grace")
            box.press("Enter")
            page.wait_for_selector(".jp-OutputArea-output:has-text('hi Grace')", timeout=60000)
            # The C mode highlights the code (codemirror_mode from kernel_info).
            assert page.locator(".jp-Cell").nth(0).locator(".cm-line span").count() > 0
            page.wait_for_selector("text=C (parc) | Idle", timeout=60000)
        finally:
            page.screenshot(path=str(BUILD / "kernel-jupyterlab.png"))
            browser.close()
