"""A recording stand-in for the Docker engine, for the differential test.

Listens on a unix socket, answers every request with 200 and a small JSON body, closes the
connection after each response, and records the method and request target of every request it
received. The record is appended before the response is sent, so once a client has the proxy's
answer, the record of a forwarded request is already there.

Run standalone (`python3 fake_upstream.py SOCKET`) it prints one line per request; the test uses
the Upstream class in-process.
"""

import os
import socket
import sys
import threading

BODY = b'{"message":"fake engine"}\n'
HEAD_LIMIT = 1 << 20
IO_TIMEOUT = 5.0


class Upstream:
    def __init__(self, path):
        self.path = path
        self.seen = []  # (method bytes, target bytes), in arrival order
        self.errors = []
        self._lock = threading.Lock()
        self._sock = None
        self._thread = None

    def start(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(self.path)
        self._sock.listen(64)
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._sock.close()
            self._sock = None
        if os.path.exists(self.path):
            os.unlink(self.path)

    def count(self):
        with self._lock:
            return len(self.seen)

    def since(self, mark):
        with self._lock:
            return list(self.seen[mark:])

    def _accept_loop(self):
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.settimeout(IO_TIMEOUT)
            head, rest = read_head(conn)
            if head is None:
                return
            method, target, headers = parse_head(head)
            read_body(conn, headers, rest)
            with self._lock:
                self.seen.append((method, target))
            payload = b"" if method == b"HEAD" else BODY
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY) + payload
            )
            conn.shutdown(socket.SHUT_WR)
            drain(conn)
        except (OSError, ValueError) as e:
            with self._lock:
                self.errors.append(repr(e))
        finally:
            conn.close()


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return (None, b"") if not data else _bad("connection closed inside the head")
        data += chunk
        if len(data) > HEAD_LIMIT:
            _bad("head too large")
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def parse_head(head):
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3:
        _bad("request line %r" % lines[0])
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            _bad("header line %r" % line)
        headers[name.strip().lower()] = value.strip()
    return parts[0], parts[1], headers


def read_body(conn, headers, rest):
    """Consume the request body so closing never resets the connection under the proxy."""
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while not rest.endswith(b"0\r\n\r\n"):
            chunk = conn.recv(65536)
            if not chunk:
                _bad("connection closed inside a chunked body")
            rest += chunk
        return
    need = int(headers.get(b"content-length", b"0"))
    while len(rest) < need:
        chunk = conn.recv(65536)
        if not chunk:
            _bad("connection closed inside the body")
        rest += chunk


def drain(conn):
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass


def _bad(why):
    raise ValueError(why)


def main():
    up = Upstream(sys.argv[1]).start()
    print("listening on", up.path, flush=True)
    mark = 0
    try:
        while True:
            threading.Event().wait(0.2)
            for method, target in up.since(mark):
                print(method.decode("latin-1"), target.decode("latin-1"), flush=True)
                mark += 1
    except KeyboardInterrupt:
        up.stop()


if __name__ == "__main__":
    main()
