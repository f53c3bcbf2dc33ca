#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# build.sh CASE OUT.img WORKDIR
#
# Builds one disk of the hostile corpus (tests/hostile/run.sh lists the
# cases and what each must produce).  Like tests/mkdisk.sh, whose helpers
# this sources, every disk is made with the real tools a guest owner has:
# mkfs.ext4 -d, sfdisk, debugfs/tune2fs, guestfish for LVM, and real
# grub-mkimage ELFs and Debian kernels as the base of every hostile file.
# patch.py then changes only the bytes a hostile guest would change.
set -euo pipefail

case_name=$1
here=$(cd "$(dirname "$0")" && pwd)
# The helpers (elf, newroot, one_part, kernels, grubcfg, put_hex,
# guestfish_tcg) and $work, $out, $k32, $k64.
. "$here/../mkdisk.sh" "$case_name" "$2" "$3"

patch() { python3 "$here/patch.py" "$@"; }

# put ARCH GUEST-PATH: a real pvboot ELF of that kind at root/GUEST-PATH.
put() {
        mkdir -p "$(dirname "$work/root/$2")"
        cp "$(elf "$1-xen")" "$work/root/$2"
}

# Offset of the first PT_NOTE segment of ELF file $1.
note_offset() {
        local off
        off=$(readelf -lW "$1" | awk '$1 == "NOTE" { print $2; exit }')
        echo $((off))
}

# ext_at SECTOR: the filesystem at that sector of $out, as debugfs and
# tune2fs (libext2fs) name it, to change it in place.
ext_at() {
        echo "$out?offset=$(($1 * 512))"
}

# three_parts ROOT1 ROOT2 ROOT3: a 64 MiB disk with three 20 MiB
# partitions (sectors 2048, 43008, 83968), each an ext4 of that tree.
three_parts() {
        local start=2048 root
        rm -f "$out"
        truncate -s 64M "$out"
        printf 'label: dos\nstart=2048, size=40960, type=L\nstart=43008, size=40960, type=L\nstart=83968, size=40960, type=L\n' |
                sfdisk -q "$out"
        for root in "$@"; do
                mkfs.ext4 -F -q -E offset=$((start * 512)) -d "$root" "$out" 20M
                start=$((start + 40960))
        done
}

R=$work/root

case "$case_name" in
# ---- what is at the pvboot path ------------------------------------------
symlink-to-dev-zero)
        # /dev/zero (a real node in the guest) reads forever: not a file.
        newroot
        mkdir -p "$R/dev" "$R/boot/xen"
        mknod "$R/dev/zero" c 1 5
        ln -s /dev/zero "$R/boot/xen/pvboot-x86_64.elf"
        put i386 boot/xen/pvboot-i386.elf
        one_part dos
        ;;
symlink-to-dev-sda)
        newroot
        mkdir -p "$R/boot/xen" "$R/dev"
        mknod "$R/dev/sda" b 8 0
        ln -s /dev/sda "$R/boot/xen/pvboot-x86_64.elf"
        one_part dos
        ;;
symlink-outside-fs)
        # Each of the four paths points out of the guest filesystem: at
        # dom0's files, at the appliance's /proc and at its /sysroot mount.
        newroot
        mkdir -p "$R/boot/xen" "$R/xen"
        ln -s ../../../../../../../etc/passwd "$R/boot/xen/pvboot-x86_64.elf"
        ln -s /proc/self/root/etc/shadow "$R/boot/xen/pvboot-i386.elf"
        ln -s /sysroot/../../../../dev/sda "$R/xen/pvboot-x86_64.elf"
        ln -s /../../../../root/.ssh/id_rsa "$R/xen/pvboot-i386.elf"
        one_part dos
        ;;
symlink-dotdot-in-guest)
        # ".." at the guest's root stays there, as in GRUB: this resolves to
        # the guest's own /real/<name with escapes>.elf.
        newroot
        put x86_64 $'real/\e[31mpvboot\e[0m.elf'
        mkdir -p "$R/boot/xen"
        ln -s $'../../../../../../../../real/\e[31mpvboot\e[0m.elf' "$R/boot/xen/pvboot-x86_64.elf"
        one_part dos
        ;;
