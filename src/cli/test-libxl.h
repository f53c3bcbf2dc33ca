/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * libxl's reading of a bootloader's output record, for the tests, the fuzz
 * target and tests/libxl-run: bootloader_result_command() in
 * tools/libs/light/libxl_bootloader.c.  A record is the keyword, at least
 * one isspace() character, then the value with leading white space
 * stripped.  One copy, so every consumer checks against the same reading.
 */

#include <ctype.h>
#include <string.h>

static inline const char *libxl_result_command(const char *buf, const char *prefix) {
        size_t l = strlen(prefix);
        const char *rhs;

        if (strncmp(buf, prefix, l) != 0)
                return NULL;
        rhs = buf + l;
        if (!isspace((unsigned char) *rhs))
                return NULL;
        while (isspace((unsigned char) *rhs))
                rhs++;
        return rhs;
}
