"""Protocol behaviour that jupyter_kernel_test does not cover, through
jupyter_client and raw ZeroMQ sockets: kernel_info details, interrupts in
both modes, heartbeat and control during a long cell, shutdown and restart,
stop_on_error, user_expressions, stdin, displays, signatures and garbage."""
import base64
import json
import os
import signal
import threading
import time
import uuid

import pytest
import zmq
from jupyter_client.manager import start_new_kernel

from kernelharness import (TIMEOUT, Raw, alive, descendants, parc_version, run_cell, still_serves,
                           stream_text, wait_until)

LOOP = "for (;;) {}"


# ---------------------------------------------------------------------------
# kernel_info, execute basics
# ---------------------------------------------------------------------------

def test_kernel_info_describes_c(kernel):
    km, kc = kernel
    c = kc.kernel_info(reply=True, timeout=TIMEOUT)["content"]
    li = c["language_info"]
    assert li["name"] == "c"
    assert li["mimetype"] == "text/x-csrc"
    assert li["file_extension"] == ".c"
    assert li["pygments_lexer"] == "c"
    assert li["codemirror_mode"] == "text/x-csrc"
    assert li["version"] in ("C99", "C11", "C17", "C23")  # from __STDC_VERSION__
    assert c["implementation"] == "parc"
    assert c["implementation_version"] == parc_version()
    major, minor = map(int, c["protocol_version"].split(".")[:2])
    assert (major, minor) >= (5, 3)
    assert c["banner"] and c["help_links"]
    assert all({"text", "url"} <= set(link) for link in c["help_links"])


def test_reply_headers_carry_protocol_version(kernel):
    km, kc = kernel
    msg = kc.kernel_info(reply=True, timeout=TIMEOUT)
    assert tuple(map(int, msg["header"]["version"].split(".")[:2])) >= (5, 3)


def test_compile_error_is_one_error_output(kernel):
    km, kc = kernel
    reply, outputs = run_cell(kc, "int broken = ;")
    assert reply["status"] == "error"
    assert reply["ename"] and reply["traceback"]
    kinds = [m["msg_type"] for m in outputs if m["msg_type"] not in ("status", "execute_input")]
    assert kinds == ["error"]


def test_execution_count_and_silent(kernel):
    km, kc = kernel
    r1, _ = run_cell(kc, "int a = 1;")
    r2, outs = run_cell(kc, '#include <stdio.h>\nprintf("quiet\\n");', silent=True)
    assert r2["status"] == "ok"
    assert r2["execution_count"] == r1["execution_count"]
    assert not [m for m in outs if m["msg_type"] in ("stream", "execute_input", "execute_result")]
    r3, _ = run_cell(kc, "a", store_history=False)
    assert r3["execution_count"] == r1["execution_count"]
    r4, _ = run_cell(kc, "a")
    assert r4["execution_count"] == r1["execution_count"] + 1


def test_user_expressions(kernel):
    km, kc = kernel
    run_cell(kc, "int base = 40;")
    reply, _ = run_cell(kc, "base += 1;", user_expressions={"ok": "base + 1", "bad": "nope_x"})
    ue = reply["user_expressions"]
    assert ue["ok"]["status"] == "ok"
    assert "42" in ue["ok"]["data"]["text/plain"]
    assert ue["bad"]["status"] == "error"
    assert ue["bad"]["ename"] and isinstance(ue["bad"]["traceback"], list)
    # Expressions are evaluated, never kept: the session is unchanged.
    reply, outs = run_cell(kc, "base", user_expressions={"side": "base = 0"})
    assert "0" in reply["user_expressions"]["side"]["data"]["text/plain"]
    reply, outs = run_cell(kc, "base")
    results = [m for m in outs if m["msg_type"] == "execute_result"]
    assert "41" in results[0]["content"]["data"]["text/plain"]


def test_display_update_and_png(kernel):
    km, kc = kernel
    png = bytes([137, 80, 78, 71, 13, 10, 26, 10, 0, 1, 2, 255])
    code = (
        'parc_display_id("prog", "text/plain", "0%", 2);\n'
        'parc_update_display("prog", "text/plain", "100%", 4);\n'
        'static const unsigned char png[] = {' + ", ".join(map(str, png)) + '};\n'
        'parc_display_png(png, sizeof png);\n'
    )
    reply, outs = run_cell(kc, code)
    assert reply["status"] == "ok"
    disp = [m for m in outs if m["msg_type"] == "display_data"]
    upd = [m for m in outs if m["msg_type"] == "update_display_data"]
    assert disp[0]["content"]["transient"]["display_id"] == "prog"
    assert upd[0]["content"]["transient"]["display_id"] == "prog"
    assert upd[0]["content"]["data"]["text/plain"] == "100%"
    pngs = [m for m in disp if "image/png" in m["content"]["data"]]
    assert base64.b64decode(pngs[0]["content"]["data"]["image/png"]) == png


