#!/usr/bin/env bash
# The test runner (tests/run-tests.sh) checked against planted programs: a
# hang is killed at its time limit and reported by name, a failure and a
# skip are counted, the summary line adds them up. Prints TAP; run by make
# check through run-tests.sh itself.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/#   /' "$tmp/out" | head -20; }

printf '#!/bin/sh\necho "ok 1 - fine"\nexec sleep 600\n' >"$tmp/hangs.sh"
printf '#!/bin/sh\necho "ok 1 - a"\necho "not ok 2 - b"\nexit 1\n' >"$tmp/fails.sh"
printf '#!/bin/sh\nexit 77\n' >"$tmp/skips.sh"
printf '#!/bin/sh\necho "ok 1 - a"\necho "ok 2 - b"\necho "ok 3 - c # SKIP not here"\n' >"$tmp/passes.sh"

start=$(date +%s)
HVD_TEST_TIMEOUT=2 bash tests/run-tests.sh "$tmp/passes.sh" "$tmp/hangs.sh" \
    "$tmp/fails.sh" "$tmp/skips.sh" >"$tmp/out" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
[ "$rc" -eq 1 ] && ok "a hung program fails the run" || bad "a hung program fails the run (exit $rc)"
# the limit is 2 s and kill follows 10 s later at most; anything near 600 s is a hang
[ "$took" -lt 60 ] && ok "the hang is cut at its limit (${took} s)" || bad "the hang is cut at its limit (${took} s)"
grep -q '^not ok - hangs.sh timed out after 2 s' "$tmp/out" && ok "the hung program is named" || bad "the hung program is named"
grep -q '^# failed: fails.sh (exit 1)' "$tmp/out" && ok "a failing program is named" || bad "a failing program is named"
grep -q '^# skips.sh: skipped (exit 77)' "$tmp/out" && ok "exit 77 counts as skipped" || bad "exit 77 counts as skipped"
grep -q '^# \[2/4\] hangs.sh' "$tmp/out" && ok "progress names each program" || bad "progress names each program"
grep -q '^tests: 3 passed, 2 failed, 2 skipped$' "$tmp/out" && ok "summary adds them up, a named TAP skip too" || bad "summary adds them up, a named TAP skip too"

# progress: a program's lines show while it still runs
printf '#!/bin/sh\necho "ok 1 - early"\nsleep 4\necho "ok 2 - late"\n' >"$tmp/slow.sh"
bash tests/run-tests.sh "$tmp/slow.sh" >"$tmp/live" 2>&1 &
pid=$!
sleep 2
if grep -q '^ok 1 - early' "$tmp/live" && ! grep -q '^ok 2 - late' "$tmp/live"; then
    ok "output shows while the program runs"
else
    cp "$tmp/live" "$tmp/out"; bad "output shows while the program runs"
fi
wait "$pid"
echo "1..$n"
