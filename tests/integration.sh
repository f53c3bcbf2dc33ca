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
# Every decision restores its own appliance clone from the template
# (pvboot-select template, built first); two run at a time.  Reports TAP
# (tests/lib.sh), one result per scenario; skips when the machine cannot
# run appliances.
# Hostile disks (symlinks, special files, lying ELFs and kernels, broken
# partition tables...) are tests/hostile/run.sh's corpus, not run here.
set -uo pipefail

pvboot=$1
libxl_run=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_appliance_env "mknod, --runas" grub-mkimage mkfs.ext4 sfdisk guestfish
cold_path_only

runas_uid=131079
# Debian's and upstream's default: no 32-bit PV.
stock_caps="xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64"
# No per-uid appliance cache may appear: clones use root's template.
worker_uid=$(id -u pvboot-select 2>/dev/null || echo none)
rm -rf "/var/tmp/.guestfs-$runas_uid" "/var/tmp/.guestfs-$worker_uid"
"$pvboot" template || bail "pvboot-select template"
make_work it

# Stage 1s of the admin's own (issue 16): what they search decides, not
# the spec's paths.  s1-grub2 looks only for /boot/grub2/grub.cfg; s1-own32
# chainloads /boot/pv32.elf; s1-noext2 is Debian's x86_64 search without
# the ext2 module; s1-unmodelled has a config line we do not model.
# s1-nogpt32, s1-nolvm64 and s1-lvm64 search the spec's paths and carry
# the filesystem's module but not part_gpt (nogpt32), not lvm (nolvm64),
# or every layer of a GPT+LVM disk (lvm64): rule 6 checks the layers too.
stage1() {      # stage1 NAME FORMAT CONFIG MODULES...
        local name=$1 format=$2
        printf '%b' "$3" >"$work/$name.cfg"
        grub-mkimage -O "$format" -o "$work/$name.bin" -c "$work/$name.cfg" -p /boot/grub "${@:4}" ||
                bail "grub-mkimage $name"
}
stage1 s1-grub2 x86_64-xen 'if search -s -f /boot/grub2/grub.cfg; then configfile /boot/grub2/grub.cfg; fi\n' \
        ext2 part_msdos search configfile
stage1 s1-own32 i386-xen 'if search --set=root -f /boot/pv32.elf; then\n  multiboot /boot/pv32.elf\n  boot\nfi\n' \
        ext2 part_msdos search linux
stage1 s1-noext2 x86_64-xen 'if search -s -f /boot/xen/pvboot-x86_64.elf; then multiboot /boot/xen/pvboot-x86_64.elf; boot; fi\n' \
        xfs part_msdos search linux
stage1 s1-unmodelled x86_64-xen 'terminal_output console\n' ext2
spec_search() {     # spec_search ARCH: the spec's chainload search, as Debian's images do it
        printf 'if search -s -f /boot/xen/pvboot-%s.elf; then multiboot /boot/xen/pvboot-%s.elf; boot; fi\n' "$1" "$1"
}
stage1 s1-nogpt32 i386-xen "$(spec_search i386)" ext2 part_msdos search linux
stage1 s1-nolvm64 x86_64-xen "$(spec_search x86_64)" ext2 part_gpt search linux
stage1 s1-lvm64 x86_64-xen "$(spec_search x86_64)" ext2 part_gpt lvm search linux
# ZFS: GRUB opens a file only by a dataset path with '@' (zfs.c's
# dnode_get_fullpath), so only a stage 1 that names one boots from a pool.
zfs_cfg='if search -s -f /BOOT/debian@/xen/pvboot-x86_64.elf; then multiboot /BOOT/debian@/xen/pvboot-x86_64.elf; boot; fi\n'
stage1 s1-zfs x86_64-xen "$zfs_cfg" zfs part_msdos search linux
stage1 s1-nozfs x86_64-xen "$zfs_cfg" ext2 part_msdos search linux

