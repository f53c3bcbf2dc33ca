/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The admin's policy for an inspection (see policy.h). */
#include <string.h>

#include "selector/policy.h"

bool policy_format_valid(const char *s) {
        return s && *s && strlen(s) <= POLICY_FORMAT_MAX &&
               strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(s);
}
