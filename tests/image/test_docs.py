"""The man page, the migration table and the image's ENV against the source they describe."""

import os
import re
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MAN_MD = os.path.join(REPO, "docs", "sockwarden.8.md")
MAN = os.path.join(REPO, "docs", "sockwarden.8")
BINARY = os.path.join(REPO, "build", "static", "sockwarden")


def read(*path):
    with open(os.path.join(REPO, *path), encoding="utf-8") as f:
        return f.read()


def c_string_array(source, name):
    """The string literals of `... name[...] = { ... };` in a C file."""
    m = re.search(r"\b%s\s*\[[^]]*\]\s*=\s*\{(.*?)\};" % re.escape(name), source, re.S)
    assert m, "array %s not found" % name
    return re.findall(r'"([^"]*)"', m.group(1))


def src_tree():
    """Every C source under src/ (modules live in src/<layer>/), concatenated."""
    parts = []
    for root, _, files in sorted(os.walk(os.path.join(REPO, "src"))):
        for f in sorted(files):
            if f.endswith(".c"):
                with open(os.path.join(root, f), encoding="utf-8") as fh:
                    parts.append(fh.read())
    return "\n".join(parts)


def known_variables():
    config, policy = read("src", "config", "config.c"), src_tree()
    names = c_string_array(config, "other_vars")
    names += c_string_array(policy, "section_env") + c_string_array(policy, "allow_env")
    # Modules that read the environment themselves count once main.c calls them.
    main = read("src", "main.c")
    for layer, module in (("os", "confine"),):
        path = os.path.join(REPO, "src", layer, module + ".c")
        assert os.path.exists(path), path
        if module + "_" in main:
            names += re.findall(r'env\(getenv_fn, "([A-Z_]+)"\)', read("src", layer, module + ".c"))
    assert len(names) > 40, names
    return names


def dockerfile_env():
    text = read("Dockerfile").replace("\\\n", " ")
    env = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(kv.split("=", 1) for kv in line[4:].split())
    return env


def test_man_page_is_generated_from_the_markdown():
    p = subprocess.run(
        [sys.executable, os.path.join(REPO, "packaging", "md2man.py"), MAN_MD],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert p.returncode == 0, p.stderr
    assert p.stdout == read("docs", "sockwarden.8"), (
        "docs/sockwarden.8 is stale: packaging/md2man.py docs/sockwarden.8.md > docs/sockwarden.8"
    )


def test_man_page_renders_without_warnings():
    p = subprocess.run(
        ["groff", "-man", "-ww", "-z", MAN],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, LC_ALL="C.UTF-8"),
    )
    assert p.returncode == 0 and not p.stderr, p.stderr


@pytest.mark.parametrize("doc", ["docs/sockwarden.8.md", "docs/MIGRATING.md"])
def test_every_variable_is_documented(doc):
    text = read(*doc.split("/"))
    missing = [v for v in known_variables() if "`%s`" % v not in text]
    assert not missing, "%s does not document %s" % (doc, missing)


def test_man_page_covers_commands_signals_and_exit_codes():
    text = read("docs", "sockwarden.8.md")
    main = read("src", "main.c")
    for cmd in re.findall(r'strcmp\(argv\[1\], "([^"]+)"\)', main):
        assert "`%s" % cmd in text or "`sockwarden %s" % cmd in text, cmd
    signals = re.findall(r"sigaddset\(&set, (SIG[A-Z0-9]+)\)", read("src", "core", "proxy.c"))
    assert signals, "no signals found in src/core/proxy.c"
    section = text.split("## SIGNALS", 1)[1].split("\n## ", 1)[0]
    for sig in signals:
        assert sig in section, sig
    status = text.split("## EXIT STATUS", 1)[1].split("\n## ", 1)[0]
    for code in ("`0`", "`1`", "`2`"):
        assert code in status


