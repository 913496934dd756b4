#!/usr/bin/env bash
# Builds the tiny test guest (kernel + busybox initramfs) once into
#   ${HVD_CACHE:-/var/cache/hvd}/tiny-guest/{vmlinuz,initrd.gz}
# and prints, on stdout only:
#   HVD_GUEST_KERNEL=/var/cache/hvd/tiny-guest/vmlinuz
#   HVD_GUEST_INITRD=/var/cache/hvd/tiny-guest/initrd.gz
# so callers can:  eval "$(bash ci/tiny-guest.sh)"
# The same lines are kept in tiny-guest/tiny-guest.env. Rebuilds only when the
# stamp (this script's sha256) differs or with --force.
#
# The guest: /init mounts proc/sys/devtmpfs, insmods evdev+button, starts
# busybox acpid (power button -> prints HVD-GUEST-POWEROFF, poweroff -f)
# unless the kernel command line contains "hvd.noacpi", writes the line
# HVD-GUEST-READY to /dev/ttyS0 and idles forever. Boot it with
#   console=ttyS0 panic=-1 quiet   and at least 96 MiB (64 MiB reboot-loops).
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

force=0
case "${1:-}" in
    "") ;;
    --force) force=1 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
    *) die "unknown argument '$1' (use --force or nothing)" ;;
esac

OUT="$HVD_CACHE/tiny-guest"
KERNEL="$OUT/vmlinuz"
INITRD="$OUT/initrd.gz"
STAMP="$OUT/stamp"
ENVF="$OUT/tiny-guest.env"
hash="$(sha256sum "$HVD_CI_DIR/tiny-guest.sh" | cut -d' ' -f1)"

emit() {
    printf 'HVD_GUEST_KERNEL=%q\nHVD_GUEST_INITRD=%q\n' "$KERNEL" "$INITRD" | tee "$ENVF.tmp" && mv -f "$ENVF.tmp" "$ENVF"
    log "kernel: $KERNEL"
    log "initrd: $INITRD"
}

up_to_date() {
    [ -s "$KERNEL" ] && [ -s "$INITRD" ] && [ -f "$STAMP" ] &&
        [ "$(head -n1 "$STAMP")" = "$hash" ]
}

mkdir -p "$OUT"
# One builder at a time; a second caller waits and then finds it built.
exec 9>"$OUT/.lock"
flock -w 600 9 || die "timed out waiting for $OUT/.lock"

if [ "$force" -eq 0 ] && up_to_date; then
    log "up to date ($(sed -n 2p "$STAMP"))"
    emit
    exit 0
fi

need_cmd apt-get apt-cache dpkg-deb cpio gzip find sha256sum
BUSYBOX=/bin/busybox
{ [ -x "$BUSYBOX" ] && "$BUSYBOX" --list | grep -x acpid >/dev/null; } ||
    die "$BUSYBOX (package busybox-static) missing; run: bash $HVD_CI_DIR/deps.sh"

t0=$(now_ms)
WORK="$(mktemp -d /tmp/hvd-tiny-guest.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

# --- kernel: the versioned package behind the linux-image-cloud-amd64 metapackage
resolve_kpkg() {
    apt-cache depends --important linux-image-cloud-amd64 2>/dev/null |
        awk '$1 ~ /Depends:/ && $2 ~ /^linux-image-[0-9].*-cloud-amd64$/ {print $2; exit}'
}
kpkg="$(resolve_kpkg || true)"
if [ -z "$kpkg" ]; then
    is_root || die "apt-cache does not know linux-image-cloud-amd64; run 'apt-get update' as root"
    log "apt lists missing or stale; running apt-get update"
    apt_retry apt-get update -o DPkg::Lock::Timeout=600
    kpkg="$(resolve_kpkg || true)"
    [ -n "$kpkg" ] || die "cannot resolve linux-image-cloud-amd64 to a versioned kernel package"
fi
log "kernel package: $kpkg"

download() {
    (cd "$WORK" && apt-get -q -o APT::Sandbox::User=root download "$kpkg" >&2)
}
if ! download; then
    is_root || die "apt-get download $kpkg failed"
    log "download failed; refreshing apt lists and retrying"
    apt_retry apt-get update -o DPkg::Lock::Timeout=600
    kpkg="$(resolve_kpkg)"
    download || die "apt-get download $kpkg failed"
