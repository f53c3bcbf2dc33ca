#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion offers the options and values pvboot-select accepts.
set -u
bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || { echo "SKIP: bash-completion not installed"; exit 77; }
source "$bc"
source "$(dirname "$0")/pvboot-select.bash"
fail=0
t() {   # t WORD EXPECTED...
        local w=$1; shift
        COMP_LINE="pvboot-select $w"; COMP_WORDS=(pvboot-select "$w"); COMP_CWORD=1; COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        _pvboot_select 2>/dev/null
        if [ "${COMPREPLY[*]}" != "$*" ]; then
                echo "FAIL: '$w' -> '${COMPREPLY[*]}', expected '$*'"; fail=1
        fi
}
t --force-arch=x x86_64
t --prefer=i i386
t --pv --pvh --pvshim
t --output-format=s simple0 simple sxp
t --ti --timeout=
t --host --host-caps=
t --js --json
t ins inspect
t st status
# Every option the program knows is offered.
for o in $("$1" --help | grep -o -- '--[a-z0-9_-]*' | sort -u); do
        COMP_LINE="pvboot-select $o"; COMP_WORDS=(pvboot-select "$o"); COMP_CWORD=1; COMP_POINT=${#COMP_LINE}
        COMPREPLY=(); _pvboot_select 2>/dev/null
        [ ${#COMPREPLY[@]} -gt 0 ] || { echo "FAIL: $o is not completed"; fail=1; }
done
[ $fail = 0 ] && echo ok
exit $fail
