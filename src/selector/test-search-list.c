/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Search lists: building, the spec's default, the check on arrival, modules. */
#include <errno.h>
#include <string.h>

#include "pvboot-agent.h"
#include "selector/search-list.h"
#include "shared/test-util.h"

static void test_kinds(void) {
        CHECK_STREQ(stage1_kind_to_string(STAGE1_X86_64), "x86_64");
        CHECK_STREQ(stage1_kind_to_string(STAGE1_I386), "i386");
        CHECK_STREQ(stage1_kind_to_string(STAGE1_PVH), "pvh");
        CHECK_STREQ(stage1_kind_to_string((Stage1Kind) 7), "unknown");
        CHECK_EQ(stage1_kind_from_string("pvh"), STAGE1_PVH);
        CHECK_EQ(stage1_kind_from_string("i686"), -EINVAL);
        CHECK_EQ(stage1_kind_from_string(NULL), -EINVAL);
        CHECK_EQ(stage1_kind_of_arch(PV_ARCH_I386), STAGE1_I386);
        CHECK_EQ(stage1_kind_of_arch(PV_ARCH_X86_64), STAGE1_X86_64);
        CHECK_EQ(stage1_kind_of_arch(PV_ARCH_NONE), _STAGE1_KIND_MAX);
}

static void test_paths(void) {
        char longest[SEARCH_PATH_MAX], too_long[SEARCH_PATH_MAX + 1];

        CHECK(search_path_valid("/boot/xen/pvboot-x86_64.elf"));
        CHECK(search_path_valid("/boot/grub2/grub.cfg"));
        CHECK(search_path_valid("/a b/.hidden/x..y/..."));
        CHECK(!search_path_valid(NULL));
        CHECK(!search_path_valid(""));
        CHECK(!search_path_valid("boot/grub/grub.cfg"));
        CHECK(!search_path_valid("/boot/../etc/passwd"));
        CHECK(!search_path_valid("/boot/./grub.cfg"));
        CHECK(!search_path_valid("/boot/.."));
        CHECK(!search_path_valid("/."));
        CHECK(!search_path_valid("(hd0)/grub.cfg"));
        CHECK(!search_path_valid("/$root/grub.cfg"));
        CHECK(!search_path_valid("/a\\b"));
        CHECK(!search_path_valid("/a\nb"));
        CHECK(!search_path_valid("/a\x1b[2Jb"));
        CHECK(!search_path_valid("/\xc3\xa9"));
        memset(longest, 'a', sizeof(longest));
        longest[0] = '/';
        longest[SEARCH_PATH_MAX - 1] = 0;
        CHECK(search_path_valid(longest));
        memset(too_long, 'a', sizeof(too_long));
        too_long[0] = '/';
        too_long[SEARCH_PATH_MAX] = 0;
        CHECK(!search_path_valid(too_long));
}

