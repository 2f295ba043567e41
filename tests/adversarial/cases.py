"""The bypass tables, one per class of docker-api.md §2 (plus peers.md §6).

Each Case is raw client bytes plus what must happen:
  status  - the statuses the client must read, in order (proxy answers are HTTP/1.0, the engine's
            HTTP/1.1);
  engine  - the (method, route) pairs the engine must log, exactly and in order; route is the
            decoded path without the /vX.Y prefix. A refused request must never show up here;
  maybe   - requests that may or may not reach the engine, depending on timing (a request head
            forwarded before the proxy found its body malformed). Never a refused operation;
  direct  - what dockerd's parser executes when the same bytes go to it unfiltered (the fake
            engine stands in for it). test_direct.py checks these, proving each case is a real
            bypass against a proxy that forwards verbatim or parses differently;
  policy  - "ro" (CONTAINERS=1 POST=0) or "rw" (CONTAINERS=1 POST=1; EXEC, IMAGES, … off);
  bug     - a known proxy bug this case exposes: the case runs as a strict xfail with this reason.
"""

CRLF = b"\r\n"
HOST = b"Host: docker\r\n"

# Refused operations, used as smuggled payloads.
S_CREATE = (b"POST /containers/create HTTP/1.1\r\nHost: docker\r\n"
            b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
S_IMAGES = b"GET /images/json HTTP/1.1\r\nHost: docker\r\n\r\n"
S_EXEC = (b"POST /exec/abc/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
          b"Content-Length: 2\r\n\r\n{}")
S_KILL = b"POST /containers/canary/kill HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\n\r\n"

GET_LIST = b"GET /containers/json HTTP/1.1\r\n" + HOST
OK_GET = GET_LIST + CRLF  # a complete allowed request

R_CREATE = ("POST", "/containers/create")
R_IMAGES = ("GET", "/images/json")
R_EXEC = ("POST", "/exec/abc/start")
R_KILL = ("POST", "/containers/canary/kill")
R_LIST = ("GET", "/containers/json")


class Case:
    def __init__(self, cid, data, status, engine=(), policy="ro", direct=None, maybe=(),
                 head=False, timeout=5.0, check=None, bug=None):
        self.id = cid
        self.data = data
        self.status = list(status)
        self.engine = list(engine)
        self.policy = policy
        self.direct = direct
        self.maybe = list(maybe)
        self.head = head
        self.timeout = timeout
        self.check = check
        self.bug = bug

    def __repr__(self):
        return self.id


def get(target, extra=b"", method=b"GET", version=b"HTTP/1.1"):
    if isinstance(target, str):
        target = target.encode("latin-1")
    return method + b" " + target + b" " + version + CRLF + HOST + extra + CRLF


# ---- 1. percent-encodings ------------------------------------------------------------------------

ENCODINGS = [
    Case("enc-images-i", get("/%69mages/json"), [403], direct=[R_IMAGES]),
    Case("enc-images-all", get("/%69%6d%61%67%65%73/json"), [403], direct=[R_IMAGES]),
    Case("enc-images-upper", get("/%49mages/json"), [403]),
    Case("enc-images-json", get("/images/%6Ason"), [403], direct=[R_IMAGES]),
    Case("enc-slash-images", get("/images%2Fjson"), [400], direct=[R_IMAGES]),
    Case("enc-slash-lower", get("/images%2fjson"), [400], direct=[R_IMAGES]),
    Case("enc-slash-lead", get("/%2Fimages/json"), [400]),
    Case("enc-slash-containers", get("/containers%2Fjson"), [400], direct=[R_LIST]),
    Case("enc-export", get("/containers/abc/%65xport"), [403],
         direct=[("GET", "/containers/abc/export")]),
    Case("enc-export-all", get("/containers/abc/%65%78%70%6f%72%74"), [403],
         direct=[("GET", "/containers/abc/export")]),
    Case("enc-archive", get("/containers/abc/%61rchive?path=/etc"), [403],
         direct=[("GET", "/containers/abc/archive")]),
    Case("enc-exec", get("/%65xec/abc/json"), [403], direct=[("GET", "/exec/abc/json")]),
    Case("enc-swarm", get("/%73warm"), [403], direct=[("GET", "/swarm")]),
    Case("enc-swarm-v", get("/v1.41/%73%77%61%72%6d"), [403], direct=[("GET", "/swarm")]),
    Case("enc-secrets", get("/secret%73"), [403], direct=[("GET", "/secrets")]),
    Case("enc-create-post", get("/containers/%63reate", b"Content-Length: 0\r\n", b"POST"), [403],
         direct=[R_CREATE]),
    Case("enc-version-prefix", get("/%761.41/images/json"), [403], direct=[R_IMAGES]),
    Case("enc-version-dot", get("/v1%2E41/images/json"), [403], direct=[R_IMAGES]),
    Case("enc-version-slash", get("/v1.41%2Fimages/json"), [400], direct=[R_IMAGES]),
    Case("enc-nul", get("/containers/json%00"), [400]),
    Case("enc-nul-mid", get("/images%00/json"), [400]),
    Case("enc-ctl", get("/containers/json%0A"), [400]),
    Case("enc-del", get("/containers/json%7F"), [400]),
    Case("enc-trunc1", get("/containers/json%"), [400]),
    Case("enc-trunc2", get("/containers/json%2"), [400]),
    Case("enc-badhex", get("/containers/%zzjson"), [400]),
    Case("enc-badhex2", get("/containers/json%G1"), [400]),
    # Decoded exactly once, like Go: "%2569" reaches the engine as the literal "%69".
    Case("enc-double", get("/%2569mages/json"), [403]),
    Case("enc-double-export", get("/containers/abc/%2565xport"), [200],
         engine=[("GET", "/containers/abc/%65xport")]),
    Case("enc-double-slash", get("/containers/abc%252Fjson"), [200],
         engine=[("GET", "/containers/abc%2Fjson")]),
    Case("enc-overlong-slash", get("/containers%c0%afjson"), [403]),
    Case("enc-raw-nonascii", get(b"/containers/\xc3\xa9/json"), [400]),
    Case("enc-utf8-ok", get("/containers/%C3%A9/json"), [200],
         engine=[("GET", "/containers/\u00c3\u00a9/json")]),
    Case("enc-space-export", get("/containers/a%20b/export"), [403]),
    Case("enc-question", get("/containers/json%3Fx=1"), [200],
         engine=[("GET", "/containers/json?x=1")]),
    Case("enc-hash", get("/containers/a%23b/json"), [200],
         engine=[("GET", "/containers/a#b/json")]),
    Case("enc-raw-hash", get("/containers/json#frag"), [400]),
    Case("enc-plus", get("/containers/a+b/json"), [200], engine=[("GET", "/containers/a+b/json")]),
    Case("enc-ok-plain", get("/containers/%61bc/json"), [200],
         engine=[("GET", "/containers/abc/json")]),
    Case("enc-query-slash", get("/containers/json?x=%2F..%2F..%2Fimages"), [200], engine=[R_LIST]),
    Case("enc-backslash", get("/containers%5C..%5Cimages/json"), [403]),
]

# ---- 2. dot-segments and empty segments ----------------------------------------------------------

DOTS = [
    Case("dot-up-images", get("/containers/json/../../images/json"), [400]),
    Case("dot-up-swarm", get("/containers/abc/../../swarm"), [400]),
    Case("dot-up-exec", get("/containers/abc/start/../../../exec/x/start", b"Content-Length: 0\r\n",
                            b"POST"), [400]),
    Case("dot-single", get("/containers/./json"), [400]),
    Case("dot-lead", get("/./images/json"), [400]),
    Case("dot-trailing", get("/containers/json/."), [400]),
    Case("dot-trailing-up", get("/containers/abc/export/.."), [400]),
    Case("dot-version", get("/v1.41/../swarm"), [400]),
    Case("dot-version-single", get("/v1.41/./containers/json"), [400]),
    Case("dot-enc-up", get("/containers/%2e%2e/swarm"), [400]),
    Case("dot-enc-up-upper", get("/containers/abc/%2E%2E/%2E%2E/images/json"), [400]),
    Case("dot-enc-mixed", get("/containers/.%2e/images/json"), [400]),
    Case("dot-enc-mixed2", get("/containers/%2e./images/json"), [400]),
    Case("dot-enc-single", get("/containers/%2e/json"), [400]),
    Case("dot-enc-slash-up", get("/containers/json%2F..%2F..%2Fimages%2Fjson"), [400]),
    Case("slash-double-lead", get("//images/json"), [400]),
    Case("slash-double-mid", get("/containers//json"), [400]),
    Case("slash-double-export", get("/containers/abc//export"), [400]),
    Case("slash-trailing", get("/containers/json/"), [400]),
    Case("slash-trailing-export", get("/containers/abc/export/"), [400]),
    Case("slash-triple", get("///containers/json"), [400]),
    Case("slash-version-double", get("/v1.41//containers/json"), [400]),
    Case("dot-dotdotdot", get("/containers/.../json"), [200],
         engine=[("GET", "/containers/.../json")]),
    Case("dot-in-name", get("/containers/a.b/json"), [200],
         engine=[("GET", "/containers/a.b/json")]),
    Case("dot-query-only", get("/containers/json?p=/../../swarm"), [200], engine=[R_LIST]),
    Case("dot-backslash", get("/containers\\..\\images/json"), [403]),
]

# ---- 3. API-version prefix variants ------------------------------------------------------------

VERSIONS = [
    Case("ver-ok", get("/v1.41/containers/json"), [200], engine=[R_LIST]),
    # Allowed and forwarded; dockerd's version middleware answers 400 to versions out of range.
    Case("ver-major", get("/v1/containers/json"), [400], engine=[R_LIST]),
    Case("ver-three", get("/v1.41.9/containers/json"), [400], engine=[R_LIST]),
    Case("ver-big", get("/v99.99/containers/json"), [400], engine=[R_LIST]),
    Case("ver-three-ok", get("/v1.40.0/containers/json"), [200], engine=[R_LIST]),
    Case("ver-images", get("/v1.41/images/json"), [403], direct=[R_IMAGES]),
    Case("ver-images-major", get("/v1.24/images/json"), [403], direct=[R_IMAGES]),
    Case("ver-images-three", get("/v1.40.0/images/json"), [403], direct=[R_IMAGES]),
    Case("ver-images-old", get("/v1/images/json"), [403]),  # dockerd: 400, client too old
    Case("ver-dot-only", get("/v./images/json"), [403]),
    Case("ver-dots", get("/v.../images/json"), [403]),
    Case("ver-create", get("/v1.41/containers/create", b"Content-Length: 0\r\n", b"POST"), [403],
         direct=[R_CREATE]),
    Case("ver-exec", get("/v1.41/exec/abc/json"), [403], direct=[("GET", "/exec/abc/json")]),
    Case("ver-upper-V", get("/V1.41/containers/json"), [403]),
    Case("ver-empty", get("/v/containers/json"), [403]),
    Case("ver-vv", get("/vv1.41/containers/json"), [403]),
    Case("ver-neg", get("/v-1/containers/json"), [403]),
    Case("ver-exp", get("/v1e3/containers/json"), [403]),
    Case("ver-glued", get("/v1.41containers/json"), [403]),
    Case("ver-twice", get("/v1.41/v1.41/containers/json"), [403]),
    Case("ver-libpod", get("/v4.0.0/libpod/containers/json"), [403]),
    Case("ver-only", get("/v1.41"), [403]),
    Case("ver-only-slash", get("/v1.41/"), [400]),
    Case("ver-ping", get("/v1.41/_ping"), [200], engine=[("GET", "/_ping")]),
    Case("ver-versionfoo", get("/v1.41/versionfoo"), [403]),
    Case("ver-enc-v", get("/%76%31.41/swarm"), [403], direct=[("GET", "/swarm")]),
]

# ---- 4. case -------------------------------------------------------------------------------------

CASE = [
    Case("case-method-lower", get("/containers/json", method=b"get"), [403]),
    Case("case-method-mixed", get("/containers/json", method=b"Get"), [403]),
    Case("case-post-lower", get("/containers/create", b"Content-Length: 0\r\n", b"post"), [403]),
    Case("case-head-lower", get("/containers/json", method=b"head"), [403]),
    Case("case-path-upper", get("/CONTAINERS/json"), [403]),
    Case("case-path-mixed", get("/Containers/json"), [403]),
    Case("case-images-upper", get("/IMAGES/json"), [403]),
    Case("case-swarm", get("/Swarm"), [403]),
    Case("case-ping-upper", get("/_PING"), [403]),
    Case("case-events-upper", get("/EVENTS"), [403]),
    Case("case-version-upper", get("/VERSION"), [403]),
    Case("case-exec-upper", get("/EXEC/abc/json"), [403]),
    Case("case-proto-lower", b"GET /containers/json http/1.1\r\n" + HOST + CRLF, [400]),
    Case("case-proto-mixed", b"GET /containers/json Http/1.1\r\n" + HOST + CRLF, [400]),
    Case("case-headers-any", b"GET /containers/json HTTP/1.1\r\nhOsT: docker\r\n\r\n", [200],
         engine=[R_LIST]),
    Case("case-cl-lower", GET_LIST + b"content-length: 2\r\n\r\n{}" + S_IMAGES, [200, 403],
         engine=[R_LIST]),
    Case("case-te-upper", GET_LIST + b"TRANSFER-ENCODING: CHUNKED\r\n\r\n0\r\n\r\n" + S_IMAGES,
         [200, 403], engine=[R_LIST]),
]

# ---- 5. method overrides and methods ------------------------------------------------------------

METHODS = [
    Case("ovr-x-http-method-override", get("/containers/json", b"X-HTTP-Method-Override: POST\r\n"),
         [200], engine=[R_LIST]),
    Case("ovr-x-http-method", get("/containers/create", b"X-HTTP-Method: POST\r\n"), [200],
         engine=[("GET", "/containers/create")]),
    Case("ovr-x-method-override", get("/containers/abc/kill", b"X-Method-Override: POST\r\n"),
         [200], engine=[("GET", "/containers/abc/kill")]),
    Case("ovr-query", get("/containers/create?_method=POST"), [200],
         engine=[("GET", "/containers/create")]),
    Case("m-post", get("/containers/json", b"Content-Length: 0\r\n", b"POST"), [403]),
    Case("m-post-body", get("/containers/create", b"Content-Length: 2\r\n", b"POST")[:-2]
         + b"\r\n{}", [403]),
    Case("m-put", get("/containers/abc/archive?path=/", b"Content-Length: 0\r\n", b"PUT"), [403]),
    Case("m-delete", get("/containers/abc", method=b"DELETE"), [403]),
    Case("m-patch", get("/containers/json", method=b"PATCH"), [403]),
    Case("m-options", get("/containers/json", method=b"OPTIONS"), [403]),
    Case("m-options-star", get("*", method=b"OPTIONS"), [400]),
    Case("m-trace", get("/containers/json", method=b"TRACE"), [403]),
    Case("m-propfind", get("/containers/json", method=b"PROPFIND"), [403]),
    Case("m-unknown", get("/containers/json", method=b"GETS"), [403]),
    Case("m-long", get("/containers/json", method=b"G" * 200), [403]),
    Case("m-connect", b"CONNECT docker:2375 HTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("m-space-in", b"GE T /containers/json HTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("m-nul", b"G\x00T /containers/json HTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("m-tab", b"GET\t/containers/json HTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("m-lead-space", b" GET /containers/json HTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("m-two-spaces", b"GET  /containers/json HTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("m-trailing-space", b"GET /containers/json HTTP/1.1 \r\n" + HOST + CRLF, [400]),
    Case("m-extra-token", b"GET /containers/json /images/json HTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("m-head-ok", get("/containers/json", method=b"HEAD"), [200],
         engine=[("HEAD", "/containers/json")], head=True),
    Case("m-head-images", get("/images/json", method=b"HEAD"), [403], head=True),
]

# ---- 6. absolute-form and other target forms ----------------------------------------------------

ABSOLUTE = [
    Case("abs-images", get("http://docker/images/json"), [400], direct=[R_IMAGES]),
    Case("abs-images-v", get("http://docker/v1.41/images/json"), [400], direct=[R_IMAGES]),
    Case("abs-list", get("http://docker/containers/json"), [400], direct=[R_LIST]),
    Case("abs-upper-scheme", get("HTTP://docker/images/json"), [400], direct=[R_IMAGES]),
    Case("abs-https", get("https://docker/images/json"), [400], direct=[R_IMAGES]),
    Case("abs-unix", get("unix:/images/json"), [400], direct=[R_IMAGES]),
    Case("abs-port", get("http://docker:2375/images/json?all=1"), [400], direct=[R_IMAGES]),
    Case("abs-userinfo", get("http://a@docker/images/json"), [400], direct=[R_IMAGES]),
    Case("abs-no-path", get("http://docker"), [400]),
    Case("abs-create", get("http://docker/containers/create", b"Content-Length: 0\r\n", b"POST"),
         [400], direct=[R_CREATE]),
    Case("abs-host-mismatch", get("http://evil/images/json"), [400], direct=[R_IMAGES]),
    Case("abs-authority-form", b"GET docker:2375 HTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("abs-star-get", get("*"), [400]),
    Case("abs-relative", get("containers/json"), [400]),
    Case("abs-query-only", get("?x=1"), [400]),
    Case("abs-empty-target", b"GET  HTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("abs-host-header-ignored", b"GET /containers/json HTTP/1.1\r\nHost: evil.example\r\n\r\n",
         [200], engine=[R_LIST]),
]

# ---- 7. Content-Length / Transfer-Encoding smuggling ---------------------------------------------

_Z = b"0\r\n\r\n"
TE_CHUNKED = b"Transfer-Encoding: chunked\r\n"
DIRECT_CREATE = [R_LIST, R_CREATE]


def _clte(te, payload=S_CREATE, cl=None):
    body = _Z + payload
    length = len(body) if cl is None else cl
    return GET_LIST + b"Content-Length: %d\r\n" % length + te + CRLF + body


SMUGGLING = [
    # CL.TE and TE.CL: Go lets TE win and deletes CL.
    Case("clte-basic", _clte(b"Transfer-Encoding: chunked\r\n"), [400], direct=[R_LIST, R_CREATE]),
    Case("clte-te-first", GET_LIST + b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n\r\n"
         % len(_Z + S_CREATE) + _Z + S_CREATE, [400], direct=[R_LIST, R_CREATE]),
    Case("tecl-basic", GET_LIST + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
         + b"%x\r\n" % len(S_IMAGES) + S_IMAGES + b"\r\n0\r\n\r\n", [400]),
    Case("clte-cl0", GET_LIST + b"Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n" + _Z
         + S_IMAGES, [400], direct=[R_LIST, R_IMAGES]),
    Case("clte-exec", _clte(TE_CHUNKED, S_EXEC), [400], direct=[R_LIST, R_EXEC]),
    Case("clte-kill", _clte(TE_CHUNKED, S_KILL), [400], direct=[R_LIST, R_KILL]),
    Case("clte-Chunked", _clte(b"Transfer-Encoding: Chunked\r\n"), [400], direct=DIRECT_CREATE),
    Case("clte-CHUNKED", _clte(b"Transfer-Encoding: CHUNKED\r\n"), [400], direct=DIRECT_CREATE),
    Case("clte-te-ws", _clte(b"Transfer-Encoding:  chunked \t\r\n"), [400], direct=DIRECT_CREATE),
    Case("clte-te-tab", _clte(b"Transfer-Encoding:\tchunked\r\n"), [400], direct=DIRECT_CREATE),
    Case("clte-te-xchunked", _clte(b"Transfer-Encoding: xchunked\r\n"), [400]),
    Case("clte-te-chunk", _clte(b"Transfer-Encoding: chunk\r\n"), [400]),
    Case("clte-te-list", _clte(b"Transfer-Encoding: identity, chunked\r\n"), [400]),
    Case("clte-te-list2", _clte(b"Transfer-Encoding: chunked, identity\r\n"), [400]),
    Case("clte-te-twice", _clte(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
         [400]),
    Case("clte-te-dup-ident", _clte(TE_CHUNKED + b"Transfer-Encoding: identity\r\n"), [400]),
    Case("clte-te-param", _clte(b"Transfer-Encoding: chunked;q=1\r\n"), [400]),
    Case("clte-te-space-name", _clte(b"Transfer-Encoding : chunked\r\n"), [400]),
    # Not a framing header for Go either ("_" is not "-"): the whole rest is the body, as for Go.
    Case("clte-te-underscore", _clte(b"Transfer_Encoding: chunked\r\n"), [200], engine=[R_LIST]),
    Case("clte-te-vt", _clte(b"Transfer-Encoding: \x0bchunked\r\n"), [400]),
    Case("clte-te-cr", _clte(b"Transfer-Encoding: \rchunked\r\n"), [400]),
    Case("clte-te-fold", _clte(b"Transfer-Encoding:\r\n chunked\r\n"), [400], direct=DIRECT_CREATE),
    Case("clte-te-hidden-fold", _clte(b"X-Pad: a\r\n Transfer-Encoding: chunked\r\n"), [400]),
    Case("clte-te-bare-lf", GET_LIST + b"X-Pad: a\nTransfer-Encoding: chunked\r\nContent-Length: %d"
         b"\r\n\r\n" % len(_Z + S_CREATE) + _Z + S_CREATE, [400], direct=[R_LIST, R_CREATE]),
    Case("clte-te-nul", _clte(b"Transfer-Encoding: chunked\x00\r\n"), [400]),
    # TE alone, not exactly "chunked": Go answers 501, so do we (or 400 when malformed).
    Case("te-gzip", GET_LIST + b"Transfer-Encoding: gzip\r\n\r\n" + S_IMAGES, [501]),
    Case("te-identity", GET_LIST + b"Transfer-Encoding: identity\r\n\r\n" + S_IMAGES, [501]),
    Case("te-chunked-chunked", GET_LIST + b"Transfer-Encoding: chunked, chunked\r\n\r\n" + _Z
         + S_IMAGES, [501]),
    Case("te-empty", GET_LIST + b"Transfer-Encoding: \r\n\r\n" + S_IMAGES, [400]),
    Case("te-quoted", GET_LIST + b'Transfer-Encoding: "chunked"\r\n\r\n' + S_IMAGES, [400]),
    # HTTP/1.0: Go ignores TE, so a body the proxy would take as chunked is the next request.
    Case("te-http10", b"GET /containers/json HTTP/1.0\r\nConnection: keep-alive\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n" + S_IMAGES, [400], direct=[R_LIST, R_IMAGES]),
    Case("te-http10-chunk", b"GET /containers/json HTTP/1.0\r\nConnection: keep-alive\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % len(S_CREATE) + S_CREATE + b"\r\n0\r\n\r\n",
         [400]),
    Case("te-http10-cl", b"GET /containers/json HTTP/1.0\r\nConnection: keep-alive\r\n"
         b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" + S_IMAGES, [400]),
    # Content-Length variants.
    Case("cl-dup-same", GET_LIST + b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}" + S_IMAGES,
         [200, 403], engine=[R_LIST]),
    Case("cl-dup-differ", GET_LIST + b"Content-Length: 2\r\nContent-Length: 0\r\n\r\n{}" + S_IMAGES,
         [400]),
    Case("cl-dup-differ-rev", GET_LIST + b"Content-Length: 0\r\nContent-Length: %d\r\n\r\n"
         % len(S_IMAGES) + S_IMAGES, [400]),
    Case("cl-dup-leading-zero", GET_LIST + b"Content-Length: 2\r\nContent-Length: 02\r\n\r\n{}"
         + S_IMAGES, [400]),
    Case("cl-leading-zeros", GET_LIST + b"Content-Length: 0002\r\n\r\n{}" + S_IMAGES, [200, 403],
         engine=[R_LIST], check=lambda reqs: _framed(reqs, "length", 2)),
    # Empty list elements are legal list syntax: not exactly "chunked", so 501 like Go.
    Case("te-trailing-comma", GET_LIST + b"Transfer-Encoding: chunked,\r\n\r\n" + _Z + S_IMAGES,
         [501]),
    Case("te-leading-comma", GET_LIST + b"Transfer-Encoding: ,chunked\r\n\r\n" + _Z + S_IMAGES,
         [501]),
    Case("te-name-tab", GET_LIST + b"Transfer-Encoding\t: chunked\r\n\r\n" + _Z + S_IMAGES, [400]),
    Case("host-name-tab", b"GET /containers/json HTTP/1.1\r\nHost\t: docker\r\n\r\n", [400]),
    Case("cl-list", GET_LIST + b"Content-Length: 2, 2\r\n\r\n{}" + S_IMAGES, [400]),
    Case("cl-plus", GET_LIST + b"Content-Length: +2\r\n\r\n{}" + S_IMAGES, [400]),
    Case("cl-minus", GET_LIST + b"Content-Length: -1\r\n\r\n" + S_IMAGES, [400]),
    Case("cl-hex", GET_LIST + b"Content-Length: 0x2\r\n\r\n{}" + S_IMAGES, [400]),
    Case("cl-exp", GET_LIST + b"Content-Length: 1e1\r\n\r\n" + S_IMAGES, [400]),
    Case("cl-empty", GET_LIST + b"Content-Length: \r\n\r\n" + S_IMAGES, [400]),
    Case("cl-overflow", GET_LIST + b"Content-Length: 99999999999999999999999\r\n\r\n" + S_IMAGES,
         [400]),
    Case("cl-space-inside", GET_LIST + b"Content-Length: 1 0\r\n\r\n" + S_IMAGES, [400]),
    Case("cl-space-name", GET_LIST + b"Content-Length : 2\r\n\r\n{}" + S_IMAGES, [400]),
    Case("cl-name-space-inside", GET_LIST + b"Content Length: %d\r\n\r\n" % len(S_IMAGES)
         + S_IMAGES, [400]),
    Case("cl-fold", GET_LIST + b"Content-Length:\r\n %d\r\n\r\n" % len(S_IMAGES) + S_IMAGES, [400],
         direct=[R_LIST]),
    Case("cl-ws-ok", GET_LIST + b"Content-Length:  2 \t\r\n\r\n{}" + S_IMAGES, [200, 403],
         engine=[R_LIST]),
    Case("cl-short-body", GET_LIST + b"Content-Length: 3\r\n\r\nabc" + S_CREATE, [200, 403],
         engine=[R_LIST]),
    Case("cl-body-hides", GET_LIST + b"Content-Length: %d\r\n\r\n" % len(S_CREATE) + S_CREATE,
         [200], engine=[R_LIST]),
    Case("cl-body-then", GET_LIST + b"Content-Length: %d\r\n\r\n" % len(S_CREATE) + S_CREATE
         + S_IMAGES, [200, 403], engine=[R_LIST]),
    Case("cl-long-pending", GET_LIST + b"Content-Length: 1000\r\n\r\n" + S_CREATE, [],
         engine=[R_LIST], timeout=1.0),
    # Chunked bodies on an allowed request: validated strictly, body bytes never parsed as requests.
    Case("ch-ok-then", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n" + _Z + S_CREATE, [200, 403],
         engine=[R_LIST]),
    Case("ch-data-hides", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % len(S_CREATE)
         + S_CREATE + b"\r\n" + _Z, [200], engine=[R_LIST]),
    Case("ch-leading-zeros", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n000\r\n\r\n" + S_IMAGES,
         [200, 403], engine=[R_LIST]),
    Case("ch-ext", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n0;x=1\r\n\r\n" + S_IMAGES, [400],
         maybe=[R_LIST], direct=[R_LIST, R_IMAGES]),
    Case("ch-bare-lf-size", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n0\n\n" + S_IMAGES, [400],
         maybe=[R_LIST], direct=[R_LIST, R_IMAGES]),
    Case("ch-bare-lf-data", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n2\n{}\r\n0\r\n\r\n"
         + S_IMAGES, [400], maybe=[R_LIST], direct=[R_LIST, R_IMAGES]),
    Case("ch-size-ws", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n0 \r\n\r\n" + S_IMAGES, [400],
         maybe=[R_LIST], direct=[R_LIST, R_IMAGES]),
    Case("ch-trailer", GET_LIST + TE_CHUNKED + b"\r\n0\r\nX-T: 1\r\n\r\n" + S_IMAGES, [400],
         maybe=[R_LIST], direct=[R_LIST, R_IMAGES]),
    Case("ch-trailer-cl", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n"
         b"\r\n" + S_IMAGES, [400], maybe=[R_LIST], direct=[R_LIST, R_IMAGES]),
    Case("ch-size-huge", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n"
         + S_IMAGES, [400], maybe=[R_LIST]),
    Case("ch-size-neg", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n-1\r\n" + S_IMAGES, [400],
         maybe=[R_LIST]),
    Case("ch-size-0x", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n0x2\r\n{}\r\n0\r\n\r\n"
         + S_IMAGES, [400], maybe=[R_LIST]),
    Case("ch-size-empty", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n\r\n" + S_IMAGES, [400],
         maybe=[R_LIST]),
    Case("ch-data-overrun", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}}\r\n0\r\n\r\n"
         + S_IMAGES, [400], maybe=[R_LIST]),
    Case("ch-data-cr-only", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r0\r\n\r\n"
         + S_IMAGES, [400], maybe=[R_LIST]),
    Case("ch-last-no-crlf", GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n0\r\n" + S_IMAGES, [400],
         maybe=[R_LIST]),
    Case("ch-cl0-te", get("/containers/create", b"Content-Length: 0\r\nTransfer-Encoding: chunked"
                          b"\r\n", b"POST") + b"2\r\n{}\r\n0\r\n\r\n", [400]),
    Case("ch-split-writes", [GET_LIST + b"Transfer-Encoding: chunked\r\n\r\n1", b"\r\nx\r\n",
                             b"0\r\n", b"\r\n" + S_IMAGES], [200, 403], engine=[R_LIST]),
]

# ---- 8. obs-fold ---------------------------------------------------------------------------------

OBSFOLD = [
    Case("fold-space", GET_LIST + b"X-A: 1\r\n continued\r\n\r\n", [400], direct=[R_LIST]),
    Case("fold-tab", GET_LIST + b"X-A: 1\r\n\tcontinued\r\n\r\n", [400], direct=[R_LIST]),
    Case("fold-first-line", b"GET /containers/json HTTP/1.1\r\n X-A: 1\r\n" + HOST + CRLF, [400]),
    Case("fold-host", b"GET /containers/json HTTP/1.1\r\nHost:\r\n docker\r\n\r\n", [400],
         direct=[R_LIST]),
    Case("fold-connection", GET_LIST + b"Connection: keep-alive,\r\n close\r\n\r\n" + S_IMAGES,
         [400]),
    Case("fold-empty-cont", GET_LIST + b"X-A: 1\r\n \r\n\r\n", [400]),
    Case("fold-hides-cl", GET_LIST + b"X-A: 1\r\n Content-Length: %d\r\n\r\n" % len(S_IMAGES)
         + S_IMAGES, [400], direct=[R_LIST, R_IMAGES]),
    Case("fold-after-allowed", OK_GET + GET_LIST + b"X-A: 1\r\n 2\r\n\r\n", [200, 400],
         engine=[R_LIST]),
    Case("fold-upgrade", GET_LIST + b"Connection: Upgrade\r\nUpgrade:\r\n tcp\r\n\r\n", [400]),
]

# ---- 9. bare LF, bare CR, control bytes ----------------------------------------------------------

BARE = [
    Case("lf-all", b"GET /containers/json HTTP/1.1\nHost: docker\n\n", [400], direct=[R_LIST]),
    Case("lf-request-line", b"GET /containers/json HTTP/1.1\nHost: docker\r\n\r\n", [400],
         direct=[R_LIST]),
    Case("lf-header", GET_LIST + b"X-A: 1\n\r\n", [400], direct=[R_LIST]),
    Case("lf-end", GET_LIST + b"\n", [400], direct=[R_LIST]),
    Case("lf-images", b"GET /images/json HTTP/1.1\nHost: docker\n\n", [400], direct=[R_IMAGES]),
    Case("lf-hides-cl", GET_LIST + b"X-A: 1\nContent-Length: 0\r\n\r\n" + S_IMAGES, [400]),
    Case("lf-lead", b"\n" + OK_GET, [400]),
    Case("lf-after-allowed", OK_GET + b"GET /images/json HTTP/1.1\nHost: docker\n\n", [200, 400],
         engine=[R_LIST]),
    Case("cr-header", GET_LIST + b"X-A: 1\rContent-Length: 5\r\n\r\n", [400]),
    Case("cr-request-line", b"GET /containers/json\rHTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("cr-target", b"GET /containers/json\r HTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("cr-crlf", b"GET /containers/json HTTP/1.1\r\r\n" + HOST + CRLF, [400]),
    Case("cr-end", GET_LIST + b"\r\r\n\r\n", [400]),
    Case("cr-value-end", GET_LIST + b"X-A: 1\r\r\n\r\n", [400]),
    Case("ctl-nul-value", GET_LIST + b"X-A: a\x00b\r\n\r\n", [400]),
    Case("ctl-nul-name", GET_LIST + b"X\x00A: 1\r\n\r\n", [400]),
    Case("ctl-esc-value", GET_LIST + b"X-A: \x1b[31m\r\n\r\n", [400]),
    Case("ctl-del-value", GET_LIST + b"X-A: \x7f\r\n\r\n", [400]),
    Case("ctl-target-tab", b"GET /containers/json\t HTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("crlf-lead-ok", b"\r\n" + OK_GET, [200], engine=[R_LIST]),
    Case("crlf-lead-four", b"\r\n" * 4 + OK_GET, [200], engine=[R_LIST]),
    Case("crlf-lead-five", b"\r\n" * 5 + OK_GET, [400]),
    Case("hdr-no-colon", GET_LIST + b"X-A 1\r\n\r\n", [400]),
    Case("hdr-empty-name", GET_LIST + b": 1\r\n\r\n", [400]),
    Case("hdr-ws-before-colon", GET_LIST + b"X-A : 1\r\n\r\n", [400]),
    Case("hdr-bad-name-char", GET_LIST + b"X(A): 1\r\n\r\n", [400]),
    Case("hdr-missing-host", b"GET /containers/json HTTP/1.1\r\n\r\n", [400]),
    Case("hdr-double-host", GET_LIST + b"Host: other\r\n\r\n", [400]),
    Case("hdr-http10-no-host", b"GET /containers/json HTTP/1.0\r\n\r\n", [200], engine=[R_LIST]),
    Case("hdr-expect-continue", GET_LIST + b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
         [100, 200], engine=[R_LIST]),
    Case("hdr-expect-other", GET_LIST + b"Expect: 200-ok\r\n\r\n", [417]),
    # Hop-by-hop abuse: naming a framing header in Connection must not make it vanish upstream
    # while its body is still forwarded (the engine would then parse the body as a request).
    Case("hop-conn-cl", GET_LIST + b"Connection: Content-Length\r\nContent-Length: %d\r\n\r\n"
         % len(S_CREATE) + S_CREATE, [200], engine=[R_LIST],
         check=lambda reqs: _framed(reqs, "length", len(S_CREATE))),
    Case("hop-conn-te", GET_LIST + b"Connection: Transfer-Encoding\r\n" + TE_CHUNKED
         + b"\r\n%x\r\n" % len(S_CREATE) + S_CREATE + b"\r\n0\r\n\r\n", [200], engine=[R_LIST],
         check=lambda reqs: _framed(reqs, "chunked", -1)),
    Case("hop-conn-host", GET_LIST + b"Connection: Host, close\r\n\r\n", [200], engine=[R_LIST]),
    Case("hop-keep-alive-close", GET_LIST + b"Connection: keep-alive, close\r\n\r\n" + S_CREATE,
         [200], engine=[R_LIST]),
    Case("hop-proxy-connection", GET_LIST + b"Proxy-Connection: keep-alive\r\n\r\n", [200],
         engine=[R_LIST], check=lambda reqs: _lacks(reqs, "proxy-connection")),
]

def _framed(reqs, framing, length):
    assert [(r["framing"], r["length"]) for r in reqs] == [(framing, length)], reqs


def _lacks(reqs, name):
    for r in reqs:
        assert name not in [k.lower() for k, _ in r["headers"]], r


# ---- 10. pipelining a refused request behind an allowed one --------------------------------------

PIPELINING = [
    Case("pipe-create", OK_GET + S_CREATE, [200, 403], engine=[R_LIST]),
    Case("pipe-images", OK_GET + S_IMAGES, [200, 403], engine=[R_LIST]),
    Case("pipe-exec", OK_GET + S_EXEC, [200, 403], engine=[R_LIST]),
    Case("pipe-kill", OK_GET + S_KILL, [200, 403], engine=[R_LIST]),
    Case("pipe-two-ok-then", OK_GET + OK_GET + S_CREATE, [200, 200, 403], engine=[R_LIST, R_LIST]),
    Case("pipe-ten-then", OK_GET * 10 + S_CREATE, [200] * 10 + [403], engine=[R_LIST] * 10),
    Case("pipe-split", [OK_GET, S_CREATE], [200, 403], engine=[R_LIST]),
    Case("pipe-split-mid", [OK_GET + S_CREATE[:20], S_CREATE[20:]], [200, 403], engine=[R_LIST]),
    Case("pipe-refused-first", S_CREATE + OK_GET, [403]),
    Case("pipe-refused-between", OK_GET + S_IMAGES + OK_GET, [200, 403], engine=[R_LIST]),
    Case("pipe-close-then", GET_LIST + b"Connection: close\r\n\r\n" + S_CREATE, [200],
         engine=[R_LIST]),
    Case("pipe-head-then", get("/containers/json", method=b"HEAD") + S_CREATE, [200, 403],
         engine=[("HEAD", "/containers/json")], head=True),
    Case("pipe-http10-ka", b"GET /containers/json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
         + S_IMAGES, [200, 403], engine=[R_LIST]),
    Case("pipe-http10-close", b"GET /containers/json HTTP/1.0\r\n\r\n" + S_IMAGES, [200],
         engine=[R_LIST]),
    Case("pipe-body-then", GET_LIST + b"Content-Length: 5\r\n\r\nhello" + S_CREATE, [200, 403],
         engine=[R_LIST]),
    Case("pipe-expect-then", GET_LIST + b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n{}"
         + S_CREATE, [100, 200, 403], engine=[R_LIST]),
    Case("pipe-events-then", get("/events?interval=5") + S_CREATE, [], engine=[("GET", "/events")],
         timeout=1.0),
    Case("pipe-slow-then", get("/containers/abc/json?delay=0.3") + S_EXEC, [200, 403],
         engine=[("GET", "/containers/abc/json")]),
    Case("pipe-301-then", OK_GET + get("/containers/json/..") + S_CREATE, [200, 400],
         engine=[R_LIST]),
    # Garbage without a line end: no verdict until REQUEST_TIMEOUT (2 s for these proxies) → 408.
    Case("pipe-garbage-then", OK_GET + b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", [200, 408],
         engine=[R_LIST]),
    Case("pipe-garbage-line-then", OK_GET + b"\x16\x03\x01\x02\x00 \x01\x00\r\n\r\n" + S_CREATE,
         [200, 400], engine=[R_LIST]),
    Case("pipe-deep-then", OK_GET * 300 + S_CREATE, [200] * 300 + [403], engine=[R_LIST] * 300,
         timeout=20.0),
    Case("pipe-head-body-then", get("/containers/json", b"Content-Length: %d\r\n" % len(S_CREATE),
                                    b"HEAD") + S_CREATE + S_IMAGES, [200, 403],
         engine=[("HEAD", "/containers/json")], head=1),
    Case("pipe-refused-expect", S_CREATE.replace(b"Content-Length: 2", b"Expect: 100-continue\r\n"
                                                  b"Content-Length: 2"), [403]),
    Case("pipe-refused-huge-body", get("/containers/create", b"Content-Length: 1000000000\r\n",
                                       b"POST") + b"x" * 100000, [403]),
    Case("pipe-rw-exec", OK_GET + S_EXEC, [200, 403], engine=[R_LIST], policy="rw"),
    Case("pipe-rw-create-ok-exec", S_CREATE + S_EXEC, [200, 403], engine=[R_CREATE], policy="rw"),
]

# ---- 11. Upgrade on a non-hijack route (and failed upgrades), followed by raw bytes --------------


def _no_upgrade_forwarded(reqs):
    for r in reqs:
        names = [k.lower() for k, _ in r["headers"]]
        assert "upgrade" not in names, "Upgrade forwarded on a non-hijack route: %r" % r
        for k, v in r["headers"]:
            if k.lower() == "connection":
                assert "upgrade" not in v.lower(), r


UPG = b"Connection: Upgrade\r\nUpgrade: tcp\r\n"
ATTACH = b"POST /containers/abc/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\n" + HOST
R_ATTACH = ("POST", "/containers/abc/attach")

UPGRADES = [
    Case("upg-list-create", GET_LIST + UPG + CRLF + S_CREATE, [200, 403], engine=[R_LIST],
         check=_no_upgrade_forwarded),
    Case("upg-list-images", GET_LIST + UPG + CRLF + S_IMAGES, [200, 403], engine=[R_LIST],
         check=_no_upgrade_forwarded),
    Case("upg-list-split", [GET_LIST + UPG + CRLF, S_CREATE], [200, 403], engine=[R_LIST],
         check=_no_upgrade_forwarded),
    Case("upg-websocket", GET_LIST + b"Connection: Upgrade\r\nUpgrade: websocket\r\n"
         b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
         + S_CREATE, [200, 403], engine=[R_LIST], check=_no_upgrade_forwarded),
    Case("upg-h2c", GET_LIST + b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
         b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n" + b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
         [200, 505], engine=[R_LIST], check=_no_upgrade_forwarded),
    Case("upg-no-conn-token", GET_LIST + b"Upgrade: tcp\r\n\r\n" + S_CREATE, [200, 403],
         engine=[R_LIST], check=_no_upgrade_forwarded),
    Case("upg-raw-garbage", GET_LIST + UPG + CRLF + b"\x00\x01\x02raw bytes\r\n\r\n", [200, 400],
         engine=[R_LIST], check=_no_upgrade_forwarded),
    Case("upg-ping", b"GET /_ping HTTP/1.1\r\n" + HOST + UPG + CRLF + S_CREATE, [200, 403],
         engine=[("GET", "/_ping")], check=_no_upgrade_forwarded),
    Case("upg-attach-ws-ro", get("/containers/abc/attach/ws?stdin=1", b"Connection: Upgrade\r\n"
                                 b"Upgrade: websocket\r\n"), [403]),
    Case("upg-attach-ro", ATTACH + UPG + b"Content-Length: 0\r\n\r\n" + S_CREATE, [403]),
    Case("upg-http10", b"GET /containers/json HTTP/1.0\r\nConnection: Upgrade, keep-alive\r\n"
         b"Upgrade: tcp\r\n\r\n" + S_CREATE, [200, 403], engine=[R_LIST],
         check=_no_upgrade_forwarded),
    Case("upg-dup-upgrade", GET_LIST + UPG + b"Upgrade: tcp\r\n\r\n" + S_CREATE, [400]),
    Case("upg-empty-upgrade", GET_LIST + b"Connection: Upgrade\r\nUpgrade: \r\n\r\n" + S_CREATE,
         [400]),
    # CONTAINERS=1 POST=1, EXEC=0 IMAGES=0: a POST that is not a hijack route is not tunnelled.
    Case("upg-rw-start", b"POST /containers/abc/start HTTP/1.1\r\n" + HOST + UPG
         + b"Content-Length: 0\r\n\r\n" + S_EXEC, [200, 403],
         engine=[("POST", "/containers/abc/start")], policy="rw", check=_no_upgrade_forwarded),
    Case("upg-rw-create", S_CREATE.replace(b"Host: docker\r\n", b"Host: docker\r\n" + UPG)
         + S_IMAGES, [200, 403], engine=[R_CREATE], policy="rw", check=_no_upgrade_forwarded),
    # A hijack route the engine refuses (404, no 101): the bytes after it are a new request.
    Case("upg-rw-attach-404", b"POST /containers/missing/attach?stream=1 HTTP/1.1\r\n" + HOST + UPG
         + b"Content-Length: 0\r\n\r\n" + S_EXEC, [404, 403],
         engine=[("POST", "/containers/missing/attach")], policy="rw"),
    Case("upg-rw-attach-404-images", b"POST /containers/missing/attach HTTP/1.1\r\n" + HOST + UPG
         + b"Content-Length: 0\r\n\r\n" + S_IMAGES, [404, 403],
         engine=[("POST", "/containers/missing/attach")], policy="rw"),
    # A real upgrade: what follows the 101 is tunnel data, echoed and never parsed as a request.
    Case("upg-rw-attach-101", ATTACH + UPG + b"Content-Length: 0\r\n\r\n" + S_EXEC, [101],
         engine=[R_ATTACH], policy="rw"),
    Case("upg-rw-exec-refused", S_EXEC.replace(b"Host: docker\r\n", b"Host: docker\r\n" + UPG),
         [403], policy="rw"),
    Case("upg-rw-grpc", b"POST /grpc HTTP/1.1\r\n" + HOST + b"Connection: Upgrade\r\nUpgrade: h2c"
         b"\r\nContent-Length: 0\r\n\r\n", [403], policy="rw"),
    Case("upg-rw-session", b"POST /session HTTP/1.1\r\n" + HOST + b"Connection: Upgrade\r\n"
         b"Upgrade: h2c\r\nContent-Length: 0\r\n\r\n", [403], policy="rw"),
]

# ---- 12. the h2c preface and other protocol versions ---------------------------------------------

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
H2_SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"

H2C = [
    Case("h2c-preface", PREFACE, [505], direct=[("PRI", "*")]),
    Case("h2c-preface-frames", PREFACE + H2_SETTINGS, [505], direct=[("PRI", "*")]),
    Case("h2c-preface-line-only", b"PRI * HTTP/2.0\r\n\r\n", [505], direct=[("PRI", "*")]),
    Case("h2c-after-allowed", OK_GET + PREFACE + H2_SETTINGS, [200, 505], engine=[R_LIST]),
    Case("h2c-get-http2", b"GET /containers/json HTTP/2.0\r\n" + HOST + CRLF, [505]),
    Case("h2c-get-http2-nominor", b"GET /containers/json HTTP/2\r\n" + HOST + CRLF, [400]),
    Case("h2c-pri-path", b"PRI /containers/json HTTP/2.0\r\n\r\n", [505]),
    Case("h2c-pri-http11", b"PRI * HTTP/1.1\r\n" + HOST + CRLF, [400]),
    Case("ver-http12", b"GET /containers/json HTTP/1.2\r\n" + HOST + CRLF, [505]),
    Case("ver-http30", b"GET /containers/json HTTP/3.0\r\n" + HOST + CRLF, [505]),
    Case("ver-http09", b"GET /containers/json\r\n\r\n", [400]),
    Case("ver-http110", b"GET /containers/json HTTP/1.10\r\n" + HOST + CRLF, [400]),
    Case("ver-http1", b"GET /containers/json HTTP/1\r\n" + HOST + CRLF, [400]),
    Case("ver-http01", b"GET /containers/json HTTP/01.1\r\n" + HOST + CRLF, [400]),
    Case("tls-hello", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 40, [408]),
    Case("tls-hello-crlf", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n", [400]),
]

# ---- 13. huge and numerous headers (default limits: 65536 head, 8192 line, 100 fields) -----------


def _headers(n, size=10):
    return b"".join(b"X-H%d: %s\r\n" % (i, b"v" * size) for i in range(n))


def _big_target(n):
    base = b"/containers/json?x="
    return base + b"a" * (n - len(base))


HUGE = [
    Case("big-line-ok", b"GET " + _big_target(8000) + b" HTTP/1.1\r\n" + HOST + CRLF, [200],
         engine=[R_LIST]),
    Case("big-line-9000", b"GET " + _big_target(9000) + b" HTTP/1.1\r\n" + HOST + CRLF, [414]),
    Case("big-line-100k", b"GET " + _big_target(100000) + b" HTTP/1.1\r\n" + HOST + CRLF, [414]),
    Case("big-line-no-eol", b"GET " + _big_target(20000), [414]),
    Case("big-method", b"G" * 9000 + b" /containers/json HTTP/1.1\r\n" + HOST + CRLF, [414]),
    Case("many-99", GET_LIST + _headers(99) + CRLF, [200], engine=[R_LIST]),
    Case("many-100-plus-host", GET_LIST + _headers(100) + CRLF, [431]),
    Case("many-1000", GET_LIST + _headers(1000) + CRLF, [431]),
    Case("many-empty-values", GET_LIST + b"".join(b"X%d:\r\n" % i for i in range(300)) + CRLF,
         [431]),
    Case("big-value-60k", GET_LIST + b"X-Big: " + b"v" * 60000 + b"\r\n\r\n", [200],
         engine=[R_LIST]),
    Case("big-value-70k", GET_LIST + b"X-Big: " + b"v" * 70000 + b"\r\n\r\n", [431]),
    Case("big-value-1m", GET_LIST + b"X-Big: " + b"v" * (1 << 20) + b"\r\n\r\n", [431]),
    Case("big-name", GET_LIST + b"X" * 70000 + b": 1\r\n\r\n", [431]),
    Case("big-total", GET_LIST + _headers(90, 1000) + CRLF, [431]),
    Case("big-no-end", GET_LIST + _headers(50, 2000), [431]),
    Case("big-after-allowed", OK_GET + GET_LIST + b"X-Big: " + b"v" * 70000 + b"\r\n\r\n",
         [200, 431], engine=[R_LIST]),
    Case("many-after-allowed", OK_GET + GET_LIST + _headers(200) + CRLF, [200, 431],
         engine=[R_LIST]),
    Case("big-hides-te", GET_LIST + b"X-Big: " + b"v" * 70000 + b"\r\nTransfer-Encoding: chunked"
         b"\r\n\r\n" + _Z + S_CREATE, [431]),
    Case("big-cookie", GET_LIST + b"Cookie: " + b"a=b; " * 14000 + b"\r\n\r\n", [431]),
]

CLASSES = {
    "encodings": ENCODINGS,
    "dot_segments": DOTS,
    "version_prefix": VERSIONS,
    "case": CASE,
    "methods": METHODS,
    "absolute_form": ABSOLUTE,
    "cl_te_smuggling": SMUGGLING,
    "obs_fold": OBSFOLD,
    "bare_lf_cr": BARE,
    "pipelining": PIPELINING,
    "upgrade": UPGRADES,
    "h2c_versions": H2C,
    "huge_headers": HUGE,
}

ALL = [c for cases in CLASSES.values() for c in cases]
DIRECT = [c for c in ALL if c.direct]