# name | layout | expectation (x86_64, i386, pvh, file:STAGE1 or fail:TEXT) | libxl-run option | bootloader_args (;-separated)
scenarios=(
        "mbr64-args|mbr64|x86_64|--args=root=/dev/xvda1 console=hvc0 quiet|"
        "gpt32|gpt32|i386||"
        "whole-disk-fs|whole64|x86_64||"
        "separate-boot|sepboot32|i386||"
        "gpt-lvm|lvm64|x86_64||"
        "restrict-runas|mbr64|x86_64|--runas=$runas_uid|"
        "unprivileged-default|mbr64|x86_64||-v"
        "no-pvboot|none|fail:nothing to boot: no /boot/xen/pvboot-{x86_64,i386}.elf||"
        "both-no-kernels|both|x86_64||"
        "both-forced-i386|both|i386||--force-arch=i386"
        "format-not-raw|mbr64|fail:libxl always hands its bootloader a raw device||--format=qcow2"
        # An xl config written for pygrub, bootloader= changed (issue 16,
        # point 6): kernel=, ramdisk=, extra= and pygrub's bootloader_args,
        # each ignored flag said once (checked below), the stage 1 returned.
        "pygrub-config|mbr64|x86_64|--kernel=/boot/vmlinuz;--ramdisk=/boot/initrd.img;--args=root=/dev/xvda1 quiet|-q;--entry=1;-i;--isconfig;--offset=1048576;--default_args=ro;--extra_args=quiet;--debug"
        "pygrub-restrict|mbr64|x86_64|--kernel=/boot/vmlinuz;--runas=$runas_uid|--entry=Debian GNU/Linux"
        "pygrub-unknown-flag|mbr64|fail:unknown option '--no-such-flag'||-q;--no-such-flag"
        # libxl's timeout, restrict mode (issue 16, point 5): libxl-run
        # arms it as libxl does and fails any run it has to kill.
        "timeout-fits|mbr64|x86_64|--runas=$runas_uid;--xl-env=LIBXL_BOOTLOADER_TIMEOUT=20|"
        "timeout-too-short|mbr64|fail:not starting one|--runas=$runas_uid;--xl-env=LIBXL_BOOTLOADER_TIMEOUT=10|"
        "timeout-zero|mbr64|x86_64|--runas=$runas_uid;--xl-env=LIBXL_BOOTLOADER_TIMEOUT=0|"
        "timeout-negative|mbr64|x86_64|--runas=$runas_uid;--xl-env=LIBXL_BOOTLOADER_TIMEOUT=-1|"
        "timeout-text|mbr64|x86_64|--runas=$runas_uid;--xl-env=LIBXL_BOOTLOADER_TIMEOUT=text|"
        "timeout-99999|mbr64|x86_64|--xl-env=LIBXL_BOOTLOADER_USER=pvboot-select;--runas=$runas_uid;--xl-env=LIBXL_BOOTLOADER_TIMEOUT=99999|"
        "timeout-overflow|mbr64|fail:out of libxl's range|--runas=$runas_uid;--xl-env=LIBXL_BOOTLOADER_TIMEOUT=99999999999|"
        "timeout-not-restrict|mbr64|x86_64|--xl-env=LIBXL_BOOTLOADER_TIMEOUT=1|"
        "missing-disk|@missing|fail:cannot use disk||"
        # Width selection (issue 3): real Debian kernels decide.
        "both-32bit-kernels|both-k32|i386||"
        "both-64bit-kernels|both-k64|x86_64||"
        "both-mixed-kernels|both-mixed|x86_64||"
        "both-mixed-prefer-i386|both-mixed|i386||--prefer=i386"
        "no-pvboot-32bit-kernel|nopv-k32|i386||"
        "no-pvboot-64bit-kernel|nopv-k64|x86_64||"
        "no-pvboot-lz4-kernel|nopv-k64-lz4|x86_64||-v"
        "kernel-but-no-grub.cfg|nopv-nogrub|fail:no /boot/grub/grub.cfg or /grub/grub.cfg||"
        "pvh-only-elf|pvh-only|fail:PVH-only image||"
        "pvh-mode|pvh-grub|pvh||--pvh"
        # Filesystems as the stage 1 sees them (issue 16, point 2): btrfs
        # from its top-level subvolume, md RAID1 (also degraded, and LVM on
        # it) read from a member, and md's striped levels.
        "btrfs-default-subvolume|btrfs-at64|fail:exists only in btrfs subvolume 256, the default of /dev/sda1; the stage 1 reads the top-level subvolume||"
        "btrfs-top-level|btrfs-top64|x86_64||-v"
        "btrfs-same-in-both|btrfs-both64|x86_64||-v"
        "md-raid1|md1-64|x86_64||"
        "md-raid1-degraded|md1-degraded64|x86_64||"
        "md090-lvm-on-raid1|md090-lvm32|i386||"
        # The other levels (16 KiB chunks, files over every member): RAID0,
        # RAID10 near=2 over four, RAID5 (also degraded); RAID6 is not
        # read, and -v says so at the device.
        "md-raid0|md0-64|x86_64||"
        "md-raid10-near|md10-64|x86_64||"
        "md-raid5|md5-64|x86_64||"
        "md-raid5-degraded|md5-degraded64|x86_64||"
        "md-raid6-not-read|md6-64|fail:not read here, so not evidence: /dev/md/0: raid6: no read-only device-mapper target||-v"
        # ZFS read by GRUB's own driver (grub-fstest in the appliance): a
        # spec path has no '@', which GRUB never opens as a file on ZFS.
        "zfs-dataset-path|zfs64|file:$work/s1-zfs.bin||--stage1-x86_64=$work/s1-zfs.bin;-v"
        "zfs-spec-paths|zfs64|fail:nothing to boot||"
        "zfs-stage1-lacks-module|zfs64|fail:it is on zfs reached through part_msdos and the stage 1 has no GRUB module zfs||--stage1-x86_64=$work/s1-nozfs.bin"
        # Every disk the stage 1 sees (point 3): libxl passes the first,
        # --disk names the others, one clone sees them all, first match in
        # the domain's disk order.
        "pvboot-on-second-disk|none+gpt32|i386||"
        "two-disks-two-widths|mbr64+gpt32|x86_64||"
        "two-disks-prefer-i386|mbr64+gpt32|i386||--prefer=i386"
        "second-disk-is-the-first|mbr64+@self|fail:is DISK||"
        # Guests pvgrub2 cannot boot get the fix (point 7).
        "extlinux-only|extlinux64|fail:boots with extlinux/syslinux (/dev/sda1:/boot/extlinux/extlinux.conf), which pvgrub2 does not read||"
        "bls-entries-only|bls64|fail:Boot Loader Specification entries (/dev/sda1:/boot/loader/entries/) but no grub.cfg||"
        # Fedora's GRUB_ENABLE_BLSCFG=true grub.cfg: its menu is blscfg's,
        # which Debian's stage 1 (GRUB 2.06) and s1-grub2 lack; with an entry
        # of its own it boots, without the BLS entries; at /boot/grub2 only,
        # Debian's stage 1 finds no grub.cfg at all.
        "blscfg-only|blscfg64|fail:the guest's grub.cfg /dev/sda1:/boot/grub/grub.cfg builds its menu with blscfg (line 78) and has no menuentry of its own, and the x86_64 stage 1 has no blscfg command||-v"
        "blscfg-and-menuentry|blscfg-menu64|x86_64||-v"
        "blscfg-grub2-path-only|blscfg-grub2only64|fail:Boot Loader Specification entries (/dev/sda1:/boot/loader/entries/) but no grub.cfg||"
        "blscfg-own-stage1|blscfg-grub2only64|fail:the guest's grub.cfg /dev/sda1:/boot/grub2/grub.cfg builds its menu with blscfg||--stage1-x86_64=$work/s1-grub2.bin"
        "host-without-pv32|gpt32|fail:CONFIG_PV32, or set type=\"pvh\", pvshim=1||--host-caps=$stock_caps"
        "host-with-pv32|gpt32|i386||--host-caps=xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_64"
        "pvshim-32bit-stock-xen|gpt32|i386||--pvshim;--host-caps=$stock_caps"
        "force-i386-host-no-pv32|both-k64|fail:no xen-3.0-x86_32p||--force-arch=i386;--host-caps=$stock_caps"
        "pvh-and-pvshim|mbr64|fail:conflict||--pvh;--pvshim"
        "disk-is-a-directory|@directory|fail:neither a regular file nor a block device||"
        # The config file (pvboot-select.conf(5)): its prefer= breaks the tie
        # that would otherwise go to x86_64; a bad one stops us, file:line.
        "config-prefer|both|i386||--config=$work/prefer.conf"
        "config-unknown-key|mbr64|fail:bad.conf:3: unknown key \`pool_sise'||--config=$work/bad.conf"
        # Both ELFs and no kernels is x86_64 by the spec's paths; a 64-bit
        # stage 1 that only reads /boot/grub2/grub.cfg finds nothing there,
        # so only the i386 one boots this guest.
        "stage1-own-search|both|i386||--stage1-x86_64=$work/s1-grub2.bin;-v"
        "stage1-own-path|ownpath32|file:$work/s1-own32.bin||--stage1-i386=$work/s1-own32.bin"
        "stage1-spec-path|ownpath32|fail:nothing to boot||"
        "stage1-lacks-module|mbr64|fail:it is on ext4 reached through part_msdos and the stage 1 has no GRUB module ext2||--stage1-x86_64=$work/s1-noext2.bin"
        "stage1-lacks-part_gpt|gpt32|fail:it is on ext4 reached through part_gpt and the stage 1 has no GRUB module part_gpt; use a stage 1 built with part_gpt||--stage1-i386=$work/s1-nogpt32.bin"
        "stage1-lacks-lvm|lvm64|fail:cannot read /dev/guestvg/root:/boot/xen/pvboot-x86_64.elf: it is on ext4 reached through part_gpt lvm and the stage 1 has no GRUB module lvm||--stage1-x86_64=$work/s1-nolvm64.bin"
        "stage1-has-lvm|lvm64|file:$work/s1-lvm64.bin||--stage1-x86_64=$work/s1-lvm64.bin;-v"
        "stage1-unmodelled|mbr64|file:$work/s1-unmodelled.bin||--stage1-x86_64=$work/s1-unmodelled.bin;-v"
        "stage1-not-an-image|mbr64|fail:the x86_64 stage 1 cannot boot anything: $work/s1-grub2.cfg: not a Xen PV image: not an ELF file||--stage1-x86_64=$work/s1-grub2.cfg"
)
printf '# ours\nprefer = "i386"\ntimeout = 90\n' >"$work/prefer.conf"
printf 'pool_size = 2\n\npool_sise = 3\n' >"$work/bad.conf"

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
                        bash "$here/mkdisk.sh" "${layout%%+*}" "$disk" "$work/build-$name" || { echo "FAIL: mkdisk"; exit 1; }
                fi
                local -a h=() b=()
                [ -n "$hopts" ] && IFS=';' read -ra h <<<"$hopts"
                [ -n "$blargs" ] && IFS=';' read -ra b <<<"$blargs"
                # A+B: the domain's second disk, given as --disk (libxl passes
                # only the first); A+@self names the first disk again.
                if [ "$layout" != "${layout#*+}" ]; then
                        local second="$work/$name-2.img"
                        if [ "${layout#*+}" = @self ]; then
                                second=$disk
                        else
                                bash "$here/mkdisk.sh" "${layout#*+}" "$second" "$work/build-$name" ||
                                        { echo "FAIL: mkdisk"; exit 1; }
                        fi
                        b=("--disk=$second" "${b[@]}")
                fi
                case "$expect" in
                x86_64) h+=("--expect-stage1=$s64") ;;
                i386)   h+=("--expect-stage1=$s32") ;;
                pvh)    h+=("--expect-stage1=$spvh") ;;
                file:*) h+=("--expect-stage1=${expect#file:}") ;;
                fail:*) h+=("--expect-fail=${expect#fail:}") ;;
                esac
                "$libxl_run" "${h[@]}" "$pvboot" "$disk" "${b[@]}"
        } >"$log" 2>&1
        rc=$?
        end=$(date +%s.%N)
        [ "$disk" = "$work" ] || rm -rf "$disk" "$work/$name-2.img"
        rm -rf "$work/build-$name"
        printf '%s|%s|%s|%.1f\n' "$name" "$expect" "$([ $rc = 0 ] && echo pass || echo FAIL)" \
                "$(echo "$end - $start" | bc)" >"$work/$name.result"
}

