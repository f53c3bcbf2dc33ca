/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for accept.c: a report is held to the admin's policy and to what
 * the hypervisor runs before any stage 1 is named.  (That it came from
 * the uid its worker was given is test-worker's.) */
#include <errno.h>
#include <string.h>

#include "cli/accept.h"
#include "cli/test-options.h"
#include "shared/test-util.h"

static void test_stage1(void) {
        InspectReport rep = { .outcome = DECISION_OK, .arch = PV_ARCH_I386 };
        char err[256];
        Options o;

        /* Unknown host: not blocked (the caller said so). */
        o = test_options("--prefer=i386");
        CHECK_STREQ(accept_stage1(&o, &rep, err, sizeof(err)), STAGE1_DEFAULT_I386);
        rep.arch = PV_ARCH_X86_64;
        CHECK_STREQ(accept_stage1(&o, &rep, err, sizeof(err)), STAGE1_DEFAULT_X86_64);

        /* Debian's Xen: no 32-bit PV.  A worker that says i386 is refused. */
        o = test_options("--host-caps=xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_64");
        rep.arch = PV_ARCH_I386;
        CHECK(accept_stage1(&o, &rep, err, sizeof(err)) == NULL);
        CHECK(strstr(err, "cannot run; refusing"));
        rep.arch = PV_ARCH_X86_64;
        CHECK_STREQ(accept_stage1(&o, &rep, err, sizeof(err)), STAGE1_DEFAULT_X86_64);

        /* The shim brings its own 32-bit PV: only HVM support counts. */
        o = test_options("--pvshim");
        CHECK_EQ(policy_set_host_caps(&o.policy, "xen-3.0-x86_64 hvm-3.0-x86_64", "--host-caps"), 0);
        rep.arch = PV_ARCH_I386;
        CHECK_STREQ(accept_stage1(&o, &rep, err, sizeof(err)), STAGE1_DEFAULT_I386);
        CHECK_EQ(policy_set_host_caps(&o.policy, "xen-3.0-x86_64 xen-3.0-x86_32p", "--host-caps"), 0);
        CHECK(accept_stage1(&o, &rep, err, sizeof(err)) == NULL);

        /* PVH: the PVH stage 1, and only for its own answer (i386, grub.cfg). */
        o = test_options("--pvh");
        rep.source = SOURCE_GRUBCFG;
        CHECK_STREQ(accept_stage1(&o, &rep, err, sizeof(err)), STAGE1_DEFAULT_PVH);
        rep.source = SOURCE_PVBOOT;
        CHECK(accept_stage1(&o, &rep, err, sizeof(err)) == NULL);
        CHECK(strstr(err, "PV decision for a PVH guest"));
        rep.source = SOURCE_GRUBCFG;
        rep.arch = PV_ARCH_X86_64;
        CHECK(accept_stage1(&o, &rep, err, sizeof(err)) == NULL);

        /* --force-arch holds against a worker that answers the other width. */
        o = test_options("--force-arch=x86_64");
        rep.arch = PV_ARCH_I386;
        CHECK(accept_stage1(&o, &rep, err, sizeof(err)) == NULL);
        CHECK(strstr(err, "chose i386 where --force-arch=x86_64"));
        rep.arch = PV_ARCH_X86_64;
        CHECK_STREQ(accept_stage1(&o, &rep, err, sizeof(err)), STAGE1_DEFAULT_X86_64);
        o = test_options("--pvshim");
        CHECK_EQ(policy_set_force_arch(&o.policy, "i386"), 0);
        CHECK(accept_stage1(&o, &rep, err, sizeof(err)) == NULL);

        /* The file named must be one our own list of that width chainloads. */
        o = test_options("--prefer=i386");
        rep = (InspectReport) { .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT, .path_index = 1 };
        CHECK_STREQ(accept_stage1(&o, &rep, err, sizeof(err)), STAGE1_DEFAULT_X86_64);
        rep.path_index = 2;     /* /boot/grub/grub.cfg: a config entry */
        CHECK(accept_stage1(&o, &rep, err, sizeof(err)) == NULL);
        CHECK(strstr(err, "named no file the x86_64 stage 1 chainloads"));
        rep.path_index = 4;     /* past the list */
        CHECK(accept_stage1(&o, &rep, err, sizeof(err)) == NULL);
        search_list_init(&o.policy.search[STAGE1_X86_64], true, "/opt/x.bin: embedded config");
        CHECK_EQ(search_list_add(&o.policy.search[STAGE1_X86_64], STAGE1_X86_64, SEARCH_CONFIG, "/g.cfg"), 0);
        CHECK_EQ(search_list_add(&o.policy.search[STAGE1_X86_64], STAGE1_X86_64, SEARCH_CONFIG, "/h.cfg"), 0);
        CHECK_EQ(search_list_add(&o.policy.search[STAGE1_X86_64], STAGE1_X86_64, SEARCH_CONFIG, "/i.cfg"), 0);
        CHECK_EQ(search_list_add(&o.policy.search[STAGE1_X86_64], STAGE1_X86_64, SEARCH_CHAINLOAD, "/k.elf"), 0);
        rep.path_index = 3;
        CHECK_STREQ(accept_stage1(&o, &rep, err, sizeof(err)), STAGE1_DEFAULT_X86_64);
        rep.path_index = 1;
        CHECK(accept_stage1(&o, &rep, err, sizeof(err)) == NULL);
        /* A kernel-decided answer names no file. */
        rep.source = SOURCE_GRUBCFG;
        CHECK_STREQ(accept_stage1(&o, &rep, err, sizeof(err)), STAGE1_DEFAULT_X86_64);

        /* A stage 1 that is no Xen image of its kind is never returned. */
        search_list_spec_default(STAGE1_X86_64, "/opt/x.bin: not a Xen PV image: not an ELF file",
                                 &o.policy.search[STAGE1_X86_64]);
        o.stage1_status[STAGE1_X86_64] = -EMEDIUMTYPE;
        CHECK(accept_stage1(&o, &rep, err, sizeof(err)) == NULL);
        CHECK_STREQ(err, "the x86_64 stage 1 cannot boot anything: /opt/x.bin: not a Xen PV image: not an ELF file; "
                         "fix stage1_x86_64 (pvboot-select.conf(5))");
        rep.arch = PV_ARCH_I386;        /* the other one is fine */
        CHECK_STREQ(accept_stage1(&o, &rep, err, sizeof(err)), STAGE1_DEFAULT_I386);
        /* One whose config is not modelled still is (its list fell back). */
        o.stage1_status[STAGE1_X86_64] = -EINVAL;
        rep.arch = PV_ARCH_X86_64;
        CHECK_STREQ(accept_stage1(&o, &rep, err, sizeof(err)), STAGE1_DEFAULT_X86_64);
        o = test_options("--pvh");
        o.stage1_status[STAGE1_PVH] = -EMEDIUMTYPE;
        rep = (InspectReport) { .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG };
        CHECK(accept_stage1(&o, &rep, err, sizeof(err)) == NULL);
        CHECK(strstr(err, "the pvh stage 1 cannot boot anything"));
}

int main(void) {
        test_stage1();
        return 0;
}
