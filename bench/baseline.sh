#!/bin/bash
# bench/baseline.sh REV [DIR] — builds sockwarden as it was at commit REV, for before/after runs:
# the tree of REV is exported (git archive, no checkout of this work tree is touched) into
# DIR/src-REV and built there with its own Makefile; prints the path of the binary.
# DIR defaults to build/bench/baseline. An existing build of the same commit is reused.
#   bench/baseline.sh 1c7f02e            → build/bench/baseline/1c7f02e…/build/sockwarden
# `make bench BENCH_BASELINE_REV=REV` calls this and runs that binary as "before" in every round.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=$(git rev-parse --verify --quiet "${1:?usage: bench/baseline.sh REV [DIR]}^{commit}") ||
    { echo "baseline: $1 is not a commit of this repository" >&2; exit 1; }
dir=${2:-build/bench/baseline}/$rev
bin=$dir/build/sockwarden
if [ ! -x "$bin" ] || ! "$bin" --version >/dev/null 2>&1; then
    rm -rf "$dir"
    mkdir -p "$dir"
    git archive "$rev" | tar -x -C "$dir"
    make -s -C "$dir" -j"$(nproc)" build/sockwarden >"$dir/make.log" 2>&1 ||
        { echo "baseline: building $rev failed:" >&2; tail -20 "$dir/make.log" >&2; exit 1; }
fi
echo "$bin"
