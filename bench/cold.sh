#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/cold.sh [RUNS] [LAYOUT]
#
# Wall time of cold decisions (one fresh appliance each, TCG) for one
# sample disk, run exactly as libxl runs the bootloader; prints a Markdown
# table.  A measurement, never a test: nothing here asserts a time.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
layout=${2:-mbr64}
bash tools/build.sh >/dev/null

work=$(mktemp -d /tmp/pvboot-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
bash tests/mkdisk.sh "$layout" "$work/disk.img" "$work/build"
case "$layout" in *32) arch=i386 ;; *) arch=x86_64 ;; esac

times=()
for i in $(seq "$runs"); do
        start=$(date +%s.%N)
        build/tests/libxl-run --expect-stage1="/usr/lib/grub-xen/grub-$arch-xen.bin" \
                build/pvboot-select "$work/disk.img" >"$work/run.log" 2>&1 ||
                { cat "$work/run.log"; exit 1; }
        times+=("$(echo "$(date +%s.%N) - $start" | bc)")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
printf '| path | disk | runs | median s | min s | max s |\n|---|---|---|---|---|---|\n'
printf '| cold (no daemon) | %s | %s | %.2f | %.2f | %.2f |\n' "$layout" "$runs" "$median" \
        "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)"
