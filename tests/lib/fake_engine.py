#!/usr/bin/python3
"""A recording fake Docker engine for sockwarden's suites: the one fake engine of the adversarial,
confine and differential tests.

The Engine class below is the adversarial suite's engine as it stands. The other suites configure
it through class attributes and hooks (see "Configuration" on Engine) in a small subclass:
tests/confine/fake_engine.py (its own routes, a 1.47 API, an upper-casing tunnel) and
tests/differential/fake_upstream.py (one request per connection, a uniform 200, recorded in
process). listen() and serve_in_thread() are the server plumbing they share.

It listens on a unix socket (or 127.0.0.1:PORT) and parses requests the lenient way Go's net/http
does in dockerd, so that anything a proxy lets through "by accident" shows up here:

- request and header lines may end in a bare LF; a CR not followed by LF stays in the line;
- obs-fold continuation lines are folded into the previous header value;
- Transfer-Encoding: chunked wins over Content-Length on HTTP/1.1; on HTTP/1.0 Transfer-Encoding
  is ignored and Content-Length (or nothing) frames the body;
- several identical Content-Length values are accepted, differing ones are a 400;
- chunk-size lines may end in a bare LF and carry extensions; trailers are read and dropped;
- up to 4 CR/LF bytes after a POST are skipped before the next request line;
- the path is percent-decoded once; a path that Go's path.Clean would change gets a 301
  (gorilla/mux) and is not executed; methods are case-sensitive (a lowercase method gets a 404);
- absolute-form targets are accepted and routed on their path; "PRI * HTTP/2.0" is taken as h2c;
- a /vX.Y prefix outside dockerd 20.10's range (1.12 to 1.41, compared like moby's versions
  package) gets a 400 from the version middleware and is not executed.

Every parsed request head is appended to the log as one JSON line ("ev": "request") before its body
is read, with the raw target, the decoded path, the route path (version prefix removed), the
headers, the body framing and whether the engine would execute it. A body read completes with an
"ev": "body" line. Connections log "open" and "close", so a test can wait until the engine has
seen everything; "idle" is logged whenever a connection waits for its next request with nothing
buffered (a proxy may keep such a connection pooled). After a 101 on a hijack route the
connection is a raw tunnel that echoes bytes; those bytes are never parsed (logged once as
"tunnel" with a byte count).

Special routes used by the tests (all under /containers/ID/…, ID chosen by the test):
  GET /events[?interval=S]            endless chunked stream, one JSON line every S seconds (0.1)
  GET /containers/ID/logs?follow=1    endless chunked stream of 16 KiB chunks, as fast as possible
      …&burst=N                       only N such chunks, then silence until the proxy hangs up
  GET /containers/ID/export?bytes=N   N bytes with Content-Length
  GET /containers/rst/json            partial response, then a TCP/unix reset (SO_LINGER 0)
  GET /containers/cut/json            partial response, then a plain close
  GET /containers/ID/json?delay=S     answers after S seconds
  any request with ?stall=S           waits S seconds before reading the request body
  any route containing /dropconn      read completely, then the connection closes unanswered
  POST /containers/missing/attach, POST /exec/missing/start   404, never hijacked

Usage: fake_engine.py --socket PATH | --tcp PORT  --log FILE   (prints "ready" once listening)
"""

import argparse
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse

MAX_HEADER_BYTES = (1 << 20) + 4096  # Go's DefaultMaxHeaderBytes plus its slack
HIJACK = re.compile(r"^/(containers/.+/attach|exec/.+/start)$")
VERSION = re.compile(r"^/v[0-9.]+(/.*)$")
TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


