#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-security.sh SYSTEMD-ANALYZE UNIT...: each unit's offline exposure
# must be at most 2.0 (issue: hardened daemon).  Prints the scores.
set -uo pipefail
analyze=$1; shift
rc=0
for u in "$@"; do
        out=$("$analyze" security --offline=true --no-pager "$u" 2>&1)
        score=$(grep -o 'Overall exposure level for [^:]*: [0-9.]*' <<<"$out" | awk '{print $NF}')
        if [ -z "$score" ]; then
                echo "$(basename "$u"): no score: $out" | tail -3
                rc=1
        elif awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
                echo "$(basename "$u"): exposure $score (<= 2.0)"
        else
                echo "$(basename "$u"): exposure $score > 2.0"
                grep '✗' <<<"$out"
                rc=1
        fi
done
exit $rc
