"""Hostile and malformed messages through the kernel's real sockets:
forged and replayed signatures (nothing unsigned ever runs while the
connection has a key), unknown message types, missing and wrongly typed
fields, JSON that is not UTF-8, 100 MB frames, frames over the kernel's
limit, and thousands of requests
queued while a cell runs. The kernel must not crash, must drop and log
what it cannot trust, and must answer every well-formed request.
(test_kernel_protocol.py covers bad signatures and garbage frames.)"""
import hashlib
import hmac
import json
import os
import signal
import subprocess
import time
import uuid

import zmq

from jupyter_client.manager import start_new_kernel

from kernelharness import KERNEL, TIMEOUT, Raw, run_cell, still_serves, wait_until


def header(msg_type, **extra):
    h = {"msg_id": uuid.uuid4().hex, "session": "hostile", "username": "t",
         "date": "2024-01-01T00:00:00Z", "msg_type": msg_type, "version": "5.3"}
    h.update(extra)
    return h


class Client(Raw):
    """Raw with messages built from any bytes and replies matched to
    requests."""

    def build(self, hdr, content, key=None, parent=b"{}", metadata=b"{}", buffers=()):
        """Signed frames of a message; hdr and content are dicts or bytes."""
        enc = lambda v: v if isinstance(v, bytes) else json.dumps(v).encode()
        parts = [enc(hdr), parent, metadata, enc(content)]
        mac = hmac.new(self.key if key is None else key, digestmod=hashlib.sha256)
        for p in parts:
            mac.update(p)
        return [b"<IDS|MSG>", mac.hexdigest().encode()] + parts + list(buffers)

    def request(self, msg_type, content=None, **kw):
        """Sends a signed request; returns its msg_id."""
        h = header(msg_type)
        self.send(self.build(h, content if content is not None else {}, **kw))
        return h["msg_id"]

    def reply(self, timeout_ms=TIMEOUT * 1000):
        """(msg_type, parent msg_id, content) of the next message, or None."""
        if not self.sock.poll(timeout_ms):
            return None
        frames = self.sock.recv_multipart()
        i = frames.index(b"<IDS|MSG>")
        h, parent = json.loads(frames[i + 2]), json.loads(frames[i + 3])
        return h["msg_type"], parent.get("msg_id"), json.loads(frames[i + 5])


def cell_writing(path, text):
    return f'{{ FILE *f = fopen("{path}", "a"); fputs("{text}", f); fclose(f); }}'


# ---------------------------------------------------------------------------
# Signatures: nothing unsigned runs
# ---------------------------------------------------------------------------

def test_forged_requests_never_run(logged_kernel, tmp_path):
    km, kc, log = logged_kernel
    marker = tmp_path / "ran"
    content = {"code": cell_writing(marker, "forged"), "silent": False}
    c = Client(km)
    try:
        good = c.build(header("execute_request"), content)
        other = c.build(header("execute_request"), {"code": "1"})
        forgeries = [
            good[:1] + [b""] + good[2:],                       # no signature
            good[:1] + [b"0" * 64] + good[2:],                 # wrong signature
            c.build(header("execute_request"), content, key=b"not the key"),
            good[:1] + other[1:2] + good[2:],                  # another message's signature
            good[:1] + [good[1] + b"00"] + good[2:],           # too long
            good[:1] + [good[1][:-2]] + good[2:],              # too short
            good[:5] + [good[5] + b" "],                       # content changed after signing
        ]
        for frames in forgeries:
            c.send(frames)
        # Unsigned shutdown and interrupt requests on control and shell.
        for channel in ("control", "shell"):
            ctl = Client(km, channel)
            for t in ("shutdown_request", "interrupt_request"):
                ctl.send(ctl.build(header(t), {"restart": False}, key=b"wrong"))
            assert ctl.reply(300) is None
            ctl.close()
        assert c.reply(1000) is None
    finally:
        c.close()
    still_serves(km, kc)
    assert not marker.exists()
    text = log.read_text()
    assert text.count("dropped a message") >= len(forgeries) + 4
    assert "invalid signature" in text and "malformed signature" in text
    # The same cell, signed properly, runs once.
    reply, _ = run_cell(kc, cell_writing(marker, "signed"))
    assert reply["status"] == "ok" and marker.read_text() == "signed"


