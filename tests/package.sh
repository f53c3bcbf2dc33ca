#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# package.sh SOURCE_ROOT LIBXL_RUN
#
# What an admin does with the Debian package (issue 17), checked step by
# step, each check a TAP result (tests/lib.sh):
#
#  1. dpkg-buildpackage -us -uc -b in a copy of the tree (never in it), and
#     lintian on the result: no error, no warning.
#  2. A fresh Debian 12 root: debootstrap --variant=minbase plus Xen's
#     tools (xen-utils-4.17, so that Xen's private bin dir exists as on a
#     dom0), cached in /var/cache/pvboot-select-tests/package-root/base and
#     mounted per run as the lower layer of an overlay, so the cache stays
#     clean (downloaded packages are kept in .../archives, so a rerun
#     installs everything again without fetching it again).
#  3. apt-get install of the .deb there (--no-install-recommends: our
#     Depends alone must make it work; plus dbus, which we only recommend),
#     as root in a chroot with /proc, /sys, /dev, a fresh /run and /tmp:
#     the postinst makes the user (sysusers.d), /run/pvboot-select
#     (tmpfiles.d) and builds the appliance template (supermin and qemu TCG,
#     inside the chroot).
#  4. A decision exactly as libxl makes it for bootloader = "pvboot-select":
#     tests/libxl-run --libexec-dir=/usr/lib/xen-4.17/bin looks the name up
#     as libxl_bootloader.c does (Xen's dir, then execvp on PATH) and runs
#     it with libxl's argv, pty and output file, on a disk from
#     tests/mkdisk.sh; the cold path, no daemon running.
#  5. The system bus of the chroot (dbus-daemon --system, no systemd), a
#     message that may start org.pvbootselect1, and the daemon started by
#     bus activation (the launch helper runs org.pvbootselect1.service's
#     Exec=, pvboot-selectd-start), as its user with CAP_SETUID/CAP_SETGID
#     only; then a decision answered by a warm clone of its pool.
#     What this cannot show: the systemd path (SystemdService=, the unit's
#     sandbox), since no systemd runs as PID 1 in a chroot.
#  5b. apt-get install of the next version while decisions run back to
#     back: each is right or fails cleanly, the old daemon is gone, the
#     new one is started by the bus and answers warm.
#  6. apt-get purge, then nothing of ours: no file of the package, no
#     /var/cache/pvboot-select, no /run/pvboot-select, no user or group, no
#     file owned by a uid that no longer exists, no process, no systemd
#     state.  xenstore records cannot be checked: there is no Xen here.
#
# Everything runs in a mount and PID namespace of its own: killing its
# first process ends every process started in the chroot (daemons, qemu),
# and the mounts vanish with it.  Root only; about 5 minutes with the
# caches, plus 3 for the first debootstrap and downloads.  The appliance
# runs under TCG and takes uids from the clone range: run it serialized
# with the other appliance suites.
set -uo pipefail
src=$1
libxl_run=$2
. "$(dirname "$0")/lib.sh"

