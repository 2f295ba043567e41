#!/bin/bash
# `make integration`: the real-engine suite with Debian's python3 (python3-docker lives there).
# Writes build/results/integration as "integration <passed> <failed>"; errors count as failures.
set -u
cd "$(dirname "$0")/../.." || exit 1

PY=/usr/bin/python3
mkdir -p build/results
junit=$(mktemp /tmp/sw-junit.XXXXXX.xml)
trap 'rm -f "$junit"' EXIT

args=(-q --junitxml="$junit" tests/integration)
if "$PY" -c 'import pytest_timeout' 2>/dev/null; then
    args+=(--timeout=300)
fi
# The whole suite is bounded too, in case one test wedges outside pytest's reach.
timeout -k 30 2400 "$PY" -m pytest "${args[@]}" "$@"
rc=$?

read -r passed failed < <("$PY" - "$junit" <<'EOF'
import sys
import xml.etree.ElementTree as ET

try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception:
    print(0, 1)
    sys.exit()
passed = failed = 0
for case in root.iter("testcase"):
    kinds = {child.tag for child in case}
    if kinds & {"failure", "error"}:
        failed += 1
    elif "skipped" not in kinds:
        passed += 1
print(passed, failed)
EOF
)
# pytest exits 5 when it collected nothing: that is a failure here.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; rc=1; fi
echo "integration $passed $failed" >build/results/integration
echo "integration: $passed passed, $failed failed"
exit $((rc != 0))
