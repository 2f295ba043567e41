#!/bin/bash
# bench/run.sh — `make bench`: sockwarden against HAProxy running Tecnativa's rule chain, and against
# the upstream itself (nginx on loopback TCP, the limit of this machine). Implementations alternate
# A B C A B C ... within one run; bench/report.py reduces the rounds to medians and checks the
# targets. Output: build/bench/results.md (printed at the end), build/bench/raw.tsv and meta.txt
# (`bench/report.py build/bench/raw.tsv build/bench/meta.txt` makes the report again).
#
# Settings (environment):
#   BENCH_QUICK=1      about 2 minutes instead of about 10 (fewer, shorter rounds; smaller counts)
#   BENCH_ROUNDS       rounds per figure (5; quick 3)         BENCH_SECONDS  wrk seconds per run (5; 2)
#   BENCH_IDLE_CONNS   idle keep-alive connections (5000)     BENCH_STREAMS  /events streams (10000)
#   BENCH_STREAM_MIB   size of the streamed response (1024)   BENCH_PROFILE=0  skip bench/profile.sh
#   BENCH_UPDATE_DOC=1 also put the results into docs/PERFORMANCE.md (between its markers)
#   BENCH_ONLY         a subset of the phases: "load idle events stream startup size" (all)
#   BENCH_SW_ENV       extra NAME=VALUE settings for both sockwarden builds, space-separated
#                      (e.g. "UPSTREAM_KEEPALIVE=0" for one engine connection per request)
#   BENCH_BASELINE     another sockwarden binary, measured as "before" in the same rounds as the
#                      proxy under test (load, idle, events, stream, startup), for before/after figures
#   BENCH_BASELINE_REV the same, built from that commit by bench/baseline.sh (e.g. 1c7f02e)
#   SW_BIN             the proxy under test (build/sockwarden); SW_STATIC the static build
#                      (build/static/sockwarden, made by `make static`; "static" in the tables)
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true
cd "$(dirname "$0")/.."

if [ "${BENCH_QUICK:-0}" = 1 ]; then
    ROUNDS=3 SECS=2 IDLE_N=2000 STREAMS=2000 STREAM_MIB=256 STARTS=5 MODE=quick
else
    ROUNDS=5 SECS=5 IDLE_N=5000 STREAMS=10000 STREAM_MIB=1024 STARTS=9 MODE=full
fi
ROUNDS=${BENCH_ROUNDS:-$ROUNDS}
SECS=${BENCH_SECONDS:-$SECS}
IDLE_N=${BENCH_IDLE_CONNS:-$IDLE_N}
STREAMS=${BENCH_STREAMS:-$STREAMS}
STREAM_MIB=${BENCH_STREAM_MIB:-$STREAM_MIB}
SW_BIN=${SW_BIN:-build/sockwarden}
ONLY=" ${BENCH_ONLY:-load idle events stream startup size} "
CONNS=32
THREADS=2
URL_PATH=/v1.43/containers/json
OUT=build/bench
BENCH=$PWD/bench

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

die() {
    echo "bench: $*" >&2
    exit 1
}
log() { echo "bench: [${SECONDS}s] $*" >&2; }

for t in nginx haproxy wrk curl python3 cc; do
    command -v "$t" >/dev/null || die "$t not found (run 'make deps')"
done
# The interpreter itself, not a version-manager shim (a shim costs a second per call under load).
PY=$(python3 -c 'import sys; print(sys.executable)')
[ -x "$SW_BIN" ] || die "$SW_BIN missing (run 'make')"

# Thousands of sockets: take the whole hard limit. A proxied stream costs the proxy two descriptors,
# so the stream count is capped to what the limit allows (reported).
ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
BIG_MAXCONN=$(((NOFILE - 100) / 2))
STREAMS_WANTED=$STREAMS
[ "$STREAMS" -le "$BIG_MAXCONN" ] || STREAMS=$BIG_MAXCONN
[ "$IDLE_N" -le "$BIG_MAXCONN" ] || IDLE_N=$BIG_MAXCONN

