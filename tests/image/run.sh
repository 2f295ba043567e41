#!/bin/bash
# Builds the static binary, then runs the image suite (tests/image) against a private dockerd:
# the image is built there from the Dockerfile and run the seed's way. Writes
# build/results/image as "image <passed> <failed>" and exits non-zero on any failure. Also runs it
# on a rootless engine, and checks the examples and the docs against the source.
set -u
cd "$(dirname "$0")/../.."
mkdir -p build/results
echo "image 0 1" >build/results/image # until the suite has run

if ! make --no-print-directory -s static; then
    echo "image: make static failed"
    echo "image: 0 passed, 1 failed"
    exit 1
fi

# Debian packages this suite needs beyond tools/install-deps.sh: docker-compose (checks examples/),
# rootlesskit and uidmap (a rootless engine, the seed's set-up). Installed when missing.
need=()
for pair in docker-compose:docker-compose rootlesskit:rootlesskit newuidmap:uidmap; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "image: installing ${need[*]} (Debian)"
    { apt-get install -y -q --no-install-recommends "${need[@]}" ||
        { apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}"; }; } \
        </dev/null >/dev/null 2>&1 || echo "image: could not install ${need[*]}"
fi

out=$(mktemp)
(cd tests/image && timeout 1200 /usr/bin/python3 -m pytest -q "$@") 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
summary=$(grep -E '^=*.*[0-9]+ (passed|failed|error)' "$out" | tail -n 1)
rm -f "$out"
count() { printf '%s' "$summary" | grep -oE "[0-9]+ $1\\b" | grep -oE '[0-9]+' || echo 0; }
pass=$(count passed)
fail=$(($(count failed) + $(count "errors?")))
[ "$rc" -eq 0 ] || [ "$fail" -gt 0 ] || fail=1
echo "image $pass $fail" >build/results/image
[ -f build/image/sizes ] && echo "image: sizes: $(cat build/image/sizes)"
echo "image: $pass passed, $fail failed"
[ "$rc" -eq 0 ] && [ "$fail" -eq 0 ]
