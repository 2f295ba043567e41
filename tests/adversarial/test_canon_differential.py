"""Differential check of path handling: for several hundred odd request targets (hand-picked and
seeded-random percent-encodings, specials, version prefixes, queries), the path the proxy judged
(`sockwarden check`) must be exactly the path the engine decodes and routes, and the proxy must
answer as the verdict says. A mismatch is a bypass: the policy would be judging one path while
the engine executes another."""

import random
import re
import subprocess
import urllib.parse

from harness import exchange, record_figure, sw_bin

SPECIALS = "-._~!$&'()*+,;=:@"
ACTIONS = ["json", "logs", "top", "export", "archive", "attach", "exec", "kill", "start", "stats",
           "changes", "wait"]
# No "events": an allowed event stream never ends and would hold up a pipelined batch.
SECTIONS = ["containers", "images", "exec", "_ping", "version", "eventz", "swarm", "secrets",
            "networks", "info"]

HAND = [
    "/containers/a%20b/json", "/containers/%C3%A9/json", "/containers/a;b=c/json",
    "/containers/a%3Fb/json", "/containers/%25/json", "/containers/%2525/json",
    "/containers/a%23b/json", "/containers/a+b/json", "/containers/a%2Bb/json",
    "/containers/~user/json", "/containers/a:b@c/json", "/containers/(x)/json",
    "/containers/%7E/json", "/containers/%2A/json", "/containers/a%252Fb/json",
    "/containers/%5C/json", "/containers/%22/json", "/containers/%3C%3E/json",
    "/containers/%7B%7D/json", "/containers/%60/json", "/containers/%5E/json",
    "/containers/%7C/json", "/containers/%5B%5D/json", "/containers/%FF/json",
    "/containers/%80/json", "/containers/%e2%80%ae/json", "/containers/json?filters=%7B%7D",
    "/containers/json?a=%2F..%2F&b=%00", "/v1.41/containers/x/json", "/v1/containers/x/json",
    "/v1.41.0/containers/x/json", "/v./containers/x/json", "/v1..2/containers/x/json",
    "/%76%31%2E%34%31/containers/x/json", "/v1.41/%63ontainers/x/json",
    "/containers/x/%6Aso%6E", "/containers/x/%65xport", "/containers/x/%61rchive",
    "/containers/x/%6cogs", "/containers/x/attach%2Fws", "/containers/x/attach/ws",
    "/containers/x/..json", "/containers/x/json.", "/containers/x/.json",
    "/containers/..a/json", "/containers/a../json", "/containers/%2E%2Ea/json",
    "/_ping", "/_pingpong", "/version", "/versionfoo", "/eventsx", "/%5Fping",
]


def _enc(s, rng, p):
    """Percent-encodes each character of s with probability p (either hex case)."""
    out = []
    for ch in s:
        if rng.random() < p:
            h = "%%%02X" % ord(ch)
            out.append(h.lower() if rng.random() < 0.5 else h)
        else:
            out.append(ch)
    return "".join(out)


