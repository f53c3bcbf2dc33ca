/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One journal entry per decision, with fields an admin can match on:
 *
 *   journalctl -u pvboot-selectd PVBOOT_DOMID=5
 *   journalctl PVBOOT_PATH=cold PVBOOT_DECISION=nothing-found
 *   journalctl -x MESSAGE_ID=2c42941adca04f37a2616f8cfb8e0c8a
 *
 * plus each stage's microseconds (PVBOOT_STAGE_<NAME>_USEC).  pvboot-selectd
 * writes one per request; pvboot-select one per run under libxl (it is
 * the run's outcome, whoever inspected).  Each carries one of three
 * MESSAGE_IDs, which systemd/pvboot-select.catalog explains (journalctl -x):
 *   decision   a width was decided and accepted: the stage 1 to boot;
 *   refusal    the inspection ran, but nothing may boot: no bootable
 *              evidence, a width the host or the admin's policy rules
 *              out, or an answer the parent refused;
 *   failure    no decision: the disk could not be used, the inspection
 *              failed, timed out or was stopped.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "selector/report.h"

#define PVBOOT_MESSAGE_DECISION "2134ac4d04d74ae590d7f2f781887593"
#define PVBOOT_MESSAGE_REFUSAL "2c42941adca04f37a2616f8cfb8e0c8a"
#define PVBOOT_MESSAGE_FAILURE "6656c7cd4efb45038c891c6b94d72d36"

typedef struct JournalRecord {
        const char *identifier;         /* SYSLOG_IDENTIFIER, and the line's prefix */
        int priority;                   /* LOG_INFO, LOG_WARNING, ... */
        uint64_t request_id;            /* 0: none (a pvboot-select run) */
        const char *caller;             /* the bus name asking, NULL: none */
        uint32_t domid;                 /* 0: unknown */
        const char *disk;               /* printable already; NULL or "": none */
        const char *path;               /* warm, cold, cache; NULL: failed */
        const InspectReport *report;    /* NULL for a failure */
        bool refused;                   /* the parent refused the report's answer (accept.h) */
        const char *stage1;             /* the stage 1 returned, NULL: none or not known here */
        const char *message;            /* the console line, or why it failed */
        double seconds;
} JournalRecord;

/* Which of the three MESSAGE_IDs the entry carries. */
const char *journal_record_message_id(const JournalRecord *j);

/* "request 7 from :1.5 for domain 3 (/dev/vg/g): MESSAGE (warm, 0.41 s)";
 * without a request id, "run for domain 3 ...". */
void journal_record_line(const JournalRecord *j, char *buf, size_t size);

#define JOURNAL_RECORD_MAX_FIELDS 32
#define JOURNAL_RECORD_FIELD_MAX 1024
typedef struct JournalFields {
        char text[JOURNAL_RECORD_MAX_FIELDS][JOURNAL_RECORD_FIELD_MAX];
        struct iovec iov[JOURNAL_RECORD_MAX_FIELDS];
        size_t n;
} JournalFields;

/* The entry's fields, MESSAGE last (any truncation stays within it). */
void journal_record_fields(const JournalRecord *j, JournalFields *ret);

/* Send it: to the journal when stderr is its stream, else the line. */
void journal_record_send(const JournalRecord *j);

/* Send it to the journal whatever stderr is (pvboot-select's stderr is
 * libxl's log, which has the line already): 0, or -errno when there is
 * no journal to send to. */
int journal_record_submit(const JournalRecord *j);
