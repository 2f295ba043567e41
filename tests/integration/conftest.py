"""Session fixtures for sockwarden's real-engine integration suite.

- `engine`: a private dockerd (tests/lib/dockerd.sh) with the image sw-busybox:latest.
- `proxy(**env)`: starts $SW_BIN (default build/asan/sockwarden) on a free 127.0.0.1 port in front of
  the engine and returns an Endpoint. At the end of the test the proxy gets SIGTERM; the test fails if
  it exited with an error or if ASan/UBSan wrote anything.
- SW_ENDPOINT=direct makes `proxy()` return the engine socket itself (flags ignored). It exists to
  prove the tests against dockerd alone; tests of refusals skip in that mode.
- SW_ENGINE_SOCK=/path/docker.sock reuses a running engine instead of starting one (it must already
  have sw-busybox:latest).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from docker_cli import DockerCLI, clean_env  # noqa: E402
from private_engine import private_engine  # noqa: E402
from sock import connect, free_port, read_until_close, wait_listening  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
IMAGE = "sw-busybox:latest"
DIRECT = os.environ.get("SW_ENDPOINT", "") == "direct"

FORBIDDEN_BODY = (
    b"<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n"
    b"</body></html>\n\n"
)

SANITIZER_MARKERS = re.compile(
    r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|"
    r"SUMMARY: (Address|UndefinedBehavior|Leak)Sanitizer|==\d+==ERROR"
)


def _interrupt(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)


def pytest_configure(config):
    # A SIGTERM (e.g. from run.sh's overall timeout) unwinds like Ctrl-C, so the session teardown
    # still stops the private engine and the proxies.
    signal.signal(signal.SIGTERM, _interrupt)


def sw_bin():
    return os.environ.get("SW_BIN", os.path.join(REPO, "build", "asan", "sockwarden"))


def unique(prefix="sw"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


class Endpoint:
    """Something that speaks the Engine API: the engine's unix socket or a proxy's TCP port."""

    def __init__(self, docker_host, config_dir, proxied, unix_path=None, port=None):
        self.docker_host = docker_host
        self.config_dir = config_dir  # empty DOCKER_CONFIG: no credential helpers, no contexts
        self.proxied = proxied
        self.unix_path = unix_path
        self.port = port
        self.process = None
        self.log_path = None
        self.cli = DockerCLI(docker_host, config_dir, detail=self.log_tail)

    def env(self, **extra):
        return self.cli.env(**extra)

    def docker(self, *args, input=None, timeout=60, check=False, binary=False, cwd=None):
        """Runs the docker CLI against this endpoint; returns CompletedProcess."""
        return self.cli(*args, input=input, timeout=timeout, check=check, binary=binary, cwd=cwd)

    def popen(self, *args, **kw):
        return self.cli.popen(*args, **kw)

    def connect(self, timeout=10):
        """A raw stream socket to the endpoint."""
        return connect(self.unix_path or self.port, timeout)

    def log_text(self):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def log_tail(self, n=40):
        if not self.log_path:
            return ""
        lines = self.log_text().splitlines()[-n:]
        return "\n--- proxy output (last %d lines) ---\n%s" % (len(lines), "\n".join(lines))


class Engine:
    def __init__(self, sock, directory, cfg):
        self.sock = sock
        self.dir = directory
        self.direct = Endpoint("unix://" + sock, cfg, proxied=False, unix_path=sock)

    def docker(self, *args, **kw):
        return self.direct.docker(*args, **kw)

    def run_detached(self, *cmd, name=None, extra=()):
        """Starts a container on the engine directly (never through the proxy); returns its id."""
        name = name or unique("swt")
        p = self.docker(
            "run", "-d", "--network", "none", "--name", name, *extra, IMAGE, *cmd, check=True
        )
        return p.stdout.strip()

    def rm(self, *ids):
        if ids:
            self.docker("rm", "-f", *ids, timeout=60)


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    cfg = str(tmp_path_factory.mktemp("dockercfg"))
    with private_engine(timeout=120) as (sock, directory):
        yield Engine(sock, directory, cfg)


class ProxyFactory:
    def __init__(self, engine, workdir, cfg):
        self.engine = engine
        self.workdir = workdir
        self.cfg = cfg
        self.started = []

    def __call__(self, **flags):
        if DIRECT:
            return self.engine.direct
        binary = sw_bin()
        if not os.access(binary, os.X_OK):
            pytest.fail("proxy binary %s is missing (make build/asan/sockwarden)" % binary)
        for attempt in range(3):
            port = free_port()
            env = clean_env(
                {
                    "SOCKET_PATH": self.engine.sock,
                    "BIND_CONFIG": "127.0.0.1:%d" % port,
                    "LOG_LEVEL": "debug",
                    "ASAN_OPTIONS": "detect_leaks=1:halt_on_error=1:abort_on_error=0",
                    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
                }
            )
            env.update({k: str(v) for k, v in flags.items()})
            ep = Endpoint("tcp://127.0.0.1:%d" % port, self.cfg, proxied=True, port=port)
            ep.log_path = os.path.join(self.workdir, "proxy-%d-%d.log" % (len(self.started), port))
            with open(ep.log_path, "wb") as log:
                ep.process = subprocess.Popen(
                    [binary], env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
                )
            self.started.append(ep)
            if wait_listening(port, 10, proc=ep.process):
                return ep
            if ep.process.poll() is None:
                pytest.fail("proxy did not listen on %d within 10 s%s" % (port, ep.log_tail()))
            if "in use" not in ep.log_text().lower():
                pytest.fail(
                    "proxy exited at startup with %d%s" % (ep.process.returncode, ep.log_tail())
                )
        pytest.fail("proxy could not bind a free port in 3 attempts")

    def stop_all(self):
        problems = []
        for ep in self.started:
            mine = []
            p = ep.process
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=10)
                    mine.append("proxy on %d ignored SIGTERM for 20 s" % ep.port)
            if SANITIZER_MARKERS.search(ep.log_text()):
                mine.append("sanitizer report from proxy on %d" % ep.port)
            if p.returncode != 0:
                mine.append("proxy on %d exited with %d" % (ep.port, p.returncode))
            if mine:
                problems += mine + [ep.log_tail(80)]
        return problems


@pytest.fixture
def proxy(engine, tmp_path):
    factory = ProxyFactory(engine, str(tmp_path), engine.direct.config_dir)
    yield factory
    problems = factory.stop_all()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def need_proxy():
    if DIRECT:
        pytest.skip("refusal checks need the proxy (SW_ENDPOINT=direct)")


@pytest.fixture
def cleanup(engine):
    """Collects containers, images, networks and volumes a test creates; removes them afterwards."""
    c = {"containers": [], "images": [], "networks": [], "volumes": []}
    yield c
    if c["containers"]:
        engine.docker("rm", "-f", *c["containers"], timeout=60)
    for img in c["images"]:
        engine.docker("rmi", "-f", img, timeout=60)
    for net in c["networks"]:
        engine.docker("network", "rm", net, timeout=60)
    for vol in c["volumes"]:
        engine.docker("volume", "rm", "-f", vol, timeout=60)


@pytest.fixture
def idle_container(engine, cleanup):
    """A running container that printed one line ("ready") and then idles."""
    cid = engine.run_detached("sh", "-c", "echo ready; while :; do sleep 1; done")
    cleanup["containers"].append(cid)
    deadline = time.monotonic() + 10
    while "ready" not in engine.docker("logs", cid).stdout:
        assert time.monotonic() < deadline, "container never printed ready"
        time.sleep(0.1)
    return cid


@pytest.fixture
def scratch_dir():
    d = tempfile.mkdtemp(prefix="swit.")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def assert_forbidden_cli(p):
    """A CLI call that the proxy refused: non-zero, and the 403 page shown to the user."""
    out = p.stdout + p.stderr
    assert p.returncode != 0, "expected refusal, CLI succeeded: %s" % out
    assert "403 Forbidden" in out and "Request forbidden by administrative rules." in out, out


def assert_allowed_cli(p, ep):
    out = p.stdout + p.stderr
    assert p.returncode == 0, "expected success, rc=%d: %s%s" % (p.returncode, out, ep.log_tail())
    assert "403 Forbidden" not in out


def raw_exchange(ep, request, timeout=10):
    """Sends raw bytes, reads until the peer closes (bounded); returns everything read."""
    s = ep.connect(timeout)
    try:
        s.sendall(request)
        return read_until_close(s, timeout, total=timeout, resets=False, must_close=True).data
    finally:
        s.close()


def split_response(data):
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, "no end of headers in %r" % data[:200]
    lines = head.split(b"\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode()
    return lines[0].decode(), headers, body


def assert_forbidden_bytes(data):
    status, headers, body = split_response(data)
    assert status == "HTTP/1.0 403 Forbidden", status
    assert headers == {"cache-control": "no-cache", "content-type": "text/html"}, headers
    assert body == FORBIDDEN_BODY, body
