#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# replay.sh PVBOOT_SELECT LIBXL_RUN  (e2e builds only: -De2e_replay=true)
#
# The end-to-end seam, tested on the outer machine: record one real
# inspection, replay it exactly as libxl runs the tool (also in restrict
# mode, where the worker cannot open the transcript itself), and check a
# transcript is refused for any other disk.
set -uo pipefail
pvboot=$1
libxl_run=$2
here=$(cd "$(dirname "$0")" && pwd)
s64=/usr/lib/grub-xen/grub-x86_64-xen.bin
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }

work=$(mktemp -d /tmp/pvboot-replay.XXXXXX)
trap 'rm -rf "$work"' EXIT
bash "$here/mkdisk.sh" mbr64 "$work/disk.img" "$work/build" || exit 1
fail=0
check() {       # check NAME EXPECT-OPTION LIBXL-RUN-ARGS...
        local name=$1; shift
        if "$libxl_run" "$@" >"$work/$name.log" 2>&1; then
                echo "pass $name"
        else
                echo "FAIL $name"; sed 's/^/    /' "$work/$name.log"; fail=$((fail + 1))
        fi
}
check record --expect-stage1=$s64 "$pvboot" "$work/disk.img" "--record=$work/tx"
[ -s "$work/tx" ] || { echo "FAIL: no transcript written"; exit 1; }
start=$(date +%s%N)
check replay --expect-stage1=$s64 "$pvboot" "$work/disk.img" "--replay=$work/tx"
echo "replayed decision: $(( ($(date +%s%N) - start) / 1000000 )) ms"
check replay-restrict --runas=131080 --expect-stage1=$s64 "$pvboot" "$work/disk.img" "--replay=$work/tx"
cp "$work/disk.img" "$work/other.img"
printf 'X' | dd of="$work/other.img" bs=1 seek=40000000 conv=notrunc status=none
check replay-other-disk "--expect-fail=recorded from another disk" "$pvboot" "$work/other.img" "--replay=$work/tx"
head -c 200 "$work/tx" >"$work/short"
check replay-truncated "--expect-fail=does not match" "$pvboot" "$work/disk.img" "--replay=$work/short"
echo "$((5 - fail)) passed, $fail failed"
[ "$fail" = 0 ]