symlink-loop)
        # a -> b -> a, and /xen a link to itself; a real i386 ELF beside.
        newroot
        mkdir -p "$R/boot/xen"
        ln -s loop-b "$R/boot/xen/pvboot-x86_64.elf"
        ln -s pvboot-x86_64.elf "$R/boot/xen/loop-b"
        ln -s xen "$R/xen"
        put i386 boot/xen/pvboot-i386.elf
        one_part dos
        ;;
symlink-chain-7|symlink-chain-1000)
        # pvboot-x86_64.elf -> c1 -> ... -> real.elf: GRUB follows 7 links.
        newroot
        n=${case_name#symlink-chain-}
        put x86_64 boot/xen/real.elf
        ln -s c1 "$R/boot/xen/pvboot-x86_64.elf"
        for ((i = 1; i < n - 1; i++)); do
                ln -s "c$((i + 1))" "$R/boot/xen/c$i"
        done
        ln -s real.elf "$R/boot/xen/c$((n - 1))"
        one_part dos
        ;;
symlink-target-4000-bytes)
        # A 4000-byte target ("./" repeated): over our 1024-byte path bound.
        # ext4 stores targets up to a block, so 4 KiB blocks.
        newroot
        put x86_64 boot/xen/real.elf
        ln -s "$(printf './%.0s' $(seq 1996))real.elf" "$R/boot/xen/pvboot-x86_64.elf"
        put i386 boot/xen/pvboot-i386.elf
        one_part dos -b 4096
        ;;
hardlink-both-names)
        # One 64-bit inode under all four names.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        mkdir -p "$R/xen"
        ln "$R/boot/xen/pvboot-x86_64.elf" "$R/boot/xen/pvboot-i386.elf"
        ln "$R/boot/xen/pvboot-x86_64.elf" "$R/xen/pvboot-x86_64.elf"
        ln "$R/boot/xen/pvboot-x86_64.elf" "$R/xen/pvboot-i386.elf"
        one_part dos
        ;;
fifo)
        # A reader that opens it blocks forever.
        newroot
        mkdir -p "$R/boot/xen"
        mkfifo "$R/boot/xen/pvboot-x86_64.elf"
        one_part dos
        ;;
socket)
        # mkfs.ext4 -d copies the socket inode as it is.
        newroot
        mkdir -p "$R/boot/xen"
        python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
                "$R/boot/xen/pvboot-x86_64.elf"
        one_part dos
        ;;
device-nodes)
        # All four paths are device nodes: /dev/zero (hard-linked to the
        # guest's /dev/zero), /dev/mem, the first disk and /dev/loop0.
        newroot
        mkdir -p "$R/boot/xen" "$R/xen" "$R/dev"
        mknod "$R/dev/zero" c 1 5
        ln "$R/dev/zero" "$R/boot/xen/pvboot-x86_64.elf"
        mknod "$R/boot/xen/pvboot-i386.elf" b 8 0
        mknod "$R/xen/pvboot-x86_64.elf" c 1 1
        mknod "$R/xen/pvboot-i386.elf" b 7 0
        one_part dos
        ;;
directory)
        newroot
        mkdir -p "$R/boot/xen/pvboot-x86_64.elf"
        one_part dos
        ;;
sparse-4GiB)
        # The real header, then a 4 GiB hole.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        truncate -s 4G "$R/boot/xen/pvboot-x86_64.elf"
        one_part dos
        ;;
empty-file)
        newroot
        mkdir -p "$R/boot/xen"
        : >"$R/boot/xen/pvboot-x86_64.elf"
        one_part dos
        ;;
# ---- ELF headers ----------------------------------------------------------
elf-truncated-header)
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        truncate -s 40 "$R/boot/xen/pvboot-x86_64.elf"
        one_part dos
        ;;
elf-truncated-notes)
        # Cut 20 bytes into the note segment, which the header still
        # declares whole.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        truncate -s $(($(note_offset "$R/boot/xen/pvboot-x86_64.elf") + 20)) "$R/boot/xen/pvboot-x86_64.elf"
        one_part dos
        ;;
