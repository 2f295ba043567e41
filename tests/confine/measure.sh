#!/bin/bash
# Lists the syscalls sockwarden makes once it is confined, for keeping the seccomp allow-list in
# src/confine.c honest after the proxy changes: runs each build with SECCOMP=0 LANDLOCK=0 under
# `strace -f` through tests/confine/drive.py and prints, per build, every syscall made after
# prctl(PR_SET_NO_NEW_PRIVS) (the point where the filter would be installed) with its count.
# A name missing from the allow-list would kill the confined proxy (or be logged with SECCOMP=log).
#
# usage: tests/confine/measure.sh [BINARY...]   (default: the binaries tests/confine/run.sh built)
set -u
cd "$(dirname "$0")/../.." || exit 2
bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=(build/confine/sockwarden build/confine/static/sockwarden)
WORK=$(mktemp -d /tmp/swmeasure.XXXXXX) || exit 2
trap 'kill "${ENGINE:-}" 2>/dev/null; rm -rf "$WORK"' EXIT
python3 tests/confine/confine_engine.py "$WORK/engine.sock" >"$WORK/engine.out" 2>&1 &
ENGINE=$!
sleep 1
for bin in "${bins[@]}"; do
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    env -i PATH=/usr/bin:/bin SOCKET_PATH="$WORK/engine.sock" BIND_CONFIG="127.0.0.1:$port" \
        CONTAINERS=1 POST=1 INFO=1 SECCOMP=0 LANDLOCK=0 SHUTDOWN_GRACE=1s \
        strace -f -qq -o "$WORK/trace" "$bin" >"$WORK/log" 2>&1 &
    tracer=$!
    for _ in $(seq 50); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null &&
            break
        sleep 0.1
    done
    timeout 120 python3 tests/confine/drive.py "$port" | tail -n 1
    pkill -TERM -P "$tracer" # the proxy is the tracer's only child
    wait "$tracer"
    echo "== $bin: syscalls after PR_SET_NO_NEW_PRIVS"
    awk '/PR_SET_NO_NEW_PRIVS/ { on = 1; next } on' "$WORK/trace" |
        sed -E 's/^[0-9]+ +//; s/^<\.\.\. ([a-z0-9_]+) resumed.*/\1(/' |
        grep -oE '^[a-z0-9_]+\(' | tr -d '(' | sort | uniq -c | sort -rn
done
