#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run.sh PVBOOT_SELECT LIBXL_RUN
#
# The hostile-disk corpus.  For each case, build.sh makes a disk a hostile
# guest owner could make, and pvboot-select runs on it through libxl-run,
# exactly as libxl runs a bootloader, with -v so that every piece of guest
# evidence reaches the console.  Each case must end in its expected outcome
# (x86_64 or i386: the right stage 1, byte for byte; fail:TEXT: a clean
# failure whose console line holds TEXT, the output untouched), and also:
#   - within libxl's deadline (libxl-run kills the bootloader after 120 s
#     and says TIMEOUT; our own --timeout is 100 s);
#   - with nothing written outside the output directory, and no process
#     left: the run happens in sandbox.sh's PID namespace with private
#     /tmp, /var/tmp and /dev/shm, so its leftovers are exactly its own
#     even with other runs on the machine;
#   - with the disk image unchanged;
#   - with a console of printable ASCII only: no ESC or other control
#     byte from the guest (tab, CR and LF are ours).
#
# Two cases run at a time (one appliance each).  Reports TAP (tests/lib.sh),
# one result per case; skips when the machine cannot run appliances.
set -euo pipefail

pvboot=$1
libxl_run=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
require_appliance_env "mknod, namespaces" grub-mkimage mkfs.ext4 sfdisk debugfs tune2fs guestfish \
        readelf python3 unshare
cold_path_only

# Every case restores a clone of root's template: build it once first.
"$pvboot" template || bail "pvboot-select template"

# A build tree under /tmp (a fresh clone there) must stay visible inside
# the sandbox's private /tmp.
export SANDBOX_KEEP_RO="$(cd "$(dirname "$pvboot")" && pwd)"

make_work hostile

# Admin arguments that must come back verbatim in the args record.
admin_args='root=/dev/xvda1 console=hvc0 "quoted arg" x=$(id);y=`id`&z'

