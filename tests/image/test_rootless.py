"""The seed's set-up: the image run by a rootless engine, on that engine's own socket.

A rootless dockerd (Debian's dockerd-rootless.sh under rootlesskit, host network namespace) is
started as an unprivileged account; the image is loaded into it and run with the socket
bind-mounted read-only. This pins down what docs/DEPLOY.md says about ids: inside such a container
uid 0 is the account itself (`user: "0:0"` opens the socket), the image's uid 2375 and the
account's own uid are subordinate ids that cannot, and adding the socket's group as the engine sees
it works. The proxy listens on a unix socket in a shared directory (the containers use
--network none), so no traffic leaves the machine's loopback or unix sockets.
"""

import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import pytest

from conftest import Docker, SEED_ENV  # noqa: E402  (tests/image/conftest.py)

ROOTLESS_SH = "/usr/share/docker.io/contrib/dockerd-rootless.sh"
ACCOUNT = "swrootless"


def _ensure_account():
    """Returns (uid, gid, created) for the unprivileged account that runs the engine."""
    created = False
    try:
        pw = pwd.getpwnam(ACCOUNT)
    except KeyError:
        subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", ACCOUNT], check=True)
        created = True
        pw = pwd.getpwnam(ACCOUNT)
    for f in ("/etc/subuid", "/etc/subgid"):
        text = open(f).read() if os.path.exists(f) else ""
        if not re.search(r"^%s:" % ACCOUNT, text, re.M):
            ends = [int(a) + int(b) for _, a, b in re.findall(r"^([^:]+):(\d+):(\d+)$", text, re.M)]
            with open(f, "a") as out:
                out.write("%s:%d:65536\n" % (ACCOUNT, max(ends + [100000])))
    return pw.pw_uid, pw.pw_gid, created


def _ping(sock):
    p = subprocess.run(
        ["curl", "-s", "-m", "2", "--unix-socket", sock, "http://engine/_ping"],
        capture_output=True,
        text=True,
    )
    return p.stdout == "OK"


