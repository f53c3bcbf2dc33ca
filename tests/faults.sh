#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# faults.sh PVBOOT_SELECT LIBXL_RUN
#
# Fault injection on the cold path: the output directory missing or
# read-only, the output file replaced by a symlink, ENOSPC while copying the
# stage 1, the clone's qemu killed while it restores and while it inspects,
# the appliance hanging until the deadline, the disk truncated before
# the clone reads it, and libxl's SIGTERM (or SIGINT, SIGHUP) while the
# clone inspects or restores, which must also end the run within 1 s;
# and libxl's own timeout in restrict mode while the appliance hangs,
# which pvboot-select's deadline must beat with its own message.
# Each must fail
# cleanly, with a message, nothing left in the output directory, an empty
# output file, no leftover process and no leftover temporary directory.
# The disk file removed (and replaced) before the clone reads it must still
# give the right decision, from the descriptor opened before.  While qemu
# runs, its seccomp filter, private /tmp and uid are checked.
#
# A clone decides in well under a second, so every fault that must land
# at a given moment stops the clone's qemu (SIGSTOP) first: the moment is
# then ours, not the scheduler's.  Reports TAP (tests/lib.sh), one result
# per check.
set -uo pipefail
pvboot=$1
libxl_run=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
require_root "tmpfs mount"
# In-process cold path only (tests/daemon.sh covers the daemon's faults).
cold_path_only

make_work faults
on_exit 'umount "$work/small" 2>/dev/null'
# Every clone killed below leaves its root-disk snapshot where it was: it
# must have been in the worker's private /tmp, never in dom0's /var/tmp
# (qemu moves a TMPDIR of "/tmp" there: clone.c).
touch "$work/started"
bash "$here/mkdisk.sh" mbr64 "$work/disk.img" "$work/build" >/dev/null || bail "mkdisk mbr64"

# The worker's private directory appears as /tmp/pvboot-select.XXXXXX.

# Wait until the qemu of the run with pid $1 is there, stop it at once and
# print "QEMU-PID WORKDIR".  qemu is the child of the run's worker; the
# worker's directory is the newest /tmp/pvboot-select.* (this suite runs
# alone: is_parallel false).
qemu_of_run() {
        local run=$1 i pid worker
        for i in $(seq 6000); do
                for worker in $(pgrep -P "$run"); do
                        pid=$(pgrep -P "$worker" -f qemu-system | head -n 1)
                        if [ -n "$pid" ]; then
                                kill -STOP "$pid"
                                echo "$pid $(ls -dt /tmp/pvboot-select.* 2>/dev/null | head -n 1)"
                                return 0
                        fi
                done
                sleep 0.01
        done
        return 1
}

# Let the stopped qemu $1 run until the disk $2 is plugged into it (its
# descriptor shows in qemu's fd table), then stop it again: it is then
# inside the inspection, before any answer.
until_disk_plugged() {
        local q=$1 disk=$2 i
        kill -CONT "$q"
        for i in $(seq 6000); do
                if ls -l "/proc/$q/fd" 2>/dev/null | grep -qF -- "$disk"; then
                        kill -STOP "$q"
                        return 0
                fi
                sleep 0.002
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
        if [ -z "$wd" ]; then
                bad "$name" "the run's temporary directory was never seen"; return
        fi
        if [ "$wd" != - ] && [ -e "$wd" ]; then
                bad "$name" "temporary directory $wd left behind"; return
        fi
        # No process of ours may outlive the run.
        if [ "$wd" != - ] && [ -n "${q:-}" ] && ps -o stat= -p "$q" 2>/dev/null | grep -qv '^Z'; then
                bad "$name" "the run's qemu $q is still running"; return
        fi
        ok "$name"
}

newdir() { rm -rf "$work/out"; mkdir -m 0600 "$work/out"; : >"$work/out.txt"; }

