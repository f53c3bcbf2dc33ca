#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The bootloader of the libxl-facts scenario (tests/e2e/dom0-init.sh),
# installed in dom0 as /e2e/bootloader-facts.  It writes down what libxl
# lets a bootloader see of its domain at the moment it runs it (argv,
# environment, xenstore under /libxl/DOMID and the domain's own paths, any
# backend of the domain's disks, the saved configuration in /var/lib/xen),
# to /run/pvboot-e2e/facts, which the init script prints; then it becomes
# pvboot-select, with libxl's argv, pty and exit status unchanged.
domid=
for a in "$@"; do
        # libxl: --output=XEN_LIB_DIR/bootloader.DOMID.out (bootloader_setpaths)
        case $a in --output=*bootloader.*.out) domid=${a##*bootloader.}; domid=${domid%.out} ;; esac
done
mkdir -p /run/pvboot-e2e
{
        echo "domid=$domid"
        for a in "$0" "$@"; do echo "argv: $a"; done
        env | sort | sed 's/^/env: /'
        echo "libxl-type: $(xenstore-read "/libxl/$domid/type" 2>&1)"
        xenstore-ls -f "/libxl/$domid" 2>&1 | sed 's/^/xs-libxl: /'
        xenstore-ls -f "/local/domain/$domid" 2>&1 | sed 's/^/xs-dom: /'
        # A backend of one of the domain's own devices (libxl__add_disks).
        xenstore-ls -f /local/domain/0/backend 2>&1 | grep "/backend/[a-z0-9]*/$domid/" | sed 's/^/xs-backend: /'
        echo "xs-backend-count: $(xenstore-ls -f /local/domain/0/backend 2>/dev/null | grep -c "/backend/[a-z0-9]*/$domid/")"
        ls -l /var/lib/xen/ 2>&1 | sed 's/^/var-lib-xen: /'
        for f in /var/lib/xen/userdata-*."$domid".*; do
                [ -e "$f" ] || continue
                echo "userdata: $f"
                head -c 4000 "$f" | tr '\n' ' ' | sed 's/^/userdata-json: /'
                echo
        done
        echo "userdata-count: $(ls /var/lib/xen/ | grep -c "^userdata-.\.$domid\.")"
        echo "hypervisor: $(xl list "$domid" 2>&1 | tail -n 1)"
} >/run/pvboot-e2e/facts 2>&1
exec /usr/bin/pvboot-select "$@"
