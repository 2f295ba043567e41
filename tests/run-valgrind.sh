#!/bin/bash
# `make valgrind`: every plain unit-test binary given as an argument under valgrind, then a short
# proxy run (build/sockwarden under valgrind, ~50 requests against a fake engine, SIGTERM).
# Any valgrind error or definite leak fails. Writes build/results/valgrind "valgrind <pass> <fail>".
set -u
cd "$(dirname "$0")/.." || exit 1

VG=(valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite
    --errors-for-leak-kinds=definite -q)
SW_PLAIN=${SW_PLAIN:-build/sockwarden}
logs=$(mktemp -d /tmp/sw-valgrind.XXXXXX)
trap 'rm -rf "$logs"' EXIT
pass=0 fail=0

for t in "$@"; do
    name=$(basename "$t")
    timeout 600 "${VG[@]}" --log-file="$logs/$name.vg" "$t" >"$logs/$name.out" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1))
        echo "  ok   $name"
    else
        fail=$((fail + 1))
        echo "  FAIL $name (exit $rc)"
        tail -n 20 "$logs/$name.out" | sed 's/^/    /'
        sed 's/^/    /' "$logs/$name.vg" | head -n 60
    fi
done

if [ -x "$SW_PLAIN" ]; then
    if timeout 300 /usr/bin/python3 tests/lib/proxy_smoke.py "$logs/proxy.out" -- \
        "${VG[@]}" --log-file="$logs/proxy.vg" "$SW_PLAIN" >"$logs/smoke" 2>&1 &&
        [ ! -s "$logs/proxy.vg" ]; then
        pass=$((pass + 1))
        echo "  ok   proxy under valgrind: $(tail -n 1 "$logs/smoke")"
    else
        fail=$((fail + 1))
        echo "  FAIL proxy under valgrind"
        sed 's/^/    /' "$logs/smoke"
        tail -n 20 "$logs/proxy.out" | sed 's/^/    /'
        sed 's/^/    /' "$logs/proxy.vg" | head -n 80
    fi
else
    fail=$((fail + 1))
    echo "  FAIL $SW_PLAIN is missing"
fi

mkdir -p build/results
echo "valgrind $pass $fail" >build/results/valgrind
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
