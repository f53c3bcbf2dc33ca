/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for console.c: a line reaches the console and the log exactly
 * once each, printable, and subcommands keep stdout for their answer. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/console.h"
#include "pvboot-select.h"
#include "shared/test-util.h"

static char out_path[] = "/tmp/test-console-out.XXXXXX", err_path[] = "/tmp/test-console-err.XXXXXX";

static void slurp(const char *path, char *buf, size_t size) {
        FILE *f = fopen(path, "r");
        size_t n;
        CHECK(f);
        n = fread(buf, 1, size - 1, f);
        buf[n] = 0;
        fclose(f);
}

/* Run fn in a child whose stdout and stderr are the two files, or (same)
 * both the first; return what each holds. */
static void run(void (*fn)(void), bool same, char *out, char *err, size_t size) {
        int o = open(out_path, O_WRONLY | O_TRUNC | O_CLOEXEC), e = open(err_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        pid_t pid;
        int status;

        CHECK(o >= 0 && e >= 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                dup2(o, STDOUT_FILENO);
                dup2(same ? o : e, STDERR_FILENO);
                fn();
                fflush(NULL);
                _exit(0);
        }
        CHECK_EQ(waitpid(pid, &status, 0), pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(o);
        close(e);
        slurp(out_path, out, size);
        slurp(err_path, err, size);
}

static void say_hostile(void) {
        console_say("disk %s", "/dev/x\033[2Jy\n");
}

static void say_as_subcommand(void) {
        console_set_stdout_is_console(false);
        console_say("to the log only");
}

static void log_only(void) {
        console_log("for the admin");
}

static void evidence_and_timing(void) {
        InspectReport rep = { .n_evidence = 2, .worker_uid = 196610 };
        snprintf(rep.evidence[0], sizeof(rep.evidence[0]), "file: one");
        snprintf(rep.evidence[1], sizeof(rep.evidence[1]), "rule: two");
        rep.stage_us[STAGE_BIND] = 100000;
        rep.stage_us[STAGE_SEARCH] = 200000;
        console_evidence(&rep);
        console_timing(&rep, 500000, 10000, 700000);
}

static void end_of_run(void) {
        RunEnd e = { .journal = false };
        CHECK_EQ(console_end(&e, 3, "nothing to %s", "boot"), 3);
}

/* Which entry each end of a run makes (record/journal.h). */
static void test_end_record(void) {
        InspectReport rep = { .outcome = DECISION_OK, .arch = PV_ARCH_X86_64 };
        RunEnd e = { .journal = true, .domid = 4, .disk = "/dev/vg/\033x", .start_usec = now_usec() };
        char disk[64];
        JournalRecord j;

        /* No report yet (the disk, the inspection): a failure. */
        console_end_record(&e, 1, "cannot use disk", disk, sizeof(disk), &j);
        CHECK_STREQ(journal_record_message_id(&j), PVBOOT_MESSAGE_FAILURE);
        CHECK(!j.path && !j.report && j.priority == LOG_WARNING && j.domid == 4 && j.request_id == 0);
        CHECK_STREQ(j.disk, "/dev/vg/\\x1bx");    /* escaped */
        CHECK_STREQ(j.identifier, "pvboot-select");
        /* Booting, from the daemon's answer. */
        e.report = &rep;
        e.via_daemon = true;
        e.stage1 = "/usr/lib/grub-xen/grub-x86_64-xen.bin";
        console_end_record(&e, 0, "found x86_64", disk, sizeof(disk), &j);
        CHECK_STREQ(journal_record_message_id(&j), PVBOOT_MESSAGE_DECISION);
        CHECK(j.priority == LOG_INFO && j.report == &rep);
        CHECK_STREQ(j.path, "daemon");
        CHECK_STREQ(j.stage1, e.stage1);
        /* The answer, refused by the admin's policy. */
        e.refused = true;
        console_end_record(&e, 1, "--force-arch=i386, but the report says x86_64", disk, sizeof(disk), &j);
        CHECK_STREQ(journal_record_message_id(&j), PVBOOT_MESSAGE_REFUSAL);
        CHECK(!j.stage1 && j.priority == LOG_WARNING);
        /* Nothing to boot, found here. */
        e.refused = false;
        e.via_daemon = false;
        rep.outcome = DECISION_NOTHING_FOUND;
        console_end_record(&e, 1, "nothing to boot", disk, sizeof(disk), &j);
        CHECK_STREQ(journal_record_message_id(&j), PVBOOT_MESSAGE_REFUSAL);
        CHECK_STREQ(j.path, "cold");
        /* A good answer that ended badly after (the copy failed, a stop):
         * nothing was decided. */
        rep.outcome = DECISION_OK;
        console_end_record(&e, 1, "stopped by SIGTERM", disk, sizeof(disk), &j);
        CHECK_STREQ(journal_record_message_id(&j), PVBOOT_MESSAGE_FAILURE);
        CHECK(!j.path && !j.stage1);
}

int main(void) {
        char out[4096], err[4096];

        CHECK(mkstemp(out_path) >= 0 && mkstemp(err_path) >= 0);

        /* libxl: stdout the pty, stderr its log: one line in each, escaped. */
        run(say_hostile, false, out, err, sizeof(out));
        CHECK_STREQ(out, "pvboot-select: disk /dev/x\\x1b[2Jy\\x0a\n");
        CHECK_STREQ(err, out);
        /* The same file for both: once. */
        run(say_hostile, true, out, err, sizeof(out));
        CHECK_STREQ(out, "pvboot-select: disk /dev/x\\x1b[2Jy\\x0a\n");

        run(say_as_subcommand, false, out, err, sizeof(out));
        CHECK_STREQ(out, "");
        CHECK_STREQ(err, "pvboot-select: to the log only\n");
        run(log_only, false, out, err, sizeof(out));
        CHECK_STREQ(out, "");
        CHECK_STREQ(err, "pvboot-select: for the admin\n");

        run(evidence_and_timing, true, out, err, sizeof(out));
        CHECK(strstr(out, "pvboot-select:   file: one\npvboot-select:   rule: two\n"));
        CHECK(strstr(out, "pvboot-select:   worker: inspected as uid 196610\n"));
        /* No launch stage when none ran; reply is what the stages do not explain. */
        CHECK(strstr(out, "timing: bind=0.100 rescan=0.000 search=0.200 read=0.000 validate=0.000 "
                          "reply=0.200 copy=0.010 total=0.700\n"));
        CHECK(!strstr(out, "launch="));
        run(end_of_run, false, out, err, sizeof(out));
        CHECK_STREQ(out, "pvboot-select: nothing to boot\n");
        CHECK_STREQ(err, out);
        test_end_record();
        unlink(out_path);
        unlink(err_path);
        return 0;
}
