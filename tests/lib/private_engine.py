"""A private Docker engine for pytest suites, through tests/lib/dockerd.sh.

    with private_engine() as (sock, directory):   # directory is None when reusing one
        ...

SW_ENGINE_SOCK=/path/docker.sock reuses a running engine (it must already have sw-busybox:latest)
instead of starting one. A failed start ends the pytest session with exit code 3.
"""

import contextlib
import os
import subprocess

import pytest

DOCKERD_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dockerd.sh")


@contextlib.contextmanager
def private_engine(timeout=180):
    reuse = os.environ.get("SW_ENGINE_SOCK")
    if reuse:
        yield reuse, None
        return
    p = subprocess.run(
        ["bash", DOCKERD_SH, "start"], capture_output=True, text=True, timeout=timeout
    )
    if p.returncode != 0:
        pytest.exit("private dockerd failed to start:\n%s%s" % (p.stdout, p.stderr), returncode=3)
    vals = dict(line.split("=", 1) for line in p.stdout.split() if "=" in line)
    try:
        yield vals["SW_DOCKER_SOCK"], vals["SW_DOCKERD_DIR"]
    finally:
        subprocess.run(["bash", DOCKERD_SH, "stop", vals["SW_DOCKERD_DIR"]], timeout=timeout)
