#!/bin/bash
# bench/profile.sh — where a proxied request's CPU goes, for sockwarden and (syscalls only) HAProxy.
# Called by bench/run.sh with the upstream already running; it can also be run on its own:
#   SW_BIN=build/sockwarden NGINX_SOCK=/path/upstream.sock HAPROXY_CFG=/path/haproxy.cfg SECS=3 \
#     bench/profile.sh OUTDIR NAME=VALUE...        (NAME=VALUE: the proxies' environment)
# For each implementation and load (keep-alive, Connection: close) it writes to OUTDIR:
#   profile.tsv                      impl test metric value (syscalls, context switches per request)
#   syscalls-IMPL-TEST.txt           strace -c, with the request count of that run
#   perf-sockwarden-TEST.txt         perf record flat profile (self time by object and symbol)
#   callgrind-sockwarden-TEST.txt    callgrind_annotate: user-space instructions by function
# Tracing slows the proxy down, so these runs are separate from the timed ones and report counts.
# Each part runs only when its tool is installed (strace, perf, valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
OUT=$1
shift
ENVS=("$@")
SECS=${SECS:-3}
: "${SW_BIN:?}" "${NGINX_SOCK:?}" "${HAPROXY_CFG:?}"
TSV=$OUT/profile.tsv
: >"$TSV"
PX=""
trap '[ -z "$PX" ] || { kill -KILL "$PX" 2>/dev/null; wait "$PX" 2>/dev/null; }' EXIT

start() { # impl [wrapper...] → PX, PORT
    PORT=$(free_port)
    local e=("${ENVS[@]}" SOCKET_PATH="$NGINX_SOCK" BIND_CONFIG="127.0.0.1:$PORT")
    if [ "$1" = sockwarden ]; then
        env "${e[@]}" "${@:2}" "$SW_BIN" >/dev/null 2>&1 &
    else
        env "${e[@]}" haproxy -W -db -f "$HAPROXY_CFG" >/dev/null 2>&1 &
    fi
    PX=$!
    wait_ping "$PORT" "$PX" && return 0
    echo "profile: $1 did not start" >&2
    return 1
}

stop() {
    kill -TERM "$PX" 2>/dev/null || true
    wait "$PX" 2>/dev/null || true
    PX=""
}

pids_csv() { # the proxy's processes (HAProxy: master and worker)
    local p=$PX
    { echo "$p"; cat /proc/"$p"/task/*/children 2>/dev/null | tr ' ' '\n'; } | grep . | paste -sd,
}

load() { # test → number of requests completed
    local hdr=()
    [ "$1" = close ] && hdr=(-H "Connection: close")
    wrk -t2 -c32 -d"${SECS}s" "${hdr[@]}" -s bench/wrk-report.lua \
        "http://127.0.0.1:$PORT/v1.43/containers/json" | sed -n 's/^WRK requests=\([0-9]*\).*/\1/p'
}

# tracer command... runs in the background while the load runs; stopped with SIGINT afterwards.
traced() { # test tracer...
    local test=$1 tp n
    shift
    "$@" &
    tp=$!
    sleep 0.5
    n=$(load "$test")
    kill -INT "$tp" 2>/dev/null || true
    wait "$tp" 2>/dev/null || true
    echo "$n"
}

for impl in sockwarden haproxy; do
    for test in ka close; do
        if command -v strace >/dev/null; then
            start "$impl"
            f=$OUT/syscalls-$impl-$test.txt
            n=$(traced "$test" strace -c -f -q -o "$f.tmp" -p "$(pids_csv)")
            { echo "# $impl, $test: $n requests (strace -c -f; divide calls by requests)"; cat "$f.tmp"; } >"$f"
            rm -f "$f.tmp"
            calls=$(awk '$NF == "total" {print $4}' "$f")
            printf '%s\t%s\tsyscalls_per_req\t%s\n' "$impl" "$test" \
                "$(awk -v c="${calls:-0}" -v n="$n" 'BEGIN {printf "%.2f", n ? c / n : 0}')" >>"$TSV"
            stop
        fi

        if command -v perf >/dev/null; then
            start "$impl"
            f=$OUT/perfstat-$impl-$test.txt
            n=$(traced "$test" perf stat -x, -o "$f" \
                -e task-clock,context-switches,raw_syscalls:sys_enter -p "$(pids_csv)")
            awk -F, -v n="$n" -v impl="$impl" -v test="$test" '
                $3 == "context-switches" { printf "%s\t%s\tctxsw_per_req\t%.3f\n", impl, test, $1 / n }
                $3 == "raw_syscalls:sys_enter" { printf "%s\t%s\tperf_syscalls_per_req\t%.2f\n", impl, test, $1 / n }
                $3 == "task-clock" { printf "%s\t%s\ttask_clock_us_per_req\t%.2f\n", impl, test, $1 * 1000 / n }
            ' "$f" >>"$TSV" || true
            stop
            if [ "$impl" = sockwarden ]; then
                start "$impl"
                f=$OUT/perf-$impl-$test
                n=$(traced "$test" perf record -q -F 2999 -o "$f.data" -p "$PX")
                {
                    echo "# sockwarden, $test: $n requests; perf record -F 2999, self time by symbol"
                    echo "## by object"
                    perf report -i "$f.data" --stdio --no-children -F overhead,dso \
                        --percent-limit 0.5 2>/dev/null | grep -v '^#' | grep .
                    echo "## by symbol"
                    perf report -i "$f.data" --stdio --no-children -F overhead,dso,sym \
                        --percent-limit 0.5 2>/dev/null | grep -v '^#' | grep .
                } >"$f.txt" || true
                rm -f "$f.data" "$f.data.old"
                stop
            fi
        fi
    done
done

# Instructions executed in user space per request: exact counts, unaffected by the machine's load.
if command -v valgrind >/dev/null; then
    for test in ka close; do
        f=$OUT/callgrind-sockwarden-$test
        start sockwarden valgrind --tool=callgrind --callgrind-out-file="$f.out"
        n=$(load "$test")
        stop
        total=$(callgrind_annotate "$f.out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
        printf 'sockwarden\t%s\tinstructions_per_req\t%s\n' "$test" \
            "$(awk -v t="${total:-0}" -v n="$n" 'BEGIN {printf "%.0f", n ? t / n : 0}')" >>"$TSV"
        {
            echo "# sockwarden, $test: $n requests under callgrind (includes startup and /_ping)"
            callgrind_annotate "$f.out" 2>/dev/null | sed -n '/PROGRAM TOTALS/,$p' |
                sed -E 's| \[[^]]*\]$||; s|[^ ]*/([^/ ]*:)|\1|' | head -40
        } >"$f.txt" || true
        rm -f "$f.out"
    done
fi
echo "profile: written to $OUT" >&2
