/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for report.c: the parent's check of the inspection child's report. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "selector/report.h"
#include "shared/test-util.h"

static InspectReport good(void) {
        InspectReport r;

        /* Garbage everywhere first: validation must not depend on zeroed padding. */
        memset(&r, 0xa5, sizeof(r));
        r.magic = REPORT_MAGIC;
        r.version = REPORT_VERSION;
        r.status = 0;
        r.outcome = DECISION_OK;
        r.arch = PV_ARCH_X86_64;
        r.source = SOURCE_PVBOOT;
        r.path_index = 0;
        snprintf(r.fs, sizeof(r.fs), "/dev/sda1");
        snprintf(r.message, sizeof(r.message), "x86_64: /boot/xen/pvboot-x86_64.elf on /dev/sda1");
        r.n_evidence = 0;       /* lines past n_evidence stay 0xa5 garbage */
        return r;
}

/* A report as decide.c + inspect_report() build it: evidence lines, the
 * rule last. */
static InspectReport good_with_evidence(void) {
        InspectReport r = good();

        snprintf(r.evidence[0], REPORT_LINE, "pvboot /dev/sda1:/boot/xen/pvboot-x86_64.elf: valid PV image <- chosen");
        snprintf(r.evidence[1], REPORT_LINE, "kernel /dev/sda1:/boot/vmlinuz-6.1.0-27-amd64: x86_64 (bzImage, boot protocol 2.15)");
        snprintf(r.evidence[2], REPORT_LINE, "grub.cfg: /dev/sda1:/boot/grub/grub.cfg");
        snprintf(r.evidence[3], REPORT_LINE, "host: capabilities unknown (not running on Xen?); not checked");
        snprintf(r.evidence[4], REPORT_LINE, "rule: mode pv; only one width has a valid pvboot ELF -> x86_64");
        r.n_evidence = 5;
        return r;
}

#define CHECK_VALID(r) CHECK_EQ(report_validate(&(r)), 0)
#define CHECK_BAD(r) CHECK_EQ(report_validate(&(r)), -EBADMSG)

static void test_well_formed(void) {
        InspectReport r = good();

        CHECK_VALID(r);

        /* Every list entry, with either width: which entries chainload
         * is the receiver's list's to say (policy_chainload_path). */
        for (unsigned i = 0; i < SEARCH_MAX_ENTRIES; i++)
                for (uint32_t a = PV_ARCH_I386; a < _PV_ARCH_MAX; a++) {
                        r = good();
                        r.path_index = i;
                        r.arch = a;
                        CHECK_VALID(r);
                }

        /* Empty strings, and strings filling the field. */
        r = good();
        r.fs[0] = 0;
        r.message[0] = 0;
        CHECK_VALID(r);
        r = good();
        memset(r.fs, 'f', sizeof(r.fs) - 1);
        r.fs[sizeof(r.fs) - 1] = 0;
        memset(r.message, '~', sizeof(r.message) - 1);
        r.message[sizeof(r.message) - 1] = 0;
        CHECK_VALID(r);
}

static void test_header(void) {
        InspectReport r;

        r = good();
        r.magic = 0;
        CHECK_BAD(r);
        r = good();
        r.magic = REPORT_MAGIC ^ 1;
        CHECK_BAD(r);
        r = good();
        r.magic = __builtin_bswap32(REPORT_MAGIC);
        CHECK_BAD(r);
        r = good();
        r.version = 0;
        CHECK_BAD(r);
        r = good();
        r.version = REPORT_VERSION + 1;
        CHECK_BAD(r);
        r = good();
        r.version = UINT32_MAX;
        CHECK_BAD(r);
}

