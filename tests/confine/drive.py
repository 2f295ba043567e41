#!/usr/bin/env python3
"""Drives a running sockwarden (in front of confine_engine.py) through every I/O path it has: keep-alive,
pipelining, request bodies, chunked streams, a large body, a 101 tunnel, refusals, bursts of
connections and clients that vanish mid-stream. Prints one "ok NAME" / "FAIL NAME: why" line per
check and "drive <passed> <failed>" at the end; exit status 1 when anything failed.

usage: drive.py PORT
"""

import json
import os
import socket
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from sock import read_until_close  # noqa: E402

PORT = int(sys.argv[1])
results = []


def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    return s


class Reader:
    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def fill(self):
        data = self.s.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def line(self):
        while b"\r\n" not in self.buf:
            self.fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def exact(self, n):
        while len(self.buf) < n:
            self.fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def response(self, head_only=False):
        status = int(self.line().split(b" ")[1])
        headers = {}
        while True:
            h = self.line()
            if not h:
                break
            k, v = h.split(b":", 1)
            headers[k.strip().lower().decode()] = v.strip().decode()
        if head_only or status in (101, 204, 304):
            return status, headers, b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.line().split(b";")[0], 16)
                if size == 0:
                    while self.line():
                        pass
                    return status, headers, body
                body += self.exact(size)
                self.line()
        if "content-length" in headers:
            return status, headers, self.exact(int(headers["content-length"]))
        body = self.buf
        while True:
            try:
                self.fill()
            except EOFError:
                break
        return status, headers, body + self.buf[len(body):]


def request(method, path, body=b"", extra=""):
    head = "%s %s HTTP/1.1\r\nHost: docker\r\n%s" % (method, path, extra)
    if body or method in ("POST", "PUT"):
        head += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
    return head.encode() + b"\r\n" + body


def check(name):
    def deco(fn):
        try:
            fn()
            results.append((name, None))
        except Exception as e:  # any failure, including timeouts, is a failed check
            results.append((name, "%s: %s" % (type(e).__name__, e)))
        return fn

    return deco


def expect(cond, why):
    if not cond:
        raise AssertionError(why)


@check("ping")
def _():
    s = connect()
    s.sendall(request("GET", "/_ping"))
    st, _, body = Reader(s).response()
    expect(st == 200 and body == b"OK", "got %d %r" % (st, body))


@check("keep-alive")
def _():
    s = connect()
    r = Reader(s)
    for path in ("/version", "/v1.47/version", "/containers/json"):
        s.sendall(request("GET", path))
        st, _, body = r.response()
        expect(st == 200 and body.startswith((b"{", b"[")), "%s: %d %r" % (path, st, body[:40]))


@check("pipelined")
def _():
    s = connect()
    s.sendall(request("GET", "/_ping") * 3 + request("GET", "/version"))
    r = Reader(s)
    got = [r.response()[2] for _ in range(4)]
    expect(got[:3] == [b"OK"] * 3 and b"fake" in got[3], repr(got))


@check("post-body")
def _():
    s = connect()
    payload = json.dumps({"Image": "busybox", "Cmd": ["true"], "Pad": "z" * 20000}).encode()
    s.sendall(request("POST", "/containers/create?name=x", payload))
    st, _, body = Reader(s).response()
    expect(st == 201 and json.loads(body)["Echo"]["Pad"] == "z" * 20000, "got %d" % st)


@check("events-stream")
def _():
    s = connect()
    s.sendall(request("GET", "/events"))
    st, h, body = Reader(s).response()
    lines = body.decode().splitlines()
    expect(st == 200 and len(lines) == 5, "got %d, %d lines" % (st, len(lines)))


@check("logs-follow")
def _():
    s = connect()
    s.sendall(request("GET", "/containers/abc/logs?follow=1&stdout=1"))
    st, _, body = Reader(s).response()
    expect(st == 200 and len(body.decode().splitlines()) == 20, "got %d" % st)


@check("big-body")
def _():
    s = connect()
    s.sendall(request("GET", "/info"))
    st, _, body = Reader(s).response()
    expect(st == 200 and len(body) == (4 << 20) + 10, "got %d, %d bytes" % (st, len(body)))


@check("hijack-101-tunnel")
def _():
    s = connect()
    s.sendall(
        request(
            "POST",
            "/containers/abc/attach?stream=1&stdin=1&stdout=1",
            extra="Connection: Upgrade\r\nUpgrade: tcp\r\n",
        )
    )
    r = Reader(s)
    st, h, _ = r.response(head_only=True)
    expect(st == 101, "status %d" % st)
    got = r.buf
    for chunk in (b"hello ", b"tunnel ", b"x" * 100000):
        s.sendall(chunk)
    s.shutdown(socket.SHUT_WR)
    got += read_until_close(s, 10, resets=False, must_close=True).data
    expect(got == b"HELLO TUNNEL " + b"X" * 100000, "echo %d bytes" % len(got))


@check("refused-403")
def _():
    s = connect()
    s.sendall(request("DELETE", "/images/busybox"))
    st, _, body = Reader(s).response()
    expect(st == 403 and b"Forbidden" in body, "got %d" % st)


@check("bad-request-400")
def _():
    s = connect()
    s.sendall(b"GET /_ping HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
    st, _, _ = Reader(s).response()
    expect(st == 400, "got %d" % st)


@check("burst-64")
def _():
    errors = []

    def one():
        try:
            s = connect()
            s.sendall(request("GET", "/_ping", extra="Connection: close\r\n"))
            st, _, body = Reader(s).response()
            if st != 200:
                errors.append(st)
        except Exception as e:
            errors.append(e)

    ts = [threading.Thread(target=one) for _ in range(64)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    expect(not errors, repr(errors[:3]))


@check("client-vanishes-mid-stream")
def _():
    for _ in range(5):
        s = connect()
        s.sendall(request("GET", "/containers/abc/logs?follow=1"))
        s.recv(100)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()  # RST
    s = connect()
    s.sendall(request("GET", "/_ping"))
    expect(Reader(s).response()[2] == b"OK", "proxy stopped answering")


@check("half-request-then-close")
def _():
    s = connect()
    s.sendall(b"POST /containers/create HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{")
    s.close()
    s = connect()
    s.sendall(request("GET", "/_ping"))
    expect(Reader(s).response()[2] == b"OK", "proxy stopped answering")


failed = 0
for name, why in results:
    if why:
        failed += 1
        print("FAIL %s: %s" % (name, why))
    else:
        print("ok %s" % name)
print("drive %d %d" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