def test_clear_output_wait(kernel):
    km, kc = kernel
    reply, outs = run_cell(kc, "parc_clear_output(1);")
    clears = [m for m in outs if m["msg_type"] == "clear_output"]
    assert clears and clears[0]["content"]["wait"] is True


def test_complete_counts_code_points(kernel):
    km, kc = kernel
    run_cell(kc, "int counter_value = 1;")
    code = 'const char *s = "héllo"; int n = counter_v'
    reply = kc.complete(code, len(code), reply=True, timeout=TIMEOUT)["content"]
    assert "counter_value" in reply["matches"]
    assert reply["cursor_end"] == len(code)
    assert reply["cursor_start"] == len(code) - len("counter_v")


def test_inspect_session_variable(kernel):
    km, kc = kernel
    run_cell(kc, "double ratio = 0.5;")
    reply = kc.inspect("ratio", 2, reply=True, timeout=TIMEOUT)["content"]
    assert reply["found"]
    text = reply["data"]["text/plain"]
    assert "ratio" in text and "double" in text
    reply = kc.inspect("no_such_name_here", 3, reply=True, timeout=TIMEOUT)["content"]
    assert reply["status"] == "ok" and not reply["found"]


def test_comm_info_and_unknown_comm_closed(kernel):
    km, kc = kernel
    msg = kc.session.msg("comm_info_request", {})
    kc.shell_channel.send(msg)
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["content"] == {"status": "ok", "comms": {}}
    comm_id = uuid.uuid4().hex
    msg = kc.session.msg("comm_open", {"comm_id": comm_id, "target_name": "nobody", "data": {}})
    kc.shell_channel.send(msg)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["msg_type"] == "comm_close":
            assert m["content"]["comm_id"] == comm_id
            break
    else:
        pytest.fail("no comm_close")


# ---------------------------------------------------------------------------
# stdin
# ---------------------------------------------------------------------------

def test_stdin_round_trip(kernel):
    km, kc = kernel
    prompts = []

    def answer(msg):
        prompts.append(msg["content"])
        kc.input("Ada")

    code = ('#include <stdio.h>\nchar name[32];\nprintf("name? ");\n'
            'scanf("%31s", name);\nprintf("hello %s\\n", name);')
    reply, outs = run_cell(kc, code, allow_stdin=True, stdin_hook=answer)
    assert reply["status"] == "ok"
    assert len(prompts) == 1 and prompts[0]["password"] is False
    assert "hello Ada" in stream_text(outs)


def test_stdin_not_allowed_reads_eof(kernel):
    km, kc = kernel
    code = '#include <stdio.h>\nint c = getchar();\nprintf("got %d\\n", c);'
    reply, outs = run_cell(kc, code, allow_stdin=False)
    assert reply["status"] == "ok"
    assert "got -1" in stream_text(outs)
    assert "allow_stdin" in stream_text(outs, "stderr")


# ---------------------------------------------------------------------------
# Interrupts
# ---------------------------------------------------------------------------

def interrupted_loop(km, kc, how):
    """Runs an endless loop, interrupts it with how(km) after a moment and
    checks that the session is intact and works."""
    run_cell(kc, "int kept = 7;")
    timer = threading.Timer(1.0, how, args=(km,))
    timer.start()
    t0 = time.monotonic()
    reply, outs = run_cell(kc, "kept = 99;\n" + LOOP, timeout=20)
    timer.join()
    assert time.monotonic() - t0 < 10
    assert reply["status"] == "error"
    errors = [m for m in outs if m["msg_type"] == "error"]
    assert len(errors) == 1
    assert "interrupt" in (errors[0]["content"]["ename"] + errors[0]["content"]["evalue"]).lower()
    reply, outs = run_cell(kc, "kept")
    results = [m for m in outs if m["msg_type"] == "execute_result"]
    assert reply["status"] == "ok" and "7" in results[0]["content"]["data"]["text/plain"]
    reply, outs = run_cell(kc, '#include <stdio.h>\nprintf("after %d\\n", kept + 1);')
    assert "after 8" in stream_text(outs)