fi
deb="$(find "$WORK" -maxdepth 1 -name "linux-image-*.deb" -print -quit)"
[ -n "$deb" ] || die "apt-get download left no .deb"
mkdir "$WORK/kernel"
dpkg-deb -x "$deb" "$WORK/kernel"
kver="${kpkg#linux-image-}"
vmlinuz="$WORK/kernel/boot/vmlinuz-$kver"
[ -s "$vmlinuz" ] || vmlinuz="$(find "$WORK/kernel/boot" -name "vmlinuz-*" -print -quit)"
[ -s "$vmlinuz" ] || die "no vmlinuz in $deb"
moddir="$WORK/kernel/lib/modules/$kver"
[ -d "$moddir" ] || moddir="$(find "$WORK/kernel/lib/modules" -mindepth 1 -maxdepth 1 -type d -print -quit)"

# --- initramfs
R="$WORK/root"
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,var/log,etc/acpi/PWRF,lib/modules}
ln -s ../run "$R/var/run"
cp "$BUSYBOX" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"

# find_module NAME -> path of NAME.ko[.xz|.zst|.gz] in the unpacked kernel
find_module() {
    find "$moddir/kernel" \( -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" -o -name "$1.ko.gz" \) -print -quit
}
# add_module NAME: copies NAME (decompressed) and, first, its dependencies
declare -A added=()
order=()
add_module() {
    local name="$1" src dst deps d
    [ -n "${added[$name]:-}" ] && return 0
    added[$name]=1
    src="$(find_module "$name")"
    [ -n "$src" ] || die "module $name not found under $moddir (built in? then drop it)"
    dst="$R/lib/modules/$name.ko"
    case "$src" in
        *.ko.xz)  xz -dc "$src" >"$dst" ;;
        *.ko.zst) zstd -q -dc "$src" >"$dst" ;;
        *.ko.gz)  gzip -dc "$src" >"$dst" ;;
        *)        cp "$src" "$dst" ;;
    esac
    deps="$(tr '\0' '\n' <"$dst" | sed -n 's/^depends=//p' | head -n1 | tr ',' ' ')"
    for d in $deps; do add_module "$d"; done
    order+=("$name")
}
add_module evdev
add_module button
printf '%s\n' "${order[@]}" >"$R/etc/hvd-modules"
log "modules: ${order[*]}"

cat >"$R/init" <<'INIT'
#!/bin/sh
# hvd tiny guest init. Must never exit (panic=-1 would reboot the guest).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
for m in $(cat /etc/hvd-modules); do
    insmod "/lib/modules/$m.ko" || echo "hvd: insmod $m failed"
done
cmdline="$(cat /proc/cmdline)"
case " $cmdline " in
    *" hvd.noacpi "*) echo "hvd: hvd.noacpi given, not starting acpid" ;;
    *) acpid -c /etc/acpi -l /var/log/acpid.log -p /run/acpid.pid || echo "hvd: acpid failed" ;;
esac
echo HVD-GUEST-READY >/dev/ttyS0
case " $cmdline " in
    *" console=ttyS0"*) ;;            # console is ttyS0: already printed
    *) echo HVD-GUEST-READY ;;
esac
while :; do sleep 3600 || sleep 1; done
INIT
cat >"$R/etc/acpi/PWRF/00000080" <<'PWR'
#!/bin/sh
echo HVD-GUEST-POWEROFF >/dev/ttyS0
sync
poweroff -f
PWR
chmod 755 "$R/init" "$R/etc/acpi/PWRF/00000080"

cp "$vmlinuz" "$WORK/vmlinuz"
(cd "$R" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9 -n) >"$WORK/initrd.gz"

mv -f "$WORK/vmlinuz" "$KERNEL"
mv -f "$WORK/initrd.gz" "$INITRD"
printf '%s\n%s\n' "$hash" "$kpkg" >"$STAMP"
log "built in $(( ($(now_ms) - t0) / 1000 )) s (kernel $kpkg, initrd $(du -h "$INITRD" | cut -f1))"
emit
