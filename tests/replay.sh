#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# replay.sh PVBOOT_SELECT LIBXL_RUN  (e2e builds only: -De2e_replay=true)
#
# The end-to-end seam, tested on the outer machine: record one real
# inspection, replay it exactly as libxl runs the tool (also in restrict
# mode, where the worker cannot open the transcript itself), and check a
# transcript is refused for any other disk.  Reports TAP (tests/lib.sh).
set -uo pipefail
pvboot=$1
libxl_run=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_root "the recorded inspection"

make_work replay
bash "$here/mkdisk.sh" mbr64 "$work/disk.img" "$work/build" || bail "mkdisk mbr64"
run() {         # run NAME LIBXL-RUN-ARGS...
        local name=$1; shift
        if "$libxl_run" "$@" >"$work/$name.log" 2>&1; then
                ok "$name"
        else
                sed 's/^/    /' "$work/$name.log"
                bad "$name" "$(tail -n 5 "$work/$name.log")"
        fi
}
run record --expect-stage1=$s64 "$pvboot" "$work/disk.img" "--record=$work/tx"
[ -s "$work/tx" ] || bail "no transcript written"
start=$(date +%s%N)
run replay --expect-stage1=$s64 "$pvboot" "$work/disk.img" "--replay=$work/tx"
echo "replayed decision: $(( ($(date +%s%N) - start) / 1000000 )) ms"
run replay-restrict --runas=131080 --expect-stage1=$s64 "$pvboot" "$work/disk.img" "--replay=$work/tx"
cp "$work/disk.img" "$work/other.img"
printf 'X' | dd of="$work/other.img" bs=1 seek=40000000 conv=notrunc status=none
run replay-other-disk "--expect-fail=recorded from another disk" "$pvboot" "$work/other.img" "--replay=$work/tx"
# Cut short after the first mount: every question after it goes unanswered.
# (A cut at a fixed byte count lands wherever the calls before it end.)
sed -n '1,/^mount /p' "$work/tx" >"$work/short"
run replay-truncated "--expect-fail=does not match" "$pvboot" "$work/disk.img" "--replay=$work/short"
done_testing
