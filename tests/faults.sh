#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# faults.sh PVBOOT_SELECT
#
# Fault injection on the cold path: the output directory missing or
# read-only, the output file replaced by a symlink, ENOSPC while copying the
# stage 1, qemu killed mid-inspection, the appliance hanging until the
# deadline, and the disk truncated while it is served.  Each must fail
# cleanly, with a message, nothing left in the output directory, an empty
# output file, no leftover process and no leftover temporary directory.
# The disk file removed (and replaced) mid-inspection must still give the
# right decision, from the descriptor opened before.  While qemu runs, its
# seccomp filter and private /tmp are checked.
set -uo pipefail
pvboot=$1
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (tmpfs mount)"; exit 77; }
# In-process cold path only (tests/daemon.sh covers the daemon's faults).
. "$here/lib-cold.sh"

work=$(mktemp -d /tmp/pvboot-faults.XXXXXX)
cleanup() {
        umount "$work/small" 2>/dev/null
        rm -rf "$work"
}
trap cleanup EXIT
bash "$here/mkdisk.sh" mbr64 "$work/disk.img" "$work/build" >/dev/null || exit 1
pass=0
fail=0

ok() { echo "pass $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# The worker's private directory appears as /tmp/pvboot-select.XXXXXX.

# Wait until the qemu of the run with pid $2 is up, print "QEMU-PID WORKDIR".
# The worker is the run's child, and its private directory is the one named
# in that qemu's command line; other runs on the machine do not confuse it.
qemu_of_run() {
        local run=$1 i d pid worker
        for i in $(seq 600); do
                for worker in $(pgrep -P "$run"); do
                        for pid in $(pgrep -f qemu-system); do
                                d=$(tr '\0' ' ' </proc/$pid/cmdline 2>/dev/null | grep -o '/tmp/pvboot-select\.[A-Za-z0-9]*' | head -n 1)
                                [ -n "$d" ] || continue
                                # qemu descends from our worker (libguestfs forks it).
                                if pstree -p "$worker" 2>/dev/null | grep -q "($pid)"; then
                                        echo "$pid $d"; return 0
                                fi
                        done
                done
                sleep 0.2
        done
        return 1
}

check_clean() {   # check_clean NAME EXPECT RC OUTPUT LOG OUTDIR WORKDIR(or -)
        local name=$1 expect=$2 rc=$3 out=$4 log=$5 dir=$6 wd=$7
        [ "$rc" != 0 ] || { bad "$name" "exit status 0"; return; }
        grep -q -- "$expect" "$log" || { bad "$name" "no \"$expect\" in: $(cat "$log")"; return; }
        [ ! -s "$out" ] || { bad "$name" "output file not empty"; return; }
        [ -z "$(ls -A "$dir" 2>/dev/null)" ] || { bad "$name" "output directory not empty"; return; }
        sleep 1
        if [ "$wd" != - ] && [ -e "$wd" ]; then
                bad "$name" "temporary directory $wd left behind"; return
        fi
        # No process of ours may outlive the run: its nbdkit serves fd=4
        # from a workdir we just saw disappear, so none may mention $work.
        if [ "$wd" != - ] && pgrep -af "qemu-system|nbdkit" | grep -q -- "$wd"; then
                bad "$name" "a process of the run (mentioning $wd) is still running"; return
        fi
        ok "$name"
}

newdir() { rm -rf "$work/out"; mkdir -m 0600 "$work/out"; : >"$work/out.txt"; }

# fault NAME EXPECT OUTDIR ACTION [pvboot-select options]: run in the
# background, do ACTION to its qemu ("kill", "stop", "truncate FILE",
# "none") once it is up, then check the clean failure.
fault() {
        local name=$1 expect=$2 outdir=$3 action=$4 q wd rc; shift 4
        "$pvboot" "$@" --output="$work/out.txt" --output-directory="$outdir" >"$work/log" 2>&1 &
        local run=$!
        if ! read -r q wd < <(qemu_of_run $run); then
                wait $run
                bad "$name" "no qemu of this run seen"
                return
        fi
        case $action in
        kill) kill -9 "$q" ;;
        stop) kill -STOP "$q" ;;
        truncate*) truncate -s 0 "${action#truncate }" ;;
        esac
        wait $run
        rc=$?
        check_clean "$name" "$expect" $rc "$work/out.txt" "$work/log" "$outdir" "$wd"
        # Alive means running or stopped; a zombie is dead, only unreaped.
        if [ "$action" = stop ] && ps -o stat= -p "$q" 2>/dev/null | grep -qv '^Z'; then
                bad "$name" "the stopped qemu $q outlived the deadline"
                kill -9 "$q"
        fi
}

# 1. The output directory does not exist.
newdir
"$pvboot" --output="$work/out.txt" --output-directory="$work/missing" "$work/disk.img" >"$work/log" 2>&1
check_clean missing-output-dir "cannot open output directory" $? "$work/out.txt" "$work/log" "$work/out" -