mkdir -p "$OUT"
T=$(mktemp -d /tmp/sockwarden-bench.XXXXXX)
chmod 755 "$T"
# Private copies: a rebuild during the run must not change the binaries under test. The static
# build is what the image ships; without musl-gcc its columns stay empty.
take_copy() { # src dst → 0 once dst is a copy that runs (a concurrent rebuild may be mid-link)
    for _ in 1 2 3 4 5; do
        install -m 755 "$1" "$2" 2>/dev/null && "$2" --version >/dev/null 2>&1 && return 0
        sleep 2
    done
    return 1
}
take_copy "$SW_BIN" "$T/sockwarden" || die "$SW_BIN does not run"
SW_BIN=$T/sockwarden
SW_STATIC=${SW_STATIC:-build/static/sockwarden}
STATIC=()
if [ "$SW_STATIC" != build/static/sockwarden ] || make -s static >"$T/make-static.log" 2>&1; then
    take_copy "$SW_STATIC" "$T/sockwarden-static" && STATIC=(static)
else
    log "make static failed, no static columns: $(tail -3 "$T/make-static.log")"
fi
BEFORE=() BASELINE_DESC=""
if [ -n "${BENCH_BASELINE_REV:-}" ]; then
    BENCH_BASELINE=$(bench/baseline.sh "$BENCH_BASELINE_REV") || die "no baseline build of $BENCH_BASELINE_REV"
    BASELINE_DESC="commit $(git rev-parse --short "$BENCH_BASELINE_REV")"
fi
if [ -n "${BENCH_BASELINE:-}" ]; then
    take_copy "$BENCH_BASELINE" "$T/sockwarden-before" || die "$BENCH_BASELINE does not run"
    BEFORE=(before)
    BASELINE_DESC=${BASELINE_DESC:-$BENCH_BASELINE}
fi
RAW=$OUT/raw.tsv
: >"$RAW"
PIDS=()

cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Tecnativa's image defaults, plus CONTAINERS=1; both proxies get exactly this environment.
PROXY_ENV=(ALLOW_RESTARTS=0 ALLOW_STOP=0 ALLOW_START=0 AUTH=0 BUILD=0 COMMIT=0 CONFIGS=0
    CONTAINERS=1 DISABLE_IPV6=0 DISTRIBUTION=0 EVENTS=1 EXEC=0 GRPC=0 IMAGES=0 INFO=0
    LOG_LEVEL=warning NETWORKS=0 NODES=0 PING=1 PLUGINS=0 POST=0 SECRETS=0 SERVICES=0 SESSION=0
    SWARM=0 SYSTEM=0 TASKS=0 VERSION=1 VOLUMES=0)

read -ra SW_ENV <<<"${BENCH_SW_ENV:-}"
# What was measured: the commit when the run started, and whether src/ differed from it.
RUN_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
[ -z "$(git status --porcelain -- src 2>/dev/null)" ] || RUN_COMMIT="$RUN_COMMIT + uncommitted changes in src/"

record() { # test impl round metric value
    printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RAW"
}

# ---- processes -----------------------------------------------------------------------------------

