/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * inspect_report() over synthetic inspections: a failed one, a decision,
 * nothing found, evidence beyond the report's room, and the stage times.
 * Every report must pass the parent's report_validate(), which is what
 * the worker's report has to survive.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "probe/inspect.h"
#include "shared/test-util.h"

static Inspection in;   /* large: off the stack */
static InspectReport rep;

static void reset(void) {
        memset(&in, 0, sizeof(in));
        memset(&rep, 0xaa, sizeof(rep));        /* every field must be written */
}

static void test_failed(void) {
        Policy policy;

        policy_init(&policy);
        reset();
        snprintf(in.error, sizeof(in.error), "cannot list filesystems: \x1b[2J\nevil");
        in.stage_us[STAGE_LAUNCH] = 1234;
        in.stage_us[STAGE_READ] = UINT64_C(1) << 40;   /* saturates */
        inspect_report(&in, -EIO, &policy, &rep);
        CHECK_EQ(rep.magic, REPORT_MAGIC);
        CHECK_EQ(rep.version, REPORT_VERSION);
        CHECK_EQ(rep.status, -EIO);
        /* The guest's bytes, escaped: no escape sequence, no newline. */
        CHECK_STREQ(rep.message, "cannot list filesystems: \\x1b[2J\\x0aevil");
        CHECK_EQ(rep.n_evidence, 0);
        CHECK_EQ(rep.outcome, 0);
        CHECK_EQ(rep.stage_us[STAGE_LAUNCH], 1234);
        CHECK_EQ(rep.stage_us[STAGE_READ], UINT32_MAX);
        CHECK_EQ(rep.stage_us[STAGE_BIND], 0);
        CHECK_EQ(report_validate(&rep), 0);
}

static void test_decision(void) {
        Policy policy;
        unsigned idx = 1;       /* the x86_64 list's /xen/pvboot-x86_64.elf */

        policy_init(&policy);
        CHECK_STREQ(policy.search[STAGE1_X86_64].entries[idx].path, "/xen/pvboot-x86_64.elf");
        reset();
        in.n_filesystems = 2;
        /* The second filesystem holds the only pvboot file, a good one. */
        in.candidates[0] = (Candidate) { .stage1 = STAGE1_X86_64, .entry = idx, .fs_index = 1,
                                         .kind = FOUND_REGULAR, .verdict = ELF_PV_OK, .size = 4096 };
        snprintf(in.candidates[0].fs, sizeof(in.candidates[0].fs), "/dev/sdb1");
        in.n_candidates = 1;
        in.stage_us[STAGE_VALIDATE] = 50;
        inspect_report(&in, 0, &policy, &rep);
        CHECK_EQ(rep.status, 0);
        CHECK_EQ(rep.outcome, DECISION_OK);
        CHECK_EQ(rep.arch, PV_ARCH_X86_64);
        CHECK_EQ(rep.source, SOURCE_PVBOOT);
        CHECK_EQ(rep.path_index, idx);
        CHECK_STREQ(rep.fs, "/dev/sdb1");
        CHECK(rep.message[0]);
        CHECK(rep.n_evidence >= 6);
        /* The lists first (two lines each), then the file. */
        CHECK(strncmp(rep.evidence[0], "stage 1 x86_64: spec default: no stage 1 read; modules: unknown", 62) == 0);
        CHECK(strstr(rep.evidence[4], "/dev/sdb1:/xen/pvboot-x86_64.elf"));
        CHECK(strncmp(rep.evidence[rep.n_evidence - 1], "rule:", 5) == 0);
        /* The decision's own time is added to the validation stage. */
        CHECK(rep.stage_us[STAGE_VALIDATE] >= 50);
        CHECK_EQ(report_validate(&rep), 0);

        /* The same evidence with --force-arch=i386: no i386 file, no
         * grub.cfg, so nothing a stage 1 could load. */
        policy.force_arch = PV_ARCH_I386;
        inspect_report(&in, 0, &policy, &rep);
        CHECK(rep.outcome != DECISION_OK);
        CHECK_EQ(rep.arch, 0);
        CHECK_EQ(rep.source, SOURCE_NONE);
        CHECK_STREQ(rep.fs, "");
        CHECK_EQ(report_validate(&rep), 0);
}

