/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What goes into xenstore, and which names are domains.  The xenstore
 * round trip itself runs in the real-Xen e2e harness (tests/e2e). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

#include "shared/test-util.h"
#include "record/xs-record.h"

int main(void) {
        InspectReport r = { .magic = REPORT_MAGIC, .version = REPORT_VERSION, .outcome = DECISION_OK,
                            .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG };
        uint32_t d;

        snprintf(r.message, sizeof(r.message), "found i386");
        CHECK_STREQ(xs_record_value(&r, "arch"), "i386");
        CHECK_STREQ(xs_record_value(&r, "outcome"), "ok");
        CHECK_STREQ(xs_record_value(&r, "message"), "found i386");
        CHECK(xs_record_value(&r, "other") == NULL);

        /* Nothing to record for an unknown domain; off Xen, nothing to
         * record into: neither is an error. */
        CHECK_EQ(xs_record_decision(0, &r), 0);
        if (access("/dev/xen/xenbus", F_OK) < 0 && access("/var/run/xenstored/socket", F_OK) < 0)
                CHECK_EQ(xs_record_decision(7, &r), 0);
        r.outcome = DECISION_NOTHING_FOUND;
        CHECK_STREQ(xs_record_value(&r, "arch"), "");
        CHECK_STREQ(xs_record_value(&r, "outcome"), "nothing-found");

        CHECK_EQ(xs_record_parse_domid("7", &d), 0);
        CHECK_EQ(d, 7u);
        CHECK_EQ(xs_record_parse_domid("32751", &d), 0);        /* 0x7FEF */
        static const char *const bad[] = { "0", "32752", "07", "-1", "+3", "3a", "", "1 ", "99999999999999999999", NULL };
        for (const char *const *b = bad; *b; b++)
                CHECK_EQ(xs_record_parse_domid(*b, &d), -EINVAL);
        CHECK_EQ(xs_record_parse_domid(NULL, &d), -EINVAL);

        /* Not on Xen here (or no permission): open says so, nothing else. */
        XsRecord *x = NULL;
        int k = xs_record_open(false, &x);
        CHECK(k == 0 || k == -ENOENT || k == -EIO);
        xs_record_free(x);
        return 0;
}
