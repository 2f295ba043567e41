"""Faults: the engine restarted or gone while clients stream, an unreachable socket, resets in the
middle of bodies and tunnels on both sides, SIGTERM with open streams, and 100,000 requests with
RSS and open fds measured before and after."""

import json
import os
import shutil
import signal
import socket
import struct
import threading
import time

import pytest

from harness import (ASAN_MEASURE, FakeEngine, Proxy, exchange, record_figure, rss_kib,
                     sock_fds, wait_clients_gone)
from sock import read_until_close

PARK_MAX = 32  # idle engine connections the proxy may keep for reuse

OK_GET = b"GET /containers/json HTTP/1.1\r\nHost: docker\r\n\r\n"
EVENTS = b"GET /events?interval=0.05 HTTP/1.1\r\nHost: docker\r\n\r\n"
ATTACH = (b"POST /containers/abc/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: docker\r\n"
          b"Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n")


def status_of(port, data=OK_GET, timeout=5):
    return exchange(port, data, timeout=timeout).statuses


def rst_close(s):
    """Close with a TCP reset (SO_LINGER 0)."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def open_stream(port, request=EVENTS):
    """Sends a streaming request; returns the socket once the response head and data arrived."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(request)
    got = b""
    while b"\r\n\r\n" not in got or len(got) < 200:
        chunk = s.recv(65536)
        assert chunk, "stream closed early: %r" % got
        got += chunk
    assert got.startswith(b"HTTP/1.1 200 "), got[:100]
    return s


def drain_until_closed(s, timeout):
    """Reads (and drops) until EOF or reset, for timeout seconds at most; returns the Got."""
    return read_until_close(s, timeout, total=timeout, keep=False)


def restart(engine):
    """A new fake engine on the same socket path and log (the old process is gone)."""
    e = FakeEngine(engine.dir, "engine")
    e.log = engine.log
    return e.start()


# ---- the engine goes away -----------------------------------------------------------------------


def test_engine_restarted_while_streaming(proxies, private_engine):
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1)
    keep, s_keep = exchange(px.port, OK_GET, keep_open=True)  # a kept-alive client
    assert keep.statuses == [200]
    stream = open_stream(px.port)
    mark = len(px.log_text())
    eng.kill()
    r = drain_until_closed(stream, 5)
    closed, waited = r.closed, r.seconds
    stream.close()
    assert closed, "the stream did not end when the engine died"
    # While the engine is down: 503, and the log names the cause.
    for _ in range(3):
        assert status_of(px.port) == [503]
    px.wait_log(r"upstream: connection refused at %s" % eng.sock, start=mark)
    eng2 = restart(eng)
    try:
        assert status_of(px.port) == [200]
        # The kept-alive client's engine connection died with the engine: it gets a fresh one.
        ex = exchange(px.port, OK_GET, sock=s_keep)
        assert ex.statuses == [200]
        stream = open_stream(px.port)
        stream.close()
    finally:
        eng2.kill()
    assert px.proc.poll() is None
    record_figure("engine_restart", stream_end_s="%.2f" % waited)


def test_engine_socket_removed(proxies, private_engine):
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1)
    assert status_of(px.port) == [200]
    eng.kill()
    os.unlink(eng.sock)
    mark = len(px.log_text())
    assert status_of(px.port) == [503]
    assert status_of(px.port, b"HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n") == [503]
    px.wait_log(r"no socket at %s \(SOCKET_PATH\)" % eng.sock, start=mark)
    eng2 = restart(eng)
    try:
        assert status_of(px.port) == [200]
    finally:
        eng2.kill()


