"""Helpers shared by the adversarial tests: the fake engine and proxy processes, raw exchanges,
a small HTTP/1.x response reader and the engine-log reader."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
LIB = os.path.join(HERE, "..", "lib")
sys.path.insert(0, LIB)
from sock import free_port  # noqa: E402,F401  (test_limits takes it from here)

FAKE = os.path.join(LIB, "fake_engine.py")
PYTHON = "/usr/bin/python3"

# For tests that measure RSS: ASan keeps freed memory in a quarantine (256 MB by default), which
# would show up as growth that the plain build does not have. A small quarantine keeps the figures
# about the proxy while use-after-free detection still covers recent frees.
ASAN_MEASURE = ("detect_leaks=1:halt_on_error=1:abort_on_error=0:quarantine_size_mb=1:"
                "thread_local_quarantine_size_kb=64")

SANITIZER_MARKERS = re.compile(
    r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|==\d+==ERROR"
)


def sw_bin():
    return os.environ.get("SW_BIN", os.path.join(REPO, "build", "asan", "sockwarden"))


def short_tmpdir():
    """sun_path is 108 bytes: keep socket directories short."""
    return tempfile.mkdtemp(prefix="swadv.", dir="/tmp")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def sock_fds(pid):
    """The proxy's descriptors by kind: {"client": established TCP sockets (clients reach the
    proxy over TCP), "engine": unix sockets (the engine, including pooled idle connections),
    "total": all}."""
    tcp = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                for line in f.readlines()[1:]:
                    parts = line.split()
                    tcp[parts[9]] = parts[3]
        except OSError:
            pass
    with open("/proc/net/unix") as f:
        unix = {line.split()[6] for line in f.readlines()[1:] if len(line.split()) >= 7}
    kinds = {"client": 0, "engine": 0, "total": 0}
    for fd in os.listdir("/proc/%d/fd" % pid):
        kinds["total"] += 1
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", link)
        if not m:
            continue
        if tcp.get(m.group(1)) not in (None, "0A"):  # 0A = LISTEN
            kinds["client"] += 1
        elif m.group(1) in unix:
            kinds["engine"] += 1
    return kinds


def wait_clients_gone(pid, timeout=5.0, want=0):
    """Waits until the proxy holds at most `want` client connections; returns how many it holds."""
    deadline = time.monotonic() + timeout
    while True:
        n = sock_fds(pid)["client"]
        if n <= want or time.monotonic() > deadline:
            return n
        time.sleep(0.05)


def record_figure(name, **values):
    """Appends one line of measurements to build/adversarial/figures.txt (or $SW_FIGURES)
    and prints it, so run.sh and the report can show them."""
    path = os.environ.get("SW_FIGURES",
                          os.path.join(REPO, "build", "adversarial", "figures.txt"))
    line = name + " " + " ".join("%s=%s" % kv for kv in values.items())
    print(line)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a") as f:
        f.write(line + "\n")


def raise_nofile(want):
    """Raises this process's soft RLIMIT_NOFILE (children, such as the proxy, inherit it)."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, want), hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


# ---- the fake engine -----------------------------------------------------------------------------


class FakeEngine:
    def __init__(self, directory, name="engine"):
        self.dir = directory
        self.sock = os.path.join(directory, name + ".sock")
        self.log_path = os.path.join(directory, name + ".jsonl")
        self.proc = None
        self.log = EngineLog(self.log_path)

    def start(self):
        self.proc = subprocess.Popen(
            [PYTHON, FAKE, "--socket", self.sock, "--log", self.log_path],
            stdout=subprocess.PIPE,
            stderr=open(os.path.join(self.dir, "engine.stderr"), "ab"),
            stdin=subprocess.DEVNULL,
        )
        line = self.proc.stdout.readline()
        if line.strip() != b"ready":
            raise AssertionError("fake engine did not start: %r" % line)
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.forget()

    def connect(self, timeout=5):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(self.sock)
        return s