def test_interrupt_by_message(kernel):
    km, kc = kernel
    assert km.kernel_spec.interrupt_mode == "message"
    interrupted_loop(km, kc, lambda km: km.interrupt_kernel())


def test_interrupt_by_signal_mode():
    km, kc = start_new_kernel(kernel_name="parc-signal", startup_timeout=TIMEOUT)
    try:
        assert km.kernel_spec.interrupt_mode == "signal"
        interrupted_loop(km, kc, lambda km: km.interrupt_kernel())
    finally:
        kc.stop_channels()
        km.shutdown_kernel()


def test_interrupt_by_sigint_to_kernel_process(kernel):
    km, kc = kernel
    interrupted_loop(km, kc, lambda km: os.kill(km.provisioner.process.pid, signal.SIGINT))


def test_interrupt_while_waiting_for_input(kernel):
    km, kc = kernel
    code = '#include <stdio.h>\nchar b[8];\nfgets(b, sizeof b, stdin);'
    threading.Timer(1.0, km.interrupt_kernel).start()
    reply, _ = run_cell(kc, code, allow_stdin=True, stdin_hook=lambda m: None, timeout=20)
    assert reply["status"] == "error"
    reply, _ = run_cell(kc, "1 + 1")
    assert reply["status"] == "ok"


# ---------------------------------------------------------------------------
# Heartbeat and control while a cell runs
# ---------------------------------------------------------------------------

def test_heartbeat_and_control_during_long_cell(kernel):
    km, kc = kernel
    ctx = zmq.Context.instance()
    hb = ctx.socket(zmq.REQ)
    hb.linger = 0
    hb.connect(km._make_url("hb"))
    msg_id = kc.execute('#include <unistd.h>\nsleep(10);')
    t0 = time.monotonic()
    pings = 0
    try:
        while time.monotonic() - t0 < 10.5:
            hb.send(b"ping")
            assert hb.poll(1000), "heartbeat did not answer within 1 s"
            assert hb.recv() == b"ping"
            pings += 1
            time.sleep(0.5)
        # The control channel answers while the cell still runs.
        kc.control_channel.send(kc.session.msg("kernel_info_request"))
        ctl = kc.control_channel.get_msg(timeout=5)
        assert ctl["msg_type"] == "kernel_info_reply"
    finally:
        hb.close()
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "ok"
    assert pings >= 15


# ---------------------------------------------------------------------------
# Shutdown and restart
# ---------------------------------------------------------------------------

def session_processes(km, kc):
    """Starts a background process from a cell; returns the kernel's pid and
    every process under it."""
    reply, _ = run_cell(kc, '#include <stdlib.h>\nsystem("sleep 300 &");')
    assert reply["status"] == "ok"
    pid = km.provisioner.process.pid
    procs = descendants(pid)
    assert len(procs) >= 2  # the executor and the orphaned sleep at least
    return pid, procs


def test_shutdown_ends_every_process():
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT)
    pid, procs = session_processes(km, kc)
    kc.stop_channels()
    t0 = time.monotonic()
    km.shutdown_kernel(now=False)
    # A clean exit, not the manager's kill after its timeout.
    assert time.monotonic() - t0 < 3
    assert wait_until(lambda: not any(alive(p) for p in procs + [pid]), 5), \
        [p for p in procs if alive(p)]


def test_restart_gives_a_fresh_session():
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT)
    try:
        run_cell(kc, "int before_restart = 5;")
        pid, procs = session_processes(km, kc)
        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=TIMEOUT)
        assert wait_until(lambda: not any(alive(p) for p in procs), 5)
        reply, _ = run_cell(kc, "before_restart")
        assert reply["status"] == "error"
        reply, _ = run_cell(kc, "1 + 2")
        assert reply["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.mark.parametrize("restart", [False, True])
def test_shutdown_request_reply(restart):
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT)
    try:
        msg = kc.session.msg("shutdown_request", {"restart": restart})
        kc.control_channel.send(msg)
        reply = kc.control_channel.get_msg(timeout=TIMEOUT)
        assert reply["msg_type"] == "shutdown_reply"
        assert reply["content"]["status"] == "ok"
        assert reply["content"]["restart"] is restart
        proc = km.provisioner.process
        assert proc.wait(timeout=5) == 0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


# ---------------------------------------------------------------------------
# stop_on_error
# ---------------------------------------------------------------------------

