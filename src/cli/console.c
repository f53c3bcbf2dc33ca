/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The guest console and libxl's log (see console.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/console.h"
#include "pvboot-select.h"
#include "shared/text.h"

static bool stdout_is_console = true;

void console_set_stdout_is_console(bool yes) {
        stdout_is_console = yes;
}

static bool stderr_is_stdout(void) {
        struct stat a, b;
        return fstat(STDOUT_FILENO, &a) == 0 && fstat(STDERR_FILENO, &b) == 0 &&
               a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_rdev == b.st_rdev;
}

static void emit(bool console, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void emit(bool console, const char *fmt, va_list ap) {
        char raw[1024], buf[1024];
        const char *safe;

        vsnprintf(raw, sizeof(raw), fmt, ap);
        safe = text_printable(raw, sizeof(raw), buf, sizeof(buf));
        if (console && stdout_is_console) {
                printf("pvboot-select: %s\n", safe);
                fflush(stdout);
        }
        if (!console || !stdout_is_console || !stderr_is_stdout())
                fprintf(stderr, "pvboot-select: %s\n", safe);
}

void console_say(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        emit(true, fmt, ap);
        va_end(ap);
}

void console_log(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        emit(false, fmt, ap);
        va_end(ap);
}

void console_evidence(const InspectReport *rep) {
        for (uint32_t i = 0; i < rep->n_evidence; i++)
                console_say("  %s", rep->evidence[i]);
        console_say("  worker: inspected as uid %u", rep->worker_uid);
}

void console_timing(const InspectReport *rep, uint64_t inspect_usec, uint64_t copy_usec, uint64_t total_usec) {
        char line[256];
        size_t n = 0;
        uint64_t staged = 0;

        for (ReportStage s = 0; s < _STAGE_MAX; s++) {
                staged += rep->stage_us[s];
                if ((s == STAGE_LAUNCH && rep->stage_us[s] == 0) || n >= sizeof(line))
                        continue;
                n += (size_t) snprintf(line + n, sizeof(line) - n, "%s=%.3f ", report_stage_to_string(s),
                                       rep->stage_us[s] / 1e6);
        }
        if (n >= sizeof(line))
                n = sizeof(line) - 1;
        snprintf(line + n, sizeof(line) - n, "reply=%.3f copy=%.3f total=%.3f",
                 (inspect_usec > staged ? inspect_usec - staged : 0) / 1e6, copy_usec / 1e6, total_usec / 1e6);
        console_say("  timing: %s", line);
}

void console_end_record(const RunEnd *e, int rc, const char *msg, char *diskbuf, size_t disksz,
                        JournalRecord *ret) {
        const InspectReport *rep = e->report;
        bool decided = rc == 0 && rep && rep->outcome == DECISION_OK && !e->refused;

        *ret = (JournalRecord) {
                .identifier = "pvboot-select",
                .priority = decided ? LOG_INFO : LOG_WARNING,
                .domid = e->domid,
                .disk = e->disk ? text_escape(e->disk, strlen(e->disk), diskbuf, disksz) : NULL,
                .path = rep ? (e->via_daemon ? "daemon" : "cold") : NULL,
                /* A run that failed after its report (the copy, a stop)
                 * decided nothing: a failure, whatever the report said. */
                .report = rc != 0 && rep && rep->outcome == DECISION_OK && !e->refused ? NULL : rep,
                .refused = e->refused,
                .stage1 = decided ? e->stage1 : NULL,
                .message = msg,
                .seconds = (double) (now_usec() - e->start_usec) / 1e6,
        };
        if (!ret->report)
                ret->path = NULL;
}

int console_end(const RunEnd *e, int rc, const char *fmt, ...) {
        char msg[700], disk[512];
        JournalRecord j;
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        console_say("%s", msg);
        if (e->journal) {
                console_end_record(e, rc, msg, disk, sizeof(disk), &j);
                (void) journal_record_submit(&j);       /* no journal: the log has the line */
        }
        return rc;
}
