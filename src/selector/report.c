/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Validation of the child's report (see report.h). */
#include <errno.h>

#include "selector/report.h"
#include "shared/text.h"

const char *report_stage_to_string(ReportStage s) {
        static const char *const names[_STAGE_MAX] = {
                [STAGE_LAUNCH] = "launch",
                [STAGE_BIND] = "bind",
                [STAGE_RESCAN] = "rescan",
                [STAGE_SEARCH] = "search",
                [STAGE_READ] = "read",
                [STAGE_VALIDATE] = "validate",
        };
        return s < _STAGE_MAX ? names[s] : NULL;
}

int report_validate(const InspectReport *r) {
        if (r->magic != REPORT_MAGIC || r->version != REPORT_VERSION)
                return -EBADMSG;
        if (!text_is_printable(r->fs, sizeof(r->fs)) || !text_is_printable(r->message, sizeof(r->message)))
                return -EBADMSG;
        if (r->n_evidence > REPORT_MAX_EVIDENCE)
                return -EBADMSG;
        for (uint32_t i = 0; i < r->n_evidence; i++)
                if (!text_is_printable(r->evidence[i], sizeof(r->evidence[i])))
                        return -EBADMSG;
        if (r->status > 0 || r->status < -4095)
                return -EBADMSG;
        if (r->status < 0)
                return 0;
        if (r->outcome >= _DECISION_OUTCOME_MAX)
                return -EBADMSG;
        if (r->outcome != DECISION_OK)
                return 0;
        if (r->arch != PV_ARCH_I386 && r->arch != PV_ARCH_X86_64)
                return -EBADMSG;
        if (r->source == SOURCE_GRUBCFG)
                return 0;
        if (r->source != SOURCE_PVBOOT)
                return -EBADMSG;
        if (r->path_index >= SEARCH_MAX_ENTRIES)
                return -EBADMSG;
        return 0;
}