for s in "${scenarios[@]}"; do
        IFS='|' read -r name layout expect hopts blargs <<<"$s"
        run_bg run_one "$name" "$layout" "$expect" "$hopts" "$blargs"
done
wait

# One TAP result per scenario, in the table's order; the table (with each
# scenario's time) and the logs of failures on stderr.
printf '%-28s %-58s %-6s %s\n' scenario expected result seconds
for s in "${scenarios[@]}"; do
        name=${s%%|*}
        n=$name e=- r="FAIL: no result" secs=-
        [ ! -r "$work/$name.result" ] || IFS='|' read -r n e r secs <"$work/$name.result"
        printf '%-28s %-58.58s %-6s %s\n' "$n" "$e" "$r" "$secs"
        if [ "$r" = pass ]; then
                ok "$name"
        else
                sed 's/^/    /' "$work/$name.log"
                bad "$name" "expected $e" "$(tail -n 5 "$work/$name.log")"
        fi
done
# What each scenario's log must also say (issue 16): one line per pygrub
# flag ignored, with what to do instead; libxl's timeout as it was read.
# name | text (one grep -F per ;-separated item)
said=(
        "btrfs-top-level|not seen by the stage 1: /boot/xen/pvboot-i386.elf exists only in btrfs subvolume 256"
        "no-pvboot-lz4-kernel|every x86_64 kernel of the guest is lz4-compressed, and the PV stage 1's Xen loader reads gzip, xz and lzo only;payload lz4)"
        "pygrub-config|-i/--interactive ignored;--entry ignored;--isconfig ignored;--offset ignored;--kernel/--ramdisk ignored: they name files inside the guest;--default_args/--extra_args ignored;does not reach the guest kernel: pvgrub2 boots it with the command line of the guest's grub.cfg;args: root=/dev/xvda1 quiet"
        "pygrub-restrict|--entry ignored;--kernel/--ramdisk ignored"
        "timeout-fits|s: libxl kills the bootloader at 20 s, from LIBXL_BOOTLOADER_TIMEOUT='20';libxl timeout: 20000 ms"
        "timeout-too-short|LIBXL_BOOTLOADER_TIMEOUT='10': libxl kills the bootloader 10 s after starting it"
        "timeout-zero|libxl sets no timeout"
        "timeout-negative|(read as -1 by libxl's atoi()): libxl sets no timeout"
        "timeout-text|(read as 0 by libxl's atoi()): libxl sets no timeout"
        "timeout-99999|LIBXL_BOOTLOADER_TIMEOUT='99999': libxl kills the bootloader at 99999 s; the inspection keeps its own 100 s"
        "timeout-overflow|set 0 (no timeout) to 2147483"
        "zfs-dataset-path|pvboot /dev/sda1:/BOOT/debian@/xen/pvboot-x86_64.elf: valid PV image;modules: zfs part_msdos"
        "timeout-not-restrict|is not used: libxl times its bootloader out in restrict mode only"
        "stage1-has-lvm|pvboot /dev/guestvg/root:/boot/xen/pvboot-x86_64.elf: valid PV image;needs ext2 part_gpt lvm <- chosen"
        "blscfg-only|in the guest set GRUB_ENABLE_BLSCFG=false in /etc/default/grub and run grub2-mkconfig -o /boot/grub/grub.cfg, or install a PV GRUB of its own as /boot/xen/pvboot-x86_64.elf;grub.cfg menu: /dev/sda1:/boot/grub/grub.cfg: 0 menuentry/submenu, blscfg at line 78 (the x86_64 stage 1 has no blscfg)"
        "blscfg-and-menuentry|; but the x86_64 stage 1 has no blscfg, which its grub.cfg runs (line 78): the Boot Loader Specification entries (/dev/sda1:/boot/loader/entries/) will be missing from its menu, only its 1 menuentry/submenu shown;grub.cfg menu: /dev/sda1:/boot/grub/grub.cfg: 1 menuentry/submenu, blscfg at line 78"
        "blscfg-own-stage1|run grub2-mkconfig -o /boot/grub2/grub.cfg"
)
# A file at the top level too is not "only" in the default subvolume.
grep -q "exists only in btrfs subvolume" "$work/btrfs-same-in-both.log" &&
        bad btrfs-same-not-hidden "$(grep 'exists only' "$work/btrfs-same-in-both.log")" || ok btrfs-same-not-hidden
