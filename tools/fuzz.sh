#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tools/fuzz.sh [SECONDS-PER-TARGET] [RUNS]
#
# Build the libFuzzer targets with clang, ASan and UBSan (build-fuzz/), start
# each from the committed corpus (src/fuzz/corpus/TARGET: the seeds of
# tools/fuzz-seeds.sh and every regression input), run it for a bounded
# time (or a number of executions), and print a table of executions and
# findings.  libFuzzer writes what it learns into build-fuzz/corpus-TARGET,
# never into the committed corpus.  A crash input is kept in
# build-fuzz/findings/ and makes this exit non-zero: copy it into
# src/fuzz/corpus/TARGET/ so it becomes a regression test.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
runs=${2:--1}
targets=(elf-notes kernel-header output args report agent-reply qmp lvm-metadata zfs-listing stage1 grub-menu)

if [ ! -f build-fuzz/build.ninja ]; then
        CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 1
fi
if ! ninja -C build-fuzz $(printf 'src/fuzz/fuzz-%s ' "${targets[@]}") >build-fuzz/build.log 2>&1; then
        echo "tools/fuzz.sh: the clang build failed:"
        grep -E 'error|FAILED' build-fuzz/build.log | head -n 20
        exit 1
fi
mkdir -p build-fuzz/findings

failed=0
printf '| target | seconds | executions | exec/s | corpus | result |\n|---|---|---|---|---|---|\n'
for t in "${targets[@]}"; do
        corpus=build-fuzz/corpus-$t
        mkdir -p "$corpus"
        log=build-fuzz/fuzz-$t.log
        start=$(date +%s)
        build-fuzz/src/fuzz/fuzz-$t -max_total_time="$secs" -runs="$runs" -max_len=65536 \
                -artifact_prefix="build-fuzz/findings/$t-" -print_final_stats=1 \
                "$corpus" "src/fuzz/corpus/$t" >"$log" 2>&1
        rc=$?
        el=$(( $(date +%s) - start ))
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
        ncorp=$(ls "$corpus" | wc -l)
        if [ $rc = 0 ]; then res=ok; else res="FINDING (see $log)"; failed=$((failed + 1)); fi
        printf '| %s | %s | %s | %s | %s | %s |\n' "$t" "$el" "${execs:-?}" "${rate:-?}" "$ncorp" "$res"
done
echo "$(( ${#targets[@]} - failed )) passed, $failed failed"
[ $failed = 0 ]
