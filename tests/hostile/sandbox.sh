#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# sandbox.sh REPORT KEEP_DIR COMMAND...
#
# Runs COMMAND in a PID namespace of its own with private, empty /tmp,
# /var/tmp and /dev/shm, so that what the command leaves behind can be
# told exactly even while other test runs share the machine.  Only one
# host directory shows through: KEEP_DIR (under /tmp: the case's disk).
# Nothing else may be written: no appliance cache of any uid (clones start
# from root's read-only template, which lives elsewhere).
#
# When COMMAND has exited, REPORT (inside KEEP_DIR) gets one line per
#   process PID CMDLINE    process of the namespace still alive
#   file PATH              anything left in /tmp, /var/tmp or /dev/shm
# and nothing when the run was clean.  Exit status: COMMAND's.  Whatever is
# left dies with the namespace, so a leak never outlives the case.
set -euo pipefail

if [ "${1:-}" != --inside ]; then
        exec unshare --mount --pid --fork --mount-proc --propagation private "$0" --inside "$@"
fi
shift
report=$1 keep=$2
shift 2
case $keep in /tmp/?*) ;; *) echo "sandbox.sh: KEEP_DIR must be under /tmp" >&2; exit 2 ;; esac

# Hold the host directory open while /tmp, /var/tmp and /dev/shm
# are replaced, then bind them back at their old paths from those
# descriptors (the kernel follows /proc/self/fd/N to the directory;
# mount(8) must not turn it back into the path, now hidden).
# SANDBOX_KEEP_RO (colon-separated directories under /tmp, e.g. a build
# tree cloned there) is bound back the same way, read-only.
exec 8<"$keep"
ro_dirs=() ro_fds=() prune=(-path "${keep%/}")
IFS=: read -r -a want_ro <<<"${SANDBOX_KEEP_RO:-}"
for d in "${want_ro[@]}"; do
        case $d in /tmp/?*) ;; *) continue ;; esac
        exec {fd}<"$d"
        ro_dirs+=("$d") ro_fds+=("$fd")
        t=${d#/tmp/}
        prune+=(-o -path "/tmp/${t%%/*}")
done
for d in /tmp /var/tmp /dev/shm; do
        mount -t tmpfs -o mode=1777 tmpfs "$d"
done
mkdir -p "$keep"
mount --no-canonicalize --bind /proc/self/fd/8 "$keep"
exec 8<&-
for i in "${!ro_dirs[@]}"; do
        mkdir -p "${ro_dirs[$i]}"
        mount --no-canonicalize --bind "/proc/self/fd/${ro_fds[$i]}" "${ro_dirs[$i]}"
        mount -o remount,bind,ro "${ro_dirs[$i]}"
        exec {ro_fds[$i]}<&-
done

rc=0
"$@" || rc=$?

# Processes: everything in the namespace but us (PID 1 and the subshell
# that runs this).  Zombies are dead already.  A process that is just
# dying gets three seconds.
leftover_processes() {
        local p stat state
        for p in /proc/[0-9]*; do
                p=${p#/proc/}
                [ "$p" != 1 ] && [ "$p" != "$BASHPID" ] || continue
                read -r stat <"/proc/$p/stat" 2>/dev/null || continue
                state=${stat##*) }
                [ "${state%% *}" != Z ] || continue
                echo "process $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
        done
}
for i in 1 2 3 4; do
        left=$(leftover_processes)
        [ -n "$left" ] && [ $i -lt 4 ] || break
        sleep 1
done

top=${keep#/tmp/}
top=/tmp/${top%%/*}
{
        [ -z "$left" ] || echo "$left"
        find /tmp /var/tmp /dev/shm -mindepth 1 \( -path "$top" -o "${prune[@]}" \) -prune -o -printf 'file %p\n'
} >"$report"
exit $rc
