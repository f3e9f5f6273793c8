"""What the kernel tests share: where the built binaries are, a private
Jupyter environment whose kernelspecs point at build/kernel/parc-kernel, and
small helpers for talking to a kernel. (A module name of its own, so that
other test folders' helpers never shadow it.)
"""
import hashlib
import hmac
import json
import os
import pathlib
import re
import subprocess
import time
import uuid

import zmq

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("PARC_BUILD_DIR", ROOT / "build"))
KERNEL = BUILD / "kernel" / "parc-kernel"
PARC = BUILD / "repl" / "parc"
VENV_BIN = pathlib.Path(os.environ.get("PARC_VENV_BIN", ROOT / ".venv" / "bin"))
TIMEOUT = 30


def parc_version():
    """The project version, as meson.build declares it."""
    text = (ROOT / "meson.build").read_text()
    return re.search(r"version:\s*'([^']+)'", text).group(1)


def install_kernelspec(prefix, name="parc", interrupt_mode=None):
    """Installs a kernelspec with parc-kernel's own installer under prefix;
    returns the kernelspec folder."""
    subprocess.run([str(KERNEL), "install-kernel", "--prefix", str(prefix), "--name", name],
                   check=True, stdout=subprocess.DEVNULL)
    d = pathlib.Path(prefix) / "share" / "jupyter" / "kernels" / name
    if interrupt_mode:
        spec = json.loads((d / "kernel.json").read_text())
        spec["interrupt_mode"] = interrupt_mode
        spec["display_name"] = f"C (parc, {interrupt_mode} interrupts)"
        (d / "kernel.json").write_text(json.dumps(spec, indent=1))
    return d


def run_cell(kc, code, timeout=TIMEOUT, **kw):
    """Executes code; returns (reply content, list of iopub messages)."""
    outputs = []
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=outputs.append, **kw)
    return reply["content"], outputs


def stream_text(outputs, name="stdout"):
    return "".join(m["content"]["text"] for m in outputs
                   if m["msg_type"] == "stream" and m["content"]["name"] == name)


def descendants(pid):
    """Process ids of every living descendant of pid (from /proc)."""
    children = {}
    for p in pathlib.Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            stat = (p / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(p.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def alive(pid):
    """Whether pid names a process that has not ended (zombies count as ended)."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(pred, timeout=TIMEOUT, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


class Raw:
    """A raw DEALER socket on one of the kernel's channels."""

    def __init__(self, km, channel="shell"):
        self.key = km.session.key
        self.sock = zmq.Context.instance().socket(zmq.DEALER)
        self.sock.linger = 0
        self.sock.connect(km._make_url(channel))

    def sign(self, parts):
        h = hmac.new(self.key, digestmod=hashlib.sha256)
        for p in parts:
            h.update(p)
        return h.hexdigest().encode()

    def message(self, msg_type, content=None, sig=None):
        header = json.dumps({"msg_id": uuid.uuid4().hex, "session": "raw", "username": "t",
                             "date": "2024-01-01T00:00:00Z", "msg_type": msg_type,
                             "version": "5.3"}).encode()
        parts = [header, b"{}", b"{}", json.dumps(content or {}).encode()]
        return [b"<IDS|MSG>", sig if sig is not None else self.sign(parts)] + parts

    def send(self, frames):
        self.sock.send_multipart(frames)

    def recv(self, timeout_ms=1000):
        if not self.sock.poll(timeout_ms):
            return None
        frames = self.sock.recv_multipart()
        i = frames.index(b"<IDS|MSG>")
        return json.loads(frames[i + 2]), json.loads(frames[i + 5])

    def close(self):
        self.sock.close()


def still_serves(km, kc):
    assert km.is_alive()
    assert kc.kernel_info(reply=True, timeout=TIMEOUT)["content"]["status"] == "ok"
    reply, _ = run_cell(kc, "2 + 2")
    assert reply["status"] == "ok"
