#!/bin/bash
# Runs sockwarden in the foreground in front of a Docker engine, with the seed deployment's settings
# (CONTAINERS=1 NETWORKS=1 SERVICES=0 TASKS=0 POST=0), listening on 127.0.0.1:2375.
# Uses the engine at $SOCKET_PATH (default /var/run/docker.sock) when it answers; otherwise starts a
# private engine the way the tests do, and stops it again on exit. Installs what it needs (Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

need=()
for p in gcc make curl; do command -v "$p" >/dev/null || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}" libc6-dev </dev/null
fi
make --no-print-directory -s all

sock=${SOCKET_PATH:-/var/run/docker.sock}
if ! curl -s -m 2 --unix-socket "$sock" http://engine/_ping 2>/dev/null | grep -qx OK; then
    echo "run: no engine answers on $sock; starting a private one (Debian docker.io)" >&2
    for p in dockerd busybox; do
        command -v "$p" >/dev/null || {
            apt-get update -q
            apt-get install -y -q --no-install-recommends docker.io busybox-static </dev/null
            break
        }
    done
    # shellcheck source=../tests/lib/dockerd.sh
    . tests/lib/dockerd.sh
    sw_dockerd_start
    sw_dockerd_trap
    sw_busybox_image >/dev/null
    sock=$SW_DOCKER_SOCK
fi

export SOCKET_PATH=$sock
export BIND_CONFIG=${BIND_CONFIG:-127.0.0.1:2375}
export CONTAINERS=${CONTAINERS:-1} NETWORKS=${NETWORKS:-1} SERVICES=${SERVICES:-0}
export TASKS=${TASKS:-0} POST=${POST:-0}
echo "run: engine $SOCKET_PATH; try: DOCKER_HOST=tcp://${BIND_CONFIG} docker ps   (Ctrl-C stops)" >&2
# Not exec: the trap above must still stop a private engine when the proxy exits.
build/sockwarden "$@"
