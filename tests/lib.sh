# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by every shell suite (integration.sh, hostile/run.sh, faults.sh,
# daemon.sh): what they share about the machine they run on,
# their scratch directory, and the one way they report.
#
# Reporting is TAP, which meson reads (protocol : 'tap'): every scenario is
# reported, shown and counted on its own, while the expensive setup (the
# template, the sample disks, a private bus and daemon) is paid once per
# suite.
#
#   ok NAME                  "ok N - NAME"
#   bad NAME [DETAIL...]     "not ok N - NAME", each DETAIL line as "# ..."
#   check NAME CMD...        ok or bad on CMD's exit status
#   skip NAME REASON         "ok N - NAME # SKIP REASON": not applicable here
#   skip_all REASON          "1..0 # SKIP REASON", exit 0: meson's SKIP
#   bail REASON              "Bail out! REASON", exit 1: the setup failed
#   done_testing             the plan ("1..N"), a count on stderr; exits 1
#                            if any scenario failed
#
# TAP is written to fd 3, the suite's original stdout; from sourcing on,
# stdout is stderr, so nothing a suite or its tools print can be taken for
# a result.

tests_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
s64=/usr/lib/grub-xen/grub-x86_64-xen.bin
s32=/usr/lib/grub-xen/grub-i386-xen.bin
spvh=/usr/lib/grub-xen/grub-i386-xen_pvh.bin
kernels=${KERNEL_DIR:-/var/cache/pvboot-select-tests/kernels}
# Scenarios run this many at a time where a suite runs them side by side.
jobs=${PVBOOT_TEST_JOBS:-2}

exec 3>&1 1>&2

# --- Reporting ---------------------------------------------------------------

_tap_n=0
_tap_failed=0

ok() {
        _tap_n=$((_tap_n + 1))
        echo "ok $_tap_n - ${1//#/_}" >&3
        echo "pass $1"
}

bad() {
        local name=$1
        shift
        _tap_n=$((_tap_n + 1))
        _tap_failed=$((_tap_failed + 1))
        echo "not ok $_tap_n - ${name//#/_}" >&3
        if [ $# -gt 0 ]; then
                printf '%s\n' "$@" | sed 's/^/# /' >&3
        fi
        echo "FAIL $name${1:+: $*}"
}

check() {
        local name=$1
        shift
        if "$@"; then ok "$name"; else bad "$name" "failed: $*"; fi
}

skip() {
        _tap_n=$((_tap_n + 1))
        echo "ok $_tap_n - ${1//#/_} # SKIP ${2//#/_}" >&3
        echo "skip $1: $2"
}

skip_all() {
        echo "1..0 # SKIP $1" >&3
        echo "SKIP: $1"
        exit 0
}

bail() {
        echo "Bail out! $1" >&3
        echo "FAIL: $1"
        exit 1
}

done_testing() {
        # A suite that checked nothing has not passed (skip_all says why
        # a suite cannot run; this is not that).
        [ "$_tap_n" -gt 0 ] || bail "no scenario ran"
        echo "1..$_tap_n" >&3
        echo "$((_tap_n - _tap_failed)) passed, $_tap_failed failed"
        [ "$_tap_failed" = 0 ] || exit 1
        exit 0
}

# --- What the machine must have: skip the whole suite otherwise -------------

require_root() {        # require_root WHY
        [ "$(id -u)" = 0 ] || skip_all "needs root ($1)"
}

require_tools() {       # require_tools TOOL...
        local t
        for t in "$@"; do
                command -v "$t" >/dev/null || skip_all "$t missing"
        done
}

require_stage1() {      # the host pvgrub2 stage 1 images (grub-xen-host)
        [ -r "$s64" ] && [ -r "$s32" ] || skip_all "grub-xen-host stage 1 images missing"
}

require_kernels() {     # the real Debian kernels the width tests read
        [ -s "$kernels/vmlinuz-amd64" ] && [ -s "$kernels/vmlinuz-686-pae" ] ||
                skip_all "real kernels missing (run tools/fetch-kernels.sh)"
}

require_user() {        # require_user NAME
        getent passwd "$1" >/dev/null || skip_all "no user $1 (tools/install-deps.sh creates it)"
}

# require_appliance_env WHY-ROOT TOOL...: the tools, the host stage 1
# images, root and the real kernels.
require_appliance_env() {
        local why=$1
        shift
        require_tools "$@"
        require_stage1
        require_root "$why"
        require_kernels
}

# The cold path in process: no pvboot-selectd can answer on this bus, so
# every run also takes the client's "daemon not reachable" fallback.
# tests/daemon.sh runs the same client against the real daemon.
cold_path_only() {
        export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/pvboot-select-no-bus
}

# --- Scratch directory --------------------------------------------------------

# make_work NAME: $work, a fresh /tmp/pvboot-NAME.XXXXXX, removed on exit
# after the commands given to on_exit (last registered, first run).
_on_exit=()
make_work() {
        work=$(mktemp -d "/tmp/pvboot-$1.XXXXXX") || bail "mktemp failed"
        trap _lib_cleanup EXIT
}

on_exit() {
        _on_exit=("$*" "${_on_exit[@]}")
}

_lib_cleanup() {
        local c
        for c in "${_on_exit[@]}"; do
                eval "$c" || true
        done
        rm -rf "$work"
}

# run_bg FUNC ARGS...: FUNC ARGS in the background once fewer than $jobs of
# ours run (the suites that run scenarios side by side); "wait" for all.
run_bg() {
        while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
        "$@" &
}