for s in "${said[@]}"; do
        IFS='|' read -r name texts <<<"$s"
        IFS=';' read -ra want <<<"$texts"
        miss=
        for w in "${want[@]}"; do grep -qF -- "$w" "$work/$name.log" || miss="$miss [$w]"; done
        # Once each, not once per mention.
        dup=$(grep -o 'pvboot-select: [^:]* ignored' "$work/$name.log" | sort | uniq -d | head -n 1)
        [ -z "$miss$dup" ] && ok "$name-said" || bad "$name-said" "missing:$miss${dup:+ repeated: $dup}"
done

# pygrub -l: what the stage 1 would boot, on stdout, nothing written,
# exit 0 whether or not there is something to boot (as pygrub -l).
bash "$here/mkdisk.sh" mbr64 "$work/l.img" "$work/build-l" >/dev/null 2>&1
bash "$here/mkdisk.sh" none "$work/l-none.img" "$work/build-l-none" >/dev/null 2>&1
out=$("$pvboot" -l "$work/l.img" 2>"$work/l.err")
rc=$?
[ $rc = 0 ] && grep -q "^decision:  x86_64 PV (the guest's pvboot ELF)" <<<"$out" && grep -q "^found:     .*/boot/xen/pvboot-x86_64.elf" <<<"$out" &&
        ok list-entries || bad list-entries "exit $rc: $out $(cat "$work/l.err")"
