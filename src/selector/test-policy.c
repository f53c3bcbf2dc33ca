/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for policy.c: one rule per value, whatever front end gives it. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "selector/policy.h"
#include "shared/test-util.h"

/* The stage 1s' search lists: read from the images the mode uses, the
 * spec's with the reason otherwise; set from elsewhere only when sound. */
static void test_search(void) {
        static const char *const debian[_STAGE1_KIND_MAX] = {
                "/usr/lib/grub-xen/grub-x86_64-xen.bin", "/usr/lib/grub-xen/grub-i386-xen.bin",
                "/usr/lib/grub-xen/grub-i386-xen_pvh.bin",
        };
        const char *const odd[_STAGE1_KIND_MAX] = { "/nonexistent/x.bin", "/", "/proc/self/status" };
        Policy p;
        SearchList l;
        int status[_STAGE1_KIND_MAX];
        Stage1Digest digest[_STAGE1_KIND_MAX];

        policy_init(&p);
        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++) {
                CHECK_STREQ(p.search[k].origin, "spec default: no stage 1 read");
                CHECK_EQ(search_list_check(&p.search[k], k), 0);
        }
        CHECK(policy_uses_stage1(&p, STAGE1_X86_64) && policy_uses_stage1(&p, STAGE1_I386));
        CHECK(!policy_uses_stage1(&p, STAGE1_PVH));

        /* Unreadable images: the spec's paths, each saying why. */
        CHECK_EQ(policy_read_search(&p, odd, status, digest), 2);
        CHECK(!digest[STAGE1_X86_64].known && !digest[STAGE1_I386].known && !digest[STAGE1_PVH].known);
        CHECK(status[STAGE1_X86_64] == -ENOENT && status[STAGE1_I386] == -EINVAL && status[STAGE1_PVH] == 0);
        CHECK_STREQ(p.search[STAGE1_X86_64].origin, "spec default: /nonexistent/x.bin: No such file or directory");
        CHECK_STREQ(p.search[STAGE1_I386].origin, "spec default: /: not a regular file");
        CHECK_STREQ(p.search[STAGE1_PVH].origin, "spec default: not used in mode pv");
        CHECK_EQ(p.search[STAGE1_X86_64].n, 4u);
        CHECK(!p.search[STAGE1_X86_64].modules_known);
        p.mode = MODE_PVH;
        CHECK_EQ(policy_read_search(&p, odd, status, digest), 1);
        CHECK_EQ(status[STAGE1_PVH], -EMEDIUMTYPE);     /* not an image of its kind: nothing boots from it */
        CHECK(digest[STAGE1_PVH].known);                /* but read: the bytes decided for are known */
        CHECK(!digest[STAGE1_X86_64].known);
        CHECK(strstr(p.search[STAGE1_PVH].origin, "spec default: /proc/self/status: not a Xen PVH image"));
        CHECK_STREQ(p.search[STAGE1_X86_64].origin, "spec default: not used in mode pvh");

        /* Debian's own, when installed: read, not defaulted. */
        if (access(debian[STAGE1_X86_64], R_OK) == 0) {
                policy_init(&p);
                CHECK_EQ(policy_read_search(&p, debian, NULL, NULL), 0);
                CHECK_EQ(policy_read_search(&p, debian, status, digest), 0);
                /* Each image's bytes, as stage1_file_load reads them for the copy. */
                for (Stage1Kind k = STAGE1_X86_64; k <= STAGE1_I386; k++) {
                        uint8_t *bytes = NULL;
                        size_t size;
                        Stage1Digest now;
                        CHECK_EQ(stage1_file_load(debian[k], &bytes, &size, &now), 0);
                        CHECK(stage1_digest_equal(&digest[k], &now));
                        free(bytes);
                }
                CHECK(!digest[STAGE1_PVH].known);       /* not used in mode pv: not read */
                CHECK(p.search[STAGE1_X86_64].from_image && p.search[STAGE1_X86_64].modules_known);
                CHECK_STREQ(p.search[STAGE1_I386].origin, "/usr/lib/grub-xen/grub-i386-xen.bin: memdisk grub.cfg");
                CHECK_STREQ(policy_chainload_path(&p, PV_ARCH_I386, 1), "/xen/pvboot-i386.elf");
        }
        CHECK(policy_chainload_path(&p, PV_ARCH_X86_64, 2) == NULL);    /* a config entry */
        CHECK(policy_chainload_path(&p, PV_ARCH_X86_64, 4) == NULL);    /* past the list */
        CHECK(policy_chainload_path(&p, PV_ARCH_X86_64, UINT32_MAX) == NULL);
        CHECK(policy_chainload_path(&p, PV_ARCH_NONE, 0) == NULL);

        /* From elsewhere: only what search_list_check() passes. */
        search_list_init(&l, true, "/opt/p.bin: embedded config");
        CHECK_EQ(search_list_add(&l, STAGE1_PVH, SEARCH_CONFIG, "/g.cfg"), 0);
        CHECK_EQ(policy_set_search(&p, STAGE1_PVH, &l), 0);
        CHECK_STREQ(p.search[STAGE1_PVH].origin, "/opt/p.bin: embedded config");
        l.entries[0].action = SEARCH_CHAINLOAD;
        CHECK_EQ(policy_set_search(&p, STAGE1_PVH, &l), -EINVAL);
        CHECK_EQ(policy_set_search(&p, _STAGE1_KIND_MAX, &l), -EINVAL);
        CHECK_EQ(p.search[STAGE1_PVH].entries[0].action, SEARCH_CONFIG);
}