# fault NAME EXPECT OUTDIR ACTION [pvboot-select options]: run in the
# background, stop its qemu as soon as it exists, do ACTION ("kill":
# mid-restore, "stop": leave it stopped, "truncate FILE", "none"), let it
# go on, then check the clean failure.
fault() {
        local name=$1 expect=$2 outdir=$3 action=$4 q wd rc; shift 4
        "$pvboot" "$@" --output="$work/out.txt" --output-directory="$outdir" >"$work/log" 2>&1 &
        local run=$!
        if ! read -r q wd < <(qemu_of_run $run); then
                wait $run
                bad "$name" "no qemu of this run seen"
                [ "$action" != stop ] || bad "$name-qemu-gone" "no qemu of this run seen"
                return
        fi
        case $action in
        kill) kill -9 "$q" ;;
        stop) ;;
        truncate*) truncate -s 0 "${action#truncate }"; kill -CONT "$q" ;;
        *) kill -CONT "$q" ;;
        esac
        wait $run
        rc=$?
        check_clean "$name" "$expect" $rc "$work/out.txt" "$work/log" "$outdir" "$wd"
        # Alive means running or stopped; a zombie is dead, only unreaped.
        if [ "$action" = stop ]; then
                if ps -o stat= -p "$q" 2>/dev/null | grep -qv '^Z'; then
                        bad "$name-qemu-gone" "the stopped qemu $q outlived the deadline"
                        kill -9 "$q"
                else
                        ok "$name-qemu-gone"
                fi
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

# 4. The clone's qemu killed while it restores the template.
newdir
fault qemu-killed-restoring "cannot inspect" "$work/out" kill "$work/disk.img"

# 4b. The clone's qemu killed once the disk is plugged in, while the agent
#     scans it: the evidence is incomplete, so the inspection must fail,
#     never decide.  Before the kill: the containment a guest reaching qemu
#     would meet.  qemu runs its own seccomp filter (-sandbox), in a mount
#     namespace of its own (private /tmp), as a clone uid, without capabilities.
newdir
"$pvboot" --output="$work/out.txt" --output-directory="$work/out" "$work/disk.img" >"$work/log" 2>&1 &
run=$!
if read -r q wd < <(qemu_of_run $run) && until_disk_plugged "$q" "$work/disk.img"; then
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
        quid=$(awk '/^Uid:/ {print $2}' /proc/$q/status)
        qcaps=$(awk '/^CapEff:/ {print $2}' /proc/$q/status)
        if [ -n "$quid" ] && [ "$quid" -ge 196608 ] && [ "$quid" -lt $((196608 + 256)) ] &&
           [ "$qcaps" = 0000000000000000 ]; then
                ok qemu-unprivileged
        else
                bad qemu-unprivileged "qemu $q runs as uid ${quid:-?} with capabilities ${qcaps:-?}"
        fi
        kill -9 "$q"
        wait $run
        rc=$?
        check_clean qemu-killed-inspecting "appliance died\|cannot inspect" $rc \
                "$work/out.txt" "$work/log" "$work/out" "$wd"
else
        kill -9 "${q:-0}" 2>/dev/null
        wait $run
        for n in qemu-sandboxed qemu-private-tmp qemu-unprivileged qemu-killed-inspecting; do
                bad $n "no qemu of this run seen, or the disk never reached it"
        done
fi

# 5. The appliance hangs (qemu stopped): the deadline fires.
newdir
start=$(date +%s)
fault appliance-hang "did not answer in time" "$work/out" stop --timeout=20 "$work/disk.img"
el=$(( $(date +%s) - start ))
[ "$el" -le 45 ] && ok appliance-hang-time || bad appliance-hang-time "took $el s with --timeout=20"

# 6. The disk file is truncated before the clone reads it.
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

# 8. The disk file is removed before the clone reads it.  The descriptor
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
        kill -CONT "$q"
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

