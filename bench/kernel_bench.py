#!/usr/bin/env python3
"""Kernel benchmark: parc-kernel side by side with ipykernel, in one run.

  .venv/bin/python bench/kernel_bench.py [--starts N] [--cells N]

Measures, for each kernel:
  start  the time from launching the kernel process to its kernel_info_reply,
         with the client's sockets connected before the launch (so the
         figure is the kernel's own start, not the client's);
  cell   the round trip of a trivial cell through jupyter_client's
         execute_interactive (parc: `;` and `int x = 1;`, ipykernel: `pass`);
  idle   the resident memory of all the kernel's processes, idle after a
         few cells.
Prints a Markdown table (medians and 90th percentiles).
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import zmq
from jupyter_client.connect import write_connection_file
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD = pathlib.Path(os.environ.get("PARC_BUILD_DIR", ROOT / "build"))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def descendants(pid):
    kids = {}
    for p in pathlib.Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(p.name))
    out, todo = [pid], [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def rss_kib(pid):
    total = 0
    for p in descendants(pid):
        try:
            for line in pathlib.Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def one_start(argv, env, tmp):
    """Launches the kernel with a fresh connection file; returns seconds to
    its kernel_info_reply."""
    cf = os.path.join(tmp, f"bench-{time.monotonic_ns()}.json")
    cf, info = write_connection_file(cf, ip="127.0.0.1", key=os.urandom(16).hex().encode())
    session = Session(key=info["key"].encode() if isinstance(info["key"], str) else info["key"])
    ctx = zmq.Context.instance()
    shell = ctx.socket(zmq.DEALER)
    shell.setsockopt(zmq.RECONNECT_IVL, 1)
    shell.linger = 0
    shell.connect(f"tcp://127.0.0.1:{info['shell_port']}")
    cmd = [a.replace("{connection_file}", cf) for a in argv]
    if cmd[0] in ("python", "python3"):
        cmd[0] = sys.executable  # as jupyter_client does
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        session.send(shell, "kernel_info_request", {})
        if not shell.poll(30000):
            raise RuntimeError(f"no kernel_info_reply from {cmd[0]}")
        shell.recv_multipart()
        return time.perf_counter() - t0
    finally:
        shell.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        os.unlink(cf)


def bench(name, cells, starts, ncells, tmp):
    spec = KernelSpecManager().get_kernel_spec(name)
    env = dict(os.environ, **spec.env)
    start = [one_start(spec.argv, env, tmp) for _ in range(starts)]
    km, kc = start_new_kernel(kernel_name=name)
    try:
        rows = {}
        for code in cells:
            for _ in range(20):  # warm up
                kc.execute_interactive(code, timeout=30, output_hook=lambda m: None)
            ts = []
            for _ in range(ncells):
                t0 = time.perf_counter()
                r = kc.execute_interactive(code, timeout=30, output_hook=lambda m: None)
                ts.append(time.perf_counter() - t0)
                assert r["content"]["status"] == "ok", r["content"]
            rows[code] = ts
        time.sleep(1.0)
        idle = rss_kib(km.provisioner.process.pid)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    return start, rows, idle


def ms(x):
    return f"{x * 1000:.2f} ms"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--starts", type=int, default=21)
    ap.add_argument("--cells", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(BUILD / "kernel" / "parc-kernel"), "install-kernel", "--prefix", tmp],
                       check=True, stdout=subprocess.DEVNULL)
        os.environ["JUPYTER_PATH"] = os.path.join(tmp, "share", "jupyter")
        os.environ["PARC_KERNEL_HISTORY"] = ""
        runs = [("parc", "parc-kernel", [";", "int x = 1;"]),
                ("python3", "ipykernel", ["pass"])]
        print(f"starts: {args.starts}, cells: {args.cells} per code, "
              f"{os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
        print("| kernel | start → kernel_info_reply (median / p90) | cell | round trip (median / p90) | idle RSS, all processes |")
        print("| --- | --- | --- | --- | --- |")
        for name, label, cells in runs:
            start, rows, idle = bench(name, cells, args.starts, args.cells, tmp)
            for i, (code, ts) in enumerate(rows.items()):
                s = f"{ms(statistics.median(start))} / {ms(pct(start, 90))}" if i == 0 else ""
                mem = f"{idle / 1024:.1f} MiB" if i == 0 else ""
                print(f"| {label if i == 0 else ''} | {s} | `{code}` | "
                      f"{ms(statistics.median(ts))} / {ms(pct(ts, 90))} | {mem} |")


if __name__ == "__main__":
    main()
