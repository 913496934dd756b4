#!/usr/bin/env bash
# Runs test programs (TAP on stdout), tallies them, prints one closing line:
#   N passed, N failed, N skipped
# Exit 77 from a program means "cannot run here" and counts as skipped.
# $VALGRIND, if set, prefixes each program (make valgrind).
# Each program has a time limit ($HVD_TEST_TIMEOUT seconds, default 300;
# 1200 under valgrind): a program that hangs is killed and reported as
# failed by name, so the suite always ends.
set -uo pipefail
pass=0 fail=0 skip=0 bad_progs=()
limit=${HVD_TEST_TIMEOUT:-$([ -n "${VALGRIND:-}" ] && echo 1200 || echo 300)}
n=0
for prog in "$@"; do
    n=$((n + 1))
    name=$(basename "$prog")
    out=$(mktemp)
    rcf=$(mktemp)
    echo "# [$n/$#] $name" >&2
    started=$(date +%s)
    # the output shows as it comes (a long suite is not silent for
    # minutes) and is kept for the tally
    {
        if [[ "$prog" == *.sh ]]; then
            # scripts pass the wrapper on to the programs they run
            HVD_WRAP="${VALGRIND:-}" timeout -k 10 "$limit" bash "$prog" 2>&1
        else
            # shellcheck disable=SC2086
            timeout -k 10 "$limit" ${VALGRIND:-} "$prog" 2>&1
        fi
        echo "$?" >"$rcf"
    } | tee "$out"
    rc=$(cat "$rcf")
    rm -f "$rcf"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        echo "not ok - $name timed out after ${limit} s (killed)"
        bad_progs+=("$name (timed out after ${limit} s)")
        fail=$((fail + 1))
        rm -f "$out"
        continue
    fi
    echo "# $name: $(( $(date +%s) - started )) s, exit $rc" >&2
    # skips: cmocka's "not ok N # SKIP ..." and TAP's "ok N - name # SKIP why"
    s=$(grep -cE '^(not )?ok [0-9]+( [^#]*)?# SKIP' "$out" || true)
    f=$(grep -E '^not ok [0-9]+' "$out" | grep -cv '# SKIP' || true)
    p=$(grep -E '^ok [0-9]+' "$out" | grep -cv '# SKIP' || true)
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
    if [ "$rc" -eq 77 ]; then
        echo "# $name: skipped (exit 77)"
        skip=$((skip + 1))
    elif [ "$rc" -ne 0 ]; then
        bad_progs+=("$name (exit $rc)")
        [ "$f" -gt 0 ] || fail=$((fail + 1))
    fi
    rm -f "$out"
done
for b in "${bad_progs[@]+"${bad_progs[@]}"}"; do echo "# failed: $b"; done
echo "tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "${#bad_progs[@]}" -eq 0 ]
