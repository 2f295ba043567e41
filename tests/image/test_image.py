"""The sockwarden image, built from the Dockerfile on a private engine and run the seed's way."""

import io
import json
import os
import re
import tarfile
import time

import pytest

from sock import read_until_close  # tests/lib, on sys.path from conftest.py

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Figures, not a suite result: build/results holds only "<suite> <passed> <failed>" files.
FIGURES = os.path.join(REPO, "build", "image")

FORBIDDEN = (
    b"HTTP/1.0 403 Forbidden\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n"
    b"<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n"
    b"</body></html>\n\n"
)

# Tecnativa's Dockerfile ENV (identical in 0.1.2 and 0.4.1).
TECNATIVA_ENV = (
    "ALLOW_RESTARTS=0 ALLOW_STOP=0 ALLOW_START=0 AUTH=0 BUILD=0 COMMIT=0 CONFIGS=0 CONTAINERS=0 "
    "DISABLE_IPV6=0 DISTRIBUTION=0 EVENTS=1 EXEC=0 GRPC=0 IMAGES=0 INFO=0 LOG_LEVEL=info "
    "NETWORKS=0 NODES=0 PING=1 PLUGINS=0 POST=0 SECRETS=0 SERVICES=0 SESSION=0 "
    "SOCKET_PATH=/var/run/docker.sock SWARM=0 SYSTEM=0 TASKS=0 VERSION=1 VOLUMES=0"
).split()

IMAGE_GRACE_S = 8  # SHUTDOWN_GRACE in the Dockerfile
DOCKER_STOP_DEFAULT_S = 10


def image_env(cfg):
    return dict(e.split("=", 1) for e in cfg.get("Env") or [])