# name | expected (x86_64, i386 or fail:TEXT) | libxl-run option |
#   bootloader args (;-separated, after -v) | text the console must show |
#   what it is.  No field may hold a "|".
cases=(
        # What is at the pvboot path
        "symlink-to-dev-zero|i386||||x86_64 path -> /dev/zero; valid i386 beside"
        "symlink-to-dev-sda|fail:nothing to boot||||x86_64 path -> /dev/sda node"
        "symlink-outside-fs|fail:nothing to boot||||4 paths -> ../../etc/passwd, /proc, /sysroot"
        "symlink-dotdot-in-guest|x86_64||||-> ../../../../real/<ESC>.elf, in the guest"
        "symlink-loop|i386||||a -> b -> a, /xen -> xen; valid i386 beside"
        "symlink-chain-7|x86_64||||7 links to a valid ELF (GRUB's limit)"
        "symlink-chain-1000|fail:nothing to boot||||1000 links to a valid ELF"
        "symlink-target-4000-bytes|i386||||4000-byte link target; valid i386 beside"
        "hardlink-both-names|x86_64||||one 64-bit inode under all 4 names"
        "fifo|fail:nothing to boot||||FIFO at the x86_64 path"
        "socket|fail:nothing to boot||||unix socket at the x86_64 path"
        "device-nodes|fail:nothing to boot||||/dev/zero (hard link), /dev/mem, sda, loop0"
        "directory|fail:nothing to boot||||directory at the x86_64 path"
        "sparse-4GiB|fail:file too large||||4 GiB sparse pvboot file"
        "empty-file|fail:not an ELF file||||0-byte pvboot file"
        # ELF headers
        "elf-truncated-header|fail:truncated ELF||||ELF cut at 40 bytes"
        "elf-truncated-notes|fail:truncated ELF||||ELF cut 20 bytes into its notes"
        "elf-class-lies|fail:ELF class and machine||||64-bit image, EI_CLASS says 32"
        "elf-machine-lies|fail:ELF class and machine||||ELF64 with e_machine i386"
        "name-says-i386|fail:file name and ELF width||||64-bit image named pvboot-i386.elf"
        "elf-phnum-huge|fail:malformed ELF program||||e_phnum 65535"
        "elf-phoff-wraps|fail:truncated ELF||||e_phoff 2^64-64: offset+size wraps"
        # ELF notes
        "notes-namesz-huge|fail:malformed ELF notes||||first note namesz 0xffffffff"
        "notes-descsz-wrap|fail:no bootable pvboot ELF||||first note descsz 2^32-3 (wraps in 32 bits)"
        "notes-zero-length|x86_64||||1000 zero-length notes before the real ones"
        "notes-100k|fail:malformed ELF notes||||100000 notes, 1.2 MB segment"
        "notes-70k|i386||||70000 notes (count bound); valid i386 beside"
        "notes-read-budget|i386||||1000 PT_NOTEs on one 900 KB note; valid i386"
        "notes-escape-strings|x86_64|||LOADER \"generic\x1b[2J\x1b]0;owned\x07\x0d\x0a../../../etc/passwd\x9b31m\"|note strings: ESC, OSC, C1, CR/LF, ../, NUL"
        "notes-string-too-long|fail:Xen note LOADER is not||||LOADER \"generic\" + 5000 bytes"
        # Partition tables
        "pt-corrupt|fail:nothing to boot||||MBR: past-end, extended at sector 0, nested"
        "pt-overlap|x86_64||||MBR: two entries on one fs, a third inside"
        "pt-out-of-range|x86_64||||MBR: entries starting/ending past the end"
        "pt-extended-loop|x86_64||||EBR linking to itself"
        "gpt-bad-header-crc|fail:nothing to boot||||primary GPT header CRC wrong, backup sound"
        "gpt-bad-entries-crc|fail:nothing to boot||||primary GPT entries CRC wrong, backup sound"
        "gpt-all-crcs-bad|fail:nothing to boot||||both CRCs wrong in primary and backup"
        # LVM
        "lvm-duplicate-vg|fail:nothing to boot||||two PVs, two VGs both named vg0"
        "lvm-long-names|x86_64||||60-character VG and LV names"
        # Filesystems
        "fs-corrupt-superblock|i386||||p1 superblock, p2 group desc smashed; p3 i386"
        "fs-corrupt-inode|fail:unreadable||||/boot/xen inode zeroed; fs mounts"
        "fs-errors-panic|fail:the appliance died||||same, errors=panic: appliance kernel panics"
        "boot-xen-5000-files|x86_64||||5000 other files in /boot/xen"
        "btrfs-2000-subvolumes|x86_64||||2020 subvolumes, default 100 deep (i386)"
        # Kernels and grub.cfg
        "hostile-kernels|fail:only kernels of unknown width||||truncated, garbage, gzip, 300 MiB, dev, loop"
        "kernel-header-lies|i386||||64-bit kernel claims 4 GiB; real 32-bit one"
        "grubcfg-special|fail:no /boot/grub/grub.cfg or /grub||||grub.cfg a FIFO and a link to /dev/zero"
        "grubcfg-huge|x86_64||||4 GiB grub.cfg with shell/host-path lines"
        "names-escape-sequences|i386|--args=$admin_args||/boot/vmlinuz-\x1b[31mRED\x1b[0m-\x1b]0;owned\x07: i386|kernel names: ESC, CR/LF, C1, \xff, \$(), 255B"
)

