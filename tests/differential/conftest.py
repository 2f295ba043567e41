"""Prints the differential summary table at the end of the session and, when run.sh asks
(DIFF_RESULTS=path), writes "differential <passed> <failed>" there."""

import os

import results

_tests = {}


def pytest_runtest_logreport(report):
    state = _tests.get(report.nodeid, "none")
    if report.failed:
        _tests[report.nodeid] = "failed"
    elif report.when == "call" and report.passed and state == "none":
        _tests[report.nodeid] = "passed"


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("DIFF_RESULTS")
    if not path:
        return
    passed = sum(s == "passed" for s in _tests.values())
    failed = sum(s == "failed" for s in _tests.values())
    # A collection error or an empty run is a failure too.
    if (exitstatus != 0 and failed == 0) or passed + failed == 0:
        failed += 1
    with open(path, "w") as f:
        f.write("differential %d %d\n" % (passed, failed))


def pytest_terminal_summary(terminalreporter):
    if not results.outcomes.cache_info().currsize or not os.path.exists(results.SUMMARY):
        return
    with open(results.SUMMARY) as f:
        terminalreporter.write_sep("=", "differential summary")
        terminalreporter.write(f.read())
