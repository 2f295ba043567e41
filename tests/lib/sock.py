"""Raw socket helpers shared by sockwarden's Python suites (adversarial, confine, differential,
integration, image).

An address is a TCP port on 127.0.0.1 (int), a (host, port) pair, or a unix socket path (str).
Every read here is bounded twice: by an idle timeout per recv and by a total deadline, and what is
kept is capped in size, so a peer that never closes, or streams without end, cannot hang a test.
"""

import collections
import socket
import time

HOST = "127.0.0.1"
CAP = 64 << 20  # bytes kept by read_until_close; more ends the read (end "cap")

class Got(collections.namedtuple("Got", "data nbytes end seconds")):
    """data: what was read (b"" with keep=False); nbytes: how many bytes were read; end: "eof",
    "reset", "idle" (no byte for `idle` seconds), "deadline" (`total` seconds passed) or "cap"."""

    __slots__ = ()

    @property
    def closed(self):
        """The peer closed (FIN or reset) within the bounds."""
        return self.end in ("eof", "reset")


def connect(addr, timeout=10.0):
    """A connected stream socket to addr, with timeout as its socket timeout."""
    if isinstance(addr, str):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(addr)
        except OSError:
            s.close()
            raise
        return s
    if isinstance(addr, int):
        addr = (HOST, addr)
    return socket.create_connection(addr, timeout=timeout)


def read_until_close(s, idle=5.0, total=60.0, cap=CAP, keep=True, resets=True, must_close=False,
                     chunk=65536):
    """Reads s until the peer closes or a bound is hit; returns a Got.

    idle bounds each recv, total the whole read. resets=False lets a ConnectionResetError
    propagate; must_close=True raises AssertionError unless the peer closed. keep=False counts
    the bytes without keeping them (and cap does not apply)."""
    t0 = time.monotonic()
    deadline = t0 + total
    parts, n, end = [], 0, None
    while end is None:
        left = deadline - time.monotonic()
        if left <= 0:
            end = "deadline"
            break
        s.settimeout(min(idle, left))
        try:
            data = s.recv(chunk)
        except socket.timeout:
            end = "idle" if idle <= left else "deadline"
            break
        except ConnectionResetError:
            if not resets:
                raise
            end = "reset"
            break
        if not data:
            end = "eof"
            break
        n += len(data)
        if keep:
            parts.append(data)
            if n > cap:
                end = "cap"
    got = Got(b"".join(parts), n, end, time.monotonic() - t0)
    if must_close and not got.closed:
        raise AssertionError("peer did not close (%s after %.1f s, %d bytes read)"
                             % (end, got.seconds, n))
    return got


def send_raw(addr, data, timeout=5.0, **kw):
    """Connects, sends data, reads until the peer closes (read_until_close with idle=timeout and
    the keyword arguments given); returns the Got."""
    with connect(addr, timeout) as s:
        s.sendall(data)
        return read_until_close(s, idle=timeout, **kw)


def wait_listening(addr, seconds=10.0, proc=None, alive=None, interval=0.05, attempt=0.5):
    """True once addr accepts a connection within seconds. False at the deadline, when proc (a
    Popen) has exited, or when alive() says the server is gone (asked after a failed attempt)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            connect(addr, attempt).close()
            return True
        except OSError:
            if alive is not None and not alive():
                return False
            time.sleep(interval)
    return False


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]
