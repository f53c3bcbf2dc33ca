#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/daemon.sh [RUNS]
#
# Cold vs warm vs cache-hit decisions on the same sample disks, each run
# exactly as libxl runs the bootloader (tests/libxl-run), and the idle
# memory of a pooled appliance.  Prints Markdown tables; a measurement,
# never a test: nothing here asserts a time.
#
#   cold   pvboot-select --no-daemon: its own appliance, launched after the
#          guest is known (what every decision cost before the daemon)
#   warm   pvboot-selectd with a ready pool (each request waits for the
#          pool to be full and idle first, so appliances do not compete
#          with their own refill); a fresh copy of the disk each time so
#          that the cache cannot answer
#   cache  the same disk again: pvboot-selectd's decision cache
#
# Runs as root (the daemon as its own user on a private bus).  About
# RUNS x 25 s for the cold rows plus RUNS x 30 s for the warm ones.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
bash tools/build.sh >/dev/null

work=$(mktemp -d /tmp/pvboot-bench.XXXXXX)
chmod 0755 "$work"
. tests/lib-daemon.sh
trap 'stop_bus; rm -rf "$work"' EXIT
for l in mbr64 gpt32 lvm64; do
        bash tests/mkdisk.sh "$l" "$work/$l.img" "$work/build-$l" >/dev/null
done
caps="xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_64"
stage1() { case $1 in *32) echo /usr/lib/grub-xen/grub-i386-xen.bin ;; *) echo /usr/lib/grub-xen/grub-x86_64-xen.bin ;; esac; }

# decide DISK LAYOUT [pvboot-select args]: one decision, prints "WALL DAEMON_SECONDS".
decide() {
        local disk=$1 layout=$2 start end d; shift 2
        start=$(date +%s.%N)
        build/tests/libxl-run --expect-stage1="$(stage1 "$layout")" build/pvboot-select "$disk" \
                --host-caps="$caps" -v "$@" >"$work/run.log" 2>&1 || { cat "$work/run.log" >&2; exit 1; }
        end=$(date +%s.%N)
        d=$(grep -o 'answered [a-z ]* in [0-9.]* s' "$work/run.log" | awk '{print $(NF-1)}' || true)
        echo "$(echo "$end - $start" | bc) ${d:--}"
}

# stats LABEL DISK FILE: one table row from a file of "WALL DAEMON" lines.
stats() {
        sort -n -k1 "$3" | awk -v label="$1" -v disk="$2" '
                { w[NR] = $1; if ($2 != "-") { d[++nd] = $2 } }
                END {
                        p50 = (NR % 2) ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
                        r = int(0.99 * NR); if (r < 0.99 * NR) r++; p99 = w[r]
                        asort(d); dm = nd ? ((nd % 2) ? d[(nd + 1) / 2] : (d[nd / 2] + d[nd / 2 + 1]) / 2) : -1
                        printf "| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %s |\n", label, disk, NR, p50, p99, w[1], w[NR],
                               dm < 0 ? "-" : sprintf("%.2f", dm)
                }'
}

start_bus "$work"
export DBUS_SYSTEM_BUS_ADDRESS

# Cold first, with no daemon running at all.
: >"$work/cold"
for i in $(seq "$runs"); do
        l=$([ $((i % 2)) = 1 ] && echo mbr64 || echo gpt32)
        decide "$work/$l.img" $l --no-daemon >>"$work/cold"
done

start_daemon build/pvboot-selectd --pool-size=2
: >"$work/warm"
: >"$work/warm-lvm"
for i in $(seq "$runs"); do
        l=$([ $((i % 2)) = 1 ] && echo mbr64 || echo gpt32)
        wait_prop PoolReady 2 || { echo "pool never filled" >&2; exit 1; }
        sleep 2
        cp "$work/$l.img" "$work/fresh.img"
        decide "$work/fresh.img" $l >>"$work/warm"
done
for i in $(seq "$runs"); do
        wait_prop PoolReady 2
        sleep 2
        cp "$work/lvm64.img" "$work/fresh.img"
        decide "$work/fresh.img" lvm64 >>"$work/warm-lvm"
done
wait_prop PoolReady 2
decide "$work/mbr64.img" mbr64 >/dev/null      # fills the cache
: >"$work/cache"
for i in $(seq "$runs"); do decide "$work/mbr64.img" mbr64 >>"$work/cache"; done

# Idle memory: each pooled appliance is one process group (worker,
# nbdkit, qemu); RSS summed over it, after 20 s of idleness.
wait_prop PoolReady 2
sleep 20
rss_rows() {
        local label=$1 pg
        for pg in $(ps -u "$pvboot_user" -o pgid=,comm= | awk '$2 == "nbdkit" {print $1}' | sort -u); do
                ps -o rss=,comm= -p "$(pgrep -d, -g "$pg")" 2>/dev/null | awk -v label="$label" '
                        { t += $1; if ($2 ~ /qemu/) q += $1 }
                        END { printf "| %s | %.0f | %.0f |\n", label, t / 1024, q / 1024 }'
        done
}
rss_default=$(rss_rows "defaults: --memsize=512 --tcg-cache=32")
stop_daemon
start_daemon build/pvboot-selectd --pool-size=2 --memsize=0 --tcg-cache=0
wait_prop PoolReady 2
sleep 20
rss_stock=$(rss_rows "libguestfs 1280 MB, qemu's 1 GiB cache")
stop_daemon

echo "## Decisions ($(date -u +%Y-%m-%d), $(nproc) CPUs, TCG)"
echo
echo "| path | disks | runs | p50 s | p99 s | min s | max s | daemon-side p50 s |"
echo "|---|---|---|---|---|---|---|---|"
stats "cold (--no-daemon)" "mbr64+gpt32" "$work/cold"
stats "warm" "mbr64+gpt32" "$work/warm"
stats "warm, LVM" "lvm64" "$work/warm-lvm"
stats "cache hit" "mbr64" "$work/cache"
echo
echo "Wall time is the whole bootloader run as libxl sees it (process start to"
echo "exit); daemon-side is arrival to answer inside pvboot-selectd."
echo
echo "## Idle pooled appliance (RSS, MiB)"
echo
echo "| appliance | worker+nbdkit+qemu | qemu |"
echo "|---|---|---|"
echo "$rss_default"
echo "$rss_stock"