out=$("$pvboot" --list-entries -q "$work/l-none.img" 2>&1)
rc=$?
[ $rc = 0 ] && grep -q "^decision:  none" <<<"$out" && ok list-entries-nothing || bad list-entries-nothing "exit $rc: $out"
rm -rf "$work/l.img" "$work/l-none.img" "$work/build-l" "$work/build-l-none"
# The evidence names each list and where it came from: the image's own
# config, or the spec's paths and why not.
grep -q "stage 1 x86_64: $work/s1-grub2.bin: embedded config; modules: ext2 part_msdos" "$work/stage1-own-search.log" &&
        grep -q "search x86_64: config /boot/grub2/grub.cfg" "$work/stage1-own-search.log" &&
        grep -q "stage 1 i386: /usr/lib/grub-xen/grub-i386-xen.bin: memdisk grub.cfg" "$work/stage1-own-search.log" &&
        ok stage1-evidence || bad stage1-evidence "the -v evidence does not name the lists" \
                "$(grep -E 'stage 1|search ' "$work/stage1-own-search.log")"
grep -q "stage 1 x86_64: spec default: $work/s1-unmodelled.bin: embedded config line 1: \`terminal_output' is not modelled" \
        "$work/stage1-unmodelled.log" && ok stage1-fallback-said ||
        bad stage1-fallback-said "the fallback to the spec's paths is not said" "$(grep -E 'stage 1' "$work/stage1-unmodelled.log")"