def test_replayed_requests_never_run_twice(logged_kernel, tmp_path):
    km, kc, log = logged_kernel
    marker = tmp_path / "ran"
    c, ctl = Client(km), Client(km, "control")
    try:
        frames = c.build(header("execute_request"), {"code": cell_writing(marker, "once")})
        c.send(frames)
        replies = []
        while (r := c.reply()) and r[0] != "execute_reply":
            replies.append(r)
        assert r and r[2]["status"] == "ok"
        c.send(frames)                 # the same message again
        ctl.send(frames)               # and on another channel
        time.sleep(0.2)
        c.send(frames[:1] + [frames[1].upper()] + frames[2:])  # the same digest spelt in capitals
        assert c.reply(1000) is None and ctl.reply(300) is None
    finally:
        c.close()
        ctl.close()
    still_serves(km, kc)
    assert marker.read_text() == "once"
    assert log.read_text().count("replayed signature") == 3


def test_forged_interrupt_leaves_running_cell_alone(kernel):
    km, kc = kernel
    ctl = Client(km, "control")
    try:
        msg_id = kc.execute('#include <unistd.h>\nusleep(1500000); puts("finished");')
        time.sleep(0.5)
        ctl.send(ctl.build(header("interrupt_request"), {}, key=b"wrong"))
        reply = kc.get_shell_msg(timeout=TIMEOUT)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["status"] == "ok"
    finally:
        ctl.close()


# ---------------------------------------------------------------------------
# Unknown types, wrong fields, bad JSON
# ---------------------------------------------------------------------------

def test_unknown_message_types_are_ignored(logged_kernel):
    km, kc, log = logged_kernel
    for channel in ("shell", "control", "stdin"):
        c = Client(km, channel)
        try:
            for t in ("frobnicate_request", "", "execute_reply", "x" * 100000, "input_reply"):
                c.request(t, {"code": "1"})
            if channel != "stdin":
                # Only the well-formed request is answered.
                msg_id = c.request("kernel_info_request")
                r = c.reply()
                assert r and r[0] == "kernel_info_reply" and r[1] == msg_id, r
            assert c.reply(300) is None
        finally:
            c.close()
    still_serves(km, kc)
    text = log.read_text()
    assert "ignored a frobnicate_request message" in text


# (msg_type, content, what the reply must say)
ODD_FIELDS = [
    ("execute_request", {}, {"status": "ok"}),
    ("execute_request", {"code": 5}, {"status": "ok"}),
    ("execute_request", {"code": ["1"], "silent": "yes", "store_history": {}, "allow_stdin": None,
                         "stop_on_error": [], "user_expressions": [1, 2]}, {"status": "ok"}),
    ("execute_request", {"code": "int odd = 6;", "user_expressions": {"a": 5, "b": "odd * 7", "c": "1 +"}},
     {"status": "ok"}),
    ("complete_request", {"code": "pri", "cursor_pos": "3"}, {"status": "ok"}),
    ("complete_request", {"code": "pri", "cursor_pos": -7}, {"status": "ok"}),
    ("complete_request", {"code": "pri", "cursor_pos": 1e300}, {"status": "ok"}),
    ("complete_request", {"code": "pri", "cursor_pos": 2 ** 70}, {"status": "ok"}),
    ("complete_request", {"code": None}, {"status": "ok"}),
    ("inspect_request", {"code": "odd", "cursor_pos": 99999999999, "detail_level": "max"},
     {"status": "ok"}),
    ("inspect_request", {}, {"status": "ok", "found": False}),
    ("is_complete_request", {"code": 42}, {}),
    ("is_complete_request", {}, {}),
    ("history_request", {"hist_access_type": 3, "n": "ten"}, {"status": "ok"}),
    ("history_request", {"hist_access_type": "range", "session": -1, "start": "a", "stop": 1e300},
     {"status": "ok"}),
    ("history_request", {"hist_access_type": "search", "pattern": None, "n": -5, "unique": "x"},
     {"status": "ok"}),
    ("history_request", {"hist_access_type": "tail", "n": 2 ** 62}, {"status": "ok"}),
    ("comm_info_request", {"target_name": 5}, {"status": "ok"}),
    ("kernel_info_request", {"unexpected": [1, {"deep": None}]}, {"status": "ok"}),
]


def test_missing_and_wrongly_typed_fields_get_replies(kernel):
    km, kc = kernel
    c = Client(km)
    try:
        for msg_type, content, want in ODD_FIELDS:
            msg_id = c.request(msg_type, content)
            r = c.reply()
            assert r, f"no reply to {msg_type} {content}"
            assert r[0] == msg_type.replace("_request", "_reply") and r[1] == msg_id
            for k, v in want.items():
                assert r[2].get(k) == v, (msg_type, content, r[2])
            if content.get("user_expressions") and isinstance(content["user_expressions"], dict):
                ue = r[2]["user_expressions"]
                assert ue["a"]["status"] == "error" and ue["c"]["status"] == "error"
                assert ue["b"]["data"]["text/plain"] == "(int) 42"
    finally:
        c.close()
    still_serves(km, kc)


