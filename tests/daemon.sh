#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# daemon.sh PVBOOT_SELECT PVBOOT_SELECTD LIBXL_RUN BUS_INSPECT BUS_IMPOSTOR [HANGFS]
#
# The warm path for real: a private dbus-daemon with our bus policy, the
# real pvboot-selectd running as its own unprivileged user, and the real
# client run exactly as libxl runs it (libxl-run).  Covers a warm hit, the
# cache and its invalidation, LVM on a warm appliance, a client killed
# mid-request, a client stopped by libxl's SIGTERM mid-request (it cancels
# the request), the bound qemu killed, a hung appliance, a clone stuck in
# uninterruptible sleep on a hung disk (reaped when it dies), the daemon
# stopped (cold fallback) and restarted, eight concurrent requests, an
# empty pool, hostile callers and descriptors, and leaks of processes,
# descriptors and directories.  About 6 minutes under TCG.  Reports TAP
# (tests/lib.sh), one result per check.
set -uo pipefail
pvboot=$1
daemon=$2
libxl_run=$3
bus_inspect=$4
bus_impostor=$5
hangfs=${6:-}   # absent where libfuse3 is not (tests/meson.build)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/lib-daemon.sh"
user=$pvboot_user
caps="xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_64"

require_root "the daemon runs as its own user"
require_tools dbus-daemon busctl setpriv guestfish sfdisk grub-mkimage
require_user "$user"
require_stage1

make_work daemon
chmod 0755 "$work"
on_exit stop_bus

for l in mbr64 gpt32 lvm64; do
        bash "$here/mkdisk.sh" "$l" "$work/$l.img" "$work/build-$l" >/dev/null || bail "mkdisk $l"