cache=${PVBOOT_PACKAGE_CACHE:-/var/cache/pvboot-select-tests/package-root}
mirror=${PVBOOT_PACKAGE_MIRROR:-http://deb.debian.org/debian}
root_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
xen_bin=/usr/lib/xen-4.17/bin
clone_uid_base=196608 clone_uid_count=256

require_root "debootstrap, chroot and mounts"
require_tools debootstrap dpkg-buildpackage dpkg-checkbuilddeps lintian unshare nsenter chroot \
        grub-mkimage mkfs.ext4 sfdisk
make_work package

# Timing of each step, printed as TAP comments at the end.
timings=()
_t=$(date +%s)
lap() {
        local now
        now=$(date +%s)
        timings+=("$1 $((now - _t)) s")
        _t=$now
}
# A failed step that the rest depends on: its result, then the plan.
fatal() {
        bad "$@"
        done_testing
}
# A line of evidence for the reader of the TAP stream (a comment).
note() { printf '# %s\n' "$@" >&3; }
# Retries for the mirror: a flaky index or download must not fail the run.
retry() {
        local i
        for i in 1 2 3; do
                "$@" && return 0
                sleep $((i * 10))
        done
        return 1
}

# --- 1. The package ------------------------------------------------------------
copy=$work/src/pvboot-select
mkdir -p "$copy"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$src" ls-files -co --exclude-standard | while IFS= read -r f; do
                [ -e "$src/$f" ] && printf '%s\0' "$f"
        done | tar -C "$src" --null -T - -cf - | tar -xf - -C "$copy"
else
        tar -C "$src" --exclude='./build' --exclude='./build-*' --exclude='./obj-*' -cf - . | tar -xf - -C "$copy"
fi
missing=$(cd "$copy" && dpkg-checkbuilddeps 2>&1) ||
        skip_all "build dependencies missing (tools/install-deps.sh installs them): ${missing#*: }"
if (cd "$copy" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
        ok deb-build
else
        fatal deb-build "dpkg-buildpackage failed:" "$(tail -15 "$work/build.log")"
fi
deb=$(ls "$work"/src/pvboot-select_*_amd64.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fatal deb-found "no pvboot-select_*_amd64.deb in $work/src"
lap "dpkg-buildpackage"
if lintian --fail-on error,warning "$work"/src/*.changes >"$work/lintian.log" 2>&1; then
        ok lintian-clean
else
        bad lintian-clean "$(grep -v 'running with root privileges' "$work/lintian.log" | head -20)"
fi
lap "lintian"
# The same source one version on, for an upgrade while decisions run (5b).
copy2=$work/src2/pvboot-select
mkdir -p "$copy2"
cp -a "$copy/." "$copy2/"
sed -i '1s/^pvboot-select (\([^)]*\))/pvboot-select (\1+upgrade1)/' "$copy2/debian/changelog"
(cd "$copy2" && dpkg-buildpackage -us -uc -b) >"$work/build2.log" 2>&1 ||
        fatal deb-build-upgrade "dpkg-buildpackage of the next version failed:" "$(tail -15 "$work/build2.log")"
deb2=$(ls "$work"/src2/pvboot-select_*+upgrade1_amd64.deb 2>/dev/null | head -n 1)
[ -n "$deb2" ] || fatal deb-found-upgrade "no pvboot-select_*+upgrade1_amd64.deb in $work/src2"
lap "dpkg-buildpackage (next version)"

# --- 2. A fresh Debian 12 root ---------------------------------------------------
if [ ! -f "$cache/base.done" ]; then
        mkdir -p "$cache"
        built=
        for i in 1 2 3; do
                rm -rf "$cache/base.tmp"
                if debootstrap --variant=minbase --include=xen-utils-4.17 bookworm "$cache/base.tmp" "$mirror" \
                        >"$cache/debootstrap.log" 2>&1; then
                        built=1
                        break
                fi
                sleep $((i * 10))
        done
        [ -n "$built" ] || fatal base-root "debootstrap failed 3 times:" "$(tail -5 "$cache/debootstrap.log")"
        # A Debian 12 host's sources (the .deb was built against updates
        # and security fixes), and no service started by a maintainer
        # script in the chroot (we start the bus ourselves).
        cat >"$cache/base.tmp/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
        printf '#!/bin/sh\nexit 101\n' >"$cache/base.tmp/usr/sbin/policy-rc.d"
        chmod 0755 "$cache/base.tmp/usr/sbin/policy-rc.d"
        rm -rf "$cache/base"
        mv "$cache/base.tmp" "$cache/base"
        touch "$cache/base.done"
        lap "debootstrap (first run only)"
fi
mkdir -p "$cache/archives/partial"

# The namespace: its first process reaps orphans as an init does (a
# daemon the bus started is one once it runs); nsenter runs the rest in it.
root=$work/root
mkdir -p "$root" "$work/upper" "$work/overlay-work"
unshare --mount --propagation private --pid --fork python3 -c '
import os, time
while True:
    try:
        os.wait()
    except ChildProcessError:
        time.sleep(0.2)' 2>/dev/null &
holder=$!
nspid=
for _ in $(seq 50); do
        nspid=$(awk '{print $1}' "/proc/$holder/task/$holder/children" 2>/dev/null)
        [ -n "$nspid" ] && break
        sleep 0.1
done
[ -n "$nspid" ] || fatal namespace "unshare did not start"
on_exit "kill -KILL $nspid 2>/dev/null; wait $holder 2>/dev/null"
ns() { nsenter -t "$nspid" -m -p -- "$@"; }
inroot() {
        ns chroot "$root" /usr/bin/env -i PATH="$root_path" HOME=/root LANG=C.UTF-8 \
                DEBIAN_FRONTEND=noninteractive "$@"
}
ns sh -ec '
        r=$1 c=$2 w=$3
        mount -t overlay overlay -o "lowerdir=$c/base,upperdir=$w/upper,workdir=$w/overlay-work" "$r"
        mount -t proc proc "$r/proc"
        mount --rbind /sys "$r/sys"
        mount --rbind /dev "$r/dev"
        mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$r/run"
        mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$r/tmp"
        mount --bind "$c/archives" "$r/var/cache/apt/archives"
        mkdir -p "$r/run/lock" "$r/tmp/pkgtest"
        cp -L /etc/resolv.conf "$r/etc/resolv.conf"' sh "$root" "$cache" "$work" >"$work/mounts.log" 2>&1 ||
        fatal chroot-mounts "$(cat "$work/mounts.log")"
ns test -d "$root$xen_bin" || fatal xen-tools-in-root "no $xen_bin in the base root"

# The guest disk and libxl-run, into the chroot's /tmp.
# (and an LVM one: the Depends alone must read every layout we support)
for l in mbr64 lvm-sepboot64; do
        bash "$tests_dir/mkdisk.sh" $l "$work/$l.img" "$work/mk-$l" >"$work/mkdisk.log" 2>&1 ||
                fatal guest-disk "mkdisk.sh $l failed: $(tail -3 "$work/mkdisk.log")"
done
ns cp "$work/mbr64.img" "$work/lvm-sepboot64.img" "$libxl_run" "$deb" "$deb2" "$root/tmp/pkgtest/" ||
        fatal copy-into-root "cp failed"
debname=$(basename "$deb")
lap "root, mounts, guest disk"

# --- 3. Install ------------------------------------------------------------------
# apt-get update: retried; an index that still fails leaves the lists the
# base has, which may well do.
retry inroot apt-get update -q >"$work/apt-update.log" 2>&1 ||
        echo "package: apt-get update kept failing; going on with the lists the root has"
if retry inroot apt-get install -y -q --no-install-recommends "/tmp/pkgtest/$debname" dbus \
        >"$work/install.log" 2>&1; then
        ok apt-install
else
        fatal apt-install "$(tail -15 "$work/install.log")"
fi
lap "apt-get install (with the postinst's template)"
if grep -q "pvboot-select: building the appliance template" "$work/install.log" &&
   ! grep -q "pvboot-select: the appliance template could not be built" "$work/install.log" &&
   ns test -s "$root/var/cache/pvboot-select/template/meta"; then
        ok template-built-by-postinst
else
        bad template-built-by-postinst "$(grep 'pvboot-select:' "$work/install.log" | tail -5)"
fi
uid=$(inroot getent passwd pvboot-select | cut -d: -f3)
if [ -n "$uid" ] && [ "$(inroot getent passwd pvboot-select | cut -d: -f5-7)" = \
        "pvboot-select disk inspection:/nonexistent:/usr/sbin/nologin" ]; then
        ok sysusers-user
else
        bad sysusers-user "pvboot-select user: $(inroot getent passwd pvboot-select)"
fi
runowner=$(inroot stat -c '%U %a' /run/pvboot-select/clone-uids 2>&1)
[ "$runowner" = "pvboot-select 755" ] && ok tmpfiles-run-dir || bad tmpfiles-run-dir "/run/pvboot-select/clone-uids: $runowner"
ns test ! -e "$root$xen_bin/pvboot-select" && ok nothing-in-xen-bin-dir ||
        bad nothing-in-xen-bin-dir "$xen_bin/pvboot-select exists"

# --- 4. A decision as libxl makes it (cold: no bus yet) --------------------------
decide() {      # decide NAME [DISK]: libxl-run on the guest disk (mbr64), log in $work/NAME.log
        ns chroot "$root" /usr/bin/env -i PATH="$root_path" \
                "/tmp/pkgtest/$(basename "$libxl_run")" --libexec-dir="$xen_bin" \
                --expect-stage1=/usr/lib/grub-xen/grub-x86_64-xen.bin \
                pvboot-select "/tmp/pkgtest/${2:-mbr64}.img" -v >"$work/$1.log" 2>&1
}
if decide cold && grep -q "^bootloader: pvboot-select, run from PATH: nothing at $xen_bin/pvboot-select" "$work/cold.log" &&
   grep -q "found x86_64 pvboot ELF" "$work/cold.log" && grep -q "inspecting here (cold path)" "$work/cold.log"; then
        ok decision-as-libxl-cold
else
        bad decision-as-libxl-cold "$(tail -12 "$work/cold.log")"
fi
note "cold: $(grep -m1 '^bootloader:' "$work/cold.log")" \
        "cold: $(grep -m1 'pvboot-select: found' "$work/cold.log" | tr -d '\r')"
wuid=$(sed -n 's/.*worker: inspected as uid \([0-9]*\).*/\1/p' "$work/cold.log" | head -n 1)
if [ -n "$wuid" ] && [ "$wuid" -ge $clone_uid_base ] && [ "$wuid" -lt $((clone_uid_base + clone_uid_count)) ]; then
        ok cold-worker-clone-uid
else
        bad cold-worker-clone-uid "worker uid '${wuid}': $(grep 'worker:' "$work/cold.log" | head -2)"
fi
if decide cold-lvm lvm-sepboot64 && grep -q "found x86_64 pvboot ELF .*vg" "$work/cold-lvm.log"; then
        ok decision-lvm-cold
else
        bad decision-lvm-cold "$(grep 'pvboot-select' "$work/cold-lvm.log" | tail -6)"
fi
lap "cold decision"

# --- 5. The daemon by bus activation ----------------------------------------------
inroot sh -c 'mkdir -p /run/dbus && chown messagebus:messagebus /run/dbus && dbus-daemon --system' \
        >"$work/bus.log" 2>&1 || fatal system-bus "$(cat "$work/bus.log")"
busctl_() { inroot busctl --system "$@"; }
prop() { busctl_ --auto-start=no get-property org.pvbootselect1 /org/pvbootselect1 org.pvbootselect1.Manager "$1" 2>/dev/null | awk '{print $2}'; }
# The one message that may start the service (busctl's default); the bus
# gives the start 25 s, then we wait for the name without asking again.
busctl_ get-property org.pvbootselect1 /org/pvbootselect1 org.pvbootselect1.Manager PoolSize \
        >"$work/activation.log" 2>&1
for _ in $(seq 180); do [ -n "$(prop PoolSize)" ] && break; sleep 1; done
dpid=$(busctl_ call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
        GetConnectionUnixProcessID s org.pvbootselect1 2>/dev/null | awk '{print $2}')
if [ -n "$dpid" ] && [ "$(ns readlink "$root/proc/$dpid/exe")" = "$root/usr/sbin/pvboot-selectd" ]; then
        ok bus-activation
else
        bad bus-activation "nobody owns org.pvbootselect1 after a start request: $(cat "$work/activation.log")"
fi
status=$(ns cat "$root/proc/${dpid:-0}/status" 2>/dev/null)
field() { awk -v k="$1:" '$1 == k {print $2}' <<<"$status"; }
if [ "$(field Uid)" = "$uid" ] && [ "$(field CapEff)" = 00000000000000c0 ] && [ "$(field CapBnd)" = 00000000000000c0 ] &&
   [ "$(field CapAmb)" = 00000000000000c0 ] && [ "$(field NoNewPrivs)" = 1 ]; then
        ok daemon-user-and-caps
else
        bad daemon-user-and-caps "$(grep -E '^(Uid|Cap|NoNewPrivs)' <<<"$status")"
fi
# The starter's private /tmp of 256 MiB and no network (only lo).
if ns grep -q " /tmp .* tmpfs .*size=262144k" "$root/proc/${dpid:-0}/mountinfo" 2>/dev/null &&
   [ "$(ns awk -F: 'NR > 2 {print $1}' "$root/proc/${dpid:-0}/net/dev" 2>/dev/null | xargs)" = lo ]; then
        ok daemon-private-tmp-no-network
else
        bad daemon-private-tmp-no-network "$(ns grep ' /tmp ' "$root/proc/${dpid:-0}/mountinfo" 2>&1)"
fi
note "daemon: pid $dpid, $(grep -E '^(Uid|CapEff|NoNewPrivs):' <<<"$status" | tr -s '\t ' ' ' | xargs)"
for _ in $(seq 240); do [ "$(prop PoolReady)" -ge 1 ] 2>/dev/null && break; sleep 1; done
lap "bus activation, pool"
if decide warm && grep -q "answered by a warm appliance" "$work/warm.log"; then
        ok decision-as-libxl-warm
else
        bad decision-as-libxl-warm "PoolReady $(prop PoolReady): $(tail -12 "$work/warm.log")"
fi
note "warm: $(grep -m1 'daemon: request' "$work/warm.log" | tr -d '\r' | xargs)"
lap "warm decision"

# --- 5b. An upgrade while decisions are in flight ----------------------------------
# Decisions back to back (the disk touched each time, so the cache cannot
# answer) while apt-get installs the next version: its prerm stops the
# bus-started daemon mid-stream.  Each must give the right stage 1, or
# fail cleanly (libxl-run: a pvboot-select line, nothing in the output
# directory or file); afterwards the old daemon is gone, nothing runs a
# deleted binary, and the next decision starts the new daemon by bus
# activation.
olddpid=$dpid
(
        n=0
        while [ ! -e "$work/upgrade.stop" ] && [ $n -lt 200 ]; do
                n=$((n + 1))
                ns touch "$root/tmp/pkgtest/mbr64.img"
                ns chroot "$root" /usr/bin/env -i PATH="$root_path" \
                        "/tmp/pkgtest/$(basename "$libxl_run")" --libexec-dir="$xen_bin" \
                        --expect-stage1=/usr/lib/grub-xen/grub-x86_64-xen.bin --expect-fail="pvboot-select: " \
                        pvboot-select /tmp/pkgtest/mbr64.img -v >"$work/upgrade-$n.log" 2>&1
                echo "$n $?" >>"$work/upgrade.results"
        done
) &
loop=$!
sleep 1         # a decision is under way
if retry inroot apt-get install -y -q --no-install-recommends "/tmp/pkgtest/$(basename "$deb2")" \
        >"$work/upgrade.log" 2>&1 &&
   [ "$(inroot dpkg-query -W -f='${Version}' pvboot-select)" = "$(inroot dpkg-deb -f "/tmp/pkgtest/$(basename "$deb2")" Version)" ]; then
        ok apt-upgrade
else
        bad apt-upgrade "$(grep -v '^(Reading database' "$work/upgrade.log" | tail -10)"
fi
sleep 2         # and decisions after it, against no daemon (cold) or a new one
touch "$work/upgrade.stop"
wait "$loop"
runs=$(wc -l <"$work/upgrade.results")
badruns=$(awk '$2 != 0 { print $1 }' "$work/upgrade.results" | xargs)
ans() { grep -l "$1" $(awk '$2 == 0 { printf "%s/upgrade-%s.log ", w, $1 }' w="$work" "$work/upgrade.results") 2>/dev/null | wc -l; }
if [ "$runs" -ge 2 ] && [ -z "$badruns" ]; then
        ok upgrade-decisions-whole
else
        bad upgrade-decisions-whole "$runs decisions, wrong or unclean: ${badruns:-none}" \
                "$(for b in $badruns; do grep -E '^FAIL|pvboot-select: ' "$work/upgrade-$b.log" | tail -3; done | head -12)"
fi
note "upgrade: $runs decisions while apt-get installed the next version: $(ans 'OK: failed as expected') failed cleanly," \
        "$(ans 'answered by a warm appliance') warm, $(ans 'inspecting here (cold path)') cold"
leftover=$(ns sh -c 'for e in "$1"/proc/[0-9]*/exe; do l=$(readlink "$e" 2>/dev/null) || continue
                case "$l" in *"(deleted)"*) case "$l" in */pvboot*|*qemu*) echo "$e -> $l" ;; esac ;; esac; done' sh "$root")
if [ -n "$olddpid" ] && ! ns test -e "$root/proc/$olddpid" && [ -z "$leftover" ]; then
        ok upgrade-old-daemon-gone
else
        bad upgrade-old-daemon-gone "old daemon $olddpid $(ns test -e "$root/proc/$olddpid" && echo alive); $leftover"
fi
busctl_ get-property org.pvbootselect1 /org/pvbootselect1 org.pvbootselect1.Manager PoolSize >/dev/null 2>&1
for _ in $(seq 120); do [ "$(prop PoolReady)" -ge 1 ] 2>/dev/null && break; sleep 1; done
if decide after-upgrade && grep -q "answered by a warm appliance" "$work/after-upgrade.log"; then
        ok upgraded-daemon-warm
else
        bad upgraded-daemon-warm "PoolReady $(prop PoolReady): $(tail -8 "$work/after-upgrade.log")"
fi
lap "upgrade in flight"

# --- 6. Purge: nothing of ours is left ---------------------------------------------
inroot dpkg-query -L pvboot-select >"$work/files" 2>&1
if inroot apt-get purge -y -q pvboot-select >"$work/purge.log" 2>&1; then
        ok apt-purge
else
        bad apt-purge "$(grep -v '^(Reading database' "$work/purge.log" | tail -10)"
fi
lap "apt-get purge"
pkgstatus=$(inroot dpkg-query -W -f='${db:Status-Abbrev}' pvboot-select 2>/dev/null)
case "$pkgstatus" in
"" | un*) ok dpkg-forgot-package ;;
*) bad dpkg-forgot-package "dpkg still has pvboot-select: $pkgstatus" ;;
esac
# Every path the package had: gone, or a directory another package owns.
left=$(while IFS= read -r p; do
        [ -n "$p" ] && [ "$p" != /. ] || continue
        ns test -e "$root$p" -o -L "$root$p" || continue
        # (a directory, or on merged /usr a link to one, such as /lib)
        if ns test -d "$root$p" && inroot dpkg-query -S "$p" >/dev/null 2>&1; then
                continue
        fi
        echo "$p"
done <"$work/files")
[ -z "$left" ] && [ -s "$work/files" ] && ok no-package-files-left || bad no-package-files-left "left: ${left:-(no file list)}"
ns test ! -e "$root/var/cache/pvboot-select" && ok cache-removed || bad cache-removed "/var/cache/pvboot-select is left"
ns test ! -e "$root/run/pvboot-select" && ok run-dir-removed || bad run-dir-removed "/run/pvboot-select is left"
if ! inroot getent passwd pvboot-select >/dev/null && ! inroot getent group pvboot-select >/dev/null; then
        ok user-removed
