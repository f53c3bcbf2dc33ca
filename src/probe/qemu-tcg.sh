#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# qemu-tcg: the qemu libguestfs runs for pvboot-selectd's pooled appliances
# (guestfs(3), "QEMU WRAPPERS").  libguestfs passes "-machine accel=tcg[,...]"
# and has no way to size TCG's translation cache, which qemu makes 1 GiB
# and an idle appliance fills to ~180 MiB of RSS.  This moves the
# accelerator to "-accel tcg,tb-size=$PVBOOT_TCG_CACHE_MB" and passes
# everything else through unchanged.  The arguments are libguestfs's own;
# nothing here comes from a guest.
set -eu
mb=${PVBOOT_TCG_CACHE_MB:-}
case "$mb" in
'') exec qemu-system-x86_64 "$@" ;;
*[!0-9]*) echo "qemu-tcg: PVBOOT_TCG_CACHE_MB must be a number" >&2; exit 2 ;;
esac
n=$#
machine=0
for a in "$@"; do
        if [ $machine = 1 ]; then
                machine=0
                case "$a" in
                accel=tcg) set -- "$@" -accel "tcg,tb-size=$mb" ;;
                accel=tcg,*) set -- "$@" -machine "${a#accel=tcg,}" -accel "tcg,tb-size=$mb" ;;
                *) set -- "$@" -machine "$a" ;;
                esac
        elif [ "$a" = -machine ]; then
                machine=1
        else
                set -- "$@" "$a"
        fi
done
shift "$n"
exec qemu-system-x86_64 "$@"