done
chmod 0600 "$work"/*.img      # root's disks: the daemon only ever sees descriptors

# A system bus of our own (lib-daemon.sh), plus a hole for uid 65534 so
# that the daemon's own caller check is what refuses it.
BUS_EXTRA_POLICY='<policy user="nobody"><allow send_destination="org.pvbootselect1"/><allow own="org.pvbootselect1"/></policy>'
start_bus "$work"

# Processes and directories of the daemon's clones.  Each clone's qemu runs
# as a uid of its own from the clone uid range (the shipped default).
range_base=196608 range_count=256
in_range() { [ "$1" -ge $range_base ] && [ "$1" -lt $((range_base + range_count)) ]; }
daemon_qemus() {
        ps -e -o pid=,uid=,comm= | awk -v b=$range_base -v c=$range_count \
                '$2 >= b && $2 < b + c && $3 ~ /^qemu-system/ { print $1 }' | sort
}
uid_of() { awk '/^Uid:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
caps_of() { awk '/^CapEff:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
# Directories are counted against what was there before we started (another
# run on the machine may own some).
daemon_dirs() { find /tmp -maxdepth 1 -name 'pvboot-select.*' -user "$user" | sort | comm -13 "$work/dirs-before" -; }
daemon_fds() { ls /proc/"$dpid"/fd | wc -l; }

# A pooled clone answers within a fraction of a second of getting its
# disk, so to act on "the clone bound to DISK" the test holds every pooled
# qemu still first (hold_pool), then finds the worker that received DISK's
# descriptor from the daemon; its qemu is the bound one (bound_qemu), and
# the others go on (release_others).
hold_pool() { held=$(daemon_qemus); [ -z "$held" ] || kill -STOP $held; }
bound_qemu() {
        local disk=$1 i w q
        for i in $(seq 3000); do
                for w in $(pgrep -P "$dpid"); do
                        if ls -l /proc/"$w"/fd 2>/dev/null | grep -q -- "$disk"; then
                                q=$(pgrep -P "$w" -f qemu-system | head -n 1)
                                [ -n "$q" ] && { echo "$q"; return 0; }
                        fi
                done
                sleep 0.01
        done
        return 1
}
release_others() {      # release_others BOUND-QEMU
        local q
        for q in $held; do [ "$q" = "$1" ] || kill -CONT "$q" 2>/dev/null; done
}

# run NAME EXPECT DISK [pvboot-select args]: one decision as libxl asks it.
run() {
        local name=$1 expect=$2 disk=$3; shift 3
        local -a h=()
        case $expect in
        x86_64) h=(--expect-stage1="$s64") ;;
        i386) h=(--expect-stage1="$s32") ;;
        fail:*) h=(--expect-fail="${expect#fail:}") ;;
        esac
        "$libxl_run" ${lxr:-} "${h[@]}" "$pvboot" "$disk" --host-caps="$caps" -v "$@" >"$work/$name.log" 2>&1
}

expect_run() {  # expect_run NAME EXPECT DISK GREP [args]
        local name=$1 expect=$2 disk=$3 pattern=$4; shift 4
        if run "$name" "$expect" "$disk" "$@" && grep -q -- "$pattern" "$work/$name.log"; then
                ok "$name"
        else
                bad "$name" "$(grep -v '^pvboot-select:   [pgh]' "$work/$name.log" | tail -8)"
        fi
}

find /tmp -maxdepth 1 -name 'pvboot-select.*' -user "$user" | sort >"$work/dirs-before"
# The daemon runs as its user and only uses root's template: build it.
"$pvboot" template || bail "pvboot-select template"
start_daemon "$daemon" --pool-size=2
base_fds=$(daemon_fds)

# 1. Warm hits, both widths, and LVM on a warm appliance (lvm_scan).
wait_prop PoolReady 2 && ok pool-fill || bad pool-fill "PoolReady never reached 2: $(tail -3 "$work/daemon.log")"

# 0. Every live clone has a uid of its own, from the range, never the
#    daemon's, with no capability left (the daemon's CAP_SETUID stays
#    with the daemon).  One clone's uid can neither signal nor read the
#    other clone, write the template, nor ask the daemon for anything.
duid=$(id -u "$user")
read -r qa qb < <(daemon_qemus | xargs)
ua=$(uid_of "$qa") ub=$(uid_of "$qb")
if [ -n "$qa" ] && [ -n "$qb" ] && [ "$ua" != "$ub" ] && in_range "$ua" && in_range "$ub" &&
   [ "$ua" != "$duid" ] && [ "$(caps_of "$qa")" = 0000000000000000 ] && [ "$(caps_of "$qb")" = 0000000000000000 ]; then
        ok clone-uids
else
        bad clone-uids "pool qemus $qa (uid $ua, caps $(caps_of "$qa")) and $qb (uid $ub, caps $(caps_of "$qb")); daemon uid $duid"
fi
as_clone() { setpriv --reuid="$ua" --regid="$ua" --clear-groups "$@" 2>&1; }
# Each refusal must be the kernel's, for a clone uid we really have: a
# failure for any other reason (no clone found, no template) is no proof.
refused() {     # refused NAME WHAT-IF-NOT COMMAND...
        local name=$1 what=$2 out
        shift 2
        if [ -z "$qa" ] || [ -z "$qb" ] || [ -z "$ua" ]; then
                bad "$name" "no two pooled clones to try it with"
        elif out=$(as_clone "$@"); then
                bad "$name" "$what"
        elif grep -q "Operation not permitted\|Permission denied" <<<"$out"; then
                ok "$name"
        else
                bad "$name" "failed, but not as refused: $out"
        fi
}
refused clone-signals-clone "uid $ua signalled qemu $qb" kill -0 "$qb"
refused clone-reads-clone "uid $ua read qemu $qb's environment" cat "/proc/$qb/environ"
if [ -f /var/cache/pvboot-select/template/state ]; then
        refused clone-writes-template "uid $ua appended to the template" \
                sh -c 'echo x >>/var/cache/pvboot-select/template/state'
        refused clone-adds-to-template "uid $ua wrote a file into the template" \
                sh -c 'echo x >/var/cache/pvboot-select/template/new'
else
        bad clone-writes-template "no template at /var/cache/pvboot-select/template"
fi
# (The bus refuses a uid it cannot name at all; our policy refuses any other.)
out=$(as_clone "$bus_inspect" file:/dev/null)
grep -q "AccessDenied\|ENOTCONN" <<<"$out" && ok clone-calls-daemon || bad clone-calls-daemon "$out"
expect_run warm-x86_64 x86_64 "$work/mbr64.img" "answered by a warm appliance"
# -v's timing line (pvboot-select(1)), which bench/run.sh parses: every
# step in order, no launch on a warm appliance, a rescan that took time.
timing_ok() {   # timing_ok LOG launch|nolaunch
        local t l
        t=$(grep -o 'timing: .*' "$1" | tr -d '\r' | tail -1)     # the console is a pty: CRLF
        l=$([ "$2" = launch ] && echo 'launch=[0-9]+\.[0-9]{3} ' || echo '')
        grep -Eq "^timing: ${l}bind=[0-9.]+ rescan=[0-9.]+ search=[0-9.]+ read=[0-9.]+ validate=[0-9.]+ reply=[0-9.]+ copy=[0-9.]+ total=[0-9.]+$" <<<"$t" &&
                awk -v t="$t" 'BEGIN { match(t, /rescan=[0-9.]+/); exit !(substr(t, RSTART + 7, RLENGTH - 7) + 0 > 0) }'
}
timing_ok "$work/warm-x86_64.log" nolaunch && ok timing-warm || bad timing-warm "$(grep timing "$work/warm-x86_64.log")"
wait_prop PoolReady 2
expect_run warm-i386 i386 "$work/gpt32.img" "answered by a warm appliance"
wait_prop PoolReady 2
expect_run warm-lvm x86_64 "$work/lvm64.img" "answered by a warm appliance"

# 2. The cache answers a second time, and forgets a disk that changed.
cp "$work/mbr64.img" "$work/swap.img"
wait_prop PoolReady 2
expect_run cache-first x86_64 "$work/swap.img" "answered by a warm appliance"
expect_run cache-hit x86_64 "$work/swap.img" "answered from its cache"
cat "$work/gpt32.img" >"$work/swap.img"         # same inode, new bytes
[ "$(prop CacheEntries)" -ge 1 ] && ok cache-entries || bad cache-entries "CacheEntries is $(prop CacheEntries)"
wait_prop PoolReady 2
expect_run cache-invalidated i386 "$work/swap.img" "answered by a warm appliance"

# 2a. The stage 1s' search lists reach the daemon's appliance (SearchLists),
#     and are part of the cache's key: a 64-bit stage 1 that only reads
#     /boot/grub2/grub.cfg finds nothing on a disk the cache has an x86_64
#     answer for, and a warm appliance says so.
printf 'if search -s -f /boot/grub2/grub.cfg; then configfile /boot/grub2/grub.cfg; fi\n' >"$work/s1-grub2.cfg"
grub-mkimage -O x86_64-xen -o "$work/s1-grub2.bin" -c "$work/s1-grub2.cfg" -p /boot/grub ext2 ||
        bail "grub-mkimage s1-grub2"
wait_prop PoolReady 2
expect_run cache-warm-default x86_64 "$work/mbr64.img" "answered from its cache"
wait_prop PoolReady 2
if run warm-own-stage1 "fail:nothing to boot" "$work/mbr64.img" --stage1-x86_64="$work/s1-grub2.bin" &&
   grep -q "answered by a warm appliance" "$work/warm-own-stage1.log" &&
   grep -q "search x86_64: config /boot/grub2/grub.cfg" "$work/warm-own-stage1.log" &&
   grep -q "stage 1 x86_64: $work/s1-grub2.bin: embedded config" "$work/warm-own-stage1.log"; then
        ok warm-own-stage1
else
        bad warm-own-stage1 "$(grep -v '^pvboot-select:   [pgh]' "$work/warm-own-stage1.log" | tail -8)"
fi

# 2b. The admin's commands against the running daemon: status (text and
#     JSON, from the Manager's properties) and inspect --json, answered by
#     a warm appliance, with the schema pvboot-select(1) documents.
wait_prop PoolReady 2
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
if "$pvboot" status >"$work/status.txt" 2>&1 && grep -q "pool: *2 of 2 appliances ready" "$work/status.txt" &&
   "$pvboot" status --json >"$work/status.json" && [ "$(jget "$work/status.json" 'd["PoolSize"], d["RequestsTotal"] >= 5')" = "(2, True)" ]; then
        ok status
else
        bad status "$(cat "$work/status.txt" "$work/status.json")"
fi
cp "$work/gpt32.img" "$work/adm.img"
"$pvboot" inspect --json --host-caps="$caps" "$work/adm.img" >"$work/inspect.json" 2>"$work/inspect.err"
rc=$?
got=$(jget "$work/inspect.json" '(d["arch"], d["kind"], d["source"], d["guest_path"], d["stage1"], d["error"], d["timing"]["rescan"] > 0, len(d["evidence"]) > 0)' 2>&1)
want="('i386', 'pv', 'pvboot', '/boot/xen/pvboot-i386.elf', '$s32', None, True, True)"
[ $rc = 0 ] && [ "$got" = "$want" ] && grep -q "(.*adm.img): found i386" "$work/daemon.log" && ok inspect-json ||
        bad inspect-json "rc=$rc got $got; $(cat "$work/inspect.err"; tail -2 "$work/daemon.log")"
bash "$here/mkdisk.sh" none "$work/none.img" "$work/build-none" >/dev/null
wait_prop PoolReady 2
"$pvboot" inspect --host-caps="$caps" "$work/none.img" >"$work/inspect.txt" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "^decision:  none (nothing-found)" "$work/inspect.txt" &&
        in_range "$(sed -n 's/^inspected: as uid \([0-9]*\), by pvboot-selectd.*/\1/p' "$work/inspect.txt")" &&
        ok inspect-nothing ||
        bad inspect-nothing "rc=$rc $(cat "$work/inspect.txt")"

