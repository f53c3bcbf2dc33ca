#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The e2e's measurements of the real appliance inside dom0 (bash
# tests/e2e/run.sh; dom0-init.sh runs this): does a restored appliance
# clone run here, under qemu TCG in a Xen PV dom0 that is itself under
# qemu TCG, and how fast?  Everything is reported on the console as
# E2E-LIVE|what|rc|seconds|detail lines, with memory as
# E2E-LIVE-MEM|what|MemAvailable min MiB|Shmem max MiB|qemu VmHWM max MiB.
#
#   dom0-live.sh before   environment, the imported template's key,
#                         restamped and verified, two cold decisions
#   dom0-live.sh after    (after the xl create scenarios) the template
#                         built here from scratch, bounded, and a decision
#                         with it if it was built
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
disk=/e2e/pv64.img
build_secs=$(cat /e2e/live-build-secs 2>/dev/null || echo 0)

now() { local t=${EPOCHREALTIME/./}; echo $((t / 10000)); }  # centiseconds
secs() { local d=$(( $(now) - $1 )); printf '%d.%02d' $((d / 100)) $((d % 100)); }

# Memory while a step runs, sampled with shell builtins only (every exec
# is a retranslation under TCG): the lowest MemAvailable, the highest
# Shmem (the template's sealed memfd lives there) and the highest VmHWM
# of any qemu.
sampler() {
        local minav=999999999 maxsh=0 maxhwm=0 k v comm d
        while :; do
                while read -r k v _; do
                        case $k in
                        MemAvailable:) [ "$v" -lt "$minav" ] && minav=$v ;;
                        Shmem:) [ "$v" -gt "$maxsh" ] && maxsh=$v ;;
                        esac
                done </proc/meminfo
                for d in /proc/[0-9]*; do
                        read -r comm <"$d/comm" 2>/dev/null || continue
                        [ "$comm" = qemu-system-x86 ] || continue
                        while read -r k v _; do
                                [ "$k" = VmHWM: ] && [ "$v" -gt "$maxhwm" ] && maxhwm=$v
                        done <"$d/status" 2>/dev/null
                done
                echo "$((minav / 1024))|$((maxsh / 1024))|$((maxhwm / 1024))" >"$1"
                sleep 3
        done
}
# Each line with the seconds since $1 (builtins only: no fork per line).
stamp() {
        local l t
        while IFS= read -r l; do
                t=$(( ${EPOCHREALTIME/./} / 10000 - $1 ))
                printf '%d.%02d %s\n' $((t / 100)) $((t % 100)) "$l"
        done
}
# measure [--stamp] NAME COMMAND...: run it with the sampler, its output
# in /e2e/live-NAME.log (--stamp: each line with its time); E2E-LIVE and
# E2E-LIVE-MEM lines.
measure() {
        local stamped= name t0 rc pid
        [ "$1" = --stamp ] && { stamped=1; shift; }
        name=$1
        shift
        sampler "/run/live-mem-$name" &
        pid=$!
        t0=$(now)
        if [ -n "$stamped" ]; then
                "$@" 2>&1 | stamp "$t0" >"/e2e/live-$name.log"
                rc=${PIPESTATUS[0]}
        else
                "$@" >"/e2e/live-$name.log" 2>&1
                rc=$?
        fi
        local took
        took=$(secs "$t0")
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        echo "E2E-LIVE|$name|$rc|$took|$(grep -v '^[[:space:]]*$' "/e2e/live-$name.log" | tail -n 1 | tr -d '\r|')"
        echo "E2E-LIVE-MEM|$name|$(cat "/run/live-mem-$name" 2>/dev/null)"
        return $rc
}
# The appliance's and template's files: allocated KiB, size, name.
sizes() {
        (cd /var/cache/pvboot-select && ls -ls appliance template) | grep -v '^total\|^$\|:$' |
                awk -v w="$1" '{ print "E2E-LIVE-SIZE|" w "|" $NF "|" $1 " KiB allocated|" $6 " bytes" }'
}
show() { tr -d '\r' <"/e2e/live-$1.log" | tail -n "${2:-40}" | sed "s/^/E2E-LOG live $1: /"; }

case "$1" in
before)
        echo "E2E-LIVE-ENV|kvm=$([ -e /dev/kvm ] && echo present || echo absent)|cpus=$(nproc)|$(grep -E '^(MemTotal|MemAvailable):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"
        echo "E2E-LIVE-ENV|$(qemu-system-x86_64 --version | head -n 1)|kernel $(uname -r)|appliance kernel $(file -b /var/cache/pvboot-select/appliance/kernel | grep -o 'version [^ ]*')"
        # The template came from the outer machine (a chroot of this very
        # image): its key, the one dom0 computes, and the parts that differ.
        /e2e/template-restamp text >/e2e/template-key.inner
        echo "E2E-LIVE-KEY|meta $(sed -n 's/^key //p' /var/cache/pvboot-select/template/meta)|dom0 $(sha256sum </e2e/template-key.inner | cut -c1-64)"
        diff /e2e/template-key.outer /e2e/template-key.inner | grep '^[<>]' | sed 's/^/E2E-LIVE-KEYDIFF|/'
        /e2e/template-restamp restamp >/dev/null
        sizes imported
        # What one qemu start costs here (its 18 MB binary and libraries
        # under Xen PV, under TCG), with no guest at all.
        measure qemu-version qemu-system-x86_64 --version
        # Verify only (no rebuild: it is fresh now): owner, modes, every
        # digest, and the RAM loaded into the sealed memfd.
        measure verify pvboot-select template
        show verify 5
        # Two cold decisions (no daemon here): a clone restored, the disk
        # hot-plugged, the agent asked; stage times in the JSON.
        for i in 1 2; do
                measure "decision-$i" pvboot-select inspect --json "$disk"
                tr -d '\n ' <"/e2e/live-decision-$i.log" | grep -o '"arch":"[^"]*"\|"timing":{[^}]*}\|"error":"[^"]*"' |
                        sed "s/^/E2E-LIVE-JSON|decision-$i|/"
                show "decision-$i" 12
        done
        ;;
after)
        [ "$build_secs" != 0 ] || exit 0
        # The template built from scratch in dom0 (supermin's appliance,
        # then one full appliance boot under TCG-in-TCG), bounded.
        measure --stamp build timeout "$build_secs" pvboot-select template --force --debug
        rc=$?
        show build 60
        sizes built
        if [ "$rc" = 0 ]; then
                measure decision-built pvboot-select inspect --json "$disk"
                tr -d '\n ' <"/e2e/live-decision-built.log" | grep -o '"arch":"[^"]*"\|"timing":{[^}]*}\|"error":"[^"]*"' |
                        sed "s/^/E2E-LIVE-JSON|decision-built|/"
        fi
        ;;
esac
