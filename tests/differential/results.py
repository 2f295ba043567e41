"""Runs the corpus through both proxies for one flag set, classifies every disagreement, and
renders the summary table. Results are cached per flag set for the whole pytest session."""

import collections
import functools
import os
import re
import subprocess
import urllib.parse

import differences
from corpus import CONSUMERS, load_configs, load_requests
from harness import HAProxy, REPO, Sockwarden, Workdir, build_request, flag_env, sockwarden_bin

REQUESTS = load_requests()
CONFIGS = load_configs()
CONFIG_FLAGS = dict(CONFIGS)
SUMMARY = os.path.join(REPO, "build", "differential", "summary.txt")
SANITIZER = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:")

Outcome = collections.namedtuple(
    "Outcome", "req env hap_status hap_seen sw_status sw_seen category problem")


@functools.lru_cache(maxsize=None)
def outcomes(name):
    """Every corpus request through HAProxy and sockwarden under flag set `name`."""
    overrides = CONFIG_FLAGS[name]
    env = flag_env(overrides)
    with Workdir() as d:
        hap, sw = HAProxy(d), Sockwarden(d)
        try:
            hap.start(overrides)
            sw.start(overrides)
            rows = []
            for req in REQUESTS:
                raw = build_request(req.method, req.target)
                hs, hseen = hap.exchange(raw)
                ss, sseen = sw.exchange(raw)
                rows.append(_classify(req, env, hs, hseen, ss, sseen))
        except Exception as e:
            raise RuntimeError("%s\n--- haproxy log ---\n%s\n--- sockwarden log ---\n%s" % (
                e, _tail(hap), _tail(sw))) from e
        finally:
            hap.stop()
            sw.stop()
        for p in (hap, sw):
            if p.upstream.errors:
                raise RuntimeError("fake upstream of %s: %s" % (p.name, p.upstream.errors[:5]))
        # With SW_BIN=build/asan/sockwarden, a sanitizer report fails the run.
        if SANITIZER.search(sw.log_text()):
            raise RuntimeError("sanitizer report from sockwarden:\n" + _tail(sw))
    return tuple(rows)


def _tail(proxy, n=4000):
    try:
        return proxy.log_text()[-n:]
    except OSError:
        return "(no log)"


def _classify(req, env, hs, hseen, ss, sseen):
    category = problem = None
    if hseen and not sseen:
        category, problem = differences.classify(
            differences.REFUSED_BY_SOCKWARDEN, env, req.method, req.target, ss)
    elif sseen and not hseen:
        category, problem = differences.classify(
            differences.FORWARDED_BY_SOCKWARDEN, env, req.method, req.target, ss)
    return Outcome(req, env, hs, tuple(hseen), ss, tuple(sseen), category, problem)


def differing(rows):
    return [o for o in rows if bool(o.hap_seen) != bool(o.sw_seen)]


def unexplained(rows):
    return [o for o in differing(rows) if o.category is None]


def show(o):
    return "%s %s" % (o.req.method.decode("latin-1"), o.req.target.decode("latin-1"))


def describe(o):
    text = "%-60s haproxy %s%s, sockwarden %s%s: %s" % (
        show(o), o.hap_status, " (forwarded)" if o.hap_seen else "", o.sw_status,
        " (forwarded)" if o.sw_seen else "", o.category or o.problem)
    if o.category is None and bool(o.hap_seen) != bool(o.sw_seen):
        text += "\n      sockwarden check: " + explain(o)
    return text


def explain(o):
    """sockwarden's own account of its decision, to make a failure actionable."""
    try:
        r = subprocess.run([sockwarden_bin(), "check", o.req.method, o.req.target], env=o.env,
                           capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        return repr(e)
    return (r.stdout or r.stderr).decode("latin-1").strip()


def same_request(sent, hap_got, sw_got):
    """Both upstreams got the request the client sent: same method, same path once decoded
    (sockwarden forwards the canonical form), same raw query."""
    def norm(target):
        path, sep, query = target.partition(b"?")
        return urllib.parse.unquote_to_bytes(path), sep + query
    return hap_got[0] == sw_got[0] == sent.method and norm(hap_got[1]) == norm(sw_got[1]) == norm(
        sent.target)


# ---- summary ------------------------------------------------------------------------------------


def summary(names):
    lines = ["Differential test: sockwarden vs HAProxy running Tecnativa's rule chain", ""]
    lines.append("%d requests x %d flag sets = %d comparisons" % (
        len(REQUESTS), len(names), len(REQUESTS) * len(names)))
    lines.append("")
    head = "%-16s %9s %11s %6s %12s %12s %12s" % (
        "flag set", "haproxy", "sockwarden", "both", "haproxy-only", "sockw.-only", "unexplained")
    lines += [head, "-" * len(head)]
    totals = collections.Counter()
    by_category = collections.Counter()
    by_group = collections.defaultdict(collections.Counter)
    for name in names:
        rows = outcomes(name)
        c = collections.Counter()
        for o in rows:
            c["haproxy"] += bool(o.hap_seen)
            c["sockwarden"] += bool(o.sw_seen)
            c["both"] += bool(o.hap_seen and o.sw_seen)
            c["hap_only"] += bool(o.hap_seen and not o.sw_seen)
            c["sw_only"] += bool(o.sw_seen and not o.hap_seen)
            if bool(o.hap_seen) != bool(o.sw_seen):
                key = o.category or "UNEXPLAINED"
                by_category[key] += 1
                c["unexplained"] += o.category is None
                for g in o.req.groups:
                    by_group[g][key] += 1
        totals.update(c)
        lines.append("%-16s %9d %11d %6d %12d %12d %12d" % (
            name, c["haproxy"], c["sockwarden"], c["both"], c["hap_only"], c["sw_only"],
            c["unexplained"]))
    lines.append("%-16s %9d %11d %6d %12d %12d %12d" % (
        "total", totals["haproxy"], totals["sockwarden"], totals["both"], totals["hap_only"],
        totals["sw_only"], totals["unexplained"]))
    lines += ["", "Differences by documented category:"]
    for name, _, _ in differences.REFUSED_BY_SOCKWARDEN + differences.FORWARDED_BY_SOCKWARDEN:
        lines.append("  %5d  %s" % (by_category[name], name))
    lines.append("  %5d  UNEXPLAINED" % by_category["UNEXPLAINED"])
    lines += ["", "Differences by request group:"]
    for g in _groups():
        cats = by_group.get(g)
        text = ", ".join("%s %d" % (k, v) for k, v in sorted(cats.items())) if cats else "none"
        tag = " (consumer)" if g in CONSUMERS else ""
        lines.append("  %-20s %s" % (g + tag, text))
    bad = [(n, o) for n in names for o in unexplained(outcomes(n))]
    if bad:
        lines += ["", "Unexplained differences:"]
        lines += ["  [%s] %s" % (n, describe(o)) for n, o in bad]
    return "\n".join(lines) + "\n"


def _groups():
    seen = []
    for r in REQUESTS:
        for g in r.groups:
            if g not in seen:
                seen.append(g)
    return seen


def write_summary(names):
    text = summary(names)
    os.makedirs(os.path.dirname(SUMMARY), exist_ok=True)
    with open(SUMMARY, "w") as f:
        f.write(text)
    return text
