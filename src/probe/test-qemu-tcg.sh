#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-qemu-tcg.sh WRAPPER: the wrapper rewrites exactly the accelerator,
# keeps every other argument (spaces included) in order, and leaves qemu
# alone when no cache size is set.
set -euo pipefail
wrapper=$1
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
printf '#!/bin/sh\nfor a in "$@"; do printf "[%%s]" "$a"; done\n' >"$fake/qemu-system-x86_64"
chmod +x "$fake/qemu-system-x86_64"
run() { PATH="$fake:$PATH" "$wrapper" "$@"; }
check() {
        [ "$1" = "$2" ] || { echo "FAIL: got $1, want $2"; exit 1; }
}
check "$(PVBOOT_TCG_CACHE_MB=32 run -m 512 -machine accel=tcg -kernel 'a b')" \
      "[-m][512][-accel][tcg,tb-size=32][-kernel][a b]"
check "$(PVBOOT_TCG_CACHE_MB=32 run -machine accel=tcg,graphics=off -cpu max)" \
      "[-machine][graphics=off][-accel][tcg,tb-size=32][-cpu][max]"
check "$(PVBOOT_TCG_CACHE_MB=32 run -machine q35 -help)" "[-machine][q35][-help]"
check "$(run -machine accel=tcg -version)" "[-machine][accel=tcg][-version]"
check "$(PVBOOT_TCG_CACHE_MB= run -machine accel=tcg)" "[-machine][accel=tcg]"
if PVBOOT_TCG_CACHE_MB='1;reboot' run -version 2>/dev/null; then
        echo "FAIL: a non-number was accepted"; exit 1
fi
echo ok