# A disk path that is not UTF-8 (D-Bus strings must be): still warm, and
# the daemon's log names it escaped.
wait_prop PoolReady 2
odd="$work/"$'odd\xff\x1bname.img'
cp "$work/mbr64.img" "$odd"
expect_run non-utf8-path x86_64 "$odd" "answered by a warm appliance"
grep -qF 'odd\xff\x1bname.img' "$work/daemon.log" && ok non-utf8-path-log || bad non-utf8-path-log "$(tail -1 "$work/daemon.log")"

# 3. A client killed mid-request: its appliance dies, the pool recovers.
wait_prop PoolReady 2
# Fresh copies from here on: a cached answer would bind no appliance.
fresh() { cp "$work/$1.img" "$work/$2.img"; echo "$work/$2.img"; }
before=$(daemon_qemus)
cancelled=$(prop Cancellations)
disk=$(fresh mbr64 killed-client)
# Hold the appliance still so that the client dies mid-request, not after.
hold_pool
"$pvboot" --host-caps="$caps" -n --output=- --output-directory="$work" "$disk" >/dev/null 2>&1 &
client=$!
if q=$(bound_qemu "$disk"); then
        release_others "$q"
        kill -9 $client
        wait $client 2>/dev/null
        if wait_prop Cancellations $((cancelled + 1)) 30; then
                sleep 1
                survivors=$(comm -12 <(echo "$before") <(daemon_qemus) | wc -l)
                [ "$survivors" = 1 ] && ! kill -0 "$q" 2>/dev/null && ok client-killed ||
                        bad client-killed "$survivors of the 2 pooled qemus survive (bound: $q)"
        else
                bad client-killed "Cancellations did not move"
        fi
