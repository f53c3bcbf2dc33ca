/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The agent's LVM metadata reader (src/agent/lvm.h) on any text: it ends,
 * and every table it would load has contiguous lines, each of a target we
 * load, on one of the disk's own PVs. */
#include <stdlib.h>
#include <string.h>

#include "agent/lvm.h"
#include "fuzz/fuzz.h"
#include "shared/macro.h"
#include "shared/test-util.h"

static void check(void *userdata, const char *vg, const char *lv, const char *table, size_t n_lines) {
        unsigned long long next = 0;
        (void) userdata;
        CHECK(vg[0] && lv[0] && strlen(vg) < 128 && strlen(lv) < 128);
        CHECK(n_lines > 0);
        for (size_t i = 0; i < n_lines; i++, table += strlen(table) + 1) {
                unsigned long long start, len;
                char target[16];
                CHECK(sscanf(table, "%llu %llu %15s", &start, &len, target) == 3);
                CHECK(start == next && len > 0);
                CHECK(strcmp(target, "linear") == 0 || strcmp(target, "striped") == 0);
                CHECK(strstr(table, " 8:17 ") || strstr(table, " 8:18 "));
                next = start + len;
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        LvmPv pvs[2] = {
                { .major = 8, .minor = 17, .uuid = "NbWBKx2PUEJnaF83u73dks1iFFeoqOGw" },
                { .major = 8, .minor = 18, .uuid = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
        };
        _cleanup_free_ char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = 0;
        (void) lvm_parse_lvs(text, pvs, 2, check, NULL);
        return 0;
}
