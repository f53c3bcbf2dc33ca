#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# PID 1 of the emulated dom0 (tests/e2e/run.sh): bring up the Xen tools,
# run every scenario with plain `xl create`, report on the console, and
# switch the machine off through qemu's isa-debug-exit port.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback loop; do
        modprobe "$m" 2>/dev/null
done
mount -t xenfs xenfs /proc/xen
mkdir -p /var/log/xen/console /var/lib/xen /run/xen
/etc/init.d/xen start

# The xenstore janitor, as pvboot-select-xenstore.service runs it: root
# with an empty bounding set (CapabilityBoundingSet=), so no capability
# once it execs, and no new privileges.  It reaches xenstore and privcmd
# by their files' permissions alone.
setpriv --bounding-set=-all --inh-caps=-all --ambient-caps=-all --no-new-privs \
        /usr/sbin/pvboot-selectd --xenstore-janitor >/e2e/janitor.log 2>&1 &
janitor=$!

# What pvboot-select recorded for domain $1: arch|outcome|uuid, or (none)||.
xs_record() {
        xs=/local/domain/0/pvboot-select/$1
        if [ -n "$1" ] && xenstore-exists "$xs" 2>/dev/null; then
                echo "$(xenstore-read "$xs/arch" 2>&1)|$(xenstore-read "$xs/outcome" 2>&1)|$(xenstore-read "$xs/uuid" 2>&1)"
        else
                echo "(none)||"
        fi
}
# The uuid xl shows for domain $1 (the hypervisor's handle for it).
xl_uuid() {
        xl list -v "$1" 2>/dev/null | grep -o '[0-9a-f]\{8\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{4\}-[0-9a-f]\{12\}' | head -n 1
}
# Wait for guest $1 to go away (its marker image powers off), then make sure.
wait_gone() {   # wait_gone NAME [SECONDS]: until it powers off, or destroy it
        i=0
        while xl list "$1" >/dev/null 2>&1 && [ $i -lt "${2:-240}" ]; do sleep 1; i=$((i + 1)); done
        xl destroy "$1" >/dev/null 2>&1
}
# Wait (30 s at most) for the record of domid $1 to go: the janitor's work.
wait_record_gone() {
        i=0
        while [ -n "$1" ] && xenstore-exists "/local/domain/0/pvboot-select/$1" 2>/dev/null && [ $i -lt 30 ]; do
                sleep 1
                i=$((i + 1))
        done
}
# Guest $1's verdict: its marker on the console, or what its bootloader
# (log $3) said; seconds since $2; and the logs behind it.
report() {
        console="/var/log/xen/console/guest-$1.log"
        if [ -f "$console" ] && grep -q "pvboot-e2e-marker:" "$console"; then
                seen=$(grep -o "pvboot-e2e-marker:[^\"]*" "$console" | head -n 1 | tr -d '\r')
        else
                seen="no marker; bootloader said: $(grep 'pvboot-select: ' "$3" 2>/dev/null | grep -v '^pvboot-select:   ' | tail -n 1 | tr -d '\r')"
        fi
        echo "E2E-RESULT|$1|$seen|$(( $(date +%s) - $2 ))"
        sed "s/^/E2E-LOG $1 bootloader: /" "$3" 2>/dev/null | tr -d '\r' | tail -n 60
        sed "s/^/E2E-LOG $1 xl: /" "/e2e/$1.xl.log" | tail -n 10
        [ -f "$console" ] && tr -d '\r' <"$console" | sed "s/^/E2E-LOG $1 console: /" | tail -n 10
}

echo "E2E-BEGIN"
echo "E2E-CAPS $(xl info | sed -n 's/^xen_caps *: //p')"
# The real appliance here, measured (dom0-live.sh) before the xl create
# scenarios, which all go through it, and after them.
bash /e2e/live.sh before
while read -r name; do
        [ -n "$name" ] || continue
        start=$(date +%s)
        # Per-scenario environment for xl (restrict mode on Xen 4.17).
        env $(cat "/e2e/$name.env" 2>/dev/null) xl create "/e2e/$name.cfg" >"/e2e/$name.xl.log" 2>&1
        # What pvboot-select recorded for the domain, while it lives, and
        # the uuid xl knows it by.
        domid=$(xl domid "$name" 2>/dev/null)
        [ -n "$domid" ] && echo "E2E-XS|$name|$domid|$(xs_record "$domid")|$(xl_uuid "$name")"
        wait_gone "$name" "$(cat "/e2e/$name.wait" 2>/dev/null || echo 240)"
        bl=$(ls -t /var/log/xen/bootloader.*.log 2>/dev/null | head -n 1)
        report "$name" "$start" "$bl"
        rm -f "$bl"
        # What /e2e/bootloader-facts wrote down, for the scenario that has it.
        if [ -f /run/pvboot-e2e/facts ]; then
                sed "s/^/E2E-FACTS|$name|/" /run/pvboot-e2e/facts
                rm -f /run/pvboot-e2e/facts
        fi
