/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for journal.c: the fields an admin matches on, and the line. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "record/journal.h"
#include "shared/test-util.h"

static const char *field(const JournalFields *f, const char *name) {
        size_t l = strlen(name);
        for (size_t i = 0; i < f->n; i++) {
                CHECK(f->iov[i].iov_base == f->text[i] && f->iov[i].iov_len == strlen(f->text[i]));
                if (strncmp(f->text[i], name, l) == 0 && f->text[i][l] == '=')
                        return f->text[i] + l + 1;
        }
        return NULL;
}

int main(void) {
        static JournalFields f;
        InspectReport rep = { .outcome = DECISION_OK, .arch = PV_ARCH_I386 };
        rep.stage_us[STAGE_LAUNCH] = 0;
        rep.stage_us[STAGE_SEARCH] = 1234;
        JournalRecord j = {
                .identifier = "pvboot-selectd", .priority = LOG_INFO, .request_id = 7, .caller = ":1.5",
                .domid = 3, .disk = "/dev/vg/g", .path = "warm", .report = &rep,
                .message = "booting i386 pvgrub2", .seconds = 0.4142,
        };
        char line[512];

        journal_record_line(&j, line, sizeof(line));
        CHECK_STREQ(line, "request 7 from :1.5 for domain 3 (/dev/vg/g): booting i386 pvgrub2 (warm, 0.41 s)");

        journal_record_fields(&j, &f);
        CHECK_STREQ(field(&f, "PRIORITY"), "6");
        CHECK_STREQ(field(&f, "SYSLOG_IDENTIFIER"), "pvboot-selectd");
        CHECK_STREQ(field(&f, "PVBOOT_REQUEST"), "7");
        CHECK_STREQ(field(&f, "PVBOOT_CALLER"), ":1.5");
        CHECK_STREQ(field(&f, "PVBOOT_DOMID"), "3");
        CHECK_STREQ(field(&f, "PVBOOT_DISK"), "/dev/vg/g");
        CHECK_STREQ(field(&f, "PVBOOT_PATH"), "warm");
        CHECK_STREQ(field(&f, "PVBOOT_DECISION"), "ok");
        CHECK_STREQ(field(&f, "PVBOOT_ARCH"), "i386");
        CHECK_STREQ(field(&f, "PVBOOT_DURATION_SEC"), "0.414");
        CHECK_STREQ(field(&f, "PVBOOT_STAGE_SEARCH_USEC"), "1234");
        CHECK_STREQ(field(&f, "MESSAGE_ID"), PVBOOT_MESSAGE_DECISION);
        CHECK(field(&f, "PVBOOT_STAGE1") == NULL);
        CHECK(field(&f, "PVBOOT_STAGE_LAUNCH_USEC") == NULL);   /* zero stages are left out */
        CHECK(strncmp(f.text[f.n - 1], "MESSAGE=", 8) == 0);   /* last: truncation stays in it */
        CHECK_STREQ(field(&f, "MESSAGE"), line);

        /* A failure: no report, no caller, no domain. */
        JournalRecord fail = { .identifier = "pvboot-select", .priority = LOG_WARNING, .request_id = 1,
                               .message = "the appliance did not answer in time", .seconds = 100 };
        journal_record_fields(&fail, &f);
        CHECK_STREQ(field(&f, "PVBOOT_PATH"), "failed");
        CHECK_STREQ(field(&f, "PVBOOT_DECISION"), "error");
        CHECK(!field(&f, "PVBOOT_CALLER") && !field(&f, "PVBOOT_DOMID") && !field(&f, "PVBOOT_ARCH"));
        CHECK_STREQ(field(&f, "MESSAGE"), "request 1: the appliance did not answer in time (failed, 100.00 s)");

        CHECK_STREQ(field(&f, "MESSAGE_ID"), PVBOOT_MESSAGE_FAILURE);

        /* pvboot-select's own entry: no request, the stage 1 it returns. */
        JournalRecord run = { .identifier = "pvboot-select", .priority = LOG_INFO, .domid = 9, .disk = "/dev/xvda",
                              .path = "cold", .report = &rep, .stage1 = "/usr/lib/grub-xen/grub-i386-xen.bin",
                              .message = "booting i386", .seconds = 1.5 };
        journal_record_fields(&run, &f);
        CHECK(field(&f, "PVBOOT_REQUEST") == NULL);
        CHECK_STREQ(field(&f, "PVBOOT_STAGE1"), "/usr/lib/grub-xen/grub-i386-xen.bin");
        CHECK_STREQ(field(&f, "MESSAGE_ID"), PVBOOT_MESSAGE_DECISION);
        CHECK_STREQ(field(&f, "MESSAGE"), "run for domain 9 (/dev/xvda): booting i386 (cold, 1.50 s)");
        /* ... refused by the parent: a refusal, no width, no stage 1. */
        run.refused = true;
        run.priority = LOG_WARNING;
        journal_record_fields(&run, &f);
        CHECK_STREQ(field(&f, "MESSAGE_ID"), PVBOOT_MESSAGE_REFUSAL);
        CHECK_STREQ(field(&f, "PVBOOT_DECISION"), "refused");
        CHECK(!field(&f, "PVBOOT_ARCH") && !field(&f, "PVBOOT_STAGE1"));
        /* ... nothing to boot: a refusal with the outcome. */
        run.refused = false;
        rep.outcome = DECISION_NOTHING_FOUND;
        journal_record_fields(&run, &f);
        CHECK_STREQ(field(&f, "MESSAGE_ID"), PVBOOT_MESSAGE_REFUSAL);
        CHECK_STREQ(field(&f, "PVBOOT_DECISION"), "nothing-found");
        CHECK(!field(&f, "PVBOOT_ARCH"));
        /* The three ids are distinct and 128-bit hex, as the catalog needs. */
        const char *ids[] = { PVBOOT_MESSAGE_DECISION, PVBOOT_MESSAGE_REFUSAL, PVBOOT_MESSAGE_FAILURE };
        for (size_t i = 0; i < 3; i++) {
                CHECK_EQ(strlen(ids[i]), 32u);
                CHECK_EQ(strspn(ids[i], "0123456789abcdef"), 32u);
                CHECK(strcmp(ids[i], ids[(i + 1) % 3]) != 0);
        }

        /* An overlong message is cut inside MESSAGE, never past the buffer. */
        char longmsg[3000];
        memset(longmsg, 'x', sizeof(longmsg) - 1);
        longmsg[sizeof(longmsg) - 1] = 0;
        fail.message = longmsg;
        journal_record_fields(&fail, &f);
        CHECK(strlen(f.text[f.n - 1]) < JOURNAL_RECORD_FIELD_MAX);
        return 0;
}
