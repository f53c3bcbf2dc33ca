/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The agent's reader of grub-fstest's `ls -l` (src/agent/zfs.h) on any
 * bytes: it ends, and every entry it returns has a name GRUB could list
 * (non-empty, bounded, no '/', no NUL). */
#include <string.h>

#include "agent/zfs.h"
#include "fuzz/fuzz.h"
#include "shared/macro.h"
#include "shared/test-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static ZfsEntry e[64];
        int n = zfs_parse_listing((const char *) data, size, e, ELEMENTSOF(e));

        CHECK(n <= (int) ELEMENTSOF(e));
        for (int i = 0; i < n; i++) {
                size_t len = strnlen(e[i].name, sizeof(e[i].name));
                CHECK(len > 0 && len <= ZFS_MAX_NAME && !strchr(e[i].name, '/'));
                CHECK(!e[i].dir || e[i].size == 0);
        }
        (void) zfs_parse_error((const char *) data, size);
        return 0;
}
