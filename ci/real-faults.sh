#!/usr/bin/env bash
# The last stage of the real suite: faults that need the daemon to itself
# (ci/check-real.sh runs it after every other program). Sets up a small
# storage pool "hvd-small" (a dir pool on a 64 MiB tmpfs at
# /var/lib/hvd/small-pool, transient) for disk_full, hands it and the daemon
# (ci/daemon-ctl.sh) over to the harness, runs tests/real-faults.sh through
# tests/run-tests.sh (TAP, one "tests:" line), and cleans up: the pool and
# its tmpfs go, libvirtd is left running as ci/libvirtd-up.sh leaves it.
#   bash ci/real-faults.sh          (after libvirtd-up.sh, tiny-guest.sh,
#                                    guest-probe.sh; their variables exported)
# About 100 s.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_root
cd "$HVD_ROOT"

SMALL_POOL=hvd-small
SMALL_DIR=/var/lib/hvd/small-pool
mounted=0
cleanup() {
    local v
    # the daemon must be up whatever happened (a fault may have stopped it)
    bash "$HVD_CI_DIR/libvirtd-up.sh" 2>/dev/null || warn "libvirtd-up.sh failed after the stage"
    if vsh pool-info "$SMALL_POOL" >/dev/null 2>&1; then
        for v in $(vsh vol-list "$SMALL_POOL" 2>/dev/null | awk '{print $1}'); do
            warn "pool $SMALL_POOL: deleting leftover volume $v"
            vsh vol-delete --pool "$SMALL_POOL" "$v" >/dev/null 2>&1 || true
        done
        vsh pool-destroy "$SMALL_POOL" >/dev/null 2>&1 || true
    fi
    if [ "$mounted" -eq 1 ]; then
        umount "$SMALL_DIR" && rmdir "$SMALL_DIR" || warn "could not remove $SMALL_DIR"
    fi
}
trap cleanup EXIT

vsh pool-info "$SMALL_POOL" >/dev/null 2>&1 && die "pool $SMALL_POOL already exists; remove it first"
mountpoint -q "$SMALL_DIR" 2>/dev/null && die "$SMALL_DIR is already a mount point"
mkdir -p "$SMALL_DIR"
mount -t tmpfs -o size=64m,mode=0755 hvd-small "$SMALL_DIR"
mounted=1
vsh pool-create-as "$SMALL_POOL" dir --target "$SMALL_DIR" >/dev/null
log "pool $SMALL_POOL on a 64 MiB tmpfs at $SMALL_DIR"

export HVD_FILL_POOLS="$SMALL_POOL"
export HVD_DAEMON_CTL="bash $HVD_CI_DIR/daemon-ctl.sh"
export HVD_REAL=1
# each scenario takes under a minute; the whole stage about 100 s
HVD_TEST_TIMEOUT="${HVD_FAULTS_TIMEOUT:-300}" bash tests/run-tests.sh tests/real-faults.sh
