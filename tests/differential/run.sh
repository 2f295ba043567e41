#!/bin/bash
# The differential test: sockwarden against Debian's HAProxy running Tecnativa's rule chain.
# Writes build/results/differential as "differential <passed> <failed>" (conftest.py counts;
# errors are failures) and the table to build/differential/summary.txt. SW_BIN picks another
# sockwarden binary (default build/sockwarden).
set -u
cd "$(dirname "$0")/../.." || exit 1

mkdir -p build/results build/differential
rm -f build/differential/summary.txt
out=build/results/differential
echo "differential 0 1" >"$out" # stays if pytest dies before its session ends

args=(-q tests/differential)
if /usr/bin/python3 -c 'import pytest_timeout' 2>/dev/null; then
    args+=(--timeout=600)
fi
DIFF_RESULTS="$out" timeout -k 30 1200 /usr/bin/python3 -m pytest "${args[@]}" "$@"
rc=$?
read -r _ passed failed <"$out"
echo "differential: $passed passed, $failed failed"
exit $((rc != 0))
