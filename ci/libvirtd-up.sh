#!/usr/bin/env bash
# Brings up virtlogd + libvirtd by hand (no systemd) for qemu:///system, and
# the "hvd" dir storage pool at /var/lib/hvd/images. Idempotent: running
# daemons are left alone. Prints "libvirtd ready" on stderr at the end.
#   bash ci/libvirtd-up.sh
# Env: HVD_POOL (hvd), HVD_POOL_DIR (/var/lib/hvd/images),
#      HVD_SUBREAPER: 1 (default when tini is installed) runs libvirtd under
#      `tini -s`, a subreaper that reaps exited QEMU processes at once: destroy
#      takes ~0.23 s instead of ~1.3-2 s (QEMU otherwise lingers as a zombie
#      of PID 1 until libvirt's 200 ms polling gives up). 0: plain `libvirtd -d`.
# Daemon logs: /var/log/libvirt/{libvirtd,virtlogd}.log
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

case "${1:-}" in
    "") ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$1'" ;;
esac

POOL="${HVD_POOL:-hvd}"
POOL_DIR="${HVD_POOL_DIR:-/var/lib/hvd/images}"
SOCK=/var/run/libvirt/libvirt-sock
QEMU_CONF=/etc/libvirt/qemu.conf

need_root
need_cmd libvirtd virtlogd virsh
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing; run: bash $HVD_CI_DIR/deps.sh"

# --- users/groups libvirt's QEMU driver insists on
# (Debian's build defaults to user AND group libvirt-qemu and resolves both
# before reading qemu.conf: "Failed to parse group 'libvirt-qemu'".)
for g in kvm libvirt-qemu; do
    getent group "$g" >/dev/null || { groupadd --system "$g"; log "created group $g"; }
done
if ! getent passwd libvirt-qemu >/dev/null; then
    useradd --system --no-create-home --home-dir /var/lib/libvirt \
        --shell /usr/sbin/nologin --gid libvirt-qemu --groups kvm libvirt-qemu
    log "created user libvirt-qemu"
fi

# --- qemu.conf: user/group root (edit in place, keep everything else)
mkdir -p /etc/libvirt /var/log/libvirt /var/run/libvirt /var/lib/libvirt /var/cache/libvirt
touch "$QEMU_CONF"
conf_changed=0
set_conf() { # KEY VALUE(already quoted)
    local key="$1" val="$2"
    if grep -qE "^[[:space:]]*${key}[[:space:]]*=[[:space:]]*${val}[[:space:]]*\$" "$QEMU_CONF"; then
        return 0
    elif grep -qE "^[[:space:]]*${key}[[:space:]]*=" "$QEMU_CONF"; then
        sed -i -E "s|^[[:space:]]*${key}[[:space:]]*=.*|${key} = ${val}|" "$QEMU_CONF"
    else
        printf '%s = %s\n' "$key" "$val" >>"$QEMU_CONF"
    fi
    conf_changed=1
    log "$QEMU_CONF: set $key = $val"
}
set_conf user '"root"'
set_conf group '"root"'