class Rootless:
    def __init__(self, top, uid, gid):
        self.top = top
        self.uid = uid
        self.gid = gid
        self.run_dir = os.path.join(top, "run")
        self.sock = os.path.join(self.run_dir, "docker.sock")
        self.share = os.path.join(top, "share")  # the proxies' unix listeners
        self.docker = Docker("unix://" + self.sock, os.path.join(top, "cli"))
        self.proc = None
        self.names = []

    def start(self):
        for d in (self.run_dir, os.path.join(self.top, "home"), os.path.join(self.top, "data")):
            os.makedirs(d)
            os.chown(d, self.uid, self.gid)
            os.chmod(d, 0o700)
        os.makedirs(self.share)
        os.chmod(self.share, 0o1777)  # written by container uids that map to subordinate ids
        os.makedirs(os.path.join(self.top, "cli"))
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": os.path.join(self.top, "home"),
            "XDG_RUNTIME_DIR": self.run_dir,
            "DOCKERD_ROOTLESS_ROOTLESSKIT_NET": "host",
            "DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER": "none",
        }
        cmd = ["setpriv", "--reuid", str(self.uid), "--regid", str(self.gid), "--init-groups",
               ROOTLESS_SH, "--data-root", os.path.join(self.top, "data"),
               "--iptables=false", "--ip6tables=false", "--bridge=none",
               "--ip-forward=false", "--ip-masq=false"]
        with open(os.path.join(self.top, "log"), "wb") as log:
            self.proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if _ping(self.sock):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        pytest.fail("rootless dockerd did not start:\n%s" % self.log_tail())

    def log_tail(self):
        with open(os.path.join(self.top, "log"), errors="replace") as f:
            return "".join(f.readlines()[-30:])

    def stop(self):
        if self.names:
            self.docker("rm", "-f", *self.names, timeout=120)
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)

    def run_proxy(self, tag, *extra):
        """Runs the image the seed's way on this engine; returns (name, listener path)."""
        name = "swrl-%s" % uuid.uuid4().hex[:8]
        listener = os.path.join(self.share, name + ".sock")
        args = ["run", "-d", "--name", name, "--network", "none",
                "-v", "%s:/var/run/docker.sock:ro" % self.sock, "-v", "%s:/run/sw" % self.share,
                "-e", "BIND_CONFIG=/run/sw/%s.sock mode 666" % name,
                "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                "--health-interval", "1s", "--health-start-period", "0s"]
        for k, v in SEED_ENV.items():
            args += ["-e", "%s=%s" % (k, v)]
        self.names.append(name)
        self.docker(*args, *extra, tag, check=True)
        deadline = time.monotonic() + 15
        while not os.path.exists(listener) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert os.path.exists(listener), self.docker("logs", name).stderr
        return name, listener

    def health(self, name, wanted, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            h = self.docker.inspect(name)["State"].get("Health") or {}
            if h.get("Status") == wanted or time.monotonic() > deadline:
                return h.get("Status"), (h.get("Log") or [{}])[-1].get("Output", "")
            time.sleep(0.2)

    def host_ids(self, name):
        pid = self.docker.inspect(name)["State"]["Pid"]
        with open("/proc/%d/status" % pid) as f:
            st = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
        return int(st["Uid"].split()[0]), st["Groups"].split()


@pytest.fixture(scope="module")
def rootless(engine, image, tmp_path_factory):
    for tool in ("setpriv", "rootlesskit", "newuidmap", "curl"):
        assert shutil.which(tool), "%s is missing (tests/image/run.sh installs it)" % tool
    assert os.path.exists(ROOTLESS_SH), ROOTLESS_SH
    uid, gid, created = _ensure_account()
    top = tempfile.mkdtemp(prefix="swrl.")  # short: containerd's socket paths must fit sun_path
    os.chmod(top, 0o755)
    rl = Rootless(top, uid, gid)
    try:
        rl.start()
        tarball = str(tmp_path_factory.mktemp("img") / "image.tar")
        engine.docker("save", "-o", tarball, image[0], check=True, timeout=120)
        rl.docker("load", "-i", tarball, check=True, timeout=120)
        yield rl
    finally:
        rl.stop()
        shutil.rmtree(top, ignore_errors=True)
        if created:
            subprocess.run(["userdel", ACCOUNT])


def through(listener, *args):
    return Docker("unix://" + listener, "/nonexistent")(*args)


def test_rootless_socket_is_owned_by_container_root(rootless, image):
    """The image's default uid is a subordinate id here: refused, and the log says what to do."""
    name, listener = rootless.run_proxy(image[0])
    p = through(listener, "ps")
    assert p.returncode != 0 and "No server is available" in p.stderr, p.stdout + p.stderr
    status, out = rootless.health(name, "unhealthy")
    assert status == "unhealthy", out
    logs = rootless.docker("logs", name).stdout
    m = re.search(r"owned by uid 0 gid (\d+) mode 660; sockwarden runs as uid 2375 gid 2375 "
                  r"groups \[2375\]: run as uid 0 or add group (\d+)", logs)
    assert m, logs
    assert rootless.host_ids(name)[0] != 2375, "uid 2375 must be a subordinate id on the host"


def test_rootless_user_0_is_the_engine_account(rootless, image):
    name, listener = rootless.run_proxy(image[0], "--user", "0:0")
    p = through(listener, "ps", "--format", "{{.Names}}")
    assert p.returncode == 0, p.stderr + rootless.docker("logs", name).stdout
    assert name in p.stdout.split()
    status, out = rootless.health(name, "healthy")
    assert status == "healthy", out
    assert rootless.host_ids(name)[0] == rootless.uid, "container root is the engine's account"
    bad = Docker("unix://" + listener, "/nonexistent")
    create = bad("create", "--network", "none", image[0])
    assert create.returncode != 0 and "403 Forbidden" in create.stderr, create.stderr


def test_rootless_socket_group_as_the_engine_sees_it(rootless, image):
    probe, _ = rootless.run_proxy(image[0])
    rootless.health(probe, "unhealthy")
    gid = re.search(r"owned by uid 0 gid (\d+)", rootless.docker("logs", probe).stdout).group(1)
    name, listener = rootless.run_proxy(image[0], "--group-add", gid)
    p = through(listener, "ps")
    assert p.returncode == 0, p.stderr + rootless.docker("logs", name).stdout
    status, out = rootless.health(name, "healthy")
    assert status == "healthy", out
    assert rootless.host_ids(name)[0] != rootless.uid, "still an unprivileged subordinate uid"


def test_rootless_user_uid_does_not_work(rootless, image):
    """`user: "${UID}"` is for a rootful engine; on the rootless one it is a subordinate id."""
    name, listener = rootless.run_proxy(image[0], "--user", str(rootless.uid))
    p = through(listener, "ps")
    assert p.returncode != 0, p.stdout
    assert "permission denied on /var/run/docker.sock" in rootless.docker("logs", name).stdout
