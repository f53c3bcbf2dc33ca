/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The domain type libxl recorded: the strict reading of the xenstore
 * value, and the rule that holds it against the hypervisor.  The real
 * read, from a domain libxl is creating, runs in tests/e2e (pvh-auto,
 * libxl-facts). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "shared/test-util.h"
#include "record/domain-type.h"

#define VAL(s) (s), (sizeof(s) - 1)

static void test_parse(void) {
        DomainType t = _DOMAIN_TYPE_MAX;
        char huge[4096];        /* XENSTORE_PAYLOAD_MAX: the most xenstore returns */

        CHECK_EQ(domain_type_parse(VAL("pv"), &t), 0);
        CHECK_EQ(t, DOMAIN_TYPE_PV);
        CHECK_EQ(domain_type_parse(VAL("pvh"), &t), 0);
        CHECK_EQ(t, DOMAIN_TYPE_PVH);
        CHECK_EQ(domain_type_parse(VAL("hvm"), &t), 0);
        CHECK_EQ(t, DOMAIN_TYPE_HVM);
        CHECK_STREQ(domain_type_to_string(DOMAIN_TYPE_PVH), "pvh");
        CHECK_STREQ(domain_type_to_string(_DOMAIN_TYPE_MAX), "unknown");

        /* Truncated, unknown, another case, trailing bytes, a NUL inside,
         * libxl's own "invalid": none is a type. */
        t = _DOMAIN_TYPE_MAX;
        static const char *const bad[] = { "", "p", "pvshim", "PV", "Pvh", "pvh ", " pv", "pv\n", "invalid",
                                           "pv,pvh", "hvmpv", NULL };
        for (const char *const *b = bad; *b; b++)
                CHECK_EQ(domain_type_parse(*b, strlen(*b), &t), -EBADMSG);
        CHECK_EQ(domain_type_parse(VAL("pv\0h"), &t), -EBADMSG);
        CHECK_EQ(domain_type_parse(VAL("pvh\0"), &t), -EBADMSG);
        CHECK_EQ(domain_type_parse(NULL, 3, &t), -EBADMSG);
        /* A prefix of the right word and a length past the bound. */
        memset(huge, 'x', sizeof(huge));
        memcpy(huge, "pvh", 3);
        CHECK_EQ(domain_type_parse(huge, sizeof(huge), &t), -EBADMSG);
        CHECK_EQ(domain_type_parse(huge, DOMAIN_TYPE_VALUE_MAX + 1, &t), -EBADMSG);
        CHECK_EQ(t, _DOMAIN_TYPE_MAX);  /* untouched by every refusal */
}

static void test_judge(void) {
        const LiveDomain pv7 = { .domid = 7 }, pvh7 = { .domid = 7, .hvm = true },
                         dying7 = { .domid = 7, .hvm = true, .dying = true }, pvh8 = { .domid = 8, .hvm = true };
        DomainType t = _DOMAIN_TYPE_MAX;

        CHECK_EQ(domain_type_judge(7, VAL("pv"), &pv7, 1, &t), 0);
        CHECK_EQ(t, DOMAIN_TYPE_PV);
        CHECK_EQ(domain_type_judge(7, VAL("pvh"), &pvh7, 1, &t), 0);
        CHECK_EQ(t, DOMAIN_TYPE_PVH);

        t = _DOMAIN_TYPE_MAX;
        /* Nothing recorded: not a domain libxl made. */
        CHECK_EQ(domain_type_judge(7, NULL, 0, &pv7, 1, &t), -ENOENT);
        /* A value that is not one, even for a live domain. */
        CHECK_EQ(domain_type_judge(7, VAL("pvshim"), &pvh7, 1, &t), -EBADMSG);
        /* The domid mismatches: the hypervisor has no domain 7 (another,
         * the next one, or none at all), or it is dying. */
        CHECK_EQ(domain_type_judge(7, VAL("pvh"), &pvh8, 1, &t), -ESRCH);
        CHECK_EQ(domain_type_judge(7, VAL("pvh"), NULL, 0, &t), -ESRCH);
        CHECK_EQ(domain_type_judge(7, VAL("pvh"), &dying7, 1, &t), -ESRCH);
        /* The hypervisor contradicts the record either way. */
        CHECK_EQ(domain_type_judge(7, VAL("pvh"), &pv7, 1, &t), -EPROTO);
        CHECK_EQ(domain_type_judge(7, VAL("pv"), &pvh7, 1, &t), -EPROTO);
        /* libxl runs no bootloader for an HVM domain. */
        CHECK_EQ(domain_type_judge(7, VAL("hvm"), &pvh7, 1, &t), -EPROTO);
        CHECK_EQ(t, _DOMAIN_TYPE_MAX);
}

static void test_read(void) {
        DomainType t;

        CHECK_EQ(domain_type_read(0, &t), -EINVAL);
        CHECK_EQ(domain_type_read(0x7FF0, &t), -EINVAL);
        /* Off Xen there is no xenstore to ask. */
        if (access("/dev/xen/xenbus", F_OK) < 0 && access("/var/run/xenstored/socket", F_OK) < 0)
                CHECK_EQ(domain_type_read(7, &t), -ENXIO);
}

int main(void) {
        test_parse();
        test_judge();
        test_read();
        return 0;
}