elf-class-lies)
        # A 64-bit image whose EI_CLASS says 32-bit.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        put_hex "$R/boot/xen/pvboot-x86_64.elf" 4 01
        one_part dos
        ;;
elf-machine-lies)
        # ELF64 whose e_machine says i386.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        put_hex "$R/boot/xen/pvboot-x86_64.elf" 18 0300
        one_part dos
        ;;
name-says-i386)
        # Named i386, holds a 64-bit image.
        newroot
        put x86_64 boot/xen/pvboot-i386.elf
        one_part dos
        ;;
elf-phnum-huge)
        # e_phnum 65535: a 3.5 MiB program header table.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        put_hex "$R/boot/xen/pvboot-x86_64.elf" 56 ffff
        one_part dos
        ;;
elf-phoff-wraps)
        # e_phoff 2^64 - 64: offset + table size wraps around zero.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        put_hex "$R/boot/xen/pvboot-x86_64.elf" 32 c0ffffffffffffff
        one_part dos
        ;;
# ---- ELF notes ------------------------------------------------------------
notes-namesz-huge)
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        patch elf "$R/boot/xen/pvboot-x86_64.elf" first-note-sizes=0xffffffff:5
        one_part dos
        ;;
notes-descsz-wrap)
        # descsz 2^32 - 3: rounded up to 4 it wraps to 0 in 32 bits.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        patch elf "$R/boot/xen/pvboot-x86_64.elf" first-note-sizes=4:0xfffffffd
        one_part dos
        ;;
notes-zero-length)
        # 1000 notes of size 0 ahead of the real ones: each is 12 bytes
        # long all the same, so the walk moves on and finds the real notes.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        patch elf "$R/boot/xen/pvboot-x86_64.elf" empty-notes-before=1000
        one_part dos
        ;;
notes-100k)
        # 100000 notes after the real ones: a 1.2 MB note segment.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        patch elf "$R/boot/xen/pvboot-x86_64.elf" empty-notes-after=100000
        one_part dos
        ;;
notes-70k)
        # 70000 notes in 840 KB: under the segment bound, over the count
        # bound.  A real i386 ELF beside it must still be found.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        patch elf "$R/boot/xen/pvboot-x86_64.elf" empty-notes-after=70000
        put i386 boot/xen/pvboot-i386.elf
        one_part dos
        ;;
notes-read-budget)
        # 1000 PT_NOTE headers all naming one 900 KB note: 900 MB of reads
        # if nothing bounded them.  A real i386 ELF beside it.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        patch elf "$R/boot/xen/pvboot-x86_64.elf" big-note=900000 note-phdrs=1000
        put i386 boot/xen/pvboot-i386.elf
        one_part dos
        ;;
notes-escape-strings)
        # Valid notes whose strings carry terminal escapes (CSI, OSC, C1),
        # CR/LF, "../", a NUL, and 3000 bytes of escapes.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        patch elf "$R/boot/xen/pvboot-x86_64.elf" \
                'note=8:generic\x1b[2J\x1b]0;owned\x07\r\n../../../etc/passwd\x9b31m' \
                'note=5:xen-3.0\x1b[5m\0\x1b]2;hidden after a NUL\x07' \
                "note=6:$(printf '\\x1b[1;31m\\x1b[K\\n%.0s' $(seq 300))"
        one_part dos
        ;;
notes-string-too-long)
        # LOADER "generic" followed by 5000 more bytes: over libelf's cap.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        patch elf "$R/boot/xen/pvboot-x86_64.elf" "note=8:generic$(head -c 5000 /dev/zero | tr '\0' A)"
        one_part dos
        ;;
# ---- partition tables -----------------------------------------------------
pt-corrupt)
        # Overlapping, out-of-range and self-referencing extended entries;
        # the one real filesystem has no pvboot ELF.  The extended entry
        # makes the kernel read the MBR as its own boot record again and
        # again, each time adding a logical partition over the filesystem.
        newroot
        mkdir -p "$R/boot/xen"
        one_part dos
        patch mbr "$out" 0 0 0x83 2048 0x80000000       # past the end
        patch mbr "$out" 0 1 0x05 0 0x10000             # extended at the MBR itself
        patch mbr "$out" 0 2 0x83 0x1000 0x1000         # inside entry 0
        ;;
