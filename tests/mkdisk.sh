#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mkdisk.sh LAYOUT OUT.img [WORKDIR]
#
# Builds a sample guest disk whose pvboot ELFs are real grub-mkimage
# images (Debian's grub-xen-bin), laid out as a distribution installer
# would.  Filesystems are made with mkfs.ext4 -d straight into the image at
# the partition's offset, so no loop device, no host mount and no host LVM
# ever sees the guest's metadata; only the LVM layout needs libguestfs
# (guestfish), which does that inside its own appliance.
#
# Layouts: mbr64 gpt32 whole64 sepboot32 lvm64 lvm-sepboot64 none both
#          both-k32 both-k64 both-mixed nopv-k32 nopv-k64 nopv-nogrub
#          pvh-only pvh-grub ownpath32 zfs64
# Kernels are real Debian images from KERNEL_DIR (tools/fetch-kernels.sh).
# Hostile disks are tests/hostile/build.sh's.
#
# The benchmark's disks (bench/run.sh) are installed Debian PV guests, so
# that pygrub and pvboot-select answer from the same disk: /boot holds a
# real Debian kernel, a small initrd (WORKDIR/initrd.img, which bench
# compares pygrub's answer with), a Debian-style grub.cfg whose default
# entry boots them (what pygrub reads) and the pvboot ELF of the guest's
# width (what pvboot-select reads); 256 MiB sparse images, the size of the
# sample pygrub was first timed on.  BENCH_INITRD_MB (default 4) sizes the
# initrd.
#   debian-mbr64      MBR, one ext4 partition (/), amd64
#   debian-gpt32      GPT, one ext4 partition (/), 686-pae
#   debian-sepboot32  MBR, /boot and / partitions, 686-pae
#   debian-gptlvm64   GPT, /boot partition + LVM PV holding the root LV,
#                     amd64 (Debian's guided "use entire disk and set up LVM")
#   debian-lvmboot64  GPT, one LVM PV holding a /boot LV and a root LV,
#                     amd64 (pygrub cannot read LVM: it has no answer here)
#
# Sourced with the same arguments, it defines its helpers and stops before
# the layouts (tests/hostile/build.sh builds its disks with them).
set -euo pipefail

layout=$1
out=$2
work=${3:-$(mktemp -d)}
mkdir -p "$work"

KERNEL_DIR=${KERNEL_DIR:-/var/cache/pvboot-select-tests/kernels}
k64=$KERNEL_DIR/vmlinuz-amd64
k32=$KERNEL_DIR/vmlinuz-686-pae

# With PVBOOT_MARKER set (the e2e test), each pvboot ELF and grub.cfg prints
# a marker line on the guest console and powers the domain off.
elf() {     # elf ARCH -> path of a real pvboot ELF of that kind
        local kind=$1 f="$work/pvboot-$1${PVBOOT_MARKER:+-marker}.elf"
        if [ ! -s "$f" ]; then
                if [ -n "${PVBOOT_MARKER:-}" ]; then
                        printf 'echo "pvboot-e2e-marker: %s pvboot ELF running"\nhalt\n' "$kind" >"$work/marker-$kind.cfg"
                        grub-mkimage -O "$kind" -o "$f" -c "$work/marker-$kind.cfg" -p /boot/grub echo halt
                else
                        grub-mkimage -O "$kind" -o "$f" -p /boot/grub echo
                fi
        fi
        echo "$f"
}

newroot() {
        rm -rf "$work/root" "$work/root2"
        mkdir -p "$work/root" "$work/root2"
}

# One partition (MBR or GPT) holding root/, 64 MiB disk.
one_part() {    # one_part LABEL [MKFS-OPTION...]
        rm -f "$out"
        truncate -s 64M "$out"
        printf 'label: %s\nstart=2048, size=120832, type=L\n' "$1" | sfdisk -q "$out"
        mkfs.ext4 -F -q "${@:2}" -E offset=$((2048 * 512)) -d "$work/root" "$out" 60416k
}

kernels() {     # kernels 32|64 ...: real Debian kernels into root/boot, as installed
        mkdir -p "$work/root/boot"
        for w in "$@"; do
                case $w in
                32) cp "$k32" "$work/root/boot/vmlinuz-6.1.0-50-686-pae" ;;
                64) cp "$k64" "$work/root/boot/vmlinuz-6.1.0-56-amd64" ;;
                esac
        done
}

