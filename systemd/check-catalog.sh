#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-catalog.sh JOURNALCTL CATALOG JOURNAL_H: the catalog compiles as
# systemd compiles it (journalctl --update-catalog, in a root of its own),
# and explains exactly the MESSAGE_IDs the code sends (journal.h), each
# with a subject and a body.
set -uo pipefail
journalctl=$1 catalog=$2 header=$3
root=$(mktemp -d /tmp/check-catalog.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/lib/systemd/catalog" "$root/var/lib/systemd/catalog"
cp "$catalog" "$root/usr/lib/systemd/catalog/"
"$journalctl" --root="$root" --update-catalog || { echo "the catalog does not compile"; exit 1; }

code=$(sed -n 's/^#define PVBOOT_MESSAGE_[A-Z]* "\([0-9a-f]\{32\}\)"$/\1/p' "$header" | sort)
listed=$("$journalctl" --root="$root" --list-catalog | awk '{print $1}' | sort)
[ "$(wc -w <<<"$code")" = 3 ] || { echo "expected 3 ids in $header, found: $code"; exit 1; }
[ "$code" = "$listed" ] || { echo "ids in the code: $code; in the catalog: $listed"; exit 1; }
rc=0
for id in $code; do
        entry=$("$journalctl" --root="$root" --dump-catalog "$id")
        subject=$(sed -n 's/^Subject: //p' <<<"$entry")
        body=$(awk 'f; /^$/ { f = 1 }' <<<"$entry" | grep -c .)
        if [ -n "$subject" ] && [ "$body" -ge 3 ]; then
                echo "$id: $subject ($body lines)"
        else
                echo "$id: subject '$subject', $body lines of text"
                rc=1
        fi
done
exit $rc
