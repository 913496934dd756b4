#!/usr/bin/env bash
# Host B: a second libvirtd (qemu) on this machine, for real live migration
# between two hosts. Host A is the ordinary qemu:///system (ci/libvirtd-up.sh);
# nothing of A's (daemon, config, sockets, domains) is touched here.
#   eval "$(bash ci/host-b.sh up)"   start B (or reuse a running one); prints
#                                    HVD_HOST_B_URI=qemu+unix:///system?socket=...
#                                    HVD_HOST_A_URI_FROM_B=... (A as B's daemon
#                                    reaches it: for peer-to-peer B->A)
#   bash ci/host-b.sh down           stop B and everything in its namespace,
#                                    remove its state
#   bash ci/host-b.sh status         say whether B runs (exit 0) or not (1)
# B lives in its own mount namespace (unshare -m --propagation private, held
# open by a keeper process whose PID is in $HVD_HOST_B_DIR/keeper.pid): tmpfs
# over /run/libvirt, /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt,
# and $HVD_HOST_B_DIR/etc bind-mounted over /etc/libvirt. Its sockets sit in
# $HVD_HOST_B_DIR (outside the tmpfs'd paths, so A and the tests reach them),
# its host UUID is fixed, its migration ports are its own, its virtlogd too.
# Env: HVD_HOST_B_DIR (/run/hvd-host-b), HVD_HOST_B_UUID, HVD_HOST_B_PORTS
#      ("49400 49463": B's migration_port_min/max; A keeps 49152-49215).
# Logs: $HVD_HOST_B_DIR/{libvirtd,virtlogd}.log
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

DIR="${HVD_HOST_B_DIR:-/run/hvd-host-b}"
# Not all one digit: libvirt rejects such a host_uuid as a placeholder.
UUID="${HVD_HOST_B_UUID:-8b6f3c2e-5d1a-4e7b-9c40-2f1e8d7a6b5c}"
read -r PORT_MIN PORT_MAX <<<"${HVD_HOST_B_PORTS:-49400 49463}"
B_POOL="${HVD_POOL:-hvd}"
SOCK="$DIR/libvirt-sock"
URI="qemu+unix:///system?socket=$SOCK"
KEEPER="$DIR/keeper.pid"
# B's view of the daemons' pidfiles; /run/libvirtd.pid would be A's.
LVPID="$DIR/libvirtd.pid"
LOGPID="$DIR/virtlogd.pid"
TMPFS_DIRS="/run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt"

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; }