grubcfg() {
        mkdir -p "$work/root/boot/grub"
        if [ -n "${PVBOOT_MARKER:-}" ]; then
                printf 'echo "pvboot-e2e-marker: guest grub.cfg read"\nhalt\n' >"$work/root/boot/grub/grub.cfg"
        else
                printf 'set timeout=0\nmenuentry "guest" { linux /boot/vmlinuz root=/dev/xvda1 }\n' \
                        >"$work/root/boot/grub/grub.cfg"
        fi
}

both_elfs() {
        mkdir -p "$work/root/boot/xen"
        cp "$(elf x86_64-xen)" "$work/root/boot/xen/pvboot-x86_64.elf"
        cp "$(elf i386-xen)" "$work/root/boot/xen/pvboot-i386.elf"
}

# guestfish as the tests run libguestfs: direct backend, TCG (no KVM here).
guestfish_tcg() {
        LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg guestfish "$@"
}

put_hex() {     # put_hex FILE OFFSET HEX
        printf "$(echo "$3" | sed 's/../\\x&/g')" |
                dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# Sourced: the helpers above are what the caller wants, not a layout.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
        return 0
fi

# --- Installed Debian guests (the benchmark's disks) ------------------------

# debian_boot_tree DIR PREFIX PART: what /boot holds, written into DIR;
# PREFIX is how grub (and pygrub) names /boot's files: "/boot" when /boot
# is part of the root filesystem, "" when it is a filesystem of its own.
debian_boot_tree() {
        local dir=$1 prefix=$2 part=$3
        mkdir -p "$dir/grub" "$dir/xen"
        cp "$kernel" "$dir/vmlinuz-$kver"
        if [ ! -s "$work/initrd.img" ]; then
                rm -rf "$work/initrd"
                mkdir -p "$work/initrd"
                printf '#!/bin/sh\nexec /sbin/init\n' >"$work/initrd/init"
                head -c "${BENCH_INITRD_MB:-4}M" /dev/urandom >"$work/initrd/modules.bin"
                (cd "$work/initrd" && find . | cpio -o -H newc --quiet) >"$work/initrd.img"
        fi
        cp "$work/initrd.img" "$dir/initrd.img-$kver"
        cp "$(elf "$grubarch")" "$dir/xen/$elfname"
        cat >"$dir/grub/grub.cfg" <<CFG
# Written by tests/mkdisk.sh, after Debian 12's grub-mkconfig
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

debian_root_tree() {    # debian_root_tree DIR: a few of the root filesystem's directories
        mkdir -p "$1/etc" "$1/usr/bin" "$1/var/log" "$1/home"
        echo "debian-guest" >"$1/etc/hostname"
}

debian_guest() {        # debian_guest mbr64|gpt32|sepboot32|gptlvm64|lvmboot64
        local size_mb=256 label part
        case $1 in
        *32) kver=6.1.0-50-686-pae kernel=$k32 grubarch=i386-xen elfname=pvboot-i386.elf ;;
        *64) kver=6.1.0-56-amd64 kernel=$k64 grubarch=x86_64-xen elfname=pvboot-x86_64.elf ;;
        esac
        [ -r "$kernel" ] || { echo "mkdisk.sh: no $kernel (run tools/install-deps.sh)" >&2; exit 1; }
        rm -rf "$work/root" "$work/boot"
        mkdir -p "$work/root" "$work/boot"
        rm -f "$out"
        case $1 in
        mbr64 | gpt32)
                debian_root_tree "$work/root"
                if [ "$1" = mbr64 ]; then label=dos part=part_msdos; else label=gpt part=part_gpt; fi
                debian_boot_tree "$work/root/boot" /boot "$part"
                truncate -s ${size_mb}M "$out"
                printf 'label: %s\nstart=2048, type=L\n' "$label" | sfdisk -q "$out"
                mkfs.ext4 -F -q -E offset=$((2048 * 512)) -d "$work/root" "$out" $((size_mb - 2))M
                ;;
        sepboot32)
                debian_boot_tree "$work/boot" "" part_msdos
                debian_root_tree "$work/root"
                mkdir -p "$work/root/boot"
                truncate -s ${size_mb}M "$out"
                # p1 /boot 64 MiB from 1 MiB, p2 / the rest (up to the last MiB).
                printf 'label: dos\nstart=2048, size=131072, type=L\nstart=133120, type=L\n' | sfdisk -q "$out"
                mkfs.ext4 -F -q -E offset=$((2048 * 512)) -d "$work/boot" "$out" 64M
                mkfs.ext4 -F -q -E offset=$((133120 * 512)) -d "$work/root" "$out" $((size_mb - 66))M
                ;;
        gptlvm64)
                debian_boot_tree "$work/boot" "" part_gpt
                debian_root_tree "$work/root"
                mkdir -p "$work/root/boot"
                tar -C "$work/root" -cf "$work/root.tar" .
                truncate -s ${size_mb}M "$out"
                printf 'label: gpt\nstart=2048, size=131072, type=L\nstart=133120, size=387072, type=E6D6D379-F507-44C2-A23C-238F2A3DF928\n' |
                        sfdisk -q "$out"
                mkfs.ext4 -F -q -E offset=$((2048 * 512)) -d "$work/boot" "$out" 64M
                guestfish_tcg -a "$out" -- run : \
                        pvcreate /dev/sda2 : vgcreate guestvg /dev/sda2 : \
                        lvcreate-free root guestvg 100 : mkfs ext4 /dev/guestvg/root : \
                        mount /dev/guestvg/root / : tar-in "$work/root.tar" /
                ;;
        lvmboot64)
                debian_boot_tree "$work/boot" "" part_gpt
                debian_root_tree "$work/root"
                mkdir -p "$work/root/boot"
                tar -C "$work/boot" -cf "$work/boot.tar" .
                tar -C "$work/root" -cf "$work/root.tar" .
                guestfish_tcg -N "$out"=disk:${size_mb}M -- \
                        part-disk /dev/sda gpt : \
                        pvcreate /dev/sda1 : vgcreate guestvg /dev/sda1 : \
                        lvcreate boot guestvg 64 : lvcreate-free root guestvg 100 : \
                        mkfs ext4 /dev/guestvg/boot : mkfs ext4 /dev/guestvg/root : \
                        mount /dev/guestvg/boot / : tar-in "$work/boot.tar" / : umount / : \
                        mount /dev/guestvg/root / : tar-in "$work/root.tar" /
                ;;
        esac
}

