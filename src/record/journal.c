/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A decision as a structured journal entry (see journal.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "record/journal.h"

void journal_record_line(const JournalRecord *j, char *buf, size_t size) {
        char caller[96] = "", dom[32] = "", disk[160] = "";

        if (j->caller)
                snprintf(caller, sizeof(caller), " from %s", j->caller);
        if (j->domid)
                snprintf(dom, sizeof(dom), " for domain %u", j->domid);
        if (j->disk && j->disk[0])
                snprintf(disk, sizeof(disk), " (%s)", j->disk);
        if (j->request_id)
                snprintf(buf, size, "request %" PRIu64 "%s%s%s: %s (%s, %.2f s)", j->request_id, caller, dom, disk,
                         j->message, j->path ? j->path : "failed", j->seconds);
        else
                snprintf(buf, size, "run%s%s%s: %s (%s, %.2f s)", caller, dom, disk, j->message,
                         j->path ? j->path : "failed", j->seconds);
}

const char *journal_record_message_id(const JournalRecord *j) {
        if (!j->report)
                return PVBOOT_MESSAGE_FAILURE;
        if (j->refused || j->report->outcome != DECISION_OK)
                return PVBOOT_MESSAGE_REFUSAL;
        return PVBOOT_MESSAGE_DECISION;
}

static void add(JournalFields *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(JournalFields *f, const char *fmt, ...) {
        va_list ap;

        if (f->n >= JOURNAL_RECORD_MAX_FIELDS)
                return;
        va_start(ap, fmt);
        vsnprintf(f->text[f->n], sizeof(f->text[f->n]), fmt, ap);
        va_end(ap);
        f->iov[f->n] = (struct iovec) { f->text[f->n], strlen(f->text[f->n]) };
        f->n++;
}

/* A stage's name as a field name part: upper case. */
static void upper(const char *s, char *buf, size_t size) {
        size_t i;
        for (i = 0; s[i] && i < size - 1; i++)
                buf[i] = (char) (s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
        buf[i] = 0;
}

void journal_record_fields(const JournalRecord *j, JournalFields *f) {
        const InspectReport *rep = j->report;
        char line[JOURNAL_RECORD_FIELD_MAX - 8];

        f->n = 0;
        add(f, "MESSAGE_ID=%s", journal_record_message_id(j));
        add(f, "PRIORITY=%d", j->priority);
        add(f, "SYSLOG_IDENTIFIER=%s", j->identifier);
        if (j->request_id)
                add(f, "PVBOOT_REQUEST=%" PRIu64, j->request_id);
        if (j->caller)
                add(f, "PVBOOT_CALLER=%s", j->caller);
        add(f, "PVBOOT_DURATION_SEC=%.3f", j->seconds);
        add(f, "PVBOOT_PATH=%s", j->path ? j->path : "failed");
        if (j->domid)
                add(f, "PVBOOT_DOMID=%u", j->domid);
        if (j->disk && j->disk[0])
                add(f, "PVBOOT_DISK=%s", j->disk);
        if (rep) {
                add(f, "PVBOOT_DECISION=%s",
                    j->refused ? "refused" : decision_outcome_to_string((DecisionOutcome) rep->outcome));
                if (rep->outcome == DECISION_OK && !j->refused)
                        add(f, "PVBOOT_ARCH=%s", pv_arch_to_string((PvArch) rep->arch));
                if (j->stage1 && !j->refused)
                        add(f, "PVBOOT_STAGE1=%s", j->stage1);
                for (ReportStage st = 0; st < _STAGE_MAX; st++)
                        if (rep->stage_us[st]) {
                                char name[16];
                                upper(report_stage_to_string(st), name, sizeof(name));
                                add(f, "PVBOOT_STAGE_%s_USEC=%u", name, rep->stage_us[st]);
                        }
        } else
                add(f, "PVBOOT_DECISION=error");
        journal_record_line(j, line, sizeof(line));
        add(f, "MESSAGE=%s", line);
}

/* Is stderr the journal's stream (systemd sets JOURNAL_STREAM for our
 * unit)?  Then structured entries say more than the line. */
static bool stderr_is_journal(void) {
        static int cached = -1;
        if (cached < 0) {
                const char *e = getenv("JOURNAL_STREAM");
                unsigned long long dev, ino;
                struct stat st;
                cached = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
                         st.st_dev == (dev_t) dev && st.st_ino == (ino_t) ino;
        }
        return cached;
}

int journal_record_submit(const JournalRecord *j) {
        static JournalFields f;         /* 32 KiB: not on the stack */

        journal_record_fields(j, &f);
        return sd_journal_sendv(f.iov, (int) f.n);
}

void journal_record_send(const JournalRecord *j) {
        char line[900];

        if (stderr_is_journal() && journal_record_submit(j) >= 0)
                return;
        journal_record_line(j, line, sizeof(line));
        fprintf(stderr, "%s: %s\n", j->identifier, line);
}
