#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Put one real Debian 64-bit and one real 32-bit (686-pae) kernel image in
# DIR (default /var/cache/pvboot-select-tests/kernels), for the tests.
# apt-get download + dpkg-deb -x: nothing is installed.
set -euo pipefail
dir=${1:-/var/cache/pvboot-select-tests/kernels}
mkdir -p "$dir"
[ -s "$dir/vmlinuz-amd64" ] && [ -s "$dir/vmlinuz-686-pae" ] && exit 0

dpkg --print-foreign-architectures | grep -qx i386 || dpkg --add-architecture i386
# A mirror mid-sync can fail one index; what we need is in main.
apt-get update -qq || true

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch() {       # fetch METAPACKAGE OUTNAME
        local pkg
        pkg=$(apt-cache depends "$1" | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
        [ -n "$pkg" ] || { echo "fetch-kernels: no package behind $1" >&2; exit 1; }
        (cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1)
        dpkg-deb --fsys-tarfile "$tmp"/linux-image-*.deb | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*'
        mv "$tmp"/boot/vmlinuz-* "$dir/$2"
        rm -rf "$tmp"/*
}
fetch linux-image-amd64 vmlinuz-amd64
fetch linux-image-686-pae:i386 vmlinuz-686-pae
ls -la "$dir"