def collect_replies(kc, ids):
    replies = {}
    while len(replies) < len(ids):
        m = kc.get_shell_msg(timeout=TIMEOUT)
        replies[m["parent_header"]["msg_id"]] = m["content"]
    return [replies[i] for i in ids]


def test_stop_on_error_aborts_queued_cells(kernel):
    km, kc = kernel
    ids = [kc.execute("int oops = ;"),
           kc.execute('#include <stdio.h>\nprintf("must not run\\n");'),
           kc.execute("int never = 1;")]
    first, second, third = collect_replies(kc, ids)
    assert first["status"] == "error"
    assert second["status"] == "aborted" and third["status"] == "aborted"
    reply, _ = run_cell(kc, "never")
    assert reply["status"] == "error"  # the aborted definition never ran
    reply, _ = run_cell(kc, "1 + 1")
    assert reply["status"] == "ok"     # and the next cell runs again


def test_cell_sent_after_a_failed_reply_runs(kernel):
    """Only requests queued behind a failure are aborted: one sent as soon
    as the failed cell's reply arrives, before its idle status, runs."""
    km, kc = kernel
    for i in range(20):
        first = kc.execute("int bad%d = ;" % i)
        m = kc.get_shell_msg(timeout=TIMEOUT)
        assert m["parent_header"]["msg_id"] == first and m["content"]["status"] == "error"
        second = kc.execute("%d" % i)
        m = kc.get_shell_msg(timeout=TIMEOUT)
        assert m["parent_header"]["msg_id"] == second
        assert m["content"]["status"] == "ok", (i, m["content"])


def test_without_stop_on_error_queued_cells_run(kernel):
    km, kc = kernel
    ids = [kc.execute("int oops2 = ;", stop_on_error=False),
           kc.execute("int ran = 1;")]
    first, second = collect_replies(kc, ids)
    assert first["status"] == "error" and second["status"] == "ok"


# ---------------------------------------------------------------------------
# Signatures and garbage
# ---------------------------------------------------------------------------

def test_wrong_signature_is_dropped_and_logged(logged_kernel):
    km, kc, log = logged_kernel
    raw = Raw(km)
    try:
        raw.send(raw.message("kernel_info_request", sig=b"0" * 64))
        assert raw.recv() is None
        raw.send(raw.message("kernel_info_request", sig=b"nothex"))
        assert raw.recv() is None
        good = raw.message("kernel_info_request")
        raw.send(good)
        header, content = raw.recv(5000)
        assert header["msg_type"] == "kernel_info_reply"
        raw.send(good)  # the same signature again: a replay
        assert raw.recv() is None
    finally:
        raw.close()
    still_serves(km, kc)
    text = log.read_text()
    assert "invalid signature" in text and "replayed signature" in text


def test_garbage_frames_do_not_crash(logged_kernel):
    km, kc, log = logged_kernel
    for channel in ("shell", "control", "stdin"):
        raw = Raw(km, channel)
        try:
            valid = raw.message("kernel_info_request")
            not_json = [b"<IDS|MSG>", raw.sign([b"{", b"}", b"[]", b"\xff"]), b"{", b"}", b"[]",
                        b"\xff"]
            no_header_type = raw.message("x")
            no_header_type[2] = b'{"no": "type"}'
            no_header_type[1] = raw.sign(no_header_type[2:6])
            for frames in (
                [b"garbage"],
                [b"", b"", b""],
                not_json,
                no_header_type,
                valid[2:],          # no delimiter
                valid[:3],          # truncated multipart
                valid[:1],
                [b"<IDS|MSG>", b"x" * (64 << 20)],  # a huge frame
            ):
                raw.send(frames)
            assert raw.recv(500) is None
        finally:
            raw.close()
    still_serves(km, kc)
    text = log.read_text()
    assert "dropped a message" in text and "delimiter" in text and "truncated" in text


# ---------------------------------------------------------------------------
# History
# ---------------------------------------------------------------------------

