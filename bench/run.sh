#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/run.sh [RUNS]          (as root; RUNS defaults to 10)
#
# pvboot-select against its anchors, side by side on the same sample disks
# in one run: pygrub (plain and --runas), the simplest libguestfs program
# that finds the pvboot ELF (bench/bare-find.c), and pvboot-select cold
# (a clone restored by the client), warm (pvboot-selectd with a pool of 2
# clones) and from the daemon's cache.  Then the template's build time and
# size, a "host boot" (guests decided one after another through a fresh
# daemon, as xendomains starts them), eight concurrent requests, the warm
# path's steps from pvboot-select -v's timing line, and the idle pooled
# clone's memory (RSS and PSS).
#
# Prints a Markdown report and writes it to bench/results/DATE.md (UTC;
# DATE-2.md, -3, ... when that exists: a result is never overwritten),
# with every decision's number beside it (DATE.tsv) and, drawn from that
# by bench/plot.sh with gnuplot, DATE-latency.svg and DATE-hostboot.svg,
# which the report shows.
# Progress goes to stderr.  A measurement, never a test: nothing here
# asserts a time.
#
# Environment:
#   BENCH_DISKS        sample disks (tests/mkdisk.sh's debian-* layouts,
#                      named without the prefix), default
#                      "mbr64 gpt32 sepboot32 gptlvm64 lvmboot64"
#   BENCH_HOSTBOOT     guests in the host boot run (default 20)
#   BENCH_DAEMON_ARGS  extra pvboot-selectd options (e.g. --memsize=0)
#   BENCH_OUT          report file instead of bench/results/DATE.md
#   BENCH_INITRD_MB    the sample initrd's size (default 4)
#
# About 15 minutes for RUNS=10 on a quiet 2-core TCG machine, most of it
# the bare libguestfs anchor (RUNS x 5 disks x ~12 s).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
hostboot=${BENCH_HOSTBOOT:-20}
read -r -a disks <<<"${BENCH_DISKS:-mbr64 gpt32 sepboot32 gptlvm64 lvmboot64}"
read -r -a daemon_args <<<"${BENCH_DAEMON_ARGS:-}"
pygrub=/usr/lib/xen-4.17/bin/pygrub
runas_uid=$(id -u nobody)

say() { echo "bench: $*" >&2; }
[ "$(id -u)" = 0 ] || { say "run as root: libxl runs bootloaders as root"; exit 1; }
for need in /usr/bin/time "$pygrub" /usr/bin/cpio; do
        [ -x "$need" ] || { say "no $need: run bash tools/install-deps.sh first"; exit 1; }