class BadRequest(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Closed(Exception):
    pass


class NoLog:
    """The log of an engine nobody reads."""

    def write(self, **entry):
        pass


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def write(self, **entry):
        entry["t"] = round(time.time(), 4)
        line = json.dumps(entry, separators=(",", ":"))
        with self.lock:
            self.f.write(line + "\n")


class Reader:
    """Buffered reads from a socket, with Go bufio's ReadLine semantics."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.error = None  # the OSError (a timeout, a reset) that ended reading, if one did

    def _fill(self):
        try:
            data = self.sock.recv(65536)
        except OSError as e:
            self.error = e
            data = b""
        if not data:
            raise Closed()
        self.buf += data

    def peek(self, n):
        while len(self.buf) < n:
            try:
                self._fill()
            except Closed:
                break
        return bytes(self.buf[:n])

    def _until(self, sep, limit):
        """The bytes before the next sep (sep is consumed); BadRequest(431) once more than limit
        bytes are buffered without one."""
        start = 0
        while True:
            i = self.buf.find(sep, start)
            if i >= 0:
                out = bytes(self.buf[:i])
                del self.buf[:i + len(sep)]
                return out
            if len(self.buf) > limit:
                raise BadRequest(431, "Request Header Fields Too Large")
            start = max(0, len(self.buf) - len(sep) + 1)
            self._fill()

    def readline(self, limit):
        """A line without its LF and an optional CR before the LF (Go: bufio.Reader.ReadLine)."""
        line = self._until(b"\n", limit)
        return line[:-1] if line.endswith(b"\r") else line

    def head(self, limit):
        """The bytes before the first CRLF CRLF (which is consumed): a message head taken as it
        is, without Go's parsing."""
        return self._until(b"\r\n\r\n", limit)

    def read(self, n):
        while len(self.buf) < n:
            self._fill()
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def discard_leading_crlf(self, most):
        k = 0
        while k < most and self.peek(k + 1)[k:k + 1] in (b"\r", b"\n"):
            k += 1
        del self.buf[:k]


def version_cmp(a, b):
    """moby api/types/versions.compare: dot-separated integers, a bad part counts as 0."""
    def part(x):
        return int(x) if x.isdigit() else 0
    pa, pb = a.split("."), b.split(".")
    for i in range(max(len(pa), len(pb))):
        x = part(pa[i]) if i < len(pa) else 0
        y = part(pb[i]) if i < len(pb) else 0
        if x != y:
            return -1 if x < y else 1
    return 0


def go_path_clean(p):
    """Go's path.Clean."""
    if p == "":
        return "."
    rooted = p.startswith("/")
    out = []
    for seg in p.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(seg)
    s = "/".join(out)
    if rooted:
        s = "/" + s
    return s or "."


def mux_clean(p):
    """gorilla/mux cleanPath: path.Clean keeping a trailing slash."""
    if p == "":
        return "/"
    if p[0] != "/":
        p = "/" + p
    np = go_path_clean(p)
    if p[-1] == "/" and np != "/":
        np += "/"
    return np


def go_unescape_path(s):
    """net/url unescape in path mode: %XX decoded once, a bad escape is an error, '+' stays."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "%":
            h = s[i + 1:i + 3]
            if len(h) != 2 or not all(x in "0123456789abcdefABCDEF" for x in h):
                raise BadRequest(400, "invalid URL escape")
            out.append(int(h, 16))
            i += 3
        else:
            out += c.encode("latin-1")
            i += 1
    return out.decode("latin-1")


def parse_target(target):
    """url.ParseRequestURI as Go's server uses it: returns the decoded path."""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        raise BadRequest(400, "invalid control character in URL")
    if target == "*":
        return "*"
    rest = target.split("?", 1)[0]
    if not rest.startswith("/"):
        m = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*):(.*)$", rest)
        if not m:
            raise BadRequest(400, "invalid URI for request")
        rest = m.group(2)
        if rest.startswith("//"):
            slash = rest.find("/", 2)
            rest = "" if slash < 0 else rest[slash:]
        elif not rest.startswith("/"):
            raise BadRequest(400, "invalid URI for request")
    return go_unescape_path(rest)


def parse_version(proto):
    m = re.match(r"^HTTP/(\d{1,7})\.(\d{1,7})$", proto)
    if not m:
        raise BadRequest(400, "malformed HTTP version")
    return int(m.group(1)), int(m.group(2))


def read_mime_header(rd, budget):
    """textproto.Reader.ReadMIMEHeader (lenient Go 1.19 behaviour, as in dockerd 20.10)."""
    headers = []
    first = rd.peek(1)
    if first in (b" ", b"\t"):
        raise BadRequest(400, "malformed MIME header initial line")
    while True:
        line = rd.readline(budget)
        if line == b"":
            return headers
        while rd.peek(1) in (b" ", b"\t"):  # obs-fold
            cont = rd.readline(budget)
            line = line.rstrip(b" \t") + b" " + cont.lstrip(b" \t")
        i = line.find(b":")
        if i < 0:
            raise BadRequest(400, "malformed MIME header line")
        name, value = line[:i], line[i + 1:].strip(b" \t")
        if name == b"":
            continue
        if not TOKEN.match(name):
            raise BadRequest(400, "invalid header name")
        if any((b < 0x20 and b != 0x09) or b == 0x7F for b in value):
            raise BadRequest(400, "invalid header value")
        headers.append((name.decode("latin-1"), value.decode("latin-1")))