def test_odd_headers_and_frames(logged_kernel):
    km, kc, log = logged_kernel
    c = Client(km)
    try:
        # Only msg_type and msg_id are needed; other header fields may be
        # missing or odd, parent and metadata any object.
        h = {"msg_id": "m1", "msg_type": "kernel_info_request"}
        c.send(c.build(h, {}, parent=b'{"msg_id": 7}', metadata=b'{"x": [null]}'))
        assert c.reply()[:2] == ("kernel_info_reply", "m1")
        # Not objects, or no usable msg_type/msg_id: dropped.
        for hdr, content in ((b"[]", b"{}"), (b"{}", b"{}"), (b'{"msg_id": 1, "msg_type": "x"}', b"{}"),
                             (json.dumps(header("kernel_info_request")).encode(), b'"content"'),
                             (json.dumps(header("kernel_info_request")).encode(), b"{} {}")):
            c.send(c.build(hdr, content))
        # Many routing frames before the delimiter: the reply goes back
        # through all of them.
        c.send([b"route-%d" % i for i in range(100)] + c.build(header("kernel_info_request"), {}))
        r = c.reply()
        assert r and r[0] == "kernel_info_reply"
        assert c.reply(300) is None  # nothing was answered of what was dropped
    finally:
        c.close()
    still_serves(km, kc)
    assert "is not a JSON object" in log.read_text()


def test_json_that_is_not_utf8_is_dropped(logged_kernel):
    km, kc, log = logged_kernel
    c = Client(km)
    try:
        bad = [
            b'{"code": "\xff\xfe"}',                # invalid bytes
            b'{"code": "\xc3"}',                    # a cut sequence
            b'{"code": "\xed\xa0\x80"}',            # an encoded surrogate
            b'{"code": "\\ud800"}',                 # a lone surrogate escape
            b'{"code": "1"}\xff',                   # garbage after the object
            b"\xef\xbb\xbf{}",                      # a byte order mark
        ]
        for content in bad:
            c.send(c.build(json.dumps(header("execute_request")).encode(), content))
        hdr = b'{"msg_id": "\xff", "msg_type": "kernel_info_request"}'
        c.send(c.build(hdr, b"{}"))
        assert c.reply(1000) is None
    finally:
        c.close()
    still_serves(km, kc)
    assert log.read_text().count("dropped a message") >= 7


def test_nul_in_code_is_an_error_not_a_cut_cell(kernel):
    """JSON may hold U+0000; C source may not. The cell is refused with a
    message rather than run up to the NUL or dropped without a reply."""
    km, kc = kernel
    c = Client(km)
    try:
        msg_id = c.request("execute_request", {"code": "int before_nul = 1;\u0000 int after = 2;"})
        while (r := c.reply()) and r[0] != "execute_reply":
            pass
        assert r[1] == msg_id and r[2]["status"] == "error"
        assert "NUL" in r[2]["evalue"]
    finally:
        c.close()
    reply, _ = run_cell(kc, "before_nul")
    assert reply["status"] == "error"  # nothing of that cell ran


# ---------------------------------------------------------------------------
# Size and volume
# ---------------------------------------------------------------------------

MB = 1 << 20


def test_100_mb_frames(logged_kernel):
    km, kc, log = logged_kernel
    c, ctl = Client(km), Client(km, "control")
    try:
        big = b"x" * (100 * MB)
        # Garbage and forged: dropped after reading.
        ctl.send([b"<IDS|MSG>", b"0" * 64, big, b"{}", b"{}", b"{}"])
        c.send([big])
        # Well-formed: a 100 MB buffer frame, a 100 MB content field.
        id1 = c.request("kernel_info_request", buffers=[big])
        id2 = c.request("execute_request", {"code": "6 * 7", "padding": "y" * (100 * MB)})
        del big
        want = {id1: "kernel_info_reply", id2: "execute_reply"}
        got = {}
        end = time.monotonic() + 120
        while len(got) < 2 and time.monotonic() < end:
            r = c.reply(1000)
            if r and r[1] in want and r[0] == want[r[1]]:
                got[r[1]] = r[2]
        assert set(got) == {id1, id2}
        assert got[id1]["status"] == "ok" and got[id2]["status"] == "ok"
    finally:
        c.close()
        ctl.close()
    still_serves(km, kc)


