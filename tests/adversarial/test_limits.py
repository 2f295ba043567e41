"""Limits and slow or hostile clients: header size, header count and request-line limits (default
and configured), slowloris, thousands of idle connections, clients that never read, clients that
push more than the engine takes, and MAX_CONNECTIONS. Memory figures go to the figures file."""

import os
import re
import select
import socket
import threading
import time
import urllib.request

import pytest

from harness import (ASAN_MEASURE, exchange, free_port, raise_nofile, record_figure, rss_kib,
                     sock_fds, wait_clients_gone)
from sock import read_until_close

OK_GET = b"GET /containers/json HTTP/1.1\r\nHost: docker\r\n\r\n"


def head_of_size(total, line_len=None):
    """A GET /containers/json head of exactly `total` bytes (final CRLF CRLF included)."""
    line = b"GET /containers/json HTTP/1.1"
    if line_len:
        fill = line_len - len(b"GET /containers/json?q= HTTP/1.1")
        line = b"GET /containers/json?q=" + b"a" * fill + b" HTTP/1.1"
        assert len(line) == line_len
    fixed = line + b"\r\nHost: docker\r\nX-Pad: \r\n\r\n"
    pad = total - len(fixed)
    assert pad >= 0
    data = line + b"\r\nHost: docker\r\nX-Pad: " + b"p" * pad + b"\r\n\r\n"
    assert len(data) == total
    return data


def with_headers(n):
    """A head with exactly n header fields (Host included)."""
    return (b"GET /containers/json HTTP/1.1\r\nHost: docker\r\n"
            + b"".join(b"X-%d: v\r\n" % i for i in range(n - 1)) + b"\r\n")


def statuses(port, data, expect=1, timeout=5):
    return exchange(port, data, expect=expect, timeout=timeout).statuses


# ---- header, count and line limits ------------------------------------------------------------


LIMIT_CASES = [
    # (id, env, request, expected status)
    ("line-at-default", {}, head_of_size(9000, line_len=8192), 200),
    ("line-over-default", {}, head_of_size(9000, line_len=8193), 414),
    ("head-at-default", {}, head_of_size(65536), 200),
    ("head-over-default", {}, head_of_size(65537), 431),
    ("count-at-default", {}, with_headers(100), 200),
    ("count-over-default", {}, with_headers(101), 431),
    ("line-at-256", {"MAX_REQUEST_LINE": 256}, head_of_size(400, line_len=256), 200),
    ("line-over-256", {"MAX_REQUEST_LINE": 256}, head_of_size(400, line_len=257), 414),
    ("head-at-1024", {"MAX_HEADER_BYTES": 1024}, head_of_size(1024), 200),
    ("head-over-1024", {"MAX_HEADER_BYTES": 1024}, head_of_size(1025), 431),
    ("head-way-over-1024", {"MAX_HEADER_BYTES": 1024}, head_of_size(50000), 431),
    ("count-at-10", {"MAX_HEADER_COUNT": 10}, with_headers(10), 200),
    ("count-over-10", {"MAX_HEADER_COUNT": 10}, with_headers(11), 431),
    ("count-1", {"MAX_HEADER_COUNT": 1}, with_headers(1), 200),
    ("count-over-1", {"MAX_HEADER_COUNT": 1}, with_headers(2), 431),
    ("line-limit-vs-head-limit", {"MAX_REQUEST_LINE": 4096, "MAX_HEADER_BYTES": 2048},
     head_of_size(3000, line_len=2500), 431),
]


@pytest.mark.parametrize("env,data,status", [c[1:] for c in LIMIT_CASES],
                         ids=[c[0] for c in LIMIT_CASES])
def test_head_limits(proxies, engine, env, data, status):
    px = proxies.start(engine.sock, CONTAINERS=1, **env)
    engine.log.mark()
    got = statuses(px.port, data)
    reqs = engine.log.requests(engine.log.settle())
    assert got == [status], px.tail()
    assert len(reqs) == (1 if status == 200 else 0)


def test_limits_reject_bad_values(proxies, engine):
    """Out-of-range limits are a startup error naming the variable, not a silent default."""
    import subprocess
    from harness import sw_bin
    for var, val in (("MAX_HEADER_BYTES", "10"), ("MAX_HEADER_COUNT", "100000"),
                     ("MAX_REQUEST_LINE", "x"), ("MAX_CONNECTIONS", "0")):
        p = subprocess.run([sw_bin()], env={"SOCKET_PATH": engine.sock,
                                            "BIND_CONFIG": "127.0.0.1:1", var: val},
                           capture_output=True, text=True, timeout=20)
        assert p.returncode != 0, (var, val, p.stdout, p.stderr)
        assert var in p.stdout + p.stderr, (var, p.stdout, p.stderr)