def hget(headers, name):
    return [v for k, v in headers if k.lower() == name.lower()]


def framing(major, minor, headers):
    """transfer.go: parseTransferEncoding, then fixLength. ("chunked", -1) or ("length", n)."""
    te = hget(headers, "Transfer-Encoding")
    chunked = False
    if te and (major, minor) >= (1, 1):
        if len(te) != 1:
            raise BadRequest(501, "too many transfer encodings")
        if te[0].strip(" \t\r\n").lower() != "chunked":
            raise BadRequest(501, "unsupported transfer encoding")
        chunked = True
    cls = hget(headers, "Content-Length")
    if chunked:
        return "chunked", -1
    if len(cls) > 1 and any(v.strip() != cls[0].strip() for v in cls[1:]):
        raise BadRequest(400, "multiple Content-Length headers")
    cl = cls[0].strip() if cls else ""
    if cl == "":
        return "length", 0
    if not re.match(r"^[0-9]+$", cl) or int(cl) >= 1 << 63:
        raise BadRequest(400, "bad Content-Length")
    return "length", int(cl)


def read_chunked(rd, keep=None):
    """Go's chunkedReader before CVE-2025-22871: bare LF allowed, extensions allowed. Returns the
    data size; the data itself is appended to keep (a bytearray) when one is given."""
    total = 0
    while True:
        line = rd.readline(4096).rstrip(b" \t\r\n")
        size = line.split(b";", 1)[0]
        if not size or len(size) > 16 or not re.match(rb"^[0-9a-fA-F]+$", size):
            raise BadRequest(400, "malformed chunk size")
        n = int(size, 16)
        if n == 0:
            break
        data = rd.read(n)
        if keep is not None:
            keep += data
        total += n
        if rd.read(2) != b"\r\n":
            raise BadRequest(400, "malformed chunked encoding")
    if rd.peek(2) == b"\r\n":
        rd.read(2)
    else:
        read_mime_header(rd, MAX_HEADER_BYTES)  # trailers
    return total


def read_body(rd, kind, length, keep=None):
    """Reads a request body framed (kind, length) as framing() says; returns its size. The data is
    appended to keep (a bytearray) when one is given; otherwise it is read in pieces and dropped
    (a body may be large)."""
    if kind == "chunked":
        return read_chunked(rd, keep)
    got = 0
    while got < length:
        data = rd.read(min(length - got, 1 << 20))
        if keep is not None:
            keep += data
        got += len(data)
    return got


REASONS = {101: "Switching Protocols", 200: "OK", 201: "Created", 204: "No Content",
           301: "Moved Permanently", 400: "Bad Request", 404: "Not Found",
           431: "Request Header Fields Too Large", 501: "Not Implemented",
           505: "HTTP Version Not Supported"}


