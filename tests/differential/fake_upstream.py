"""A recording stand-in for the Docker engine, for the differential test: tests/lib/fake_engine.py's
Engine with one request per connection, answered the same way whatever it is, so that every
difference the test sees comes from the proxies.

Listens on a unix socket, answers every request with 200 and a small JSON body, closes the
connection after each response, and records the method and request target of every request it
received, as raw bytes. The head is taken as it arrives (request line and header lines split on
CRLF; none of the Go-like engine's routing, version or path checks apply), and the record is
appended before the response is sent, so once a client has the proxy's answer, the record of a
forwarded request is already there. Anything the engine cannot read as a request (a head cut
short, a malformed request line or header line, a bad body, a timeout) lands in `errors`.

Run standalone (`python3 fake_upstream.py SOCKET`) it prints one line per request; the test uses
the Upstream class in-process.
"""

import os
import socket
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from fake_engine import BadRequest, Closed, Engine, listen, read_body, serve_in_thread  # noqa: E402
from sock import read_until_close  # noqa: E402

BODY = b'{"message":"fake engine"}\n'
HEAD_LIMIT = 1 << 20
IO_TIMEOUT = 5.0


class Upstream(Engine):
    io_timeout = IO_TIMEOUT

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.seen = []  # (method bytes, target bytes), in arrival order
        self.errors = []
        self._lock = threading.Lock()
        self._sock = None

    def start(self):
        self._sock = listen(self.path, backlog=64)
        serve_in_thread(self._sock, self)
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

    def one_request(self, sock, rd, cid, seq):
        """One request, recorded and answered; the connection then closes (returns False)."""
        if not rd.peek(1):  # closed before a byte: nothing to record, unless it was an error
            if rd.error is not None:
                self._error(repr(rd.error))
            return False
        where = "the head"
        try:
            method, target, headers = parse_head(rd.head(HEAD_LIMIT))
            where = "the body"
            chunked = headers.get(b"transfer-encoding", b"").lower() == b"chunked"
            read_body(rd, "chunked" if chunked else "length",
                      -1 if chunked else int(headers.get(b"content-length", b"0")))
            with self._lock:
                self.seen.append((method, target))
            payload = b"" if method == b"HEAD" else BODY
            sock.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(BODY) + payload
            )
            sock.shutdown(socket.SHUT_WR)
            try:  # until the proxy closes too, so closing never resets the connection under it
                read_until_close(sock, IO_TIMEOUT, keep=False)
            except OSError:
                pass
        except Closed:
            self._error(repr(rd.error) if rd.error is not None
                        else "connection closed inside %s" % where)
        except BadRequest as e:
            self._error("%s in %s" % (e.reason, where))
        except (OSError, ValueError) as e:
            self._error(repr(e))
        return False

    def _error(self, why):
        with self._lock:
            self.errors.append(why)


def parse_head(head):
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3:
        raise ValueError("request line %r" % lines[0])
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise ValueError("header line %r" % line)
        headers[name.strip().lower()] = value.strip()
    return parts[0], parts[1], headers


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
