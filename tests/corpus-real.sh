#!/usr/bin/env bash
# The real-capable part of the corpus on qemu:///system (every scenario
# host maps to it), each scenario also run on the fake and compared: a
# difference in their normalised traces (steps, lifecycle events) fails.
# Prints TAP; run by ci/check-real.sh through run-tests.sh.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hvd="${HVD_BIN:-build/hvd}"
uri="${HVD_URI:-qemu:///system}"
# with host B up (ci/host-b.sh: HVD_HOST_B_URI, and HVD_MIGRATION_URI, which
# hvd reads itself), a scenario's host "b" is B: the migrate scenarios move
# guests between the two real hosts; without it, b maps to A like any host
hosts=(--host "*=$uri")
[ -z "${HVD_HOST_B_URI:-}" ] || hosts=(--host "b=$HVD_HOST_B_URI" "${hosts[@]}")
# shellcheck disable=SC2086
exec ${HVD_WRAP:-} "$hvd" run --backend libvirt "${hosts[@]}" --compare \
    --junit build/corpus-real.xml --trace build/real-traces scenarios