run_case() {
        local name=$1 expect=$2 hopts=$3 blargs=$4 shows=$5
        local dir="$work/$name" log="$work/$name.log" why=() rc=0 start end sum
        local -a h=() b=(-v) extra=()
        mkdir "$dir"
        if ! bash "$here/build.sh" "$name" "$dir/disk.img" "$work/build-$name" >"$log" 2>&1; then
                printf '%s|%s|%s|-\n' "$name" "$expect" "FAIL: build" >"$work/$name.result"
                return
        fi
        rm -rf "$work/build-$name"
        sum=$(sha256sum <"$dir/disk.img")

        [ -n "$hopts" ] && h=("$hopts")
        [ -n "$blargs" ] && IFS=';' read -ra extra <<<"$blargs" && b+=("${extra[@]}")
        case "$expect" in
        x86_64) h+=("--expect-stage1=$s64") ;;
        i386)   h+=("--expect-stage1=$s32") ;;
        fail:*) h+=("--expect-fail=${expect#fail:}") ;;
        esac
        start=$(date +%s.%N)
        "$here/sandbox.sh" "$dir/leftovers" "$dir" \
                "$libxl_run" "${h[@]}" "$pvboot" "$dir/disk.img" "${b[@]}" >>"$log" 2>&1 || rc=$?
        end=$(date +%s.%N)

        [ "$rc" = 0 ] || why+=("outcome")
        ! grep -q '^TIMEOUT:' "$log" || why+=("libxl deadline")
        ! grep -q 'did not answer in time' "$log" || why+=("own deadline")
        ! LC_ALL=C grep -aq $'[^\t\r -~]' "$log" || why+=("control bytes on the console")
        # Escaped once, as text_escape() writes it: \x1b for ESC.
        [ -z "$shows" ] || grep -qF -- "$shows" "$log" || why+=("console lacks: $shows")
        if [ -s "$dir/leftovers" ]; then
                grep -q '^process' "$dir/leftovers" && why+=("leftover process")
                grep -q '^file' "$dir/leftovers" && why+=("leftover file")
                sed 's/^/LEFTOVER: /' "$dir/leftovers" >>"$log"
        fi
        [ "$(sha256sum <"$dir/disk.img")" = "$sum" ] || why+=("disk changed")
        [ "$(ls -A "$dir")" = "$(printf 'disk.img\nleftovers')" ] || why+=("files next to the disk")
        rm -rf "$dir"

        local result=pass
        if [ ${#why[@]} -gt 0 ]; then
                result="FAIL: $(IFS=,; echo "${why[*]}")"
        fi
        printf '%s|%s|%s|%.1f\n' "$name" "$expect" "$result" "$(echo "$end - $start" | bc)" >"$work/$name.result"
}

# Disks that take long to build (btrfs-2000-subvolumes: about 90 s of
# TCG) start first, so the other cases run beside them, not after.
slow_builds=" btrfs-2000-subvolumes "
t0=$(date +%s)
for turn in slow rest; do
        for c in "${cases[@]}"; do
                IFS='|' read -r name expect hopts blargs shows what <<<"$c"
                case "$slow_builds" in
                *" $name "*) [ "$turn" = slow ] || continue ;;
                *)           [ "$turn" = rest ] || continue ;;
                esac
                run_bg run_case "$name" "$expect" "$hopts" "$blargs" "$shows"
        done
done
wait

# The logs of failed cases, the table, then one TAP result per case (on
# stdout; the rest goes to stderr).
for c in "${cases[@]}"; do
        IFS='|' read -r name expect hopts blargs shows what <<<"$c"
        [ "$(cut -d'|' -f3 "$work/$name.result" 2>/dev/null)" != pass ] || continue
        echo "=== $name"
        sed 's/^/    /' "$work/$name.log"
done
printf '%-26s %-46s %-36s %-6s %7s  %s\n' case "what it is" expected result seconds "why it failed"
for c in "${cases[@]}"; do
        IFS='|' read -r name expect hopts blargs shows what <<<"$c"
        n=$name e=$expect r="FAIL: no result" secs=-
        [ ! -r "$work/$name.result" ] || IFS='|' read -r n e r secs <"$work/$name.result"
        if [ "$r" = pass ]; then
                printf '%-26s %-46.46s %-36.36s %-6s %7s\n' "$n" "$what" "$e" pass "$secs"
                ok "$name"
        else
                printf '%-26s %-46.46s %-36.36s %-6s %7s  %s\n' "$n" "$what" "$e" FAIL "$secs" "${r#FAIL: }"
                bad "$name" "$what; expected $e" "${r#FAIL: }"
        fi
done
echo "${#cases[@]} cases in $(($(date +%s) - t0)) s"
done_testing