class EngineLog:
    """Reads the engine's JSON-lines log from a mark on, and follows every connection's state."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.scanned = 0
        self.state = {}  # conn → last of "open", "request", "body", "idle", "tunnel", "close", …

    def _size(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def mark(self):
        self.offset = self._size()

    def _read(self, start):
        try:
            with open(self.path, "rb") as f:
                f.seek(start)
                data = f.read()
        except OSError:
            return [], 0
        # Only complete lines: the engine may be writing one right now.
        data = data[: data.rfind(b"\n") + 1]
        return [json.loads(line) for line in data.splitlines() if line.strip()], len(data)

    def entries(self):
        return self._read(self.offset)[0]

    def _follow(self):
        es, n = self._read(self.scanned)
        self.scanned += n
        for e in es:
            if "conn" in e:
                self.state[e["conn"]] = e["ev"]

    def forget(self):
        """The engine process died: its connections are gone whatever its log says."""
        self._follow()
        self.state = {c: "close" for c in self.state}

    def busy(self):
        """Connections that are neither closed nor idle between requests."""
        self._follow()
        return [c for c, ev in self.state.items() if ev not in ("close", "idle")]

    def settle(self, timeout=5.0, quiet=0.05):
        """Waits until every engine connection is closed or idle between requests (a proxy may
        pool idle ones) and nothing new was logged for `quiet` seconds; returns the entries."""
        deadline = time.monotonic() + timeout
        last, since = -1, time.monotonic()
        while True:
            es = self.entries()
            if len(es) != last:
                last, since = len(es), time.monotonic()
            if not self.busy() and time.monotonic() - since >= quiet:
                return es
            if time.monotonic() > deadline:
                return es
            time.sleep(0.01)

    def requests(self, es=None):
        es = self.entries() if es is None else es
        return [e for e in es if e["ev"] == "request"]

    def unexpected(self, es):
        """Engine-side parse errors: something reached the engine that it could not even parse."""
        return [e for e in es if e["ev"] == "bad"]


# ---- the proxy -----------------------------------------------------------------------------------


class Proxy:
    def __init__(self, upstream, directory, env=None, binary=None, name="proxy", user=None):
        self.upstream = upstream
        self.dir = directory
        self.env = dict(env or {})
        self.binary = binary or sw_bin()
        self.log_path = os.path.join(directory, name + ".log")
        self.port = None
        self.proc = None
        self.user = user

    def start(self, timeout=10):
        if not os.access(self.binary, os.X_OK):
            raise AssertionError("proxy binary %s missing (make build/asan/sockwarden)"
                                 % self.binary)
        for _ in range(3):
            self.port = free_port()
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "SOCKET_PATH": self.upstream,
                "BIND_CONFIG": "127.0.0.1:%d" % self.port,
                "LOG_LEVEL": "info",
                "ASAN_OPTIONS": "detect_leaks=1:halt_on_error=1:abort_on_error=0",
                "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
            }
            env.update({k: str(v) for k, v in self.env.items()})
            argv = [self.binary]
            if self.user:
                argv = ["setpriv", "--reuid", str(self.user), "--regid", str(self.user),
                        "--clear-groups", "--"] + argv
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
            log.close()
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                    return self
                except OSError:
                    time.sleep(0.05)
            if self.proc.poll() is None:
                raise AssertionError("proxy did not listen within %ss\n%s" % (timeout, self.tail()))
            if "in use" not in self.log_text().lower():
                raise AssertionError("proxy exited at start (%d)\n%s"
                                     % (self.proc.returncode, self.tail()))
        raise AssertionError("no free port in 3 attempts")

    @property
    def pid(self):
        return self.proc.pid

    def log_text(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def tail(self, n=40):
        return "--- proxy log ---\n" + "\n".join(self.log_text().splitlines()[-n:])

    def wait_log(self, pattern, timeout=5.0, start=0):
        """Waits until the proxy log (from character offset start) matches the regex."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = rx.search(self.log_text(), start)
            if m:
                return m
            time.sleep(0.05)
        raise AssertionError("no log line matching %r\n%s" % (pattern, self.tail()))

    def connect(self, timeout=5):
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def sanitizer_report(self):
        m = SANITIZER_MARKERS.search(self.log_text())
        return None if not m else self.log_text()[max(0, m.start() - 200): m.start() + 3000]

    def stop(self, timeout=20):
        """SIGTERM; returns a list of problems (exit status, sanitizer output)."""
        problems = []
        if self.proc is None:
            return problems
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
                problems.append("proxy ignored SIGTERM for %ss" % timeout)
        if self.proc.returncode != 0:
            problems.append("proxy exited with %d" % self.proc.returncode)
        rep = self.sanitizer_report()
        if rep:
            problems.append("sanitizer output:\n" + rep)
        if problems:
            problems.append(self.tail(60))
        return problems


# ---- raw HTTP on the client side -----------------------------------------------------------------


class Response:
    def __init__(self, status, version, headers, body, raw):
        self.status = status
        self.version = version
        self.headers = headers  # list of (lower-name, value)
        self.body = body
        self.raw = raw

    def header(self, name):
        for k, v in self.headers:
            if k == name.lower():
                return v
        return None

    def __repr__(self):
        return "<%s %d %r>" % (self.version, self.status, self.body[:80])


