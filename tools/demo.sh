#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install, build, and let pvboot-select decide for two sample guests
# (a 64-bit MBR disk and a 32-bit GPT disk, each carrying a real
# grub-mkimage pvboot ELF), run exactly as libxl runs a bootloader.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh >/dev/null

work=$(mktemp -d /tmp/pvboot-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
for s in "mbr64 x86_64" "gpt32 i386"; do
        set -- $s
        bash tests/mkdisk.sh "$1" "$work/$1.img" "$work/build"
        echo "== guest disk $1.img (expect the $2 stage 1)"
        start=$(date +%s.%N)
        build/tests/libxl-run --expect-stage1="/usr/lib/grub-xen/grub-$2-xen.bin" \
                build/pvboot-select "$work/$1.img"
        printf '(%.1f s)\n\n' "$(echo "$(date +%s.%N) - $start" | bc)"
done
