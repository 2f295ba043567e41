"""The real docker CLI (Debian's docker.io) through sockwarden, against a private engine."""

import hashlib
import os
import re
import select
import signal
import subprocess
import time

from conftest import IMAGE, assert_allowed_cli, unique

RW = dict(CONTAINERS=1, POST=1)


class LineReader:
    """Reads a process's stdout line by line with arrival times, never blocking past a deadline."""

    def __init__(self, proc):
        self.fd = proc.stdout.fileno()
        self.buf = b""
        self.eof = False

    def read(self, want, timeout):
        """Returns up to `want` lines as [(monotonic time, line)]."""
        got = []
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self.buf and len(got) < want:
                line, self.buf = self.buf.split(b"\n", 1)
                got.append((time.monotonic(), line.decode()))
            if len(got) >= want or self.eof or time.monotonic() >= deadline:
                return got
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                chunk = os.read(self.fd, 65536)
                self.eof = not chunk
                self.buf += chunk


def read_lines_timed(proc, want, timeout):
    return LineReader(proc).read(want, timeout)


def first_difference(got, want):
    i = next((k for k, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    return "got %d bytes, want %d; first difference at %d: got %r want %r" % (
        len(got), len(want), i, got[max(0, i - 20):i + 40], want[max(0, i - 20):i + 40])


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_version(proxy):
    ep = proxy()
    p = ep.docker("version", "--format", "{{.Server.APIVersion}} {{.Server.Version}}")
    assert_allowed_cli(p, ep)
    assert p.stdout.startswith("1.41 20.10"), p.stdout


def test_ps_all(proxy, idle_container, engine, cleanup):
    exited = engine.run_detached("true")
    cleanup["containers"].append(exited)
    engine.docker("wait", exited, check=True)
    ep = proxy(CONTAINERS=1)
    p = ep.docker("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.State}}")
    assert_allowed_cli(p, ep)
    states = dict(line.split() for line in p.stdout.splitlines())
    assert states.get(idle_container) == "running", p.stdout
    assert states.get(exited) == "exited", p.stdout
    running = ep.docker("ps", "-q", "--no-trunc", check=True).stdout.split()
    assert idle_container in running and exited not in running


def test_inspect(proxy, idle_container):
    ep = proxy(CONTAINERS=1)
    p = ep.docker("inspect", "-f", "{{.Id}} {{.State.Running}} {{.Config.Image}}", idle_container)
    assert_allowed_cli(p, ep)
    assert p.stdout.split() == [idle_container, "true", IMAGE]


def test_logs(proxy, engine, cleanup):
    cid = engine.run_detached("sh", "-c", "echo out-line; echo err-line >&2; seq 1 1000")
    cleanup["containers"].append(cid)
    engine.docker("wait", cid, check=True)
    ep = proxy(CONTAINERS=1)
    p = ep.docker("logs", cid)
    assert_allowed_cli(p, ep)
    want = "out-line\n" + "".join("%d\n" % i for i in range(1, 1001))
    assert p.stdout == want, first_difference(p.stdout, want) + ep.log_tail()
    assert p.stderr == "err-line\n"
    # dockerd 20.10's json-file tail can drop a line on long logs; a short one is exact.
    short = engine.run_detached("seq", "1", "5")
    cleanup["containers"].append(short)
    engine.docker("wait", short, check=True)
    tail = ep.docker("logs", "--tail", "2", short, check=True)
    assert tail.stdout == "4\n5\n"


def test_logs_follow_is_incremental(proxy, engine, cleanup):
    ep = proxy(CONTAINERS=1)
    cid = engine.run_detached(
        "sh", "-c", "for i in $(seq 1 15); do echo tick$i; sleep 0.2; done"
    )
    cleanup["containers"].append(cid)
    proc = ep.popen("logs", "-f", cid)
    try:
        lines = read_lines_timed(proc, 15, timeout=20)
        assert [l for _, l in lines] == ["tick%d" % i for i in range(1, 16)], lines
        # Lines arrive as the container prints them, not in one burst at the end.
        assert lines[-1][0] - lines[2][0] >= 1.5, [round(t - lines[0][0], 2) for t, _ in lines]
        assert proc.wait(timeout=15) == 0, proc.stderr.read()
    finally:
        stop(proc)


def test_events_stream(proxy, engine, cleanup):
    ep = proxy()  # EVENTS=1 is a default
    proc = ep.popen(
        "events", "--filter", "type=container", "--filter", "event=create",
        "--format", "{{.Actor.Attributes.name}}",
    )
    try:
        # The stream has no "subscribed" signal: create containers until events flow (bounded),
        # then require one more, created after the first arrived, to come through live.
        lines = LineReader(proc)
        created, seen, deadline = set(), [], time.monotonic() + 15
        while not seen and time.monotonic() < deadline:
            name = unique("swev")
            created.add(name)
            cleanup["containers"].append(name)
            engine.docker("create", "--network", "none", "--name", name, IMAGE, "true", check=True)
            seen = lines.read(1, timeout=1.5)
        assert seen, "no event through the proxy in 15 s: %s%s" % (proc.poll(), ep.log_tail())
        name = unique("swev")
        cleanup["containers"].append(name)
        t0 = time.monotonic()
        engine.docker("create", "--network", "none", "--name", name, IMAGE, "true", check=True)
        got = []
        while name not in [l for _, l in got] and time.monotonic() - t0 < 5:
            got += lines.read(1, timeout=0.5)
        assert name in [l for _, l in got], (got, ep.log_tail())
        assert {l for _, l in got} <= created | {name}, got
        assert proc.poll() is None, "events stream ended"
    finally:
        stop(proc)


def test_run_rm(proxy, engine):
    ep = proxy(**RW)
    name = unique("swrun")
    p = ep.docker("run", "--rm", "--network", "none", "--name", name, IMAGE, "echo", "hello-run")
    assert_allowed_cli(p, ep)
    assert p.stdout == "hello-run\n"
    rc = ep.docker("run", "--rm", "--network", "none", IMAGE, "sh", "-c", "echo bye >&2; exit 3")
    assert rc.returncode == 3 and "bye" in rc.stderr, (rc.returncode, rc.stderr, ep.log_tail())
    # --rm removed the containers.
    assert engine.docker("ps", "-aq", "--filter", "name=" + name, check=True).stdout == ""


def test_run_interactive_stdin(proxy):
    ep = proxy(**RW)
    data = "".join("line %d\n" % i for i in range(2000))
    p = ep.docker("run", "--rm", "-i", "--network", "none", IMAGE, "wc", "-l", input=data)
    assert_allowed_cli(p, ep)
    assert p.stdout.strip() == "2000"


def test_exec_no_stdin(proxy, idle_container):
    ep = proxy(EXEC=1, **RW)
    p = ep.docker("exec", idle_container, "echo", "hi")
    assert_allowed_cli(p, ep)
    assert p.stdout == "hi\n"
    rc = ep.docker("exec", idle_container, "sh", "-c", "echo e >&2; exit 7")
    assert rc.returncode == 7 and rc.stderr == "e\n", (rc.returncode, rc.stderr)


def test_exec_and_run_tty(proxy, idle_container):
    """With a TTY the hijacked stream is raw, not multiplexed."""
    ep = proxy(EXEC=1, **RW)
    p = ep.docker("exec", "-t", idle_container, "echo", "hi", binary=True)
    assert p.returncode == 0, (p.stderr, ep.log_tail())
    assert p.stdout == b"hi\r\n"
    r = ep.docker("run", "--rm", "-t", "--network", "none", IMAGE, "sh", "-c", "echo t; tty",
                  binary=True)
    assert r.returncode == 0, (r.stderr, ep.log_tail())
    assert r.stdout.startswith(b"t\r\n/dev/pts/"), r.stdout


def test_exec_stdin(proxy, idle_container):
    ep = proxy(EXEC=1, **RW)
    p = ep.docker("exec", "-i", idle_container, "cat", input="data\n")
    assert_allowed_cli(p, ep)
    assert p.stdout == "data\n"


def test_exec_stdin_large(proxy, idle_container):
    ep = proxy(EXEC=1, **RW)
    blob = os.urandom(3 * 1024 * 1024)
    p = ep.docker("exec", "-i", idle_container, "sha256sum", input=blob, binary=True)
    assert p.returncode == 0, (p.stderr, ep.log_tail())
    assert p.stdout.split()[0].decode() == hashlib.sha256(blob).hexdigest()
    echo = ep.docker("exec", "-i", idle_container, "cat", input=blob, binary=True, check=True)
    assert echo.stdout == blob


def test_attach(proxy, engine, cleanup):
    ep = proxy(**RW)
    cid = engine.run_detached(
        "sh", "-c", "sleep 1; for i in $(seq 1 10); do echo att$i; sleep 0.2; done"
    )
    cleanup["containers"].append(cid)
    proc = ep.popen("attach", "--no-stdin", cid)
    try:
        lines = [l for _, l in read_lines_timed(proc, 10, timeout=20)]
        assert lines and lines[-1] == "att10", (lines, ep.log_tail())
        assert lines == ["att%d" % i for i in range(11 - len(lines), 11)]
        assert len(lines) >= 5, lines
        assert proc.wait(timeout=15) == 0, proc.stderr.read()
    finally:
        stop(proc)


def test_wait(proxy, engine, cleanup):
    ep = proxy(**RW)
    cid = engine.run_detached("sh", "-c", "sleep 1.5; exit 5")
    cleanup["containers"].append(cid)
    t0 = time.monotonic()
    p = ep.docker("wait", cid)
    assert_allowed_cli(p, ep)
    assert p.stdout.strip() == "5"
    assert time.monotonic() - t0 >= 0.5


def test_top_diff_stats(proxy, idle_container):
    ep = proxy(CONTAINERS=1)
    top = ep.docker("top", idle_container)
    assert_allowed_cli(top, ep)
    assert "sleep" in top.stdout or "while" in top.stdout, top.stdout
    diff = ep.docker("diff", idle_container)
    assert_allowed_cli(diff, ep)
    stats = ep.docker("stats", "--no-stream", "--format", "{{.ID}}", idle_container)
    assert_allowed_cli(stats, ep)
    assert idle_container.startswith(stats.stdout.strip()) and stats.stdout.strip()


def test_cp_both_ways(proxy, idle_container, scratch_dir, engine):
    ep = proxy(ALLOW_ARCHIVE=1, **RW)
    src = os.path.join(scratch_dir, "payload.bin")
    blob = os.urandom(700 * 1024)
    with open(src, "wb") as f:
        f.write(blob)
    p = ep.docker("cp", src, idle_container + ":/tmp/payload.bin")
    assert_allowed_cli(p, ep)
    inside = engine.docker("exec", idle_container, "sha256sum", "/tmp/payload.bin", check=True)
    assert inside.stdout.split()[0] == hashlib.sha256(blob).hexdigest()
    dst = os.path.join(scratch_dir, "back.bin")
    p = ep.docker("cp", idle_container + ":/tmp/payload.bin", dst)
    assert_allowed_cli(p, ep)
    with open(dst, "rb") as f:
        assert f.read() == blob


def test_build_scratch(proxy, scratch_dir, engine, cleanup):
    ep = proxy(BUILD=1, POST=1)
    blob = os.urandom(200 * 1024)
    with open(os.path.join(scratch_dir, "file.bin"), "wb") as f:
        f.write(blob)
    with open(os.path.join(scratch_dir, "Dockerfile"), "w") as f:
        f.write("FROM scratch\nCOPY file.bin /file.bin\nLABEL sw.test=build\n")
    tag = unique("sw-built") + ":t"
    cleanup["images"].append(tag)
    p = ep.docker("build", "-t", tag, scratch_dir, timeout=120)
    assert_allowed_cli(p, ep)
    info = engine.docker("image", "inspect", "-f", "{{index .Config.Labels \"sw.test\"}}", tag)
    assert info.returncode == 0 and info.stdout.strip() == "build", info
    # The uploaded (chunked) context arrived intact: copy the file back out of the image.
    cid = engine.docker("create", tag, "x", check=True).stdout.strip()
    cleanup["containers"].append(cid)
    out = engine.docker("cp", cid + ":/file.bin", "-", binary=True, check=True).stdout
    assert blob in out


def test_network_config_only(proxy, engine, cleanup):
    ep = proxy(NETWORKS=1, POST=1)
    name = unique("swnet")
    cleanup["networks"].append(name)
    p = ep.docker("network", "create", "--config-only", name)
    assert_allowed_cli(p, ep)
    ls = ep.docker("network", "ls", "--format", "{{.Name}}", check=True)
    assert name in ls.stdout.split()
    insp = ep.docker("network", "inspect", "-f", "{{.ConfigOnly}}", name, check=True)
    assert insp.stdout.strip() == "true"
    assert_allowed_cli(ep.docker("network", "rm", name), ep)
    assert name not in engine.docker("network", "ls", "--format", "{{.Name}}").stdout.split()


def test_volume_create_rm(proxy, engine, cleanup):
    ep = proxy(VOLUMES=1, POST=1)
    name = unique("swvol")
    cleanup["volumes"].append(name)
    assert_allowed_cli(ep.docker("volume", "create", name), ep)
    ls = ep.docker("volume", "ls", "-q", check=True)
    assert name in ls.stdout.split()
    assert_allowed_cli(ep.docker("volume", "rm", name), ep)
    assert name not in engine.docker("volume", "ls", "-q").stdout.split()


def stream_sha256(proc, timeout):
    h, n = hashlib.sha256(), 0
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        b = os.read(fd, 1 << 20)
        if not b:
            return h.hexdigest(), n
        h.update(b)
        n += len(b)
    raise AssertionError("stream did not end within %d s (%d bytes)" % (timeout, n))


def test_export_50mib_identical(proxy, engine, cleanup):
    cid = engine.run_detached("sh", "-c", "head -c 52428800 /dev/urandom > /big")
    cleanup["containers"].append(cid)
    assert engine.docker("wait", cid, check=True).stdout.strip() == "0"
    ep = proxy(CONTAINERS=1, ALLOW_EXPORT=1)
    results = []
    for endpoint in (engine.direct, ep):
        proc = endpoint.popen("export", cid)
        try:
            results.append(stream_sha256(proc, timeout=120))
            assert proc.wait(timeout=30) == 0, proc.stderr.read()
        finally:
            stop(proc)
    (direct_sum, direct_len), (proxied_sum, proxied_len) = results
    assert direct_len > 50 * 1024 * 1024
    assert (proxied_len, proxied_sum) == (direct_len, direct_sum), ep.log_tail()


def test_sighup_keeps_serving_open_streams(proxy, engine, cleanup, need_proxy):
    """SIGHUP never stops the proxy: with nothing to reload it says so once and goes on serving;
    an open `logs -f` and an open `events` stream keep flowing, and new requests are served."""
    ep = proxy(CONTAINERS=1)
    cid = engine.run_detached(
        "sh", "-c", "for i in $(seq 1 20); do echo tick$i; sleep 0.25; done"
    )
    cleanup["containers"].append(cid)
    logs = ep.popen("logs", "-f", cid)
    events = ep.popen(
        "events", "--filter", "type=container", "--filter", "event=create",
        "--format", "{{.Actor.Attributes.name}}",
    )
    try:
        lr = LineReader(logs)
        first = lr.read(3, timeout=10)
        assert [l for _, l in first] == ["tick1", "tick2", "tick3"], first
        ev = LineReader(events)
        seen, deadline = [], time.monotonic() + 15
        while not seen and time.monotonic() < deadline:  # until the events stream is live
            name = unique("swhup")
            cleanup["containers"].append(name)
            engine.docker("create", "--network", "none", "--name", name, IMAGE, "true", check=True)
            seen = ev.read(1, timeout=1.5)
        assert seen, "no event through the proxy in 15 s" + ep.log_tail()
        for _ in range(2):
            ep.process.send_signal(signal.SIGHUP)
            time.sleep(0.2)
        assert ep.process.poll() is None, "SIGHUP stopped the proxy" + ep.log_tail()
        assert len(re.findall(r"SIGHUP: nothing to reload", ep.log_text())) == 2, ep.log_tail()
        name = unique("swhup")
        cleanup["containers"].append(name)
        engine.docker("create", "--network", "none", "--name", name, IMAGE, "true", check=True)
        got, t0 = [], time.monotonic()
        while name not in [l for _, l in got] and time.monotonic() - t0 < 5:
            got += ev.read(1, timeout=0.5)
        assert name in [l for _, l in got], (got, ep.log_tail())
        rest = lr.read(17, timeout=20)
        assert [l for _, l in rest] == ["tick%d" % i for i in range(4, 21)], rest
        assert logs.wait(timeout=15) == 0, logs.stderr.read()
        assert events.poll() is None, "events stream ended after SIGHUP"
        assert ep.docker("version", check=True).returncode == 0
    finally:
        stop(logs)
        stop(events)