static void test_arch_and_path(void) {
        static const uint32_t bad_arch[] = { PV_ARCH_NONE, _PV_ARCH_MAX, _PV_ARCH_MAX + 1, 0x7fffffff, UINT32_MAX };
        static const uint32_t bad_index[] = { SEARCH_MAX_ENTRIES, SEARCH_MAX_ENTRIES + 1, 0x80000000u, UINT32_MAX };
        InspectReport r;

        for (size_t i = 0; i < sizeof(bad_arch) / sizeof(bad_arch[0]); i++) {
                r = good();
                r.arch = bad_arch[i];
                CHECK_BAD(r);
        }
        for (size_t i = 0; i < sizeof(bad_index) / sizeof(bad_index[0]); i++) {
                r = good();
                r.path_index = bad_index[i];
                CHECK_BAD(r);
                r.arch = PV_ARCH_I386;
                CHECK_BAD(r);
        }
}

static void test_strings(void) {
        static const char bad_bytes[] = { '\n', '\r', '\t', 0x1b, 0x01, 0x7f, (char) 0x80, (char) 0x9b, (char) 0xff };
        InspectReport r;

        /* No NUL anywhere in the field. */
        r = good();
        memset(r.fs, 'a', sizeof(r.fs));
        CHECK_BAD(r);
        r = good();
        memset(r.message, 'a', sizeof(r.message));
        CHECK_BAD(r);

        /* A control or non-ASCII byte, at the start, middle or end. */
        for (size_t i = 0; i < sizeof(bad_bytes); i++) {
                const InspectReport g = good();
                size_t fl = strlen(g.fs), ml = strlen(g.message);

                r = good();
                r.fs[0] = bad_bytes[i];
                CHECK_BAD(r);
                r = good();
                r.fs[fl / 2] = bad_bytes[i];
                CHECK_BAD(r);
                r = good();
                r.fs[fl - 1] = bad_bytes[i];
                CHECK_BAD(r);

                r = good();
                r.message[0] = bad_bytes[i];
                CHECK_BAD(r);
                r = good();
                r.message[ml / 2] = bad_bytes[i];
                CHECK_BAD(r);
                r = good();
                r.message[ml - 1] = bad_bytes[i];
                CHECK_BAD(r);

                /* Also when the child reports a failure. */
                r = good();
                r.status = -EIO;
                r.message[1] = bad_bytes[i];
                CHECK_BAD(r);
        }

        /* Escape sequences in full. */
        r = good();
        snprintf(r.message, sizeof(r.message), "ok \x1b]0;owned\a");
        CHECK_BAD(r);
        r = good();
        snprintf(r.fs, sizeof(r.fs), "/dev/sda1\x1b[2J");
        CHECK_BAD(r);
}

static void test_source(void) {
        static const uint32_t bad_source[] = { SOURCE_NONE, _SOURCE_MAX, _SOURCE_MAX + 1, 0x80000000u, UINT32_MAX };
        InspectReport r;

        /* SOURCE_PVBOOT: path_index must name an entry a list can have. */
        r = good();
        r.source = SOURCE_PVBOOT;
        r.path_index = SEARCH_MAX_ENTRIES - 1;
        CHECK_VALID(r);
        r.path_index = SEARCH_MAX_ENTRIES;
        CHECK_BAD(r);
        r.path_index = UINT32_MAX;
        CHECK_BAD(r);

        /* SOURCE_GRUBCFG: no file, so path_index is not looked at ... */
        for (uint32_t a = PV_ARCH_I386; a < _PV_ARCH_MAX; a++) {
                static const uint32_t any_index[] = { 0, 2, SEARCH_MAX_ENTRIES, 0xa5a5a5a5u, UINT32_MAX };
                for (size_t i = 0; i < sizeof(any_index) / sizeof(any_index[0]); i++) {
                        r = good();
                        r.source = SOURCE_GRUBCFG;
                        r.arch = a;
                        r.path_index = any_index[i];
                        CHECK_VALID(r);
                }
        }
        /* ... but the width still is. */
        {
                static const uint32_t bad_arch[] = { PV_ARCH_NONE, _PV_ARCH_MAX, UINT32_MAX };
                for (size_t i = 0; i < sizeof(bad_arch) / sizeof(bad_arch[0]); i++) {
                        r = good();
                        r.source = SOURCE_GRUBCFG;
                        r.arch = bad_arch[i];
                        CHECK_BAD(r);
                }
        }

        /* Any other source with DECISION_OK, whatever the path says. */
        for (size_t i = 0; i < sizeof(bad_source) / sizeof(bad_source[0]); i++) {
                r = good();
                r.source = bad_source[i];
                CHECK_BAD(r);
                r.path_index = 2;
                r.arch = PV_ARCH_I386;
                CHECK_BAD(r);
        }

        /* A failed decision or a failed inspection carries no source. */
        for (size_t i = 0; i < sizeof(bad_source) / sizeof(bad_source[0]); i++) {
                r = good();
                r.outcome = DECISION_HOST_CANNOT;
                r.source = bad_source[i];
                CHECK_VALID(r);
                r = good();
                r.status = -EIO;
                r.source = bad_source[i];
                CHECK_VALID(r);
        }
}

