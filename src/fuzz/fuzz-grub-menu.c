/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The grub.cfg menu scan (grub-script.h) on arbitrary bytes, as the worker
 * runs it on a guest's grub.cfg: it never crashes or reads past the text,
 * says why with the line when it gives up, and every line it names is one
 * the text has.  The lookup of a file next to the grub.cfg answers by the
 * name's first byte, so both answers are reached.  Seeds: Fedora's
 * BLS grub.cfg and Debian's (tools/fuzz-seeds.sh).
 */
#include <errno.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "selector/grub-script.h"

static bool exists(void *userdata, const char *name) {
        (void) userdata;
        CHECK(name[0] && name[0] != '/' && !strstr(name, ".."));
        return name[0] & 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *) data;
        size_t len = size > GRUB_MENU_SCAN_MAX ? GRUB_MENU_SCAN_MAX : size, lines = 1;
        GrubMenuScan m;
        char why[128];
        int r;

        for (size_t i = 0; i < len && text[i]; i++)
                lines += text[i] == '\n';
        why[0] = 0;
        r = grub_menu_scan(text, len, exists, NULL, &m, why, sizeof(why));
        if (r < 0) {
                CHECK(r == -EINVAL || r == -E2BIG);
                CHECK(strncmp(why, "line ", 5) == 0);
                return 0;
        }
        CHECK_EQ(r, 0);
        CHECK(m.blscfg_line <= lines && m.unsure_line <= lines && m.entry_line <= lines);
        CHECK((m.entries == 0) == (m.entry_line == 0));
        return 0;
}
