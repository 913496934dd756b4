#!/usr/bin/env bash
# Runs hvd's libFuzzer targets (make fuzz builds them first):
#   bash fuzz/run.sh BUILD SECONDS TARGET...
# Each target BUILD/fuzz/fuzz-TARGET runs for SECONDS on one core, starting
# from its seeds (fuzz/corpus/TARGET/, read only) and its corpus grown by
# earlier runs (BUILD/corpus/TARGET/, where new inputs go); a crash, leak or
# timeout is written to BUILD/crashes/TARGET/. Prints per target a TAP line
# with executions, exec/s and coverage (cov, ft: libFuzzer's last stats
# line), then "tests: N passed, N failed, 0 skipped". Exit 1 if any target
# crashed. Extra libFuzzer flags: $FUZZ_FLAGS.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ "$#" -ge 3 ] || { echo "usage: $0 BUILD SECONDS TARGET..." >&2; exit 2; }
build=$1 seconds=$2
shift 2

# -max_len per target: room for the seeds and more; short inputs run faster
# and the structure the parsers care about is small
max_len() {
    case "$1" in
        scn-parse) echo 8192 ;;
        config-load) echo 2048 ;;
        *) echo 4096 ;;
    esac
}

# libFuzzer's dictionary per target: syntax worth splicing in
dict() {
    case "$1" in
        fake-xml) echo fuzz/dict/xml.dict ;;
        *) echo fuzz/dict/json.dict ;;
    esac
}

pass=0 fail=0 n=0
for t in "$@"; do
    n=$((n + 1))
    bin="$build/fuzz/fuzz-$t"
    corpus="$build/corpus/$t" crashes="$build/crashes/$t" out="$build/fuzz-$t.log"
    mkdir -p "$corpus" "$crashes"
    if [ ! -x "$bin" ]; then
        echo "not ok $n - fuzz $t: $bin not built"
        fail=$((fail + 1))
        continue
    fi
    echo "# fuzz $t: ${seconds} s (log: $out)" >&2
    # shellcheck disable=SC2086
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bin" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
        -dict="$(dict "$t")" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$crashes/" ${FUZZ_FLAGS:-} \
        "$corpus" "fuzz/corpus/$t" >"$out" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out" | tail -1)
    last=$(grep -E '^#[0-9]+' "$out" | grep -E ' cov: ' | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    stats="${execs:-?} execs, ${rate:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}"
    if [ "$rc" -eq 0 ]; then
        echo "ok $n - fuzz $t: $stats, no crash"
        pass=$((pass + 1))
    else
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$out" | tail -1)
        echo "not ok $n - fuzz $t: $stats, CRASH (exit $rc): ${artifact:-see $out}"
        grep -m1 -E '^(==[0-9]+==ERROR|.*runtime error|fuzz [a-z-]+: |ALARM|==[0-9]+== ERROR)' "$out" | sed 's/^/#   /'
        fail=$((fail + 1))
    fi
done
echo "1..$n"
echo "tests: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
