#!/usr/bin/env python3
"""A small stand-in for the Docker engine on a unix socket, for sockwarden's confinement tests.

It answers just enough of the Engine API to make the proxy exercise every I/O path it has: plain
GETs and POSTs with bodies (keep-alive), a chunked endless-style stream (/events, /logs?follow),
and the hijack of attach/exec start (101 Switching Protocols, then a raw echo tunnel).

usage: fake_engine.py SOCKET_PATH | tcp:PORT
       (prints "ready" on stdout once it listens on the unix socket or on 127.0.0.1:PORT;
       SIGTERM stops it)
"""

import json
import os
import signal
import socket
import socketserver
import sys
import time


def reply(wfile, status, body, ctype="application/json", extra=""):
    reason = {200: "OK", 201: "Created", 204: "No Content", 404: "Not Found"}[status]
    head = "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nApi-Version: 1.47\r\n%s\r\n" % (
        status,
        reason,
        ctype,
        len(body),
        extra,
    )
    wfile.write(head.encode() + body)
    wfile.flush()


def stream_chunks(wfile, count, gap):
    wfile.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    wfile.flush()
    for i in range(count):
        line = (json.dumps({"status": "tick", "n": i, "time": int(time.time())}) + "\n").encode()
        wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
        wfile.flush()
        time.sleep(gap)
    wfile.write(b"0\r\n\r\n")
    wfile.flush()


def tunnel(conn):
    """Raw echo after 101: whatever the client sends comes back upper-cased, until it half-closes."""
    while True:
        data = conn.recv(65536)
        if not data:
            break
        conn.sendall(data.upper())
    conn.shutdown(socket.SHUT_WR)


def read_exact(rfile, n):
    out = b""
    while len(out) < n:
        part = rfile.read(n - len(out))
        if not part:
            break
        out += part
    return out


class Handler(socketserver.StreamRequestHandler):
    rbufsize = 0  # unbuffered: after a 101 no client byte may hide in a read buffer
    def read_head(self):
        line = self.rfile.readline(65536)
        if not line:
            return None
        method, target, _ = line.decode("latin-1").split(" ", 2)
        headers = {}
        while True:
            h = self.rfile.readline(65536)
            if h in (b"\r\n", b"\n", b""):
                break
            k, v = h.decode("latin-1").split(":", 1)
            headers[k.strip().lower()] = v.strip()
        return method, target, headers

    def handle(self):
        while True:
            req = self.read_head()
            if req is None:
                return
            method, target, headers = req
            body = b""
            if "content-length" in headers:
                body = read_exact(self.rfile, int(headers["content-length"]))
            elif headers.get("transfer-encoding", "").lower() == "chunked":
                body = self.read_chunked()
            if not self.route(method, target, headers, body):
                return

    def read_chunked(self):
        out = b""
        while True:
            size = int(self.rfile.readline().split(b";")[0], 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return out
            out += read_exact(self.rfile, size)
            self.rfile.readline()

    def route(self, method, target, headers, body):
        path = target.split("?", 1)[0]
        parts = path.strip("/").split("/")
        if parts and parts[0].startswith("v1."):
            parts = parts[1:]
        w = self.wfile
        if parts == ["_ping"]:
            reply(w, 200, b"OK", "text/plain")
        elif parts == ["version"]:
            reply(w, 200, json.dumps({"Version": "27.0.0-fake", "ApiVersion": "1.47"}).encode())
        elif parts == ["containers", "json"]:
            reply(w, 200, json.dumps([{"Id": "c1" * 32, "Names": ["/fake"]}]).encode())
        elif parts == ["containers", "create"] and method == "POST":
            got = json.loads(body or b"{}")
            reply(w, 201, json.dumps({"Id": "c2" * 32, "Echo": got}).encode())
        elif parts == ["events"]:
            stream_chunks(w, 5, 0.05)
        elif len(parts) == 3 and parts[0] == "containers" and parts[2] == "logs":
            stream_chunks(w, 20, 0.01)
        elif len(parts) == 3 and parts[2] in ("attach", "start") and method == "POST":
            w.write(
                b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
                b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
            )
            w.flush()
            tunnel(self.connection)
            return False
        elif parts == ["info"]:
            reply(w, 200, b'{"Pad":"' + b"x" * (4 << 20) + b'"}')
        else:
            reply(w, 404, json.dumps({"message": "page not found"}).encode())
        return headers.get("connection", "").lower() != "close"


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = 256  # the proxy opens one engine connection per client burst


class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def main():
    where = sys.argv[1]
    if where.startswith("tcp:"):
        srv = TCPServer(("127.0.0.1", int(where[4:])), Handler)
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    else:
        if os.path.exists(where):
            os.unlink(where)
        srv = Server(where, Handler)
        os.chmod(where, 0o660)
        signal.signal(signal.SIGTERM, lambda *_: (os.unlink(where), os._exit(0)))
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
