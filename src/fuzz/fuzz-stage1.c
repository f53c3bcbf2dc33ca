/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The stage 1 reader on arbitrary bytes, for each kind: it never crashes,
 * says why when it refuses, and what it accepts is a list the worker and
 * the daemon would accept too.  The seeds are grub-mkimage images cut down
 * (tools/fuzz-seeds.sh): their code removed, their modules few and small.
 */
#include <string.h>

#include "fuzz/fuzz.h"
#include "selector/stage1.h"
#include "shared/test-util.h"
#include "shared/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++) {
                ByteSource s;
                SearchList l;
                char why[512];
                int r;

                byte_source_from_buffer(&s, data, size);
                why[0] = 0;
                r = stage1_read(&s, k, "fuzz", &l, why, sizeof(why));
                if (r < 0) {
                        CHECK(why[0] != 0);
                        CHECK(text_is_printable(why, sizeof(why)) || strnlen(why, sizeof(why)) < sizeof(why));
                        continue;
                }
                CHECK_EQ(r, 0);
                CHECK_EQ(search_list_check(&l, k), 0);
                CHECK(l.from_image && l.modules_known);
        }
        return 0;
}
