/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Fuzz targets: each file defines LLVMFuzzerTestOneInput.  Built with
 * clang -fsanitize=fuzzer when -Dfuzzing=true; otherwise linked with
 * fuzz-main.c, a plain main that replays saved inputs (seed corpora and
 * regression files) under meson test, so every finding stays a test.
 * A target aborts (via CHECK) on a violated property, not only on a crash.
 */

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
