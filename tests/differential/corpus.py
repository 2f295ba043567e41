"""Loading the request corpus (requests.txt) and the flag sets (configs.txt)."""

import collections
import os
import re
import shlex

HERE = os.path.dirname(os.path.abspath(__file__))
REQUESTS = os.path.join(HERE, "requests.txt")
CONFIGS = os.path.join(HERE, "configs.txt")

Request = collections.namedtuple("Request", "method target groups")

# The consumer groups, named after docker-api.md §3.
CONSUMERS = ("traefik", "caddy-docker-proxy", "portainer", "watchtower", "homepage", "dozzle",
             "netdata", "cadvisor", "prometheus", "uptime-kuma", "diun")

_ESCAPE = re.compile(rb"\\x([0-9A-Fa-f]{2})")


def _unescape(word):
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), word)


def load_requests(path=REQUESTS):
    """Requests in file order, each once, with every group that lists it."""
    order, groups = [], {}
    group = None
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith(b"#"):
                continue
            if line.startswith(b"[") and line.endswith(b"]"):
                group = line[1:-1].decode()
                continue
            words = line.split()
            if len(words) != 2 or group is None:
                raise ValueError("%s:%d: want METHOD TARGET inside a [group]" % (path, lineno))
            key = (words[0], _unescape(words[1]))
            if key not in groups:
                order.append(key)
                groups[key] = []
            if group not in groups[key]:
                groups[key].append(group)
    return [Request(m, t, tuple(groups[(m, t)])) for m, t in order]


def load_configs(path=CONFIGS):
    """[(name, {FLAG: value})] in file order."""
    out = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            words = shlex.split(line)
            flags = {}
            for w in words[1:]:
                name, sep, value = w.partition("=")
                if not sep:
                    raise ValueError("%s:%d: %r is not FLAG=VALUE" % (path, lineno, w))
                flags[name] = value
            out.append((words[0], flags))
    return out