# 9. libxl stops the run (xl destroy: SIGTERM) while the clone
#    inspects; an admin's ^C (SIGINT) or a closed console (SIGHUP) while
#    it restores.  The run ends within 1 s of the signal, says so, kills
#    its clone, and leaves nothing (check_clean).
stopped_run() {   # stopped_run NAME SIGNAL plugged|restoring
        local name=$1 sig=$2 t0 ms rc
        newdir
        "$pvboot" --output="$work/out.txt" --output-directory="$work/out" "$work/disk.img" >"$work/log" 2>&1 &
        local run=$!
        if read -r q wd < <(qemu_of_run $run) &&
           { [ "$3" != plugged ] || until_disk_plugged "$q" "$work/disk.img"; }; then
                t0=$(date +%s%N)
                kill -"$sig" $run
                wait $run
                rc=$?
                ms=$(( ($(date +%s%N) - t0) / 1000000 ))
                echo "$name: the run exited $ms ms after SIG$sig; $(grep -m1 -o 'stopped by.*' "$work/log")"
                [ "$ms" -le 1000 ] && ok "$name-within-1s" || bad "$name-within-1s" "$ms ms after SIG$sig"
                check_clean "$name" "stopped by SIG$sig" $rc "$work/out.txt" "$work/log" "$work/out" "$wd"
        else
                kill -9 "${q:-0}" 2>/dev/null
                kill -9 $run 2>/dev/null
                wait $run
                bad "$name-within-1s" "no qemu of this run seen, or the disk never reached it"
                bad "$name" "no qemu of this run seen, or the disk never reached it"
        fi
}
stopped_run sigterm-inspecting TERM plugged
stopped_run sigint-restoring INT restoring
stopped_run sighup-restoring HUP restoring

# 10. libxl's timeout (issue 16, point 5): restrict mode with
#     LIBXL_BOOTLOADER_TIMEOUT=14, run by libxl-run as libxl runs it, which
#     SIGKILLs at 14 s and fails any run it had to kill.  The appliance
#     hangs (qemu stopped): pvboot-select's own deadline (14 s less the
#     margin, cli/inspection.h) must fire first, and the run end, with its
#     message and nothing written, before libxl's kill.
lxr_log=$work/libxl-timeout.log
"$libxl_run" --runas=131079 --xl-env=LIBXL_BOOTLOADER_TIMEOUT=14 --expect-fail="did not answer in time" \
        "$pvboot" "$work/disk.img" >"$lxr_log" 2>&1 &
lxr=$!
pv=
for _ in $(seq 500); do pv=$(pgrep -P $lxr | head -n 1); [ -n "$pv" ] && break; sleep 0.01; done
if [ -n "$pv" ] && read -r q wd < <(qemu_of_run "$pv"); then
        wait $lxr
        rc=$?
        ended=$(sed -n 's/^libxl timeout: 14000 ms; the bootloader ended after \([0-9]*\) ms$/\1/p' "$lxr_log")
        echo "libxl-timeout: the run ended ${ended:-?} ms after libxl started its 14 s clock; $(grep -m1 -o 'the inspection gets [0-9]* s' "$lxr_log")"
        if [ $rc = 0 ] && [ -n "$ended" ] && grep -q "the inspection gets 7 s" "$lxr_log"; then
                ok libxl-timeout-beaten
        else
                bad libxl-timeout-beaten "exit $rc: $(tail -n 8 "$lxr_log")"
        fi
        if ps -o stat= -p "$q" 2>/dev/null | grep -qv '^Z'; then
                bad libxl-timeout-qemu-gone "the stopped qemu $q outlived the run"
                kill -9 "$q"
        else
                ok libxl-timeout-qemu-gone
        fi
else
        kill -9 $lxr 2>/dev/null
        wait $lxr
        bad libxl-timeout-beaten "no qemu of this run seen: $(tail -n 5 "$lxr_log")"
        bad libxl-timeout-qemu-gone "no qemu of this run seen"
fi

left=$(find /var/tmp -maxdepth 1 -name 'vl.*' -newer "$work/started" 2>/dev/null | head -n 3)
[ -z "$left" ] && ok no-snapshot-in-var-tmp || bad no-snapshot-in-var-tmp "killed clones left $left"

done_testing
