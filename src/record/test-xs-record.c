/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What goes into xenstore, which names are domains, and which records a
 * sweep removes given the hypervisor's domain list.  The xenstore round
 * trip and a real concurrent start run in the real-Xen e2e harness
 * (tests/e2e). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include "shared/test-util.h"
#include "record/xs-record.h"

static void test_values(void) {
        InspectReport r = { .magic = REPORT_MAGIC, .version = REPORT_VERSION, .outcome = DECISION_OK,
                            .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG };
        int swept = 1;

        snprintf(r.message, sizeof(r.message), "found i386");
        CHECK_STREQ(xs_record_value(&r, "arch"), "i386");
        CHECK_STREQ(xs_record_value(&r, "outcome"), "ok");
        CHECK_STREQ(xs_record_value(&r, "message"), "found i386");
        CHECK(xs_record_value(&r, "other") == NULL);

        /* Nothing to record for an unknown domain; off Xen, nothing to
         * record into: neither is an error, and nothing was swept. */
        CHECK_EQ(xs_record_decision(0, &r, &swept), 0);
        CHECK_EQ(swept, 0);
        CHECK_EQ(xs_record_decision(0, &r, NULL), 0);
        if (access("/dev/xen/xenbus", F_OK) < 0 && access("/var/run/xenstored/socket", F_OK) < 0) {
                swept = 1;
                CHECK_EQ(xs_record_decision(7, &r, &swept), 0);
                CHECK_EQ(swept, 0);
        }
        r.outcome = DECISION_NOTHING_FOUND;
        CHECK_STREQ(xs_record_value(&r, "arch"), "");
        CHECK_STREQ(xs_record_value(&r, "outcome"), "nothing-found");
}

static void test_domids(void) {
        uint32_t d;

        CHECK_EQ(xs_record_parse_domid("7", &d), 0);
        CHECK_EQ(d, 7u);
        CHECK_EQ(xs_record_parse_domid("32751", &d), 0);        /* 0x7FEF */
        static const char *const bad[] = { "0", "32752", "07", "-1", "+3", "3a", "", "1 ", "99999999999999999999", NULL };
        for (const char *const *b = bad; *b; b++)
                CHECK_EQ(xs_record_parse_domid(*b, &d), -EINVAL);
        CHECK_EQ(xs_record_parse_domid(NULL, &d), -EINVAL);
}

static const uint8_t handle_a[DOMAIN_HANDLE_SIZE] = { 0x5c, 0x0c, 0x8a, 0x3e, 0x91, 0x2b, 0x4f, 0x0d,
                                                         0xa1, 0xee, 0x00, 0x07, 0xff, 0x10, 0x20, 0x0a };
#define UUID_A "5c0c8a3e-912b-4f0d-a1ee-0007ff10200a"

static void test_uuids(void) {
        char s[XS_RECORD_UUID_STRLEN + 1];
        uint8_t h[DOMAIN_HANDLE_SIZE], zero[DOMAIN_HANDLE_SIZE] = { 0 };

        /* libxl's own form (LIBXL_UUID_FMT): byte by byte, lowercase. */
        xs_record_format_uuid(handle_a, s);
        CHECK_STREQ(s, UUID_A);
        xs_record_format_uuid(zero, s);
        CHECK_STREQ(s, "00000000-0000-0000-0000-000000000000");

        CHECK_EQ(xs_record_parse_uuid(UUID_A, h), 0);
        CHECK(memcmp(h, handle_a, sizeof(h)) == 0);
        memset(h, 0, sizeof(h));
        CHECK_EQ(xs_record_parse_uuid("5C0C8A3E-912B-4F0D-A1EE-0007FF10200A", h), 0);
        CHECK(memcmp(h, handle_a, sizeof(h)) == 0);

        /* A failed parse leaves ret alone. */
        static const char *const bad[] = {
                "",
                "5c0c8a3e912b4f0da1ee0007ff10200a",             /* no dashes */
                "5c0c8a3e-912b-4f0d-a1ee-0007ff10200",          /* short */
                "5c0c8a3e-912b-4f0d-a1ee-0007ff10200a0",        /* long */
                "5c0c8a3e-912b-4f0d-a1ee-0007ff10200a ",
                " 5c0c8a3e-912b-4f0d-a1ee-0007ff10200a",
                "5c0c8a3e-912b-4f0d-a1ee_0007ff10200a",
                "5c0c8a3-e912b-4f0d-a1ee-0007ff10200a",         /* dash misplaced */
                "5c0c8a3e-912b-4f0d-a1ee-0007ff10200g",
                "{5c0c8a3e-912b-4f0d-a1ee-0007ff10200a}",
                "5c0c8a3e-912b-4f0d-a1ee-0x07ff10200a",
                NULL,
        };
        for (const char *const *b = bad; *b; b++) {
                memset(h, 0x55, sizeof(h));
                CHECK_EQ(xs_record_parse_uuid(*b, h), -EINVAL);
                CHECK(h[0] == 0x55 && h[15] == 0x55);
        }
        CHECK_EQ(xs_record_parse_uuid(NULL, h), -EINVAL);
}

