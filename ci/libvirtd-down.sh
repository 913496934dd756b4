#!/usr/bin/env bash
# Stops the libvirtd and virtlogd started by ci/libvirtd-up.sh (by pidfile).
# For people only; CI never calls it. Running QEMU guests are left running
# unless --destroy is given (then every running domain is destroyed first).
#   bash ci/libvirtd-down.sh [--destroy]
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

destroy=0
case "${1:-}" in
    "") ;;
    --destroy) destroy=1 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$1'" ;;
esac
need_root

if [ "$destroy" -eq 1 ] && [ -S /var/run/libvirt/libvirt-sock ]; then
    for d in $(virsh -q -c qemu:///system list --name 2>/dev/null); do
        log "destroying domain $d"
        virsh -q -c qemu:///system destroy "$d" >&2 || true
    done
fi

stop() { # PIDFILE COMM
    local pidf="$1" comm="$2" pid _
    pid="$(cat "$pidf" 2>/dev/null || true)"
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$comm" ]; then
        log "$comm not running (no live pid in $pidf)"
        others="$(pgrep -x "$comm" | tr '\n' ' ' || true)"
        [ -z "$others" ] || warn "other $comm processes exist (pids $others), not started by ci/libvirtd-up.sh; left alone"
        return 0
    fi
    log "stopping $comm (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || { log "$comm stopped"; rm -f "$pidf"; return 0; }
        sleep 0.2
    done
    warn "$comm did not stop in 10 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidf"
}
stop /var/run/libvirtd.pid libvirtd
stop /var/run/virtlogd.pid virtlogd