# Without --runas the worker runs as a uid of its own from the clone uid
# range (the default: 256 uids from 196608).
clone_uid=$(sed -n 's/.*worker: inspected as uid \([0-9]*\).*/\1/p' "$work/unprivileged-default.log" | head -n 1)
if [ -n "$clone_uid" ] && [ "$clone_uid" -ge 196608 ] && [ "$clone_uid" -lt $((196608 + 256)) ]; then
        ok clone-uid
else
        bad clone-uid "worker ran as uid ${clone_uid:-none}, not a clone uid"
fi

# inspect reads a qcow2 image of a guest, in the clone with backing:null;
# one that names another file (a backing file, an external data file)
# is refused before anything is attached, with the reason.
if command -v qemu-img >/dev/null; then
        bash "$here/mkdisk.sh" mbr64 "$work/q.img" "$work/build-q" >/dev/null 2>&1 &&
                qemu-img convert -q -f raw -O qcow2 "$work/q.img" "$work/q.qcow2" &&
                qemu-img create -q -f qcow2 -b "$work/q.img" -F raw "$work/backed.qcow2" 2>/dev/null
        out=$("$pvboot" inspect --json --format=qcow2 "$work/q.qcow2" 2>&1)
        grep -q '"arch": "x86_64"' <<<"$out" && ok inspect-qcow2 || bad inspect-qcow2 "$out"
        out=$("$pvboot" inspect --format=qcow2 "$work/backed.qcow2" 2>&1)
        rc=$?
        [ $rc = 1 ] && grep -q "has a backing file" <<<"$out" && ok inspect-qcow2-backing-refused ||
                bad inspect-qcow2-backing-refused "exit $rc: $out"
        rm -rf "$work/q.img" "$work/q.qcow2" "$work/backed.qcow2" "$work/build-q"
else
        skip inspect-qcow2 "qemu-img missing"
        skip inspect-qcow2-backing-refused "qemu-img missing"
fi

# Restrict mode ran as libxl's uid (pvboot-select refuses a report from
# any other uid), and neither it nor the worker user built an appliance of
# its own: every clone starts from root's read-only template.
if [ ! -e "/var/tmp/.guestfs-$runas_uid" ] && [ ! -e "/var/tmp/.guestfs-$worker_uid" ]; then
        ok no-per-uid-appliance
else
        bad no-per-uid-appliance "a /var/tmp/.guestfs-UID exists for uid $runas_uid or $worker_uid"
fi
done_testing