static void test_evidence(void) {
        static const char bad_bytes[] = { '\n', '\r', '\t', 0x1b, 0x01, 0x7f, (char) 0x80, (char) 0x9b, (char) 0xff };
        InspectReport r;

        r = good_with_evidence();
        CHECK_VALID(r);

        /* Empty lines and full lines. */
        r = good_with_evidence();
        r.evidence[1][0] = 0;
        CHECK_VALID(r);
        r = good_with_evidence();
        memset(r.evidence[2], '~', REPORT_LINE - 1);
        r.evidence[2][REPORT_LINE - 1] = 0;
        CHECK_VALID(r);

        /* Every slot in use. */
        r = good();
        for (unsigned i = 0; i < REPORT_MAX_EVIDENCE; i++)
                snprintf(r.evidence[i], REPORT_LINE, "line %u", i);
        r.n_evidence = REPORT_MAX_EVIDENCE;
        CHECK_VALID(r);

        /* More lines than the record holds. */
        static const uint32_t too_many[] = { REPORT_MAX_EVIDENCE + 1, REPORT_MAX_EVIDENCE + 100, 0x80000000u, UINT32_MAX };
        for (size_t i = 0; i < sizeof(too_many) / sizeof(too_many[0]); i++) {
                r = good();
                for (unsigned j = 0; j < REPORT_MAX_EVIDENCE; j++)
                        snprintf(r.evidence[j], REPORT_LINE, "line %u", j);
                r.n_evidence = too_many[i];
                CHECK_BAD(r);
                /* Also on a failure report. */
                r.status = -EIO;
                CHECK_BAD(r);
        }

        /* One line too many, where what follows the record would pass for
         * a line: only the count can refuse it. */
        {
                static struct {
                        InspectReport r;
                        char after[4][REPORT_LINE];
                } padded;

                CHECK_EQ(sizeof(padded.r) % 4, 0);
                CHECK_EQ((size_t) ((char *) padded.after - (char *) &padded.r), sizeof(padded.r));
                padded.r = good();
                for (unsigned j = 0; j < REPORT_MAX_EVIDENCE; j++)
                        snprintf(padded.r.evidence[j], REPORT_LINE, "line %u", j);
                for (unsigned j = 0; j < 4; j++)
                        snprintf(padded.after[j], REPORT_LINE, "after %u", j);
                padded.r.n_evidence = REPORT_MAX_EVIDENCE;
                CHECK_VALID(padded.r);
                padded.r.n_evidence = REPORT_MAX_EVIDENCE + 1;
                CHECK_BAD(padded.r);
        }

        /* Only the lines in use are checked: garbage past n_evidence is fine ... */
        r = good_with_evidence();
        memset(r.evidence[5], 0x1b, REPORT_LINE);
        CHECK_VALID(r);
        /* ... and becomes an error once counted. */
        r.n_evidence = 6;
        CHECK_BAD(r);

        /* A line without its NUL, first, middle and last slot. */
        {
                static const unsigned slots[] = { 0, 2, 4 };
                for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
                        r = good_with_evidence();
                        memset(r.evidence[slots[i]], 'a', REPORT_LINE);
                        CHECK_BAD(r);
                }
        }
        r = good();
        for (unsigned i = 0; i < REPORT_MAX_EVIDENCE; i++)
                snprintf(r.evidence[i], REPORT_LINE, "line %u", i);
        memset(r.evidence[REPORT_MAX_EVIDENCE - 1], 'z', REPORT_LINE);
        r.n_evidence = REPORT_MAX_EVIDENCE;
        CHECK_BAD(r);
        /* ... also when the next line is empty: its NUL is not this line's. */
        r = good_with_evidence();
        memset(r.evidence[2], 'a', REPORT_LINE);
        r.evidence[3][0] = 0;
        CHECK_BAD(r);

        /* A control or non-ASCII byte, at the start, middle or end of a line. */
        for (size_t i = 0; i < sizeof(bad_bytes); i++) {
                for (unsigned line = 0; line < 5; line++) {
                        size_t l;

                        r = good_with_evidence();
                        l = strlen(r.evidence[line]);
                        r.evidence[line][0] = bad_bytes[i];
                        CHECK_BAD(r);
                        r = good_with_evidence();
                        r.evidence[line][l / 2] = bad_bytes[i];
                        CHECK_BAD(r);
                        r = good_with_evidence();
                        r.evidence[line][l - 1] = bad_bytes[i];
                        CHECK_BAD(r);
                }
                /* Also when the child reports a failure or a non-OK outcome. */
                r = good_with_evidence();
                r.status = -EIO;
                r.evidence[4][3] = bad_bytes[i];
                CHECK_BAD(r);
                r = good_with_evidence();
                r.outcome = DECISION_NOTHING_FOUND;
                r.evidence[0][3] = bad_bytes[i];
                CHECK_BAD(r);
        }

        /* An escape sequence in full. */
        r = good_with_evidence();
        snprintf(r.evidence[1], REPORT_LINE, "kernel /dev/sda1:/boot/vmlinuz\x1b]0;owned\a: x86_64");
        CHECK_BAD(r);
}

