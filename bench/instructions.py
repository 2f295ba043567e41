#!/usr/bin/env python3
"""bench/instructions.py — user-space instructions per proxied request, counted by callgrind: an exact
figure that the machine's load does not move, for comparing builds side by side (the timed figures of
`make bench` are medians over noisy rounds; this one is a count).

Each binary runs under `valgrind --tool=callgrind` in front of a small engine on a unix socket that
answers every request with bench/containers.json (keep-alive). A client sends a few warm-up
requests, then N1 and later N2 more, and the proxy's instruction total is read at two points
(callgrind's dump on demand), so startup, warm-up and shutdown cancel out:
instructions per request = (I(N2) - I(N1)) / (N2 - N1).

usage: bench/instructions.py [--requests N] [--mode ka|close] [--env NAME=VALUE]... [--annotate N]
                             NAME=BINARY...
  --annotate N   also print each binary's N costliest functions (callgrind_annotate, per request)
  e.g. bench/instructions.py before=/tmp/sw-base/build/sockwarden after=build/sockwarden
Prints one line per binary: "NAME instructions/request". Exit 1 when a binary fails.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = "/v1.43/containers/json"


def engine(sock_path, stop):
    with open(os.path.join(HERE, "containers.json"), "rb") as f:
        body = f.read().strip()
    resp = (b"HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nContent-Type: application/json\r\n"
            b"Docker-Experimental: false\r\nOstype: linux\r\nServer: Docker/24.0.0 (linux)\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)) + body
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(sock_path)
    srv.listen(64)
    srv.settimeout(0.2)

    def serve(c):
        buf = b""
        with c:
            while not stop.is_set():
                while b"\r\n\r\n" not in buf:
                    d = c.recv(65536)
                    if not d:
                        return
                    buf += d
                head, buf = buf.split(b"\r\n\r\n", 1)
                c.sendall(resp)

    while not stop.is_set():
        try:
            c, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(c,), daemon=True).start()
    srv.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def recv_response(c, buf):
    """One response (Content-Length framed) → the rest of the buffer."""
    while b"\r\n\r\n" not in buf:
        d = c.recv(65536)
        if not d:
            raise OSError("proxy closed the connection")
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    m = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    n = int(m.group(1)) if m else 0
    if not head.startswith(b"HTTP/1.1 200"):
        raise OSError("unexpected answer: %r" % head[:80])
    while len(rest) < n:
        d = c.recv(65536)
        if not d:
            raise OSError("short body")
        rest += d
    return rest[n:]


def send_requests(port, n, mode):
    req = ("GET %s HTTP/1.1\r\nHost: docker\r\nUser-Agent: bench\r\n%s\r\n" %
           (PATH, "Connection: close\r\n" if mode == "close" else "")).encode()
    c = None
    buf = b""
    for _ in range(n):
        if c is None:
            c = socket.create_connection(("127.0.0.1", port))
            buf = b""
        c.sendall(req)
        buf = recv_response(c, buf)
        if mode == "close":
            c.close()
            c = None
    if c is not None:
        c.close()


def total_instructions(outfile):
    """The Ir total of one callgrind dump file (its 'summary:' or 'totals:' line)."""
    with open(outfile) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise OSError("no totals in " + outfile)


def measure(binary, envs, n1, n2, mode, tmp, keep=None):
    sock = os.path.join(tmp, "engine.sock")
    stop = threading.Event()
    t = threading.Thread(target=engine, args=(sock, stop), daemon=True)
    t.start()
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.02)
    port = free_port()
    out = os.path.join(tmp, "cg.out")
    env = dict(os.environ)
    env.update({"SOCKET_PATH": sock, "BIND_CONFIG": "127.0.0.1:%d" % port, "CONTAINERS": "1",
                "LOG_LEVEL": "warning"})
    env.update(envs)
    p = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out + ".%p",
                          binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        while True:
            try:
                send_requests(port, 1, "ka")
                break
            except OSError:
                if p.poll() is not None or time.time() > deadline:
                    raise OSError("%s did not start: %s" % (binary, p.stderr.read()[-500:]))
                time.sleep(0.1)
        send_requests(port, 50, mode)  # warm-up: pools, buffers, first-use paths
        counts = []
        for n in (n1, n2):
            send_requests(port, n, mode)
            for f in os.listdir(tmp):
                if f.startswith("cg.out."):
                    os.unlink(os.path.join(tmp, f))
            subprocess.run(["callgrind_control", "--dump", str(p.pid)], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            dumps = [f for f in os.listdir(tmp) if f.startswith("cg.out.")]
            if not dumps:
                raise OSError("callgrind wrote no dump")
            counts.append(total_instructions(os.path.join(tmp, dumps[0])))
            if keep:
                shutil.copy(os.path.join(tmp, dumps[0]), keep)
        # A dump resets the counters, so the second figure is the n2 requests alone.
        return counts[1] / n2
    finally:
        p.terminate()
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        stop.set()
        t.join(timeout=2)
        if os.path.exists(sock):
            os.unlink(sock)


def annotate(dump, n, top):
    """The costliest functions of a dump, as instructions per request."""
    out = subprocess.run(["callgrind_annotate", dump], capture_output=True, text=True).stdout
    rows = 0
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(\S+)", line)
        if not m or "PROGRAM TOTALS" in line:
            continue
        fn = re.sub(r"^.*/", "", m.group(2)).split(" [")[0]
        print("    %8.1f  %s" % (int(m.group(1).replace(",", "")) / n, fn))
        rows += 1
        if rows >= top:
            break


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--mode", choices=("ka", "close"), default="ka")
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--annotate", type=int, default=0)
    ap.add_argument("bins", nargs="+", metavar="NAME=BINARY")
    a = ap.parse_args()
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        sys.exit("instructions.py: valgrind (callgrind) not installed")
    envs = dict(e.split("=", 1) for e in a.env)
    rc = 0
    for spec in a.bins:
        name, binary = spec.split("=", 1)
        with tempfile.TemporaryDirectory(prefix="sw-instr.") as tmp:
            try:
                keep = os.path.join(tmp, "kept.out") if a.annotate else None
                per = measure(os.path.abspath(binary), envs, 200, a.requests, a.mode, tmp, keep)
                print("%s %.0f" % (name, per))
                if keep:
                    annotate(keep, a.requests, a.annotate)
            except OSError as e:
                print("%s failed: %s" % (name, e))
                rc = 1
        sys.stdout.flush()
    sys.exit(rc)


if __name__ == "__main__":
    main()
