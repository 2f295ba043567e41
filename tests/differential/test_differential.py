"""Differential test: sockwarden against Debian's HAProxy running Tecnativa's rule chain.

For every flag set in configs.txt and every request in requests.txt, the same bytes go through
both proxies, each in front of its own recording fake engine; a request counts as forwarded when
that engine received it. sockwarden may refuse what HAProxy forwards only where a documented
difference (differences.py) says so, and may forward what HAProxy refuses only under the ALLOW_*
precedence (item 4). Anything else fails, naming the request.
"""

import collections
import os
import subprocess

import pytest

import differences
import results
from corpus import CONSUMERS
from harness import HAPROXY, flag_env, render_haproxy_cfg, sockwarden_bin

NAMES = [name for name, _ in results.CONFIGS]


def fail_with(what, rows):
    if rows:
        pytest.fail("%s (%d):\n  %s" % (what, len(rows), "\n  ".join(rows)), pytrace=False)


# ---- the setup itself ---------------------------------------------------------------------------


def test_tools_present():
    assert os.access(HAPROXY, os.X_OK), "Debian's haproxy is missing (apt-get install haproxy)"
    assert os.access(sockwarden_bin(), os.X_OK), "build sockwarden first (make)"


def test_haproxy_config_is_valid(tmp_path):
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(render_haproxy_cfg(2375))
    env = flag_env({})
    env["SOCKET_PATH"] = str(tmp_path / "engine.sock")
    r = subprocess.run([HAPROXY, "-c", "-f", str(cfg)], env=env, capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr


def test_corpus_covers_the_consumers_and_endpoints():
    groups = collections.Counter(g for r in results.REQUESTS for g in r.groups)
    missing = [c for c in CONSUMERS if groups[c] == 0]
    assert not missing, "no requests for %s" % missing
    assert groups["endpoints"] >= 100
    methods = {r.method for r in results.REQUESTS}
    assert {b"GET", b"HEAD", b"POST", b"PUT", b"DELETE", b"OPTIONS", b"PATCH"} <= methods
    assert len(NAMES) >= 10 and len(set(NAMES)) == len(NAMES)


# ---- per flag set -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_haproxy_follows_the_spec(name):
    """Our haproxy.cfg does what tecnativa.md §4 S4 says, for every request HAProxy parses."""
    bad = [results.describe(o) + " (spec: %s)" % (
        "allow" if differences.tecnativa_allows(o.env, o.req.method, o.req.target) else "deny")
        for o in results.outcomes(name)
        if o.hap_status != 400
        and bool(o.hap_seen) != differences.tecnativa_allows(o.env, o.req.method, o.req.target)]
    fail_with("HAProxy disagrees with the spec model", bad)


@pytest.mark.parametrize("name", NAMES)
def test_sockwarden_forwards_nothing_haproxy_refuses(name):
    bad = [results.describe(o) for o in results.outcomes(name)
           if o.sw_seen and not o.hap_seen and o.category is None]
    fail_with("sockwarden forwarded what HAProxy refused, not explained by item 4", bad)


@pytest.mark.parametrize("name", NAMES)
def test_every_refusal_of_sockwarden_is_documented(name):
    bad = [results.describe(o) for o in results.outcomes(name)
           if o.hap_seen and not o.sw_seen and o.category is None]
    fail_with("HAProxy forwarded, sockwarden refused, no documented difference explains it", bad)


@pytest.mark.parametrize("name", NAMES)
def test_forwarded_requests_reach_the_engine_unchanged(name):
    bad = []
    for o in results.outcomes(name):
        if len(o.hap_seen) > 1 or len(o.sw_seen) > 1:
            bad.append(results.describe(o) + " (reached the engine more than once)")
        elif o.hap_seen and o.sw_seen and not results.same_request(
                o.req, o.hap_seen[0], o.sw_seen[0]):
            bad.append(results.describe(o) + " (engine got %r and %r)" % (
                o.hap_seen[0], o.sw_seen[0]))
    fail_with("forwarded requests differ", bad)


@pytest.mark.parametrize("name", NAMES)
def test_replies_match_what_was_forwarded(name):
    """Forwarded: the engine's 200 comes back. Refused: 403, or 400 for an unparsable target."""
    bad = []
    for o in results.outcomes(name):
        for who, seen, status in (("haproxy", o.hap_seen, o.hap_status),
                                  ("sockwarden", o.sw_seen, o.sw_status)):
            want = (200,) if seen else (400, 403)
            if status not in want:
                bad.append("%s: %s answered %s" % (results.describe(o), who, status))
    fail_with("replies", bad)


# ---- real consumers -----------------------------------------------------------------------------

# Each consumer in the flag set its documentation recommends (docker-api.md §3), and the
# documented differences it may meet there. Portainer's exec console creates exec instances,
# which sockwarden ties to EXEC=1 (with HAProxy the console fails one step later without it).
OWN_CONFIG = {
    "traefik": ("traefik", set()),
    "homepage": ("homepage", set()),
    "dozzle": ("dozzle", set()),
    "portainer": ("portainer", {"containers/{id}/exec needs EXEC=1"}),
}


@pytest.mark.parametrize("consumer", sorted(OWN_CONFIG))
def test_consumer_in_its_recommended_flags(consumer):
    name, expected = OWN_CONFIG[consumer]
    rows = [o for o in results.outcomes(name) if consumer in o.req.groups]
    assert rows, "no %s requests" % consumer
    assert any(o.sw_seen for o in rows), "sockwarden forwarded none of %s's requests" % consumer
    got = {o.category or "UNEXPLAINED" for o in results.differing(rows)}
    assert got == expected, "\n".join(results.describe(o) for o in results.differing(rows))


@pytest.mark.parametrize("consumer", CONSUMERS)
def test_consumer_with_every_section_open(consumer):
    """With every section and POST on, every call a real consumer makes goes through both
    proxies or neither."""
    rows = [o for o in results.outcomes("everything") if consumer in o.req.groups]
    assert rows and all(o.hap_seen for o in rows)
    fail_with("differences for %s" % consumer,
              [results.describe(o) for o in results.differing(rows)])


# ---- the whole run ------------------------------------------------------------------------------


def test_not_vacuous():
    rows = [o for n in NAMES for o in results.outcomes(n)]
    hap = sum(bool(o.hap_seen) for o in rows)
    sw = sum(bool(o.sw_seen) for o in rows)
    assert hap >= len(rows) // 5, "HAProxy forwarded only %d of %d" % (hap, len(rows))
    assert sw >= len(rows) // 5, "sockwarden forwarded only %d of %d" % (sw, len(rows))
    assert sum(not o.hap_seen for o in rows) >= len(rows) // 5
    assert sum(not o.sw_seen for o in rows) >= len(rows) // 5
    for name in NAMES:
        outs = results.outcomes(name)
        assert any(o.hap_seen for o in outs) and any(not o.hap_seen for o in outs), name
        assert any(o.sw_seen for o in outs) and any(not o.sw_seen for o in outs), name


def test_every_documented_difference_is_exercised():
    """The corpus reaches every predicate, so none of them is dead weight, except /debug: no
    Tecnativa rule opens it, so it can never be a difference."""
    seen = collections.Counter(o.category for n in NAMES for o in results.outcomes(n))
    table = differences.REFUSED_BY_SOCKWARDEN + differences.FORWARDED_BY_SOCKWARDEN
    unused = [c for c, _, _ in table if not seen[c] and c != "/debug"]
    assert not unused, "never observed: %s" % unused
    assert seen["/debug"] == 0


def test_debug_is_never_forwarded():
    bad = ["[%s] %s" % (n, results.describe(o)) for n in NAMES for o in results.outcomes(n)
           if (o.hap_seen or o.sw_seen) and differences.debug_path(o.env, o.req.method,
                                                                    o.req.target)]
    fail_with("/debug reached the engine", bad)


def test_tecnativa_like_flags_leave_only_unconditional_differences():
    """With ALLOW_ARCHIVE, ALLOW_EXPORT, EXEC and POST on, sockwarden's switchable differences
    disappear; what remains is what no flag changes."""
    unconditional = {"absolute-form target", "non-canonical path", "method dockerd does not route",
                     "case-sensitive match", "whole-segment match"}
    rows = results.differing(results.outcomes("tecnativa-like"))
    got = {o.category or "UNEXPLAINED" for o in rows}
    assert got <= unconditional, got - unconditional


def test_summary():
    """Writes the table (build/differential/summary.txt); run.sh prints it."""
    text = results.write_summary(NAMES)
    assert "comparisons" in text
