#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tests/e2e/template-key.sh: the e2e's view of
# an appliance template's key, as src/probe/template.c's template_key()
# computes it: the SHA-256 of the text below.  Run where pvboot-select is
# installed (a chroot of the dom0 image on the outer machine, or dom0).
#
#   template-key.sh text        the key's input, one part per line
#   template-key.sh key         its SHA-256
#   template-key.sh restamp     write this host's key into the template's
#                               meta (nothing else changes; template_open
#                               still checks every file's digest)
#
# restamp is how a template captured on the outer machine, with dom0's own
# qemu, kernel and libguestfs, becomes one dom0 accepts: the key names the
# host boot and the inodes of qemu, template-qemu and libguestfs.so, and
# all four differ in dom0.  The text (outer and inner) goes on the console,
# so the report shows exactly which parts differed.  Test-only: the
# product never takes a template from another boot (template.h).
set -euo pipefail
cache=${PVBOOT_APPLIANCE_CACHE:-/var/cache/pvboot-select}
helpers=/usr/libexec/pvboot-select
memsize=${PVBOOT_MEMSIZE:-512}

# sha_stat(): "path inode size mtime.nsec", or "path missing".
stat_line() {
        if [ -e "$1" ]; then stat -L -c '%n %i %s %.9Y' "$1"; else echo "$1 missing"; fi
}

text() {
        local lib boot
        # dladdr()'s name for libguestfs: the path ld.so resolved.
        lib=$(ldd /usr/bin/pvboot-select | sed -n 's/^[[:space:]]*libguestfs\.so\.0 => \([^ ]*\) .*/\1/p')
        boot=$(cat /proc/sys/kernel/random/boot_id)
        printf 'template 1\nappliance %s\nagent %s\nmemsize %s\nboot %s\n\n' \
                "$(head -c 64 "$cache/appliance/key")" "$(sha256sum <"$helpers/pvboot-agent" | cut -c1-64)" \
                "$memsize" "$boot"
        stat_line /usr/bin/qemu-system-x86_64
        stat_line "$helpers/template-qemu"
        stat_line "$lib"
}

case "${1:-}" in
text) text ;;
key) text | sha256sum | cut -c1-64 ;;
restamp)
        key=$(text | sha256sum | cut -c1-64)
        meta=$cache/template/meta
        sed "s/^key .*/key $key/" "$meta" >"$meta.new"
        chmod 0444 "$meta.new"
        mv "$meta.new" "$meta"
        echo "$key"
        ;;
*) echo "usage: template-key.sh text|key|restamp" >&2; exit 2 ;;
esac
