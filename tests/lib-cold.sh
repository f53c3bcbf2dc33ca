# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the cold-path suites (integration.sh, hostile/run.sh,
# faults.sh): what they share about the machine they run on.

# The cold path in process: no pvboot-selectd can answer on this bus, so
# every run also takes the client's "daemon not reachable" fallback.
# tests/daemon.sh runs the same client against the real daemon.
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/pvboot-select-no-bus
s64=/usr/lib/grub-xen/grub-x86_64-xen.bin
s32=/usr/lib/grub-xen/grub-i386-xen.bin
spvh=/usr/lib/grub-xen/grub-i386-xen_pvh.bin
kernels=${KERNEL_DIR:-/var/cache/pvboot-select-tests/kernels}

# require_appliance_env WHY-ROOT TOOL...: exit 77 (meson's SKIP) unless the
# tools, the host stage 1 images, root and the real kernels are there.
require_appliance_env() {
        local why=$1 t
        shift
        for t in "$@"; do
                command -v "$t" >/dev/null || { echo "SKIP: $t missing"; exit 77; }
        done
        [ -r "$s64" ] && [ -r "$s32" ] || { echo "SKIP: grub-xen-host stage 1 images missing"; exit 77; }
        [ "$(id -u)" = 0 ] || { echo "SKIP: needs root ($why)"; exit 77; }
        [ -s "$kernels/vmlinuz-amd64" ] && [ -s "$kernels/vmlinuz-686-pae" ] ||
                { echo "SKIP: real kernels missing (run tools/fetch-kernels.sh)"; exit 77; }
}
