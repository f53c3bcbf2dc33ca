#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# install-check.sh MESON BUILD_ROOT DESTDIR
#
# A packager's install into a staging root (meson install --destdir, no
# rebuild): every file where libxl, man, bash-completion, systemd-sysusers,
# systemd-tmpfiles, dbus-daemon and systemd look for it.  The directories
# come from meson (PREFIX, BINDIR, SBINDIR, LIBDIR, DATADIR, MANDIR in the
# environment, absolute), so the check follows the build's options.
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
installed bash-completion "$DATADIR/bash-completion/completions/pvboot-select"
installed sysusers "$PREFIX/lib/sysusers.d/pvboot-select.conf"
installed tmpfiles "$PREFIX/lib/tmpfiles.d/pvboot-select.conf"
installed bus-policy "$DATADIR/dbus-1/system.d/org.pvbootselect1.conf"
installed daemon-unit "$PREFIX/lib/systemd/system/pvboot-selectd.service"
installed xenstore-unit "$PREFIX/lib/systemd/system/pvboot-select-xenstore.service"
installed journal-catalog "$PREFIX/lib/systemd/catalog/pvboot-select.catalog"
for h in pvboot-agent template-qemu; do
        if [ -x "$dest$LIBDIR/pvboot-select/$h" ]; then
                ok "helper-$h"
        else
                bad "helper-$h" "missing or not executable: $LIBDIR/pvboot-select/$h"
        fi
done
# libxl looks a relative bootloader= up in Xen's private bin dir first: on
# a host with Xen, the link must be there.
if ls -d /usr/lib/xen-[0-9]*/bin >/dev/null 2>&1; then
        if ls -d "$dest"/usr/lib/xen-[0-9]*/bin/pvboot-select >/dev/null 2>&1; then
                ok xen-libexec-link
        else
                bad xen-libexec-link "no pvboot-select link in Xen's libexec bin dir"
        fi
else
        skip xen-libexec-link "no /usr/lib/xen-*/bin on this host"
fi
done_testing