static void test_nothing(void) {
        Policy policy;

        policy_init(&policy);
        reset();
        in.n_filesystems = 3;
        inspect_report(&in, 0, &policy, &rep);
        CHECK_EQ(rep.status, 0);
        CHECK_EQ(rep.outcome, DECISION_NOTHING_FOUND);
        CHECK(rep.message[0]);
        CHECK(rep.n_evidence >= 1);
        CHECK(strncmp(rep.evidence[rep.n_evidence - 1], "rule:", 5) == 0);
        CHECK_EQ(report_validate(&rep), 0);
}

/* More evidence than the report holds: the first lines, a line saying
 * how many were dropped, and the rule, always last. */
static void test_evidence_overflow(void) {
        Policy policy;
        unsigned n = 0;

        policy_init(&policy);
        reset();
        in.n_filesystems = PROBE_MAX_FILESYSTEMS;
        for (unsigned fs = 0; fs < 20; fs++)
                for (unsigned k = 0; k < 4; k++) {
                        Candidate *c = &in.candidates[n++];
                        *c = (Candidate) { .stage1 = k < 2 ? STAGE1_X86_64 : STAGE1_I386, .entry = k % 2,
                                           .fs_index = fs, .kind = FOUND_NOT_REGULAR };
                        snprintf(c->fs, sizeof(c->fs), "/dev/sd%c", 'a' + fs);
                }
        in.n_candidates = n;
        inspect_report(&in, 0, &policy, &rep);
        CHECK_EQ(rep.n_evidence, REPORT_MAX_EVIDENCE);
        CHECK(strncmp(rep.evidence[REPORT_MAX_EVIDENCE - 1], "rule:", 5) == 0);
        CHECK(strstr(rep.evidence[REPORT_MAX_EVIDENCE - 2], "more evidence lines not shown"));
        CHECK_EQ(report_validate(&rep), 0);
}

/* A grub.cfg whose menu blscfg alone builds, facts crossing from the
 * walk to the report; and a scan's reason, guest words in it, escaped. */
static void test_blscfg_menu(void) {
        Policy policy;
        bool found_menu = false;

        policy_init(&policy);
        policy.search[STAGE1_X86_64].modules_known = 1;
        policy.search[STAGE1_X86_64].modules = UINT64_C(1) << search_module_index("ext2");
        reset();
        in.n_filesystems = 1;
        in.configs[0] = (ConfigHit) { .stage1 = STAGE1_X86_64, .entry = 2, .fstype = "ext4", .scanned = true,
                                      .menu = { .blscfg_line = 38 } };
        snprintf(in.configs[0].fs, sizeof(in.configs[0].fs), "/dev/sda1");
        in.n_configs = 1;
        in.kernels[0] = (KernelEvidence) { .kind = FOUND_REGULAR,
                                           .info = { .width = PV_ARCH_X86_64, .reason = KERNEL_BZIMAGE_64 } };
        in.n_kernels = 1;
        inspect_report(&in, 0, &policy, &rep);
        CHECK_EQ(rep.outcome, DECISION_STAGE1_NO_BLSCFG);
        CHECK(strstr(rep.message, "builds its menu with blscfg (line 38)"));
        CHECK(strstr(rep.message, "GRUB_ENABLE_BLSCFG=false"));
        CHECK_EQ(report_validate(&rep), 0);

        in.configs[0].scanned = false;
        snprintf(in.configs[0].menu_why, sizeof(in.configs[0].menu_why), "line 1: `\x1b[2J' x");
        inspect_report(&in, 0, &policy, &rep);
        CHECK_EQ(rep.outcome, DECISION_OK);
        for (unsigned i = 0; i < rep.n_evidence; i++)
                if (strstr(rep.evidence[i], "grub.cfg menu: /dev/sda1:/boot/grub/grub.cfg: not scanned: line 1: `")) {
                        CHECK(!strchr(rep.evidence[i], 0x1b));
                        found_menu = true;
                }
        CHECK(found_menu);
        CHECK_EQ(report_validate(&rep), 0);
}

int main(void) {
        test_failed();
        test_blscfg_menu();
        test_decision();
        test_nothing();
        test_evidence_overflow();
        return 0;
}