pt-overlap)
        # Entries 1 and 2 are the same filesystem, entry 3 lies inside it.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        one_part dos
        patch mbr "$out" 0 1 0x83 2048 120832
        patch mbr "$out" 0 2 0x83 4096 8192
        ;;
pt-out-of-range)
        # Entry 2 starts past the end of the disk, entry 3 ends 1 TiB past it.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        one_part dos
        patch mbr "$out" 0 1 0x83 0xfffff000 0x800
        patch mbr "$out" 0 2 0x83 100000 0x80000000
        ;;
pt-extended-loop)
        # An extended partition in the gap before the filesystem whose boot
        # record links to itself: every turn of the loop adds one more
        # logical partition, until the kernel's own bound stops it.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        one_part dos
        patch mbr "$out" 0 1 0x05 1024 1024             # extended: sectors 1024-2047
        patch mbr "$out" 1024 0 0x83 1 512              # logical: sectors 1025-1536, empty
        patch mbr "$out" 1024 1 0x05 0 1024             # next EBR: this one again
        ;;
gpt-bad-header-crc|gpt-bad-entries-crc|gpt-all-crcs-bad)
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        one_part gpt
        case $case_name in
        gpt-bad-header-crc)   patch gpt "$out" primary-header-crc ;;
        gpt-bad-entries-crc)  patch gpt "$out" primary-entries-crc ;;
        gpt-all-crcs-bad)     patch gpt "$out" primary-entries-crc primary-header-crc \
                                               backup-entries-crc backup-header-crc ;;
        esac
        ;;
# ---- LVM ------------------------------------------------------------------
lvm-duplicate-vg)
        # Two PVs, each with its own VG named vg0 (different UUIDs), made in
        # one appliance by letting LVM see one partition at a time.
        rm -f "$out"
        guestfish_tcg -N "$out"=disk:64M -- \
                part-init /dev/sda gpt : \
                part-add /dev/sda p 2048 63487 : part-add /dev/sda p 63488 -34 : \
                lvm-set-filter /dev/sda1 : pvcreate /dev/sda1 : vgcreate vg0 /dev/sda1 : \
                lvcreate-free root vg0 100 : mkfs ext4 /dev/vg0/root : mount /dev/vg0/root / : \
                mkdir-p /boot/xen : upload "$(elf x86_64-xen)" /boot/xen/pvboot-x86_64.elf : \
                umount-all : vg-activate false vg0 : \
                lvm-set-filter /dev/sda2 : pvcreate /dev/sda2 : vgcreate vg0 /dev/sda2 : \
                lvcreate-free root vg0 100 : mkfs ext4 /dev/vg0/root : mount /dev/vg0/root / : \
                mkdir-p /boot/xen : upload "$(elf x86_64-xen)" /boot/xen/pvboot-x86_64.elf : \
                umount-all : vg-activate false vg0
        ;;
lvm-long-names)
        # VG and LV names of 60 characters: together as long as
        # device-mapper's 127-byte name allows.
        vg=vg$(printf 'v%.0s' $(seq 58)) lv=lv$(printf 'l%.0s' $(seq 58))
        rm -f "$out"
        guestfish_tcg -N "$out"=disk:64M -- \
                part-disk /dev/sda gpt : pvcreate /dev/sda1 : vgcreate "$vg" /dev/sda1 : \
                lvcreate-free "$lv" "$vg" 100 : mkfs ext4 "/dev/$vg/$lv" : mount "/dev/$vg/$lv" / : \
                mkdir-p /boot/xen : upload "$(elf x86_64-xen)" /boot/xen/pvboot-x86_64.elf
        ;;