done </e2e/scenarios

# Concurrent start (issue 15, point 5).  concurrent-a's bootloader
# (/e2e/bootloader-held) holds it once pvboot-select has written its
# record and before libxl introduces it to xenstore.  Meanwhile
# concurrent-b's pvboot-select run sweeps, and so does the janitor when
# concurrent-b is released: A's record must survive both, A must boot
# once let go, and its record must go with it.
if [ -f /e2e/concurrent-a.cfg ]; then
        mkdir -p /run/pvboot-e2e
        rm -f /run/pvboot-e2e/held /run/pvboot-e2e/release
        start_a=$(date +%s)
        xl create /e2e/concurrent-a.cfg >/e2e/concurrent-a.xl.log 2>&1 &
        xl_a=$!
        i=0
        while [ ! -e /run/pvboot-e2e/held ] && [ $i -lt 180 ]; do sleep 1; i=$((i + 1)); done
        rc_a=; a=
        [ -e /run/pvboot-e2e/held ] && read -r rc_a a </run/pvboot-e2e/held
        # Not introduced: libxl__build_post writes store/ring-ref just
        # before xs_introduce_domain, and it has not run yet.
        ring=$(xenstore-read "/local/domain/${a:-none}/store/ring-ref" 2>/dev/null || echo absent)
        echo "E2E-XS|concurrent-held|${a:-none}|$(xs_record "$a")|$(xl_uuid concurrent-a)|rc=$rc_a ring-ref=$ring"
        # Sweep 1: another guest's pvboot-select run (it sweeps, then
        # writes its own record).
        start_b=$(date +%s)
        xl create /e2e/concurrent-b.cfg >/e2e/concurrent-b.xl.log 2>&1
        b=$(xl domid concurrent-b 2>/dev/null)
        echo "E2E-XS|concurrent-b|${b:-none}|$(xs_record "$b")|$(xl_uuid concurrent-b)"
        echo "E2E-XS|concurrent-after-run|${a:-none}|$(xs_record "$a")|$(xl_uuid concurrent-a)"
        # Sweep 2: the janitor, woken by B's release (B powers off and xl
        # destroys it).  Nothing else sweeps now: B's record going is the
        # janitor's sweep.
        wait_gone concurrent-b
        wait_record_gone "$b"
        b_rec=$( [ -n "$b" ] && ! xenstore-exists "/local/domain/0/pvboot-select/$b" 2>/dev/null && echo removed || echo kept)
        echo "E2E-XS|concurrent-after-janitor|${a:-none}|$(xs_record "$a")|$(xl_uuid concurrent-a)|b-record=$b_rec"
        report concurrent-b "$start_b" "/var/log/xen/bootloader.$b.log"
        # Let A's bootloader return: libxl builds A, which must boot; once
        # A is gone, so must its record be (the janitor, on its release).
        touch /run/pvboot-e2e/release
        wait "$xl_a"
        wait_gone concurrent-a
        wait_record_gone "$a"
        echo "E2E-XS|concurrent-released|${a:-none}|$(xs_record "$a")|"
        report concurrent-a "$start_a" "/var/log/xen/bootloader.$a.log"
fi

bash /e2e/live.sh after

# Every domain is gone: so must be every record (the janitor's work).
sleep 3
echo "E2E-XS-LEFT|$(xenstore-list /local/domain/0/pvboot-select 2>/dev/null | tr '\n' ' ')"
# The janitor still runs, with no capability (CapEff, CapBnd).
echo "E2E-JANITOR|$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/$janitor/status 2>/dev/null)|$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/$janitor/status 2>/dev/null)"
sed 's/^/E2E-LOG janitor: /' /e2e/janitor.log
echo "E2E-END"
sync
printf '\001' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
echo o >/proc/sysrq-trigger
sleep 30
