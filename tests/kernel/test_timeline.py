"""Timelines through the Jupyter protocol: one display bundle (SVG and
text) after a cell whose threads overlapped, live updates in place while a
long cell runs, %timeline settings, and %timeline save as SVG and as Chrome
trace JSON whose slices nest on every track."""
import json

from kernelharness import run_cell, stream_text

THREADS = r"""
#include <pthread.h>
#include <unistd.h>
void *nap(void *arg) { usleep((long)arg); return NULL; }
pthread_t a, b;
pthread_create(&a, NULL, nap, (void *)%d);
pthread_create(&b, NULL, nap, (void *)%d);
pthread_join(a, NULL);
pthread_join(b, NULL);
"""


def displays(outputs, kind="display_data"):
    return [m["content"] for m in outputs if m["msg_type"] == kind]


def test_parallel_threads_show_one_bundle(kernel):
    _, kc = kernel
    reply, outputs = run_cell(kc, THREADS % (100000, 150000))
    assert reply["status"] == "ok"
    shown = displays(outputs)
    assert len(shown) == 1
    data = shown[0]["data"]
    assert set(data) == {"image/svg+xml", "text/plain"}
    svg = data["image/svg+xml"]
    assert svg.startswith("<svg") and "nap" in svg and "speedup" in svg
    assert svg.count("<title>nap&#10;thread ") == 2
    assert "thread 1 (tid " in data["text/plain"] and "speedup" in data["text/plain"]
    assert shown[0]["transient"]["display_id"]


def test_timeline_off_on_and_serial_cells(kernel):
    _, kc = kernel
    run_cell(kc, "%timeline off\n")
    _, outputs = run_cell(kc, THREADS % (50000, 50000))
    assert displays(outputs) == []
    _, outputs = run_cell(kc, "%%timeline\n" + THREADS % (50000, 50000))
    assert len(displays(outputs)) == 1
    run_cell(kc, "%timeline auto\n")
    _, outputs = run_cell(kc, "int x = 1;")
    assert displays(outputs) == []  # nothing ran in parallel
    _, outputs = run_cell(kc, "%timeline\n")
    assert stream_text(outputs) == "timeline: auto\n"


def test_live_updates_in_place(kernel):
    _, kc = kernel
    reply, outputs = run_cell(kc, THREADS % (2000000, 2000000), timeout=30)
    assert reply["status"] == "ok"
    first = displays(outputs)
    updates = displays(outputs, "update_display_data")
    assert len(first) == 1
    assert len(updates) >= 2
    ident = first[0]["transient"]["display_id"]
    assert all(u["transient"]["display_id"] == ident for u in updates)
    assert "(running)" in first[0]["data"]["image/svg+xml"]
    assert "(running)" not in updates[-1]["data"]["image/svg+xml"]  # the final picture


def nested(slices):
    """Whether complete slices nest on their track (given sorted by start)."""
    stack = []
    for s in slices:
        start, end = s["ts"], s["ts"] + s["dur"]
        while stack and stack[-1] <= start + 1e-6:
            stack.pop()
        if stack and end > stack[-1] + 1e-6:
            return False
        stack.append(end)
    return True


def test_save_svg_and_chrome_json(kernel, tmp_path):
    _, kc = kernel
    run_cell(kc, THREADS % (100000, 100000))
    svg, js = tmp_path / "t.svg", tmp_path / "t.json"
    reply, outputs = run_cell(kc, f"%timeline save {svg}\n%timeline save {js}\n")
    assert reply["status"] == "ok", outputs
    assert svg.read_text().startswith("<svg")
    doc = json.loads(js.read_text())
    events = doc["traceEvents"]
    names = {e["args"]["name"] for e in events if e.get("name") == "thread_name"}
    assert any(n.startswith("thread 1 (tid ") for n in names)
    tracks = {}
    for e in events:
        if e["ph"] == "X":
            tracks.setdefault((e["pid"], e["tid"]), []).append(e)
    assert sum(len(v) for v in tracks.values()) == 2
    for slices in tracks.values():
        slices.sort(key=lambda s: (s["ts"], -s["dur"]))
        assert nested(slices)
    reply, outputs = run_cell(kc, f"%timeline save {tmp_path}/t.png\n")
    assert reply["status"] == "error"


def test_chrome_golden_nests():
    """The renderer's golden JSON (tests/trace) parses and nests, with the
    overlapping slice moved to a second track of its lane."""
    import pathlib
    doc = json.loads((pathlib.Path(__file__).parents[1] / "trace" / "schedule.json").read_text())
    tracks = {}
    for e in doc["traceEvents"]:
        if e["ph"] == "X":
            tracks.setdefault((e["pid"], e["tid"]), []).append(e)
    assert len(tracks) == 3
    for slices in tracks.values():
        slices.sort(key=lambda s: (s["ts"], -s["dur"]))
        assert nested(slices)
