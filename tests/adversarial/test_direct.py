"""Sanity: the tables are not vacuous. The same bytes sent straight to the fake engine (standing in
for dockerd) execute the refused operation — so a proxy that forwarded them verbatim, or parsed
them differently from Go, would have let it through."""

import time

import pytest

import cases
from sock import read_until_close


def send_direct(engine, data, timeout=2.0):
    s = engine.connect(timeout)
    try:
        for i, part in enumerate(data if isinstance(data, list) else [data]):
            if i:
                time.sleep(0.05)
            s.sendall(part)
        try:
            read_until_close(s, 0.3, total=timeout, keep=False)
        except OSError:
            pass
    finally:
        s.close()


def executed(engine, es):
    return [(r["method"], r["route"]) for r in engine.log.requests(es) if r["executed"]]


def is_subsequence(want, got):
    it = iter(got)
    return all(any(w == g for g in it) for w in want)


@pytest.mark.parametrize("case", cases.DIRECT, ids=[c.id for c in cases.DIRECT])
def test_engine_alone_is_fooled(engine, case):
    engine.log.mark()
    send_direct(engine, case.data)
    es = engine.log.settle()
    got = executed(engine, es)
    assert is_subsequence(case.direct, got), "engine executed %r, expected %r" % (got, case.direct)


def test_smuggled_request_is_logged_as_second_request(engine):
    """The classic CL.TE payload: the engine logs two requests, the second one refused by policy."""
    engine.log.mark()
    send_direct(engine, cases.SMUGGLING[0].data)
    reqs = engine.log.requests(engine.log.settle())
    assert [(r["method"], r["route"]) for r in reqs] == [cases.R_LIST, cases.R_CREATE]
    assert reqs[0]["conn"] == reqs[1]["conn"]


def test_direct_covers_every_smuggling_class():
    """Each framing class has at least one case shown to fool the engine directly."""
    for name in ("cl_te_smuggling", "obs_fold", "bare_lf_cr", "encodings", "absolute_form",
                 "version_prefix", "h2c_versions"):
        assert any(c.direct for c in cases.CLASSES[name]), name
    smuggles = [c for c in cases.DIRECT if len(c.direct) > 1]
    assert len(smuggles) >= 10, len(smuggles)
