/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* For the cli's unit tests: Options as libxl's argv with one extra
 * option would give them (parsed for real, by options_parse). */

#include <stdio.h>

#include "cli/args.h"
#include "shared/test-util.h"

static inline Options test_options(const char *extra) {
        char a0[] = "pvboot-select", a1[] = "--output-directory=/tmp", a3[] = "disk.img", a2[64];
        char *argv[] = { a0, a1, a2, a3, NULL };
        char err[256];
        Options o;

        snprintf(a2, sizeof(a2), "%s", extra);
        CHECK_EQ(options_parse(4, argv, &o, err, sizeof(err)), 0);
        return o;
}