def test_head_growing_forever_is_cut_at_the_limit(proxies, engine):
    """A client that streams header bytes without end gets 431 at MAX_HEADER_BYTES, not OOM."""
    px = proxies.start(engine.sock, CONTAINERS=1, MAX_HEADER_BYTES=4096)
    s = px.connect()
    s.sendall(b"GET /containers/json HTTP/1.1\r\nHost: docker\r\n")
    got = b""
    try:
        for i in range(1000):
            s.sendall(b"X-%d: %s\r\n" % (i, b"v" * 100))
    except (BrokenPipeError, ConnectionResetError):
        pass
    got = read_until_close(s, 5).data
    s.close()
    assert got.startswith(b"HTTP/1.0 431 "), got[:100]


# ---- slowloris -----------------------------------------------------------------------------------


def trickle(s, data, interval, stop, until_answered=False):
    """Sends data one byte per interval until done, stopped, or the peer closed; with
    until_answered, also until the proxy sends anything. Returns False only when stopped."""
    for i in range(len(data)):
        if stop.is_set():
            return False
        try:
            s.sendall(data[i:i + 1])
        except OSError:
            return True
        if not until_answered:
            stop.wait(interval)
        elif select.select([s], [], [], interval)[0]:
            return True
    return True


def trickle_until_answered(s, data, interval, stop, answered):
    """Like trickle, but stops (as a real client would) once the proxy answers or closes."""
    if not trickle(s, data, interval, stop, until_answered=True):
        return
    got = read_until_close(s, 3).data
    answered.append((got[:13], time.monotonic()))
    s.close()


def test_slowloris_others_served(proxies, engine):
    """One byte per second: the slow client gets 408 at REQUEST_TIMEOUT (2 s), and another client
    is served normally all along."""
    px = proxies.start(engine.sock, CONTAINERS=1, REQUEST_TIMEOUT="2s")
    stop = threading.Event()
    answered = []
    s = px.connect()
    t = threading.Thread(target=trickle_until_answered, args=(s, OK_GET, 1.0, stop, answered),
                         daemon=True)
    t0 = time.monotonic()
    t.start()
    worst = 0.0
    while time.monotonic() - t0 < 3.0:
        t1 = time.monotonic()
        assert statuses(px.port, OK_GET) == [200]
        worst = max(worst, time.monotonic() - t1)
        time.sleep(0.05)
    t.join(6)
    stop.set()
    (head, at), = answered
    record_figure("slowloris", answered_after_s="%.2f" % (at - t0),
                  other_client_worst_ms=int(worst * 1000))
    assert head == b"HTTP/1.0 408 ", head
    assert 1.5 < at - t0 < 3.0, "408 after %.2f s with REQUEST_TIMEOUT=2s" % (at - t0)
    assert worst < 1.0, "other client waited %.2f s" % worst


def test_slowloris_first_request_gets_408(proxies, engine):
    px = proxies.start(engine.sock, CONTAINERS=1, REQUEST_TIMEOUT="2s")
    stop = threading.Event()
    s = px.connect()
    t = threading.Thread(target=trickle, args=(s, OK_GET, 1.0, stop), daemon=True)
    t.start()
    got = read_until_close(s, 6).data
    stop.set()
    s.close()
    t.join()
    assert got.startswith(b"HTTP/1.0 408 "), got[:100]


def test_slowloris_second_request_gets_408(proxies, engine):
    """After one full request, the next head trickles in: 408 at REQUEST_TIMEOUT."""
    px = proxies.start(engine.sock, CONTAINERS=1, REQUEST_TIMEOUT="2s", KEEPALIVE_TIMEOUT="30s")
    ex, s = exchange(px.port, OK_GET, keep_open=True)
    assert ex.statuses == [200]
    stop = threading.Event()
    t = threading.Thread(target=trickle, args=(s, OK_GET, 1.0, stop), daemon=True)
    t.start()
    r = read_until_close(s, 6)
    got, waited = r.data, r.seconds
    stop.set()
    s.close()
    t.join()
    assert got.startswith(b"HTTP/1.0 408 "), got[:100]
    assert 1.5 < waited < 4.0, waited