def test_engine_socket_permission_denied(proxies, private_engine):
    """The proxy runs as nobody (setpriv); the socket is root's, mode 0600 → 503 and a log line
    that says who owns the socket and who the proxy runs as. Mode 0666 then works."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run the proxy as another user")
    eng = private_engine
    for d in (os.path.dirname(eng.dir), eng.dir):
        os.chmod(d, 0o711)
    os.chmod(eng.sock, 0o600)
    px = Proxy(eng.sock, eng.dir, env={"CONTAINERS": 1}, name="proxy-nobody", user=65534)
    proxies.started.append(px)  # stopped and checked by the fixture
    px.start()
    with open("/proc/%d/status" % px.pid) as f:
        uid_line = [line for line in f if line.startswith("Uid:")][0]
    assert uid_line.split()[1] == "65534", uid_line
    assert status_of(px.port) == [503]
    px.wait_log(r"permission denied on %s: it is owned by uid 0 gid 0 mode 600; sockwarden runs "
                r"as uid 65534" % eng.sock)
    os.chmod(eng.sock, 0o666)
    assert status_of(px.port) == [200]


def test_engine_dies_before_answering(proxies, private_engine):
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1)
    s = socket.create_connection(("127.0.0.1", px.port), timeout=5)
    s.sendall(b"GET /containers/abc/json?delay=3 HTTP/1.1\r\nHost: docker\r\n\r\n")
    time.sleep(0.5)
    eng.kill()
    ex = exchange(px.port, b"", sock=s, timeout=5)
    assert ex.statuses == [502], ex.responses
    assert px.proc.poll() is None


# ---- resets in the middle of things --------------------------------------------------------------


def send_partial_body(port, framing, target=b"/containers/abc/update"):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    head = b"POST " + target + b" HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
    if framing == "length":
        s.sendall(head + b"Content-Length: 1000000\r\n\r\n" + b"x" * 100000)
    else:
        s.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n100000\r\n" + b"x" * 50000)
    time.sleep(0.3)
    return s


@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_client_reset_mid_body(proxies, private_engine, framing):
    """The engine never sees a completed body, and the proxy keeps serving."""
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1, POST=1)
    eng.log.mark()
    rst_close(send_partial_body(px.port, framing))
    time.sleep(0.5)
    es = eng.log.entries()
    assert [r["route"] for r in eng.log.requests(es)] == ["/containers/abc/update"], es
    assert [e for e in es if e["ev"] == "body"] == [], "a body completed: %r" % es
    assert status_of(px.port) == [200]
    assert px.proc.poll() is None


def clients_leave(port, data, how, n=4):
    """n clients each send data, then leave with a reset ("rst") or a plain close ("fin")."""
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(data)
        time.sleep(0.1)
        if how == "rst":
            rst_close(s)
        else:
            s.close()


@pytest.mark.parametrize("how", ["rst", "fin"])
def test_client_gone_mid_body_releases_connection(proxies, private_engine, how):
    """Default policy (no POST needed: GET /_ping with a body). With MAX_CONNECTIONS=4, four
    clients that send half a body and leave must not lock everyone out."""
    eng = private_engine
    px = proxies.start(eng.sock, MAX_CONNECTIONS=4)
    assert status_of(px.port, b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n") == [200]
    clients_leave(px.port, b"GET /_ping HTTP/1.1\r\nHost: docker\r\nContent-Length: 1000\r\n\r\nxx",
                  how)
    assert wait_clients_gone(px.pid, 3) == 0, "connections of departed clients are still open"
    eng.log.settle(timeout=3)
    assert not eng.log.busy(), "engine connections with a half-sent body are still open"
    assert status_of(px.port, b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n", timeout=3) == [200]


@pytest.mark.parametrize("how", ["rst", "fin"])
def test_client_gone_while_engine_thinks(proxies, private_engine, how):
    """One-request clients (Connection: close) that leave while the engine has not answered yet
    (a slow inspect, a long `wait`): the proxy notices within a tick or two, not when the engine
    finally answers, so four of them do not hold MAX_CONNECTIONS=4 for half a minute."""
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1, MAX_CONNECTIONS=4)
    assert status_of(px.port) == [200]
    clients_leave(px.port, b"GET /containers/abc/json?delay=30 HTTP/1.1\r\nHost: docker\r\n"
                  b"Connection: close\r\n\r\n", how)
    assert wait_clients_gone(px.pid, 3) == 0, "connections of departed clients are still open"
    assert status_of(px.port, timeout=3) == [200]


def test_client_reset_mid_tunnel(proxies, private_engine):
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1, POST=1)
    eng.log.mark()
    ex, s = exchange(px.port, ATTACH, keep_open=True)
    assert ex.statuses == [101]
    s.sendall(b"ping\n")
    s.settimeout(5)
    assert s.recv(100) == b"ping\n"
    rst_close(s)
    es = eng.log.settle()
    assert [e["ev"] for e in es if e["ev"] == "tunnel"] == ["tunnel"], es
    assert not eng.log.busy()
    assert wait_clients_gone(px.pid) == 0
    assert status_of(px.port) == [200]


def test_tunnel_half_close(proxies, private_engine):
    """The client half-closes its side of a tunnel (docker CLI without stdin): the engine sees EOF,
    and its remaining output still reaches the client."""
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1, POST=1)
    ex, s = exchange(px.port, ATTACH, keep_open=True)
    assert ex.statuses == [101]
    s.sendall(b"last words\n")
    s.shutdown(socket.SHUT_WR)
    got = read_until_close(s, 5, chunk=100, resets=False, must_close=True).data
    s.close()
    assert got == b"last words\n"


def test_engine_reset_mid_response(proxies, private_engine):
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1)
    for route in (b"rst", b"cut"):
        s = socket.create_connection(("127.0.0.1", px.port), timeout=5)
        s.sendall(b"GET /containers/%s/json HTTP/1.1\r\nHost: docker\r\n\r\n" % route)
        r = drain_until_closed(s, 5)
        closed, n = r.closed, r.nbytes
        s.close()
        assert closed, "client connection left open after the engine cut the response"
        assert 0 < n < 100000, n  # head and part of the body, never a completed response
        assert status_of(px.port) == [200]
    assert px.proc.poll() is None


def test_engine_killed_mid_tunnel(proxies, private_engine):
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1, POST=1)
    ex, s = exchange(px.port, ATTACH, keep_open=True)
    assert ex.statuses == [101]
    s.sendall(b"x\n")
    s.settimeout(5)
    assert s.recv(10) == b"x\n"
    eng.kill()
    closed = drain_until_closed(s, 5).closed
    s.close()
    assert closed
    assert px.proc.poll() is None


@pytest.mark.parametrize("method,extra,allowed_copies", [
    ("POST", b"Content-Length: 0\r\n", 1),
    ("POST", b"", 1),
    ("DELETE", b"", 1),
    ("GET", b"", 2),  # idempotent: one retry on a fresh connection is fine
])
def test_no_replay_of_non_idempotent_requests(proxies, private_engine, method, extra,
                                              allowed_copies):
    """The engine takes a request on a kept-alive connection and closes without answering: the
    proxy may retry an idempotent request once, but never a POST or DELETE (RFC 9112 §9.3.1.1) —
    a kill or start would run twice."""
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1, POST=1)
    eng.log.mark()
    action = b"/containers/dropconn/kill" if method == "POST" else b"/containers/dropconn" \
        if method == "DELETE" else b"/containers/dropconn/json"
    data = (OK_GET + method.encode() + b" " + action + b" HTTP/1.1\r\nHost: docker\r\n" + extra
            + b"\r\n")
    ex = exchange(px.port, data, expect=2, timeout=5)
    reqs = eng.log.requests(eng.log.settle())
    copies = [r for r in reqs if r["method"] == method and "/dropconn" in r["route"]]
    assert ex.statuses == [200, 502], ex.responses
    assert len(copies) <= allowed_copies, "%s sent to the engine %d times" % (method, len(copies))
    assert len(copies) >= 1


POISON = {
    # A client leaves its engine connection in some unfinished state, then goes away.
    "partial-length-body": b"GET /containers/a/json HTTP/1.1\r\nHost: docker\r\n"
                           b"Content-Length: 60\r\n\r\n0123456789",
    "partial-chunked-body": b"GET /containers/a/json HTTP/1.1\r\nHost: docker\r\n"
                            b"Transfer-Encoding: chunked\r\n\r\n40\r\n0123456789",
    "expect-no-body": b"GET /containers/a/json HTTP/1.1\r\nHost: docker\r\n"
                      b"Expect: 100-continue\r\nContent-Length: 40\r\n\r\n",
    "response-pending": b"GET /containers/a/json?delay=0.5 HTTP/1.1\r\nHost: docker\r\n\r\n",
    "stream-open": b"GET /containers/a/logs?follow=1 HTTP/1.1\r\nHost: docker\r\n\r\n",
    "events-open": b"GET /events HTTP/1.1\r\nHost: docker\r\n\r\n",
    "head-then-gone": b"HEAD /containers/a/json HTTP/1.1\r\nHost: docker\r\n\r\n",
}


@pytest.mark.parametrize("poison", sorted(POISON))
@pytest.mark.parametrize("how", ["fin", "rst"])
def test_pooled_engine_connection_not_poisoned(proxies, private_engine, poison, how):
    """Engine connections are pooled across clients: one a client left unfinished must never be
    handed to the next client (its request would be read as the rest of a body, or it would get
    someone else's answer)."""
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1)
    for i in range(3):  # fill the pool with clean connections first
        assert status_of(px.port) == [200]
    s = socket.create_connection(("127.0.0.1", px.port), timeout=5)
    s.sendall(POISON[poison])
    time.sleep(0.2)
    if how == "rst":
        rst_close(s)
    else:
        s.close()
    time.sleep(0.1)
    eng.log.mark()
    for i in range(5):  # more clients than pooled connections
        target = b"/containers/b%d/json" % i
        ex = exchange(px.port, b"GET " + target + b" HTTP/1.1\r\nHost: docker\r\n\r\n", timeout=5)
        assert ex.statuses == [200], (i, ex.responses)
        assert json.loads(ex.responses[0].body)["path"] == target.decode(), ex.responses[0].body
    reqs = eng.log.requests(eng.log.settle())
    assert [r["route"] for r in reqs] == ["/containers/b%d/json" % i for i in range(5)], reqs


