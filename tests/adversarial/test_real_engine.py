"""Bypass attempts through the proxy (CONTAINERS=1 POST=0) against a real, private dockerd, judged
by side effects: no container created, the canary still running, no exec created on it.

The same payloads sent straight to dockerd do create containers (test_payloads_are_live), so a
proxy that let them through would fail here.
"""

import http.client
import json
import socket
import time
import uuid

import pytest

from harness import exchange
from sock import send_raw

IMAGE = "sw-busybox:latest"


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path, timeout=30):
        super().__init__("docker", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def api(sock, method, path, body=None):
    c = UnixHTTP(sock)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    c.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, (json.loads(data) if data[:1] in (b"{", b"[") else data)


def raw_direct(sock, data, timeout=3.0):
    return send_raw(sock, data, timeout, resets=False).data


class State:
    """What must not change: the set of containers, the canary's process and its exec list."""

    def __init__(self, sock, canary):
        self.sock = sock
        self.canary = canary

    def snapshot(self):
        st, lst = api(self.sock, "GET", "/containers/json?all=1")
        assert st == 200
        st, insp = api(self.sock, "GET", "/containers/%s/json" % self.canary)
        assert st == 200
        return {
            "ids": sorted(c["Id"] for c in lst),
            "names": sorted(n for c in lst for n in c["Names"]),
            "running": insp["State"]["Running"],
            "pid": insp["State"]["Pid"],
            "started": insp["State"]["StartedAt"],
            "execs": insp.get("ExecIDs") or [],
        }


@pytest.fixture(scope="module")
def canary(real_engine):
    name = "sw-canary-" + uuid.uuid4().hex[:8]
    st, out = api(real_engine, "POST", "/containers/create?name=" + name,
                  {"Image": IMAGE, "Cmd": ["sh", "-c", "while :; do sleep 1; done"],
                   "HostConfig": {"NetworkMode": "none"}})
    assert st == 201, out
    cid = out["Id"]
    st, out = api(real_engine, "POST", "/containers/%s/start" % cid)
    assert st == 204, out
    yield name
    api(real_engine, "DELETE", "/containers/%s?force=1" % cid)


@pytest.fixture(scope="module")
def guarded(real_engine, canary, workdir):
    from conftest import ProxySet
    ps = ProxySet(workdir)
    px = ps.start(real_engine, name="real", CONTAINERS=1, POST=0)
    yield px, State(real_engine, canary)
    problems = ps.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def create_body(name):
    return json.dumps({"Image": IMAGE, "Cmd": ["touch", "/pwned-" + name],
                       "HostConfig": {"NetworkMode": "none"}}).encode()


def post(target, body=b"", extra=b""):
    return (b"POST " + target + b" HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
            + extra + b"Content-Length: %d\r\n\r\n" % len(body) + body)


def smuggle_create(name):
    return post(b"/containers/create?name=" + name.encode(), create_body(name))


def attempts(canary):
    c = canary.encode()
    cr = create_body("x")
    exec_body = json.dumps({"Cmd": ["touch", "/pwned"], "AttachStdout": True}).encode()
    get = b"GET /containers/json HTTP/1.1\r\nHost: docker\r\n"
    s = smuggle_create("pwn-smuggled")
    z = b"0\r\n\r\n"
    return [
        # (id, raw bytes, statuses the client must read)
        ("encoded-create", post(b"/containers/%63reate?name=pwn-enc", cr), [403]),
        ("encoded-create-all", post(b"/%63%6f%6e%74%61%69%6e%65%72%73/create?name=pwn-enc2", cr),
         [403]),
        ("versioned-create", post(b"/v1.41/containers/create?name=pwn-v", cr), [403]),
        ("slash-encoded-create", post(b"/containers%2Fcreate?name=pwn-slash", cr), [400]),
        ("lowercase-post",
         post(b"/containers/create?name=pwn-lower", cr).replace(b"POST", b"post", 1), [403]),
        ("absolute-create", post(b"http://docker/containers/create?name=pwn-abs", cr), [400]),
        ("dot-kill", post(b"/containers/json/../" + c + b"/kill"), [400]),
        ("dot-kill-encoded", post(b"/containers/json/%2e%2e/" + c + b"/kill"), [400]),
        ("dot-exec", post(b"/containers/" + c + b"/top/../exec", exec_body), [400]),
        ("encoded-exec", post(b"/containers/" + c + b"/%65xec", exec_body), [403]),
        ("encoded-kill", post(b"/containers/" + c + b"/%6bill"), [403]),
        ("versioned-kill", post(b"/v1.41/containers/" + c + b"/kill"), [403]),
        ("delete", b"DELETE /containers/" + c + b"?force=1 HTTP/1.1\r\nHost: docker\r\n\r\n",
         [403]),
        ("override-kill", b"GET /containers/" + c + b"/kill HTTP/1.1\r\nHost: docker\r\n"
         b"X-HTTP-Method-Override: POST\r\n\r\n", None),
        ("pipelined-create", get + b"\r\n" + s, [200, 403]),
        ("pipelined-kill", get + b"\r\n" + post(b"/containers/" + c + b"/kill"), [200, 403]),
        ("clte-create", get + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n"
         % len(z + s) + z + s, [400]),
        ("tecl-create", get + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n" + z + s,
         [400]),
        ("te-http10-create", b"GET /containers/json HTTP/1.0\r\nConnection: keep-alive\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n" + s, [400]),
        ("bare-lf-te-create", get + b"X-Pad: a\nTransfer-Encoding: chunked\r\nContent-Length: %d"
         b"\r\n\r\n" % len(z + s) + z + s, [400]),
        ("fold-hides-cl", get + b"X-Pad: a\r\n Content-Length: %d\r\n\r\n" % len(s) + s, [400]),
        ("chunk-bare-lf", get + b"Transfer-Encoding: chunked\r\n\r\n0\n\n" + s, [400]),
        ("chunk-trailer", get + b"Transfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n\r\n" + s, [400]),
        ("upgrade-list-create", get + b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n" + s,
         [200, 403]),
        ("upgrade-list-kill", get + b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
         + post(b"/containers/" + c + b"/kill"), [200, 403]),
        ("upgrade-list-exec", get + b"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
         + post(b"/containers/" + c + b"/exec", exec_body), [200, 403]),
        ("h2c-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", [505]),
        ("attach-ws", b"GET /containers/" + c + b"/attach/ws?stdin=1&stream=1 HTTP/1.1\r\n"
         b"Host: docker\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
         b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
         [403]),
        ("archive-put", b"PUT /containers/" + c + b"/archive?path=/ HTTP/1.1\r\nHost: docker\r\n"
         b"Content-Type: application/x-tar\r\nContent-Length: 0\r\n\r\n", [403]),
    ]


def _ids():
    return [a[0] for a in attempts("c")]


@pytest.mark.parametrize("idx", range(len(_ids())), ids=_ids())
def test_bypass_has_no_side_effect(guarded, idx):
    px, state = guarded
    cid, data, want = attempts(state.canary)[idx]
    before = state.snapshot()
    ex = exchange(px.port, data, expect=len(want or [1]), timeout=10)
    time.sleep(0.3)  # anything smuggled would have run by now
    after = state.snapshot()
    assert after == before, "side effect of %s: %r → %r\n%s" % (cid, before, after, px.tail(5))
    assert after["running"] and not after["execs"]
    assert not any("pwn" in n for n in after["names"]), after["names"]
    if want is not None:
        assert ex.statuses == want, (ex.responses, px.tail(5))
    else:
        # dockerd has no GET route for kill: a 404 from the engine, and the header did nothing.
        assert ex.statuses == [404], ex.responses


def test_allowed_requests_still_work(guarded):
    px, state = guarded
    ex = exchange(px.port, b"GET /containers/json HTTP/1.1\r\nHost: docker\r\n\r\n")
    assert ex.statuses == [200]
    assert state.canary in ex.responses[0].body.decode()
    ex = exchange(px.port, b"GET /v1.41/containers/%s/json HTTP/1.1\r\nHost: docker\r\n\r\n"
                  % state.canary.encode())
    assert ex.statuses == [200]


def test_payloads_are_live(real_engine, canary):
    """Sent straight to dockerd, the smuggled and encoded creates do create containers: the
    side-effect checks above can fail."""
    get = b"GET /containers/json HTTP/1.1\r\nHost: docker\r\n"
    s = smuggle_create("pwn-direct-clte")
    z = b"0\r\n\r\n"
    raw_direct(real_engine, get + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n"
               % len(z + s) + z + s)
    f = smuggle_create("pwn-direct-fold")
    raw_direct(real_engine, get + b"X-Pad: a\r\n Content-Length: %d\r\n\r\n" % len(f) + f)
    raw_direct(real_engine, post(b"/containers/%63reate?name=pwn-direct-enc", create_body("e")))
    st, lst = api(real_engine, "GET", "/containers/json?all=1")
    names = sorted(n for c in lst for n in c["Names"])
    created = [n for n in names if n.startswith("/pwn-direct")]
    for n in created:
        api(real_engine, "DELETE", "/containers%s?force=1" % n)
    assert created == ["/pwn-direct-clte", "/pwn-direct-enc", "/pwn-direct-fold"], created


FIDELITY_SHAPES = {
    # shape: function(smuggled create request) -> raw bytes whose second request Go executes
    "cl-te": lambda s: b"GET /containers/json HTTP/1.1\r\nHost: docker\r\nContent-Length: %d\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" % (len(s) + 5) + s,
    "te-http10-ignored": lambda s: b"GET /containers/json HTTP/1.0\r\nConnection: keep-alive\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n" + s,
    "bare-lf-te": lambda s: b"GET /containers/json HTTP/1.1\r\nHost: docker\r\nX-Pad: a\n"
    b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n\r\n0\r\n\r\n" % (len(s) + 5) + s,
    "obs-fold-hides-cl": lambda s: b"GET /containers/json HTTP/1.1\r\nHost: docker\r\nX-Pad: a\r\n"
    b" Content-Length: %d\r\n\r\n" % len(s) + s,
    "chunk-bare-lf": lambda s: b"GET /containers/json HTTP/1.1\r\nHost: docker\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\n\n" + s,
    "chunk-ext": lambda s: b"GET /containers/json HTTP/1.1\r\nHost: docker\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0;x=1\r\n\r\n" + s,
    "chunk-trailer": lambda s: b"GET /containers/json HTTP/1.1\r\nHost: docker\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n\r\n" + s,
    "bare-lf-request": lambda s: b"GET /containers/json HTTP/1.1\nHost: docker\n\n" + s,
    "leading-crlf-after-post": lambda s: post(b"/containers/json") + b"\r\n\r\n" + s,
    "absolute-form": lambda s: s.replace(b"POST /containers/", b"POST http://docker/containers/",
                                         1),
    "encoded": lambda s: s.replace(b"/containers/create", b"/%63ontainers/%63reate", 1),
    "version-three-part": lambda s: s.replace(b"/containers/create", b"/v1.40.0/containers/create",
                                              1),
}


@pytest.mark.parametrize("shape", sorted(FIDELITY_SHAPES))
def test_fake_engine_fidelity(real_engine, shape):
    """The fake engine's parsing model holds for the real dockerd: each shape, sent straight to
    dockerd, runs the create it carries (the fake engine logs the same request)."""
    name = "pwn-fid-" + shape
    raw_direct(real_engine, FIDELITY_SHAPES[shape](smuggle_create(name)))
    st, out = api(real_engine, "GET", "/containers/%s/json" % name)
    if st == 200:
        api(real_engine, "DELETE", "/containers/%s?force=1" % name)
    assert st == 200, "dockerd did not run the request smuggled by %s" % shape


@pytest.fixture(scope="module")
def networks_proxies(real_engine, workdir):
    from conftest import ProxySet
    ps = ProxySet(workdir)
    on = ps.start(real_engine, name="net-on", NETWORKS=1, POST=0)
    off = ps.start(real_engine, name="net-off", NETWORKS=0, POST=0)
    yield on, off
    problems = ps.stop()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.mark.parametrize("target", [b"/networks/", b"/v1.41/networks/"])
def test_networks_trailing_slash(networks_proxies, real_engine, target):
    """dockerd registers GET /networks/ as the network list: through the proxy it is the list with
    NETWORKS=1 (forwarded with its slash) and 403 without; other trailing slashes stay 400."""
    on, off = networks_proxies
    st, direct = api(real_engine, "GET", target.decode())
    assert st == 200 and isinstance(direct, list), direct
    ex = exchange(on.port, b"GET %s HTTP/1.1\r\nHost: docker\r\n\r\n" % target)
    assert ex.statuses == [200], ex.responses
    names = sorted(n["Name"] for n in json.loads(ex.responses[0].body))
    assert names == sorted(n["Name"] for n in direct) and "none" in names
    ex = exchange(off.port, b"GET %s HTTP/1.1\r\nHost: docker\r\n\r\n" % target)
    assert ex.statuses == [403], ex.responses
    for other in (b"/containers/json/", b"/networks/x/", b"/_ping/"):
        ex = exchange(on.port, b"GET %s HTTP/1.1\r\nHost: docker\r\n\r\n" % other)
        assert ex.statuses == [400], (other, ex.responses)