static void test_status_and_outcome(void) {
        InspectReport r;

        /* status > 0 is not a thing. */
        r = good();
        r.status = 1;
        CHECK_BAD(r);
        r = good();
        r.status = INT32_MAX;
        CHECK_BAD(r);

        /* A failure: outcome/arch/path are not looked at, the text still is. */
        static const int32_t errs[] = { -1, -EIO, -ENOENT, -ENOMEM, -4095 };
        for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
                r = good();
                r.status = errs[i];
                r.outcome = UINT32_MAX;
                r.arch = UINT32_MAX;
                r.path_index = UINT32_MAX;
                snprintf(r.message, sizeof(r.message), "cannot inspect the disk: error %d", (int) -errs[i]);
                CHECK_VALID(r);
        }
        /* Not an -errno. */
        r = good();
        r.status = INT32_MIN;
        CHECK_BAD(r);

        /* Outcome out of range. */
        r = good();
        r.outcome = _DECISION_OUTCOME_MAX;
        CHECK_BAD(r);
        r = good();
        r.outcome = UINT32_MAX;
        CHECK_BAD(r);
        r = good();
        r.outcome = 0x80000000u;
        CHECK_BAD(r);

        /* A non-OK outcome needs no width or path. */
        for (uint32_t o = DECISION_OK + 1; o < _DECISION_OUTCOME_MAX; o++) {
                r = good();
                r.outcome = o;
                r.arch = UINT32_MAX;
                r.path_index = UINT32_MAX;
                snprintf(r.message, sizeof(r.message), "no valid pvboot ELF");
                CHECK_VALID(r);
                r.arch = PV_ARCH_NONE;
                r.path_index = 0;
                CHECK_VALID(r);
                /* ... but its strings are still checked. */
                r.message[0] = '\n';
                CHECK_BAD(r);
        }
}

int main(void) {
        test_well_formed();
        test_header();
        test_arch_and_path();
        test_strings();
        test_source();
        test_evidence();
        test_status_and_outcome();
        return 0;
}