# The keeper's PID when it is alive and really holds a mount namespace of
# its own (not A's); empty otherwise.
keeper_pid() {
    local pid
    [ -s "$KEEPER" ] || return 0
    pid="$(cat "$KEEPER" 2>/dev/null)" || return 0
    [[ "$pid" =~ ^[0-9]+$ ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    [ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] || return 0
    echo "$pid"
}

# PIDs of every process of B: those in the keeper's mount namespace (the
# keeper too), all their descendants, and the QEMUs B's pidfiles name.
# libvirt gives each QEMU a mount namespace of its own (for its private
# /dev), so B's QEMUs are not in B's namespace: they are children of B's
# tini, or orphans once B's libvirtd is gone.
b_pids() {
    local kp="$1" ns p pid ppid
    local -A in_b=() parent=()
    ns="$(readlink "/proc/$kp/ns/mnt" 2>/dev/null)" || return 0
    while read -r pid ppid; do
        parent[$pid]=$ppid
        [ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" = "$ns" ] && in_b[$pid]=1
    done < <(ps -e -o pid= -o ppid=)
    # a parent's parent... until B or PID 1: fine for the few hundred here
    for pid in "${!parent[@]}"; do
        p="${parent[$pid]}"
        while [ -n "$p" ] && [ "$p" -gt 1 ] && [ -z "${in_b[$pid]:-}" ]; do
            [ -n "${in_b[$p]:-}" ] && in_b[$pid]=1
            p="${parent[$p]:-}"
        done
    done
    # a QEMU whose libvirtd (and so tini) died is PID 1's: B's pidfiles,
    # read through the keeper's view of the file system, still name it
    for p in "/proc/$kp/root/run/libvirt/qemu/"*.pid; do
        [ -s "$p" ] || continue
        pid="$(cat "$p" 2>/dev/null)" || continue
        [[ "$pid" =~ ^[0-9]+$ ]] || continue
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
            grep -qF "guest=$(basename "$p" .pid)," && in_b[$pid]=1
    done
    for pid in "${!in_b[@]}"; do echo "$pid"; done
    return 0
}

alive() { local p n=0; for p in "$@"; do kill -0 "$p" 2>/dev/null && n=$((n + 1)); done; [ "$n" -gt 0 ]; }

# in_b CMD...: run CMD inside B's mount namespace.
in_b() { nsenter -t "$(keeper_pid)" -m -- "$@"; }

# true when B's libvirtd is alive inside B's namespace
daemon_alive() {
    local kp pid
    kp="$(keeper_pid)"
    [ -n "$kp" ] && [ -s "$LVPID" ] || return 1
    pid="$(cat "$LVPID" 2>/dev/null)" || return 1
    kill -0 "$pid" 2>/dev/null &&
        [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = libvirtd ] &&
        [ "$(readlink "/proc/$pid/ns/mnt")" = "$(readlink "/proc/$kp/ns/mnt")" ]
}

answers() { virsh -c "$URI" version >/dev/null 2>&1; }

write_config() {
    mkdir -p "$DIR/etc/qemu" "$DIR/etc/storage" "$DIR/etc/secrets" "$DIR/etc/nwfilter"
    cat >"$DIR/etc/libvirtd.conf" <<EOF
# host B of hvd's CI (ci/host-b.sh); generated, do not edit
unix_sock_dir = "$DIR"
unix_sock_group = "root"
unix_sock_rw_perms = "0770"
auth_unix_ro = "none"
auth_unix_rw = "none"
listen_tcp = 0
listen_tls = 0
host_uuid = "$UUID"
EOF
    cat >"$DIR/etc/qemu.conf" <<EOF
# host B of hvd's CI (ci/host-b.sh); generated, do not edit
user = "root"
group = "root"
stdio_handler = "file"
cgroup_controllers = [ ]
migration_port_min = $PORT_MIN
migration_port_max = $PORT_MAX
EOF
    : >"$DIR/etc/virtlogd.conf"
}

down() {
    local kp pids _ d left
    kp="$(keeper_pid)"
    if [ -n "$kp" ]; then
        # B's own guests first, through B, so its daemon ends them cleanly
        if daemon_alive; then
            for d in $(virsh -q -c "$URI" list --name 2>/dev/null); do
                virsh -q -c "$URI" destroy "$d" >/dev/null 2>&1 || true
            done
        fi
        # the list is taken before anything dies: a QEMU whose tini is gone
        # is no longer found as B's
        mapfile -t pids < <(b_pids "$kp")
        if daemon_alive; then
            kill -TERM "$(cat "$LVPID")" 2>/dev/null || true
            for _ in $(seq 1 50); do daemon_alive || break; sleep 0.1; done
        fi
        [ "${#pids[@]}" -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true
        for _ in $(seq 1 50); do alive "${pids[@]}" || break; sleep 0.1; done
        left=()
        for _ in "${pids[@]}"; do kill -0 "$_" 2>/dev/null && left+=("$_"); done
        if [ "${#left[@]}" -gt 0 ]; then
            warn "killing what is left of B: ${left[*]}"
            kill -KILL "${left[@]}" 2>/dev/null || true
        fi
        log "host B stopped (namespace of pid $kp, ${#pids[@]} processes)"
    else
        log "host B is not running"
    fi
    # the tmpfs state went with the namespace; the rest is in $DIR
    case "$DIR" in /|/run|/var|/etc|"") die "refusing to remove '$DIR'" ;; esac
    rm -rf "$DIR"
}

# the machine-readable lines of up
emit() {
    printf 'HVD_HOST_B_URI=%q\nHVD_HOST_A_URI_FROM_B=%q\nHVD_MIGRATION_URI=%q\n' \
        "$URI" "qemu+unix:///system?socket=$DIR/host-a/libvirt-sock" \
        "qemu+unix:///system?socket=$DIR/host-%s/libvirt-sock"
}

up() {
    local t0 kp deadline a_uuid out
    if daemon_alive && answers; then
        log "host B already running (libvirtd pid $(cat "$LVPID"))"
        emit
        return 0
    fi
    # half a host (a keeper without a daemon, a daemon that does not answer)
    # is not worth repairing: start again from nothing
    [ -z "$(keeper_pid)" ] || { log "host B half up: restarting it"; down; }
    [ ! -e "$DIR" ] || rm -rf "$DIR"
    need_cmd unshare nsenter libvirtd virtlogd virsh
    t0=$(now_ms)
    mkdir -p "$DIR"
    write_config

    # the keeper: sleeps in the new namespace until down kills it
    setsid unshare -m --propagation private -- sleep infinity \
        </dev/null >/dev/null 2>&1 9>&- &
    echo $! >"$KEEPER"
    disown || true
    for _ in $(seq 1 50); do [ -n "$(keeper_pid)" ] && break; sleep 0.05; done
    kp="$(keeper_pid)"
    [ -n "$kp" ] || die "the keeper process did not enter a namespace of its own"

    # A's socket folder stays reachable from B under $DIR/host-a (bound
    # before the tmpfs hides it): B's daemon needs it to migrate back to A
    # peer-to-peer. A sees an empty folder there. $DIR/host-b is $DIR
    # itself, B's socket folder, from either side: so one template,
    # HVD_MIGRATION_URI (...$DIR/host-%s/libvirt-sock), names either host
    # to the other when the scenario calls its hosts "a" and "b".
    mkdir -p "$DIR/host-a"
    ln -sfn . "$DIR/host-b"
    in_b sh -e -c "
        mount --bind /run/libvirt '$DIR/host-a'
        for d in $TMPFS_DIRS; do mkdir -p \"\$d\"; mount -t tmpfs -o mode=0755 hvd-host-b \"\$d\"; done
        mkdir -p /etc/libvirt
        mount --bind '$DIR/etc' /etc/libvirt
        mkdir -p /var/lib/libvirt/qemu /var/cache/libvirt/qemu /var/log/libvirt/qemu /run/libvirt/qemu
    " || { down; die "could not set up B's mounts"; }

    LIBVIRT_LOG_OUTPUTS="3:file:$DIR/virtlogd.log" \
        in_b virtlogd -d -p "$LOGPID" -f /etc/libvirt/virtlogd.conf \
        </dev/null >/dev/null 2>&1 9>&- || { down; die "B's virtlogd did not start (see $DIR/virtlogd.log)"; }
    # tini -s reaps QEMU at once, as on A (ci/libvirtd-up.sh)
    if command -v tini >/dev/null; then
        LIBVIRT_LOG_OUTPUTS="3:file:$DIR/libvirtd.log" \
            setsid nsenter -t "$kp" -m -- tini -s -- libvirtd -p "$LVPID" \
            -f /etc/libvirt/libvirtd.conf </dev/null >/dev/null 2>&1 9>&- &
        disown || true
    else
        LIBVIRT_LOG_OUTPUTS="3:file:$DIR/libvirtd.log" \
            in_b libvirtd -d -p "$LVPID" -f /etc/libvirt/libvirtd.conf \
            </dev/null >/dev/null 2>&1 9>&- || { down; die "B's libvirtd did not start (see $DIR/libvirtd.log)"; }
    fi

    # the first connection probes QEMU's capabilities: about 8 s
    deadline=$(( $(date +%s) + 90 ))
    until out="$(virsh -c "$URI" version 2>&1)"; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            tail -n 8 "$DIR/libvirtd.log" >&2 || true
            down
            die "host B does not answer after 90 s: $out"
        fi
        sleep 0.3
    done
    daemon_alive || { down; die "something answers on $SOCK but it is not B's libvirtd"; }
    # migration refuses two hosts with one UUID; A's is random per start
    # (no SMBIOS here) and B's fixed, so they differ unless someone set A's
    # to B's
    a_uuid="$(virsh -c qemu:///system capabilities 2>/dev/null | grep -m1 -o '<uuid>[^<]*' | cut -c7- || true)"
    [ "$a_uuid" != "$UUID" ] || { down; die "host A has B's host UUID $UUID; set HVD_HOST_B_UUID"; }
    # B's own storage pool, named as A's (the scenarios' storage_pool),
    # in a folder of B's: a pool over A's folder would make every volume
    # of A one of B's too (shared storage, which hvd's hosts are not)
    mkdir -p "$DIR/images"
    virsh -q -c "$URI" pool-create-as "$B_POOL" dir --target "$DIR/images" >&2 ||
        { down; die "could not create pool $B_POOL on B"; }
    log "host B up in $(( $(now_ms) - t0 )) ms: $URI (host uuid $UUID, A's ${a_uuid:-unknown}, migration ports $PORT_MIN-$PORT_MAX, pool $B_POOL in $DIR/images)"
    emit
}

status() {
    if daemon_alive && answers; then
        log "host B running: libvirtd pid $(cat "$LVPID"), namespace of pid $(keeper_pid), $URI"
        log "domains: $(virsh -q -c "$URI" list --all --name | tr '\n' ' ')"
        return 0
    elif [ -n "$(keeper_pid)" ]; then
        log "host B half up: namespace of pid $(keeper_pid), no answering libvirtd (see $DIR/libvirtd.log)"
        return 1
    fi
    log "host B is not running"
    return 1
}

case "${1:-}" in
    up) need_root; up ;;
    down) need_root; down ;;
    status) status ;;
    -h|--help) usage; exit 0 ;;
    "") usage; die "missing command: up, down or status" ;;
    *) usage; die "unknown command '$1' (up, down or status)" ;;
esac