# ---- SIGTERM -------------------------------------------------------------------------------------


def test_sigterm_with_open_streams(proxies, private_engine):
    """SHUTDOWN_GRACE=2s with event streams and a slow request in flight: the listener closes at
    once, event streams end, the slow request is cut when the grace ends, and the proxy exits 0."""
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1, SHUTDOWN_GRACE="2s")
    streams = [open_stream(px.port) for _ in range(3)]
    slow = socket.create_connection(("127.0.0.1", px.port), timeout=5)
    slow.sendall(b"GET /containers/abc/json?delay=8 HTTP/1.1\r\nHost: docker\r\n\r\n")
    time.sleep(0.3)
    t0 = time.monotonic()
    px.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", px.port), timeout=2).close()
    rc = px.proc.wait(timeout=10)
    took = time.monotonic() - t0
    ends = [drain_until_closed(s, 3).closed for s in streams + [slow]]
    for s in streams + [slow]:
        s.close()
    record_figure("sigterm_open_streams", grace_s=2, exit_s="%.2f" % took, exit_code=rc)
    assert rc == 0, px.tail()
    assert 1.5 < took < 3.5, "exit after %.2f s with SHUTDOWN_GRACE=2s" % took
    assert all(ends)
    px.wait_log(r"draining \d+ connection")


