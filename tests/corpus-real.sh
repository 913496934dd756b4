#!/usr/bin/env bash
# The real-capable part of the corpus on qemu:///system (every scenario host
# maps to it), then the same scenarios on the fake and on libvirt side by
# side: a difference in their normalised traces fails. Prints TAP.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hvd="${HVD_BIN:-build/hvd}"
uri="${HVD_URI:-qemu:///system}"
# shellcheck disable=SC2086
${HVD_WRAP:-} "$hvd" run --backend libvirt --host "*=$uri" \
    --junit build/corpus-real.xml --trace build/real-traces scenarios
rc=$?
# shellcheck disable=SC2086
cmp_out=$(${HVD_WRAP:-} "$hvd" compare --host "*=$uri" scenarios)
crc=$?
# compare prints "ok - NAME: ..." lines: number them for TAP
i=1000
while IFS= read -r line; do
    case "$line" in
        "ok - "*) echo "ok $i - compare ${line#ok - }"; i=$((i + 1)) ;;
        "not ok - "*) echo "not ok $i - compare ${line#not ok - }"; i=$((i + 1)) ;;
        *) echo "# $line" ;;
    esac
done <<<"$cmp_out"
[ "$rc" -eq 0 ] && [ "$crc" -eq 0 ]