else
        release_others -
        kill -9 $client
        bad client-killed "no bound qemu seen"
fi
wait_prop PoolReady 2 && ok client-killed-refill || bad client-killed-refill "the pool did not refill"

# 4. The bound appliance's qemu killed mid-request: a clear failure, no
#    cold retry behind the admin's back, and the pool recovers.
failures=$(prop Failures)
disk=$(fresh gpt32 qemu-killed)
hold_pool
run qemu-killed "fail:inspection failed" "$disk" &
r=$!
if q=$(bound_qemu "$disk"); then
        release_others "$q"
        kill -9 "$q"
        wait $r && grep -q "cannot inspect the disk\|inspection failed" "$work/qemu-killed.log" &&
                ! grep -q "cold path" "$work/qemu-killed.log" && [ "$(prop Failures)" = $((failures + 1)) ] &&
                ok qemu-killed || bad qemu-killed "$(tail -5 "$work/qemu-killed.log")"
else
        release_others -
        wait $r
        bad qemu-killed "no bound qemu seen"
fi
wait_prop PoolReady 2 && ok qemu-killed-refill || bad qemu-killed-refill "the pool did not refill"

# 5. The bound appliance hangs: its steps end by the request's deadline
#    (the worker says which one ran out, just before the daemon's own
#    timer would), and the stopped qemu is destroyed with its worker.
disk=$(fresh mbr64 hang)
hold_pool
run hang "fail:did not answer in time" "$disk" --timeout=5 &
r=$!
if q=$(bound_qemu "$disk"); then
        release_others "$q"
        wait $r && ok hang || bad hang "$(tail -5 "$work/hang.log")"
        sleep 1
        if ps -o stat= -p "$q" 2>/dev/null | grep -qv '^Z'; then
                bad hang-cleanup "the stopped qemu $q outlived its request"
                kill -9 "$q"
        else
                ok hang-cleanup
        fi
else
        release_others -
        wait $r
        bad hang "no bound qemu seen"
        bad hang-cleanup "no bound qemu seen"
fi
wait_prop PoolReady 2

# 5a. libxl stops the client mid-call (xl destroy: SIGTERM)
#     while the clone bound to its disk is held still: the client exits
#     within 1 s of the signal, saying so, having told the daemon
#     (Cancel with the request's cookie), which destroys that clone, and
#     leaves nothing in the output directory and an empty output file
#     (libxl-run checks those, and the time).
# (libxl-run is run's child, or run itself when bash exec'd it.)
lxr_pid() { pgrep -P "$1" -x libxl-run || echo "$1"; }
cancelled=$(prop Cancellations) failures=$(prop Failures)
disk=$(fresh mbr64 sigterm)
hold_pool
lxr="--stop-within=1000" run sigterm "fail:stopped by SIGTERM while pvboot-selectd inspected the disk" "$disk" &
r=$!
if q=$(bound_qemu "$disk"); then
        release_others "$q"
        sleep 0.5       # well inside the call: the clone holds the disk, the client waits
        kill -USR1 "$(lxr_pid "$r")"    # libxl-run's xl destroy
        if wait $r && grep -q "the request was cancelled" "$work/sigterm.log"; then
                ok sigterm-mid-call
        else
                bad sigterm-mid-call "$(grep -v '^pvboot-select:   [pgh]' "$work/sigterm.log" | tail -8)"
        fi
        echo "sigterm-mid-call: $(grep -o 'exited [0-9]* ms after the signal' "$work/sigterm.log");" \
                "$(grep -m1 -o 'stopped by.*' "$work/sigterm.log" | tr -d '\r')"
        if wait_prop Cancellations $((cancelled + 1)) 10 && [ "$(prop Failures)" = "$failures" ] &&
           grep -q "(.*sigterm.img): cancelled by the caller" "$work/daemon.log"; then
                ok sigterm-daemon-cancelled
                grep "(.*sigterm.img): cancelled by the caller" "$work/daemon.log"
        else
                bad sigterm-daemon-cancelled "Cancellations $(prop Cancellations) (was $cancelled), Failures $(prop Failures) (was $failures): $(tail -2 "$work/daemon.log")"
        fi
        sleep 1
        if ps -o stat= -p "$q" 2>/dev/null | grep -qv '^Z'; then
                bad sigterm-clone-destroyed "the stopped qemu $q outlived its cancelled request"
                kill -9 "$q"
        else
                ok sigterm-clone-destroyed
        fi
else
        release_others -
        kill -USR1 "$(lxr_pid "$r")" 2>/dev/null
        wait $r
        for n in sigterm-mid-call sigterm-daemon-cancelled sigterm-clone-destroyed; do bad $n "no bound qemu seen"; done
fi
wait_prop PoolReady 2 && ok sigterm-refill || bad sigterm-refill "the pool did not refill"

