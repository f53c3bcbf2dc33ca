#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/mkdisk.sh LAYOUT OUT.img WORKDIR
#
# The benchmark's sample disks: what an installed Debian PV guest carries,
# so that pygrub and pvboot-select answer from the same disk.  Each /boot
# holds a real Debian kernel (tests/mkdisk.sh's KERNEL_DIR), a small
# initrd, a Debian-style grub.cfg whose default entry boots them (what
# pygrub reads), and the pvboot ELF of the guest's width, a real
# grub-mkimage image (what pvboot-select reads).  256 MiB sparse images,
# the size of the sample pygrub was first timed on.
#
#   mbr64      MBR, one ext4 partition (/), amd64
#   gpt32      GPT, one ext4 partition (/), 686-pae
#   sepboot32  MBR, /boot and / partitions, 686-pae
#   gptlvm64   GPT, /boot partition + LVM PV holding the root LV, amd64
#              (Debian's guided "use entire disk and set up LVM")
#   lvmboot64  GPT, one LVM PV holding a /boot LV and a root LV, amd64
#              (pygrub cannot read LVM: it has no answer here)
#
# Filesystems outside LVM are made with mkfs.ext4 -d at the partition's
# offset (no loop device, no host mount); the LVM ones inside a libguestfs
# appliance (guestfish), so the host's LVM never sees guest metadata.
# BENCH_INITRD_MB (default 4) sizes the initrd.
set -euo pipefail

layout=$1
out=$2
work=$3
mkdir -p "$work"

KERNEL_DIR=${KERNEL_DIR:-/var/cache/pvboot-select-tests/kernels}
initrd_mb=${BENCH_INITRD_MB:-4}
size_mb=256
export LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg

case $layout in
*32) kver=6.1.0-50-686-pae; kernel=$KERNEL_DIR/vmlinuz-686-pae; grubarch=i386-xen; elfname=pvboot-i386.elf ;;
*64) kver=6.1.0-56-amd64; kernel=$KERNEL_DIR/vmlinuz-amd64; grubarch=x86_64-xen; elfname=pvboot-x86_64.elf ;;
*) echo "bench/mkdisk.sh: unknown layout $layout" >&2; exit 2 ;;
esac
[ -r "$kernel" ] || { echo "bench/mkdisk.sh: no $kernel (run tools/install-deps.sh)" >&2; exit 1; }

# boot_tree DIR PREFIX PART: what /boot holds, written into DIR; PREFIX is
# how grub (and pygrub) names /boot's files: "/boot" when /boot is part of
# the root filesystem, "" when it is a filesystem of its own.
boot_tree() {
        local dir=$1 prefix=$2 part=$3
        mkdir -p "$dir/grub" "$dir/xen"
        cp "$kernel" "$dir/vmlinuz-$kver"
        if [ ! -s "$work/initrd.img" ]; then
                rm -rf "$work/initrd"
                mkdir -p "$work/initrd"
                printf '#!/bin/sh\nexec /sbin/init\n' >"$work/initrd/init"
                head -c "${initrd_mb}M" /dev/urandom >"$work/initrd/modules.bin"
                (cd "$work/initrd" && find . | cpio -o -H newc --quiet) >"$work/initrd.img"
        fi
        cp "$work/initrd.img" "$dir/initrd.img-$kver"
        [ -s "$work/$elfname" ] || grub-mkimage -O "$grubarch" -o "$work/$elfname" -p /boot/grub echo
        cp "$work/$elfname" "$dir/xen/$elfname"
        cat >"$dir/grub/grub.cfg" <<CFG
# Written by bench/mkdisk.sh, after Debian 12's grub-mkconfig
set default="0"
set timeout=5
menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class gnu --class os {
	load_video
	insmod gzio
	insmod $part
	insmod ext2
	echo	'Loading Linux $kver ...'
	linux	$prefix/vmlinuz-$kver root=/dev/xvda1 ro quiet
	echo	'Loading initial ramdisk ...'
	initrd	$prefix/initrd.img-$kver
}
CFG
}

root_tree() {   # root_tree DIR: a few of the root filesystem's directories
        mkdir -p "$1/etc" "$1/usr/bin" "$1/var/log" "$1/home"
        echo "debian-guest" >"$1/etc/hostname"
}

rm -rf "$work/root" "$work/boot"
mkdir -p "$work/root" "$work/boot"
rm -f "$out"
case $layout in
mbr64 | gpt32)
        root_tree "$work/root"
        if [ "$layout" = mbr64 ]; then label=dos part=part_msdos; else label=gpt part=part_gpt; fi
        boot_tree "$work/root/boot" /boot "$part"
        truncate -s ${size_mb}M "$out"
        printf 'label: %s\nstart=2048, type=L\n' "$label" | sfdisk -q "$out"
        mkfs.ext4 -F -q -E offset=$((2048 * 512)) -d "$work/root" "$out" $((size_mb - 2))M
        ;;
sepboot32)
        boot_tree "$work/boot" "" part_msdos
        root_tree "$work/root"
        mkdir -p "$work/root/boot"
        truncate -s ${size_mb}M "$out"
        # p1 /boot 64 MiB from 1 MiB, p2 / the rest (up to the last MiB).
        printf 'label: dos\nstart=2048, size=131072, type=L\nstart=133120, type=L\n' | sfdisk -q "$out"
        mkfs.ext4 -F -q -E offset=$((2048 * 512)) -d "$work/boot" "$out" 64M
        mkfs.ext4 -F -q -E offset=$((133120 * 512)) -d "$work/root" "$out" $((size_mb - 66))M
        ;;
gptlvm64)
        boot_tree "$work/boot" "" part_gpt
        root_tree "$work/root"
        mkdir -p "$work/root/boot"
        tar -C "$work/root" -cf "$work/root.tar" .
        truncate -s ${size_mb}M "$out"
        printf 'label: gpt\nstart=2048, size=131072, type=L\nstart=133120, size=387072, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\n' |
                sfdisk -q "$out"
        mkfs.ext4 -F -q -E offset=$((2048 * 512)) -d "$work/boot" "$out" 64M
        guestfish -a "$out" -- run : \
                pvcreate /dev/sda2 : vgcreate guestvg /dev/sda2 : \
                lvcreate-free root guestvg 100 : mkfs ext4 /dev/guestvg/root : \
                mount /dev/guestvg/root / : tar-in "$work/root.tar" /
        ;;
lvmboot64)
        boot_tree "$work/boot" "" part_gpt
        root_tree "$work/root"
        mkdir -p "$work/root/boot"
        tar -C "$work/boot" -cf "$work/boot.tar" .
        tar -C "$work/root" -cf "$work/root.tar" .
        guestfish -N "$out"=disk:${size_mb}M -- \
                part-disk /dev/sda gpt : \
                pvcreate /dev/sda1 : vgcreate guestvg /dev/sda1 : \
                lvcreate boot guestvg 64 : lvcreate-free root guestvg 100 : \
                mkfs ext4 /dev/guestvg/boot : mkfs ext4 /dev/guestvg/root : \
                mount /dev/guestvg/boot / : tar-in "$work/boot.tar" / : umount / : \
                mount /dev/guestvg/root / : tar-in "$work/root.tar" /
        ;;
*)
        echo "bench/mkdisk.sh: unknown layout $layout" >&2
        exit 2
        ;;
esac