static void test_build_and_check(void) {
        SearchList l, m;
        char d[512];

        search_list_init(&l, true, "/opt/x.bin: embedded config");
        CHECK_EQ(l.n, 0u);
        search_list_describe(&l, d, sizeof(d));
        CHECK_STREQ(d, "nothing");
        CHECK_EQ(search_list_add(&l, STAGE1_X86_64, SEARCH_CONFIG, "/boot/grub2/grub.cfg"), 0);
        CHECK_EQ(search_list_add(&l, STAGE1_X86_64, SEARCH_CHAINLOAD, "/boot/xen/pvboot-x86_64.elf"), 0);
        CHECK_EQ(search_list_add(&l, STAGE1_X86_64, (SearchAction) 3, "/x"), -EINVAL);
        CHECK_EQ(search_list_add(&l, STAGE1_X86_64, SEARCH_CONFIG, "relative"), -EINVAL);
        /* The PVH stage 1 only reads configs. */
        CHECK_EQ(search_list_add(&l, STAGE1_PVH, SEARCH_CHAINLOAD, "/x"), -EINVAL);
        CHECK_EQ(l.n, 2u);
        search_list_describe(&l, d, sizeof(d));
        CHECK_STREQ(d, "config /boot/grub2/grub.cfg, chainload /boot/xen/pvboot-x86_64.elf");
        CHECK_EQ(search_list_check(&l, STAGE1_X86_64), 0);
        CHECK_EQ(search_list_check(&l, STAGE1_PVH), -EBADMSG);
        CHECK_EQ(search_list_check(&l, _STAGE1_KIND_MAX), -EBADMSG);

        /* A full list refuses one more. */
        search_list_init(&m, true, "full");
        for (unsigned i = 0; i < SEARCH_MAX_ENTRIES; i++)
                CHECK_EQ(search_list_add(&m, STAGE1_I386, SEARCH_CONFIG, "/g"), 0);
        CHECK_EQ(search_list_add(&m, STAGE1_I386, SEARCH_CONFIG, "/g"), -E2BIG);
        CHECK_EQ(search_list_check(&m, STAGE1_I386), 0);
        search_list_describe(&m, d, 40);
        CHECK_EQ(strlen(d), 39u);
        CHECK(strcmp(d + 36, "...") == 0);

        /* What another process may send wrong, each alone. */
        m = l;
        m.n = SEARCH_MAX_ENTRIES + 1;
        CHECK_EQ(search_list_check(&m, STAGE1_X86_64), -EBADMSG);
        m = l;
        m.entries[0].path[40] = 'x';            /* junk after the NUL */
        CHECK_EQ(search_list_check(&m, STAGE1_X86_64), -EBADMSG);
        m = l;
        memset(m.entries[1].path, 'a', sizeof(m.entries[1].path));    /* no NUL */
        CHECK_EQ(search_list_check(&m, STAGE1_X86_64), -EBADMSG);
        m = l;
        m.entries[1].action = 0;
        CHECK_EQ(search_list_check(&m, STAGE1_X86_64), -EBADMSG);
        m = l;
        memcpy(m.entries[0].path, "/../x", 6);
        CHECK_EQ(search_list_check(&m, STAGE1_X86_64), -EBADMSG);
        m = l;
        m.entries[2].path[0] = '/';             /* beyond n, not empty */
        CHECK_EQ(search_list_check(&m, STAGE1_X86_64), -EBADMSG);
        m = l;
        m.origin[3] = '\x1b';
        CHECK_EQ(search_list_check(&m, STAGE1_X86_64), -EBADMSG);
        m = l;
        m.origin[sizeof(m.origin) - 1] = 'x';
        CHECK_EQ(search_list_check(&m, STAGE1_X86_64), -EBADMSG);
        m = l;
        m.modules = 1;                          /* modules without modules_known */
        CHECK_EQ(search_list_check(&m, STAGE1_X86_64), -EBADMSG);
        m.modules_known = 1;
        CHECK_EQ(search_list_check(&m, STAGE1_X86_64), 0);
        m.modules = UINT64_C(1) << 63;          /* a bit past the table */
        CHECK_EQ(search_list_check(&m, STAGE1_X86_64), -EBADMSG);
        m = l;
        m.from_image = 2;
        CHECK_EQ(search_list_check(&m, STAGE1_X86_64), -EBADMSG);

        /* An origin with control characters is escaped once, and stays so. */
        search_list_init(&m, false, "a\x1b[2Jb");
        CHECK_STREQ(m.origin, "a\\x1b[2Jb");
        CHECK_EQ(search_list_check(&m, STAGE1_I386), 0);
        search_list_set_origin(&m, m.origin);
        CHECK_STREQ(m.origin, "a\\x1b[2Jb");
}

static void test_spec_default(void) {
        SearchList l;
        char d[512];

        search_list_spec_default(STAGE1_X86_64, "no image", &l);
        CHECK_STREQ(l.origin, "spec default: no image");
        CHECK(!l.from_image && !l.modules_known);
        search_list_describe(&l, d, sizeof(d));
        CHECK_STREQ(d, "chainload /boot/xen/pvboot-x86_64.elf, chainload /xen/pvboot-x86_64.elf, "
                       "config /boot/grub/grub.cfg, config /grub/grub.cfg");
        CHECK_EQ(search_list_check(&l, STAGE1_X86_64), 0);
        search_list_spec_default(STAGE1_I386, "x", &l);
        search_list_describe(&l, d, sizeof(d));
        CHECK_STREQ(d, "chainload /boot/xen/pvboot-i386.elf, chainload /xen/pvboot-i386.elf, "
                       "config /boot/grub/grub.cfg, config /grub/grub.cfg");
        search_list_spec_default(STAGE1_PVH, "x", &l);
        search_list_describe(&l, d, sizeof(d));
        CHECK_STREQ(d, "config /boot/grub/grub.cfg, config /grub/grub.cfg");
        CHECK_EQ(search_list_check(&l, STAGE1_PVH), 0);
        search_list_describe_modules(&l, d, sizeof(d));
        CHECK_STREQ(d, "unknown");
}

