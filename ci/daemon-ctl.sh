#!/usr/bin/env bash
# Stops or starts the system libvirtd that ci/libvirtd-up.sh started, for
# the harness's connection_lost fault on libvirt (HVD_DAEMON_CTL):
#   bash ci/daemon-ctl.sh stop HOST     SIGTERM by /var/run/libvirtd.pid, wait
#   bash ci/daemon-ctl.sh start HOST    bash ci/libvirtd-up.sh (waits until
#                                       qemu:///system answers)
# HOST is the scenario's host name; every host maps to this one daemon.
# Running guests keep running (libvirtd leaves QEMU alone when it stops and
# reconnects to it when it starts). A libvirtd this script did not start
# (no live pid in the pidfile, or not called libvirtd) is never touched.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

verb="${1:-}" host="${2:-}"
case "$verb" in
    stop|start) ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "usage: $0 stop|start HOST" ;;
esac
[ -n "$host" ] || die "usage: $0 $verb HOST"
need_root
PIDF=/var/run/libvirtd.pid

if [ "$verb" = start ]; then
    t0=$(now_ms)
    bash "$HVD_CI_DIR/libvirtd-up.sh" 2>/dev/null ||
        die "host $host: libvirtd did not come back (see /var/log/libvirt/libvirtd.log)"
    log "host $host: libvirtd up in $(( $(now_ms) - t0 )) ms (pid $(cat "$PIDF"))"
    exit 0
fi

pid="$(cat "$PIDF" 2>/dev/null || true)"
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null ||
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != libvirtd ]; then
    die "host $host: no libvirtd started by ci/libvirtd-up.sh (no live pid in $PIDF); refusing to stop anything"
fi
t0=$(now_ms)
kill -TERM "$pid"
for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
        log "host $host: libvirtd (pid $pid) stopped in $(( $(now_ms) - t0 )) ms"
        exit 0
    fi
    sleep 0.1
done
die "host $host: libvirtd (pid $pid) still running 10 s after SIGTERM"