def test_many_slowloris_clients(proxies, engine):
    """200 slow clients at once: the proxy serves another client throughout, answers each slow one
    408 at REQUEST_TIMEOUT, and releases them all."""
    n = 200
    px = proxies.start(engine.sock, CONTAINERS=1, REQUEST_TIMEOUT="2s")
    stop = threading.Event()
    answered = []
    socks = [px.connect() for _ in range(n)]
    threads = [threading.Thread(target=trickle_until_answered,
                                args=(s, OK_GET, 0.5, stop, answered), daemon=True) for s in socks]
    for t in threads:
        t.start()
    t0 = time.monotonic()
    while time.monotonic() - t0 < 2.5:
        assert statuses(px.port, OK_GET) == [200]
    for t in threads:
        t.join(6)
    stop.set()
    left = wait_clients_gone(px.pid, 3)
    assert sorted({a[0] for a in answered}) == [b"HTTP/1.0 408 "], answered[:3]
    assert len(answered) == n
    assert left <= 0, "%d slow connections still open after their 408" % left


def test_slowloris_ignoring_the_408_is_cut(proxies, engine):
    """Slow clients that keep trickling after their 408 are dropped once the proxy's linger after
    an answer (10 s) ends: REQUEST_TIMEOUT + 10 s at most."""
    n = 10
    px = proxies.start(engine.sock, CONTAINERS=1, REQUEST_TIMEOUT="1s")
    stop = threading.Event()
    socks = [px.connect() for _ in range(n)]
    threads = [threading.Thread(target=trickle, args=(s, b"x" * 100, 0.3, stop), daemon=True)
               for s in socks]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    wait_clients_gone(px.pid, 15)
    took = time.monotonic() - t0
    stop.set()
    for s in socks:
        s.close()
    for t in threads:
        t.join()
    record_figure("slowloris_ignoring_408", clients=n, released_after_s="%.1f" % took)
    assert took < 13.5, "slow clients held for %.1f s" % took


# ---- thousands of idle connections ---------------------------------------------------------------


def test_idle_connections(proxies, engine):
    """SW_IDLE_CONNS (default 10000) idle connections: accepted, held without buffers, others are
    served, memory per connection stays small, and everything is released when they go."""
    n = int(os.environ.get("SW_IDLE_CONNS", "10000"))
    limit = raise_nofile(n + 1000)
    if limit < n + 200:
        pytest.skip("RLIMIT_NOFILE hard limit %d is too low for %d connections" % (limit, n))
    px = proxies.start(engine.sock, CONTAINERS=1, MAX_CONNECTIONS=n + 100,
                       REQUEST_TIMEOUT="120s", LOG_LEVEL="notice", ASAN_OPTIONS=ASAN_MEASURE)
    assert statuses(px.port, OK_GET) == [200]  # warm up
    assert wait_clients_gone(px.pid) == 0
    base_fds = sock_fds(px.pid)["total"]
    base_rss = rss_kib(px.pid)
    socks = []
    t0 = time.monotonic()
    try:
        for _ in range(n):
            socks.append(socket.create_connection(("127.0.0.1", px.port), timeout=10))
        deadline = time.monotonic() + 30
        while sock_fds(px.pid)["client"] < n and time.monotonic() < deadline:
            time.sleep(0.1)
        held = sock_fds(px.pid)
        open_fds = held["total"]
        held_rss = rss_kib(px.pid)
        opened_s = time.monotonic() - t0
        assert held["client"] == n, "proxy holds %d client connections, want %d" % (
            held["client"], n)
        worst = 0.0
        for _ in range(50):
            t1 = time.monotonic()
            assert statuses(px.port, OK_GET) == [200]
            worst = max(worst, time.monotonic() - t1)
    finally:
        for s in socks:
            s.close()
    left = wait_clients_gone(px.pid, 15)
    end_fds, end_rss = sock_fds(px.pid)["total"], rss_kib(px.pid)
    per_conn = (held_rss - base_rss) * 1024 / n
    record_figure("idle_connections", n=n, open_s="%.1f" % opened_s, rss_base_kib=base_rss,
                  rss_held_kib=held_rss, bytes_per_conn=int(per_conn), rss_after_kib=end_rss,
                  fds_base=base_fds, fds_held=open_fds, fds_after=end_fds,
                  other_client_worst_ms=int(worst * 1000))
    assert per_conn < 4096, "%.0f bytes of RSS per idle connection" % per_conn
    assert worst < 1.0
    assert left == 0, "%d client connections not released" % left
    assert end_fds <= base_fds + 32, "fds %d → %d (pooled engine connections are at most 32)" % (
        base_fds, end_fds)
    assert statuses(px.port, OK_GET) == [200]