def test_image_env_changes_no_decision():
    """The Dockerfile's ENV spells out defaults: the binary must decide the same with or without."""
    env = dockerfile_env()
    for k in ("SOCKET_PATH", "LOG_LEVEL", "SHUTDOWN_GRACE"):
        env.pop(k)
    policy = src_tree()
    lines = []
    for path in c_string_array(policy, "section_path"):
        for method in ("GET", "POST", "DELETE"):
            lines.append("%s /v1.41%s/x" % (method, path))
    for verb in ("start", "stop", "restart", "kill", "pause", "unpause", "archive", "export",
                 "logs", "top", "changes", "stats", "exec", "attach/ws"):
        lines.append("POST /containers/abc/%s" % verb)
        lines.append("GET /containers/abc/%s" % verb)
    stdin = "\n".join(lines) + "\n"

    def verdicts(extra):
        p = subprocess.run(
            [BINARY, "check", "-"],
            input=stdin,
            capture_output=True,
            text=True,
            env=extra,
            timeout=60,
        )
        assert p.returncode in (0, 1), p.stdout + p.stderr
        return p.stdout

    plain, shipped = verdicts({}), verdicts(env)
    assert plain.count("\n") == len(lines)
    assert plain == shipped


def test_image_env_holds_every_flag():
    env = dockerfile_env()
    policy = src_tree()
    flags = c_string_array(policy, "section_env") + c_string_array(policy, "allow_env")
    missing = [f for f in flags + ["POST"] if f not in env]
    assert not missing, "Dockerfile ENV lacks %s" % missing


# The layers of src/, lowest first (docs/ARCHITECTURE.md): a module may include its own layer and
# the layers below it, never one above.
LAYERS = ["base", "http", "policy", "config", "os", "core", "cmd"]


def test_includes_point_down_the_layers():
    bad = []
    seen = set()
    for layer in os.listdir(os.path.join(REPO, "src")):
        d = os.path.join(REPO, "src", layer)
        if not os.path.isdir(d):
            continue
        assert layer in LAYERS, "src/%s is not a documented layer" % layer
        seen.add(layer)
        for f in os.listdir(d):
            if not f.endswith((".c", ".h")):
                continue
            text = read("src", layer, f)
            for inc in re.findall(r'#include "([a-z]+)/[a-z_]+\.h"', text):
                if inc not in LAYERS or LAYERS.index(inc) > LAYERS.index(layer):
                    bad.append("src/%s/%s includes %s/" % (layer, f, inc))
    assert seen == set(LAYERS), seen
    assert not bad, bad
    arch = read("docs", "ARCHITECTURE.md")
    for layer in LAYERS:
        assert "`src/%s/`" % layer in arch, "docs/ARCHITECTURE.md does not describe src/%s/" % layer


def test_every_status_the_proxy_sends_has_its_page():
    """Every status the sources answer with (the core's conn_answer calls, the parser's errors) has
    an entry of its own in errpage's table, and tests/unit/test_support.c checks each one's text."""
    sent = set()
    for layer, name in (("core", "conn.c"), ("core", "request.c"), ("core", "response.c"),
                        ("core", "proxy.c")):
        sent |= set(re.findall(r"conn_answer(?:_bytes)?\(c, (\d{3})", read("src", layer, name)))
    sent |= set(re.findall(r"fail\(err, (\d{3})", read("src", "http", "http.c")))
    assert {"400", "403", "408", "413", "502", "503", "504"} <= sent, sent
    table = set(re.findall(r"\{(\d{3}), \"", read("src", "http", "errpage.c")))
    unit = read("tests", "unit", "test_support.c")
    missing = sorted(s for s in sent if s not in table and s != "200")
    untested = sorted(s for s in sent if "{%s, \"" % s not in unit and s != "200")
    assert not missing, "statuses without an errpage entry: %s" % missing
    assert not untested, "statuses whose text test_support.c does not check: %s" % untested
