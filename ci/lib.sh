# shellcheck shell=bash
# Common helpers for the ci/ scripts. Source it; do not run it.
# Everything human-readable goes to stderr; stdout is reserved for the
# machine-readable KEY=VALUE lines some scripts print.

HVD_CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HVD_ROOT="$(cd "$HVD_CI_DIR/.." && pwd)"
HVD_CACHE="${HVD_CACHE:-/var/cache/hvd}"
HVD_URI="${HVD_URI:-qemu:///system}"
export HVD_CI_DIR HVD_ROOT HVD_CACHE

_hvd_me="$(basename "${0:-ci}")"
log()  { printf '%s: %s\n' "$_hvd_me" "$*" >&2; }
warn() { printf '%s: warning: %s\n' "$_hvd_me" "$*" >&2; }
die()  { printf '%s: error: %s\n' "$_hvd_me" "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }
need_root() { is_root || die "must run as root (try: sudo bash $0)"; }
need_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || die "missing command '$c' (run: bash $HVD_CI_DIR/deps.sh)"
    done
}

# Seconds since the epoch with milliseconds, for timings.
now_ms() { date +%s%3N; }

# pkg_installed NAME: true when dpkg says the package is fully installed.
pkg_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]
}

# apt_retry CMD...: runs an apt-get/dpkg command, waiting (poll every 10 s,
# up to 10 min) while another process holds the dpkg/apt locks.
apt_retry() {
    local deadline=$(( $(date +%s) + 600 )) out rc
    out="$(mktemp)"
    while :; do
        set +e
        "$@" 2>&1 | tee "$out" >&2
        rc=${PIPESTATUS[0]}
        set -e
        if [ "$rc" -eq 0 ]; then rm -f "$out"; return 0; fi
        if grep -qiE 'could not get lock|unable to acquire the dpkg|is another process using it|unable to lock' "$out"; then
            if [ "$(date +%s)" -ge "$deadline" ]; then
                rm -f "$out"; die "apt/dpkg lock still held after 10 minutes"
            fi
            log "apt/dpkg is locked by another process; retrying in 10 s"
            sleep 10
            continue
        fi
        if grep -q "dpkg --configure -a" "$out"; then
            log "dpkg was interrupted; running 'dpkg --configure -a'"
            DEBIAN_FRONTEND=noninteractive dpkg --configure -a >&2 || true
            if [ "$(date +%s)" -lt "$deadline" ]; then continue; fi
        fi
        rm -f "$out"
        return "$rc"
    done
}

# virsh against the system daemon, never interactive.
vsh() { virsh -q -c "$HVD_URI" "$@"; }
