#!/usr/bin/env bash
# Installs the Debian 12 packages hvd needs (idempotent).
#   bash ci/deps.sh               everything: build, unit tests, libvirtd+QEMU, tiny guest
#   bash ci/deps.sh --build-only  only what building and the unit tests against
#                                 test:///default need (no daemon, no QEMU)
#   bash ci/deps.sh --fuzz        the build set and clang with libFuzzer and the
#                                 sanitizer runtimes (make fuzz)
# Runs apt-get update only when something is missing. Must be root to install;
# otherwise prints the apt-get command and exits 1.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

BUILD_PKGS=(
    build-essential pkg-config
    libvirt-dev          # pulls libvirt0: the test:///default driver and the
                         # RelaxNG schemas (domain.rng) test-drv-xml validates with
    libxml2-dev libjansson-dev libcmocka-dev libglib2.0-dev
    lcov valgrind
    python3              # tests/test-migrate-plan runs the reference's formulas
)
# Note: Debian 12 has no libvirt-daemon-driver-storage package; the storage
# driver and its dir/fs backends ship inside libvirt-daemon itself.
FULL_PKGS=(
    libvirt-daemon libvirt-daemon-driver-qemu
    libvirt-clients      # virsh, virt-xml-validate
    qemu-system-x86 qemu-utils
    busybox-static cpio gzip xz-utils
    tini                 # subreaper for libvirtd: fast domain destroy (see libvirtd-up.sh)
    genisoimage          # config drives: the libvirt backend's instance_iso_build
)
# make fuzz only: clang, and compiler-rt's libFuzzer, ASan and UBSan runtimes
FUZZ_PKGS=(
    clang libclang-rt-14-dev
)

mode=full
case "${1:-}" in
    "") ;;
    --build-only) mode=build ;;
    --fuzz) mode=fuzz ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$1' (use --build-only, --fuzz or nothing)" ;;
esac

want=("${BUILD_PKGS[@]}")
[ "$mode" = full ] && want+=("${FULL_PKGS[@]}")
[ "$mode" = fuzz ] && want+=("${FUZZ_PKGS[@]}")

missing=()
for p in "${want[@]}"; do
    pkg_installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
    log "all ${#want[@]} packages present ($mode set)"
    exit 0
fi

install_cmd=(apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}")
if ! is_root; then
    log "missing packages: ${missing[*]}"
    log "run as root:"
    printf '  apt-get update && DEBIAN_FRONTEND=noninteractive %s\n' "${install_cmd[*]}" >&2
    exit 1
fi

log "missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_retry apt-get update -o DPkg::Lock::Timeout=600
apt_retry "${install_cmd[@]}"

still=()
for p in "${missing[@]}"; do pkg_installed "$p" || still+=("$p"); done
[ "${#still[@]}" -eq 0 ] || die "still not installed: ${still[*]}"
log "installed: ${missing[*]}"