/* The sweep's rule, case by case, against a hypervisor list. */
static void test_stale(void) {
        LiveDomain live[] = {
                { .domid = 0 },
                { .domid = 9 },                         /* handle_b below */
                { .domid = 5 },                         /* handle_a: being built, or running */
                { .domid = 12, .dying = true },         /* released, still in the list */
        };
        const size_t n = ELEMENTSOF(live);
        char uuid_b[XS_RECORD_UUID_STRLEN + 1];

        memcpy(live[2].handle, handle_a, sizeof(handle_a));
        for (size_t i = 0; i < DOMAIN_HANDLE_SIZE; i++)
                live[1].handle[i] = (uint8_t) (0xb0 + i);
        xs_record_format_uuid(live[1].handle, uuid_b);

        /* A concurrent start: domain 5 exists in the hypervisor, whether
         * or not xenstored was told of it yet (the rule never asks). */
        CHECK(!xs_record_stale("5", UUID_A, live, n));
        CHECK(!xs_record_stale("5", "5C0C8A3E-912B-4F0D-A1EE-0007FF10200A", live, n));
        /* An older version's record, without uuid: the domid alone. */
        CHECK(!xs_record_stale("5", NULL, live, n));
        CHECK(!xs_record_stale("9", uuid_b, live, n));

        /* Released: gone from the list, or dying in it. */
        CHECK(xs_record_stale("6", UUID_A, live, n));
        CHECK(xs_record_stale("6", NULL, live, n));
        CHECK(xs_record_stale("12", NULL, live, n));
        CHECK(xs_record_stale("12", UUID_A, live, n));
        CHECK(xs_record_stale("5", UUID_A, live, 0));    /* an empty list */
        CHECK(xs_record_stale("5", UUID_A, NULL, 0));

        /* The domid reused: another domain has it now. */
        CHECK(xs_record_stale("9", UUID_A, live, n));
        CHECK(xs_record_stale("5", uuid_b, live, n));

        /* A uuid that is not one cannot vouch for the live domain. */
        CHECK(xs_record_stale("5", "", live, n));
        CHECK(xs_record_stale("5", "garbage", live, n));
        CHECK(xs_record_stale("5", UUID_A " ", live, n));
        CHECK(xs_record_stale("5", "5c0c8a3e912b4f0da1ee0007ff10200a", live, n));

        /* Names that are not domids are never ours to remove, whatever
         * the list says, and neither is dom0. */
        static const char *const names[] = { "0", "05", "5 ", "x", "", "32752", "-5", "uuid", NULL };
        for (const char *const *b = names; *b; b++) {
                CHECK(!xs_record_stale(*b, NULL, live, n));
                CHECK(!xs_record_stale(*b, "garbage", NULL, 0));
        }
        CHECK(!xs_record_stale(NULL, NULL, NULL, 0));
}

int main(void) {
        test_values();
        test_domids();
        test_uuids();
        test_stale();

        /* Not on Xen here (or no permission): open says so, or connects
         * and a sweep then refuses to guess. */
        XsRecord *x = NULL;
        int k = xs_record_open(false, &x);
        CHECK(k == 0 || k == -ENOENT || k == -EIO);
        if (k == 0 && access("/dev/xen/privcmd", F_OK) < 0)
                CHECK(xs_record_sweep(x) < 0);
        xs_record_free(x);
        return 0;
}