static uint64_t bit(const char *module) {
        int i = search_module_index(module);
        CHECK(i >= 0);
        return UINT64_C(1) << i;
}

static void test_modules(void) {
        SearchList l;
        const char *m;
        char d[512];

        CHECK_STREQ(search_fs_module("ext4"), "ext2");
        CHECK_STREQ(search_fs_module("ext3"), "ext2");
        CHECK_STREQ(search_fs_module("vfat"), "fat");
        CHECK_STREQ(search_fs_module("zfs_member"), "zfs");
        CHECK_STREQ(search_fs_module("squashfs"), "squash4");
        CHECK(search_fs_module("LVM2_member") == NULL);
        CHECK(search_fs_module("") == NULL);
        CHECK(search_fs_module(NULL) == NULL);
        /* Every filesystem's module is one the mask tracks. */
        static const char *const types[] = { "ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "exfat", "ntfs",
                                             "iso9660", "udf", "jfs", "reiserfs", "f2fs", "hfsplus", "hfs",
                                             "squashfs", "nilfs2", "zfs_member", "minix", NULL };
        for (const char *const *t = types; *t; t++)
                CHECK(search_module_index(search_fs_module(*t)) >= 0);
        CHECK_EQ(search_module_index("gzio"), -ENOENT);
        CHECK_EQ(search_module_index(NULL), -ENOENT);
        for (unsigned i = 0; search_module_name(i); i++) {
                CHECK(i < SEARCH_MAX_MODULES);
                CHECK_EQ(search_module_index(search_module_name(i)), (long long) i);
        }

        search_list_init(&l, true, "x");
        /* Unknown modules: everything readable, nothing named. */
        CHECK(search_list_can_read(&l, "xfs", AGENT_VIA_PART_GPT | AGENT_VIA_LVM, &m) && m == NULL);
        l.modules_known = 1;
        l.modules = bit("ext2") | bit("part_gpt");
        CHECK(search_list_can_read(&l, "ext4", 0, &m) && m == NULL);
        CHECK(search_list_can_read(&l, "ext4", AGENT_VIA_PART_GPT, &m) && m == NULL);
        CHECK(!search_list_can_read(&l, "xfs", 0, &m));
        CHECK_STREQ(m, "xfs");
        CHECK(!search_list_can_read(&l, "btrfs", 0, NULL));
        /* A type we know no module for is not held against the stage 1. */
        CHECK(search_list_can_read(&l, "weirdfs", 0, &m) && m == NULL);
        CHECK(search_list_can_read(&l, "", 0, &m) && m == NULL);
        search_list_describe_modules(&l, d, sizeof(d));
        CHECK_STREQ(d, "ext2 part_gpt");
        l.modules = 0;
        search_list_describe_modules(&l, d, sizeof(d));
        CHECK_STREQ(d, "none");

        /* blscfg: Fedora's module or GRUB 2.14's blsuki; unknown modules are unknown. */
        CHECK_EQ(search_list_has_blscfg(&l), 0);
        l.modules = UINT64_C(1) << search_module_index("blscfg");
        CHECK_EQ(search_list_has_blscfg(&l), 1);
        l.modules = UINT64_C(1) << search_module_index("blsuki") | UINT64_C(1) << search_module_index("ext2");
        CHECK_EQ(search_list_has_blscfg(&l), 1);
        search_list_describe_modules(&l, d, sizeof(d));
        CHECK_STREQ(d, "ext2 blsuki");
        CHECK_EQ(search_list_check(&l, STAGE1_X86_64), 0);
        l.modules_known = 0;
        l.modules = 0;
        CHECK_EQ(search_list_has_blscfg(&l), -ENODATA);
}

/* The layers a device is reached through: each needs its modules, the
 * first missing one named, the filesystem's first, then from the disk up. */
