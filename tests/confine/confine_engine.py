#!/usr/bin/env python3
"""The fake Docker engine of sockwarden's confinement tests: tests/lib/fake_engine.py's Engine
with the routes tests/confine/drive.py needs to make the proxy exercise every I/O path it has.

- GET /_ping, /version, /containers/json: small answers (keep-alive);
- POST /containers/create: 201 echoing the JSON request body (a request body through the proxy);
- GET /events: a chunked stream of 5 lines, 50 ms apart, then its end;
  GET /containers/ID/logs: a chunked stream of 20 lines, 10 ms apart, then its end;
- GET /info: a 4 MiB JSON body;
- POST /containers/ID/attach, /exec/ID/start: 101, then a raw tunnel echoing bytes upper-cased
  until the client half-closes;
- anything else: 404.
Any /v1.X prefix is accepted (drive.py uses /v1.47); Api-Version is 1.47.

usage: confine_engine.py SOCKET_PATH | tcp:PORT
       (prints "ready" on stdout once it listens on the unix socket, mode 660, or on
       127.0.0.1:PORT; SIGTERM stops it and removes the socket file)
"""

import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from fake_engine import HIJACK, Engine, accept_loop, listen  # noqa: E402


class ConfineEngine(Engine):
    api_range = None
    api_version = "1.47"
    server = None
    keep_body = True
    tunnel_upper = True

    def respond(self, sock, rd, cid, req):
        if req.status != 200:  # 301, 400, 404 from routing, as Engine answers them
            return Engine.respond(self, sock, rd, cid, req)
        parts = req.route.strip("/").split("/")
        if req.method == "POST" and HIJACK.match(req.route):
            return self.hijack(sock, rd, cid, req.route, req.headers, req.close)
        if parts == ["_ping"]:
            self.send(sock, 200, b"OK", req.close, ctype="text/plain")
        elif parts == ["version"]:
            self.send(sock, 200, json.dumps({"Version": "27.0.0-fake", "ApiVersion": "1.47"}),
                      req.close)
        elif parts == ["containers", "json"]:
            self.send(sock, 200, json.dumps([{"Id": "c1" * 32, "Names": ["/fake"]}]), req.close)
        elif parts == ["containers", "create"] and req.method == "POST":
            got = json.loads(req.body or b"{}")
            self.send(sock, 201, json.dumps({"Id": "c2" * 32, "Echo": got}), req.close)
        elif parts == ["events"]:
            self.stream(sock, tick, 0.05, limit=5, finish=True)
        elif len(parts) == 3 and parts[0] == "containers" and parts[2] == "logs":
            self.stream(sock, tick, 0.01, limit=20, finish=True)
        elif parts == ["info"]:
            self.send(sock, 200, b'{"Pad":"' + b"x" * (4 << 20) + b'"}', req.close)
        else:
            self.send(sock, 404, json.dumps({"message": "page not found"}), req.close)
        return not req.close


def tick(i):
    return (json.dumps({"status": "tick", "n": i, "time": int(time.time())}) + "\n").encode()


def main():
    where = sys.argv[1]
    # backlog 256: the proxy opens one engine connection per client burst
    if where.startswith("tcp:"):
        srv = listen(where, backlog=256)
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    else:
        srv = listen(where, backlog=256, mode=0o660)
        signal.signal(signal.SIGTERM, lambda *_: (os.unlink(where), os._exit(0)))
    print("ready", flush=True)
    accept_loop(srv, ConfineEngine())


if __name__ == "__main__":
    main()