else
        bad user-removed "$(inroot getent passwd pvboot-select) $(inroot getent group pvboot-select)" \
                "$(grep 'is kept' "$work/purge.log")"
fi
# No file of a uid or gid that no longer exists (ours, or a clone's).
orphans=$(inroot find / /run /tmp -xdev \( -nouser -o -nogroup \) -print 2>/dev/null | head -n 5)
[ -z "$orphans" ] && ok no-orphaned-files || bad no-orphaned-files "$orphans"
# No process of ours: the prerm stopped the bus-started daemon, and with
# it its clones (their uids are the range's).
procs=$(ns sh -c 'for s in "$1"/proc/[0-9]*/status; do
                u=$(awk "/^Uid:/ {print \$2}" "$s" 2>/dev/null)
                n=$(awk "/^Name:/ {print \$2}" "$s" 2>/dev/null)
                case "$n" in pvboot-select*|qemu*) echo "$n uid $u"; continue ;; esac
                [ -n "$u" ] && { [ "$u" = "$2" ] || { [ "$u" -ge "$3" ] && [ "$u" -lt "$4" ]; }; } && echo "$n uid $u"
        done' sh "$root" "$uid" $clone_uid_base $((clone_uid_base + clone_uid_count)) 2>/dev/null)
[ -z "$procs" ] && ok no-processes-left || bad no-processes-left "$procs"
sysd=$(inroot find /etc/systemd /var/lib/systemd -name '*pvboot*' 2>/dev/null)
[ -z "$sysd" ] && ok no-systemd-state-left || bad no-systemd-state-left "$sysd"
skip xenstore-records-removed "no Xen here: the postrm removes /local/domain/0/pvboot-select with xenstore-rm in dom0 only"
lap "checks after purge"

for t in "${timings[@]}"; do echo "# time: $t" >&3; done
done_testing
