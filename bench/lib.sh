# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by bench/run.sh (after tests/lib-daemon.sh): one timed decision
# of each kind, the appliance memory sampler and the statistics.  Needs
# $work (scratch directory), $bench_bin (bare-find, pty-run) and, for
# pygrub, $pygrub.  Measures only: nothing here asserts a time.
#
# Every run_* appends one line to a cell file:
#     ok WALL_S PEAK_RSS_KIB KIND DAEMON_S APPL_QEMU_KIB APPL_SUM_KIB
#     fail WALL_S PEAK_RSS_KIB REASON...
# ("-" where a field does not apply) and leaves the run's full output in
# $work/last.log.
#
#   WALL_S        from just before GNU time is spawned to just after it
#                 exits: the whole bootloader run, as libxl waits for it
#   PEAK_RSS_KIB  GNU time's %M: the largest peak RSS of any single process
#                 of the run that was waited for (the runner, the
#                 bootloader and, reaped by it, the qemu of its own
#                 clone); for a daemon decision that is the client side
#   KIND          pvboot-select -v: warm, cold (daemon's appliance), cache,
#                 client-cold (the client's own appliance), else "-"

host_caps="xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_64"
KERNEL_DIR=${KERNEL_DIR:-/var/cache/pvboot-select-tests/kernels}

width() { case $1 in *32) echo 32 ;; *) echo 64 ;; esac; }
stage1() { case $1 in *32) echo /usr/lib/grub-xen/grub-i386-xen.bin ;; *) echo /usr/lib/grub-xen/grub-x86_64-xen.bin ;; esac; }
elfname() { case $1 in *32) echo pvboot-i386.elf ;; *) echo pvboot-x86_64.elf ;; esac; }
guest_kernel() { case $1 in *32) echo "$KERNEL_DIR/vmlinuz-686-pae" ;; *) echo "$KERNEL_DIR/vmlinuz-amd64" ;; esac; }

# timed OUT -- CMD...: run CMD under GNU time, output to $work/last.log;
# sets t_wall, t_rss, t_rc.
timed() {
        local start end
        start=$EPOCHREALTIME
        t_rc=0
        /usr/bin/time -f %M -o "$work/time.out" "$@" >"$work/last.log" 2>&1 || t_rc=$?
        end=$EPOCHREALTIME
        t_wall=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }')
        t_rss=$(tail -1 "$work/time.out")
        case $t_rss in '' | *[!0-9]*) t_rss=- ;; esac
}

# run_pygrub CELLFILE DISK LAYOUT [UID]: pygrub as libxl runs it, with
# bootloader_args = ["-q"] (without it pygrub shows its menu for the
# grub.cfg's timeout); with UID, libxl's restricted mode (--runas=UID
# --quiet).  libxl-run cannot check pygrub's answer (a copy of the guest's
# kernel and initrd, not a stage 1), so: libxl's output directory and
# file, make_bootloader_args() order, a pty and TERM=vt100 (pty-run), then
# the records are checked here, outside the timed part.
run_pygrub() {
        local cell=$1 disk=$2 layout=$3 uid=${4:-} xl kernel= ramdisk= rec why=
        xl=$(mktemp -d "$work/xl.XXXXXX")
        mkdir -m 0600 "$xl/bootloader.7.d"
        install -m 0600 /dev/null "$xl/bootloader.7.out"
        timed "$bench_bin/pty-run" "$pygrub" ${uid:+--runas=$uid --quiet} \
                --output="$xl/bootloader.7.out" --output-format=simple0 \
                --output-directory="$xl/bootloader.7.d" -q "$disk"
        while IFS= read -r -d '' rec; do
                case $rec in
                "kernel "*) kernel=${rec#kernel } ;;
                "ramdisk "*) ramdisk=${rec#ramdisk } ;;
                esac
        done <"$xl/bootloader.7.out"
        # pygrub --runas exits 0 when its deprivileged child failed
        # (sys.exit() of a raw wait status): an empty output file is the
        # failure then.
        if [ "$t_rc" != 0 ] || [ -z "$kernel" ]; then
                why="exit $t_rc, ${kernel:-no kernel record}: $(grep -v '^ *$' "$work/last.log" | tail -1 | tr -d '\r' || true)"
        elif [ "${kernel%/*}" != "$xl/bootloader.7.d" ] || ! cmp -s "$kernel" "$(guest_kernel "$layout")"; then
                why="kernel record $kernel is not the guest's kernel"
        elif [ -z "$ramdisk" ] || ! cmp -s "$ramdisk" "$work/mk-$layout/initrd.img"; then
                why="ramdisk record ${ramdisk:-missing} is not the guest's initrd"
        fi
        rm -rf "$xl"
        if [ -n "$why" ]; then
                echo "fail $t_wall $t_rss $why" >>"$cell"
        else
                echo "ok $t_wall $t_rss - - - -" >>"$cell"
        fi
}