# --- daemons
# running PIDFILE COMM: true when the pidfile names a live process called COMM
running() {
    local pid
    [ -s "$1" ] || return 1
    pid="$(cat "$1" 2>/dev/null)" || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

if running /var/run/virtlogd.pid virtlogd; then
    log "virtlogd already running (pid $(cat /var/run/virtlogd.pid))"
else
    log "starting virtlogd"
    LIBVIRT_LOG_OUTPUTS="3:file:/var/log/libvirt/virtlogd.log" \
        virtlogd -d </dev/null >/dev/null 2>&1 9>&- || die "virtlogd -d failed (see /var/log/libvirt/virtlogd.log)"
fi

if running /var/run/libvirtd.pid libvirtd; then
    log "libvirtd already running (pid $(cat /var/run/libvirtd.pid))"
    [ "$conf_changed" -eq 0 ] || warn "qemu.conf changed; restart libvirtd (ci/libvirtd-down.sh) for it to apply"
else
    rm -f /var/run/libvirtd.pid
    subreaper="${HVD_SUBREAPER:-}"
    if [ -z "$subreaper" ]; then
        if command -v tini >/dev/null; then subreaper=1; else
            subreaper=0; log "tini not installed: destroy will be slow (zombie QEMU); deps.sh installs it"
        fi
    fi
    if [ "$subreaper" = 1 ]; then
        command -v tini >/dev/null || die "HVD_SUBREAPER=1 needs tini (apt-get install tini)"
        log "starting libvirtd under tini -s"
        LIBVIRT_LOG_OUTPUTS="3:file:/var/log/libvirt/libvirtd.log" \
            setsid tini -s -- libvirtd </dev/null >/dev/null 2>&1 9>&- &
        disown || true
    else
        log "starting libvirtd"
        LIBVIRT_LOG_OUTPUTS="3:file:/var/log/libvirt/libvirtd.log" \
            libvirtd -d </dev/null >/dev/null 2>&1 9>&- || die "libvirtd -d failed (see /var/log/libvirt/libvirtd.log)"
    fi
fi

# --- wait for the socket, then for a working qemu:///system connection
t0=$(now_ms)
deadline=$(( $(date +%s) + 60 ))
check_alive() {
    local _
    # the pidfile appears a moment after the fork; give it 5 s before judging
    for _ in $(seq 1 25); do
        running /var/run/libvirtd.pid libvirtd && return 0
        [ -e /var/run/libvirtd.pid ] && break
        sleep 0.2
    done
    running /var/run/libvirtd.pid libvirtd && return 0
    log "libvirtd is not running; last lines of /var/log/libvirt/libvirtd.log:"
    tail -n 8 /var/log/libvirt/libvirtd.log >&2 || true
    die "libvirtd died during start-up"
}
until [ -S "$SOCK" ]; do
    check_alive
    [ "$(date +%s)" -lt "$deadline" ] || die "no $SOCK after 60 s (see /var/log/libvirt/libvirtd.log)"
    sleep 0.2
done
until out="$(virsh -c qemu:///system version 2>&1)"; do
    check_alive
    [ "$(date +%s)" -lt "$deadline" ] || die "virsh -c qemu:///system version still failing after 60 s: $out"
    sleep 0.5
done
log "qemu:///system answers after $(( $(now_ms) - t0 )) ms: $(echo "$out" | grep -i 'running hypervisor' | sed 's/^ *//')"

# --- storage pool
if ! virsh -q -c qemu:///system pool-info "$POOL" >/dev/null 2>&1; then
    log "defining pool $POOL (dir $POOL_DIR)"
    virsh -q -c qemu:///system pool-define-as "$POOL" dir --target "$POOL_DIR" >&2
else
    xml="$(virsh -q -c qemu:///system pool-dumpxml "$POOL")"
    grep -q "<pool type='dir'>" <<<"$xml" || warn "pool $POOL exists but is not of type dir"
    grep -q "<path>$POOL_DIR</path>" <<<"$xml" || warn "pool $POOL exists with another target: $(grep -o '<path>[^<]*' <<<"$xml" | head -n1 | cut -c7-)"
fi
state="$(virsh -c qemu:///system pool-info "$POOL" | awk -F: '$1=="State"{gsub(/ /,"",$2); print $2}')"
if [ "$state" != running ]; then
    virsh -q -c qemu:///system pool-build "$POOL" >&2 || warn "pool-build $POOL failed"
    virsh -q -c qemu:///system pool-start "$POOL" >&2
    log "pool $POOL started"
fi
autostart="$(virsh -c qemu:///system pool-info "$POOL" | awk -F: '$1=="Autostart"{gsub(/ /,"",$2); print $2}')"
[ "$autostart" = yes ] || virsh -q -c qemu:///system pool-autostart "$POOL" >&2
log "pool $POOL: running, autostart, $(virsh -c qemu:///system pool-dumpxml "$POOL" | grep -o '<path>[^<]*' | head -n1 | cut -c7-)"
echo "libvirtd ready" >&2
