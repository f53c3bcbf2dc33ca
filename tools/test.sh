#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Install dependencies, build, and run the whole test suite: unit tests,
# then the integration tests on the real appliance and the real daemon
# (several minutes under TCG).  Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh || exit 1
bash tools/build.sh || exit 1

meson test -C build --print-errorlogs --num-processes 2 "$@"
rc=$?

# The end-to-end test's record/replay seam lives only in a separate build
# (-De2e_replay=true); test it there too, unit tests included.
if [ ! -f build-e2e/build.ninja ]; then
        meson setup build-e2e -De2e_replay=true >/dev/null || exit 1
fi
ninja -C build-e2e >/dev/null || exit 1
meson test -C build-e2e --print-errorlogs --suite unit --suite replay
rc2=$?

# ASan + UBSan over the unit tests and the fuzz-corpus replays.
if [ ! -f build-asan/build.ninja ]; then
        meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 1
fi
ninja -C build-asan >/dev/null || exit 1
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        meson test -C build-asan --print-errorlogs --suite unit --suite fuzz
rc3=$?

# Each libFuzzer target for a bounded time (clang, ASan, UBSan).
bash tools/fuzz.sh "${PVBOOT_FUZZ_SECONDS:-30}"
rc4=$?

# A packager's install into a staging root: every file where libxl,
# man, bash-completion and systemd-sysusers look for it.
rm -rf build/destdir-test
DESTDIR="$PWD/build/destdir-test" meson install -C build --quiet >/dev/null
rc5=0
for f in usr/local/bin/pvboot-select usr/local/sbin/pvboot-selectd usr/local/share/man/man1/pvboot-select.1 \
         usr/local/share/man/man8/pvboot-selectd.8 usr/local/share/man/man5/org.pvbootselect1.5 \
         usr/local/share/man/man5/pvboot-select.conf.5 usr/local/share/doc/pvboot-select/pvboot-select.conf.example \
         usr/local/share/bash-completion/completions/pvboot-select usr/local/lib/sysusers.d/pvboot-select.conf \
         usr/local/lib/tmpfiles.d/pvboot-select.conf usr/local/share/dbus-1/system.d/org.pvbootselect1.conf \
         usr/local/lib/systemd/system/pvboot-selectd.service usr/local/lib/systemd/system/pvboot-select-xenstore.service; do
        [ -e "build/destdir-test/$f" ] || { echo "install: missing $f"; rc5=1; }
done
[ -x "$(ls build/destdir-test/usr/local/lib/*/pvboot-select/pvboot-agent 2>/dev/null | head -n 1)" ] ||
        { echo "install: missing the appliance agent"; rc5=1; }
[ -x "$(ls build/destdir-test/usr/local/lib/*/pvboot-select/template-qemu 2>/dev/null | head -n 1)" ] ||
        { echo "install: missing the template's qemu wrapper"; rc5=1; }
xl_link=$(ls -d build/destdir-test/usr/lib/xen-[0-9]*/bin/pvboot-select 2>/dev/null)
if ls -d /usr/lib/xen-[0-9]*/bin >/dev/null 2>&1 && [ -z "$xl_link" ]; then
        echo "install: no pvboot-select link in Xen's libexec bin dir"; rc5=1
fi
[ $rc5 = 0 ] && echo "install: DESTDIR layout ok"

# meson's summaries, the fuzz run and the install check, as one plain line.
python3 - "$rc4" "$rc5" build/meson-logs/testlog.json build-e2e/meson-logs/testlog.json build-asan/meson-logs/testlog.json <<'PY' || true
import json, sys
ok = bad = skip = 0
for rc in sys.argv[1:3]:        # tools/fuzz.sh, the DESTDIR check
    if rc == "0": ok += 1
    else: bad += 1
for path in sys.argv[3:]:
    for line in open(path):
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"): ok += 1
        elif r == "SKIP": skip += 1
        else: bad += 1
print(f"{ok} passed, {bad} failed, {skip} skipped")
PY
[ $rc = 0 ] && [ $rc2 = 0 ] && [ $rc3 = 0 ] && [ $rc4 = 0 ] && [ $rc5 = 0 ]
