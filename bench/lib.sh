# bench/lib.sh — helpers shared by bench/run.sh and bench/profile.sh (sourced, not run).

# A port below the ephemeral range (so no client socket holds it) with nobody listening on it.
free_port() {
    local lo p
    lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
    while :; do
        p=$((10000 + (SRANDOM % (lo - 10000))))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || break
    done
    echo "$p"
}

wait_ping() { # port [pid] → 0 once GET /_ping answers 200; 1 after 10 s or when pid exits
    local end=$((SECONDS + 10))
    while [ $SECONDS -lt $end ]; do
        [ "$(curl -s -m 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/_ping")" = 200 ] && return 0
        if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then
            return 1
        fi
        sleep 0.01
    done
    return 1
}