# 5b. The disk shrinks while bound: reads of the lost range fail, so the
#     request fails cleanly (never a width from half a disk) and the pool
#     recovers.
disk=$(fresh mbr64 shrink)
hold_pool
run shrink "fail:pvboot-select:" "$disk" &
r=$!
if q=$(bound_qemu "$disk"); then
        truncate -s 0 "$disk"
        release_others -
        wait $r && ok disk-shrinks || bad disk-shrinks "$(tail -5 "$work/shrink.log")"
else
        release_others -
        wait $r
        bad disk-shrinks "no bound qemu seen"
fi
wait_prop PoolReady 2 && ok disk-shrinks-refill || bad disk-shrinks-refill "the pool did not refill"

# 5c. The disk's file is unlinked while bound: the descriptor still holds
#     the disk, so the answer is the disk's.
disk=$(fresh gpt32 vanish)
hold_pool
run vanish i386 "$disk" &
r=$!
if q=$(bound_qemu "$disk"); then
        rm -f "$disk"
        release_others -
        wait $r && ok disk-vanishes || bad disk-vanishes "$(tail -5 "$work/vanish.log")"
else
        release_others -
        wait $r
        bad disk-vanishes "no bound qemu seen"
fi
wait_prop PoolReady 2

# 5d. A clone stuck in the kernel: its disk (hangfs: a FUSE file whose
#     server stops answering, as a hung NFS or iSCSI server does) takes a
#     read and never answers it.  The client is stopped (SIGTERM) and the
#     daemon kills the clone, whose qemu then sleeps uninterruptibly in
#     that read: a real D state, which no signal ends.  The daemon waits
#     for it nowhere: another request is answered warm meanwhile, the
#     stuck clone keeps its uid (no other clone gets it) and shows as
#     Reaping, the daemon says so after 5 s, and once the disk answers
#     again the clone dies and is reaped, its uid freed.
stuck_cleanup() {
        [ -n "${hfpid:-}" ] && kill -9 "$hfpid" 2>/dev/null
        umount -l "$work/hang-mnt" 2>/dev/null
        hfpid=
}
stuck_names="stuck-client-stopped stuck-clone-in-d-state stuck-others-go-on stuck-clone-keeps-uid stuck-logged stuck-reaped"
task_in_d() { cat /proc/"$1"/task/*/stat 2>/dev/null | awk '$3 == "D" { d = 1 } END { exit !d }'; }
if [ -z "$hangfs" ] || [ ! -c /dev/fuse ]; then
        for n in $stuck_names; do skip $n "no FUSE here (hangfs not built, or no /dev/fuse)"; done
else
        on_exit stuck_cleanup
        cp "$work/mbr64.img" "$work/hang-src.img"
        mkdir -p "$work/hang-mnt"
        touch "$work/hang-flag"
        "$hangfs" "$work/hang-src.img" "$work/hang-flag" "$work/hang-mnt" 2>"$work/hangfs.log" &
        hfpid=$!
        for _ in $(seq 50); do [ -f "$work/hang-mnt/disk.img" ] && break; sleep 0.1; done
        lxr="--stop-within=1000" run stuck "fail:stopped by SIGTERM while pvboot-selectd inspected the disk" \
                "$work/hang-mnt/disk.img" &
        r=$!
        for _ in $(seq 600); do grep -q "read parked" "$work/hangfs.log" && break; sleep 0.1; done
        q=
        for c in $(daemon_qemus); do ls -l /proc/"$c"/fd 2>/dev/null | grep -q "hang-mnt/disk.img" && q=$c; done
        if [ -z "$q" ] || ! grep -q "read parked" "$work/hangfs.log"; then
                kill -USR1 "$(lxr_pid "$r")" 2>/dev/null
                wait $r
                for n in $stuck_names; do bad $n "no clone reading the hung disk: $(tail -3 "$work/hangfs.log")"; done
        else
                quid=$(uid_of "$q")
                kill -USR1 "$(lxr_pid "$r")"    # libxl-run's xl destroy
                wait $r && ok stuck-client-stopped ||
                        bad stuck-client-stopped "$(grep -v '^pvboot-select:   [pgh]' "$work/stuck.log" | tail -5)"
                # Killed (by PDEATHSIG, with its worker), it cannot die.
                for _ in $(seq 100); do task_in_d "$q" && break; sleep 0.1; done
                if task_in_d "$q" && wait_prop Reaping 1 10; then
                        ok stuck-clone-in-d-state
                else
                        bad stuck-clone-in-d-state "qemu $q: $(cat /proc/"$q"/task/*/stat 2>/dev/null | awk '{print $3}' | tr '\n' ' '), Reaping $(prop Reaping)"
                fi
                expect_run stuck-others-go-on x86_64 "$(fresh mbr64 notstuck)" "answered by a warm appliance"
                if task_in_d "$q" && [ "$(prop Reaping)" = 1 ] &&
                   ! flock -n /run/pvboot-select/clone-uids/"$quid" true && [ -n "$(daemon_dirs | head -n 1)" ]; then
                        ok stuck-clone-keeps-uid
                else
                        bad stuck-clone-keeps-uid "qemu $q uid $quid: Reaping $(prop Reaping), D: $(task_in_d "$q" && echo yes || echo no)"
                fi
                for _ in $(seq 100); do grep -q "still alive .* after it was killed" "$work/daemon.log" && break; sleep 0.1; done
                grep -q "still alive .* after it was killed" "$work/daemon.log" && ok stuck-logged ||
                        bad stuck-logged "$(tail -3 "$work/daemon.log")"
                # The disk answers again: the read ends, and so does the clone.
                rm -f "$work/hang-flag"
                if wait_prop Reaping 0 60 && ! kill -0 "$q" 2>/dev/null && flock -n /run/pvboot-select/clone-uids/"$quid" true &&
                   grep -q "died .* after it was killed; its clone uid is free again" "$work/daemon.log"; then
                        ok stuck-reaped
                else
                        bad stuck-reaped "Reaping $(prop Reaping), qemu $q $(kill -0 "$q" 2>/dev/null && echo alive || echo gone): $(tail -3 "$work/daemon.log")"
                fi
        fi
        stuck_cleanup
