/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The argv parser on arbitrary NUL-separated words: it accepts or gives one
 * printable line, never more. */
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "fuzz/fuzz.h"
#include "shared/macro.h"
#include "shared/test-util.h"
#include "shared/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *buf = NULL;
        char *argv[66], err[512];
        int argc = 0;
        Options o;
        size_t pos = 0;

        if (size > 4096)
                return 0;
        buf = malloc(size + 1);
        CHECK(buf);
        memcpy(buf, data, size);
        buf[size] = 0;
        argv[argc++] = "pvboot-select";
        while (pos <= size && argc < 65) {
                argv[argc++] = buf + pos;
                pos += strlen(buf + pos) + 1;
        }
        argv[argc] = NULL;

        if (options_parse(argc, argv, &o, err, sizeof(err)) < 0) {
                CHECK(err[0] != 0);
                CHECK(text_is_printable(err, sizeof(err)));
        } else if (!o.help) {
                /* status alone takes no DISK; everything else needs one. */
                CHECK(o.status ? !o.disk : o.disk != NULL);
                CHECK(!o.json || o.inspect || o.status);
                /* pygrub's --kernel/--ramdisk are taken, and always said. */
                CHECK(!(o.kernel || o.ramdisk) || (o.pygrub_ignored & (1u << PYGRUB_KERNEL)));
                CHECK(!o.runas_set || o.runas != 0);
        }
        return 0;
}
