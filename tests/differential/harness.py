"""Processes and raw exchanges for the differential test: the fake upstream, Debian's haproxy
running the Tecnativa rule chain, and sockwarden, both started with the same flag environment."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

from fake_upstream import Upstream

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sock  # noqa: E402
from sock import free_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
HAPROXY = "/usr/sbin/haproxy"
TEMPLATE = os.path.join(HERE, "haproxy.cfg.tmpl")
ERRORS_DIR = "/etc/haproxy/errors"
HOST = "127.0.0.1"
REPLY_TIMEOUT = 5.0

# Tecnativa's image ENV (tecnativa.md §1.2), minus the settings that are not flags. haproxy reads
# an unset flag as false, so both proxies get the complete set and a configuration overrides it.
TECNATIVA_ENV = {
    "ALLOW_RESTARTS": "0", "ALLOW_STOP": "0", "ALLOW_START": "0", "AUTH": "0", "BUILD": "0",
    "COMMIT": "0", "CONFIGS": "0", "CONTAINERS": "0", "DISTRIBUTION": "0", "EVENTS": "1",
    "EXEC": "0", "GRPC": "0", "IMAGES": "0", "INFO": "0", "NETWORKS": "0", "NODES": "0",
    "PING": "1", "PLUGINS": "0", "POST": "0", "SECRETS": "0", "SERVICES": "0", "SESSION": "0",
    "SWARM": "0", "SYSTEM": "0", "TASKS": "0", "VERSION": "1", "VOLUMES": "0",
}


def sockwarden_bin():
    return os.path.abspath(os.environ.get("SW_BIN", os.path.join(REPO, "build", "sockwarden")))


def flag_env(overrides):
    env = dict(TECNATIVA_ENV)
    env.update(overrides)
    env["LOG_LEVEL"] = "info"
    env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
    return env


def render_haproxy_cfg(port):
    with open(TEMPLATE) as f:
        text = f.read()
    return text.replace("@BIND@", "%s:%d" % (HOST, port)).replace("@ERRORS@", ERRORS_DIR)


class Proxy:
    """One proxy process in front of its own recording upstream."""

    def __init__(self, name, workdir):
        self.name = name
        self.dir = workdir
        self.port = free_port()
        self.upstream = Upstream(os.path.join(workdir, name + ".sock"))
        self.log_path = os.path.join(workdir, name + ".log")
        self.proc = None

    def argv(self):
        raise NotImplementedError

    def env(self, overrides):
        env = flag_env(overrides)
        env["SOCKET_PATH"] = self.upstream.path
        return env

    def start(self, overrides):
        self.upstream.start()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv(), env=self.env(overrides), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, cwd=self.dir,
            )
        wait_listening(self.port, self.proc, self.log_path)
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.upstream.stop()

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def exchange(self, raw):
        """Send raw bytes, return (status or None, forwarded [(method, target)])."""
        mark = self.upstream.count()
        reply = send_raw(self.port, raw)
        return status_of(reply), self.upstream.since(mark)


class HAProxy(Proxy):
    def __init__(self, workdir):
        super().__init__("haproxy", workdir)
        self.cfg_path = os.path.join(workdir, "haproxy.cfg")
        with open(self.cfg_path, "w") as f:
            f.write(render_haproxy_cfg(self.port))

    def argv(self):
        return [HAPROXY, "-db", "-f", self.cfg_path]


class Sockwarden(Proxy):
    def __init__(self, workdir):
        super().__init__("sockwarden", workdir)

    def argv(self):
        return [sockwarden_bin()]

    def env(self, overrides):
        env = super().env(overrides)
        env["BIND_CONFIG"] = "%s:%d" % (HOST, self.port)
        return env


def wait_listening(port, proc, log_path, limit=10.0):
    if sock.wait_listening((HOST, port), limit, proc=proc, interval=0.02):
        return
    if proc.poll() is not None:
        with open(log_path, errors="replace") as f:
            log = f.read()
        raise RuntimeError("%s exited with %s:\n%s" % (proc.args[0], proc.returncode, log))
    raise RuntimeError("%s is not listening on port %d" % (proc.args[0], port))


def send_raw(port, raw):
    """One request per connection; read until the proxy closes or the reply timeout."""
    return sock.send_raw((HOST, port), raw, REPLY_TIMEOUT).data


STATUS_RE = re.compile(rb"^HTTP/1\.[01] (\d{3})[ \r]")


def status_of(reply):
    m = STATUS_RE.match(reply)
    return int(m.group(1)) if m else None


def build_request(method, target):
    """The bytes both proxies receive: a request as a Docker client writes it."""
    host = b"api.moby.localhost"
    m = re.match(rb"^[a-z]+://([^/?]*)", target)
    if m:  # HAProxy answers 400 when Host and the absolute-form authority differ
        host = m.group(1)
    lines = [method + b" " + target + b" HTTP/1.1", b"Host: " + host,
             b"User-Agent: sockwarden-differential", b"Connection: close"]
    body = b""
    if method.upper() in (b"POST", b"PUT", b"PATCH"):
        body = b"{}"
        lines += [b"Content-Type: application/json", b"Content-Length: %d" % len(body)]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class Workdir:
    """A short temporary directory (unix socket paths are limited to 108 bytes)."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="swdiff.", dir="/tmp")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)
