/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent's check of the worker's report: a report it accepts can be
 * acted on safely (printable text, a path index inside any search list;
 * that it names a chainload of the width is policy_chainload_path()'s). */
#include <string.h>

#include "fuzz/fuzz.h"
#include "selector/report.h"
#include "shared/test-util.h"
#include "shared/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static InspectReport r;

        memset(&r, 0, sizeof(r));
        memcpy(&r, data, size < sizeof(r) ? size : sizeof(r));
        /* Most inputs fail the magic; give half of them a valid header. */
        if (size > 0 && (data[0] & 1)) {
                r.magic = REPORT_MAGIC;
                r.version = REPORT_VERSION;
        }
        if (report_validate(&r) == 0) {
                CHECK(text_is_printable(r.message, sizeof(r.message)));
                CHECK(text_is_printable(r.fs, sizeof(r.fs)));
                CHECK(r.n_evidence <= REPORT_MAX_EVIDENCE);
                if (r.status == 0 && r.outcome == DECISION_OK) {
                        CHECK(r.arch == PV_ARCH_I386 || r.arch == PV_ARCH_X86_64);
                        if (r.source == SOURCE_PVBOOT)
                                CHECK(r.path_index < SEARCH_MAX_ENTRIES);
                }
        }
        return 0;
}
