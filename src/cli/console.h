/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Where pvboot-select speaks.  Run by libxl, stdout is the guest's
 * console (libxl's pty, shown by `xl create -c`) and stderr is libxl's
 * log: a line for the admin goes to both, once when they are the same
 * file.  For the inspect, status and template commands stdout is the
 * answer, so messages go to stderr only.  Every line is printable ASCII:
 * report text was escaped where it came from, argv's is escaped here.
 */

#include <stdbool.h>
#include <stdint.h>

#include "record/journal.h"
#include "selector/report.h"

/* false: stdout is an answer (a subcommand), not the console. */
void console_set_stdout_is_console(bool yes);

/* "pvboot-select: LINE" on the console and in the log. */
void console_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "pvboot-select: LINE" in the log only (stderr). */
void console_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The evidence lines and the worker's uid (-v, -n). */
void console_evidence(const InspectReport *rep);

/*
 * Where this decision's time went (-v), one line for scripts (bench/):
 * the worker's stages (report.h; launch only when an appliance started
 * for this decision), then "reply": the rest of the inspection call
 * (worker or daemon round trip, queueing, the report's journey), "copy":
 * the stage 1 and the output records, and "total": this process.
 */
void console_timing(const InspectReport *rep, uint64_t inspect_usec, uint64_t copy_usec, uint64_t total_usec);

/*
 * How a run under libxl ended, for its one journal entry (journal.h:
 * decision, refusal or failure).  main() fills it in as it goes.
 */
typedef struct RunEnd {
        bool journal;                   /* false: no entry (-n, the subcommands) */
        uint32_t domid;                 /* from libxl's output file name; 0: unknown */
        const char *disk;               /* as given: escaped here */
        bool via_daemon;                /* who inspected: pvboot-selectd, or this run */
        const InspectReport *report;    /* NULL until there is one (a failure) */
        bool refused;                   /* the answer broke the admin's policy (accept.h) */
        const char *stage1;             /* returned to libxl, NULL: none */
        uint64_t start_usec;
} RunEnd;

/* The entry for an end with rc (0: booting) and the console line msg;
 * disk is escaped into diskbuf. */
void console_end_record(const RunEnd *e, int rc, const char *msg, char *diskbuf, size_t disksz,
                        JournalRecord *ret);

/* Say the run's last line (console_say) and send its journal entry
 * (when there is a journal); returns rc, for "return console_end(...)". */
int console_end(const RunEnd *e, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