proc_tree() { # pid → the pid and all its descendants
    local p=$1 c kids
    echo "$p"
    kids=$(cat /proc/"$p"/task/*/children 2>/dev/null) || true
    for c in $kids; do
        proc_tree "$c"
    done
}

cpu_ticks() { # pids → utime+stime summed, in clock ticks
    local p sum=0 v
    for p in "$@"; do
        v=$(sed 's/.*) //' /proc/"$p"/stat 2>/dev/null | awk '{print $12 + $13}') || v=0
        sum=$((sum + ${v:-0}))
    done
    echo "$sum"
}

status_kb() { # field pids → that /proc/PID/status field (kB) summed
    local f=$1 p sum=0 v
    shift
    for p in "$@"; do
        v=$(awk -v f="$f:" '$1 == f {print $2}' /proc/"$p"/status 2>/dev/null) || v=0
        sum=$((sum + ${v:-0}))
    done
    echo "$sum"
}

render() { # template out key=value...
    local src=$1 dst=$2 text kv
    shift 2
    text=$(<"$src")
    for kv in "$@"; do
        text=${text//@${kv%%=*}@/${kv#*=}}
    done
    printf '%s\n' "$text" >"$dst"
}

start_nginx() {
    NGINX_PORT=$(free_port)
    mkdir -p "$T/nginx-tmp"
    truncate -s "${STREAM_MIB}M" "$T/big.bin" # sparse: no disk used
    chmod 644 "$T/big.bin"
    local body
    body=$(tr -d '\n' <"$BENCH/containers.json")
    render "$BENCH/nginx.conf" "$T/nginx.conf" DIR="$T" PORT="$NGINX_PORT" BODY="$body"
    nginx -p "$T/" -e "$T/nginx-error.log" -c "$T/nginx.conf" &
    PIDS+=($!)
    wait_ping "$NGINX_PORT" "${PIDS[-1]}" || die "nginx did not start: $(cat "$T/nginx-error.log")"
}

# haproxy_cfg NAME GLOBAL_MAXCONN MAXCONN KEEPALIVE → $T/haproxy-NAME.cfg
haproxy_cfg() {
    render "$BENCH/haproxy.cfg" "$T/haproxy-$1.cfg" DIR="$T" GMAXCONN="$2" MAXCONN="$3" KEEPALIVE="$4"
}

# start_proxy IMPL [VARIANT [SOCKET]] → PX_PID, PX_PORT. IMPL direct means nginx's own TCP port.
# VARIANT big: limits raised for thousands of connections (sockwarden MAX_CONNECTIONS and
# KEEPALIVE_TIMEOUT; the same for HAProxy's maxconn and keep-alive timeout).
start_proxy() {
    local impl=$1 variant=${2:-tecnativa} sock=${3:-$T/upstream.sock} extra=() try
    if [ "$impl" = direct ]; then
        PX_PID="" PX_PORT=$NGINX_PORT
        return 0
    fi
    [ "$variant" = big ] && extra=(MAX_CONNECTIONS=$((BIG_MAXCONN * 2)) KEEPALIVE_TIMEOUT=60s)
    for try in 1 2 3; do # another test on this machine may take the port first
        PX_PORT=$(free_port)
        local envs=("${PROXY_ENV[@]}" SOCKET_PATH="$sock" BIND_CONFIG="127.0.0.1:$PX_PORT")
        if [ "$impl" = sockwarden ]; then
            env "${envs[@]}" "${SW_ENV[@]}" "${extra[@]}" "$SW_BIN" >>"$T/sockwarden.log" 2>&1 &
        elif [ "$impl" = relay ]; then # the floor: no HTTP at all (bench/relay.c)
            "$OUT/relay" "$PX_PORT" "$sock" >>"$T/relay.log" 2>&1 &
        elif [ "$impl" = static ] || [ "$impl" = before ]; then
            env "${envs[@]}" "${SW_ENV[@]}" "${extra[@]}" "$T/sockwarden-$impl" >>"$T/$impl.log" 2>&1 &
        else
            env "${envs[@]}" haproxy -W -db -f "$T/haproxy-$variant.cfg" >>"$T/haproxy.log" 2>&1 &
        fi
        PX_PID=$!
        PIDS+=("$PX_PID")
        wait_ping "$PX_PORT" "$PX_PID" && return 0
        stop_proxy
        log "$impl did not answer /_ping on port $PX_PORT (attempt $try): $(tail -2 "$T/$impl.log")"
    done
    die "$impl does not start"
}

stop_proxy() {
    [ -n "$PX_PID" ] || return 0
    kill -TERM "$PX_PID" 2>/dev/null || true
    for _ in $(seq 300); do
        kill -0 "$PX_PID" 2>/dev/null || break
        sleep 0.01
    done
    kill -KILL "$PX_PID" 2>/dev/null || true
    wait "$PX_PID" 2>/dev/null || true
    PX_PID=""
}

# ---- measurements --------------------------------------------------------------------------------

wrk_field() { # name line → the number after " name="
    sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"
}

# One wrk run against a freshly started implementation: throughput, latency, proxy CPU and peak RSS.
bench_wrk() { # impl test(ka|close) round
    local impl=$1 test=$2 round=$3 hdr=() pids=() c0=0 c1 line
    [ "$test" = close ] && hdr=(-H "Connection: close")
    start_proxy "$impl"
    if [ -n "$PX_PID" ]; then
        mapfile -t pids < <(proc_tree "$PX_PID")
        c0=$(cpu_ticks "${pids[@]}")
    fi
    line=$(wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" "${hdr[@]}" -s "$BENCH/wrk-report.lua" \
        "http://127.0.0.1:$PX_PORT$URL_PATH" | grep '^WRK ') || die "wrk failed against $impl"
    local requests duration p50 p99 errs
    requests=$(wrk_field requests "$line")
    duration=$(wrk_field duration_us "$line")
    p50=$(wrk_field p50_us "$line")
    p99=$(wrk_field p99_us "$line")
    errs=$(awk '{n = 0; for (i = 6; i <= NF; i++) {split($i, kv, "="); n += kv[2]} print n}' <<<"$line")
    [ "$requests" -gt 0 ] || die "$impl $test: no requests completed"
    record "$test" "$impl" "$round" rps "$(awk -v r="$requests" -v d="$duration" 'BEGIN {printf "%.1f", r * 1e6 / d}')"
    record "$test" "$impl" "$round" p50_us "$p50"
    record "$test" "$impl" "$round" p99_us "$p99"
    record "$test" "$impl" "$round" errors "$errs"
    if [ -n "$PX_PID" ]; then
        c1=$(cpu_ticks "${pids[@]}")
        record "$test" "$impl" "$round" cpu_us_per_req \
            "$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v r="$requests" 'BEGIN {printf "%.2f", t * 1e6 / hz / r}')"
        record "$test" "$impl" "$round" hwm_kb "$(status_kb VmHWM "${pids[@]}")"
        if [ "$impl" = haproxy ]; then
            record "$test" "$impl" "$round" hwm_worker_kb "$(status_kb VmHWM "${pids[@]:1}")"
        fi
    fi
    stop_proxy
    log "$test $impl round $round: $line"
}

# Holds N connections open through a proxy and reports its RSS growth. mode response = idle
# keep-alive connections after one request; head = /events streams waiting for events.
bench_hold() { # impl test round n path mode socket
    local impl=$1 test=$2 round=$3 n=$4 path=$5 mode=$6 sock=$7 pids=() rss0 rss1 ready alive
    start_proxy "$impl" big "$sock"
    curl -s -o /dev/null "http://127.0.0.1:$PX_PORT/_ping" # one request: buffers and pools warmed
    mapfile -t pids < <(proc_tree "$PX_PID")
    rss0=$(status_kb VmRSS "${pids[@]}")
    rm -f "$T/stop"
    "$PY" "$BENCH/holdconns.py" "$PX_PORT" "$n" "$path" "$mode" "$T/stop" >"$T/hold.out" &
    local hp=$!
    PIDS+=("$hp")
    for _ in $(seq 1200); do
        grep -q '^ready' "$T/hold.out" && break
        kill -0 "$hp" 2>/dev/null || break
        sleep 0.1
    done
    ready=$(grep '^ready' "$T/hold.out") || die "$impl $test: connections not set up"
    sleep 1 # let the proxy settle (deferred frees, pool trimming)
    mapfile -t pids < <(proc_tree "$PX_PID")
    rss1=$(status_kb VmRSS "${pids[@]}")
    local hwm
    hwm=$(status_kb VmHWM "${pids[@]}")
    touch "$T/stop"
    wait "$hp" || true
    alive=$(sed -n 's/^alive=//p' "$T/hold.out")
    local ok=${ready#ready ok=}
    ok=${ok%% *}
    record "$test" "$impl" "$round" conns "$ok"
    record "$test" "$impl" "$round" alive "$alive"
    record "$test" "$impl" "$round" rss_kb "$rss1"
    record "$test" "$impl" "$round" hwm_kb "$hwm"
    record "$test" "$impl" "$round" bytes_per_conn \
        "$(awk -v a="$rss0" -v b="$rss1" -v n="$ok" 'BEGIN {printf "%.0f", n ? (b - a) * 1024 / n : 0}')"
    stop_proxy
    log "$test $impl round $round: $ready alive=$alive rss ${rss0} -> ${rss1} kB"
}

bench_stream() { # impl round
    local impl=$1 round=$2 pids=() c0=0 c1 out
    start_proxy "$impl"
    if [ -n "$PX_PID" ]; then
        mapfile -t pids < <(proc_tree "$PX_PID")
        c0=$(cpu_ticks "${pids[@]}")
    fi
    out=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' \
        "http://127.0.0.1:$PX_PORT/v1.43/containers/big/logs")
    read -r code size speed <<<"$out"
    if [ "$code" != 200 ] || [ "$size" != $((STREAM_MIB * 1048576)) ]; then
        die "$impl stream: status $code, $size bytes"
    fi
    record stream "$impl" "$round" mib_s "$(awk -v s="$speed" 'BEGIN {printf "%.1f", s / 1048576}')"
    if [ -n "$PX_PID" ]; then
        c1=$(cpu_ticks "${pids[@]}")
        record stream "$impl" "$round" cpu_ms_per_gib \
            "$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v m="$STREAM_MIB" 'BEGIN {printf "%.0f", t * 1e3 / hz * 1024 / m}')"
        record stream "$impl" "$round" hwm_kb "$(status_kb VmHWM "${pids[@]}")"
    fi
    stop_proxy
    log "stream $impl round $round: $out"
}

bench_startup() { # impl round
    local impl=$1 round=$2 port us cmd envs=()
    port=$(free_port)
    if [ "$impl" = sockwarden ]; then
        cmd=("$SW_BIN")
    elif [ "$impl" = static ] || [ "$impl" = before ]; then
        cmd=("$T/sockwarden-$impl")
    else
        cmd=(haproxy -W -db -f "$T/haproxy-tecnativa.cfg")
    fi
    [ "$impl" = haproxy ] || envs=("${SW_ENV[@]}")
    us=$(env "${PROXY_ENV[@]}" "${envs[@]}" SOCKET_PATH="$T/upstream.sock" BIND_CONFIG="127.0.0.1:$port" \
        "$OUT/startup" "$port" 5000 "${cmd[@]}" 2>>"$T/startup.log") || die "$impl startup failed"
    record startup "$impl" "$round" us "$us"
}

sizes() {
    record size sockwarden 1 dynamic_bytes "$(stat -c %s "$SW_BIN")"
    strip -o "$T/sw.stripped" "$SW_BIN"
    record size sockwarden 1 dynamic_stripped_bytes "$(stat -c %s "$T/sw.stripped")"
    if [ ${#STATIC[@]} -gt 0 ]; then
        record size sockwarden 1 static_bytes "$(stat -c %s "$T/sockwarden-static")"
    fi
    local hp libs=0 l
    hp=$(command -v haproxy)
    record size haproxy 1 dynamic_bytes "$(stat -L -c %s "$hp")"
    for l in $(ldd "$hp" | awk '$3 ~ /^\// && $1 !~ /^(libc|libm|libpthread|libdl|librt)\.so/ {print $3}'); do
        libs=$((libs + $(stat -L -c %s "$l")))
    done
    record size haproxy 1 libs_bytes "$libs"
}

# ---- the run -------------------------------------------------------------------------------------

cc -O2 -Wall -Wextra -o "$OUT/startup" "$BENCH/startup.c"
cc -O2 -Wall -Wextra -o "$OUT/relay" "$BENCH/relay.c"
start_nginx
haproxy_cfg tecnativa 4000 3000 10s
haproxy_cfg big "$BIG_MAXCONN" "$BIG_MAXCONN" 60s
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date +%s)
log "$MODE run: $ROUNDS rounds, wrk ${SECS}s, $IDLE_N idle connections, $STREAMS streams"

phase() { [[ $ONLY == *" $1 "* ]]; }

phase load && for r in $(seq "$ROUNDS"); do
    for test in ka close; do
        for impl in sockwarden "${BEFORE[@]}" "${STATIC[@]}" haproxy relay direct; do
            bench_wrk "$impl" "$test" "$r"
        done
    done
done

HOLD_ROUNDS=$((ROUNDS < 3 ? ROUNDS : 3))
phase idle && for r in $(seq "$HOLD_ROUNDS"); do
    for impl in sockwarden "${BEFORE[@]}" "${STATIC[@]}" haproxy; do
        bench_hold "$impl" idle "$r" "$IDLE_N" "$URL_PATH" response "$T/upstream.sock"
    done
done

if phase events; then
    "$PY" "$BENCH/fake_events.py" "$T/events.sock" >"$T/events.out" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do
        grep -q ready "$T/events.out" 2>/dev/null && break
        sleep 0.05
    done
    for impl in sockwarden "${BEFORE[@]}" "${STATIC[@]}" haproxy; do
        bench_hold "$impl" events 1 "$STREAMS" /v1.43/events head "$T/events.sock"
    done
fi

phase stream && for r in $(seq 3); do
    for impl in sockwarden "${BEFORE[@]}" haproxy direct; do
        bench_stream "$impl" "$r"
    done
done
rm -f "$T/big.bin"

phase startup && for r in $(seq "$STARTS"); do
    for impl in sockwarden "${BEFORE[@]}" "${STATIC[@]}" haproxy; do
        bench_startup "$impl" "$r"
    done
done

if phase size; then
    sizes
fi
ELAPSED=$(($(date +%s) - START))

if [ "${BENCH_PROFILE:-1}" != 0 ]; then
    SW_BIN=$SW_BIN NGINX_SOCK=$T/upstream.sock HAPROXY_CFG=$T/haproxy-tecnativa.cfg \
        SECS=$(((SECS + 1) / 2 + 1)) bench/profile.sh "$OUT" "${PROXY_ENV[@]}" "${SW_ENV[@]}" >&2 ||
        log "profile failed (results below are unaffected)"
fi

bench_command() { # how to repeat this run: the BENCH_* settings, then make bench
    local v
    for v in $(compgen -v BENCH_ | sort); do
        [ "$v" = BENCH_UPDATE_DOC ] && continue
        [ "$v" = BENCH_BASELINE ] && [ -n "${BENCH_BASELINE_REV:-}" ] && continue # derived from the REV
        if [[ ${!v} == *[[:space:]]* ]]; then printf '%s="%s" ' "$v" "${!v}"; else printf '%s=%s ' "$v" "${!v}"; fi
    done
    echo "make bench"
}

# The run's facts, one NAME=VALUE a line, so the report can be made again from the raw files.
printf '%s\n' \
    "command=$(bench_command)" \
    "date=$(date -u '+%Y-%m-%d %H:%M UTC')" \
    mode="$MODE" rounds="$ROUNDS" secs="$SECS" conns="$CONNS" threads="$THREADS" \
    idle_n="$IDLE_N" streams="$STREAMS" streams_wanted="$STREAMS_WANTED" nofile="$NOFILE" \
    stream_mib="$STREAM_MIB" starts="$STARTS" elapsed="$ELAPSED" load0="$LOAD0" \
    load1="$(cut -d' ' -f1-3 /proc/loadavg)" profile_dir="$OUT" \
    haproxy_version="$(haproxy -v | head -1 | awk '{print $3}')" \
    nginx_version="$(nginx -v 2>&1 | sed 's|.*/||')" \
    wrk_version="$(wrk -v 2>&1 | head -1 | awk '{print $2}')" \
    sw_version="$("$SW_BIN" --version | awk '{print $2}')" \
    commit="$RUN_COMMIT" baseline="$BASELINE_DESC" >"$OUT/meta.txt"
"$PY" "$BENCH/report.py" "$RAW" "$OUT/meta.txt" >"$OUT/results.md"
cat "$OUT/results.md"
if [ "${BENCH_UPDATE_DOC:-0}" = 1 ]; then
    "$PY" "$BENCH/report.py" --splice docs/PERFORMANCE.md "$OUT/results.md"
    log "docs/PERFORMANCE.md updated"
fi