# 2. The output file is a symlink to a file that must not be touched.
newdir
echo precious >"$work/target"
rm -f "$work/out.txt"
ln -s "$work/target" "$work/out.txt"
"$pvboot" --output="$work/out.txt" --output-directory="$work/out" "$work/disk.img" >"$work/log" 2>&1
rc=$?
if [ "$(cat "$work/target")" = precious ] && [ $rc != 0 ] && grep -q "cannot open output file" "$work/log"; then
        ok output-file-symlink
else
        bad output-file-symlink "rc=$rc target=$(cat "$work/target") log=$(cat "$work/log")"
fi
rm -f "$work/out.txt"

# 3. ENOSPC: the output directory is a 1 MiB tmpfs, the stage 1 is 2 MiB.
newdir
mkdir -p "$work/small"
mount -t tmpfs -o size=1M,mode=0600 tmpfs "$work/small"
fault enospc-on-copy "cannot copy stage 1" "$work/small" none "$work/disk.img"
umount "$work/small"

# 4. qemu killed mid-inspection.
newdir
fault qemu-killed "cannot inspect" "$work/out" kill "$work/disk.img"

# 4b. qemu killed after the appliance is up, while it answers lookups: the
#     evidence is incomplete, so the inspection must fail, never decide.
#     The appliance's own request log (--debug) says when lookups begin.
newdir
"$pvboot" --debug --output="$work/out.txt" --output-directory="$work/out" "$work/disk.img" >"$work/log" 2>&1 &
run=$!
if read -r q wd < <(qemu_of_run $run); then
        for i in $(seq 600); do grep -q "mount_options" "$work/log" && break; sleep 0.1; done
        # Before the kill: the containment a guest reaching qemu would
        # meet.  qemu runs its own seccomp filter (-sandbox) and, like the
        # worker, lives in a mount namespace of its own (private /tmp).
        if [ "$(sed -n 's/^Seccomp:[[:space:]]*//p' /proc/$q/status)" = 2 ] &&
           grep -qz -- '^-sandbox$' /proc/$q/cmdline; then
                ok qemu-sandboxed
        else
                bad qemu-sandboxed "qemu $q runs without its seccomp filter"
        fi
        if [ "$(readlink /proc/$q/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] &&
           [ "$(stat -f -c %T "/proc/$q/root/tmp")" = tmpfs ]; then
                ok qemu-private-tmp
        else
                bad qemu-private-tmp "qemu $q shares our mount namespace or /tmp"
        fi
        kill -9 "$q"
        wait $run
        rc=$?
        grep -v "^libguestfs:\|^guestfsd:\|^\[" "$work/log" >"$work/log2"
        check_clean qemu-killed-mid-lookup "appliance died during the inspection\|cannot inspect" $rc \
                "$work/out.txt" "$work/log2" "$work/out" "$wd"
else
        wait $run
        bad qemu-killed-mid-lookup "no qemu of this run seen"
fi

# 5. The appliance hangs (qemu stopped): the deadline fires.
newdir
start=$(date +%s)
fault appliance-hang "did not answer in time" "$work/out" stop --timeout=20 "$work/disk.img"
el=$(( $(date +%s) - start ))
[ "$el" -le 45 ] || bad appliance-hang-time "took $el s with --timeout=20"

# 6. The disk file is truncated while it is being served.
newdir
cp "$work/disk.img" "$work/shrink.img"
fault disk-truncated "pvboot-select: " "$work/out" "truncate $work/shrink.img" "$work/shrink.img"

# 7. The output directory is read-only (a read-only mount: root ignores
#    modes).
newdir
mkdir -p "$work/rodir"
mount -t tmpfs -o ro,mode=0700 tmpfs "$work/rodir"
fault output-dir-read-only "cannot copy stage 1" "$work/rodir" none "$work/disk.img"
umount "$work/rodir"

# 8. The disk file is removed while it is being served.  The descriptor
#    opened before the inspection still holds the disk, so the right
#    decision is still made, from the bytes the guest had: no other file
#    is opened in its place.
newdir
cp "$work/disk.img" "$work/gone.img"
"$pvboot" --output="$work/out.txt" --output-directory="$work/out" "$work/gone.img" >"$work/log" 2>&1 &
run=$!
if read -r q wd < <(qemu_of_run $run); then
        rm -f "$work/gone.img"
        : >"$work/gone.img"     # a new file at the old path must not be read
        wait $run
        rc=$?
        if [ $rc = 0 ] && grep -q "^kernel $work/out/pvboot-select-stage1-x86_64\$" <(tr '\0' '\n' <"$work/out.txt") &&
           cmp -s "$work/out/pvboot-select-stage1-x86_64" "$s64"; then
                ok disk-removed
        else
                bad disk-removed "rc=$rc records=$(tr '\0' ' ' <"$work/out.txt") log=$(tail -n 3 "$work/log")"
        fi
else
        wait $run
        bad disk-removed "no qemu of this run seen"
fi
rm -f "$work/gone.img"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
