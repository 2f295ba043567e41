"""Fixtures for the image tests: a private dockerd, the sockwarden image built on it, and a factory
that runs that image the way the seed compose stanza runs Tecnativa's (socket bind-mounted
read-only, non-root with the socket's group, read-only root, no capabilities), but on the host
network with a loopback port instead of an internal network.

- SW_ENGINE_SOCK=/path/docker.sock reuses a running engine (see tests/lib/private_engine.py).
- SW_IMAGE_BINARY overrides the binary that goes into the image (default build/static/sockwarden).
"""

import json
import os
import shutil
import socket
import sys
import tempfile
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from docker_cli import DockerCLI  # noqa: E402
from private_engine import private_engine  # noqa: E402
from sock import free_port, send_raw, wait_listening  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STATIC_BIN = os.path.join(REPO, "build", "static", "sockwarden")

# The seed's compose environment for the proxy.
SEED_ENV = {"CONTAINERS": "1", "NETWORKS": "1", "SERVICES": "0", "TASKS": "0", "POST": "0"}


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


class Docker(DockerCLI):
    """The docker CLI against one endpoint, with an empty client config."""

    def inspect(self, what):
        return json.loads(self("inspect", what, check=True).stdout)[0]


class Engine:
    def __init__(self, sock, directory, cfg):
        self.sock = sock
        self.dir = directory
        self.docker = Docker("unix://" + sock, cfg)
        self.socket_gid = os.stat(sock).st_gid


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    cfg = str(tmp_path_factory.mktemp("dockercfg"))
    with private_engine() as (sock, directory):
        yield Engine(sock, directory, cfg)


@pytest.fixture(scope="session")
def image(engine):
    """Builds the image from the repository's Dockerfile and .dockerignore; yields its tag."""
    binary = os.environ.get("SW_IMAGE_BINARY", STATIC_BIN)
    if not os.access(binary, os.X_OK):
        pytest.exit("%s is missing: run `make static` first" % binary, returncode=3)
    tag = "sockwarden:" + unique("test")
    ctx = REPO
    tmp = None
    if binary != STATIC_BIN:
        tmp = tempfile.mkdtemp(prefix="swimg.")
        ctx = os.path.join(tmp, "ctx")
        os.makedirs(os.path.join(ctx, "build", "static"))
        for f in ("Dockerfile", ".dockerignore"):
            shutil.copy(os.path.join(REPO, f), ctx)
        shutil.copytree(os.path.join(REPO, "packaging"), os.path.join(ctx, "packaging"))
        shutil.copy(binary, os.path.join(ctx, "build", "static", "sockwarden"))
    try:
        build = engine.docker("build", "--build-arg", "VERSION=test", "-t", tag, ctx, timeout=300)
        assert build.returncode == 0, "docker build failed:\n%s%s" % (build.stdout, build.stderr)
        yield tag, build.stdout
    finally:
        engine.docker("rmi", "-f", tag, timeout=120)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


class Proxy:
    def __init__(self, engine, name, port):
        self.engine = engine
        self.name = name
        self.port = port
        self.client = Docker("tcp://127.0.0.1:%d" % port, engine.docker.config_dir)

    def inspect(self):
        return self.engine.docker.inspect(self.name)

    def logs(self):
        p = self.engine.docker("logs", self.name)
        return p.stdout + p.stderr

    def health(self):
        h = self.inspect()["State"].get("Health") or {}
        return h.get("Status"), h.get("Log") or []

    def wait_health(self, wanted, timeout=30):
        deadline = time.monotonic() + timeout
        status, log = self.health()
        while status != wanted and time.monotonic() < deadline:
            time.sleep(0.2)
            status, log = self.health()
        return status, log

    def connect(self, timeout=10):
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def exchange(self, request, timeout=10):
        """Sends raw bytes; returns all the proxy sends until it closes (reads bounded)."""
        return send_raw(self.port, request, timeout, resets=False, must_close=True).data

    def describe(self):
        return "\n--- %s logs ---\n%s" % (self.name, self.logs()[-4000:])


def _wait_listening(engine, name, port, seconds):
    """True once the proxy container listens on port; False when it stopped running."""
    return wait_listening(port, seconds, interval=0.1,
                          alive=lambda: engine.docker.inspect(name)["State"]["Running"])


class ProxyFactory:
    def __init__(self, engine, tag):
        self.engine = engine
        self.tag = tag
        self.names = []

    def __call__(
        self, env=None, group_add=True, bind=True, network="host", extra=(), health_interval="1s"
    ):
        """Runs the image the seed's way; env is added to (or overrides) SEED_ENV."""
        name = unique("swimg")
        port = free_port()
        args = ["run", "-d", "--name", name, "--network", network]
        args += ["-v", "%s:/var/run/docker.sock:ro" % self.engine.sock]
        if group_add:
            args += ["--group-add", str(self.engine.socket_gid)]
        args += ["--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"]
        if health_interval:
            args += ["--health-interval", health_interval, "--health-start-period", "0s"]
        full_env = dict(SEED_ENV)
        if bind:
            full_env["BIND_CONFIG"] = "127.0.0.1:%d" % port
        full_env.update(env or {})
        for k, v in full_env.items():
            args += ["-e", "%s=%s" % (k, v)]
        args += list(extra) + [self.tag]
        self.names.append(name)
        self.engine.docker(*args, check=True)
        proxy = Proxy(self.engine, name, port)
        if bind and network == "host":
            if not _wait_listening(self.engine, name, port, 15):
                pytest.fail("proxy container did not listen on %d%s" % (port, proxy.describe()))
        return proxy

    def cleanup(self):
        if self.names:
            self.engine.docker("rm", "-f", *self.names, timeout=120)


@pytest.fixture
def run_proxy(engine, image):
    factory = ProxyFactory(engine, image[0])
    yield factory
    factory.cleanup()