int main(void) {
        Policy p, before;

        test_search();

        policy_init(&p);
        CHECK_EQ(p.mode, MODE_PV);
        CHECK_EQ(p.force_arch, PV_ARCH_NONE);
        CHECK_EQ(p.prefer, PV_ARCH_NONE);
        CHECK_STREQ(p.format, "raw");
        CHECK_EQ(p.timeout_sec, TIMEOUT_DEFAULT);
        CHECK(!p.host.known && !p.host_given);

        /* Modes by their stable names, both ways. */
        for (int m = 0; m < _MODE_MAX; m++)
                CHECK_EQ(decision_mode_from_string(decision_mode_to_string((DecisionMode) m)), m);
        CHECK_EQ(decision_mode_from_string("PV"), -EINVAL);
        CHECK_EQ(decision_mode_from_string(NULL), -EINVAL);
        CHECK_STREQ(decision_mode_to_string(_MODE_MAX), "unknown");
        CHECK_EQ(policy_set_mode(&p, "pvshim"), 0);
        CHECK_EQ(p.mode, MODE_PVSHIM);

        /* A refused value leaves the policy as it was. */
        before = p;
        CHECK_EQ(policy_set_mode(&p, "hvm"), -EINVAL);
        CHECK_EQ(policy_set_force_arch(&p, "none"), -EINVAL);
        CHECK_EQ(policy_set_force_arch(&p, "arm"), -EINVAL);
        CHECK_EQ(policy_set_prefer(&p, ""), -EINVAL);
        CHECK_EQ(policy_set_format(&p, "qcow2 -o backing_file=/etc/shadow"), -EINVAL);
        CHECK_EQ(policy_set_format(&p, "Raw"), -EINVAL);
        CHECK_EQ(policy_set_format(&p, ""), -EINVAL);
        CHECK_EQ(policy_set_format(&p, "abcdefghijklmnopqrstuvwxyz0123456"), -EINVAL);        /* 33 */
        CHECK_EQ(policy_set_timeout(&p, TIMEOUT_MIN - 1), -ERANGE);
        CHECK_EQ(policy_set_timeout(&p, TIMEOUT_MAX + 1), -ERANGE);
        CHECK_EQ(policy_set_timeout(&p, (unsigned long) -1), -ERANGE);
        CHECK_EQ(policy_set_host_caps(&p, "", "--host-caps"), -EINVAL);
        CHECK_EQ(policy_set_host_caps(&p, "xen-3.0-x86_64\x01", "--host-caps"), -EINVAL);
        CHECK_EQ(policy_set_host_caps(&p, NULL, "--host-caps"), -EINVAL);
        CHECK(memcmp(&p, &before, sizeof(p)) == 0);

        CHECK_EQ(policy_set_force_arch(&p, "i386"), 0);
        CHECK_EQ(policy_set_prefer(&p, "x86_64"), 0);
        CHECK(p.force_arch == PV_ARCH_I386 && p.prefer == PV_ARCH_X86_64);
        CHECK_EQ(policy_set_format(&p, "abcdefghijklmnopqrstuvwxyz012345"), 0);        /* 32 */
        CHECK_EQ(policy_set_format(&p, "vmdk"), 0);
        CHECK_STREQ(p.format, "vmdk");
        CHECK_EQ(policy_set_timeout(&p, TIMEOUT_MIN), 0);
        CHECK_EQ(policy_set_timeout(&p, TIMEOUT_MAX), 0);
        CHECK_EQ(p.timeout_sec, TIMEOUT_MAX);

        /* The rule between values: a forced width means nothing for PVH. */
        Policy q;
        policy_init(&q);
        CHECK_EQ(policy_check(&q), 0);
        CHECK_EQ(policy_set_force_arch(&q, "i386"), 0);
        CHECK_EQ(policy_check(&q), 0);
        CHECK_EQ(policy_set_mode(&q, "pvshim"), 0);
        CHECK_EQ(policy_check(&q), 0);          /* the shim runs a PV stage 1 of either width */
        CHECK_EQ(policy_set_mode(&q, "pvh"), 0);
        CHECK_EQ(policy_check(&q), -EINVAL);

        /* Given caps are the host from then on: never read over. */
        CHECK_EQ(policy_set_host_caps(&p, "xen-3.0-x86_64 hvm-3.0-x86_64\n", "caller"), 0);
        CHECK(p.host_given && p.host.known && p.host.pv64 && !p.host.pv32 && p.host.hvm);
        CHECK_STREQ(p.host.source, "caller");
        CHECK_EQ(policy_read_host(&p), 0);
        CHECK_STREQ(p.host.text, "xen-3.0-x86_64 hvm-3.0-x86_64");
        CHECK_STREQ(p.host.source, "caller");

        /* Not given: read from the hypervisor, or unknown off Xen. */
        policy_init(&p);
        int r = policy_read_host(&p);
        CHECK(r == 0 ? p.host.known : (r == -ENXIO && !p.host.known));
        CHECK(!p.host_given);
        return 0;
}
