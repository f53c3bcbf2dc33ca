#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install what pvboot-select needs to build, run and test, from Debian 12's
# own packages.  Idempotent; run as root.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
pkgs=(
        # build
        gcc meson ninja-build pkg-config python3-docutils
        libguestfs-dev libc6-dev       # libc.a: the agent is static
        libxen-dev libyajl-dev libsystemd-dev libseccomp-dev
        # install paths, from pkg-config: systemd.pc, dbus-1.pc,
        # bash-completion.pc (bash-completion, below)
        systemd libdbus-1-dev
        nettle-dev      # SHA-256: the template's digests
        # run: the appliance (libguestfs, supermin, a kernel; lvm2 is in
        # libguestfs's appliance, which guestfish uses for the LVM sample
        # disks), qemu-img for the template's overlay, the host pvgrub2
        # stage 1 images
        libguestfs0 supermin lvm2 qemu-utils qemu-system-x86 linux-image-amd64 grub-xen-host
        # test: guestfish builds the LVM sample disks
        libguestfs-tools
        # test: real pvboot ELFs and real disk tooling
        grub-xen-bin grub-common e2fsprogs fdisk bc bash-completion
        # the daemon's tests: a private system bus, process inspection, a
        # disk that hangs (tests/hangfs.c)
        dbus-daemon procps psmisc util-linux libfuse3-dev fuse3
        # fuzzing and sanitizers: libFuzzer comes with clang's runtime
        clang libclang-rt-14-dev
        # bench/run.sh: GNU time for peak RSS, cpio for the sample initrd,
        # gnuplot for its pictures (bench/plot.sh)
        time cpio gnuplot-nox
        # the Debian package (debian/control's Build-Depends are all above)
        # and its test (tests/package.sh): build, lint, a fresh root; the
        # end-to-end run's dom0 (tests/e2e) is a debootstrap too
        dpkg-dev debhelper lintian debootstrap
)
# A mirror in the middle of a sync can fail one index: retry, and never let
# that alone fail the build (the lists we already have may well do).
apt_update() {
        local i
        for i in 1 2 3; do
                apt-get update -qq && return 0
                sleep $((i * 5))
        done
        echo "install-deps: apt-get update failed 3 times; going on with the package lists we have" >&2
}
apt_install() {
        local i
        for i in 1 2 3; do
                apt-get install -y -qq "$@" && return 0
                sleep $((i * 5))
                apt_update
        done
        return 1
}

missing=()
for p in "${pkgs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
        apt_update
        apt_install "${missing[@]}"
fi
# bench/run.sh's anchor, pygrub, is in Xen's tools; without its Recommends,
# which would install the hypervisor into the host's boot menu.
if ! dpkg-query -W -f='${Status}' xen-utils-4.17 2>/dev/null | grep -q "install ok installed"; then
        apt_update
        apt_install --no-install-recommends xen-utils-4.17
fi

# Real 32- and 64-bit kernels for the width tests (downloaded, not installed).
bash "$(dirname "$0")/fetch-kernels.sh"

# The unprivileged inspection user, as the installed sysusers.d file makes it.
if ! getent passwd pvboot-select >/dev/null; then
        systemd-sysusers "$(realpath "$(dirname "$0")/../systemd/pvboot-select.sysusers")" 2>/dev/null ||
                useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pvboot-select
fi
