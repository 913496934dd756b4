#!/usr/bin/env bash
# End-to-end check of the platform the real-libvirt backend relies on, with
# timings on stderr. Needs libvirtd-up.sh first; builds/probes as needed.
#   bash ci/guest-smoke.sh
# Checks: (1) boot to HVD-GUEST-READY then ACPI shutdown powers it off;
# (2) ACPI reboot keeps the domain ID and reaches the ready line again;
# (3) with hvd.noacpi the guest ignores `virsh shutdown` for 10 s, then is
# destroyed. Ends with "smoke: N passed, N failed"; exit 1 on any failure.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

case "${1:-}" in
    "") ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$1'" ;;
esac

virsh -c "$HVD_URI" version >/dev/null 2>&1 ||
    die "cannot connect to $HVD_URI; run: bash $HVD_CI_DIR/libvirtd-up.sh"
eval "$(bash "$HVD_CI_DIR/tiny-guest.sh")"
eval "$(bash "$HVD_CI_DIR/guest-probe.sh")"

DIR="$HVD_CACHE/smoke"
mkdir -p "$DIR"
passed=0 failed=0 doms=()
cleanup() { local d; for d in "${doms[@]}"; do vsh destroy "$d" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
ok()   { passed=$((passed + 1)); log "PASS: $*"; }
fail() { failed=$((failed + 1)); log "FAIL: $*"; }

# wait_for FILE PATTERN COUNT SECS: until PATTERN occurs COUNT times in FILE
wait_for() {
    local end=$(( $(now_ms) + $4 * 1000 ))
    while [ "$(grep -c "$2" "$1" 2>/dev/null || true)" -lt "$3" ]; do
        [ "$(now_ms)" -lt "$end" ] || return 1
        sleep 0.05
    done
}
# wait_gone NAME SECS
wait_gone() {
    local end=$(( $(now_ms) + $2 * 1000 ))
    while vsh domstate "$1" >/dev/null 2>&1; do
        [ "$(now_ms)" -lt "$end" ] || return 1
        sleep 0.05
    done
}
# boot NAME [--noacpi]: creates a transient guest, waits for the ready line
boot() {
    local name="$1" logf="$DIR/$1.log" t0 t1
    shift
    rm -f "$logf"
    t0=$(now_ms)
    vsh create /dev/stdin >/dev/null <<<"$(bash "$HVD_CI_DIR/guest-xml.sh" "$name" --log "$logf" "$@" 2>/dev/null)"
    doms+=("$name")
    t1=$(now_ms)
    if wait_for "$logf" '^HVD-GUEST-READY' 1 30; then
        log "$name: create $(( t1 - t0 )) ms, boot to ready $(( $(now_ms) - t1 )) ms"
    else
        log "$name: no ready line in 30 s; serial log:"; tail -n 20 "$logf" >&2 || true
        return 1
    fi
}

n="hvd-smoke-acpi-$$"
if boot "$n"; then
    t0=$(now_ms); vsh shutdown "$n" >/dev/null
    if wait_gone "$n" 15; then ok "ACPI shutdown: gone after $(( $(now_ms) - t0 )) ms"
    else fail "ACPI shutdown: still $(vsh domstate "$n" 2>&1) after 15 s"; fi
else fail "boot ($n)"; fi

n="hvd-smoke-reboot-$$"
if boot "$n"; then
    id0="$(vsh domid "$n")"; t0=$(now_ms); vsh reboot "$n" >/dev/null
    if wait_for "$DIR/$n.log" '^HVD-GUEST-READY' 2 30; then
        id1="$(vsh domid "$n")"
        if [ "$id0" = "$id1" ]; then ok "ACPI reboot: ready again after $(( $(now_ms) - t0 )) ms, same ID $id0"
        else fail "ACPI reboot: ID changed $id0 -> $id1"; fi
    else fail "ACPI reboot: no second ready line in 30 s"; fi
    t0=$(now_ms); vsh destroy "$n" >/dev/null
    wait_gone "$n" 10 || true
    log "$n: destroy $(( $(now_ms) - t0 )) ms"
else fail "boot ($n)"; fi

n="hvd-smoke-noacpi-$$"
if boot "$n" --noacpi; then
    vsh shutdown "$n" >/dev/null
    if wait_gone "$n" 10; then fail "hvd.noacpi: guest powered off on ACPI shutdown"
    else ok "hvd.noacpi: still $(vsh domstate "$n") 10 s after virsh shutdown"; fi
    t0=$(now_ms); vsh destroy "$n" >/dev/null 2>&1 || true
    wait_gone "$n" 10 || true
    log "$n: destroy $(( $(now_ms) - t0 )) ms"
else fail "boot ($n)"; fi

[ "$failed" -ne 0 ] || rm -f "$DIR"/hvd-smoke-*-$$.log   # keep logs of failed runs
echo "smoke: $passed passed, $failed failed" >&2
[ "$failed" -eq 0 ]