def proc_status(pid):
    with open("/proc/%d/status" % pid) as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def read_head(sock, timeout=10):
    """Reads a response head from a socket; returns (head, rest)."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        b = sock.recv(4096)
        assert b, "connection closed before the response head: %r" % data
        data += b
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode(), rest


def wait_closed(sock, timeout):
    """True when the peer closes the connection (FIN, not a reset) within timeout (data before
    that is discarded)."""
    return read_until_close(sock, timeout, total=timeout, keep=False).end == "eof"


# ---- the image itself -------------------------------------------------------------------------


def test_build_context_is_tiny(image):
    m = re.search(r"Sending build context to Docker daemon\s+([\d.]+)([kMG]?B)", image[1])
    assert m, image[1]
    size = float(m.group(1)) * {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}[m.group(2)]
    assert size < 1e6, "build context is %s%s: .dockerignore lets too much in" % m.groups()


def test_image_config(engine, image):
    cfg = engine.docker.inspect(image[0])["Config"]
    assert cfg["User"] == "2375:2375"
    assert cfg["Entrypoint"] == ["/sockwarden"]
    assert not cfg.get("Cmd")
    assert cfg["ExposedPorts"] == {"2375/tcp": {}}
    assert cfg["StopSignal"] == "SIGTERM"
    hc = cfg["Healthcheck"]
    assert hc["Test"] == ["CMD", "/sockwarden", "healthcheck"]
    # The probe's own socket timeouts are 3 s per dial (proxy, then maybe engine).
    assert hc["Timeout"] >= 7 * 10**9 and hc["Interval"] >= hc["Timeout"]
    assert hc["Retries"] >= 2
    env = image_env(cfg)
    for kv in TECNATIVA_ENV:
        k, v = kv.split("=", 1)
        assert env.get(k) == v, "ENV %s=%r, Tecnativa ships %s" % (k, env.get(k), kv)
    assert "BIND_CONFIG" not in env, "BIND_CONFIG must stay unset (default [::]:2375)"
    assert env["ALLOW_PAUSE"] == "0" and env["ALLOW_UNPAUSE"] == "0"
    assert env["SHUTDOWN_GRACE"] == "%ds" % IMAGE_GRACE_S
    assert IMAGE_GRACE_S < DOCKER_STOP_DEFAULT_S
    assert cfg["Labels"]["org.opencontainers.image.version"] == "test"


def test_image_holds_only_the_binary_and_account_files(engine, image, tmp_path):
    tarball = tmp_path / "image.tar"
    engine.docker("save", "-o", str(tarball), image[0], check=True, timeout=120)
    files = {}
    with tarfile.open(tarball) as outer:
        manifest = json.load(outer.extractfile("manifest.json"))
        for layer in manifest[0]["Layers"]:
            with tarfile.open(fileobj=io.BytesIO(outer.extractfile(layer).read())) as t:
                for m in t.getmembers():
                    data = t.extractfile(m).read() if m.isfile() else None
                    files[m.name.rstrip("/")] = (m, data)
    assert set(files) == {"etc", "etc/passwd", "etc/group", "sockwarden"}, sorted(files)
    binm, _ = files["sockwarden"]
    assert binm.uid == 0 and binm.mode & 0o777 == 0o755, "binary must be root-owned, not writable"
    passwd = files["etc/passwd"][1].decode()
    group = files["etc/group"][1].decode()
    assert "sockwarden:x:2375:2375:" in passwd
    assert "sockwarden:x:2375:" in group
    for name, (m, _) in files.items():
        assert not (m.mode & 0o022), "%s is group/world-writable" % name


def test_sizes(engine, image):
    binary = os.path.getsize(os.path.join(REPO, "build", "static", "sockwarden"))
    size = engine.docker.inspect(image[0])["Size"]
    os.makedirs(FIGURES, exist_ok=True)
    with open(os.path.join(FIGURES, "sizes"), "w") as f:
        f.write("image_bytes %d binary_bytes %d\n" % (size, binary))
    print("image %d bytes, static binary %d bytes" % (size, binary))
    assert binary < 512 * 1024
    assert size < binary + 16 * 1024, "image is more than the binary plus two small files"


def test_version_help_and_check_in_the_image(engine, image):
    tag = image[0]
    with open(os.path.join(REPO, "VERSION")) as f:
        version = f.read().strip()
    p = engine.docker("run", "--rm", "--network", "none", tag, "--version", check=True)
    assert p.stdout.strip() == "sockwarden %s" % version
    p = engine.docker("run", "--rm", "--network", "none", tag, "--help", check=True)
    assert "sockwarden healthcheck" in p.stdout
    denied = engine.docker(
        "run", "--rm", "--network", "none", tag, "check", "GET", "/containers/json"
    )
    assert denied.returncode == 1, denied.stdout + denied.stderr
    allowed = engine.docker(
        "run", "--rm", "--network", "none", "-e", "CONTAINERS=1", tag, "check", "GET",
        "/containers/json",
    )
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def test_bad_configuration_exits_2(engine, image):
    p = engine.docker("run", "--rm", "--network", "none", "-e", "LOG_LEVEL=loud", image[0])
    assert p.returncode == 2, p.stdout + p.stderr
    assert "LOG_LEVEL" in p.stdout + p.stderr


# ---- run the seed's way --------------------------------------------------------------------------


def test_seed_docker_ps_through_the_proxy(run_proxy):
    px = run_proxy()
    p = px.client("ps", "--format", "{{.Names}}")
    assert p.returncode == 0, p.stderr + px.describe()
    assert px.name in p.stdout.split(), "the proxy's own container is missing from docker ps"
    p = px.client("network", "ls", "--format", "{{.Name}}")
    assert p.returncode == 0 and "host" in p.stdout.split(), p.stdout + p.stderr
    for args in (("service", "ls"), ("volume", "ls"), ("image", "ls")):
        p = px.client(*args)
        assert p.returncode != 0, "%s allowed under the seed env" % (args,)
        assert "Request forbidden by administrative rules." in p.stderr, p.stderr
    assert px.exchange(b"GET /v1.41/tasks HTTP/1.1\r\nHost: x\r\n\r\n") == FORBIDDEN


def test_seed_refuses_container_create(engine, run_proxy):
    px = run_proxy()
    before = engine.docker("ps", "-aq").stdout.split()
    body = b'{"Image":"sw-busybox:latest","Cmd":["true"]}'
    req = (
        b"POST /v1.41/containers/create?name=swimg-should-not-exist HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    assert px.exchange(req) == FORBIDDEN
    p = px.client("create", "--network", "none", "sw-busybox:latest", "true")
    assert p.returncode != 0 and "403 Forbidden" in p.stderr, p.stdout + p.stderr
    assert engine.docker("ps", "-aq").stdout.split() == before, "a container was created"
    logged = r'"POST /v1\.41/containers/create\?name=swimg-should-not-exist" 403'
    assert re.search(logged, px.logs()), px.logs()


def test_seed_becomes_healthy(run_proxy):
    px = run_proxy()
    status, log = px.wait_health("healthy")
    assert status == "healthy", "%s %s%s" % (status, log, px.describe())
    assert log[-1]["ExitCode"] == 0
    assert log[-1]["Output"].strip() == "healthy: proxy and engine answer /_ping"


def test_seed_runs_unprivileged_on_a_read_only_root(engine, run_proxy):
    px = run_proxy()
    info = px.inspect()
    assert info["Config"]["User"] == "2375:2375"
    assert info["HostConfig"]["ReadonlyRootfs"] is True
    st = proc_status(info["State"]["Pid"])
    assert st["Uid"].split() == ["2375"] * 4, st["Uid"]
    assert st["Gid"].split() == ["2375"] * 4, st["Gid"]
    assert str(engine.socket_gid) in st["Groups"].split(), st["Groups"]
    for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(st[cap], 16) == 0, "%s=%s" % (cap, st[cap])
    assert st["NoNewPrivs"] == "1"
    with open("/proc/%d/mountinfo" % info["State"]["Pid"]) as f:
        root = [line.split() for line in f if line.split()[4] == "/"]
    assert root and "ro" in root[-1][5].split(","), root
    # It still serves: nothing on the root filesystem needs writing.
    assert px.client("version").returncode == 0


def test_docker_stop_when_idle_is_prompt(engine, run_proxy):
    px = run_proxy()
    t0 = time.monotonic()
    engine.docker("stop", px.name, check=True)
    elapsed = time.monotonic() - t0
    state = px.inspect()["State"]
    assert state["ExitCode"] == 0, px.describe()
    assert elapsed < 3, "idle stop took %.1f s" % elapsed


@pytest.fixture
def chatty(engine):
    """A running container that logs one line, then stays quiet: its follow stream stays open."""
    cid = engine.docker(
        "run", "-d", "--network", "none", "sw-busybox:latest", "sh", "-c", "echo up; sleep 300",
        check=True,
    ).stdout.strip()
    yield cid
    engine.docker("rm", "-f", cid)


def open_stream(px, target):
    s = px.connect()
    s.sendall(b"GET " + target.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _ = read_head(s)
    assert head.startswith("HTTP/1.1 200"), head
    return s


def test_docker_stop_drains_open_streams_within_the_grace(engine, run_proxy, chatty):
    """A follow stream holds the drain for SHUTDOWN_GRACE (8 s in the image), which ends before
    docker stop's default 10 s SIGKILL: exit code 0, and the stream is closed by the proxy. An
    /events stream, which never ends by itself, is closed as soon as the drain starts."""
    px = run_proxy()
    logs = open_stream(px, "/v1.41/containers/%s/logs?follow=1&stdout=1" % chatty)
    events = open_stream(px, "/v1.41/events")
    try:
        t0 = time.monotonic()
        stop = engine.docker.popen("stop", px.name, text=True)
        assert wait_closed(events, 3), "the /events stream was not closed when the drain began"
        assert time.monotonic() - t0 < 3
        out, err = stop.communicate(timeout=60)  # default -t: 10 s
        elapsed = time.monotonic() - t0
        assert stop.returncode == 0, err
        assert wait_closed(logs, 2), "the proxy left the follow stream open after exiting"
    finally:
        logs.close()
        events.close()
    state = px.inspect()["State"]
    text = px.logs()
    assert state["ExitCode"] == 0, "killed, not drained: exit %s\n%s" % (state["ExitCode"], text)
    assert IMAGE_GRACE_S - 0.5 <= elapsed < DOCKER_STOP_DEFAULT_S, "stop took %.1f s" % elapsed
    assert "signal 15" in text and "grace period over" in text, text


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGUSR1"])
def test_shutdown_grace_is_honoured(engine, run_proxy, signame, chatty):
    px = run_proxy(env={"SHUTDOWN_GRACE": "2s"})
    s = open_stream(px, "/containers/%s/logs?follow=1&stdout=1" % chatty)
    try:
        t0 = time.monotonic()
        engine.docker("kill", "-s", signame, px.name, check=True)
        assert wait_closed(s, 10), "stream still open 10 s after %s" % signame
        elapsed = time.monotonic() - t0
    finally:
        s.close()
    deadline = time.monotonic() + 10
    while px.inspect()["State"]["Running"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert px.inspect()["State"]["ExitCode"] == 0, px.describe()
    assert 1.5 <= elapsed < 5, "%s drain took %.1f s with SHUTDOWN_GRACE=2s" % (signame, elapsed)


# ---- health in other set-ups ---------------------------------------------------------------------


def test_healthy_with_ping_closed(run_proxy):
    """PING=0: the proxy refuses /_ping, so the probe asks the engine itself. This needs the
    socket's group in the probe process too (exec'd by the engine, not forked by the proxy)."""
    px = run_proxy(env={"PING": "0"})
    assert px.exchange(b"GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n") == FORBIDDEN
    status, log = px.wait_health("healthy")
    assert status == "healthy", "%s %s%s" % (status, log, px.describe())
    assert "PING=0" in log[-1]["Output"], log[-1]


def test_unhealthy_without_engine(run_proxy):
    px = run_proxy(env={"SOCKET_PATH": "/var/run/nothing-here.sock"})
    status, log = px.wait_health("unhealthy")
    assert status == "unhealthy", "%s %s" % (status, log)
    assert log[-1]["ExitCode"] == 1
    assert log[-1]["Output"].strip() == "unhealthy: /_ping through the proxy answered 503"
    assert "no socket at /var/run/nothing-here.sock" in px.logs()


def test_without_the_socket_group_the_engine_is_out_of_reach(engine, run_proxy):
    px = run_proxy(group_add=False)
    p = px.client("ps")
    assert p.returncode != 0, p.stdout
    status, log = px.wait_health("unhealthy")
    assert status == "unhealthy", "%s %s" % (status, log)
    logs = px.logs()
    gid = engine.socket_gid
    assert "permission denied on /var/run/docker.sock" in logs, logs
    assert "--group-add %d" % gid in logs, logs


@pytest.mark.parametrize("disable_ipv6", [None, "1"])
def test_default_listener_in_a_private_network(run_proxy, disable_ipv6):
    """No BIND_CONFIG: the default listener ([::]:2375 or 0.0.0.0:2375) and the probe agree."""
    env = {"DISABLE_IPV6": disable_ipv6} if disable_ipv6 else {}
    px = run_proxy(env=env, bind=False, network="none")
    status, log = px.wait_health("healthy")
    assert status == "healthy", "%s %s%s" % (status, log, px.describe())
    want = "0.0.0.0:2375" if disable_ipv6 else ":2375"
    assert re.search(r"listening on \S*%s" % re.escape(want), px.logs()), px.logs()


def test_json_logs(run_proxy):
    px = run_proxy(env={"LOG_FORMAT": "json"})
    assert px.client("ps").returncode == 0
    assert px.exchange(b"POST /containers/create HTTP/1.1\r\nHost: x\r\n\r\n") == FORBIDDEN
    deadline = time.monotonic() + 5
    while "/containers/create" not in px.logs() and time.monotonic() < deadline:
        time.sleep(0.1)
    records = [json.loads(line) for line in px.logs().splitlines() if line.strip()]
    assert records, px.logs()
    for r in records:
        assert {"time", "level"} <= set(r), r
    denied = [r for r in records if "/containers/create" in json.dumps(r)]
    assert denied and denied[-1].get("status") == 403, denied