def test_idle_connections_reaped(proxies, engine):
    """Connections that never send a byte are closed at REQUEST_TIMEOUT."""
    n = 500
    raise_nofile(n + 500)
    px = proxies.start(engine.sock, CONTAINERS=1, REQUEST_TIMEOUT="1s")
    socks = [px.connect() for _ in range(n)]
    closed = 0
    deadline = time.monotonic() + 5
    for s in socks:
        got = read_until_close(s, max(0.1, deadline - time.monotonic())).data
        closed += 1 if got == b"" else 0
    for s in socks:
        s.close()
    assert wait_clients_gone(px.pid) == 0
    assert closed == n


# ---- clients that do not read, clients that push -------------------------------------------------


def test_never_reading_clients(proxies, engine):
    """20 clients ask for an endless fast stream and never read: the proxy stops reading from the
    engine for them (back-pressure), RSS stays flat, and others are served. The bound below is
    for MAX_BUFFER_BYTES=64 KiB (at most 256 KiB of RSS per stuck stream, ASan included); what
    one lagging stream holds under the default 256 KiB is checked byte-exact by
    test_stream_buffer_grows_then_goes_back through the buffer gauge."""
    k = 20
    px = proxies.start(engine.sock, CONTAINERS=1, LOG_LEVEL="notice", ASAN_OPTIONS=ASAN_MEASURE,
                       MAX_BUFFER_BYTES=65536)
    assert statuses(px.port, OK_GET) == [200]
    base = rss_kib(px.pid)
    socks = []
    for i in range(k):
        s = px.connect()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        s.sendall(b"GET /containers/c%d/logs?follow=1&stdout=1 HTTP/1.1\r\n"
                  b"Host: docker\r\n\r\n" % i)
        socks.append(s)
    time.sleep(2)
    r1 = rss_kib(px.pid)
    worst = 0.0
    t0 = time.monotonic()
    while time.monotonic() - t0 < 4:
        t1 = time.monotonic()
        assert statuses(px.port, OK_GET) == [200]
        worst = max(worst, time.monotonic() - t1)
        time.sleep(0.05)
    r2 = rss_kib(px.pid)
    # The streams are really stuck, not finished: a reader still gets data.
    socks[0].settimeout(5)
    assert socks[0].recv(65536)
    for s in socks:
        s.close()
    record_figure("never_reading_clients", clients=k, rss_base_kib=base, rss_2s_kib=r1,
                  rss_6s_kib=r2, other_client_worst_ms=int(worst * 1000))
    assert r2 - r1 < 2048, "RSS grew %d KiB while %d clients did not read" % (r2 - r1, k)
    assert r2 - base < k * 256, "RSS %d KiB above base for %d stuck streams" % (r2 - base, k)
    assert worst < 1.0


