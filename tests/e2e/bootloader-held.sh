#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The bootloader of the concurrent-start scenario (tests/e2e/dom0-init.sh),
# installed in dom0 as /e2e/bootloader-held.  It runs pvboot-select as libxl
# would (libxl's argv, the guest's pty on stdin/stdout, the log on stderr)
# and hands back its exit status, but before that it holds the domain where
# libxl leaves it while a bootloader runs: created in the hypervisor
# (libxl__domain_make), not yet introduced to xenstore (libxl__build_post,
# after the bootloader returns), with pvboot-select's record already
# written.  It says so in /run/pvboot-e2e/held ("RC DOMID") and waits,
# 120 s at most, for /run/pvboot-e2e/release.
/usr/bin/pvboot-select "$@"
rc=$?
domid=
for a in "$@"; do
        # libxl: --output=/var/run/xen/bootloader.DOMID.out (as client.c reads it)
        case $a in --output=*bootloader.*.out) domid=${a##*bootloader.}; domid=${domid%.out} ;; esac
done
mkdir -p /run/pvboot-e2e
echo "$rc $domid" >/run/pvboot-e2e/held
i=0
while [ ! -e /run/pvboot-e2e/release ] && [ $i -lt 120 ]; do
        sleep 1
        i=$((i + 1))
done
exit $rc
