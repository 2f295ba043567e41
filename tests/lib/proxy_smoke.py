#!/usr/bin/env python3
"""A short, bounded run of the proxy against a fake engine, for tools such as valgrind.

Usage: proxy_smoke.py LOGFILE -- COMMAND...   (COMMAND is e.g. valgrind … build/sockwarden)

Starts the fake engine (fake_engine.py, answering every request 200 with an echo of it) on a unix
socket, runs COMMAND with
SOCKET_PATH/BIND_CONFIG and CONTAINERS=1 POST=1, sends about 50 requests (single, keep-alive,
chunked upload, refused, malformed), then SIGTERM. Exit 0 when every answer was right and COMMAND
exited 0; the command's output goes to LOGFILE.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile

from fake_engine import Engine, listen, serve_in_thread
from sock import free_port, wait_listening

FORBIDDEN = (
    b"<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n"
    b"</body></html>\n\n"
)


def read_head(f):
    lines = []
    while True:
        line = f.readline(65536)
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            return lines
        lines.append(line.rstrip(b"\r\n"))


def read_body(f, headers):
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = b""
        while True:
            size = int(f.readline().split(b";")[0], 16)
            if size == 0:
                read_head(f)  # trailers up to the empty line
                return body
            body += f.read(size)
            f.readline()
    return f.read(int(headers.get(b"content-length", b"0")))


def parse_headers(lines):
    h = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        h[k.strip().lower()] = v.strip()
    return h


class SmokeEngine(Engine):
    """Answers every request 200 with a JSON body echoing method, target and body length."""

    api_range = None
    keep_body = True

    def respond(self, sock, rd, cid, req):
        out = b'{"method":"%s","target":"%s","body":%d}' % (
            req.method.encode("latin-1"), req.target.encode("latin-1"), len(req.body))
        self.send(sock, 200, out, req.close)
        return not req.close


def read_response(f):
    """One response from a buffered socket file: (status code, headers, body)."""
    head = read_head(f)
    if head is None:
        raise AssertionError("connection closed before a response")
    code = int(head[0].split(b" ")[1])
    headers = parse_headers(head)
    if b"content-length" in headers or b"transfer-encoding" in headers:
        body = read_body(f, headers)
    else:
        body = f.read()  # close-delimited (the 403 page)
    return code, headers, body


class Client:
    def __init__(self, port):
        self.port = port
        self.ok = 0
        self.bad = []

    def check(self, cond, what):
        if cond:
            self.ok += 1
        else:
            self.bad.append(what)

    def conn(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        return s, s.makefile("rb")

    def one(self, raw, want, body_part=None):
        s, f = self.conn()
        try:
            s.sendall(raw)
            code, _, body = read_response(f)
            good = code == want and (body_part is None or body_part in body)
            self.check(good, "%r -> %d %r" % (raw[:60], code, body[:80]))
            return body
        except (OSError, AssertionError, ValueError) as e:
            self.check(False, "%r -> %s" % (raw[:60], e))
        finally:
            f.close()
            s.close()

    def keepalive(self, targets):
        s, f = self.conn()
        try:
            for t in targets:
                s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % t)
                code, _, body = read_response(f)
                self.check(code == 200 and t in body, "keep-alive %r -> %d" % (t, code))
        except (OSError, AssertionError, ValueError) as e:
            self.check(False, "keep-alive: %s" % e)
        finally:
            f.close()
            s.close()


def run_requests(c):
    get = b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    for i in range(15):
        c.one(get % b"/_ping", 200, b"/_ping")
        c.one(get % (b"/v1.41/containers/json?all=%d" % (i % 2)), 200, b"containers/json")
    for _ in range(3):
        c.keepalive([b"/version", b"/v1.41/containers/json", b"/_ping", b"/v1.41/version"])
    body = b'{"Image":"x"}'
    c.one(
        b"POST /v1.41/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body),
        200,
        b'"body":13',
    )
    chunked = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    c.one(
        b"PUT /v1.41/containers/abc/archive?path=/tmp HTTP/1.1\r\nHost: x\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked,
        200,
        b'"body":11',
    )
    for target in (b"/info", b"/v1.41/images/json", b"/secrets", b"/v1.41/swarm/init"):
        c.one(get % target, 403, FORBIDDEN)
    c.one(b"POST /v1.41/images/create?fromImage=x HTTP/1.1\r\nHost: x\r\n\r\n", 403, FORBIDDEN)
    c.one(b"GET nonsense\r\n\r\n", 400)


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    logfile, cmd = sys.argv[1], sys.argv[3:]
    tmp = tempfile.mkdtemp(prefix="swsmoke.")
    sock = os.path.join(tmp, "engine.sock")
    server = listen(sock)
    serve_in_thread(server, SmokeEngine())
    port = free_port()
    env = dict(os.environ, SOCKET_PATH=sock, BIND_CONFIG="127.0.0.1:%d" % port,
               LOG_LEVEL="info", CONTAINERS="1", POST="1", SHUTDOWN_GRACE="2s")
    with open(logfile, "wb") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        if not wait_listening(port, 60, proc=proc, interval=0.2, attempt=1):
            print("proxy_smoke: proxy did not listen on %d (exit %s)" % (port, proc.poll()))
            return 1
        c = Client(port)
        run_requests(c)
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        server.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        server.close()
        os.unlink(sock)
        os.rmdir(tmp)
    print("proxy_smoke: %d requests answered right, %d wrong; proxy exit %d"
          % (c.ok, len(c.bad), rc))
    for b in c.bad:
        print("  wrong: " + b)
    return 0 if not c.bad and rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
