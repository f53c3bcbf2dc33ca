#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# seeds.sh TARGET OUTDIR: seed inputs for a fuzz target, made from real
# artifacts at test time (grub-mkimage images, Debian kernels, libxl's argv).
set -euo pipefail
target=$1
out=$2
mkdir -p "$out"
kernels=${KERNEL_DIR:-/var/cache/pvboot-select-tests/kernels}
case "$target" in
elf-notes|kernel-header)
        if command -v grub-mkimage >/dev/null; then
                for k in x86_64-xen i386-xen i386-xen_pvh; do
                        grub-mkimage -O "$k" -o "$out/grub-$k" -p /boot/grub echo
                done
        fi
        if [ "$target" = kernel-header ]; then
                for k in "$kernels"/vmlinuz-*; do
                        [ -f "$k" ] && head -c 4096 "$k" >"$out/$(basename "$k")"
                done
        fi
        ;;
output)
        printf '\000/var/lib/xen/bootloader.7.d/pvboot-select-stage1-x86_64\000root=/dev/xvda1 console=hvc0' >"$out/simple0"
        printf '\001/var/lib/xen/bootloader.7.d/pvboot-select-stage1-i386\000quiet' >"$out/simple"
        printf '\002/k\000a b' >"$out/sxp"
        ;;
args)
        printf -- '--output=/var/lib/xen/bootloader.7.out\000--output-format=simple0\000--output-directory=/var/lib/xen/bootloader.7.d\000/dev/xvda' >"$out/libxl"
        printf -- '--args=root=/dev/xvda1\000--runas=131079\000--quiet\000--output=/o\000--output-format=simple0\000--output-directory=/d\000--pvshim\000--prefer=i386\000/dev/xvda' >"$out/restrict"
        printf -- '-n\000--force-arch=i386\000--host-caps=xen-3.0-x86_64 hvm-3.0-x86_32\000disk.img' >"$out/n"
        ;;
report)
        head -c 7000 /dev/zero >"$out/zero"
        ;;
agent-reply)
        # buffer-size selector, then replies: "PVBR", status, length, reserved, payload
        printf '\003PVBR\000\000\000\000\003\000\000\000\000\000\000\000abc' >"$out/ok"
        printf '\003PVBR\376\377\377\377\000\000\000\000\000\000\000\000PVBR\000\000\000\000\001\000\000\000\000\000\000\000x' >"$out/enoent-then-ok"
        ;;
lvm-metadata)
        # What LVM 2.03 writes (src/agent/test-lvm.c has the annotated case).
        printf 'vg0 {\nid = "6V6S1J-fF1F-V9cT-rm55-9WZW-lGkx-baXW0M"\nseqno = 4\nextent_size = 8192\nphysical_volumes {\npv0 {\nid = "NbWBKx-2PUE-JnaF-83u7-3dks-1iFF-eoqOGw"\npe_start = 2048\n}\npv1 {\nid = "AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA"\npe_start = 4096\n}\n}\nlogical_volumes {\nroot {\nstatus = ["READ", "VISIBLE"]\nsegment_count = 2\nsegment1 {\nstart_extent = 0\nextent_count = 5\ntype = "striped"\nstripe_count = 1\nstripes = ["pv0", 3]\n}\nsegment2 {\nstart_extent = 5\nextent_count = 4\ntype = "striped"\nstripe_count = 2\nstripe_size = 128\nstripes = ["pv0", 10, "pv1", 0]\n}\n}\n}\n}\n' >"$out/two-segments"
        ;;
qmp)
        printf '{"QMP": {"version": {}, "capabilities": []}}\n{"return": {}}\n{"event": "RESUME"}\n{"return": {"status": "running"}}\n{"error": {"desc": "no"}}\n' >"$out/session"
        ;;
esac
