"""Seeded random streams: payloads from the bypass tables glued together and cut into writes at
random byte boundaries. Whatever the split, the engine may only ever see requests the policy
allows (checked with `sockwarden check` on what the engine actually received), it must parse
everything it gets, and the proxy must stay up."""

import os
import random
import subprocess

import cases
from harness import exchange, record_figure, sw_bin

SEED = int(os.environ.get("SW_SEED", "77031"))
STREAMS = int(os.environ.get("SW_STREAMS", "600"))

POOL = [c.data for c in cases.ALL
        if c.policy == "ro" and c.timeout == 5.0 and 408 not in c.status
        and not isinstance(c.data, list) and b"/events" not in c.data and len(c.data) < 20000
        and b"HEAD " not in c.data]  # the response reader cannot tell HEAD answers apart here
ALLOWED = [cases.OK_GET,
           b"GET /v1.41/containers/abc/json HTTP/1.1\r\nHost: docker\r\n\r\n",
           b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n"]


def make_stream(rng):
    items = [rng.choice(ALLOWED) if rng.random() < 0.4 else rng.choice(POOL)
             for _ in range(rng.randint(2, 5))]
    data = b"".join(items)
    cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, rng.randint(0, 6))))
    parts, last = [], 0
    for c in cuts + [len(data)]:
        parts.append(data[last:c])
        last = c
    return parts


def allowed_by_policy(targets):
    """{(method, target): verdict} from one `sockwarden check -` run with the ro policy."""
    text = "".join("%s %s\n" % mt for mt in targets)
    p = subprocess.run([sw_bin(), "check", "-"], input=text, capture_output=True, text=True,
                       env={"CONTAINERS": "1", "POST": "0", "PATH": "/usr/bin:/bin"}, timeout=60)
    lines = p.stdout.splitlines()
    assert len(lines) == len(targets), p.stdout[-500:]
    return {mt: line.split()[0] for mt, line in zip(targets, lines)}


def test_random_split_streams(policy_proxies, engine):
    px = policy_proxies["ro"]
    rng = random.Random(SEED)
    engine.log.mark()
    answered = 0
    for _ in range(STREAMS):
        parts = make_stream(rng)
        ex = exchange(px.port, parts, expect=1, timeout=3, gap=rng.choice([0, 0.001, 0.01]))
        answered += len(ex.responses)
        assert px.proc.poll() is None, "proxy died\n" + px.tail()
    es = engine.log.settle(timeout=10)
    reqs = engine.log.requests(es)
    assert not engine.log.unexpected(es), engine.log.unexpected(es)[:5]
    seen = sorted({(r["method"], r["target"]) for r in reqs})
    verdict = allowed_by_policy(seen)
    refused = [mt for mt, v in verdict.items() if v != "allow"]
    record_figure("random_streams", streams=STREAMS, responses=answered, engine_requests=len(reqs),
                  distinct=len(seen))
    assert not refused, "refused requests reached the engine: %r" % refused
    assert len(reqs) >= STREAMS // 3  # the streams did carry allowed requests through
