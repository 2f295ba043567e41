#!/bin/bash
# `make fuzz` / `make fuzz-smoke`: tests/run-fuzz.sh SECONDS BIN…
# Runs each libFuzzer binary for SECONDS on a scratch copy of fuzz/corpus/<name> (new inputs land
# there, so the repository corpus stays small; the repository dir is passed too, read-only).
# Writes build/results/fuzz "fuzz <targets ok> <targets failed>"; prints executions per target.
set -u
cd "$(dirname "$0")/.." || exit 1

secs=${1:?usage: run-fuzz.sh SECONDS BIN...}
shift
mkdir -p build/results
if [ $# -eq 0 ]; then
    echo "fuzz: no harnesses yet (fuzz/fuzz_*.c); nothing to run"
    echo "fuzz 0 0" >build/results/fuzz
    exit 0
fi

work=$(mktemp -d /tmp/sw-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
ok=0 bad=0 total=0

for bin in "$@"; do
    name=$(basename "$bin")
    seed=fuzz/corpus/$name
    scratch=$work/$name
    mkdir -p "$scratch/corpus" "$scratch/artifacts"
    dirs=("$scratch/corpus")
    if [ -d "$seed" ]; then
        cp -r "$seed/." "$scratch/corpus/"
        dirs+=("$seed")
    fi
    # Hard bound beyond libFuzzer's own: -max_total_time plus slack for startup and merge.
    timeout -k 10 $((secs + 120)) "$bin" -max_total_time="$secs" -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$scratch/artifacts/" \
        "${dirs[@]}" >"$scratch/log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/log" | tail -n 1)
    execs=${execs:-0}
    total=$((total + execs))
    if [ $rc -eq 0 ] && [ "$execs" -gt 0 ]; then
        ok=$((ok + 1))
        echo "  ok   $name: $execs executions in ${secs}s"
    else
        bad=$((bad + 1))
        echo "  FAIL $name (exit $rc, $execs executions)"
        grep -m1 -A24 -E '^==[0-9]+==ERROR|runtime error|deadly signal|Timeout|out-of-memory' \
            "$scratch/log" | sed 's/^/    /'
        mkdir -p build/fuzz-artifacts
        for a in "$scratch/artifacts"/*; do
            [ -e "$a" ] || continue
            cp "$a" "build/fuzz-artifacts/$name-$(basename "$a")"
            echo "    reproducer: build/fuzz-artifacts/$name-$(basename "$a")"
        done
    fi
done

echo "fuzz $ok $bad" >build/results/fuzz
echo "fuzz: $total executions in all"
echo "fuzz: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
