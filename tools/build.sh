#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Configure (once) and build into ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f build/build.ninja ]; then
        meson setup build
fi
ninja -C build
