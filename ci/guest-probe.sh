#!/usr/bin/env bash
# Finds which libvirt domain type boots the tiny guest on this machine and
# prints (stdout) exactly one line:  HVD_VIRT_TYPE=kvm   or   HVD_VIRT_TYPE=qemu
#   eval "$(bash ci/guest-probe.sh)"            # after libvirtd-up.sh
#   bash ci/guest-probe.sh --force               # ignore the cached answer
# Tries type 'kvm' first (only if /dev/kvm exists, 20 s to reach the ready
# line), then 'qemu' (TCG, 30 s). The answer is cached in
# $HVD_CACHE/virt-type. $HVD_VIRT_TYPE, when set, is taken as is.
# Exit 1 if neither type boots.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

force=0
case "${1:-}" in
    "") ;;
    --force) force=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$1' (use --force or nothing)" ;;
esac

CACHEF="$HVD_CACHE/virt-type"
if [ -n "${HVD_VIRT_TYPE:-}" ] && [ "$force" -eq 0 ]; then
    case "$HVD_VIRT_TYPE" in kvm|qemu) ;; *) die "HVD_VIRT_TYPE must be kvm or qemu" ;; esac
    log "using HVD_VIRT_TYPE=$HVD_VIRT_TYPE from the environment"
    echo "HVD_VIRT_TYPE=$HVD_VIRT_TYPE"
    exit 0
fi
if [ "$force" -eq 0 ] && [ -s "$CACHEF" ]; then
    t="$(cat "$CACHEF")"
    case "$t" in
        kvm|qemu) log "cached answer ($CACHEF): $t"; echo "HVD_VIRT_TYPE=$t"; exit 0 ;;
    esac
fi

need_cmd virsh
virsh -c "$HVD_URI" version >/dev/null 2>&1 ||
    die "cannot connect to $HVD_URI; run: bash $HVD_CI_DIR/libvirtd-up.sh"
bash "$HVD_CI_DIR/tiny-guest.sh" >/dev/null

PROBE_DIR="$HVD_CACHE/probe"
mkdir -p "$PROBE_DIR"
current=""
cleanup() {
    [ -n "$current" ] || return 0
    vsh destroy "$current" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# gone NAME SECS: waits until the domain no longer exists
gone() {
    local end=$(( $(now_ms) + $2 * 1000 ))
    while vsh domstate "$1" >/dev/null 2>&1; do
        [ "$(now_ms)" -lt "$end" ] || return 1
        sleep 0.1
    done
}

# try TYPE SECS: true if a guest of that type prints the ready line in time
try() {
    local type="$1" secs="$2" name logf xml t0 t1 t2 ok=1
    name="hvd-probe-$type-$$"
    logf="$PROBE_DIR/probe-$type.log"
    rm -f "$logf"
    xml="$(bash "$HVD_CI_DIR/guest-xml.sh" "$name" --type "$type" --log "$logf" 2>/dev/null)"
    log "trying domain type '$type' (up to $secs s)"
    t0=$(now_ms)
    if ! vsh create /dev/stdin <<<"$xml" >/dev/null; then
        warn "creating a '$type' domain failed"
        return 1
    fi
    current="$name"
    t1=$(now_ms)
    while ! grep -q '^HVD-GUEST-READY' "$logf" 2>/dev/null; do
        if [ "$(now_ms)" -ge $(( t1 + secs * 1000 )) ]; then ok=0; break; fi
        if [ "$(vsh domstate "$name" 2>/dev/null || true)" != running ]; then ok=0; break; fi
        sleep 0.1
    done
    t2=$(now_ms)
    if [ "$ok" -eq 1 ]; then
        log "'$type': created in $(( t1 - t0 )) ms, ready line after $(( t2 - t1 )) ms"
    else
        warn "'$type': no ready line after $(( t2 - t1 )) ms (state: $(vsh domstate "$name" 2>/dev/null || echo gone))"
    fi
    vsh destroy "$name" >/dev/null 2>&1 || true
    gone "$name" 10 || warn "probe domain $name still listed 10 s after destroy"
    log "destroyed in $(( $(now_ms) - t2 )) ms"
    current=""
    [ "$ok" -eq 1 ]
}

answer=""
if [ -e /dev/kvm ]; then
    try kvm 20 && answer=kvm
else
    log "/dev/kvm absent; skipping kvm"
fi
[ -n "$answer" ] || { try qemu 30 && answer=qemu; }
[ -n "$answer" ] || die "the tiny guest boots neither as 'kvm' nor as 'qemu' (logs in $PROBE_DIR)"
echo "$answer" >"$CACHEF"
log "chose $answer (cached in $CACHEF)"
echo "HVD_VIRT_TYPE=$answer"