# ---- filesystems ----------------------------------------------------------
fs-corrupt-superblock)
        # p1: superblock overwritten; p2: group descriptor 0 names a block
        # bitmap outside its group (the kernel refuses the mount); both hold
        # an x86_64 ELF nobody can read.  p3: a sound i386 one.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        mkdir -p "$work/root2/boot/xen"
        cp "$(elf i386-xen)" "$work/root2/boot/xen/pvboot-i386.elf"
        three_parts "$R" "$R" "$work/root2"
        dd if=/dev/urandom of="$out" bs=1024 seek=$((2048 / 2 + 1)) count=1 conv=notrunc status=none
        debugfs -w -R "set_bg 0 block_bitmap 9999999" "$(ext_at 43008)" 2>/dev/null
        ;;
fs-corrupt-inode|fs-errors-panic)
        # /boot/xen's inode zeroed (debugfs clri): the filesystem mounts,
        # the lookup fails.  fs-errors-panic also sets errors=panic, so
        # the appliance kernel panics at that first error.
        newroot
        put x86_64 boot/xen/pvboot-x86_64.elf
        one_part dos
        debugfs -w -R "clri /boot/xen" "$(ext_at 2048)" 2>/dev/null
        if [ "$case_name" = fs-errors-panic ]; then
                tune2fs -e panic "$(ext_at 2048)" >/dev/null 2>&1
        fi
        ;;
btrfs-2000-subvolumes)
        # 2020 subvolumes: 20 at the top level with 95 nested in each, and a
        # chain 100 deep (d/d/.../d) whose last one is the default subvolume
        # and holds a real i386 pvboot ELF.  The real x86_64 one is at the
        # top level, where the stage 1's GRUB looks (tests/mkdisk.sh
        # btrfs-top64): 64-bit, found without walking any subvolume.
        #
        # Issue 16 also names "a subvolume loop"; btrfs cannot hold one.
        # Subvolumes form a tree: each has exactly one parent (its one
        # ROOT_BACKREF item), under a directory of that parent, and a
        # snapshot is a new subvolume with its own id, never a link back.
        # A directory cannot be hard-linked (EPERM) and a rename into its
        # own subtree fails (EINVAL), so no tool makes a cycle; a symlink
        # to a parent is only a symlink, which symlink-loop covers.
        #
        # One appliance, one shell in it: btrfs-progs 6.2 creates one
        # subvolume per exec (about 50 ms each under TCG; a guestfish
        # btrfs-subvolume-create per subvolume costs about 80 ms).
        rm -f "$out"
        out_sh=$(guestfish_tcg -N "$out"=disk:256M -- part-disk /dev/sda mbr : mkfs btrfs /dev/sda1 : \
                mount /dev/sda1 / : mkdir-p /boot/xen : \
                upload "$(elf x86_64-xen)" /boot/xen/pvboot-x86_64.elf : upload "$(elf i386-xen)" /i386.elf : \
                debug sh 'set -e; cd /sysroot
                        for i in $(seq 20); do
                                btrfs -q subvolume create t$i
                                for j in $(seq 95); do btrfs -q subvolume create t$i/s$j; done
                        done
                        p=.
                        for i in $(seq 100); do p=$p/d; btrfs -q subvolume create $p; done
                        mkdir -p $p/boot/xen; cp i386.elf $p/boot/xen/pvboot-i386.elf; rm i386.elf
                        btrfs -q subvolume set-default $p
                        echo "subvolumes: $(btrfs subvolume list . | wc -l)"
                        echo "default: $(btrfs subvolume get-default .)"')
        echo "$out_sh"
        grep -qx 'subvolumes: 2020' <<<"$out_sh"
        ;;
boot-xen-5000-files)
        newroot
        mkdir -p "$R/boot/xen"
        for i in $(seq 5000); do : >"$R/boot/xen/pvboot-$i.elf"; done
        put x86_64 boot/xen/pvboot-x86_64.elf
        one_part dos
        ;;
