#!/bin/sh
# Runs each unit-test binary (built with ASan+UBSan) and adds up their counts.
set -u
pass=0; fail=0; rc=0
for t in "$@"; do
    out=$("$t" 2>&1); r=$?
    printf '%s\n' "$out" | tail -n 20 | grep -v '^$' | sed 's/^/  /'
    line=$(printf '%s\n' "$out" | grep -E ': [0-9]+ passed, [0-9]+ failed' | tail -n 1)
    p=$(printf '%s' "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/'); f=$(printf '%s' "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    [ -n "$p" ] || { p=0; f=1; }
    [ $r -eq 0 ] || { rc=1; [ "$f" -gt 0 ] || f=1; }
    pass=$((pass + p)); fail=$((fail + f))
done
mkdir -p build/results; echo "unit $pass $fail" > build/results/unit
echo "unit: $pass passed, $fail failed"
exit $rc