def _random_targets(n, seed=20261130):
    rng = random.Random(seed)
    targets = []
    for _ in range(n):
        seg_len = rng.randint(1, 8)
        seg = []
        for _ in range(seg_len):
            r = rng.random()
            if r < 0.5:
                seg.append(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789"))
            elif r < 0.75:
                seg.append(rng.choice(SPECIALS))
            elif r < 0.95:
                seg.append("%%%02X" % rng.randint(0x20, 0xFF))
            else:
                seg.append(rng.choice(["%00", "%0a", "%2F", "%2e%2e", ".", "%", "%g0", "/./",
                                       "//"]))
        section = _enc(rng.choice(SECTIONS), rng, 0.15)
        action = _enc(rng.choice(ACTIONS), rng, 0.15)
        prefix = rng.choice(["", "", "/v1.41", "/v1", "/v1.41.9", "/v"])
        query = rng.choice(["", "", "?all=1", "?x=%2F..%2F", "?a=b&c=%zz"])
        shape = rng.random()
        if shape < 0.6:
            path = "/%s/%s/%s" % (section, "".join(seg), action)
        elif shape < 0.8:
            path = "/%s/%s" % (section, action)
        else:
            path = "/%s" % section
        targets.append(prefix + path + query)
    return targets


TARGETS = list(dict.fromkeys(HAND + _random_targets(450)))


def verdicts(targets):
    """Runs `sockwarden check -` once for all targets: {target: (kind, canonical path or None)}."""
    text = "".join("GET %s\n" % t for t in targets)
    p = subprocess.run([sw_bin(), "check", "-"], input=text, capture_output=True, text=True,
                       env={"CONTAINERS": "1", "POST": "0", "PATH": "/usr/bin:/bin"}, timeout=60)
    lines = p.stdout.splitlines()
    out = {}
    for t, line in zip(targets, lines):
        m = re.match(r"^(allow|deny|error)\s+GET (\S+)\s+(.*)$", line)
        assert m and m.group(2) == t, "unexpected check output %r for %r" % (line, t)
        canon = None
        c = re.search(r"canonical=(\S+) version=(\S+)", m.group(3))
        if c:
            canon = (c.group(1), "" if c.group(2) == "-" else c.group(2))
        out[t] = (m.group(1), canon)
    assert len(out) == len(targets), p.stdout[-500:] + p.stderr[-500:]
    return out


def test_enough_targets():
    assert len(TARGETS) >= 400, len(TARGETS)


def test_judged_path_is_routed_path(policy_proxies, engine):
    px = policy_proxies["ro"]
    v = verdicts(TARGETS)
    kinds = {k: sum(1 for x in v.values() if x[0] == k) for k in ("allow", "deny", "error")}
    assert kinds["allow"] >= 100 and kinds["deny"] >= 50 and kinds["error"] >= 20, kinds
    allowed = [t for t in TARGETS if v[t][0] == "allow"]
    mismatches = []
    engine.log.mark()
    # Refused targets, one connection each: the proxy answers and closes at once.
    for t in TARGETS:
        kind = v[t][0]
        if kind == "allow":
            continue
        ex = exchange(px.port, ("GET %s HTTP/1.1\r\nHost: docker\r\n\r\n" % t).encode("latin-1"),
                      timeout=5)
        want = 403 if kind == "deny" else 400
        if ex.statuses != [want]:
            mismatches.append((t, kind, ex.statuses))
    # Allowed targets, pipelined on keep-alive connections.
    for i in range(0, len(allowed), 50):
        batch = allowed[i:i + 50]
        data = b"".join(("GET %s HTTP/1.1\r\nHost: docker\r\n\r\n" % t).encode("latin-1")
                        for t in batch)
        ex = exchange(px.port, data, expect=len(batch), timeout=10)
        # Every answer is the engine's (200, or 400 from dockerd's version check).
        if len(ex.responses) != len(batch) or any(r.header("api-version") is None
                                                  for r in ex.responses):
            mismatches.append(("batch %d" % i, "allow", ex.statuses))
    es = engine.log.settle(timeout=10)
    reqs = engine.log.requests(es)
    assert not mismatches, "\n".join(map(repr, mismatches[:40]))
    assert not engine.log.unexpected(es), engine.log.unexpected(es)
    assert len(reqs) == len(allowed), "engine saw %d requests for %d allowed targets" % (
        len(reqs), len(allowed))
    for t, r in zip(allowed, reqs):
        canon, version = v[t][1]
        judged = urllib.parse.unquote_to_bytes(canon).decode("latin-1")
        if r["route"] != judged:
            mismatches.append((t, "judged %r" % judged, "engine routed %r" % r["route"]))
        engine_version = r["path"][2:len(r["path"]) - len(r["route"])] if r["path"] != r["route"] \
            else ""
        if engine_version != version:
            mismatches.append((t, "judged version %r" % version, "engine %r" % engine_version))
        raw_query = t.split("?", 1)[1] if "?" in t else None
        fwd_query = r["target"].split("?", 1)[1] if "?" in r["target"] else None
        if raw_query != fwd_query:
            mismatches.append((t, "query %r" % raw_query, "forwarded %r" % fwd_query))
    assert not mismatches, "\n".join(map(repr, mismatches[:40]))
    record_figure("canon_differential", targets=len(TARGETS), **kinds)
