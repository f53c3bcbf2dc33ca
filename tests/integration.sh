#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# integration.sh PVBOOT_SELECT LIBXL_RUN
#
# The cold path for real: for each scenario, build a guest disk with real
# tools (tests/mkdisk.sh), run pvboot-select through libxl-run exactly as
# libxl runs a bootloader (pty, TERM=vt100 only, libxl's argv, precreated
# output), and check the returned stage 1 byte for byte, or the failure
# line on the console and an untouched output directory.
#
# Every decision launches its own libguestfs appliance (15-25 s under TCG);
# two run at a time.  Exit 77 when the machine cannot run appliances.
set -uo pipefail

pvboot=$1
libxl_run=$2
here=$(cd "$(dirname "$0")" && pwd)
jobs=${PVBOOT_TEST_JOBS:-2}
s64=/usr/lib/grub-xen/grub-x86_64-xen.bin
s32=/usr/lib/grub-xen/grub-i386-xen.bin

for t in grub-mkimage mkfs.ext4 sfdisk guestfish nbdkit; do
        command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
[ -r "$s64" ] && [ -r "$s32" ] || { echo "SKIP: grub-xen-host stage 1 images missing"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (mknod, --runas)"; exit 77; }

runas_uid=131079
# A stale cache from an earlier run would prove nothing.
rm -rf "/var/tmp/.guestfs-$runas_uid"
work=$(mktemp -d /tmp/pvboot-it.XXXXXX)
trap 'rm -rf "$work"' EXIT

# name | layout | expectation (x86_64, i386 or fail:TEXT) | libxl-run options | bootloader_args
scenarios=(
        "mbr64-args|mbr64|x86_64|--args=root=/dev/xvda1 console=hvc0 quiet|"
        "gpt32|gpt32|i386||"
        "whole-disk-fs|whole64|x86_64||"
        "separate-boot|sepboot32|i386||"
        "gpt-lvm|lvm64|x86_64||"
        "restrict-runas|mbr64|x86_64|--runas=$runas_uid|"
        "no-pvboot|none|fail:no pvboot ELF: looked for /boot/xen/pvboot-{x86_64,i386}.elf||"
        "both-ambiguous|both|fail:both i386 and x86_64 pvboot ELFs are valid||"
        "both-forced-i386|both|i386||--force-arch=i386"
        "symlink-to-device|symlink-dev|fail:no pvboot ELF||"
        "directory|dir|fail:no pvboot ELF||"
        "fifo|fifo|fail:no pvboot ELF||"
        "4GiB-file|huge|fail:file too large||"
        "class-machine-mix|classmix|fail:ELF class and machine||"
        "name-says-i386|namemix|fail:file name and ELF width disagree||"
        "corrupt-partition-table|corrupt-pt|fail:no pvboot ELF||"
        "wrong-format|mbr64|fail:appliance failed to start||--format=qcow2"
        "kernel-given|mbr64|fail:pvboot-select only returns the host pvgrub2 stage 1||--kernel=/boot/vmlinuz"
        "missing-disk|@missing|fail:cannot use disk||"
        "disk-is-a-directory|@directory|fail:not a regular file or block device||"
)

run_one() {
        local name=$1 layout=$2 expect=$3 hopts=$4 blargs=$5
        local log="$work/$name.log" disk="$work/$name.img" start end rc
        start=$(date +%s.%N)
        {
                if [ "$layout" = @missing ]; then
                        disk="$work/does-not-exist.img"
                elif [ "$layout" = @directory ]; then
                        disk="$work"
                else
                        bash "$here/mkdisk.sh" "$layout" "$disk" "$work/build-$name" || { echo "FAIL: mkdisk"; exit 1; }
                fi
                local -a h=() b=()
                [ -n "$hopts" ] && h=("$hopts")
                [ -n "$blargs" ] && b=("$blargs")
                case "$expect" in
                x86_64) h+=("--expect-stage1=$s64") ;;
                i386)   h+=("--expect-stage1=$s32") ;;
                fail:*) h+=("--expect-fail=${expect#fail:}") ;;
                esac
                "$libxl_run" "${h[@]}" "$pvboot" "$disk" "${b[@]}"
        } >"$log" 2>&1
        rc=$?
        end=$(date +%s.%N)
        [ "$disk" = "$work" ] || rm -rf "$disk"
        rm -rf "$work/build-$name"
        printf '%s|%s|%s|%.1f\n' "$name" "$expect" "$([ $rc = 0 ] && echo pass || echo FAIL)" \
                "$(echo "$end - $start" | bc)" >"$work/$name.result"
}

for s in "${scenarios[@]}"; do
        IFS='|' read -r name layout expect hopts blargs <<<"$s"
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
        run_one "$name" "$layout" "$expect" "$hopts" "$blargs" &
done
wait

failed=0
printf '%-26s %-58s %-6s %s\n' scenario expected result seconds
for s in "${scenarios[@]}"; do
        name=${s%%|*}
        IFS='|' read -r n e r secs <"$work/$name.result"
        printf '%-26s %-58.58s %-6s %s\n' "$n" "$e" "$r" "$secs"
        if [ "$r" != pass ]; then
                failed=$((failed + 1))
                sed 's/^/    /' "$work/$name.log"
        fi
done
# Restrict mode: the appliance must have run as the uid libxl gave, which
# libguestfs shows by building its per-uid cache owned by that uid.
total=${#scenarios[@]}
total=$((total + 1))
owner=$(stat -c %u "/var/tmp/.guestfs-$runas_uid" 2>/dev/null || echo none)
if [ "$owner" = "$runas_uid" ]; then
        printf '%-26s %-58s %-6s %s\n' restrict-uid-used "appliance cache owned by uid $runas_uid" pass -
else
        printf '%-26s %-58s %-6s %s\n' restrict-uid-used "appliance cache owned by uid $runas_uid" FAIL "owner=$owner"
        failed=$((failed + 1))
fi
echo "$((total - failed)) passed, $failed failed"
[ "$failed" = 0 ]
