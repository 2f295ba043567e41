"""The docker CLI runner shared by the integration and image suites.

    cli = DockerCLI("unix:///path/docker.sock", config_dir, detail=lambda: "")
    p = cli("ps", "-a", check=True)        # subprocess.CompletedProcess (text unless binary=True)

The CLI runs with a clean environment: no DOCKER_* variable of the caller and none of the
proxy's own (SOCKET_PATH, BIND_CONFIG), then DOCKER_HOST, DOCKER_CONFIG and DOCKER_BUILDKIT=0.
SW_DOCKER_CLI names another docker binary. With check=True a non-zero exit raises AssertionError
showing the command, its output and detail() (e.g. the proxy log's tail).
"""

import os
import subprocess

DOCKER_CLI = os.environ.get("SW_DOCKER_CLI", "/usr/bin/docker")


def clean_env(extra):
    """The caller's environment without DOCKER_*, SOCKET_PATH and BIND_CONFIG, plus extra."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DOCKER_") and k not in ("SOCKET_PATH", "BIND_CONFIG")
    }
    env.update(extra)
    return env


class DockerCLI:
    def __init__(self, host, config_dir, detail=None):
        self.host = host
        self.config_dir = config_dir
        self.detail = detail or (lambda: "")

    def env(self, **extra):
        e = clean_env(
            {"DOCKER_HOST": self.host, "DOCKER_CONFIG": self.config_dir, "DOCKER_BUILDKIT": "0"}
        )
        e.update(extra)
        return e

    def __call__(self, *args, input=None, timeout=60, check=False, binary=False, cwd=None):
        """Runs `docker ARGS...`; returns the CompletedProcess."""
        p = subprocess.run(
            [DOCKER_CLI, *args],
            input=input,
            capture_output=True,
            timeout=timeout,
            env=self.env(),
            text=not binary,
            cwd=cwd,
        )
        if check and p.returncode != 0:
            raise AssertionError(
                "docker %s via %s: rc=%d\nstdout: %s\nstderr: %s%s"
                % (" ".join(args), self.host, p.returncode, p.stdout, p.stderr, self.detail())
            )
        return p

    def popen(self, *args, **kw):
        """Starts `docker ARGS...` (stdout and stderr piped, stdin closed unless given)."""
        kw.setdefault("stdout", subprocess.PIPE)
        kw.setdefault("stderr", subprocess.PIPE)
        kw.setdefault("stdin", subprocess.DEVNULL)
        return subprocess.Popen([DOCKER_CLI, *args], env=self.env(), **kw)