@pytest.mark.parametrize("limit", [16384, 8 << 20])
def test_buffer_limit_is_honoured(proxies, engine, limit):
    """MAX_BUFFER_BYTES bounds what one connection buffers (kernel socket buffers are not in RSS):
    an upload to an engine that reads nothing fills the proxy up to the limit, never beyond."""
    px = proxies.start(engine.sock, CONTAINERS=1, POST=1, LOG_LEVEL="notice",
                       MAX_BUFFER_BYTES=limit, ASAN_OPTIONS=ASAN_MEASURE)
    assert statuses(px.port, OK_GET) == [200]
    base = rss_kib(px.pid)
    s = px.connect()
    total = 64 << 20
    s.sendall(b"POST /containers/abc/update?stall=8 HTTP/1.1\r\nHost: docker\r\n"
              b"Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % total)
    stop = threading.Event()

    def push():
        block = b"z" * 65536
        try:
            for _ in range(total // len(block)):
                if stop.is_set():
                    return
                s.sendall(block)
        except OSError:
            pass

    t = threading.Thread(target=push, daemon=True)
    t.start()
    time.sleep(3)
    grown = (rss_kib(px.pid) - base) * 1024
    stop.set()
    s.close()
    t.join(5)
    record_figure("buffer_limit", max_buffer_bytes=limit, rss_growth_bytes=grown)
    # ASan adds one shadow byte per 8 bytes of heap.
    assert grown < limit * 1.25 + (1 << 20), "RSS grew %d bytes with MAX_BUFFER_BYTES=%d" % (
        grown, limit)
    if limit > 4 << 20:
        assert grown > limit // 2, "a large MAX_BUFFER_BYTES was not used (%d bytes)" % grown


def push_and_measure(px, s, block, limit, base):
    """Sends block over s from a thread, up to limit bytes, for 4 s while the proxy may refuse to
    take more; checks that another client is still served; returns (bytes the proxy accepted,
    RSS growth in KiB over base)."""
    sent = [0]
    stop = threading.Event()

    def push():
        try:
            while not stop.is_set() and sent[0] < limit:
                s.sendall(block)
                sent[0] += len(block)
        except OSError:
            pass

    t = threading.Thread(target=push, daemon=True)
    t.start()
    time.sleep(4)
    grown = rss_kib(px.pid) - base
    assert statuses(px.port, OK_GET) == [200]
    pushed = sent[0]
    stop.set()
    s.close()
    t.join(5)
    return pushed, grown


def test_pipelining_client_that_never_reads(proxies, engine):
    """A client pipelines 50 MB of requests and reads nothing: the proxy stops reading from it."""
    px = proxies.start(engine.sock, CONTAINERS=1, LOG_LEVEL="notice", ASAN_OPTIONS=ASAN_MEASURE)
    assert statuses(px.port, OK_GET) == [200]
    base = rss_kib(px.pid)
    pushed, grown = push_and_measure(px, px.connect(), OK_GET * 1000, 50 << 20, base)
    record_figure("pipelining_non_reader", pushed_bytes=pushed, rss_growth_kib=grown)
    assert pushed < 40 << 20, "the proxy kept reading: %d bytes accepted" % pushed
    assert grown < 4096, "RSS grew %d KiB" % grown


def test_upload_to_stalled_engine(proxies, engine):
    """A 100 MB body to an engine that does not read it yet: throttled, not buffered."""
    px = proxies.start(engine.sock, CONTAINERS=1, POST=1, LOG_LEVEL="notice",
                       ASAN_OPTIONS=ASAN_MEASURE)
    base = rss_kib(px.pid)
    s = px.connect()
    total = 100 << 20
    s.sendall(b"POST /containers/abc/update?stall=8 HTTP/1.1\r\nHost: docker\r\n"
              b"Content-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n" % total)
    pushed, grown = push_and_measure(px, s, b"z" * 65536, total, base)
    record_figure("upload_to_stalled_engine", pushed_bytes=pushed, rss_growth_kib=grown)
    assert pushed < 32 << 20, "%d bytes accepted while the engine read nothing" % pushed
    assert grown < 4096, "RSS grew %d KiB" % grown


# ---- MAX_CONNECTIONS -----------------------------------------------------------------------------


def test_max_connections_queue(proxies, engine):
    """MAX_CONNECTIONS=5 with five requests in flight: nothing is idle, so a 6th client waits (in
    the listen queue) and is served when one of the five leaves; the cap is logged."""
    px = proxies.start(engine.sock, CONTAINERS=1, MAX_CONNECTIONS=5, KEEPALIVE_TIMEOUT="60s",
                       REQUEST_TIMEOUT="60s")
    held = []
    for i in range(5):
        s = px.connect()
        s.sendall(b"GET /containers/busy%d/json?delay=30 HTTP/1.1\r\nHost: docker\r\n\r\n" % i)
        held.append(s)
    sixth = px.connect()
    sixth.sendall(OK_GET)
    sixth.settimeout(1.0)
    with pytest.raises(socket.timeout):
        sixth.recv(1)
    px.wait_log(r"connection limit reached \(MAX_CONNECTIONS=5\)")
    held.pop().close()
    t0 = time.monotonic()
    ex = exchange(px.port, b"", sock=sixth, timeout=5)
    waited = time.monotonic() - t0
    for s in held:
        s.close()
    assert ex.statuses == [200]
    assert waited < 2.0, waited


def test_max_connections_closes_longest_idle(proxies, engine):
    """At MAX_CONNECTIONS=5 with five idle keep-alive clients, a 6th is served at once: the
    longest-idle connection is closed to make room, the others stay open and usable."""
    px = proxies.start(engine.sock, CONTAINERS=1, MAX_CONNECTIONS=5, KEEPALIVE_TIMEOUT="60s",
                       REQUEST_TIMEOUT="60s")
    held = []
    for _ in range(5):
        ex, s = exchange(px.port, OK_GET, keep_open=True)
        assert ex.statuses == [200]
        held.append(s)
        time.sleep(0.05)  # a strict order of idleness
    t0 = time.monotonic()
    ex = exchange(px.port, OK_GET, timeout=5)
    took = time.monotonic() - t0
    assert ex.statuses == [200]
    assert took < 1.0, "the 6th client waited %.2f s" % took
    got = read_until_close(held[0], idle=2, total=2)
    assert got.data == b"" and got.closed, "the longest-idle connection was not closed (%s)" % (
        got.end)
    for s in held[1:]:
        ex, _ = exchange(px.port, OK_GET, sock=s, keep_open=True)
        assert ex.statuses == [200] and not ex.closed
    for s in held:
        s.close()


def first_status(s, timeout=10):
    """Reads one small response (head and Content-Length body) and returns its status."""
    s.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        assert chunk, "closed before a response: %r" % buf
        buf += chunk
    head, body = buf.split(b"\r\n\r\n", 1)
    m = re.search(rb"(?im)^content-length: *(\d+)", head)
    want = int(m.group(1)) if m else 0
    while len(body) < want:
        chunk = s.recv(65536)
        assert chunk, "closed inside a response body"
        body += chunk
    return int(head.split(b" ", 2)[1])


def test_max_connections_with_5000_idle(proxies, engine):
    """5,000 idle keep-alive clients at MAX_CONNECTIONS=5000: a new client gets its answer within
    a second (an idle one is closed for it)."""
    n = 5000
    limit = raise_nofile(n + 1000)
    if limit < n + 200:
        pytest.skip("RLIMIT_NOFILE hard limit %d is too low for %d connections" % (limit, n))
    px = proxies.start(engine.sock, CONTAINERS=1, MAX_CONNECTIONS=n, KEEPALIVE_TIMEOUT="120s",
                       REQUEST_TIMEOUT="120s", LOG_LEVEL="notice", ASAN_OPTIONS=ASAN_MEASURE)
    socks = []
    try:
        for _ in range(n):  # one at a time: the engine connections are reused, not 5,000
            s = socket.create_connection(("127.0.0.1", px.port), timeout=10)
            s.sendall(OK_GET)
            socks.append(s)
            assert first_status(s) == 200
        t0 = time.monotonic()
        ex = exchange(px.port, OK_GET, timeout=5)
        took = time.monotonic() - t0
        record_figure("max_connections_5000_idle", new_client_ms=int(took * 1000))
        assert ex.statuses == [200]
        assert took < 1.0, "a new client waited %.2f s" % took
    finally:
        for s in socks:
            s.close()


def buffer_bytes(mport):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mport, timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("sockwarden_buffer_bytes "):
                return int(line.split()[1])
    raise AssertionError("no sockwarden_buffer_bytes")


def read_exactly(s, n):
    got = 0
    while got < n:
        chunk = s.recv(min(1 << 20, n - got))
        assert chunk, "stream ended after %d of %d bytes" % (got, n)
        got += len(chunk)


def test_stream_buffer_grows_then_goes_back(proxies, engine):
    """A bulk stream may hold up to MAX_BUFFER_BYTES (default 256 KiB) for a client that lags;
    once the stream stands still, the grown buffer goes back although the stream stays open, so
    thousands of quiet streams do not each pin one."""
    mport = free_port()
    px = proxies.start(engine.sock, CONTAINERS=1, METRICS_BIND="127.0.0.1:%d" % mport)
    base = buffer_bytes(mport)
    s = px.connect(timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    # 32 MiB in 16 KiB chunks (more than the kernel buffers hold), then the engine falls silent
    # with the stream open.
    chunks = 2048
    s.sendall(b"GET /containers/abc/logs?follow=1&burst=%d HTTP/1.1\r\nHost: docker\r\n\r\n"
              % chunks)
    read_exactly(s, 1 << 20)  # then lag: the proxy fills its buffer for us
    time.sleep(1)
    held = buffer_bytes(mport) - base
    assert held >= 256 * 1024, "a lagging bulk stream held only %d buffer bytes" % held
    assert held <= 256 * 1024 + 2 * 16384, "more than MAX_BUFFER_BYTES held: %d" % held
    head_and_framing = 200 + chunks * len(b"4000\r\n\r\n")
    read_exactly(s, chunks * 16384 + head_and_framing - (1 << 20) - 200)
    time.sleep(1)  # standing still for more than a tick (250 ms)
    quiet = buffer_bytes(mport) - base
    record_figure("stream_buffer", held_bytes=held, quiet_bytes=quiet)
    assert quiet <= 16384, "a quiet open stream still holds %d buffer bytes" % quiet
    s.close()
