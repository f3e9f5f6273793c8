"""`parc install-kernel` (and parc-kernel's own install-kernel) write a
kernelspec that Jupyter lists and can start."""
import json
import os
import struct
import subprocess

import pytest

from kernelharness import KERNEL, PARC, ROOT, BUILD, VENV_BIN


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def check_spec(d, kernel=None):
    spec = json.loads((d / "kernel.json").read_text())
    assert spec["argv"][-1] == "{connection_file}"
    assert os.path.isabs(spec["argv"][0]) and os.access(spec["argv"][0], os.X_OK)
    if kernel:
        assert spec["argv"][0] == str(kernel)
    assert spec["display_name"] == "C (parc)"
    assert spec["language"] == "c"
    assert spec["interrupt_mode"] == "message"
    assert png_size(d / "logo-32x32.png") == (32, 32)
    assert png_size(d / "logo-64x64.png") == (64, 64)
    assert (d / "logo-svg.svg").read_text().startswith("<svg")
    return spec


@pytest.mark.skipif(not PARC.exists(), reason="the REPL is not built")
def test_parc_install_kernel_prefix_is_listed(tmp_path):
    out = subprocess.run([str(PARC), "install-kernel", "--prefix", str(tmp_path)],
                         check=True, capture_output=True, text=True).stdout
    d = tmp_path / "share" / "jupyter" / "kernels" / "parc"
    assert str(d) in out
    check_spec(d, KERNEL.resolve())
    env = dict(os.environ, JUPYTER_PATH=str(tmp_path / "share" / "jupyter"))
    listed = subprocess.run([str(VENV_BIN / "jupyter"), "kernelspec", "list", "--json"],
                            check=True, capture_output=True, text=True, env=env).stdout
    specs = json.loads(listed)["kernelspecs"]
    assert specs["parc"]["resource_dir"] == str(d)


def test_install_kernel_user_and_sys_prefix(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("JUPYTER_DATA_DIR", "XDG_DATA_HOME", "VIRTUAL_ENV", "CONDA_PREFIX")}
    env["HOME"] = str(tmp_path / "home")
    subprocess.run([str(KERNEL), "install-kernel", "--user"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    check_spec(tmp_path / "home" / ".local" / "share" / "jupyter" / "kernels" / "parc")
    env["VIRTUAL_ENV"] = str(tmp_path / "venv")
    subprocess.run([str(KERNEL), "install-kernel", "--sys-prefix"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    check_spec(tmp_path / "venv" / "share" / "jupyter" / "kernels" / "parc")


def test_install_kernel_rejects_bad_usage():
    r = subprocess.run([str(KERNEL), "install-kernel", "--bogus"], capture_output=True)
    assert r.returncode == 2 and b"usage" in r.stderr


def test_meson_install_installs_the_kernelspec(tmp_path):
    r = subprocess.run(["meson", "install", "-C", str(BUILD), "--no-rebuild", "--quiet",
                        "--destdir", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    prefix = subprocess.run(["meson", "introspect", "--buildoptions", str(BUILD)],
                            check=True, capture_output=True, text=True).stdout
    prefix = next(o["value"] for o in json.loads(prefix) if o["name"] == "prefix")
    d = tmp_path / prefix.lstrip("/") / "share" / "jupyter" / "kernels" / "parc"
    spec = json.loads((d / "kernel.json").read_text())
    assert spec["argv"] == [os.path.join(prefix, "bin", "parc-kernel"), "{connection_file}"]
    assert "env" not in spec
    assert png_size(d / "logo-64x64.png") == (64, 64)