def test_frames_over_the_limit_are_refused(tmp_path):
    """PARC_KERNEL_MAX_FRAME=1M: a 2 MB frame costs its sender the
    connection and never runs; other clients, and frames under the limit,
    are served as before."""
    log = open(tmp_path / "kernel.log", "w+")
    km, kc = start_new_kernel(kernel_name="parc", startup_timeout=TIMEOUT, stderr=log,
                              env=dict(os.environ, PARC_KERNEL_MAX_FRAME="1M"))
    marker = tmp_path / "ran"
    try:
        hostile = Client(km)
        big = hostile.request("execute_request", {"code": cell_writing(marker, "big"),
                                                  "padding": "y" * (2 * MB)})
        # Its connection is dropped (the client's ZeroMQ connects again and
        # sends what it queued after it; that is served).
        late = hostile.request("kernel_info_request")
        parents = []
        while (r := hostile.reply(1500)):
            parents.append(r[1])
        assert big not in parents
        hostile.close()
        c = Client(km)
        try:
            mid = c.request("execute_request", {"code": "6 * 7", "padding": "y" * (MB // 2)})
            while (r := c.reply()) and r[0] != "execute_reply":
                pass
            assert r and r[1] == mid and r[2]["status"] == "ok"
        finally:
            c.close()
        assert not marker.exists()
        still_serves(km, kc)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
        log.close()


def test_large_cell_runs(kernel):
    km, kc = kernel
    code = "/* " + "big comment " * (8 * MB // 12) + " */\n6 * 7"
    reply, outputs = run_cell(kc, code, timeout=120)
    assert reply["status"] == "ok"
    assert any(m["msg_type"] == "execute_result" and m["content"]["data"]["text/plain"] == "(int) 42"
               for m in outputs)


def test_thousands_of_requests_queued_behind_a_running_cell(kernel):
    km, kc = kernel
    run_cell(kc, "int queued = 0;")
    c = Client(km)
    poller = zmq.Poller()
    poller.register(c.sock, zmq.POLLIN | zmq.POLLOUT)
    try:
        first = c.request("execute_request", {"code": "#include <unistd.h>\nsleep(1);"})
        todo = [("kernel_info_request", {})] * 2000 + \
               [("is_complete_request", {"code": "int x = {"})] * 300 + \
               [("complete_request", {"code": "que", "cursor_pos": 3})] * 300 + \
               [("execute_request", {"code": "queued++;", "silent": True})] * 150 + \
               [("execute_request", {"code": "queued"})]
        sent, replies, last = [], {}, None
        end = time.monotonic() + 300
        while len(replies) < len(todo) + 1 and time.monotonic() < end:
            events = dict(poller.poll(1000))
            if events.get(c.sock, 0) & zmq.POLLIN:
                while c.sock.poll(0):
                    r = c.reply(0)
                    if r and r[0].endswith("_reply"):
                        replies[r[1]] = r
                        last = r
            if len(sent) < len(todo) and events.get(c.sock, 0) & zmq.POLLOUT:
                t, content = todo[len(sent)]
                sent.append(c.request(t, content))
        assert first in replies and all(i in replies for i in sent), \
            f"{len(replies)} replies to {len(sent) + 1} requests"
        for i, (t, _) in zip(sent, todo):
            assert replies[i][0] == t.replace("_request", "_reply")
            assert replies[i][2]["status"] == ("incomplete" if t == "is_complete_request" else "ok")
        assert last[1] == sent[-1]  # answered in order: the last request last
    finally:
        c.close()
    reply, outs = run_cell(kc, "queued")
    assert [m["content"]["data"]["text/plain"] for m in outs if m["msg_type"] == "execute_result"] == ["(int) 150"]


# ---------------------------------------------------------------------------
# The connection file
# ---------------------------------------------------------------------------

def kernel_log_for(tmp_path, mode=0o600, **conn):
    """Starts parc-kernel on a connection file with conn's fields and file
    mode, stops it with SIGTERM once it serves, returns its log."""
    spec = {"transport": "tcp", "ip": "127.0.0.1", "key": "secret",
            "signature_scheme": "hmac-sha256"}
    spec.update(conn)
    path = tmp_path / f"kernel-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps(spec))
    path.chmod(mode)
    env = dict(os.environ, PARC_KERNEL_HISTORY="")
    p = subprocess.Popen([str(KERNEL), "-f", str(path)], stderr=subprocess.PIPE, env=env, text=True)
    try:
        assert wait_until(lambda: "shell_port" in path.read_text(), timeout=TIMEOUT)
    finally:
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=TIMEOUT)
    return err


def test_connection_file_risks_are_warned_about(tmp_path):
    assert "warning" not in kernel_log_for(tmp_path)
    log = kernel_log_for(tmp_path, mode=0o644)
    assert "can be read by other users (mode 644)" in log and "chmod 600" in log
    assert "read or changed by other users (mode 666)" in kernel_log_for(tmp_path, mode=0o666)
    assert "has no key: messages are not signed" in kernel_log_for(tmp_path, key="")
    assert "listening on 0.0.0.0, not only on this machine" in kernel_log_for(tmp_path, ip="0.0.0.0")