done
case $runs in '' | *[!0-9]* | 0) say "RUNS must be a positive number"; exit 2 ;; esac

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%F %H:%M')
say "building pvboot-select"
bash tools/build.sh >/dev/null
# The template every clone starts from, built anew as the daemon's unit
# does at every start: its build time and size are part of the report.
say "building the appliance template"
tpl_start=$EPOCHREALTIME
build/pvboot-select template --force >&2
tpl_build=$(awk -v s="$tpl_start" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.1f", e - s }')
tpl_dir=/var/cache/pvboot-select
tpl_du=$(du -sm "$tpl_dir/template" | awk '{print $1}')
tpl_ram=$(du -sm "$tpl_dir/template/ram" | awk '{print $1}')
tpl_state=$(stat -c %s "$tpl_dir/template/state")
appl_du=$(du -sm "$tpl_dir/appliance" | awk '{print $1}')

work=$(mktemp -d /tmp/pvboot-bench.XXXXXX)
chmod 0755 "$work"
bench_bin=$work/bin
mkdir -p "$bench_bin" "$work/disks" "$work/cells"
. tests/lib-daemon.sh
. bench/lib.sh
appl_sampler=
cleanup() {
        [ -z "$appl_sampler" ] || kill "$appl_sampler" 2>/dev/null || true
        stop_bus
        rm -rf "$work"
}
trap cleanup EXIT

cc -std=c11 -Wall -Wextra -Werror -o "$bench_bin/bare-find" bench/bare-find.c $(pkg-config --cflags --libs libguestfs)
cc -std=c11 -Wall -Wextra -Werror -o "$bench_bin/pty-run" bench/pty-run.c -lutil
for l in "${disks[@]}"; do
        say "building sample disk $l"
        bash tests/mkdisk.sh "debian-$l" "$work/disks/$l.img" "$work/mk-$l" >/dev/null
done

cell() { echo "$work/cells/$1.$2"; }
progress() {    # progress PATH I LAYOUT: the run just recorded
        say "$(printf '%-13s %2s/%s %-10s' "$1" "$2" "$runs" "$3") $(tail -1 "$(cell "$1" "$3")" | cut -c1-100)"
}

# 0. One untimed run of each first: libguestfs builds its supermin
#    appliance for root (bare-find) and the disks and the template come
#    into the page cache, so that the first timed run of a fresh machine is
#    not an outlier.
say "warming up (untimed)"
run_pygrub "$work/cells/warmup-pygrub" "$work/disks/${disks[0]}.img" "${disks[0]}"    # may have no answer
run_bare "$work/cells/warmup" "$work/disks/${disks[0]}.img" "${disks[0]}"
run_pvboot "$work/cells/warmup" "$work/disks/${disks[0]}.img" "${disks[0]}" --no-daemon
if grep -q '^fail' "$work/cells/warmup"; then
        say "a warm-up run failed: $(grep '^fail' "$work/cells/warmup")"
        exit 1
fi

# 1. No daemon anywhere yet: pygrub, the bare appliance, the cold path.
#    Disks round-robin inside each cell, so drift spreads over all disks.
for i in $(seq "$runs"); do
        for l in "${disks[@]}"; do
                run_pygrub "$(cell pygrub "$l")" "$work/disks/$l.img" "$l"
                progress pygrub "$i" "$l"
                run_pygrub "$(cell pygrub-runas "$l")" "$work/disks/$l.img" "$l" "$runas_uid"
                progress pygrub-runas "$i" "$l"
        done
done
for i in $(seq "$runs"); do
        for l in "${disks[@]}"; do
                run_bare "$(cell bare "$l")" "$work/disks/$l.img" "$l"
                progress bare "$i" "$l"
        done
done
for i in $(seq "$runs"); do
        for l in "${disks[@]}"; do
                run_pvboot "$(cell cold "$l")" "$work/disks/$l.img" "$l" --no-daemon
                progress cold "$i" "$l"
        done
done

# 2. Warm: the daemon's pool full and idle before each request (the refill
#    of the previous one done, so it does not compete), a fresh copy of
#    the disk each time so that the cache cannot answer.
start_bus "$work"
export DBUS_SYSTEM_BUS_ADDRESS
start_daemon build/pvboot-selectd --pool-size=2 "${daemon_args[@]}"
for i in $(seq "$runs"); do
        for l in "${disks[@]}"; do
                cp --sparse=always "$work/disks/$l.img" "$work/fresh.img"
                wait_prop PoolReady 2 || { say "the pool never filled: $(tail -3 "$work/daemon.log")"; exit 1; }
                sleep 2
                appl_start
                run_pvboot "$(cell warm "$l")" "$work/fresh.img" "$l"
                rm -f "$work/fresh.img"
                progress warm "$i" "$l"
        done
done

# 3. Cache hits: the same disk again, once to fill the cache.
for l in "${disks[@]}"; do
        wait_prop PoolReady 2 || true
        run_pvboot "$work/cells/cache-fill" "$work/disks/$l.img" "$l"
        for i in $(seq "$runs"); do
                run_pvboot "$(cell cache "$l")" "$work/disks/$l.img" "$l"
                progress cache "$i" "$l"
        done
done

# 4. An idle pooled clone: current RSS and PSS after 20 s of idleness.
wait_prop PoolReady 2 || true
sleep 20
idle_rows=$(appl_idle)

# 4b. Eight requests at once, as an orchestrator starting eight guests
#     does: distinct disks (no cache), a pool of 2, the rest restored on
#     demand.
say "8 concurrent requests"
wait_prop PoolReady 2 || true
sleep 2
conc_start=$EPOCHREALTIME
for i in 1 2 3 4 5 6 7 8; do
        l=${disks[$(((i - 1) % ${#disks[@]}))]}
        cp --sparse=always "$work/disks/$l.img" "$work/conc-$i.img"
done
conc_pids=()
for i in 1 2 3 4 5 6 7 8; do
        l=${disks[$(((i - 1) % ${#disks[@]}))]}
        (
                s=$EPOCHREALTIME
                rc=0
                build/tests/libxl-run --domid=$((20 + i)) --expect-stage1="$(stage1 "$l")" build/pvboot-select \
                        "$work/conc-$i.img" --host-caps="$host_caps" -v >"$work/conc-$i.log" 2>&1 || rc=$?
                kind=$(grep -o 'answered [a-z ]* in' "$work/conc-$i.log" | awk '{print $(NF-2)}' || true)
                echo "$i $l $rc ${kind:--} $(awk -v s="$s" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.3f", e - s }')" >"$work/conc-$i.result"
        ) &
        conc_pids+=($!)
done
wait "${conc_pids[@]}"          # not the daemon's and the bus's shells
conc_total=$(awk -v s="$conc_start" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.2f", e - s }')
stop_daemon

# 5. Host boot: a fresh daemon (empty cache, pool filled as it would be by
#    the time xendomains runs), then guests one after another with no
#    wait between them, each a distinct disk.
say "host boot: $hostboot guests"
mkdir -p "$work/hostboot"
hb_disks=()
for i in $(seq "$hostboot"); do
        l=${disks[$(((i - 1) % ${#disks[@]}))]}
        cp --sparse=always "$work/disks/$l.img" "$work/hostboot/$i-$l.img"
        hb_disks+=("$i-$l")
done
start_daemon build/pvboot-selectd --pool-size=2 "${daemon_args[@]}"
wait_prop PoolReady 2 || { say "the pool never filled"; exit 1; }
sleep 2
hb_start=$EPOCHREALTIME
for d in "${hb_disks[@]}"; do
        run_pvboot "$work/cells/hostboot" "$work/hostboot/$d.img" "${d#*-}"
        echo "$d $(awk -v s="$hb_start" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.2f", e - s }')" >>"$work/cells/hostboot.at"
        say "host boot $d: $(tail -1 "$work/cells/hostboot" | cut -c1-100)"
done
hb_total=$(awk -v s="$hb_start" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.2f", e - s }')
stop_daemon
stop_bus

# --- The report -------------------------------------------------------------

label() {
        case $1 in
        pygrub) echo "pygrub -q" ;;
        pygrub-runas) echo "pygrub --runas=$runas_uid" ;;
        bare) echo "bare libguestfs" ;;
        cold) echo "pvboot-select cold" ;;
        warm) echo "pvboot-select warm" ;;
        cache) echo "pvboot-select cache hit" ;;
        esac
}
describe() {
        case $1 in
        mbr64) echo "MBR, one ext4 (/), amd64 kernel" ;;
        gpt32) echo "GPT, one ext4 (/), 686-pae kernel" ;;
        sepboot32) echo "MBR, /boot + / partitions, 686-pae kernel" ;;
        gptlvm64) echo "GPT, /boot partition + LVM root, amd64 kernel" ;;
        lvmboot64) echo "GPT, LVM only (/boot and / are LVs), amd64 kernel" ;;
        esac
}
range() { [ $# -gt 0 ] || { echo -; return; }; printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (v[1] == v[NR]) ? v[1] : v[1] " – " v[NR] }'; }
median_of() { field "$(cell "$1" "$2")" 2 | stats | awk '{print $2}'; }
ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
paths=(pygrub pygrub-runas bare cold warm cache)
steps=(launch bind rescan search read validate reply copy total)

report() {
        local l p s line n med p99 mn mx fails rss qemu sum notes=() why pg bare
        echo "# bench/run.sh $runs — $started UTC"
        echo
        echo "$(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(free -g | awk '/^Mem:/ { print $2 }') GiB;"
        echo "appliances under TCG (no usable KVM); load average at start $load_at_start."
        echo "libguestfs $(ver libguestfs0), supermin $(ver supermin), qemu $(ver qemu-system-x86), pygrub from xen-utils-4.17 $(ver xen-utils-4.17);"
        echo "pvboot-select $(git describe --always --dirty 2>/dev/null || echo '?') ($(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo '?'))."
        echo "RUNS=$runs, BENCH_HOSTBOOT=$hostboot${BENCH_DAEMON_ARGS:+, BENCH_DAEMON_ARGS=\"$BENCH_DAEMON_ARGS\"}."
        echo
        echo "Sample disks (tests/mkdisk.sh debian-*, 256 MiB each): a Debian-style grub.cfg booting a real"
        echo "Debian kernel and a ${BENCH_INITRD_MB:-4} MiB initrd, and the pvboot ELF of the guest's width."
        echo
        echo "| disk | layout |"
        echo "|---|---|"
        for l in "${disks[@]}"; do echo "| $l | $(describe "$l") |"; done
        echo
        echo "## Decisions"
        echo
        echo "| disk | path | runs | median s | p99 s | min s | max s | peak RSS MiB | appliance peak MiB (qemu / Σ) | × pygrub | × bare |"
        echo "|---|---|---|---|---|---|---|---|---|---|---|"
        for l in "${disks[@]}"; do
                pg=$(median_of pygrub "$l")
                bare=$(median_of bare "$l")
                for p in "${paths[@]}"; do
                        s=$(cell "$p" "$l")
                        read -r n med p99 mn mx < <(field "$s" 2 | stats)
                        fails=$(grep -c '^fail' "$s" 2>/dev/null || true)
                        rss=$(field "$s" 3 | sort -g | tail -1)
                        qemu=$(field "$s" 6 | sort -g | tail -1)
                        sum=$(field "$s" 7 | sort -g | tail -1)
                        line="| $l | $(label "$p") | $n"
                        if [ "${fails:-0}" -gt 0 ]; then
                                line+=" (${fails} failed)"
                                why=$(grep -m1 '^fail' "$s" | cut -d' ' -f4- | cut -c1-160)
                                notes+=("$(label "$p") on $l: $fails of $((n + fails)) failed (median $(secs "$(awk '$1 == "fail" { print $2 }' "$s" | stats | awk '{print $2}')") s, peak RSS $(mib "$(awk '$1 == "fail" && $3 != "-" { print $3 }' "$s" | sort -g | tail -1)") MiB), e.g. \`$why\`")
                        fi
                        # Decisions not answered the way the cell means.
                        case $p in
                        warm | cache)
                                local wrong
                                wrong=$(awk -v k="$p" '$1 == "ok" && $4 != k' "$s" | wc -l)
                                [ "$wrong" = 0 ] || notes+=("$(label "$p") on $l: $wrong of $n decisions were not answered $p ($(awk -v k="$p" '$1 == "ok" && $4 != k { print $4 }' "$s" | sort | uniq -c | xargs))")
                                ;;
                        esac
                        line+=" | $(secs "$med") | $(secs "$p99") | $(secs "$mn") | $(secs "$mx") | $(mib "$rss")"
                        if [ -n "$qemu$sum" ]; then line+=" | $(mib "$qemu") / $(mib "$sum")"; else line+=" | -"; fi
                        line+=" | $(ratio "$med" "$pg") | $(ratio "$med" "$bare") |"
                        echo "$line"
                done
        done
        echo
        for s in "${notes[@]}"; do echo "* $s"; done
        [ ${#notes[@]} = 0 ] || echo
        echo "Medians across the disks (× pygrub and × bare on the same disk; disks where pygrub had no answer have no × pygrub):"
        echo
        echo "| path | median s, by disk | × pygrub | × bare |"
        echo "|---|---|---|---|"
        for p in "${paths[@]}"; do
                local meds=() rp=() rb=()
                for l in "${disks[@]}"; do
                        med=$(median_of "$p" "$l")
                        [ "$med" = - ] && continue
                        meds+=("$med")
                        r=$(ratio "$med" "$(median_of pygrub "$l")"); [ "$r" = - ] || rp+=("$r")
                        r=$(ratio "$med" "$(median_of bare "$l")"); [ "$r" = - ] || rb+=("$r")
                done
                local secs_r=()
                for med in "${meds[@]}"; do secs_r+=("$(secs "$med")"); done
                echo "| $(label "$p") | $(range "${secs_r[@]}") | $(range "${rp[@]}") | $(range "${rb[@]}") |"
        done
        echo
        echo "## The template"
        echo
        echo "\`pvboot-select template --force\` (what pvboot-selectd's unit runs at every start): built in $tpl_build s."
        echo "On disk: template $tpl_du MiB (of which RAM image $tpl_ram MiB allocated of 512 MiB; migration stream $tpl_state bytes),"
        echo "appliance (kernel, initrd, root) $appl_du MiB."
        echo
        echo "## Host boot: $hostboot guests one after another, daemon with --pool-size=2"
        echo
        echo "| # | guest disk | answered | latency s | daemon s | done at s |"
        echo "|---|---|---|---|---|---|"
        paste -d' ' "$work/cells/hostboot" "$work/cells/hostboot.at" | awk '{
                printf "| %d | %s | %s | %s | %s | %s |\n", NR, $(NF-1), ($1 == "ok" ? $4 : "FAILED"), $2 < 1 ? sprintf("%.3f", $2) : sprintf("%.2f", $2), ($1 == "ok" ? $5 : "-"), $NF }'
        echo
        read -r n med p99 mn mx < <(field "$work/cells/hostboot" 2 | stats)
        echo "Total $hb_total s for $hostboot guests (median $(secs "$med") s, max $(secs "$mx") s per guest);" \
             "answered: $(awk '$1 == "ok" { print $4 } $1 == "fail" { print "FAILED" }' "$work/cells/hostboot" | sort | uniq -c | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')."
        echo "warm = a pooled clone; cold = a clone the daemon restored for the request (pool empty);"
        echo "client-cold = the client's own clone (daemon busy or unreachable); cache = the decision cache."
        echo
        echo "## Eight concurrent requests, daemon with --pool-size=2"
        echo
        echo "| # | guest disk | result | answered | latency s |"
        echo "|---|---|---|---|---|"
        cat "$work"/conc-*.result | sort -n | awk '{ printf "| %d | %s | %s | %s | %s |\n", $1, $2, ($3 == 0 ? "right stage 1" : "FAILED"), $4, $5 }'
        echo
        echo "All 8 started at once; the last finished after $conc_total s;" \
             "$(awk '$3 == 0' "$work"/conc-*.result | wc -l) of 8 right, slowest $(cat "$work"/conc-*.result | awk '{print $5}' | sort -g | tail -1) s."
        echo
        echo "## Warm path breakdown (pvboot-select -v \`timing:\`, seconds)"
        echo
        cat "$work"/cells/warm.*.timing >"$work/timing" 2>/dev/null || true
        if [ ! -s "$work/timing" ]; then
                echo "No \`timing:\` line in pvboot-select -v's output: this build does not print one"
                echo "(it came with pvboot-select's per-step timing; merge it and run again)."
                echo
                echo "| step | median | p99 |"
                echo "|---|---|---|"
                for st in "${steps[@]}"; do echo "| $st | - | - |"; done
        else
                local head="| step | median | p99 | share of total (median)" rule="|---|---|---|---"
                for l in "${disks[@]}"; do head+=" | $l median"; rule+="|---"; done
                echo "$head |"
                echo "$rule|"
                local total_med dom= dom_med=0
                total_med=$(awk '{ for (i = 3; i <= NF; i++) if ($i ~ /^total=/) { sub(/^total=/, "", $i); print $i } }' "$work/timing" | stats | awk '{print $2}')
                for st in "${steps[@]}"; do
                        vals() { awk -v k="$st" -v d="${1:-}" 'd == "" || $1 == d { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$work/timing"; }
                        read -r n med p99 mn mx < <(vals | stats)
                        [ "$n" = 0 ] && [ "$st" = launch ] && continue
                        line="| $st | $(awk -v x="$med" 'BEGIN { print x == "-" ? "-" : sprintf("%.3f", x) }') | $(awk -v x="$p99" 'BEGIN { print x == "-" ? "-" : sprintf("%.3f", x) }')"
                        line+=" | $(awk -v x="$med" -v t="$total_med" 'BEGIN { print (x == "-" || t == "-" || t == 0) ? "-" : sprintf("%.0f%%", 100 * x / t) }')"
                        for l in "${disks[@]}"; do
                                line+=" | $(vals "$l" | stats | awk '{ print $2 == "-" ? "-" : sprintf("%.3f", $2) }')"
                        done
                        echo "$line |"
                        if [ "$st" != total ] && [ "$med" != - ] && awk -v a="$med" -v b="$dom_med" 'BEGIN { exit !(a > b) }'; then
                                dom=$st dom_med=$med
                        fi
                done
                echo
                echo "$(wc -l <"$work/timing") warm decisions. Dominant step: **$dom** (median $(awk -v x="$dom_med" 'BEGIN { printf "%.3f", x }') s of $(awk -v x="$total_med" 'BEGIN { printf "%.3f", x }') s)."
        fi
        echo
        echo "## Idle pooled clone (after 20 s idle, MiB)"
        echo
        echo "| clone | worker+qemu RSS | qemu RSS | qemu PSS |"
        echo "|---|---|---|---|"
        echo "$idle_rows"
        echo
        cat <<'TXT'
## What the numbers are

* **Wall time**: from just before the run is spawned to just after it exits (bash
  `$EPOCHREALTIME` around GNU `time`), i.e. the whole bootloader run as libxl waits for it,
  plus ~2 ms for the runner. pvboot-select runs under tests/libxl-run (libxl's argv,
  pty, environment and output file; it checks the returned stage 1 is the expected
  width's). pygrub runs under bench/pty-run with the same argv, output directory and
  file, pty and TERM=vt100, plus `bootloader_args = ["-q"]` (without `-q` pygrub shows
  its menu for the grub.cfg's timeout); its answer is checked to be byte-identical
  copies of the guest's kernel and initrd. `--runas` is libxl's restricted mode
  (`--runas=UID --quiet`): pygrub forks, unshares mount/IPC/net namespaces, bind-mounts
  the disk read-only into a tmpfs chroot and drops to the uid. bare libguestfs is
  bench/bare-find.c: add the disk read-only (format raw), launch under TCG with
  libguestfs's defaults, list filesystems, mount each read-only, glob the pvboot ELFs.
* **p99** is nearest-rank: with fewer than 100 runs it is the maximum.
* **peak RSS**: GNU `time`'s `%M`, the largest peak RSS of any single process of the run
  that was waited for: for pygrub the python process; for bare libguestfs and
  pvboot-select cold that is qemu (reaped by libguestfs, resp. by pvboot-select as
  child subreaper); for warm and cache hits the client side only (libxl-run,
  pvboot-select), as the appliance belongs to the daemon.
* **appliance peak** (warm only): the pooled clone that served the decision
  (pvboot-selectd's worker process group: worker and qemu), each process's VmHWM
  from /proc/PID/status, sampled every 0.1 s until the group is killed after
  answering: qemu's, and the sum over the group (an upper bound of the group's
  peak). Cold decisions restore the same kind of clone in their own process tree,
  so their qemu is in "peak RSS".
* **qemu PSS** (idle clone): /proc/PID/smaps_rollup's Pss: the template's RAM pages a
  clone only read are shared with every other clone (one sealed memfd), so they count
  once across clones.
* **warm**: each request waits until the pool is full (PoolReady=2) plus 2 s, and uses a
  fresh copy of the disk, so the cache cannot answer. **cache hit**: the same disk
  again after one decision filled the cache.
* **host boot**: no wait between guests; the pool refills while decisions run.
TXT
}

# Every decision's number, for bench/plot.sh (its format is there).
raw() {
        local p l
        for l in "${disks[@]}"; do
                for p in "${paths[@]}"; do
                        [ ! -f "$(cell "$p" "$l")" ] ||
                                awk -v p="$p" -v l="$l" '{ print "decision", p, l, $2, $1 }' "$(cell "$p" "$l")"
                done
        done
        paste -d' ' "$work/cells/hostboot" "$work/cells/hostboot.at" |
                awk '{ print "hostboot", NR, $(NF - 1), $2, $1, ($1 == "ok" ? $4 : "-"), $NF }'
}

mkdir -p bench/results
out=${BENCH_OUT:-}
if [ -z "$out" ]; then
        out=bench/results/$(date -u +%F).md
        n=2
        while [ -e "$out" ]; do out=bench/results/$(date -u +%F)-$n.md; n=$((n + 1)); done
fi
raw >"${out%.md}.tsv"
# The pictures beside the report (bench/plot.sh), linked from it.
plots=
if command -v gnuplot >/dev/null && bash bench/plot.sh "${out%.md}.tsv"; then
        plots=$(basename "${out%.md}")
else
        say "no pictures: gnuplot is missing or failed (bash tools/install-deps.sh)"
fi
report >"$work/report.md"
if [ -n "$plots" ]; then
        sed -i "0,/^## Decisions$/s||## Decisions\\n\\n![Wall time of every decision, per disk and path, log scale]($plots-latency.svg)|" \
                "$work/report.md"
        sed -i "0,/^## Host boot: .*/s||&\\n\\n![Host boot timeline]($plots-hostboot.svg)|" "$work/report.md"
fi
cp "$work/report.md" "$out"
cat "$work/report.md"
say "report written to $out (raw numbers: ${out%.md}.tsv${plots:+; pictures: ${out%.md}-*.svg})"