# ---- kernels and grub.cfg -------------------------------------------------
hostile-kernels)
        # Every kernel here is unknown evidence: none may be guessed.
        newroot; grubcfg
        mkdir -p "$R/boot/vmlinuz-dir" "$R/dev"
        mknod "$R/dev/sda" b 8 0
        ln -s /dev/sda "$R/boot/vmlinuz-device"
        head -c 4096 "$k64" >"$R/boot/vmlinuz-truncated"               # header lies about its size
        { head -c 1024 "$k64"; head -c 8192 /dev/urandom; } >"$R/boot/vmlinuz-garbage"
        gzip -c "$(elf x86_64-xen)" >"$R/boot/vmlinuz-gzip"
        cp "$k64" "$R/boot/vmlinuz-huge"
        truncate -s 300M "$R/boot/vmlinuz-huge"                         # over the 256 MiB bound
        ln -s vmlinuz-loop "$R/boot/vmlinuz-loop"
        one_part dos
        ;;
kernel-header-lies)
        # A real 64-bit kernel whose syssize claims 4 GiB of code, and a
        # real 32-bit one; no pvboot ELF.  Believed, the lie would make
        # this guest "mixed" and 64-bit.
        newroot; kernels 32 64; grubcfg
        put_hex "$R/boot/vmlinuz-6.1.0-56-amd64" $((0x1f4)) 00000010
        one_part dos
        ;;
grubcfg-special)
        # A 64-bit kernel, and grub.cfg paths that are a FIFO and a link
        # to /dev/zero: read, either would never end.
        newroot; kernels 64
        mkdir -p "$R/boot/grub" "$R/grub" "$R/dev"
        mkfifo "$R/boot/grub/grub.cfg"
        mknod "$R/dev/zero" c 1 5
        ln -s /dev/zero "$R/grub/grub.cfg"
        one_part dos
        ;;
grubcfg-huge)
        # A 4 GiB grub.cfg that starts with commands for a shell and host
        # paths (CVE-2007-4993, XSA-198 style).  We only check that it exists.
        newroot; kernels 64
        mkdir -p "$R/boot/grub"
        cat >"$R/boot/grub/grub.cfg" <<'EOF'
default=0
title pwn
        root (hd0,0)
        kernel /../../../../etc/shadow $(touch /tmp/pvboot-hostile-pwned) `touch /tmp/pvboot-hostile-pwned`
        initrd /etc/passwd
menuentry "x" { linux /boot/vmlinuz'; touch /tmp/pvboot-hostile-pwned; ' }
EOF
        truncate -s 4G "$R/boot/grub/grub.cfg"
        one_part dos
        ;;
names-escape-sequences)
        # Kernel and link names with terminal escapes (CSI, OSC, C1 CSI),
        # BEL, CR/LF, DEL, invalid UTF-8, shell and format metacharacters,
        # and 255-byte names; the one real (32-bit) kernel hides among
        # them, /vmlinuz reaches it through "../" and escapes.
        newroot; grubcfg
        mkdir -p "$R/boot"
        cp "$k32" "$R/boot/"$'vmlinuz-\e[31mRED\e[0m-\e]0;owned\a'
        for n in $'vmlinuz-line1\nline2\rCR' $'vmlinuz-\x9b2J\xff\xfe\x7f' \
                 'vmlinuz-;rm -rf ~;|&$(reboot)`id`' 'vmlinuz-%s%n%x%p' \
                 "vmlinuz-$(printf 'A%.0s' $(seq 247))" \
                 "vmlinuz-$(printf '\e[2J%.0s' $(seq 61))"; do
                head -c 2048 /dev/urandom >"$R/boot/$n"
        done
        ln -s $'boot/../boot/./../../..//boot/vmlinuz-\e[31mRED\e[0m-\e]0;owned\a' "$R/vmlinuz"
        ln -s ../../../../etc/passwd "$R/boot/"$'vmlinuz-link-\e[H\e[2J'
        cat >"$R/boot/grub/grub.cfg" <<'EOF'
menuentry "x" { linux /boot/vmlinuz-$(touch /tmp/pvboot-hostile-pwned) root=`touch /tmp/pvboot-hostile-pwned`; initrd /../../../../etc/shadow }
EOF
        printf 'menuentry "\e[2J\e]0;owned\a" { linux /boot/vmlinuz }\n' >>"$R/boot/grub/grub.cfg"
        one_part dos
        ;;
*)
        echo "build.sh: unknown case $case_name" >&2
        exit 2
        ;;
esac
