#!/bin/bash
# Confinement run: starts sockwarden (glibc build and static musl build) with its self-confinement
# on, in front of tests/confine/confine_engine.py, drives it through every I/O path
# (tests/confine/drive.py) and checks that it survives (no SIGSYS), that the kernel reports it
# confined (/proc/PID/status), that it exits 0 on SIGTERM, and that a socket the configured user
# cannot reach stops it at start-up. Writes build/results/confine "confine <passed> <failed>".
#
# usage: tests/confine/run.sh   (KEEP=1 keeps the work directory with the proxy logs)
set -u
cd "$(dirname "$0")/../.." || exit 2
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  ok $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }
expect() { # DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

WORK=$(mktemp -d /tmp/swconf.XXXXXX) || exit 2
chmod 755 "$WORK"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT


build() {
    make -s build/sockwarden static >/dev/null || return 1
    GLIBC_BIN=build/sockwarden
    MUSL_BIN=build/static/sockwarden
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() { # PORT PID: up to 5 s for a listener, while PID lives
    for _ in $(seq 50); do
        kill -0 "$2" 2>/dev/null || return 1
        python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" \
            2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

start_engine() { # WHERE(path or tcp:PORT) → ENGINE_PID
    python3 tests/confine/confine_engine.py "$1" >"$WORK/engine.out" 2>&1 &
    ENGINE_PID=$!
    PIDS+=("$ENGINE_PID")
    for _ in $(seq 50); do
        grep -q ready "$WORK/engine.out" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "fake engine did not start: $(cat "$WORK/engine.out")"
    return 1
}

stop_engine() {
    kill "$ENGINE_PID" 2>/dev/null
    wait "$ENGINE_PID" 2>/dev/null
}

status_field() { # PID FIELD
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

# One confined proxy run: BIN TAG SOCKET_PATH [ENV...]; the expectations in EXPECT_* variables.
run_proxy() {
    local bin=$1 tag=$2 sock=$3
    shift 3
    local port log=$WORK/proxy.$tag.log
    port=$(free_port)
    env -i PATH=/usr/bin:/bin SOCKET_PATH="$sock" BIND_CONFIG="127.0.0.1:$port" CONTAINERS=1 \
        POST=1 INFO=1 EVENTS=1 SHUTDOWN_GRACE=2s "$@" "$bin" >"$log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    if ! wait_port "$port" "$pid"; then
        wait "$pid"
        bad "$tag: proxy did not start (exit $?): $(tail -n 3 "$log")"
        return
    fi
    ok "$tag: proxy started"
    expect "$tag: kernel reports NoNewPrivs" [ "$(status_field "$pid" NoNewPrivs)" = 1 ]
    expect "$tag: kernel reports a seccomp filter" [ "$(status_field "$pid" Seccomp)" = 2 ]
    if [ -n "${EXPECT_UID:-}" ]; then
        expect "$tag: runs as uid $EXPECT_UID" [ "$(status_field "$pid" Uid)" = "$EXPECT_UID" ]
        expect "$tag: no capabilities left" [ "$(status_field "$pid" CapEff)" = 0000000000000000 ]
        expect "$tag: keeps the socket group" grep -q "keeping group $EXPECT_GROUP" "$log"
    fi
    if grep -q 'landlock: ABI' "$log"; then ok "$tag: Landlock applied"; else
        bad "$tag: Landlock not applied: $(grep landlock "$log")"; fi
    expect "$tag: seccomp in kill mode" grep -q 'seccomp: unlisted syscalls kill' "$log"
    local out
    out=$(timeout 120 python3 tests/confine/drive.py "$port" 2>&1)
    echo "$out" | grep FAIL | sed "s/^/    $tag: /"
    local dp df
    read -r dp df < <(echo "$out" | awk '$1 == "drive" { print $2, $3 }')
    pass=$((pass + ${dp:-0}))
    fail=$((fail + ${df:-1}))
    echo "  $tag: drive ${dp:-0} passed, ${df:-?} failed"
    expect "$tag: alive after the workload" kill -0 "$pid"
    [ -n "${TROUBLE:-}" ] && engine_trouble "$tag" "$port" "$pid" "$sock" "$log"
    kill -TERM "$pid"
    wait "$pid"
    local rc=$?
    expect "$tag: exit 0 on SIGTERM (got $rc; 159 would be SIGSYS)" [ "$rc" = 0 ]
}

status_of() { # PORT: the status code the proxy answers GET /_ping with
    python3 - "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
s.sendall(b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
print(s.recv(100).split(b" ")[1].decode())
PY
}

# The engine's error paths under confinement: the permission diagnostic (stat, getgroups) when
# the socket turns unwritable, then the missing socket; the proxy answers 503 and lives on.
engine_trouble() { # TAG PORT PID SOCKET LOG
    local tag=$1 port=$2 pid=$3 sock=$4 log=$5
    chmod 600 "$sock"
    expect "$tag: unwritable socket → 503" [ "$(status_of "$port")" = 503 ]
    expect "$tag: ... diagnosed in the log" grep -q 'permission denied on' "$log"
    chmod 660 "$sock"
    expect "$tag: socket back → 200" [ "$(status_of "$port")" = 200 ]
    mv "$sock" "$sock.away"
    expect "$tag: no socket → 503" [ "$(status_of "$port")" = 503 ]
    expect "$tag: ... diagnosed in the log" grep -q 'no socket at' "$log"
    mv "$sock.away" "$sock"
    expect "$tag: alive after the engine trouble" kill -0 "$pid"
}

# The configured user cannot write the socket: the proxy must refuse to start.
run_unreachable() { # BIN TAG SOCKET
    local bin=$1 tag=$2 sock=$3 port
    port=$(free_port)
    chmod 600 "$sock"
    env -i PATH=/usr/bin:/bin SOCKET_PATH="$sock" BIND_CONFIG="127.0.0.1:$port" \
        RUN_AS_USER=65534:65534 timeout 10 "$bin" >"$WORK/unreach.$tag.log" 2>&1
    local rc=$?
    chmod 660 "$sock"
    expect "$tag: unreachable socket after the switch: exit 1 (got $rc)" [ "$rc" = 1 ]
    expect "$tag: ... and says why" grep -q 'is not writable' "$WORK/unreach.$tag.log"
}

run_bad_setting() { # BIN TAG
    local rc
    env -i PATH=/usr/bin:/bin SECCOMP=maybe timeout 10 "$1" >"$WORK/bad.$2.log" 2>&1
    rc=$?
    expect "$2: SECCOMP=maybe is a configuration error: exit 2 (got $rc)" [ "$rc" = 2 ]
}

build || { echo "confine: build failed"; exit 2; }
SOCK=$WORK/run/engine.sock
mkdir -p "$WORK/run" && chmod 755 "$WORK/run"
for bin in "$GLIBC_BIN" "$MUSL_BIN"; do
    tag=$(case $bin in *static*) echo musl ;; *) echo glibc ;; esac)
    echo "== $tag: $bin"
    start_engine "$SOCK" || { bad "$tag: fake engine"; continue; }
    if [ "$(id -u)" = 0 ]; then
        chown 0:4242 "$SOCK" && chmod 660 "$SOCK"
        # One engine connection per request here: the trouble checks need every request to
        # connect afresh (a pooled connection stays usable when the socket file changes).
        TROUBLE=1 EXPECT_UID=65534 EXPECT_GROUP=4242 run_proxy "$bin" "$tag-unix-user" "$SOCK" \
            RUN_AS_USER=65534:65534 UPSTREAM_KEEPALIVE=0
        run_unreachable "$bin" "$tag" "$SOCK"
    else
        echo "  (not root: identity switch not tested)"
    fi
    run_proxy "$bin" "$tag-unix" "$SOCK"
    stop_engine
    tport=$(free_port)
    start_engine "tcp:$tport" || { bad "$tag: fake TCP engine"; continue; }
    run_proxy "$bin" "$tag-tcp" "tcp://127.0.0.1:$tport"
    stop_engine
    run_bad_setting "$bin" "$tag"
done

mkdir -p build/results
echo "confine $pass $fail" >build/results/confine
echo "confine: $pass passed, $fail failed"
[ "$fail" = 0 ]
