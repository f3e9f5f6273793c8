"""OpenMP timelines through the kernel: the chunks a schedule hands out (with
their iteration ranges), barrier waits of an unbalanced loop, critical
sections waited for, explicit tasks, and the imbalance the summary shows for
static against dynamic schedules. Traces are read from %timeline save's
Chrome trace JSON."""
import json
import re

from kernelharness import run_cell, stream_text

SPIN = "void spin(long n) { volatile double x = 0; for (long k = 0; k < n; k++) x += k; }\n"


def ok(kc, code, timeout=60):
    reply, outputs = run_cell(kc, code, timeout=timeout)
    assert reply["status"] == "ok", outputs
    return outputs


def slices_of(kc, tmp_path, code):
    """Runs code, saves its timeline and returns its slices, each with the
    label of its lane."""
    ok(kc, SPIN)
    ok(kc, code)
    path = tmp_path / "omp.json"
    ok(kc, f"%timeline save {path}\n")
    events = json.loads(path.read_text())["traceEvents"]
    lanes = {(e["pid"], e["tid"]): re.sub(r"\) \(\d+\)$", ")", e["args"]["name"])
             for e in events if e.get("name") == "thread_name"}
    return [dict(e, lane=lanes[(e["pid"], e["tid"])]) for e in events if e["ph"] == "X"]


def chunks(slices):
    return sorted((s["args"]["a0"], s["args"]["a1"], s["lane"]) for s in slices if s["name"] == "chunk")


def test_static_two_threads_split_32_iterations_in_halves(kernel, tmp_path):
    _, kc = kernel
    got = chunks(slices_of(kc, tmp_path, "%%openmp -t 2\n#pragma omp parallel for schedule(static)\n"
                                         "for (int i = 0; i < 32; i++) spin(20000);\n"))
    assert [(lo, hi) for lo, hi, _ in got] == [(0, 16), (16, 32)]
    assert got[0][2] != got[1][2]  # one per OpenMP thread
    assert any(lane.startswith("OpenMP thread 1 (tid ") for _, _, lane in got)


def test_dynamic_chunks_of_4_cover_each_iteration_once(kernel, tmp_path):
    _, kc = kernel
    got = chunks(slices_of(kc, tmp_path, "%%openmp -t 2\n#pragma omp parallel for schedule(dynamic, 4)\n"
                                         "for (int i = 0; i < 32; i++) spin(20000);\n"))
    assert [(lo, hi) for lo, hi, _ in got] == [(k, k + 4) for k in range(0, 32, 4)]


def test_runtime_schedule_from_the_magic(kernel, tmp_path):
    _, kc = kernel
    got = chunks(slices_of(kc, tmp_path, "%%openmp -t 2 --schedule dynamic,8\n"
                                         "#pragma omp parallel for schedule(runtime)\n"
                                         "for (int i = 0; i < 32; i++) spin(20000);\n"))
    assert [(lo, hi) for lo, hi, _ in got] == [(k, k + 8) for k in range(0, 32, 8)]


def test_unbalanced_loop_waits_at_the_barrier(kernel, tmp_path):
    _, kc = kernel
    slices = slices_of(kc, tmp_path, "%%openmp -t 2\n#pragma omp parallel for schedule(static)\n"
                                     "for (int i = 0; i < 32; i++) spin(i < 16 ? 1000 : 100000);\n")
    got = chunks(slices)
    light, heavy = got[0][2], got[1][2]
    heavy_ms = sum(s["dur"] for s in slices if s["name"] == "chunk" and s["lane"] == heavy)
    waits = [s for s in slices if s["lane"] == light and s["cat"] == "wait" and s["name"] == "implicit barrier"]
    assert waits and max(w["dur"] for w in waits) > heavy_ms / 2
    regions = {s["lane"] for s in slices if s["name"] == "parallel region"}
    assert regions == {light, heavy}


def test_contended_critical_is_a_wait(kernel, tmp_path):
    _, kc = kernel
    slices = slices_of(kc, tmp_path, "%%openmp -t 2\n#pragma omp parallel\n{\n#pragma omp barrier\n"
                                     "#pragma omp critical\n    spin(2000000);\n}\n")
    waits = [s for s in slices if s["name"] == "waiting for critical"]
    assert len(waits) >= 1 and max(w["dur"] for w in waits) > 100  # µs


def test_explicit_tasks_are_their_own_slices(kernel, tmp_path):
    _, kc = kernel
    slices = slices_of(kc, tmp_path, "%%openmp -t 2\n#pragma omp parallel\n#pragma omp single\n"
                                     "for (int t = 0; t < 8; t++) {\n#pragma omp task\n    spin(50000);\n}\n")
    assert len([s for s in slices if s["name"] == "task" and s["cat"] == "task"]) == 8


def test_no_trace_records_no_chunks(kernel, tmp_path):
    _, kc = kernel
    ok(kc, SPIN)
    ok(kc, "%%openmp -t 2 --no-trace\n#pragma omp parallel for\nfor (int i = 0; i < 32; i++) spin(20000);\n")
    reply, outputs = run_cell(kc, f"%timeline save {tmp_path / 'none.json'}\n")
    assert reply["status"] == "error" or '"chunk"' not in (tmp_path / "none.json").read_text()


def imbalance(outputs):
    texts = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "display_data"]
    assert len(texts) == 1
    return int(re.search(r"imbalance (\d+)%", texts[0]).group(1))


def test_static_and_dynamic_imbalance_differ_on_uneven_work(kernel):
    _, kc = kernel
    ok(kc, SPIN)
    # A first region starts the threads, so neither loop waits for one.
    loop = ("#pragma omp parallel\nspin(1000);\n"
            "#pragma omp parallel for schedule(%s)\nfor (int i = 0; i < 32; i++) spin(1000L * i * i);\n")
    static = imbalance(ok(kc, "%%openmp -t 2\n%timeline on\n" + loop % "static"))
    dynamic = imbalance(ok(kc, "%%openmp -t 2\n%timeline on\n" + loop % "dynamic, 1"))
    assert static >= 25 and dynamic < static, (static, dynamic)


def test_scaling_omp_sets_the_thread_count_of_each_run(kernel):
    _, kc = kernel
    ok(kc, "int seen[8];\n")
    outputs = ok(kc, "%%scaling --omp -w 1,2 -r 1\n#pragma omp parallel\n{\n#pragma omp single\n"
                     "    seen[omp_get_num_threads()]++;\n}\n")
    text = stream_text(outputs)
    assert text.startswith("%%scaling: OpenMP threads, 1 run per count after a warm-up;"), text
    assert re.search(r"^ +1 ", text, re.M) and re.search(r"^ +2 ", text, re.M)
    reply, outputs = run_cell(kc, "seen[1] * 10 + seen[2]")
    results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
    assert results == ["(int) 21"], outputs  # warm-up and one run on 1, one on 2


def test_static_chunked_share_is_one_task_per_thread(kernel, tmp_path):
    _, kc = kernel
    slices = slices_of(kc, tmp_path, "%%openmp -t 2\n#pragma omp parallel for schedule(static, 4)\n"
                                     "for (int i = 0; i < 32; i++) spin(20000);\n")
    shares = sorted((s["args"]["a0"], s["args"]["a1"]) for s in slices if s["name"] == "chunks of 4 every 8")
    assert shares == [(0, 32), (4, 32)]