def test_history_is_kept_across_kernels():
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT)
    try:
        run_cell(kc, "int hist_marker = 1;")
        run_cell(kc, "hist_marker + 1")
        kc.history(hist_access_type="tail", n=2, output=True)
        tail = kc.get_shell_msg(timeout=TIMEOUT)["content"]["history"]
        assert [h[2][0] for h in tail] == ["int hist_marker = 1;", "hist_marker + 1"]
        assert "2" in tail[1][2][1]
        session = tail[0][0]
    finally:
        kc.stop_channels()
        km.shutdown_kernel()
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT)
    try:
        kc.history(hist_access_type="search", pattern="*hist_marker*", unique=True)
        found = kc.get_shell_msg(timeout=TIMEOUT)["content"]["history"]
        assert [h[2] for h in found][-2:] == ["int hist_marker = 1;", "hist_marker + 1"]
        kc.history(hist_access_type="range", session=session, start=1, stop=100)
        rng = kc.get_shell_msg(timeout=TIMEOUT)["content"]["history"]
        assert {h[0] for h in rng} == {session}
        run_cell(kc, "3")
        kc.history(hist_access_type="range", session=0, start=1, stop=2)
        cur = kc.get_shell_msg(timeout=TIMEOUT)["content"]["history"]
        assert cur and cur[0][0] > session and cur[0][2] == "3"
    finally:
        kc.stop_channels()
        km.shutdown_kernel()


def test_interrupt_when_idle_changes_nothing(kernel):
    km, kc = kernel
    run_cell(kc, "int idle_kept = 3;")
    km.interrupt_kernel()
    os.kill(km.provisioner.process.pid, signal.SIGINT)
    time.sleep(0.5)
    reply, outs = run_cell(kc, "idle_kept")
    results = [m for m in outs if m["msg_type"] == "execute_result"]
    assert reply["status"] == "ok" and "3" in results[0]["content"]["data"]["text/plain"]


def test_sigterm_ends_kernel_and_session():
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT)
    try:
        pid, procs = session_processes(km, kc)
        os.kill(pid, signal.SIGTERM)
        assert km.provisioner.process.wait(timeout=10) == 0
        assert wait_until(lambda: not any(alive(p) for p in procs), 5)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


ORPHAN_SCRIPT = """
import os, sys
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="parc", startup_timeout=30)
kc.execute_interactive('#include <stdlib.h>\\nsystem("sleep 300 &");', timeout=30)
print(km.provisioner.process.pid, flush=True)
os._exit(0)  # the front end dies without shutting the kernel down
"""


def test_kernel_ends_when_its_front_end_dies():
    import subprocess
    import sys
    # The kernel inherits the pipe: read the pid line, never to end of file.
    front = subprocess.Popen([sys.executable, "-c", ORPHAN_SCRIPT], stdout=subprocess.PIPE,
                             text=True)
    pid = int(front.stdout.readline())
    procs = descendants(pid)
    assert front.wait(timeout=30) == 0
    front.stdout.close()
    assert procs, "the session's processes should still be there"
    assert wait_until(lambda: not alive(pid), 10)
    assert wait_until(lambda: not any(alive(p) for p in procs), 5)


def test_output_streams_live_and_in_order(kernel):
    km, kc = kernel
    code = ('#include <stdio.h>\n#include <unistd.h>\n'
            'printf("one\\n"); usleep(2000); printf("two\\n");\n'
            'fprintf(stderr, "three\\n"); printf("four\\n");\n'
            'sleep(3);')
    msg_id = kc.execute(code)
    t0 = time.monotonic()
    got, times = [], []
    while not ("four\n" in "".join(t for _, t in got) and ("stderr", "three\n") in got):
        m = kc.get_iopub_msg(timeout=TIMEOUT)
        if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "stream":
            got.append((m["content"]["name"], m["content"]["text"]))
            times.append(time.monotonic() - t0)
    # Output a cell writes arrives while it still runs (it sleeps 3 s).
    assert times[-1] < 1.5, times
    # Bursts are gathered; each stream keeps its order. (Between stdout and
    # stderr, two pipes, the order of lines written together is not kept.)
    assert "".join(t for n, t in got if n == "stdout") == "one\ntwo\nfour\n"
    assert [t for n, t in got if n == "stderr"] == ["three\n"]
    assert kc.get_shell_msg(timeout=TIMEOUT)["content"]["status"] == "ok"


def test_output_flood_arrives_whole_in_few_messages(kernel):
    km, kc = kernel
    n = 100000
    reply, outs = run_cell(kc, '#include <stdio.h>\nfor (int i = 0; i < %d; i++) '
                               'printf("line %%d\\n", i);' % n, timeout=60)
    text = stream_text(outs)
    assert text.count("\n") == n and text.endswith("line %d\n" % (n - 1))
    assert len([m for m in outs if m["msg_type"] == "stream"]) < n / 100