def test_sigterm_event_streams_only(proxies, private_engine):
    """Only endless streams open: the proxy exits within the grace period, exit code 0."""
    px = proxies.start(private_engine.sock, CONTAINERS=1, SHUTDOWN_GRACE="2s")
    streams = [open_stream(px.port) for _ in range(3)]
    t0 = time.monotonic()
    px.proc.send_signal(signal.SIGTERM)
    rc = px.proc.wait(timeout=10)
    took = time.monotonic() - t0
    ends = [drain_until_closed(s, 3).closed for s in streams]
    for s in streams:
        s.close()
    assert rc == 0
    assert took < 3.5, took
    assert all(ends)


def test_sigterm_drains_inflight_request(proxies, private_engine):
    """A request in flight at SIGTERM completes; the proxy then exits before the grace ends."""
    eng = private_engine
    px = proxies.start(eng.sock, CONTAINERS=1, SHUTDOWN_GRACE="10s")
    s = socket.create_connection(("127.0.0.1", px.port), timeout=5)
    s.sendall(b"GET /containers/abc/json?delay=1 HTTP/1.1\r\nHost: docker\r\n\r\n")
    time.sleep(0.2)
    t0 = time.monotonic()
    px.proc.send_signal(signal.SIGTERM)
    ex = exchange(px.port, b"", sock=s, timeout=5)
    rc = px.proc.wait(timeout=10)
    took = time.monotonic() - t0
    assert ex.statuses == [200]
    assert ex.closed, "the connection should close after the drained response"
    assert rc == 0
    assert took < 3, took


