#!/usr/bin/env bash
# Prints (stdout) the libvirt domain XML of a tiny guest, for manual use:
#   bash ci/guest-xml.sh NAME [--noacpi] [--type kvm|qemu] [--log PATH] [--memory MIB]
#   virsh -c qemu:///system create <(bash ci/guest-xml.sh t1)
# Kernel/initrd come from the tiny-guest cache (built if missing); the virt
# type from $HVD_VIRT_TYPE, else the cache written by ci/guest-probe.sh, else
# qemu. The serial console goes to --log (default
# $HVD_CACHE/logs/NAME.log); the guest writes HVD-GUEST-READY there.
# --noacpi adds hvd.noacpi to the kernel command line: the guest then ignores
# the ACPI power button (virsh shutdown does nothing).
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; }
name="" noacpi=0 vtype="" logf="" mem=96
while [ $# -gt 0 ]; do
    case "$1" in
        --noacpi) noacpi=1 ;;
        --type) vtype="${2:?--type needs kvm or qemu}"; shift ;;
        --log) logf="${2:?--log needs a path}"; shift ;;
        --memory) mem="${2:?--memory needs MiB}"; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) usage; die "unknown option '$1'" ;;
        *) [ -z "$name" ] || die "only one NAME allowed"; name="$1" ;;
    esac
    shift
done
[ -n "$name" ] || { usage; die "NAME missing"; }
[[ "$name" =~ ^[A-Za-z0-9_.+-]+$ ]] || die "NAME may only use letters, digits and _.+-"
[[ "$mem" =~ ^[0-9]+$ ]] || die "--memory wants a number of MiB"
[ "$mem" -ge 96 ] || warn "guests below 96 MiB reboot-loop"

eval "$(bash "$HVD_CI_DIR/tiny-guest.sh")"
if [ -z "$vtype" ]; then
    vtype="${HVD_VIRT_TYPE:-}"
    [ -n "$vtype" ] || vtype="$(cat "$HVD_CACHE/virt-type" 2>/dev/null || true)"
    [ -n "$vtype" ] || vtype=qemu
fi
case "$vtype" in kvm|qemu) ;; *) die "virt type must be kvm or qemu, not '$vtype'" ;; esac
if [ -z "$logf" ]; then
    logf="$HVD_CACHE/logs/$name.log"
    mkdir -p "$HVD_CACHE/logs"
fi
cmdline="console=ttyS0 panic=-1 quiet"
[ "$noacpi" -eq 0 ] || cmdline="$cmdline hvd.noacpi"

cat <<XML
<domain type='$vtype'>
  <name>$name</name>
  <memory unit='MiB'>$mem</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$HVD_GUEST_KERNEL</kernel>
    <initrd>$HVD_GUEST_INITRD</initrd>
    <cmdline>$cmdline</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <serial type='file'>
      <source path='$logf'/>
      <target port='0'/>
    </serial>
    <console type='file'>
      <source path='$logf'/>
      <target type='serial' port='0'/>
    </console>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
XML