fi
wait_prop PoolReady 2

# 6. Hostile callers and descriptors: each a clear D-Bus error, nothing else moves.
: >"$work/empty.img"
: >"$work/wo.img"
hostile() {     # hostile NAME EXPECTED-ERROR-TEXT FD [options]
        local name=$1 expect=$2; shift 2
        local out
        out=$("$bus_inspect" "$@" 2>&1)
        if [ $? = 1 ] && grep -q -- "$expect" <<<"$out"; then ok "$name"; else bad "$name" "$out"; fi
}
hostile bad-fd-socket "neither a regular file nor a block device" socket
hostile bad-fd-pipe "neither a regular file nor a block device" pipe
hostile bad-fd-directory "neither a regular file nor a block device" dir:/tmp
hostile bad-fd-writeonly "not open for reading" wronly:"$work/wo.img"
hostile bad-fd-opath "O_PATH" opath:"$work/mbr64.img"
hostile bad-fd-empty "the disk is empty" file:"$work/empty.img"
hostile bad-option "unknown option 'Bogus'" file:"$work/mbr64.img" Bogus=s:x
hostile bad-option-type "option Mode must have type s" file:"$work/mbr64.img" Mode=u:1
hostile bad-mode "Mode must be pv, pvh or pvshim" file:"$work/mbr64.img" Mode=s:hvm
hostile bad-timeout "Timeout must be" file:"$work/mbr64.img" Timeout=u:1000
hostile bad-format "Format is not a disk format name" file:"$work/mbr64.img" Format=s:../x
qemu-img create -q -f qcow2 -b "$work/mbr64.img" -F raw "$work/backed.qcow2" 2>/dev/null
chmod 0600 "$work/backed.qcow2"
hostile qcow2-backing-refused "has a backing file" file:"$work/backed.qcow2" Format=s:qcow2
hostile bad-domid "DomainId must name a guest domain" file:"$work/mbr64.img" DomainId=u:0
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$bus_inspect" file:/dev/null 2>&1)
grep -q "only root or the configured group" <<<"$out" && ok caller-not-allowed || bad caller-not-allowed "$out"
out=$(setpriv --reuid=1 --regid=1 --clear-groups "$bus_inspect" file:/dev/null 2>&1)
grep -q "AccessDenied" <<<"$out" && ok caller-denied-by-policy || bad caller-denied-by-policy "$out"
[ "$(prop RequestsTotal)" != "" ] && wait_prop PoolReady 2 5 && ok hostile-pool-intact || bad hostile-pool-intact "PoolReady $(prop PoolReady)"

# 7. Eight concurrent requests (2 warm, the rest cold or refilled), all right.
start=$(date +%s)
pids=()
for i in 1 2 3 4 5 6 7 8; do
        if [ $((i % 2)) = 0 ]; then e=x86_64 d=mbr64; else e=i386 d=gpt32; fi
        cp --reflink=auto "$work/$d.img" "$work/c$i.img"        # distinct inodes: no cache hits
        lxr="--domid=$((10 + i))" run "concurrent-$i" $e "$work/c$i.img" &
        pids+=($!)
done
n_ok=0
for p in "${pids[@]}"; do wait "$p" && n_ok=$((n_ok + 1)); done
echo "eight concurrent requests: $(($(date +%s) - start)) s"
[ $n_ok = 8 ] && ok concurrent-8 ||
        bad concurrent-8 "$n_ok of 8 passed: $(grep -h "FAIL\|inspection failed" "$work"/concurrent-*.log | head -3)"
wait_prop PoolReady 2

# 8. No leak after all of that: descriptors, appliances, directories.
sleep 2
[ "$(daemon_fds)" = "$base_fds" ] && ok no-fd-leak || bad no-fd-leak "$base_fds fds at start, $(daemon_fds) now"
[ "$(daemon_qemus | wc -l)" = 2 ] && ok no-appliance-leak || bad no-appliance-leak "$(daemon_qemus | wc -l) qemus for a pool of 2"
[ "$(daemon_dirs | wc -l)" = 2 ] && ok no-dir-leak || bad no-dir-leak "$(daemon_dirs | wc -l) directories for a pool of 2"

