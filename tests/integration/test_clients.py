"""Client libraries through sockwarden: Debian's python3-docker and npm's dockerode."""

import json
import os
import subprocess
import time

import docker
import pytest

from conftest import REPO

NODE_DIR = os.path.join(REPO, "tests", "integration", "node")


@pytest.fixture
def chatty_container(engine, cleanup):
    cid = engine.run_detached("sh", "-c", "echo to-stdout; echo to-stderr >&2; sleep 300")
    cleanup["containers"].append(cid)
    return cid


def wait_logs(engine, cid, text):
    for _ in range(100):
        p = engine.docker("logs", cid)
        if text in p.stdout + p.stderr:
            return
        time.sleep(0.1)
    raise AssertionError("container %s never logged %r" % (cid, text))


def test_python_docker(proxy, chatty_container, engine):
    wait_logs(engine, chatty_container, "to-stderr")
    ep = proxy(CONTAINERS=1)
    client = docker.DockerClient(base_url=ep.docker_host, version="1.41", timeout=30)
    try:
        ids = [c.id for c in client.containers.list(all=True)]
        assert chatty_container in ids
        c = client.containers.get(chatty_container)
        assert c.id == chatty_container and c.status == "running"
        assert c.attrs["Config"]["Image"] == "sw-busybox:latest"
        assert c.logs(stdout=True, stderr=False) == b"to-stdout\n"
        assert c.logs(stdout=False, stderr=True) == b"to-stderr\n"
        assert client.api.ping() is True
        assert client.version()["ApiVersion"] == "1.41"
    finally:
        client.close()


def test_python_docker_refusal(proxy, chatty_container, need_proxy):
    ep = proxy(CONTAINERS=1)
    client = docker.DockerClient(base_url=ep.docker_host, version="1.41", timeout=30)
    try:
        with pytest.raises(docker.errors.APIError) as exc:
            client.containers.get(chatty_container).stop(timeout=1)
        assert exc.value.status_code == 403
        assert "Request forbidden by administrative rules." in exc.value.response.text
    finally:
        client.close()


def test_dockerode(proxy, chatty_container, engine):
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "dockerode")):
        pytest.fail("dockerode is not installed (run tools/install-deps.sh)")
    wait_logs(engine, chatty_container, "to-stderr")
    ep = proxy(CONTAINERS=1)
    p = subprocess.run(
        ["node", "dockerode_test.js", ep.docker_host, chatty_container],
        cwd=NODE_DIR, capture_output=True, text=True, timeout=60,
    )
    assert p.returncode == 0, (p.stdout, p.stderr, ep.log_tail())
    res = json.loads(p.stdout)
    assert chatty_container in res["listed"]
    assert res["inspectId"] == chatty_container and res["running"] is True
    assert res["logs"] == {"stdout": "to-stdout\n", "stderr": "to-stderr\n"}
