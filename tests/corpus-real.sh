#!/usr/bin/env bash
# The real-capable part of the corpus on qemu:///system (every scenario
# host maps to it), each scenario also run on the fake and compared: a
# difference in their normalised traces (steps, lifecycle events) fails.
# Prints TAP; run by ci/check-real.sh through run-tests.sh.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hvd="${HVD_BIN:-build/hvd}"
uri="${HVD_URI:-qemu:///system}"
# shellcheck disable=SC2086
exec ${HVD_WRAP:-} "$hvd" run --backend libvirt --host "*=$uri" --compare \
    --junit build/corpus-real.xml --trace build/real-traces scenarios