static void test_layers(void) {
        SearchList l;
        const char *m;
        char d[512];

        /* What grub-probe names for each. */
        static const struct {
                const char *fstype;
                uint32_t via;
                const char *want;
        } needs[] = {
                { NULL, 0, "" },
                { "weirdfs", 0, "" },
                { NULL, AGENT_VIA_PART_MSDOS, "part_msdos" },
                { "ext4", AGENT_VIA_PART_GPT, "ext2 part_gpt" },
                { "ext4", AGENT_VIA_PART_GPT | AGENT_VIA_LVM, "ext2 part_gpt lvm" },
                { "weirdfs", AGENT_VIA_LVM, "lvm" },
                { NULL, AGENT_VIA_MD_1X | AGENT_VIA_MD_RAID1, "diskfilter mdraid1x" },
                { NULL, AGENT_VIA_MD_090 | AGENT_VIA_MD_RAID5, "diskfilter mdraid09 raid5rec" },
                { NULL, AGENT_VIA_MD_1X | AGENT_VIA_MD_RAID6, "diskfilter mdraid1x raid6rec" },
                { NULL, AGENT_VIA_MD_1X | AGENT_VIA_MD_RAID0 | AGENT_VIA_MD_RAID10 | AGENT_VIA_MD_RAID4 |
                        AGENT_VIA_MD_LINEAR, "diskfilter mdraid1x" },
                { "btrfs", AGENT_VIA_PART_MSDOS | AGENT_VIA_MD_090 | AGENT_VIA_MD_1X | AGENT_VIA_MD_RAID1 | AGENT_VIA_LVM,
                  "btrfs part_msdos diskfilter mdraid09 mdraid1x lvm" },
                { "xfs", AGENT_VIA_ALL, "xfs part_msdos part_gpt diskfilter mdraid09 mdraid1x raid5rec raid6rec lvm" },
        };
        for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
                search_device_describe(needs[i].fstype, needs[i].via, d, sizeof(d));
                CHECK_STREQ(d, needs[i].want);
        }

        search_list_init(&l, true, "x");
        l.modules_known = 1;
        /* LVM on md RAID1 (1.x) on msdos partitions, with each module missing in turn. */
        uint32_t via = AGENT_VIA_PART_MSDOS | AGENT_VIA_MD_1X | AGENT_VIA_MD_RAID1 | AGENT_VIA_LVM;
        static const char *const chain[] = { "ext2", "part_msdos", "diskfilter", "mdraid1x", "lvm", NULL };
        for (const char *const *gone = chain; *gone; gone++) {
                l.modules = 0;
                for (const char *const *c = chain; *c; c++)
                        l.modules |= *c == *gone ? 0 : bit(*c);
                CHECK(!search_list_can_read(&l, "ext4", via, &m));
                CHECK_STREQ(m, *gone);
        }
        l.modules = bit("ext2") | bit("part_msdos") | bit("diskfilter") | bit("mdraid1x") | bit("lvm");
        CHECK(search_list_can_read(&l, "ext4", via, &m) && m == NULL);
        /* Missing two: the filesystem's first, then the outermost layer. */
        l.modules = bit("part_msdos") | bit("diskfilter") | bit("mdraid1x");
        CHECK(!search_list_can_read(&l, "ext4", via, &m));
        CHECK_STREQ(m, "ext2");
        l.modules = bit("ext2") | bit("diskfilter") | bit("mdraid1x");
        CHECK(!search_list_can_read(&l, "ext4", via, &m));
        CHECK_STREQ(m, "part_msdos");
        /* A GPT partition is no msdos one; RAID5 needs its recovery module. */
        l.modules = bit("ext2") | bit("part_msdos");
        CHECK(!search_list_can_read(&l, "ext4", AGENT_VIA_PART_GPT, &m));
        CHECK_STREQ(m, "part_gpt");
        l.modules = bit("ext2") | bit("diskfilter") | bit("mdraid09");
        CHECK(!search_list_can_read(&l, "ext4", AGENT_VIA_MD_090 | AGENT_VIA_MD_RAID5, &m));
        CHECK_STREQ(m, "raid5rec");
        CHECK(search_list_can_read(&l, "ext4", AGENT_VIA_MD_090 | AGENT_VIA_MD_RAID1, &m) && m == NULL);
        /* A whole disk needs the filesystem's module only. */
        l.modules = bit("ext2");
        CHECK(search_list_can_read(&l, "ext4", 0, &m) && m == NULL);
}

int main(void) {
        test_kinds();
        test_paths();
        test_build_and_check();
        test_spec_default();
        test_modules();
        test_layers();
        return 0;
}
