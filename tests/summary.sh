#!/bin/sh
# `make test`'s last step: one line per suite from build/results/*, then the totals.
# Each results file holds "<suite> <passed> <failed>".
cd "$(dirname "$0")/.." || exit 1
pass=0 fail=0
for f in build/results/*; do
    [ -f "$f" ] || continue
    read -r suite p q <"$f" || continue
    case "$p$q" in *[!0-9]* | "") echo "$suite: unreadable results in $f"; fail=$((fail + 1)); continue ;; esac
    printf '%-12s %6s passed, %s failed\n' "$suite" "$p" "$q"
    pass=$((pass + p)); fail=$((fail + q))
done
echo "total: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