# run_bare CELLFILE DISK LAYOUT: bench/bare-find.c, the libguestfs floor.
run_bare() {
        local cell=$1 disk=$2 layout=$3
        timed "$bench_bin/bare-find" "$disk" raw
        if [ "$t_rc" = 0 ] && grep -q "/$(elfname "$layout")\$" "$work/last.log"; then
                echo "ok $t_wall $t_rss - - - -" >>"$cell"
        else
                echo "fail $t_wall $t_rss exit $t_rc: $(tail -1 "$work/last.log")" >>"$cell"
        fi
}

# run_pvboot CELLFILE DISK LAYOUT [PVBOOT-SELECT ARGS]: one decision through
# tests/libxl-run, which checks the returned stage 1 is the right width.
# With a sampler running (appl_start), it is stopped after the decision
# and its figures go into the line.
run_pvboot() {
        local cell=$1 disk=$2 layout=$3 kind=- d=- q=- s=-; shift 3
        timed build/tests/libxl-run --expect-stage1="$(stage1 "$layout")" build/pvboot-select "$disk" \
                --host-caps="$host_caps" -v "$@"
        if [ -n "${appl_sampler:-}" ]; then
                appl_stop
                q=$appl_qemu s=$appl_sum
        fi
        case $(grep -o 'answered [a-z ]* in' "$work/last.log" || true) in
        *"warm appliance"*) kind=warm ;;
        *"cold appliance"*) kind=cold ;;
        *"from its cache"*) kind=cache ;;
        esac
        grep -q 'inspecting here (cold path)' "$work/last.log" && kind=client-cold
        d=$(grep -o 'answered [a-z ]* in [0-9.]* s' "$work/last.log" | awk '{print $(NF-1)}' || true)
        if [ "$t_rc" = 0 ]; then
                echo "ok $t_wall $t_rss $kind ${d:--} $q $s" >>"$cell"
        else
                echo "fail $t_wall $t_rss $(grep -m1 'FAIL\|failed' "$work/last.log" | tr -d '\r' || true)" >>"$cell"
        fi
        # The -v timing line, when this pvboot-select prints one.
        grep -o 'timing: .*' "$work/last.log" | tr -d '\r' | sed "s/^/$layout /" >>"$cell.timing" || true
}

# --- The appliance that serves a daemon decision ---------------------------
#
# pvboot-selectd's clones run as $pvboot_user, one process group each
# (the worker and its qemu).  appl_start
# notes the groups that are ready before a request and samples every
# process's VmHWM (its peak RSS so far, from /proc/PID/status) every 0.1 s
# in the background; appl_stop, after the decision, finds the group that
# served it (the one of those that is gone: an appliance serves once) and
# sets appl_qemu (qemu's VmHWM, KiB) and appl_sum (the sum of the group's
# VmHWMs: an upper bound of the appliance's peak, as the peaks need not
# coincide).  The last sample is at most 0.1 s before the group was killed,
# after it answered.

# Our daemon's worker groups, "PGID PID" lines: a worker is a child of
# $dpid and leads its group (other daemons may run on this machine).
appl_groups() {
        ps -e -o pgid=,pid=,ppid= | awk -v d="$dpid" '
                { g[NR] = $1; p[NR] = $2; if ($3 == d && $1 == $2) w[$2] = 1 }
                END { for (i = 1; i <= NR; i++) if (g[i] in w) print g[i], p[i] }'
}