# 9. The daemon stops (cleanly, exit 0): every appliance and directory goes
#    with it, and the client takes the cold path, saying so.
stop_daemon && ok clean-exit || bad clean-exit "pvboot-selectd exited $? on SIGTERM"
sleep 1
[ -z "$(daemon_qemus)" ] && [ -z "$(daemon_dirs)" ] &&
        ok stop-cleans-up || bad stop-cleans-up "left: $(daemon_qemus) $(daemon_dirs)"
# ... and every clone uid it held is free again (its lock released).
held_uids=$(for f in /run/pvboot-select/clone-uids/*; do flock -n "$f" true || basename "$f"; done)
[ -z "$held_uids" ] && ok stop-frees-uids || bad stop-frees-uids "uids still held: $held_uids"
expect_run daemon-down-cold x86_64 "$work/mbr64.img" "not reachable.*cold path"
timing_ok "$work/daemon-down-cold.log" launch && ok timing-cold || bad timing-cold "$(grep timing "$work/daemon-down-cold.log")"

# 9b. Someone else takes the name while the daemon is down (this bus lets
#     uid 65534 own it; the shipped policy lets only root and the daemon's
#     user): the client sends it nothing, says why and inspects here;
#     status will not show its numbers; and the daemon, started then,
#     refuses to queue behind it and says so.
setpriv --reuid=65534 --regid=65534 --clear-groups "$bus_impostor" >"$work/impostor.out" 2>&1 &
ipid=$!
for _ in $(seq 50); do grep -q owned "$work/impostor.out" && break; sleep 0.1; done
expect_run impostor-refused x86_64 "$work/mbr64.img" "owned by uid 65534.*not sending it the disk.*cold path"
grep -q '^call' "$work/impostor.out" && bad impostor-got-nothing "$(cat "$work/impostor.out")" || ok impostor-got-nothing
"$pvboot" status >"$work/impostor-status.txt" 2>&1
rc=$?
[ $rc = 3 ] && grep -q "owned by uid 65534" "$work/impostor-status.txt" && ok impostor-status ||
        bad impostor-status "exit $rc: $(cat "$work/impostor-status.txt")"
timeout 60 setpriv "${daemon_caps[@]}" --reuid="$pvboot_user" --regid="$pvboot_user" --init-groups "$daemon" \
        --pool-size=0 >"$work/daemon-behind.log" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "cannot own org.pvbootselect1: File exists" "$work/daemon-behind.log" && ok name-taken-loud ||
        bad name-taken-loud "exit $rc: $(tail -3 "$work/daemon-behind.log")"
kill "$ipid"
wait "$ipid" 2>/dev/null

# 10. Restarted, it serves warm again.
start_daemon "$daemon" --pool-size=2
wait_prop PoolReady 2
expect_run restarted-warm i386 "$work/gpt32.img" "answered by a warm appliance"
stop_daemon

# 11. No pool at all: the daemon's own cold appliance, never an error.
#     Started with --allow-group=nogroup: uid 65534 (primary group nogroup,
#     let through by this bus's policy) now passes the caller check and
#     meets the descriptor check instead.
#     This one logs to the journal as under systemd, and its entry must
#     carry the fields pvboot-selectd(8) documents.  A host without a
#     running journald gets one for the test (it is how Debian logs).
jtag=pvboot-selectd-test-$$
# (A socket file can outlive its journald: ask for a stream to know.)
if ! systemd-cat -t "$jtag-probe" true 2>/dev/null && [ -x /lib/systemd/systemd-journald ]; then
        /lib/systemd/systemd-journald >/dev/null 2>&1 &
        jpid=$!
        for _ in $(seq 50); do systemd-cat -t "$jtag-probe" true 2>/dev/null && break; sleep 0.1; done
fi
DAEMON_TO_JOURNAL=$jtag start_daemon "$daemon" --pool-size=0 --allow-group=nogroup
expect_run empty-pool x86_64 "$work/mbr64.img" "answered by a cold appliance"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$bus_inspect" file:/dev/null 2>&1)
grep -q "neither a regular file nor a block device" <<<"$out" && ok caller-in-allowed-group ||
        bad caller-in-allowed-group "$out"
# ... as a supplementary group too, from the bus driver's word (the daemon
# runs with a /proc of its own where the caller does not exist, as under
# the shipped unit's ProtectProc=invisible); and not without it.
out=$(setpriv --reuid=65534 --regid=100 --groups=65534 "$bus_inspect" file:/dev/null 2>&1)
grep -q "neither a regular file nor a block device" <<<"$out" && ok caller-in-allowed-supplementary-group ||
        bad caller-in-allowed-supplementary-group "$out"
out=$(setpriv --reuid=65534 --regid=100 --clear-groups "$bus_inspect" file:/dev/null 2>&1)
grep -q "AccessDenied" <<<"$out" && ok caller-outside-allowed-group || bad caller-outside-allowed-group "$out"
# pvboot-select's own entry, one per run under libxl, whoever inspected:
# a decision (from the daemon, and here with --no-daemon), a refusal
# (nothing to boot) and a failure (an empty disk).
cp "$work/gpt32.img" "$work/jd-daemon.img"
cp "$work/mbr64.img" "$work/jd-cold.img"
cp "$work/none.img" "$work/jd-refusal.img"
: >"$work/jd-failure.img"
lxr="--domid=31" run jd-daemon i386 "$work/jd-daemon.img"
lxr="--domid=32" run jd-cold x86_64 "$work/jd-cold.img" --no-daemon
lxr="--domid=33" run jd-refusal "fail:nothing to boot" "$work/jd-refusal.img" --no-daemon
lxr="--domid=34" run jd-failure "fail:cannot use disk" "$work/jd-failure.img"
jdpid=$dpid
stop_daemon
sleep 1
# One entry each, with the MESSAGE_ID the catalog explains.
jentry() {      # jentry NAME: the last entry of pvboot-select's run on jd-NAME.img, as JSON
        journalctl SYSLOG_IDENTIFIER=pvboot-select PVBOOT_DISK="$work/jd-$1.img" -o json --no-pager 2>/dev/null | tail -n 1
}
for want in "daemon 31 2134ac4d04d74ae590d7f2f781887593 daemon ok i386 $s32" \
            "cold 32 2134ac4d04d74ae590d7f2f781887593 cold ok x86_64 $s64" \
            "refusal 33 2c42941adca04f37a2616f8cfb8e0c8a cold nothing-found - -" \
            "failure 34 6656c7cd4efb45038c891c6b94d72d36 failed error - -"; do
        set -- $want
        got=$(jentry "$1" | python3 -c '
import json, sys
e = json.loads(sys.stdin.read())
print(e["PVBOOT_DOMID"], e["MESSAGE_ID"], e["PVBOOT_PATH"], e["PVBOOT_DECISION"], e.get("PVBOOT_ARCH", "-"),
      e.get("PVBOOT_STAGE1", "-"), "PVBOOT_REQUEST" in e, e["MESSAGE"].startswith("run for domain"))' 2>&1)
        [ "$got" = "${*:2} False True" ] && ok "journal-client-$1" || bad "journal-client-$1" "want ${*:2}, got $got"
done
# What journalctl -x shows for them: our catalog compiled as systemd's
# package trigger compiles the installed one (journalctl --update-catalog),
# into a root of its own, and that database put where journalctl reads it
# in a mount namespace of the test's (this machine's own is not touched).
croot=$work/catalog-root
mkdir -p "$croot/usr/lib/systemd/catalog" "$croot/var/lib/systemd/catalog"
cp "$here/../systemd/pvboot-select.catalog" "$croot/usr/lib/systemd/catalog/"
journalctl --root="$croot" --update-catalog
unshare --mount --propagation private sh -c 'mount --bind "$1" /var/lib/systemd/catalog && shift && exec "$@"' \
        sh "$croot/var/lib/systemd/catalog" journalctl -x --no-pager SYSLOG_IDENTIFIER=pvboot-select \
        PVBOOT_DISK="$work/jd-refusal.img" >"$work/journal-x.txt" 2>&1
grep -q "Subject: PV guest not booted: nothing-found (pvboot-select)" "$work/journal-x.txt" &&
        grep -q "neither a pvboot ELF" "$work/journal-x.txt" && ok journal-catalog-x ||
        bad journal-catalog-x "$(tail -5 "$work/journal-x.txt")"
# The structured entries name themselves (SYSLOG_IDENTIFIER=pvboot-selectd):
# find this daemon's by its pid.
journalctl _PID="$jdpid" PVBOOT_PATH=cold PVBOOT_DOMID=7 -o json --no-pager >"$work/journal.json" 2>&1
got=$(python3 -c '
import json, sys
e = json.loads(open(sys.argv[1]).read().splitlines()[-1])
print(e["PVBOOT_DOMID"], e["PVBOOT_DECISION"], e["PVBOOT_ARCH"], e["PVBOOT_DISK"].endswith("mbr64.img"),
      int(e["PVBOOT_STAGE_LAUNCH_USEC"]) > 0, float(e["PVBOOT_DURATION_SEC"]) > 0, "for domain" in e["MESSAGE"],
      e["MESSAGE_ID"])
' "$work/journal.json" 2>&1)
[ "$got" = "7 ok x86_64 True True True True 2134ac4d04d74ae590d7f2f781887593" ] && ok journal-fields ||
        bad journal-fields "$got"
[ -n "${jpid:-}" ] && kill "$jpid" 2>/dev/null

# 12. The daemon killed outright (no cleanup of its own): its appliances
#     still die, through PDEATHSIG (worker and qemu).
start_daemon "$daemon" --pool-size=2
wait_prop PoolReady 2
kill -9 "$dpid"
wait "$dpid" 2>/dev/null
dpid=
for i in $(seq 50); do [ -z "$(daemon_qemus)" ] && break; sleep 0.2; done
[ -z "$(daemon_qemus)" ] && ok daemon-killed-no-orphans || bad daemon-killed-no-orphans "left: $(daemon_qemus)"

done_testing
