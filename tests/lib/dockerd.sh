#!/bin/bash
# A private Docker engine for sockwarden's tests: its own data root, exec root, socket, pidfile and
# containerd, all under one fresh temp dir, so several runs (and a system dockerd) can coexist.
# No bridge, no iptables: test containers use --network none or host.
#
# Sourced:   . tests/lib/dockerd.sh; sw_dockerd_start; sw_busybox_image; …; sw_dockerd_stop
#            (sets SW_DOCKERD_DIR, SW_DOCKER_SOCK, SW_DOCKERD_PID; sw_dockerd_trap stops it on exit)
# Executed:  tests/lib/dockerd.sh start      → starts engine + image, prints SW_DOCKERD_DIR=… and
#                                               SW_DOCKER_SOCK=…, leaves the engine running
#            tests/lib/dockerd.sh stop DIR   → stops the engine that lives in DIR, removes DIR

SW_DOCKERD_BIN=${SW_DOCKERD_BIN:-/usr/sbin/dockerd}
SW_DOCKER_CLI=${SW_DOCKER_CLI:-/usr/bin/docker}
SW_BUSYBOX_BIN=${SW_BUSYBOX_BIN:-/bin/busybox}
SW_BUSYBOX_IMAGE=sw-busybox:latest

_sw_log() { printf 'dockerd.sh: %s\n' "$*" >&2; }

# Direct (proxy-less) docker CLI against the private engine.
sw_docker() { _sw_docker_at "$SW_DOCKERD_DIR" 600 "$@"; }

_sw_docker_at() { # DIR SECONDS ARGS…
    local d=$1 t=$2
    shift 2
    DOCKER_HOST="unix://$d/docker.sock" DOCKER_CONFIG="$d/cli" \
        timeout "$t" "$SW_DOCKER_CLI" "$@"
}

# True when the engine answers GET /_ping with OK.
_sw_ping() {
    [ -S "$SW_DOCKER_SOCK" ] || return 1
    [ "$(curl -s -m 2 --unix-socket "$SW_DOCKER_SOCK" http://sw/_ping 2>/dev/null)" = OK ]
}

sw_dockerd_start() {
    # Short paths: containerd's sockets live under the exec root (sun_path is 108 bytes).
    SW_DOCKERD_DIR=$(mktemp -d /tmp/swd.XXXXXX) || return 1
    local d=$SW_DOCKERD_DIR ns
    ns=sw$(basename "$d" | tr -dc 'A-Za-z0-9')
    SW_DOCKER_SOCK=$d/docker.sock
    mkdir -p "$d/cli"
    # An empty config keeps /etc/docker/daemon.json out; unique containerd namespaces keep two
    # engines apart even if both end up on a shared system containerd.
    echo '{}' >"$d/daemon.json"
    setsid "$SW_DOCKERD_BIN" --config-file "$d/daemon.json" --data-root "$d/data" \
        --exec-root "$d/x" --host "unix://$SW_DOCKER_SOCK" --pidfile "$d/pid" \
        --containerd-namespace "$ns" --containerd-plugins-namespace "${ns}p" --shutdown-timeout 1 \
        --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
        </dev/null >"$d/log" 2>&1 &
    SW_DOCKERD_PID=$!
    echo "$SW_DOCKERD_PID" >"$d/launcher.pid"
    export SW_DOCKERD_DIR SW_DOCKER_SOCK SW_DOCKERD_PID
    local _
    for _ in $(seq 1 300); do
        _sw_ping && return 0
        if ! kill -0 "$SW_DOCKERD_PID" 2>/dev/null; then
            _sw_log "dockerd exited during startup; log:"
            tail -n 30 "$d/log" >&2
            return 1
        fi
        sleep 0.1
    done
    _sw_log "dockerd did not answer _ping within 30 s; log:"
    tail -n 30 "$d/log" >&2
    return 1
}

# Imports sw-busybox:latest: a static busybox plus one symlink per applet, no other files.
sw_busybox_image() {
    local root=$SW_DOCKERD_DIR/img a
    mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/root"
    cp "$SW_BUSYBOX_BIN" "$root/bin/busybox"
    for a in $("$root/bin/busybox" --list); do
        [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
    done
    tar -C "$root" -cf - . | sw_docker import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' - \
        "$SW_BUSYBOX_IMAGE" >/dev/null || return 1
    rm -rf "$root"
}

# Pids of processes whose command line mentions DIR (the engine's containerd and shims).
_sw_pids_under() {
    local p
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = "$BASHPID" ] && continue
        tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$1/" && echo "${p#/proc/}"
    done
}

_sw_wait_gone() { # PID TENTHS
    local _
    for _ in $(seq 1 "$2"); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

sw_dockerd_stop() {
    local d=${1:-$SW_DOCKERD_DIR} pid p ids
    [ -n "$d" ] && [ -d "$d" ] || return 0
    pid=$(cat "$d/pid" 2>/dev/null || cat "$d/launcher.pid" 2>/dev/null)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        # SIGKILL the containers first: dockerd would give each one 10 s to stop.
        if [ -S "$d/docker.sock" ]; then
            ids=$(_sw_docker_at "$d" 10 ps -aq)
            # shellcheck disable=SC2086 # word splitting wanted: one id per word
            [ -z "$ids" ] || _sw_docker_at "$d" 20 rm -f $ids >/dev/null 2>&1
        fi
        kill -TERM "$pid" 2>/dev/null
        _sw_wait_gone "$pid" 300 || { _sw_log "dockerd $pid ignored SIGTERM, killing"; kill -KILL "$pid"; }
    fi
    # A managed containerd normally exits with dockerd; shims and stragglers do not always.
    for p in $(_sw_pids_under "$d"); do kill -TERM "$p" 2>/dev/null; done
    for p in $(_sw_pids_under "$d"); do _sw_wait_gone "$p" 50 || kill -KILL "$p" 2>/dev/null; done
    # Leftover overlay, shm and netns mounts, innermost first.
    awk -v d="$d/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null; done
    rm -rf --one-file-system "$d"
    [ "$d" = "$SW_DOCKERD_DIR" ] && unset SW_DOCKERD_DIR SW_DOCKER_SOCK SW_DOCKERD_PID
    return 0
}

# Stops the engine when the calling shell exits (normally or on a signal).
sw_dockerd_trap() {
    trap 'sw_dockerd_stop' EXIT
    trap 'exit 130' INT TERM
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    case "${1:-}" in
    start)
        trap 'sw_dockerd_stop; exit 1' INT TERM HUP
        sw_dockerd_start || { sw_dockerd_stop; exit 1; }
        sw_busybox_image || { _sw_log "busybox image import failed"; sw_dockerd_stop; exit 1; }
        trap - INT TERM HUP
        echo "SW_DOCKERD_DIR=$SW_DOCKERD_DIR"
        echo "SW_DOCKER_SOCK=$SW_DOCKER_SOCK"
        ;;
    stop)
        [ -n "${2:-}" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
        case "$2" in /tmp/swd.*) ;; *) echo "refusing to remove $2" >&2; exit 2 ;; esac
        sw_dockerd_stop "$2"
        ;;
    *)
        echo "usage: $0 start | stop DIR" >&2
        exit 2
        ;;
    esac
fi
