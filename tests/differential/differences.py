"""The Tecnativa rule chain as a model (tecnativa.md §4 S1/S4), and sockwarden's documented
differences from it (README "Differences from Tecnativa", docs/POLICY.md) as explicit predicates.

Every predicate is written from the documentation, not from sockwarden's code: it says "this
documented difference explains why sockwarden refused (or forwarded) a request on which it
disagrees with HAProxy, and sockwarden must then answer with this status". A disagreement that no
predicate explains is a bug in sockwarden or in its documentation.
"""

import re

SECTIONS = (
    ("AUTH", "auth"), ("BUILD", "build"), ("COMMIT", "commit"), ("CONFIGS", "configs"),
    ("CONTAINERS", "containers"), ("DISTRIBUTION", "distribution"), ("EVENTS", "events"),
    ("EXEC", "exec"), ("GRPC", "grpc"), ("IMAGES", "images"), ("INFO", "info"),
    ("NETWORKS", "networks"), ("NODES", "nodes"), ("PING", "_ping"), ("PLUGINS", "plugins"),
    ("SECRETS", "secrets"), ("SERVICES", "services"), ("SESSION", "session"), ("SWARM", "swarm"),
    ("SYSTEM", "system"), ("TASKS", "tasks"), ("VERSION", "version"), ("VOLUMES", "volumes"),
)

# ALLOW_* rule -> the verbs its regex names (ALLOW_RESTARTS: stop|restart|kill).
VERB_RULES = (
    ("ALLOW_RESTARTS", ("stop", "restart", "kill")), ("ALLOW_START", ("start",)),
    ("ALLOW_STOP", ("stop",)), ("ALLOW_PAUSE", ("pause",)), ("ALLOW_UNPAUSE", ("unpause",)),
)

VERSION_PREFIX = r"(/v[0-9.]+)?"
ROUTED_METHODS = (b"GET", b"HEAD", b"POST", b"PUT", b"DELETE")


def truthy(env, name):
    """HAProxy's `env(X) -m bool`: optional sign, leading digits, non-zero is true."""
    value = env.get(name)
    if not value:
        return False
    m = re.match(r"[+-]?([0-9]*)", value)
    return bool(m.group(1)) and int(m.group(1)) != 0


# ---- the request target -------------------------------------------------------------------------


def haproxy_path(target):
    """HAProxy's `path` sample: the path without the query; for absolute-form the path part."""
    m = re.match(rb"^[A-Za-z][A-Za-z0-9+.-]*://[^/?]*", target)
    if m:
        target = target[m.end():] or b"/"
    return target.split(b"?", 1)[0]


def url_decode(raw):
    """Decode %HH once; None for a malformed escape (HAProxy's url_dec fails, no rule matches)."""
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x25:
            h = raw[i + 1:i + 3]
            if len(h) != 2 or not re.fullmatch(rb"[0-9A-Fa-f]{2}", h):
                return None
            out.append(int(h, 16))
            i += 3
        else:
            out.append(c)
            i += 1
    return bytes(out)


def decoded_path(target):
    """The once-decoded path as text (latin-1 keeps every byte), or None."""
    d = url_decode(haproxy_path(target))
    return None if d is None else d.decode("latin-1")


def unversioned(path):
    """The path with one version prefix split off, as dockerd and sockwarden do."""
    m = re.match(r"^/v[0-9.]+(?=/)", path)
    return path[m.end():] if m else path


# ---- the Tecnativa rule chain -------------------------------------------------------------------


def tecnativa_rules(env, method, target, ignore_case=True, boundary=False):
    """The ALLOW_* and section rules that admit the request after the method gate ([] = 403).

    ignore_case=True, boundary=False is Tecnativa's chain exactly. The variants are the
    narrower readings that the documented differences describe: case-sensitive matching, and
    sections matched as whole segments with the verb as the last segment."""
    if method not in (b"GET", b"HEAD") and not truthy(env, "POST"):
        return []
    path = decoded_path(target)
    if path is None:
        return []
    flags = re.IGNORECASE if ignore_case else 0
    section_end = r"(?=/|$)" if boundary else ""
    verb_end = "$" if boundary else ""
    matched = []
    for flag, verbs in VERB_RULES:
        rx = r"^%s/containers/[a-zA-Z0-9_.-]+/(%s)%s" % (VERSION_PREFIX, "|".join(verbs), verb_end)
        if truthy(env, flag) and re.match(rx, path, flags):
            matched.append(flag)
    for flag, name in SECTIONS:
        rx = r"^%s/%s%s" % (VERSION_PREFIX, re.escape(name), section_end)
        if truthy(env, flag) and re.match(rx, path, flags):
            matched.append(flag)
    return matched


def tecnativa_allows(env, method, target):
    return bool(tecnativa_rules(env, method, target))


def _sections(rules):
    return [r for r in rules if not r.startswith("ALLOW_")]


def _verbs(rules):
    return [r for r in rules if r.startswith("ALLOW_")]


# ---- sockwarden's documented differences --------------------------------------------------------
# Each predicate: (env, method, target) -> bool. The tables below pair it with the status
# sockwarden must answer and the document that states it.


def non_canonical(env, method, target):
    """README "no bypass by parsing tricks", POLICY.md differences 3 and 4: dot-segments, `//`,
    %2F, %00 and control escapes, malformed escapes, '#', raw non-ASCII, trailing '/'."""
    if not target.startswith(b"/"):
        return False
    if b"#" in target or any(b < 0x21 or b > 0x7E for b in target):
        return True
    raw = target.split(b"?", 1)[0]
    if re.search(rb"%2[Ff]", raw):
        return True
    dec = url_decode(raw)
    if dec is None or any(b < 0x20 or b == 0x7F for b in dec):
        return True
    # Empty segments are "//" or a trailing "/"; the path "/" itself is canonical, and so are the
    # two trailing-slash routes dockerd registers (POLICY.md difference 4).
    if re.sub(rb"^/v[0-9.]+(?=/)", b"", dec) in (b"/networks/", b"/debug/pprof/"):
        return False
    return dec != b"/" and any(s in (b"", b".", b"..") for s in dec.split(b"/")[1:])


