/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One journal entry per decision, with fields an admin can match on:
 *
 *   journalctl -u pvboot-selectd PVBOOT_DOMID=5
 *   journalctl PVBOOT_PATH=cold PVBOOT_DECISION=nothing-found
 *
 * plus each stage's microseconds (PVBOOT_STAGE_<NAME>_USEC).  When stderr
 * is not the journal's stream (JOURNAL_STREAM, set by systemd for a
 * unit), the entry is the plain line on stderr instead.
 */

#include <stdint.h>
#include <sys/uio.h>

#include "selector/report.h"

typedef struct JournalRecord {
        const char *identifier;         /* SYSLOG_IDENTIFIER, and the line's prefix */
        int priority;                   /* LOG_INFO, LOG_WARNING, ... */
        uint64_t request_id;
        const char *caller;             /* the bus name asking, NULL: none */
        uint32_t domid;                 /* 0: unknown */
        const char *disk;               /* printable already; NULL or "": none */
        const char *path;               /* warm, cold, cache; NULL: failed */
        const InspectReport *report;    /* NULL for a failure */
        const char *message;            /* the console line, or why it failed */
        double seconds;
} JournalRecord;

/* "request 7 from :1.5 for domain 3 (/dev/vg/g): MESSAGE (warm, 0.41 s)" */
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