appl_start() {
        appl_qemu=- appl_sum=-
        appl_groups >"$work/appl.before"
        (
                declare -A hwm comm grp
                while read -r g p; do
                        grp[$p]=$g
                        comm[$p]=$(cat "/proc/$p/comm" 2>/dev/null || echo '?')
                done <"$work/appl.before"
                dump() {
                        for p in "${!hwm[@]}"; do echo "${grp[$p]} $p ${comm[$p]} ${hwm[$p]}"; done >"$work/appl.samples"
                        exit 0
                }
                trap dump TERM
                while :; do
                        for p in "${!grp[@]}"; do
                                [ -r "/proc/$p/status" ] || continue
                                while read -r k v _; do
                                        [ "$k" = VmHWM: ] && hwm[$p]=$v && break
                                done 2>/dev/null <"/proc/$p/status" || true
                        done
                        sleep 0.1 & wait $!
                done
        ) &
        appl_sampler=$!
}

appl_stop() {
        local g served= i
        # The served group is killed as soon as it has answered.
        for i in $(seq 50); do
                for g in $(awk '{print $1}' "$work/appl.before" | sort -u); do
                        kill -0 -- "-$g" 2>/dev/null || served=$g
                done
                [ -n "$served" ] && break
                sleep 0.1
        done
        kill -TERM "$appl_sampler"
        wait "$appl_sampler" || true
        appl_sampler=
        [ -n "$served" ] || return 0
        appl_qemu=$(awk -v g="$served" '$1 == g && $3 ~ /qemu/ { q = q > $4 ? q : $4 } END { print q ? q : "-" }' "$work/appl.samples")
        appl_sum=$(awk -v g="$served" '$1 == g { s += $4 } END { print s ? s : "-" }' "$work/appl.samples")
}

# appl_idle: one Markdown row per pooled clone, its current RSS (MiB)
# summed over the group, qemu's RSS and qemu's PSS (smaps_rollup).
appl_idle() {
        local g rest pss pid
        appl_groups >"$work/appl.idle"
        ps -e -o pgid=,pid=,rss=,comm= | awk -v f="$work/appl.idle" '
                BEGIN { while ((getline l < f) > 0) { split(l, a, " "); g[a[1]] = 1 } }
                $1 in g { t[$1] += $3; if ($4 ~ /qemu/) { q[$1] += $3; qp[$1] = $2 } }
                END { for (k in t) printf "%s %.0f %.0f %s\n", k, t[k] / 1024, q[k] / 1024, qp[k] }' |
        while read -r g t q pid; do
                pss=$(awk '/^Pss:/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo -)
                echo "| pooled clone (process group $g) | $t | $q | ${pss:--} |"
        done
}

# --- Statistics -------------------------------------------------------------

# stats < NUMBERS: "N MEDIAN P99 MIN MAX" (p99 nearest-rank: the maximum
# for fewer than 100 values), or "0 - - - -".
stats() {
        sort -g | awk '
                { v[NR] = $1 }
                END {
                        if (!NR) { print "0 - - - -"; exit }
                        med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                        r = int(0.99 * NR); if (r < 0.99 * NR) r++
                        printf "%d %.4f %.4f %.4f %.4f\n", NR, med, v[r], v[1], v[NR]
                }'
}

# field CELLFILE N: field N of the cell's successful runs, "-" dropped.
field() { [ -f "$1" ] && awk -v n="$2" '$1 == "ok" && $n != "-" { print $n }' "$1" || true; }

# secs X: seconds for a table: 3 decimals under 1 s, else 2.
secs() { awk -v x="$1" 'BEGIN { if (x == "-") print "-"; else if (x < 1) printf "%.3f", x; else printf "%.2f", x }'; }
mib() { awk -v x="$1" 'BEGIN { if (x == "" || x == "-") print "-"; else printf "%.0f", x / 1024 }'; }
# ratio A B: A / B, to 2 significant digits (at least the units).
ratio() {
        awk -v a="$1" -v b="$2" 'BEGIN {
                if (a == "-" || b == "-" || b == 0) { print "-"; exit }
                r = a / b
                if (r >= 10) printf "%.0f\n", r; else if (r >= 0.1) printf "%.2f\n", r; else printf "%.2g\n", r
        }'
}
