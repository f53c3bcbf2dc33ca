#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# install-check.sh MESON BUILD_ROOT DESTDIR
#
# A packager's install into a staging root (meson install --destdir, no
# rebuild): every file where libxl (on PATH), man, bash-completion,
# systemd-sysusers, systemd-tmpfiles, dbus-daemon and systemd look for it,
# and nothing in a directory another package owns.  The directories come
# from meson (PREFIX, BINDIR, SBINDIR, HELPERDIR, DATADIR, MANDIR, and the
# system's own from pkg-config: UNITDIR, SYSUSERSDIR, TMPFILESDIR,
# DBUS_POLICYDIR, DBUS_SERVICESDIR, COMPLETIONSDIR; absolute), so the check follows the
# build's options.
# Reports TAP (tests/lib.sh), one result per installed file.
set -uo pipefail
meson=$1
build=$2
dest=$3
. "$(dirname "$0")/lib.sh"

rm -rf "$dest"
"$meson" install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null ||
        bail "meson install --destdir $dest failed"

installed() {   # installed NAME PATH: PATH (under the prefix) is in the staging root
        if [ -e "$dest$2" ]; then ok "$1"; else bad "$1" "missing $2"; fi
}
installed client "$BINDIR/pvboot-select"
installed daemon "$SBINDIR/pvboot-selectd"
installed man-pvboot-select.1 "$MANDIR/man1/pvboot-select.1"
installed man-pvboot-selectd.8 "$MANDIR/man8/pvboot-selectd.8"
installed man-org.pvbootselect1.5 "$MANDIR/man5/org.pvbootselect1.5"
installed man-pvboot-select.conf.5 "$MANDIR/man5/pvboot-select.conf.5"
installed config-example "$DATADIR/doc/pvboot-select/pvboot-select.conf.example"
installed bash-completion "$COMPLETIONSDIR/pvboot-select"
installed sysusers "$SYSUSERSDIR/pvboot-select.conf"
installed tmpfiles "$TMPFILESDIR/pvboot-select.conf"
installed bus-policy "$DBUS_POLICYDIR/org.pvbootselect1.conf"
installed daemon-unit "$UNITDIR/pvboot-selectd.service"
installed xenstore-unit "$UNITDIR/pvboot-select-xenstore.service"
installed bus-activation "$DBUS_SERVICESDIR/org.pvbootselect1.service"
installed journal-catalog "$CATALOGDIR/pvboot-select.catalog"
for h in pvboot-agent template-qemu pvboot-selectd-start; do
        if [ -x "$dest$HELPERDIR/$h" ]; then
                ok "helper-$h"
        else
                bad "helper-$h" "missing or not executable: $HELPERDIR/$h"
        fi
done
# The program finds its helpers in HELPERDIR, compiled in (worker-config.c).
if grep -qF "$HELPERDIR" "$dest$BINDIR/pvboot-select"; then
        ok helper-dir-compiled-in
else
        bad helper-dir-compiled-in "$BINDIR/pvboot-select does not name $HELPERDIR"
fi
# The activation file starts what is installed: the starter (no systemd),
# the unit (systemd), which carries the bus name's alias.
act=$dest$DBUS_SERVICESDIR/org.pvbootselect1.service
if grep -qx "Name=org.pvbootselect1" "$act" && grep -qx "Exec=$HELPERDIR/pvboot-selectd-start" "$act" &&
   grep -qx "User=root" "$act" && grep -qx "SystemdService=pvboot-selectd.service" "$act" &&
   grep -qx "Alias=dbus-org.pvbootselect1.service" "$dest$UNITDIR/pvboot-selectd.service"; then
        ok bus-activation-names
else
        bad bus-activation-names "$(cat "$act" 2>&1 | grep -v '^#')"
fi
# Nothing in Xen's private bin dir (the xen-utils package's): libxl falls
# back to PATH for a relative bootloader= name.
xen=$(cd "$dest" && find . -path './usr/lib/xen-*' -o -path './usr/lib/xen/*' 2>/dev/null | head -n 3)
if [ -z "$xen" ]; then ok nothing-in-xen-dirs; else bad nothing-in-xen-dirs "installed there: $xen"; fi
done_testing
