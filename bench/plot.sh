#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/plot.sh RESULT.tsv: draw a bench/run.sh result as SVG, beside it:
#   RESULT-latency.svg   every decision's wall time, per disk and path
#                        (pygrub and a bare libguestfs launch as anchors),
#                        on a log scale
#   RESULT-hostboot.svg  the host boot: each guest's decision as a bar from
#                        its start to its end, coloured by who answered
# bench/run.sh calls it after each run; run it by hand to redraw an older
# result.  Needs gnuplot (Debian's gnuplot-nox).
#
# RESULT.tsv (written by bench/run.sh), one line per decision:
#   decision PATH DISK WALL_S ok|fail
#   hostboot N DISK WALL_S ok|fail KIND DONE_AT_S
set -euo pipefail
tsv=$1
base=${tsv%.tsv}
command -v gnuplot >/dev/null || { echo "plot: no gnuplot (apt-get install gnuplot-nox)" >&2; exit 1; }
[ -s "$tsv" ] || { echo "plot: $tsv: no data" >&2; exit 1; }
title=$(basename "$base")
data=$(mktemp -d /tmp/bench-plot.XXXXXX)
trap 'rm -rf "$data"' EXIT

# The paths in the order bench/run.sh reports them, each at its offset
# within its disk's column.
paths=(pygrub pygrub-runas bare cold warm cache)
labels=("pygrub -q" "pygrub --runas" "bare libguestfs" "pvboot-select cold" "pvboot-select warm"
        "pvboot-select cache hit")
colours=("#7f7f7f" "#bcbd22" "#8c564b" "#1f77b4" "#2ca02c" "#9467bd")
read -r -a disks < <(awk '$1 == "decision" && !seen[$3]++ { printf "%s ", $3 } END { print "" }' "$tsv")
[ ${#disks[@]} -gt 0 ] || { echo "plot: $tsv has no decisions" >&2; exit 1; }
xtics=
for i in "${!disks[@]}"; do xtics+="${xtics:+, }\"${disks[$i]}\" $((i + 1))"; done

# One gnuplot data block per path and result: x = disk column + offset,
# plus a small spread so that equal times stay visible.
for i in "${!paths[@]}"; do
        for r in ok fail; do
                awk -v p="${paths[$i]}" -v r="$r" -v k="$i" -v list="${disks[*]}" '
                        BEGIN { n = split(list, d, " "); for (j = 1; j <= n; j++) col[d[j]] = j }
                        $1 == "decision" && $2 == p && $5 == r {
                                seen[$3]++
                                printf "%.4f %s\n", col[$3] + (k - 2.5) * 0.13 + ((seen[$3] % 5) - 2) * 0.012, $4
                        }' "$tsv" >"$data/${paths[$i]}.$r"
        done
done
{
        echo "set terminal svg size 960,520 dynamic enhanced font 'sans,11' background '#ffffff'"
        echo "set output '$base-latency.svg'"
        echo "set title \"$title: wall time of each decision, as libxl waits for it (log scale)\""
        echo "set ylabel 'seconds'"
        echo "set logscale y"
        echo "set format y '%g'"
        echo "set grid ytics mytics lc rgb '#dddddd'"
        echo "set xrange [0.5:${#disks[@]}.5]"
        echo "set xtics ($xtics)"
        echo "set key outside right top vertical"
        printf 'plot '
        sep=
        for i in "${!paths[@]}"; do
                if [ -s "$data/${paths[$i]}.ok" ]; then
                        printf "%s'%s' using 1:2 with points pt 7 ps 0.6 lc rgb '%s' title '%s'" \
                                "$sep" "$data/${paths[$i]}.ok" "${colours[$i]}" "${labels[$i]}"
                        sep=', '
                fi
                if [ -s "$data/${paths[$i]}.fail" ]; then
                        printf "%s'%s' using 1:2 with points pt 2 ps 0.9 lc rgb '%s' title '%s (failed)'" \
                                "$sep" "$data/${paths[$i]}.fail" "${colours[$i]}" "${labels[$i]}"
                        sep=', '
                fi
        done
        echo
} >"$data/latency.gp"
gnuplot "$data/latency.gp"

# The host boot: one bar per guest, from start (done at - wall) to end.
if awk '$1 == "hostboot"' "$tsv" | grep -q .; then
        kinds=(warm cold client-cold cache FAILED)
        kcolours=("#2ca02c" "#1f77b4" "#ff7f0e" "#9467bd" "#d62728")
        for k in "${kinds[@]}"; do
                awk -v k="$k" '$1 == "hostboot" {
                        kind = $5 == "ok" ? $6 : "FAILED"
                        if (kind == k) printf "%s %s %s \"%s\"\n", $7 - $4, $2, $4, $3
                }' "$tsv" >"$data/hb.$k"
        done
        n=$(awk '$1 == "hostboot"' "$tsv" | wc -l)
        total=$(awk '$1 == "hostboot" && $7 > m { m = $7 } END { print m }' "$tsv")
        {
                echo "set terminal svg size 960,$((160 + 18 * n)) dynamic enhanced font 'sans,11' background '#ffffff'"
                echo "set output '$base-hostboot.svg'"
                echo "set title \"$title: host boot, $n guests one after another (all done after $total s)\""
                echo "set xlabel 'seconds since the first guest'"
                echo "set ylabel 'guest'"
                echo "set yrange [$n.7:0.3]"
                echo "set ytics 1"
                echo "set xrange [0:*]"
                echo "set grid xtics lc rgb '#dddddd'"
                echo "set key outside right top vertical"
                printf 'plot '
                sep=
                for i in "${!kinds[@]}"; do
                        [ -s "$data/hb.${kinds[$i]}" ] || continue
                        printf "%s'%s' using 1:2:3:(0) with vectors nohead lw 8 lc rgb '%s' title '%s'" \
                                "$sep" "$data/hb.${kinds[$i]}" "${kcolours[$i]}" "${kinds[$i]}"
                        sep=', '
                done
                echo
        } >"$data/hostboot.gp"
        gnuplot "$data/hostboot.gp"
fi
echo "plot: $base-latency.svg${n:+ $base-hostboot.svg}" >&2
