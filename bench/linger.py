#!/usr/bin/env python3
"""bench/linger.py — what clients that keep sending after their 403 cost everybody else.

A refused request with a body gets its 403, and the proxy then reads and discards what the client
still sends for a while, so that closing does not turn into a reset that destroys the 403 in
flight. This probe measures the cost of clients that abuse that: each "blaster" sends a POST the
policy refuses, announcing a 1 GB body, and then streams junk as fast as it can. Meanwhile a probe
client sends GET /_ping on one keep-alive connection, one request at a time.

For each binary, in alternating rounds: the probe alone, then the probe with BLASTERS blasters.
Reported per binary: probe latency p50 and p99 (alone and with blasters), the junk each blaster
got into the proxy before it was cut off, how long after its 403 that was, how many blasters were
cut off before the phase ended, and the proxy's CPU share during the phase.

usage: bench/linger.py [--seconds S] [--rounds R] [--blasters N] --bin NAME=BINARY [--bin ...]
Prints a markdown table. Blasters run in their own processes, so they do not share the probe's
interpreter lock.
"""
import argparse
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import instructions  # noqa: E402  (the engine stand-in)

JUNK = b"x" * 65536


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def blaster(port, seconds, out):
    """POST a refused request announcing 1 GB, then junk until the proxy cuts us off."""
    sent, cut_ms = 0, None
    try:
        c = socket.create_connection(("127.0.0.1", port))
        c.sendall(b"POST /v1.43/containers/create HTTP/1.1\r\nHost: docker\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n")
        c.settimeout(5)
        head = c.recv(4096)
        t403 = time.monotonic()
        if not head.startswith((b"HTTP/1.0 403", b"HTTP/1.1 403")):
            out.put(("bad", 0, None))
            return
        c.setblocking(True)
        c.settimeout(0.5)
        end = t403 + seconds
        while time.monotonic() < end:
            try:
                sent += c.send(JUNK)
            except socket.timeout:
                continue
            except OSError:
                cut_ms = (time.monotonic() - t403) * 1000
                break
        c.close()
    except OSError:
        pass
    out.put(("ok", sent, cut_ms))


def probe(port, seconds):
    lat = []
    c = socket.create_connection(("127.0.0.1", port))
    req = b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n"
    end = time.monotonic() + seconds
    buf = b""
    while time.monotonic() < end:
        t = time.monotonic()
        c.sendall(req)
        buf = instructions.recv_response(c, buf)
        lat.append((time.monotonic() - t) * 1e6)
        time.sleep(0.001)
    c.close()
    return lat


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))] if v else float("nan")


def run_one(binary, seconds, nblast, tmp):
    sock = os.path.join(tmp, "engine.sock")
    stop = threading.Event()
    t = threading.Thread(target=instructions.engine, args=(sock, stop), daemon=True)
    t.start()
    for _ in range(100):
        if os.path.exists(sock):
            break
        time.sleep(0.02)
    port = instructions.free_port()
    env = dict(os.environ, SOCKET_PATH=sock, BIND_CONFIG="127.0.0.1:%d" % port, CONTAINERS="1",
               POST="0", PING="1", LOG_LEVEL="err")
    p = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                if p.poll() is not None:
                    raise OSError("%s exited with %d" % (binary, p.returncode))
                time.sleep(0.02)
        quiet = probe(port, seconds)
        q = multiprocessing.Queue()
        blasters = [multiprocessing.Process(target=blaster, args=(port, seconds + 0.5, q))
                    for _ in range(nblast)]
        c0, w0 = cpu_ticks(p.pid), time.monotonic()
        for b in blasters:
            b.start()
        time.sleep(0.2)
        loud = probe(port, seconds)
        c1, w1 = cpu_ticks(p.pid), time.monotonic()
        res = [q.get(timeout=30) for _ in blasters]
        for b in blasters:
            b.join()
        cpu = (c1 - c0) / os.sysconf("SC_CLK_TCK") / (w1 - w0) * 100
        return quiet, loud, res, cpu
    finally:
        p.terminate()
        p.wait()
        stop.set()
        t.join(timeout=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--blasters", type=int, default=3)
    ap.add_argument("--bin", action="append", required=True, metavar="NAME=BINARY")
    a = ap.parse_args()
    bins = [b.split("=", 1) for b in a.bin]
    acc = {n: {"quiet": [], "loud": [], "sent": [], "cut": [], "ncut": 0, "n": 0, "cpu": []}
           for n, _ in bins}
    for r in range(a.rounds):
        for name, binary in bins:
            with tempfile.TemporaryDirectory(prefix="sw-linger.") as tmp:
                quiet, loud, res, cpu = run_one(os.path.abspath(binary), a.seconds, a.blasters, tmp)
            x = acc[name]
            x["quiet"] += quiet
            x["loud"] += loud
            x["cpu"].append(cpu)
            for status, sent, cut in res:
                x["n"] += 1
                x["sent"].append(sent)
                if cut is not None:
                    x["ncut"] += 1
                    x["cut"].append(cut)
            print("linger: round %d %s: p99 alone %.0f µs, with blasters %.0f µs, cpu %.0f %%" %
                  (r + 1, name, pct(quiet, .99), pct(loud, .99), cpu), file=sys.stderr)
    print("| %d blasters, %d × %g s | probe p50 alone (µs) | probe p99 alone (µs) | "
          "probe p50 with blasters (µs) | probe p99 with blasters (µs) | junk taken per blaster "
          "(MiB, median) | blasters cut off | cut off after (ms, median) | proxy CPU with blasters |"
          % (a.blasters, a.rounds, a.seconds))
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, _ in bins:
        x = acc[name]
        cut = "%.0f" % statistics.median(x["cut"]) if x["cut"] else "—"
        print("| %s | %.0f | %.0f | %.0f | %.0f | %.1f | %d of %d | %s | %.0f %% |" % (
            name, pct(x["quiet"], .5), pct(x["quiet"], .99), pct(x["loud"], .5), pct(x["loud"], .99),
            statistics.median(x["sent"]) / 1048576, x["ncut"], x["n"], cut,
            statistics.median(x["cpu"])))


if __name__ == "__main__":
    main()
