#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install dependencies, then build and test the two configurations the
# suite runs in, each with one `meson test` (the suites, their environment
# and the install check are meson's: tests/meson.build):
#   build/       the product: unit, fuzz replays, install, integration
#                (the real appliance and the real daemon, several minutes
#                under TCG); arguments go to this meson test; then the
#                end-to-end run under real Xen (setup and suite e2e), the
#                real appliance in its dom0
#   build-asan/  ASan + UBSan, test setup 'asan': unit tests, fuzz replays
# then each libFuzzer target for a bounded time (tools/fuzz.sh), then the
# Debian package as an admin uses it (build/, test setup 'package':
# tests/package.sh; a few minutes, a first debootstrap cached).  Ends with
# one "N passed, N failed, N skipped" line that counts scenarios: every
# TAP result of the shell suites, every other test once, every libFuzzer
# target once; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh || exit 1
bash tools/build.sh || exit 1

rc=0
rm -f build/meson-logs/testlog*     # counted below: never a stale run's
meson test -C build --print-errorlogs --num-processes 2 "$@" || rc=1
# libxl itself running pvboot-select on real Xen (tests/e2e): Xen and a
# Debian dom0 under TCG, real domains built from its answers.
meson test -C build --setup e2e --suite e2e --print-errorlogs || rc=1

variant() {     # variant DIR SETUP [meson setup options]
        local dir=$1 setup=$2
        shift 2
        if [ ! -f "$dir/build.ninja" ]; then
                meson setup "$dir" "$@" >/dev/null || exit 1
        fi
        ninja -C "$dir" >/dev/null || exit 1
        rm -f "$dir"/meson-logs/testlog*
        meson test -C "$dir" --setup "$setup" --print-errorlogs --num-processes 2 || rc=1
}
variant build-asan asan -Db_sanitize=address,undefined -Db_lundef=false

bash tools/fuzz.sh "${PVBOOT_FUZZ_SECONDS:-30}" | tee build/fuzz-summary.txt
[ "${PIPESTATUS[0]}" = 0 ] || rc=1

meson test -C build --setup package --suite package --print-errorlogs || rc=1

# meson's logs (testlog[-SETUP].json: one line per test;
# testlog[-SETUP].junit.xml: one testcase per TAP result) and the fuzz
# run, as one plain line.
python3 - build/fuzz-summary.txt build/meson-logs/testlog build/meson-logs/testlog-e2e \
        build-asan/meson-logs/testlog-asan \
        build/meson-logs/testlog-package <<'PY' || rc=1
import json, re, sys
import xml.etree.ElementTree as et

ok = bad = skip = 0
m = re.search(r'^(\d+) passed, (\d+) failed$', open(sys.argv[1]).read(), re.M)
if m:
    ok += int(m.group(1)); bad += int(m.group(2))
else:
    bad += 1                                    # tools/fuzz.sh did not finish
for log in sys.argv[2:]:
    try:
        junit = et.parse(log + '.junit.xml').getroot()
        tests = [json.loads(line) for line in open(log + '.json')]
    except (OSError, ValueError, et.ParseError) as e:
        print(f"test.sh: {log}: {e}")          # that meson test did not finish
        bad += 1
        continue
    tap = {}                                    # junit suite name -> results
    for suite in junit.iter('testsuite'):
        tap[suite.get('name')] = [('skip' if c.find('skipped') is not None else
                                   'bad' if c.find('failure') is not None or c.find('error') is not None else
                                   'ok') for c in suite.iter('testcase')]
    for t in tests:
        good = t['result'] in ('OK', 'EXPECTEDFAIL')
        subs = tap.get(t['name'].split(':')[0] + '.' + t['name'])
        if subs:                                # a TAP test: its results
            ok += subs.count('ok'); bad += subs.count('bad'); skip += subs.count('skip')
            # It failed past its results (a bail-out, a missing plan, a crash).
            if not good and t['result'] != 'SKIP' and 'bad' not in subs:
                bad += 1
        elif good: ok += 1
        elif t['result'] == 'SKIP': skip += 1
        else: bad += 1
print(f"{ok} passed, {bad} failed, {skip} skipped")
sys.exit(1 if bad else 0)
PY
exit $rc