def absolute_form(env, method, target):
    """POLICY.md difference 5: a target must start with '/' (absolute-form, '*')."""
    return not target.startswith(b"/")


def unrouted_method(env, method, target):
    """POLICY.md difference 7: only GET HEAD POST PUT DELETE (upper case) pass."""
    return method not in ROUTED_METHODS


def debug_path(env, method, target):
    """POLICY.md difference 13: /debug/... is refused by its own rule."""
    path = decoded_path(target)
    return path is not None and re.match(r"^/debug(/|$)", unversioned(path)) is not None


def case_only(env, method, target):
    """POLICY.md difference 1: Tecnativa matches case-insensitively, sockwarden does not."""
    return bool(tecnativa_rules(env, method, target)) and not tecnativa_rules(
        env, method, target, ignore_case=False)


def prefix_only(env, method, target):
    """POLICY.md difference 2: a section name matched as a prefix, not a whole segment."""
    cs = tecnativa_rules(env, method, target, ignore_case=False)
    seg = tecnativa_rules(env, method, target, ignore_case=False, boundary=True)
    return bool(_sections(cs)) and not _sections(seg) and not _verbs(cs)


def verb_narrowed(env, method, target):
    """POLICY.md difference 8 (and 2 for `killall`): an ALLOW_* flag admits only POST, only with
    the verb as the last segment; Tecnativa admits any method and any path starting so."""
    cs = tecnativa_rules(env, method, target, ignore_case=False)
    seg = tecnativa_rules(env, method, target, ignore_case=False, boundary=True)
    if not _verbs(cs) or _sections(seg):
        return False
    return method != b"POST" or not _verbs(seg)


def _container_action(target, action):
    path = decoded_path(target)
    return path is not None and re.match(r"^/containers/.+/%s$" % action, unversioned(path))


def archive_export(env, method, target):
    """README, POLICY.md difference 9: GET|HEAD archive needs ALLOW_ARCHIVE, export needs
    ALLOW_EXPORT (both default 0); PUT archive stays under CONTAINERS=1 POST=1."""
    if _container_action(target, "archive") and method != b"PUT":
        return not truthy(env, "ALLOW_ARCHIVE")
    return bool(_container_action(target, "export")) and not truthy(env, "ALLOW_EXPORT")


def attach_ws_needs_post(env, method, target):
    """README, POLICY.md difference 11: GET /containers/{id}/attach/ws needs POST=1."""
    return method == b"GET" and bool(_container_action(target, "attach/ws")) and not truthy(
        env, "POST")


def exec_create_needs_exec(env, method, target):
    """README, POLICY.md difference 12: POST /containers/{id}/exec needs EXEC=1 as well."""
    return method == b"POST" and bool(_container_action(target, "exec")) and not truthy(
        env, "EXEC")


def _verb_flag_on(env, verb):
    flags = {"start": ("ALLOW_START",), "stop": ("ALLOW_STOP", "ALLOW_RESTARTS"),
             "restart": ("ALLOW_RESTARTS",), "kill": ("ALLOW_RESTARTS",),
             "pause": ("ALLOW_PAUSE",), "unpause": ("ALLOW_UNPAUSE",)}[verb]
    return any(truthy(env, f) for f in flags)


def verb_precedence(env, method, target):
    """README, POLICY.md difference 8 (the issue's item 4): ALLOW_START/STOP/RESTARTS/PAUSE/
    UNPAUSE admit POST /containers/{id}/{verb} even with POST=0 (LinuxServer's precedence)."""
    if method != b"POST" or truthy(env, "POST") or non_canonical(env, method, target):
        return False
    path = decoded_path(target)
    m = path and re.match(r"^/containers/.+/(start|stop|restart|kill|pause|unpause)$",
                          unversioned(path))
    return bool(m) and _verb_flag_on(env, m.group(1))


# HAProxy forwards, sockwarden refuses: (category, predicate, sockwarden's status), first match.
REFUSED_BY_SOCKWARDEN = (
    ("absolute-form target", absolute_form, 400),
    ("non-canonical path", non_canonical, 400),
    ("method dockerd does not route", unrouted_method, 403),
    ("/debug", debug_path, 403),
    ("case-sensitive match", case_only, 403),
    ("whole-segment match", prefix_only, 403),
    ("ALLOW_* verb: POST and exact last segment only", verb_narrowed, 403),
    ("archive/export need ALLOW_ARCHIVE/ALLOW_EXPORT", archive_export, 403),
    ("attach/ws needs POST=1", attach_ws_needs_post, 403),
    ("containers/{id}/exec needs EXEC=1", exec_create_needs_exec, 403),
)

# sockwarden forwards, HAProxy refuses.
FORWARDED_BY_SOCKWARDEN = (
    ("ALLOW_* verbs work with POST=0 (item 4)", verb_precedence, None),
)


def classify(table, env, method, target, sw_status):
    """(category, None) when a documented difference explains it, else (None, why)."""
    for name, predicate, status in table:
        if predicate(env, method, target):
            if status is not None and sw_status != status:
                return None, "%s, but sockwarden answered %s instead of %d" % (
                    name, sw_status, status)
            return name, None
    return None, "no documented difference applies"
