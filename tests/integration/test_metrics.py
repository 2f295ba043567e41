"""METRICS_BIND: the Prometheus endpoint, scraped while real docker CLI traffic goes through."""

import re
import urllib.request

import pytest

from conftest import assert_forbidden_cli
from sock import free_port


def scrape(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
        assert r.status == 200
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return r.read().decode()


def value(text, name, **labels):
    """The sample of metric `name` whose labels include `labels`; 0 when absent."""
    for line in text.splitlines():
        m = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if all(have.get(k) == str(v) for k, v in labels.items()):
            return float(m.group(3))
    return 0.0


def test_metrics_counters_move(proxy, need_proxy, engine):
    mport = free_port()
    ep = proxy(CONTAINERS=1, METRICS_BIND="127.0.0.1:%d" % mport)
    before = scrape(mport)
    assert value(before, "sockwarden_requests_total", decision="allow", section="containers") == 0

    assert ep.docker("ps", "-a").returncode == 0
    assert ep.docker("ps").returncode == 0
    assert_forbidden_cli(ep.docker("network", "ls"))

    after = scrape(mport)
    allowed = value(after, "sockwarden_requests_total", decision="allow", section="containers",
                    status=200)
    assert allowed >= 2, after
    assert value(after, "sockwarden_requests_total", decision="deny", section="networks",
                 status=403) >= 1, after
    assert value(after, "sockwarden_requests_total", decision="allow", section="_ping") >= 1
    assert value(after, "sockwarden_response_bytes_total") > value(before,
                                                                   "sockwarden_response_bytes_total")
    count = value(after, "sockwarden_request_duration_seconds_count")
    assert count >= 4 and value(after, "sockwarden_request_duration_seconds_bucket",
                                le="+Inf") == count
    assert value(after, "sockwarden_connections_total") >= 3
    assert "sockwarden_tunnels_active 0" in after


def test_metrics_upstream_errors_and_other_paths(proxy, need_proxy, tmp_path):
    mport = free_port()
    ep = proxy(CONTAINERS=1, METRICS_BIND="127.0.0.1:%d" % mport,
               SOCKET_PATH=str(tmp_path / "no-such.sock"))
    p = ep.docker("ps")
    assert p.returncode != 0
    text = scrape(mport)
    assert value(text, "sockwarden_upstream_errors_total", cause="no_socket") >= 1, text
    assert "no socket at" in ep.log_text()
    # The metrics listener serves nothing else, and never reaches the engine.
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen("http://127.0.0.1:%d/containers/json" % mport, timeout=10)
    assert e.value.code == 404