def _parse_one(buf, eof, head_request):
    """Parses one response from buf. Returns (Response, consumed) or (None, 0) if incomplete.
    A 101 consumes only its head; a close-delimited body needs eof."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        if eof and buf:
            raise AssertionError("truncated response head: %r" % buf[:200])
        return None, 0
    head = buf[:end].decode("latin-1")
    lines = head.split("\r\n")
    m = re.match(r"^(HTTP/1\.[01]) (\d{3})(?: .*)?$", lines[0])
    if not m:
        raise AssertionError("bad status line %r" % lines[0])
    status = int(m.group(2))
    headers = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers.append((k.strip().lower(), v.strip()))
    hd = dict(headers)
    pos = end + 4
    if status == 101 or 100 <= status < 200 or status in (204, 304) or head_request:
        return Response(status, m.group(1), headers, b"", buf[:pos]), pos
    if hd.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        p = pos
        while True:
            le = buf.find(b"\r\n", p)
            if le < 0:
                return (None, 0) if not eof else _trunc(buf)
            size = int(buf[p:le].split(b";")[0], 16)
            if len(buf) < le + 2 + size + 2:
                return (None, 0) if not eof else _trunc(buf)
            body += buf[le + 2: le + 2 + size]
            p = le + 2 + size + 2
            if size == 0:
                return Response(status, m.group(1), headers, body, buf[:p]), p
    if "content-length" in hd:
        n = int(hd["content-length"])
        if len(buf) < pos + n:
            return (None, 0) if not eof else _trunc(buf)
        return Response(status, m.group(1), headers, buf[pos: pos + n], buf[: pos + n]), pos + n
    if not eof:
        return None, 0
    return Response(status, m.group(1), headers, buf[pos:], buf), len(buf)


def _trunc(buf):
    raise AssertionError("truncated response: %r" % buf[:300])


class Exchange:
    """Result of one raw exchange: responses in order, whether the proxy closed, leftover bytes."""

    def __init__(self, responses, closed, rest):
        self.responses = responses
        self.closed = closed
        self.rest = rest

    @property
    def statuses(self):
        return [r.status for r in self.responses]


def exchange(port, data, expect=1, timeout=5.0, settle=0.15, head=0, gap=0.05, sock=None,
             keep_open=False):
    """Sends data (bytes, or a list of byte strings sent with `gap` seconds between them) to the
    proxy (port, or an already connected sock); reads responses until the peer closes, or until
    `expect` responses arrived and nothing more came for `settle` seconds. The first `head`
    responses answer HEAD requests (no body). After a 101 the rest is tunnel data (Exchange.rest).
    Returns Exchange (and the socket if keep_open)."""
    s = sock or socket.create_connection(("127.0.0.1", port), timeout=timeout)
    parts = data if isinstance(data, list) else [data]
    buf = b""
    responses = []
    closed = False
    try:
        for i, part in enumerate(parts):
            if i:
                time.sleep(gap)
            try:
                s.sendall(part)
            except (BrokenPipeError, ConnectionResetError):
                break
        deadline = time.monotonic() + timeout
        upgraded = False
        while True:
            while not upgraded:
                r, n = _parse_one(buf, closed, len(responses) < int(head))
                if not r:
                    break
                responses.append(r)
                buf = buf[n:]
                if r.status == 101:
                    upgraded = True
            if closed:
                break
            now = time.monotonic()
            if now > deadline:
                break
            wait = deadline - now
            if len(responses) >= expect:
                wait = min(wait, settle)
            s.settimeout(max(wait, 0.01))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                if len(responses) >= expect:
                    break
                continue
            except ConnectionResetError:
                closed = True
                continue
            if not chunk:
                closed = True
            buf += chunk
    finally:
        if not keep_open:
            s.close()
    ex = Exchange(responses, closed, buf)
    return (ex, s) if keep_open else ex


def req(method, target, headers=(("Host", "docker"),), body=b"", version="HTTP/1.1", eol=b"\r\n"):
    """Builds a request from parts (for the common, well-formed cases)."""
    lines = [("%s %s %s" % (method, target, version)).encode("latin-1")]
    for k, v in headers:
        lines.append(("%s: %s" % (k, v)).encode("latin-1"))
    return eol.join(lines) + eol + eol + body


def cleanup_dir(d):
    shutil.rmtree(d, ignore_errors=True)
