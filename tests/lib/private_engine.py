"""A private Docker engine for pytest suites, through tests/lib/dockerd.sh.

    with private_engine() as (sock, directory):   # directory is None when reusing one
        ...

SW_ENGINE_SOCK=/path/docker.sock reuses a running engine (it must already have sw-busybox:latest)
instead of starting one. A failed start ends the pytest session with exit code 3, or, with
on_fail="fail", fails only the tests that use the engine. A start interrupted (SIGTERM, Ctrl-C)
stops the half-started engine; the stop runs to its end even when a signal arrives meanwhile.
"""

import contextlib
import os
import signal
import subprocess

import pytest

DOCKERD_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dockerd.sh")


@contextlib.contextmanager
def private_engine(timeout=180, on_fail="exit"):
    reuse = os.environ.get("SW_ENGINE_SOCK")
    if reuse:
        yield reuse, None
        return
    p = subprocess.Popen(
        ["bash", DOCKERD_SH, "start"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out, err = p.communicate(timeout=timeout)
    except BaseException:
        # SIGTERM, not subprocess's SIGKILL: the script's trap then stops the half-started engine.
        p.terminate()
        p.communicate(timeout=60)
        raise
    if p.returncode != 0:
        why = "private dockerd failed to start:\n%s%s" % (out, err)
        if on_fail == "fail":
            pytest.fail(why)
        pytest.exit(why, returncode=3)
    vals = dict(line.split("=", 1) for line in out.split() if "=" in line)
    try:
        yield vals["SW_DOCKER_SOCK"], vals["SW_DOCKERD_DIR"]
    finally:
        # Finish the stop even if SIGTERM/SIGINT arrives meanwhile (the handlers only note it;
        # the child gets default dispositions at exec).
        hits = []
        old = {s: signal.signal(s, lambda n, f: hits.append(n)) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            subprocess.Popen(["bash", DOCKERD_SH, "stop", vals["SW_DOCKERD_DIR"]]).wait(
                timeout=timeout)
        finally:
            for s, h in old.items():
                signal.signal(s, h)
