/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mode from libxl's record and the flags: the whole table of
 * domain.h, what is said and how loud, and the policy checked again. */
#include <errno.h>
#include <string.h>

#include "cli/domain.h"
#include "record/domain-type.h"
#include "test-options.h"

static char line[512];
static bool loud;

static DecisionMode resolve(bool given, DecisionMode flag, int recorded) {
        memset(line, 'X', sizeof(line));
        loud = !loud;   /* must be set either way */
        return domain_mode_resolve(given, flag, 7, recorded, line, sizeof(line), &loud);
}

static void test_table(void) {
        /* No flag: the record decides, quietly. */
        CHECK_EQ(resolve(false, MODE_PV, DOMAIN_TYPE_PV), MODE_PV);
        CHECK(!loud);
        CHECK_STREQ(line, "domain 7 is type pv (/libxl/7/type)");
        CHECK_EQ(resolve(false, MODE_PV, DOMAIN_TYPE_PVH), MODE_PVH);
        CHECK(!loud);
        CHECK(strstr(line, "type pvh") && strstr(line, "--pvshim"));
        /* A flag that agrees. --pvshim agrees with pvh: libxl records no shim. */
        CHECK_EQ(resolve(true, MODE_PVH, DOMAIN_TYPE_PVH), MODE_PVH);
        CHECK(!loud);
        CHECK_STREQ(line, "domain 7 is type pvh (/libxl/7/type), and --pvh agrees");
        CHECK_EQ(resolve(true, MODE_PVSHIM, DOMAIN_TYPE_PVH), MODE_PVSHIM);
        CHECK(!loud);
        /* A flag that disagrees wins, and it is said. */
        CHECK_EQ(resolve(true, MODE_PVH, DOMAIN_TYPE_PV), MODE_PVH);
        CHECK(loud);
        CHECK_STREQ(line, "domain 7 is type pv (/libxl/7/type), but --pvh was given: going by --pvh");
        CHECK_EQ(resolve(true, MODE_PVSHIM, DOMAIN_TYPE_PV), MODE_PVSHIM);
        CHECK(loud);
        CHECK(strstr(line, "--pvshim was given"));
}

static void test_unknown(void) {
        /* Nothing to go by: the flags, quietly, with the reason for -v. */
        static const int quiet[] = { -EINVAL, -ENXIO, -ENOENT, -ESRCH, -EACCES };
        for (size_t i = 0; i < ELEMENTSOF(quiet); i++) {
                CHECK_EQ(resolve(false, MODE_PV, quiet[i]), MODE_PV);
                CHECK(!loud);
                CHECK(strstr(line, "not known from libxl") && strstr(line, ": pv"));
                CHECK_EQ(resolve(true, MODE_PVSHIM, quiet[i]), MODE_PVSHIM);
                CHECK(!loud);
        }
        CHECK_EQ(resolve(false, MODE_PV, -EINVAL), MODE_PV);
        CHECK(strstr(line, "no domid"));
        /* A value that is not a type, or one the hypervisor contradicts:
         * the flags, said on the console. */
        CHECK_EQ(resolve(false, MODE_PV, -EBADMSG), MODE_PV);
        CHECK(loud);
        CHECK_STREQ(line, "libxl's /libxl/7/type is not a type libxl writes: going by the flags (pv)");
        CHECK_EQ(resolve(true, MODE_PVH, -EPROTO), MODE_PVH);
        CHECK(loud);
        CHECK(strstr(line, "contradicts") && strstr(line, "(pvh)"));
        /* Out of range from a caller: never taken for a type. */
        CHECK_EQ(resolve(false, MODE_PV, _DOMAIN_TYPE_MAX), MODE_PV);
        CHECK(!loud);
}

static void test_apply(void) {
        Options o = test_options("--force-arch=i386");
        bool l = true;

        /* Domid 0 (no libxl output name): the flags as they were. */
        CHECK_EQ(domain_mode_apply(&o, 0, line, sizeof(line), &l), 0);
        CHECK_EQ(o.policy.mode, MODE_PV);
        CHECK(!l);
        o = test_options("--pvshim");
        CHECK(o.mode_given);
        CHECK_EQ(domain_mode_apply(&o, 0, line, sizeof(line), &l), 0);
        CHECK_EQ(o.policy.mode, MODE_PVSHIM);
        /* The policy is checked again once the record set the mode. */
        o = test_options("--force-arch=i386");
        CHECK(!o.mode_given);
        o.policy.mode = MODE_PVH;
        o.mode_given = true;
        CHECK_EQ(domain_mode_apply(&o, 0, line, sizeof(line), &l), -EINVAL);
        CHECK(strstr(line, "--force-arch"));
}

int main(void) {
        test_table();
        test_unknown();
        test_apply();
        return 0;
}
