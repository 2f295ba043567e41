"""The compose examples: valid for docker-compose, and saying what docs/DEPLOY.md says they say."""

import os
import shutil
import subprocess

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(REPO, "examples")
COMPOSE = shutil.which("docker-compose") or "/usr/bin/docker-compose"
SEED_ENV = {"CONTAINERS": "1", "NETWORKS": "1", "SERVICES": "0", "TASKS": "0", "POST": "0"}
HEALTH = ["CMD", "/sockwarden", "healthcheck"]


def rendered(name, **env):
    """`docker-compose config` of one example: validated against the schema, variables filled in."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    e.update({"UID": "1000", "DOCKER_GID": "998"})
    e.update(env)
    p = subprocess.run(
        [COMPOSE, "-f", os.path.join(EXAMPLES, name), "config"],
        capture_output=True,
        text=True,
        env=e,
        timeout=60,
    )
    assert p.returncode == 0, "%s: %s" % (name, p.stderr)
    return yaml.safe_load(p.stdout)


def hardened(svc):
    assert svc["image"] == "sockwarden:latest"
    assert svc.get("read_only") is True
    assert svc.get("cap_drop") == ["ALL"]
    assert "ports" not in svc, "the proxy must not publish a port"
    assert "POST" not in svc["environment"] or svc["environment"]["POST"] == "0"


def test_seed_stanza():
    cfg = rendered("docker-compose.yml", UID="1234")
    svc = cfg["services"]["socket-proxy"]
    hardened(svc)
    assert svc["environment"] == SEED_ENV
    assert svc["networks"] == {"socket": None}
    assert cfg["networks"]["socket"]["internal"] is True
    vols = svc["volumes"]
    assert len(vols) == 1
    v = vols[0]
    if isinstance(v, str):  # older docker-compose renders the short syntax
        assert v == "/run/user/1234/docker.sock:/var/run/docker.sock:ro"
    else:
        assert (v["source"], v["target"], v["read_only"]) == (
            "/run/user/1234/docker.sock",
            "/var/run/docker.sock",
            True,
        )
    assert svc["healthcheck"]["test"] == HEALTH
    assert svc["user"] == "0:0", "rootless engine: the socket's owner is container uid 0"
    assert "no-new-privileges:true" in svc["security_opt"]


def test_seed_stanza_needs_uid():
    e = {k: v for k, v in os.environ.items() if k != "UID"}
    p = subprocess.run(
        [COMPOSE, "-f", os.path.join(EXAMPLES, "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env=e,
        timeout=60,
    )
    # Either refused or warned: an empty UID must never pass silently.
    assert p.returncode != 0 or "UID" in p.stderr, p.stderr


@pytest.mark.parametrize(
    "name,env",
    [
        ("traefik.yml", {"CONTAINERS": "1"}),
        ("caddy.yml", {"CONTAINERS": "1", "NETWORKS": "1", "INFO": "1"}),
    ],
)
def test_consumer_examples(name, env):
    cfg = rendered(name)
    proxy = cfg["services"]["socket-proxy"]
    hardened(proxy)
    for k, v in env.items():
        assert proxy["environment"][k] == v
    assert [str(g) for g in proxy["group_add"]] == ["998"]
    assert cfg["networks"]["socket"]["internal"] is True
    consumers = [s for n, s in cfg["services"].items() if "socket" in (s.get("networks") or {})]
    assert len(consumers) == 2, "the proxy and exactly one API consumer share the socket network"
    consumer = [s for s in consumers if s is not proxy][0]
    assert consumer["depends_on"]["socket-proxy"]["condition"] == "service_healthy"
    text = yaml.safe_dump(consumer)
    assert "tcp://socket-proxy:2375" in text


def test_consumer_examples_need_the_socket_group():
    p = subprocess.run(
        [COMPOSE, "-f", os.path.join(EXAMPLES, "traefik.yml"), "config"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "DOCKER_GID"},
        timeout=60,
    )
    assert p.returncode != 0 and "DOCKER_GID" in p.stderr, p.stderr


def test_swarm_example():
    cfg = rendered("swarm.yml")
    svcs = cfg["services"]
    for name in ("socket-proxy", "node-socket-proxy"):
        svc = svcs[name]
        hardened(svc)
        assert svc["deploy"]["mode"] == "global"
        # stack deploy ignores group_add: the socket's group must be the primary group.
        assert svc["user"] == "2375:998"
        assert "group_add" not in svc
        assert svc["healthcheck"]["test"] == HEALTH
    mgr = svcs["socket-proxy"]
    assert mgr["deploy"]["placement"]["constraints"] == ["node.role == manager"]
    assert cfg["networks"]["socket"]["driver"] == "overlay"
    assert cfg["networks"]["socket"]["internal"] is True
    node = svcs["node-socket-proxy"]
    assert node["environment"]["BIND_CONFIG"] == "/run/sockwarden/docker.sock mode 660"
    assert list(node["networks"]) == ["isolated"]
    assert cfg["networks"]["isolated"]["internal"] is True
    assert "tcp://socket-proxy:2375" in " ".join(svcs["traefik"]["command"])


def test_examples_run_only_our_sub_commands():
    """Every healthcheck in the examples is the binary's own (there is no shell in the image)."""
    for name in sorted(os.listdir(EXAMPLES)):
        if not name.endswith(".yml"):
            continue
        with open(os.path.join(EXAMPLES, name)) as f:
            doc = yaml.safe_load(f)
        for sname, svc in doc["services"].items():
            if svc.get("image") == "sockwarden:latest" and "healthcheck" in svc:
                assert svc["healthcheck"]["test"] == HEALTH, (name, sname)