def test_sigterm_idle_exits_at_once(proxies, private_engine):
    px = proxies.start(private_engine.sock, CONTAINERS=1, SHUTDOWN_GRACE="10s")
    _, s = exchange(px.port, OK_GET, keep_open=True)  # an idle keep-alive connection
    t0 = time.monotonic()
    px.proc.send_signal(signal.SIGTERM)
    rc = px.proc.wait(timeout=10)
    s.close()
    assert rc == 0
    assert time.monotonic() - t0 < 1.0


# ---- 100,000 requests ----------------------------------------------------------------------------

MARK = b"HTTP/1.1 200 "


def load(port, total, conns=4, batch=100):
    """Keep-alive, pipelined GETs on `conns` connections; returns the number of 200s read."""
    counts = []
    errors = []

    def worker(n):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            done, tail = 0, b""
            while done < n:
                k = min(batch, n - done)
                s.sendall(OK_GET * k)
                got = 0
                while got < k:
                    chunk = s.recv(262144)
                    if not chunk:
                        raise AssertionError("proxy closed after %d responses" % (done + got))
                    data = tail + chunk
                    c = data.count(MARK)
                    got += c
                    # Keep a possibly split marker, never one already counted.
                    tail = (data[data.rfind(MARK) + 1:] if c else data)[-(len(MARK) - 1):]
                done += k
            s.close()
            counts.append(done)
        except Exception as e:  # reported by the caller
            errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(total // conns,)) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return sum(counts)


def test_100k_requests_flat(proxies, workdir):
    n = int(os.environ.get("SW_LOOP_REQUESTS", "100000"))
    d = os.path.join(workdir, "loop")
    os.makedirs(d, exist_ok=True)
    eng = FakeEngine(d, "engine").start()
    try:
        px = proxies.start(eng.sock, CONTAINERS=1, LOG_LEVEL="notice", ASAN_OPTIONS=ASAN_MEASURE)
        assert load(px.port, 4000) == 4000  # warm-up: pools and caches at their working size
        assert wait_clients_gone(px.pid) == 0
        fds0 = sock_fds(px.pid)
        rss0 = rss_kib(px.pid)
        t0 = time.monotonic()
        assert load(px.port, n) == n
        took = time.monotonic() - t0
        assert wait_clients_gone(px.pid) == 0
        fds1 = sock_fds(px.pid)
        rss1 = rss_kib(px.pid)
        logged = len(eng.log.requests())
    finally:
        eng.kill()
    record_figure("loop", requests=n, seconds="%.1f" % took, rps=int(n / took), rss_before_kib=rss0,
                  rss_after_kib=rss1, fds_before=fds0["total"], fds_after=fds1["total"],
                  pooled_engine_fds_before=fds0["engine"], pooled_engine_fds_after=fds1["engine"],
                  binary=px.binary)
    assert logged == n + 4000, "engine saw %d requests" % logged
    # Everything but the pool of idle engine connections is exactly as before.
    assert fds1["total"] - fds1["engine"] == fds0["total"] - fds0["engine"], (fds0, fds1)
    assert fds1["engine"] <= PARK_MAX, fds1
    assert rss1 - rss0 < 1024, "RSS %d → %d KiB" % (rss0, rss1)
    assert took < 90, took