class Request:
    """One parsed request as respond() sees it; body is the data when the engine keeps bodies."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


class Engine:
    """Configuration (class attributes, set in a subclass):

    api_range     (min, max) of the /vX.Y prefixes the version middleware lets through, or None
                  to take any prefix (it is still removed from the route)
    api_version   the Api-Version header of every answer
    server        the Server header of every answer, or None for none
    keep_body     keep request bodies (Request.body) instead of counting and dropping them
    tunnel_upper  the hijack tunnel echoes bytes upper-cased instead of as they are
    io_timeout    a socket timeout on every engine connection, or None

    Hooks: respond(sock, rd, cid, req) answers a parsed request (override it for other routes;
    call Engine.respond for the default ones); one_request() handles one request from its first
    byte (override it for another parser)."""

    api_range = ("1.12", "1.41")
    api_version = "1.41"
    server = "Docker/20.10.24 (linux)"
    keep_body = False
    tunnel_upper = False
    io_timeout = None

    def __init__(self, log=None):
        self.log = log or NoLog()
        self.next_id = 0
        self.lock = threading.Lock()

    def serve(self, sock):
        with self.lock:
            self.next_id += 1
            cid = "%d.%d" % (os.getpid(), self.next_id)  # unique across engine restarts
        self.log.write(ev="open", conn=cid)
        if self.io_timeout is not None:
            sock.settimeout(self.io_timeout)
        rd = Reader(sock)
        seq = 0
        last_method = None
        try:
            while True:
                if not rd.buf:  # between requests with nothing pending: safe to pool or close
                    self.log.write(ev="idle", conn=cid)
                if last_method == "POST":
                    rd.discard_leading_crlf(4)
                seq += 1
                keep = self.one_request(sock, rd, cid, seq)
                if not keep:
                    break
                last_method = keep if isinstance(keep, str) else None
        except Closed:
            pass
        except BadRequest as e:
            self.log.write(ev="bad", conn=cid, seq=seq, status=e.status, reason=e.reason)
            self.send(sock, e.status, e.reason + "\n", close=True,
                      ctype="text/plain; charset=utf-8")
        except OSError:
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass
            self.log.write(ev="close", conn=cid)

    # ---- one request ---------------------------------------------------------------------------

    def one_request(self, sock, rd, cid, seq):
        """Returns False to close, True (or the method name) to keep the connection."""
        line = rd.readline(MAX_HEADER_BYTES)
        parts = line.split(b" ", 2)
        if len(parts) != 3:
            raise BadRequest(400, "malformed HTTP request")
        method, target, proto = (x.decode("latin-1") for x in parts)
        if not TOKEN.match(parts[0]):
            raise BadRequest(400, "invalid method")
        major, minor = parse_version(proto)
        if major == 2 and minor == 0 and method == "PRI" and target == "*":
            self.log.write(ev="request", conn=cid, seq=seq, method=method, target=target,
                           path="*", route="*", proto=proto, headers=[], framing="h2c",
                           length=0, executed=True, status=0)
            return False  # the HTTP/2 server takes the connection
        if major != 1:
            raise BadRequest(505, "unsupported protocol version")
        headers = read_mime_header(rd, MAX_HEADER_BYTES)
        path = parse_target(target)
        hosts = hget(headers, "Host")
        if len(hosts) > 1:
            raise BadRequest(400, "too many Host headers")
        if minor >= 1 and not hosts and not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", target):
            raise BadRequest(400, "missing required Host header")
        kind, length = framing(major, minor, headers)
        conn_tokens = ",".join(hget(headers, "Connection")).lower()
        tokens = [t.strip() for t in conn_tokens.split(",")]
        close = "close" in tokens if minor >= 1 else "keep-alive" not in tokens
        status, route = self.route(method, path)
        executed = 200 <= status < 300
        self.log.write(ev="request", conn=cid, seq=seq, method=method, target=target, path=path,
                       route=route, proto=proto, headers=headers, framing=kind, length=length,
                       executed=executed, status=status)
        query = urllib.parse.parse_qs(target.split("?", 1)[1]) if "?" in target else {}
        if "stall" in query:  # an engine that takes its time before reading the body
            time.sleep(float(query["stall"][0]))
        if hget(headers, "Expect") and (kind == "chunked" or length > 0):
            sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = bytearray() if self.keep_body else None
        got = read_body(rd, kind, length, body)
        self.log.write(ev="body", conn=cid, seq=seq, bytes=got)
        if "/dropconn" in route:  # the engine goes away after taking the request, no answer
            return False
        req = Request(method=method, path=path, route=route, target=target, query=query,
                      status=status, headers=headers, close=close,
                      body=bytes(body) if body is not None else None)
        keep = self.respond(sock, rd, cid, req)
        if keep and method == "POST":
            return "POST"
        return keep

    def route(self, method, path):
        if path == "*":
            return (200 if method == "OPTIONS" else 404), "*"
        if mux_clean(path) != path:
            return 301, path
        m = VERSION.match(path)
        route = m.group(1) if m else path
        if m and self.api_range:
            v = path[2:len(path) - len(route)]
            lo, hi = self.api_range
            if version_cmp(v, lo) < 0 or version_cmp(v, hi) > 0:
                return 400, route
        if method not in ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"):
            return 404, route
        return 200, route

    # ---- answers -------------------------------------------------------------------------------

    def send(self, sock, status, body, close=False, ctype="application/json", extra=(),
             head_only=False):
        reason = REASONS.get(status, "Status")
        data = body.encode() if isinstance(body, str) else body
        head = ["HTTP/1.1 %d %s" % (status, reason), "Api-Version: " + self.api_version,
                "Content-Type: " + ctype]
        if self.server:
            head.append("Server: " + self.server)
        head += ["Content-Length: %d" % len(data)] + list(extra)
        if close:
            head.append("Connection: close")
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + (b"" if head_only else data))

    def respond(self, sock, rd, cid, req):
        """Answers req; returns whether the connection stays open for another request."""
        method, path, route, target = req.method, req.path, req.route, req.target
        status, headers, close, query = req.status, req.headers, req.close, req.query
        head_only = method == "HEAD"
        if status == 301:
            q = ("?" + target.split("?", 1)[1]) if "?" in target else ""
            self.send(sock, 301, "", close, extra=["Location: " + mux_clean(path) + q])
            return not close
        if status != 200:
            msg = "page not found" if status == 404 else "client version out of range"
            self.send(sock, status, '{"message":"%s"}\n' % msg, close, head_only=head_only)
            return not close
        if method == "POST" and HIJACK.match(route):
            return self.hijack(sock, rd, cid, route, headers, close)
        if method == "GET" and route == "/events":
            interval = float(query.get("interval", ["0.1"])[0])
            self.stream(sock, lambda i: b'{"status":"tick","n":%d}\n' % i, interval)
            return False
        if method == "GET" and route.startswith("/containers/") and route.endswith("/logs") \
                and query.get("follow", ["0"])[0] not in ("0", "false", ""):
            block = b"L" * 16383 + b"\n"
            burst = int(query.get("burst", ["0"])[0])
            self.stream(sock, lambda i: block, 0, limit=burst)
            while burst and sock.recv(4096):  # silent, open, until the proxy closes
                pass
            return False
        if route.startswith("/containers/") and route.endswith("/export") and "bytes" in query:
            self.send(sock, 200, b"x" * int(query["bytes"][0]), close,
                      ctype="application/x-tar", head_only=head_only)
            return not close
        if route == "/containers/rst/json" or route == "/containers/cut/json":
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100000\r\n\r\n" + b"[" * 1000)
            time.sleep(0.2)
            if route == "/containers/rst/json":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if "delay" in query:
            time.sleep(float(query["delay"][0]))
        if route == "/_ping":
            body = "OK"
        elif route == "/containers/json":
            body = "[]\n"
        else:
            body = json.dumps({"method": method, "path": path}) + "\n"
        self.send(sock, 200, body, close, head_only=head_only,
                  ctype="text/plain; charset=utf-8" if route == "/_ping" else "application/json")
        return not close

    def stream(self, sock, chunk_of, interval, limit=0, finish=False):
        """A chunked 200: chunk_of(i) every interval seconds, without end or limit chunks; with
        finish, the last-chunk follows them (otherwise the stream just stops)."""
        sock.sendall(b"HTTP/1.1 200 OK\r\nApi-Version: %s\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n" % self.api_version.encode())
        i = 0
        while not limit or i < limit:
            data = chunk_of(i)
            sock.sendall(b"%x\r\n%s\r\n" % (len(data), data))
            i += 1
            if interval:
                time.sleep(interval)
        if finish:
            sock.sendall(b"0\r\n\r\n")

    def hijack(self, sock, rd, cid, route, headers, close):
        if "/missing/" in route:
            self.send(sock, 404, '{"message":"No such container: missing"}\n', close)
            return not close
        if hget(headers, "Upgrade"):
            sock.sendall(b"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream"
                         b"\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
        else:
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream"
                         b"\r\n\r\n")
        total = 0
        pending = bytes(rd.buf)
        rd.buf.clear()
        try:
            while True:
                if pending:
                    sock.sendall(pending.upper() if self.tunnel_upper else pending)
                    total += len(pending)
                pending = sock.recv(65536)
                if not pending:
                    break
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self.log.write(ev="tunnel", conn=cid, bytes=total)
        return False


def listen(where, backlog=1024, mode=None):
    """A listening socket: where is a unix socket path (an old socket file there is removed; mode
    chmods the new one), a TCP port on 127.0.0.1 (int), or "tcp:PORT"."""
    if isinstance(where, str) and where.startswith("tcp:"):
        where = int(where[4:])
    if isinstance(where, int):
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", where))
    else:
        if os.path.exists(where):
            os.unlink(where)
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(where)
        if mode is not None:
            os.chmod(where, mode)
    srv.listen(backlog)
    return srv


def accept_loop(srv, engine):
    """Serves every connection on its own thread until srv is closed."""
    while True:
        try:
            s, _ = srv.accept()
        except OSError:
            return
        threading.Thread(target=engine.serve, args=(s,), daemon=True).start()


def serve_in_thread(srv, engine):
    """accept_loop on a daemon thread (an engine inside the test process); returns the thread."""
    th = threading.Thread(target=accept_loop, args=(srv, engine), daemon=True)
    th.start()
    return th


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket")
    ap.add_argument("--tcp", type=int)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    engine = Engine(Log(a.log))
    srv = listen(a.socket if a.socket else a.tcp)
    print("ready", flush=True)
    accept_loop(srv, engine)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
