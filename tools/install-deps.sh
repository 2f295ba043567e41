#!/bin/bash
# Installs everything `make test` needs on Debian 12, as root, without prompts. Idempotent: when
# every package is already installed it makes no apt call at all, so repeated runs are fast.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

cd "$(dirname "$0")/.."

PKGS=(
    build-essential gcc make git clang-14 libclang-rt-14-dev clang-format valgrind musl-tools
    docker.io containerd runc busybox-static
    python3 python3-docker python3-pytest python3-pytest-timeout
    nodejs haproxy nginx-light wrk curl socat iproute2 procps
    docker-compose rootlesskit uidmap slirp4netns groff-base strace
)

missing=()
installed=" $(dpkg-query -W -f='${Package}=${db:Status-Status} ' "${PKGS[@]}" 2>/dev/null || true)"
for p in "${PKGS[@]}"; do
    [[ $installed == *" $p=installed "* ]] || missing+=("$p")
done
# Debian's npm conflicts with a newer nodejs that already ships npm; ask for it only if absent.
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    [ "$(id -u)" = 0 ] || { echo "install-deps: must run as root to install packages" >&2; exit 1; }
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
else
    echo "install-deps: Debian packages present"
fi

# dockerode for the Node.js client test; node_modules stays out of git. Reinstalled when the
# lockfile changes.
node_dir=tests/integration/node
stamp=$node_dir/node_modules/.sw-lock.sha256
want=$(sha256sum "$node_dir/package-lock.json" | cut -d' ' -f1)
if [ ! -d "$node_dir/node_modules/dockerode" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "install-deps: npm ci in $node_dir"
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error </dev/null)
    echo "$want" >"$stamp"
else
    echo "install-deps: dockerode present"
fi