case "$layout" in
debian-mbr64 | debian-gpt32 | debian-sepboot32 | debian-gptlvm64 | debian-lvmboot64)
        debian_guest "${layout#debian-}"
        ;;
mbr64)
        newroot
        mkdir -p "$work/root/boot/xen" "$work/root/etc"
        cp "$(elf x86_64-xen)" "$work/root/boot/xen/pvboot-x86_64.elf"
        one_part dos
        ;;
gpt32)
        newroot
        mkdir -p "$work/root/boot/xen"
        cp "$(elf i386-xen)" "$work/root/boot/xen/pvboot-i386.elf"
        one_part gpt
        ;;
zfs64)
        # A real OpenZFS boot pool (tests/fixtures/README.md says why it
        # is a fixture): the ELF is /BOOT/debian@/xen/pvboot-x86_64.elf.
        xz -dc "$(dirname "$0")/fixtures/zfs64.img.xz" >"$out"
        ;;
whole64)
        newroot
        mkdir -p "$work/root/boot/xen"
        cp "$(elf x86_64-xen)" "$work/root/boot/xen/pvboot-x86_64.elf"
        rm -f "$out"
        mkfs.ext4 -F -q -d "$work/root" "$out" 64M
        ;;
sepboot32)
        # p1 is /boot (so the file is at /xen/... there), p2 is /.
        newroot
        mkdir -p "$work/root/xen" "$work/root2/boot" "$work/root2/etc"
        cp "$(elf i386-xen)" "$work/root/xen/pvboot-i386.elf"
        rm -f "$out"
        truncate -s 64M "$out"
        printf 'label: dos\nstart=2048, size=40960, type=L\nstart=43008, size=77824, type=L\n' | sfdisk -q "$out"
        mkfs.ext4 -F -q -E offset=$((2048 * 512)) -d "$work/root" "$out" 20480k
        mkfs.ext4 -F -q -E offset=$((43008 * 512)) -d "$work/root2" "$out" 38912k
        ;;
lvm64)
        rm -f "$out"
        guestfish_tcg -N "$out"=disk:64M -- \
                part-disk /dev/sda gpt : \
                pvcreate /dev/sda1 : vgcreate guestvg /dev/sda1 : \
                lvcreate-free root guestvg 100 : mkfs ext4 /dev/guestvg/root : \
                mount /dev/guestvg/root / : mkdir-p /boot/xen : \
                upload "$(elf x86_64-xen)" /boot/xen/pvboot-x86_64.elf
        ;;
