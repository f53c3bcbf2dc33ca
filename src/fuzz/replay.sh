#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# replay.sh FUZZ-EXE TARGET: replay seeds and the committed regression
# corpus (src/fuzz/corpus/TARGET) through a plain (non-libFuzzer) build.
set -euo pipefail
exe=$1
target=$2
here=$(cd "$(dirname "$0")" && pwd)
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
bash "$here/seeds.sh" "$target" "$seeds"
args=("$seeds")
[ -d "$here/corpus/$target" ] && args+=("$here/corpus/$target")
exec "$exe" "${args[@]}"
