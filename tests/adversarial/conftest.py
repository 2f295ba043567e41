"""Fixtures for the adversarial suite: the recording fake engine, proxies in front of it, and a
check after every test that the proxies are alive and the sanitizers stayed quiet."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import FakeEngine, Proxy, cleanup_dir, short_tmpdir  # noqa: E402
from private_engine import private_engine as private_dockerd  # noqa: E402  (tests/lib)

POLICIES = {
    "ro": {"CONTAINERS": 1, "POST": 0, "REQUEST_TIMEOUT": "2s"},
    "rw": {"CONTAINERS": 1, "POST": 1, "REQUEST_TIMEOUT": "2s"},
}


@pytest.fixture(scope="session")
def workdir():
    d = short_tmpdir()
    yield d
    if not os.environ.get("SW_KEEP"):
        cleanup_dir(d)


@pytest.fixture(scope="session")
def engine(workdir):
    """One fake engine for the protocol tables (tests that kill engines start their own)."""
    e = FakeEngine(workdir, "shared").start()
    yield e
    e.kill()


class ProxySet:
    """Proxies started by a test or a module; stop() reports crashes and sanitizer output."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.started = []

    def start(self, upstream, name="proxy", **env):
        p = Proxy(upstream, self.workdir, env=env, name="%s-%d" % (name, len(self.started)))
        self.started.append(p)
        return p.start()

    def stop(self):
        problems = []
        for p in self.started:
            problems += p.stop()
        self.started = []
        return problems


@pytest.fixture(scope="module")
def policy_proxies(engine, workdir):
    """One proxy per policy in front of the shared engine, for a whole module."""
    ps = ProxySet(workdir)
    proxies = {name: ps.start(engine.sock, name=name, **env) for name, env in POLICIES.items()}
    yield proxies
    problems = ps.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def proxies(workdir):
    """Per-test proxies: proxies.start(upstream, **env)."""
    ps = ProxySet(workdir)
    yield ps
    problems = ps.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def private_engine(workdir, request):
    """A fake engine of the test's own (it may be killed and restarted)."""
    d = os.path.join(workdir, "e%d" % (abs(hash(request.node.nodeid)) % 10**8))
    os.makedirs(d, exist_ok=True)
    e = FakeEngine(d, "engine").start()
    yield e
    e.kill()


# ---- a private real dockerd ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def real_engine():
    """The socket of a private dockerd with sw-busybox:latest (tests/lib/private_engine.py), or of
    the one named by SW_ENGINE_SOCK. Skips when dockerd cannot run here."""
    if not os.environ.get("SW_ENGINE_SOCK") and (
            os.geteuid() != 0 or not os.access("/usr/sbin/dockerd", os.X_OK)):
        pytest.skip("a private dockerd needs root and /usr/sbin/dockerd")
    with private_dockerd(on_fail="fail") as (sock, _):
        yield sock