lvm-sepboot64)
        # GPT + LVM with /boot as its own LV: the file is at /xen/... there.
        rm -f "$out"
        guestfish_tcg -N "$out"=disk:96M -- \
                part-disk /dev/sda gpt : \
                pvcreate /dev/sda1 : vgcreate guestvg /dev/sda1 : \
                lvcreate boot guestvg 32 : lvcreate-free root guestvg 100 : \
                mkfs ext4 /dev/guestvg/boot : mkfs ext4 /dev/guestvg/root : \
                mount /dev/guestvg/boot / : mkdir-p /xen : \
                upload "$(elf x86_64-xen)" /xen/pvboot-x86_64.elf
        ;;
none)
        newroot
        mkdir -p "$work/root/boot/grub" "$work/root/etc"
        echo "# no pvboot here" > "$work/root/boot/grub/grub.cfg"
        one_part dos
        ;;
both)
        newroot
        both_elfs
        one_part dos
        ;;
both-k32)
        # Debian i386 with grub-xen: both ELFs, a 686-pae kernel.
        newroot; both_elfs; kernels 32; grubcfg; one_part dos
        ;;
both-k64)
        newroot; both_elfs; kernels 64; grubcfg; one_part dos
        ;;
both-mixed)
        # 32-bit userland with an optional 64-bit kernel (the spec's example).
        newroot; both_elfs; kernels 32 64; grubcfg; one_part dos
        ;;
nopv-k32)
        newroot; kernels 32; grubcfg; ln -s boot/vmlinuz-6.1.0-50-686-pae "$work/root/vmlinuz"
        one_part dos
        ;;
nopv-k64)
        newroot; kernels 64; grubcfg; one_part gpt
        ;;
nopv-k64-lz4)
        # The real 64-bit kernel with its payload's magic made lz4's (as
        # Ubuntu compresses): its header is intact, its width known, and
        # GRUB's Xen loader could not decompress it.
        newroot; kernels 64; grubcfg
        k=$work/root/boot/vmlinuz-6.1.0-56-amd64
        setup=$(od -An -tu1 -j $((0x1f1)) -N1 "$k" | tr -d ' ')
        payload=$(od -An -tu4 -j $((0x248)) -N4 "$k" | tr -d ' ')
        put_hex "$k" $(( (setup + 1) * 512 + payload )) 02214c18
        one_part gpt
        ;;
nopv-nogrub)
        newroot; kernels 64; one_part dos
        ;;
pvh-only)
        # A PVH-only GRUB image where a PV pvboot ELF belongs.
        newroot
        mkdir -p "$work/root/boot/xen"
        cp "$(elf i386-xen_pvh)" "$work/root/boot/xen/pvboot-i386.elf"
        one_part dos
        ;;
pvh-grub)
        newroot; kernels 64; grubcfg; one_part dos
        ;;
# --- Filesystems as GRUB sees them (issue 16) --------------------------------
# btrfs in the Ubuntu/SUSE layout: / in subvolume @ (id 256), set as the
# default.  The stage 1 reads the top level (5), not the default.
btrfs-at64)
        # The pvboot ELF only inside @: the stage 1 will not find it.
        newroot
        mkdir -p "$work/root/boot/xen"
        cp "$(elf x86_64-xen)" "$work/root/boot/xen/pvboot-x86_64.elf"
        tar -C "$work/root" -cf "$work/at.tar" .
        rm -f "$out"
        guestfish_tcg -N "$out"=disk:256M -- part-disk /dev/sda mbr : mkfs btrfs /dev/sda1 : \
                mount /dev/sda1 / : btrfs-subvolume-create /@ : tar-in "$work/at.tar" /@ : \
                btrfs-subvolume-set-default 256 /
        ;;
btrfs-top64)
        # A 32-bit pvboot ELF inside @, a 64-bit one at the top level where
        # the stage 1 looks: 64-bit, where the default subvolume says 32.
        newroot
        mkdir -p "$work/root/boot/xen" "$work/root2/boot/xen"
        cp "$(elf i386-xen)" "$work/root/boot/xen/pvboot-i386.elf"
        cp "$(elf x86_64-xen)" "$work/root2/boot/xen/pvboot-x86_64.elf"
        tar -C "$work/root" -cf "$work/at.tar" .
        tar -C "$work/root2" -cf "$work/top.tar" .
        rm -f "$out"
        guestfish_tcg -N "$out"=disk:256M -- part-disk /dev/sda mbr : mkfs btrfs /dev/sda1 : \
                mount /dev/sda1 / : btrfs-subvolume-create /@ : tar-in "$work/at.tar" /@ : \
                tar-in "$work/top.tar" / : btrfs-subvolume-set-default 256 /
        ;;
