#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install dependencies, build, and run the whole test suite: unit tests,
# then the integration tests on the real appliance (several minutes under
# TCG).  Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh || exit 1
bash tools/build.sh || exit 1

meson test -C build --print-errorlogs --num-processes 2 "$@"
rc=$?

# meson's summary, as one plain line.
python3 - build/meson-logs/testlog.json <<'PY' || true
import json, sys
ok = bad = skip = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"): ok += 1
    elif r == "SKIP": skip += 1
    else: bad += 1
print(f"{ok} passed, {bad} failed, {skip} skipped")
PY
exit $rc
