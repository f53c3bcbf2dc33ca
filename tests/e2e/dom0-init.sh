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

# The xenstore janitor, as pvboot-select-xenstore.service runs it.
/usr/sbin/pvboot-selectd --xenstore-janitor >/e2e/janitor.log 2>&1 &

echo "E2E-BEGIN"
echo "E2E-CAPS $(xl info | sed -n 's/^xen_caps *: //p')"
while read -r name; do
        [ -n "$name" ] || continue
        start=$(date +%s)
        # Per-scenario environment for xl (restrict mode on Xen 4.17).
        env $(cat "/e2e/$name.env" 2>/dev/null) xl create "/e2e/$name.cfg" >"/e2e/$name.xl.log" 2>&1
        # What pvboot-select recorded for the domain, while it lives.
        domid=$(xl domid "$name" 2>/dev/null)
        if [ -n "$domid" ]; then
                xs=/local/domain/0/pvboot-select/$domid
                echo "E2E-XS|$name|$domid|$(xenstore-read "$xs/arch" 2>&1)|$(xenstore-read "$xs/outcome" 2>&1)"
        fi
        # Wait for the guest to go away (its marker image powers off).
        i=0
        while xl list "$name" >/dev/null 2>&1 && [ $i -lt 240 ]; do sleep 1; i=$((i + 1)); done
        xl destroy "$name" >/dev/null 2>&1
        console="/var/log/xen/console/guest-$name.log"
        bl=$(ls -t /var/log/xen/bootloader.*.log 2>/dev/null | head -n 1)
        if [ -f "$console" ] && grep -q "pvboot-e2e-marker:" "$console"; then
                seen=$(grep -o "pvboot-e2e-marker:[^\"]*" "$console" | head -n 1 | tr -d '\r')
        else
                seen="no marker; bootloader said: $(grep 'pvboot-select: ' "$bl" 2>/dev/null | grep -v '^pvboot-select:   ' | tail -n 1 | tr -d '\r')"
        fi
        echo "E2E-RESULT|$name|$seen|$(( $(date +%s) - start ))"
        # The logs behind the verdict, for the record.
        sed "s/^/E2E-LOG $name bootloader: /" "$bl" 2>/dev/null | tr -d '\r' | tail -n 30
        sed "s/^/E2E-LOG $name xl: /" "/e2e/$name.xl.log" | tail -n 10
        [ -f "$console" ] && tr -d '\r' <"$console" | sed "s/^/E2E-LOG $name console: /" | tail -n 10
        rm -f "$bl"
done </e2e/scenarios
# Every domain is gone: so must be every record (the janitor's work).
sleep 3
echo "E2E-XS-LEFT|$(xenstore-list /local/domain/0/pvboot-select 2>/dev/null | tr '\n' ' ')"
sed 's/^/E2E-LOG janitor: /' /e2e/janitor.log
echo "E2E-END"
sync
printf '\001' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
echo o >/proc/sysrq-trigger
sleep 30