btrfs-both64)
        # The same 64-bit pvboot ELF at the top level and inside @: found
        # where the stage 1 looks, so nothing is "only" in @.
        newroot
        mkdir -p "$work/root/boot/xen"
        cp "$(elf x86_64-xen)" "$work/root/boot/xen/pvboot-x86_64.elf"
        tar -C "$work/root" -cf "$work/at.tar" .
        rm -f "$out"
        guestfish_tcg -N "$out"=disk:256M -- part-disk /dev/sda mbr : mkfs btrfs /dev/sda1 : \
                mount /dev/sda1 / : btrfs-subvolume-create /@ : tar-in "$work/at.tar" /@ : \
                tar-in "$work/at.tar" / : btrfs-subvolume-set-default 256 /
        ;;
# md RAID1 over two partitions of the disk: metadata 1.2 holding ext4, or
# 0.90 (at the end of each member) holding LVM; md1-degraded64 is md1-64
# with its second member's superblock gone (a missing member).
md1-64 | md1-degraded64 | md090-lvm32)
        newroot
        mkdir -p "$work/root/boot/xen"
        if [ "$layout" != md090-lvm32 ]; then
                cp "$(elf x86_64-xen)" "$work/root/boot/xen/pvboot-x86_64.elf"
        else
                cp "$(elf i386-xen)" "$work/root/boot/xen/pvboot-i386.elf"
        fi
        tar -C "$work/root" -cf "$work/root.tar" .
        rm -f "$out"
        truncate -s 128M "$out"
        printf 'label: dos\nstart=2048, size=126976, type=fd\nstart=129024, size=126976, type=fd\n' | sfdisk -q "$out"
        if [ "$layout" != md090-lvm32 ]; then
                guestfish_tcg -a "$out" -- run : md-create md0 "/dev/sda1 /dev/sda2" level:raid1 : \
                        mkfs ext4 /dev/md/md0 : mount /dev/md/md0 / : tar-in "$work/root.tar" /
                [ "$layout" = md1-64 ] ||
                        dd if=/dev/zero of="$out" bs=512 seek=129024 count=2048 conv=notrunc status=none
        else
                guestfish_tcg -a "$out" -- run : \
                        debug sh "mdadm --create /dev/md0 --run --metadata=0.90 --level=1 --raid-devices=2 /dev/sda1 /dev/sda2" : \
                        pvcreate /dev/md0 : vgcreate mdvg /dev/md0 : lvcreate-free root mdvg 100 : \
                        mkfs ext4 /dev/mdvg/root : mount /dev/mdvg/root / : tar-in "$work/root.tar" /
        fi
        ;;
# --- Guests pvgrub2 cannot boot, and the fix they are told -----------------
extlinux64)
        # A kernel booted by extlinux: no grub.cfg, no pvboot ELF.
        newroot; kernels 64
        mkdir -p "$work/root/boot/extlinux"
        printf 'DEFAULT linux\nLABEL linux\n  KERNEL /boot/vmlinuz-6.1.0-56-amd64\n  APPEND root=/dev/xvda1\n' \
                >"$work/root/boot/extlinux/extlinux.conf"
        one_part dos
        ;;
bls64)
        # Boot Loader Specification entries, as Fedora writes them, and no grub.cfg.
        newroot; kernels 64
        mkdir -p "$work/root/boot/loader/entries"
        printf 'title Guest\nversion 6.1.0-56-amd64\nlinux /boot/vmlinuz-6.1.0-56-amd64\noptions root=/dev/xvda1\n' \
                >"$work/root/boot/loader/entries/0123456789abcdef-6.1.0-56-amd64.conf"
        one_part dos
        ;;
ownpath32)
        # An i386 pvboot ELF where only a stage 1 of the admin's own looks.
        newroot
        mkdir -p "$work/root/boot"
        cp "$(elf i386-xen)" "$work/root/boot/pv32.elf"
        one_part dos
        ;;
*)
        echo "mkdisk.sh: unknown layout $layout" >&2
        exit 2
        ;;
esac
