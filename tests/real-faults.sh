#!/usr/bin/env bash
# The real-fault scenarios on qemu:///system, each also run on the fake and
# compared: a QEMU process killed (guest_crash), a storage pool filled
# (disk_full), the daemon stopped and started (connection_lost), also
# while power_off waits. Prints
# TAP. Run by ci/real-faults.sh, which hands over the pool to fill
# (HVD_FILL_POOLS) and the daemon (HVD_DAEMON_CTL); without them those
# scenarios are skipped with the reason.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hvd="${HVD_BIN:-build/hvd}"
uri="${HVD_URI:-qemu:///system}"
# shellcheck disable=SC2086
exec ${HVD_WRAP:-} "$hvd" run --backend libvirt --host "*=$uri" --compare \
    --junit build/real-faults.xml --trace build/real-fault-traces \
    scenarios/failure/guest-crash-both.json \
    scenarios/spawn/disk-full-both.json \
    scenarios/host/connection-lost-both.json \
    scenarios/host/restart-during-power-off.json
