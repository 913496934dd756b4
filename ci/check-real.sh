#!/usr/bin/env bash
# The real-QEMU suite: brings up libvirtd (qemu:///system), a second host B
# (ci/host-b.sh, for live and cold migration between two real hosts) and
# the tiny guest, then runs every test program's real-backend part on it, and last
# the fault stage (ci/real-faults.sh: QEMU killed, pool filled, daemon
# restarted), when nothing else shares the daemon.
#   bash ci/check-real.sh           (make check-real calls this)
# Needs root. Takes a few minutes: each case boots a real TCG guest.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
need_root
cd "$HVD_ROOT"

bash "$HVD_CI_DIR/deps.sh"
bash "$HVD_CI_DIR/libvirtd-up.sh"
# host B for tests/test-migrate-real and -cold (about 7 s up, 2 s down); it goes down
# however the suite ends, and before the fault stage restarts A's daemon
trap 'bash "$HVD_CI_DIR/host-b.sh" down || true' EXIT
# (an assignment, so that a failed up stops the suite under set -e)
host_b_env="$(bash "$HVD_CI_DIR/host-b.sh" up)"
eval "$host_b_env"
export HVD_HOST_B_URI HVD_HOST_A_URI_FROM_B HVD_MIGRATION_URI
eval "$(bash "$HVD_CI_DIR/tiny-guest.sh")"
eval "$(bash "$HVD_CI_DIR/guest-probe.sh")"
export HVD_GUEST_KERNEL HVD_GUEST_INITRD HVD_VIRT_TYPE
export HVD_REAL=1 HVD_BACKENDS=qemu
log "real suite on qemu:///system, virt type $HVD_VIRT_TYPE"

progs=()
for p in build/tests/test-conformance build/tests/test-driver-real \
         build/tests/test-files build/tests/test-drv-xml build/tests/test-diag \
         build/tests/test-migrate-checks build/tests/test-migrate-real \
         build/tests/test-migrate-cold \
         tests/corpus-real.sh; do
    [ -x "$p" ] && progs+=("$p")
done
# real guests take real seconds: the corpus alone runs about 6 minutes here
# (each scenario also on the fake), so each program gets 20 minutes before
# it counts as hung
rc=0
HVD_TEST_TIMEOUT="${HVD_TEST_TIMEOUT:-1200}" bash tests/run-tests.sh "${progs[@]}" || rc=$?
bash "$HVD_CI_DIR/host-b.sh" down || rc=$?
trap - EXIT
# last, with the daemon to itself: faults that kill QEMU, fill a pool and
# restart libvirtd (about 100 s)
bash "$HVD_CI_DIR/real-faults.sh" || rc=$?
exit "$rc"
