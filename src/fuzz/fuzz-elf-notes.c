/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pvboot ELF reader on arbitrary bytes, for both names. */
#include <string.h>

#include "selector/elf-notes.h"
#include "fuzz/fuzz.h"
#include "shared/test-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        for (int a = PV_ARCH_NONE; a < _PV_ARCH_MAX; a++) {
                ByteSource s;
                ElfImage img;
                int r;

                byte_source_from_buffer(&s, data, size);
                r = elf_inspect(&s, (PvArch) a, &img);
                CHECK(r >= 0 && r < _ELF_VERDICT_MAX);
                if (r == ELF_PV_OK)
                        CHECK(img.arch == PV_ARCH_I386 || img.arch == PV_ARCH_X86_64);
                if (r == ELF_PV_OK && a != PV_ARCH_NONE)
                        CHECK(img.arch == (PvArch) a);
                for (unsigned t = 0; t < _XEN_ELFNOTE_MAX; t++) {
                        CHECK(img.notes[t].str[ELF_NOTE_SHOW] == 0);
                        CHECK(strlen(img.notes[t].str) <= ELF_NOTE_SHOW);
                }
                CHECK(img.n_notes <= ELF_NOTE_MAX_COUNT);
        }
        return 0;
}
