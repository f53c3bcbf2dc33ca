/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The agent's md superblock reader, on loop devices holding superblocks
 * laid out as the kernel's md_p.h and mdadm write them: 1.2 at 4 KiB, 1.1
 * at 0, 1.0 near the end, 0.90 in the last 64 KiB; and the ones it must
 * refuse (a size past the member's end, a reshape in progress) or not
 * take for md at all; each member's slot from its role.  Then md_plan and
 * md_table on members as md_member_read returns them: every level's
 * table, and the arrays refused with their reasons (hostile shapes too).
 * The mapping itself (device-mapper) runs in the appliance:
 * tests/integration.sh's md scenarios.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/md.h"
#include "shared/macro.h"
#include "shared/test-util.h"

#define DISK_SECTORS 8192u      /* 4 MiB */

static char work[] = "/tmp/test-md-XXXXXX";

static void put32(uint8_t *p, uint32_t v) {
        for (int i = 0; i < 4; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v) {
        put32(p, (uint32_t) v);
        put32(p + 4, (uint32_t) (v >> 32));
}

/* A disk image with sb at sector, attached read-only: the loop device's
 * descriptor, or -1 when this machine has no loop devices. */
static int disk_with(const uint8_t *sb, size_t len, uint64_t sector) {
        char img[64], cmd[160], dev[64] = "";
        int fd;

        snprintf(img, sizeof(img), "%s/disk", work);
        fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0600);
        CHECK(fd >= 0);
        CHECK_EQ(ftruncate(fd, DISK_SECTORS * 512), 0);
        CHECK(pwrite(fd, sb, len, (off_t) (sector * 512)) == (ssize_t) len);
        close(fd);
        snprintf(cmd, sizeof(cmd), "losetup --find --show --read-only %s", img);
        FILE *f = popen(cmd, "r");
        CHECK(f);
        if (!fgets(dev, sizeof(dev), f))
                dev[0] = 0;
        pclose(f);
        dev[strcspn(dev, "\n")] = 0;
        if (!dev[0])
                return -1;
        fd = open(dev, O_RDONLY | O_CLOEXEC);
        snprintf(cmd, sizeof(cmd), "losetup -d %s", dev);      /* autoclear once fd closes */
        CHECK_EQ(system(cmd), 0);
        return fd;
}

static void v1(uint8_t *sb, uint64_t data_offset, uint64_t size, uint32_t level, uint64_t events) {
        memset(sb, 0, 4096);
        put32(sb, 0xa92b4efc);
        put32(sb + 4, 1);
        memset(sb + 16, 0x5a, 16);
        memcpy(sb + 32, "guest:md0", 9);
        put32(sb + 72, level);
        put64(sb + 80, size);
        put64(sb + 128, data_offset);
        put64(sb + 200, events);
        put64(sb + 136, size);                  /* data_size */
}

/* The shape of a striped level, and this member's slot: dev_number 1 of
 * max_dev 4, roles[1] = role. */
static void v1_shape(uint8_t *sb, uint32_t layout, uint32_t chunk, uint32_t raid_disks, uint16_t role) {
        put32(sb + 76, layout);
        put32(sb + 88, chunk);
        put32(sb + 92, raid_disks);
        put32(sb + 160, 1);
        put32(sb + 220, 4);
        sb[256 + 2] = (uint8_t) role;
        sb[256 + 3] = (uint8_t) (role >> 8);
}

static int read_at(const uint8_t *sb, uint64_t sector, MdMember *m) {
        int fd = disk_with(sb, 4096, sector), r;
        if (fd < 0) {
                fprintf(stderr, "SKIP: no loop device\n");
                exit(EXIT_TEST_SKIP);
        }
        r = md_member_read(fd, m);
        close(fd);
        return r;
}

/* Member i of a striped array, as md_member_read would return it. */
static MdMember member(int32_t level, uint32_t layout, uint32_t raid_disks, uint32_t role, uint64_t size) {
        MdMember m = {
                .major = 8, .minor = 16 * (role + 1), .version = 1, .level = level, .layout = layout,
                .chunk = 32, .raid_disks = raid_disks, .role = role, .events = 9, .data_offset = 2048,
                .size = size, .data_size = size,
        };
        memset(m.uuid, 0x5a, 16);
        return m;
}

/* All n members of one array, in slot order. */
static void array(MdMember *m, int32_t level, uint32_t layout, uint32_t n, uint64_t size) {
        for (uint32_t i = 0; i < n; i++)
                m[i] = member(level, layout, n, i, size);
}

/* The table md_activate would load for m[0..n), each member's own device
 * standing in for its view; or "refused: WHY". */
static const char *plan(const MdMember *m, size_t n) {
        static char out[1024];
        char dev[MD_MAX_MEMBERS][MD_DEV_NAME], why[64];
        uint64_t off[MD_MAX_MEMBERS] = { 0 };
        MdPlan p;

        if (md_plan(m, n, &p, why, sizeof(why)) < 0) {
                snprintf(out, sizeof(out), "refused: %s", why);
                return out;
        }
        for (uint32_t s = 0; s < p.slots; s++)
                if (p.member[s] >= 0) {
                        snprintf(dev[s], sizeof(dev[s]), "%u:%u", m[p.member[s]].major, m[p.member[s]].minor);
                        off[s] = m[p.member[s]].data_offset;
                }
        CHECK_EQ(md_table(&p, dev, off, out, sizeof(out)), 0);
        return out;
}

static void plans(void) {
        MdMember m[MD_MAX_MEMBERS + 1];

        /* RAID1: the freshest member, whole. */
        m[0] = member(1, 0, 2, 0, 4096);
        m[1] = member(1, 0, 2, 1, 4096);
        m[1].events = 10;
        CHECK_STREQ(plan(m, 2), "0 4096 linear 8:32 2048");

        /* RAID0: striped in slot order (not the order found), whole
         * chunks of each member's data area. */
        m[0] = member(0, 0, 2, 1, 4100);
        m[1] = member(0, 0, 2, 0, 4100);
        CHECK_STREQ(plan(m, 2), "0 8192 striped 2 32 8:16 2048 8:32 2048");
        m[1].data_size = 8192;
        CHECK_STREQ(plan(m, 2), "refused: raid0: members of different sizes (zones)");
        CHECK_STREQ(plan(m, 1), "refused: raid0: 1 of 2 members missing");

        /* RAID5/4: dm-raid over the members, read-only, nothing resynced;
         * one member may be missing. */
        array(m, 5, 2, 3, 4096);
        CHECK_STREQ(plan(m, 3), "0 8192 raid raid5_ls 2 32 nosync 3 - 8:16 - 8:32 - 8:48");
        m[1].events = 3;        /* stale: missed writes, so missing */
        CHECK_STREQ(plan(m, 3), "0 8192 raid raid5_ls 2 32 nosync 3 - 8:16 - - - 8:48");
        CHECK_STREQ(plan(m, 1), "refused: raid5: 2 of 3 members missing");
        m[1].events = 9;
        for (uint32_t i = 0; i < 3; i++)
                m[i].layout = 0;
        CHECK_STREQ(plan(m, 3), "0 8192 raid raid5_la 2 32 nosync 3 - 8:16 - 8:32 - 8:48");
        for (uint32_t i = 0; i < 3; i++)
                m[i].level = 4;
        CHECK_STREQ(plan(m, 3), "0 8192 raid raid5_n 2 32 nosync 3 - 8:16 - 8:32 - 8:48");
        array(m, 5, 7, 3, 4096);
        CHECK_STREQ(plan(m, 3), "refused: raid5: layout 7 not read");

        /* RAID10, near=2 (0x102) over four: slots 0+1 and 2+3 hold the
         * same chunks, striped over one of each pair (a survivor). */
        array(m, 10, 0x102, 4, 4096);
        CHECK_STREQ(plan(m, 4), "0 8192 striped 2 32 8:16 2048 8:48 2048");
        CHECK_STREQ(plan(m + 1, 3), "0 8192 striped 2 32 8:32 2048 8:48 2048");
        m[1] = m[3];
        CHECK_STREQ(plan(m + 1, 2), "refused: raid10: 2 of 4 missing, chunks lost");
        array(m, 10, 0x103, 6, 4096);  /* near=3 over six */
        CHECK_STREQ(plan(m + 2, 4), "0 8192 striped 2 32 8:48 2048 8:64 2048");
        /* Copies that straddle rows (odd counts), far and offset: refused. */
        array(m, 10, 0x102, 3, 4096);
        CHECK_STREQ(plan(m, 3), "refused: raid10: 3 members, 2 copies: not read");
        array(m, 10, 0x201, 3, 4096);
        CHECK_STREQ(plan(m, 3), "refused: raid10: layout 0x201 not read (near is)");
        array(m, 10, 0x10102, 3, 4096);
        CHECK_STREQ(plan(m, 3), "refused: raid10: layout 0x10102 not read (near is)");

        /* Levels not read. */
        array(m, 6, 2, 4, 4096);
        CHECK_STREQ(plan(m, 4), "refused: raid6: no read-only device-mapper target");
        m[0] = member(-1, 0, 2, 0, 4096);
        CHECK_STREQ(plan(m, 1), "refused: md level -1: not read");

        /* Hostile shapes: member counts, chunks, slots, sizes. */
        m[0] = member(5, 2, 0, 0, 4096);
        CHECK_STREQ(plan(m, 1), "refused: raid5 of 0 members: not read");
        m[0] = member(5, 2, UINT32_MAX, 0, 4096);
        CHECK_STREQ(plan(m, 1), "refused: raid5 of 4294967295 members: not read");
        for (uint32_t c = 0; c < 4; c++) {
                static const uint32_t bad[] = { 0, 4, 48, UINT32_C(1) << 31 };
                for (uint32_t i = 0; i < 3; i++) {
                        m[i] = member(5, 2, 3, i, 4096);
                        m[i].chunk = bad[c];
                }
                char want[64];
                snprintf(want, sizeof(want), "refused: raid5: chunk of %u sectors not read", bad[c]);
                CHECK_STREQ(plan(m, 3), want);
        }
        array(m, 5, 2, 3, 4096);
        m[2].role = 1;
        CHECK_STREQ(plan(m, 3), "refused: raid5: two members claim slot 1");
        m[2] = member(5, 2, 3, 2, 8192);
        CHECK_STREQ(plan(m, 3), "refused: raid5: members disagree on its shape");
        m[2] = member(5, 2, 3, 9, 4096);    /* a slot past raid_disks: not a member */
        CHECK_STREQ(plan(m, 3), "0 8192 raid raid5_ls 2 32 nosync 3 - 8:16 - 8:32 - -");
        for (uint32_t i = 0; i < 3; i++)
                m[i] = member(5, 2, 3, i, 16);      /* less than a chunk */
        CHECK_STREQ(plan(m, 3), "refused: raid5: no whole chunk per member");
        array(m, 0, 0, 2, UINT64_MAX);
        CHECK_STREQ(plan(m, 2), "refused: raid0: size overflows");
        for (uint32_t i = 0; i < MD_MAX_MEMBERS; i++) {
                m[i] = member(10, 0x102, MD_MAX_MEMBERS, i, UINT64_MAX);
                m[i].chunk = 8;
        }   /* 8 sets of 2^64 sectors */
        CHECK_STREQ(plan(m, MD_MAX_MEMBERS), "refused: raid10: size overflows");
        /* More members than an array holds are cut, never overrun. */
        for (uint32_t i = 0; i < ELEMENTSOF(m); i++)
                m[i] = member(5, 2, MD_MAX_MEMBERS, i, 4096);
        CHECK(strncmp(plan(m, MD_MAX_MEMBERS), "0 61440 raid raid5_ls 2 32 nosync 16 ", 37) == 0);
        CHECK(md_plan(m, 0, &(MdPlan) { 0 }, (char[8]) { 0 }, 8) < 0);
}

int main(void) {
        uint8_t sb[4096];
        MdMember m;

        if (geteuid() != 0 || system("command -v losetup >/dev/null") != 0) {
                fprintf(stderr, "SKIP: needs root and losetup\n");
                return EXIT_TEST_SKIP;
        }
        CHECK(mkdtemp(work));

        /* 1.2: at 4 KiB, data after it. */
        v1(sb, 2048, 4096, 1, 7);
        CHECK_EQ(read_at(sb, 8, &m), 0);
        CHECK(m.version == 1 && m.level == 1 && m.data_offset == 2048 && m.size == 4096 && m.events == 7);
        CHECK_STREQ(m.name, "guest:md0");
        CHECK(m.role == MD_ROLE_NONE);  /* no roles table: a mirror's member all the same */
        /* A striped level's shape and slot: roles[dev_number]; spare,
         * faulty, a member still being rebuilt, a dev_number outside the
         * table: no slot. */
        v1(sb, 2048, 4096, 5, 7);
        v1_shape(sb, 2, 128, 3, 2);
        CHECK_EQ(read_at(sb, 8, &m), 0);
        CHECK(m.level == 5 && m.layout == 2 && m.chunk == 128 && m.raid_disks == 3 && m.role == 2 &&
              m.data_size == 4096);
        v1_shape(sb, 2, 128, 3, 0xfffe);
        CHECK_EQ(read_at(sb, 8, &m), 0);
        CHECK(m.role == MD_ROLE_NONE);
        v1_shape(sb, 2, 128, 3, 0xffff);
        CHECK_EQ(read_at(sb, 8, &m), 0);
        CHECK(m.role == MD_ROLE_NONE);
        v1_shape(sb, 2, 128, 3, 1);
        put32(sb + 8, 2);
        CHECK_EQ(read_at(sb, 8, &m), 0);
        CHECK(m.role == MD_ROLE_NONE);
        put32(sb + 8, 0);
        put32(sb + 160, 4);             /* dev_number == max_dev */
        CHECK_EQ(read_at(sb, 8, &m), 0);
        CHECK(m.role == MD_ROLE_NONE);
        put32(sb + 160, 1000);
        put32(sb + 220, UINT32_MAX);    /* past the 1 KiB we read */
        CHECK_EQ(read_at(sb, 8, &m), 0);
        CHECK(m.role == MD_ROLE_NONE);
        v1(sb, 2048, 4096, 0, 7);
        put64(sb + 136, DISK_SECTORS);  /* data_size past the end */
        CHECK_EQ(read_at(sb, 8, &m), -EBADMSG);
        /* 1.1 at 0; 1.0 8-12 KiB before the end, data from 0. */
        v1(sb, 2048, 4096, 1, 7);
        CHECK_EQ(read_at(sb, 0, &m), 0);
        v1(sb, 0, DISK_SECTORS - 16, 1, 1);
        CHECK_EQ(read_at(sb, (DISK_SECTORS - 16) & ~7u, &m), 0);
        CHECK(m.data_offset == 0 && m.size == DISK_SECTORS - 16);

        /* Hostile: data past the member's end, an offset past it, a size
         * that wraps, a reshape half done. */
        v1(sb, 2048, DISK_SECTORS, 1, 1);
        CHECK_EQ(read_at(sb, 8, &m), -EBADMSG);
        v1(sb, DISK_SECTORS + 1, 1, 1, 1);
        CHECK_EQ(read_at(sb, 8, &m), -EBADMSG);
        v1(sb, 2048, UINT64_MAX - 100, 1, 1);
        CHECK_EQ(read_at(sb, 8, &m), -EBADMSG);
        v1(sb, 2048, 4096, 1, 1);
        put32(sb + 8, 4);
        CHECK_EQ(read_at(sb, 8, &m), -EBADMSG);
        v1(sb, 2048, 0, 1, 1);
        CHECK_EQ(read_at(sb, 8, &m), -EBADMSG);
        v1(sb, 2048, 0, 0, 1);          /* RAID0 leaves size 0: its data_size counts */
        put64(sb + 136, 4096);
        CHECK_EQ(read_at(sb, 8, &m), 0);
        CHECK(m.level == 0 && m.size == 0 && m.data_size == 4096);

        /* Not md: the magic at the wrong place, or with version 2. */
        v1(sb, 2048, 4096, 1, 1);
        CHECK_EQ(read_at(sb, 16, &m), -ENOENT);
        put32(sb + 4, 2);
        CHECK_EQ(read_at(sb, 8, &m), -ENOENT);

        /* 0.90: in the last 64 KiB-aligned 64 KiB, size in KiB, events in
         * two words, data from 0. */
        memset(sb, 0, sizeof(sb));
        put32(sb, 0xa92b4efc);
        put32(sb + 8, 90);
        put32(sb + 7 * 4, 1);
        put32(sb + 8 * 4, (DISK_SECTORS - 128) / 2);
        put32(sb + 39 * 4, 3);
        put32(sb + 40 * 4, 1);
        CHECK_EQ(read_at(sb, DISK_SECTORS - 128, &m), 0);
        CHECK(m.version == 0 && m.level == 1 && m.size == DISK_SECTORS - 128 && m.data_offset == 0 &&
              m.events == (UINT64_C(1) << 32 | 3) && m.name[0] == 0 && m.role == MD_ROLE_NONE);
        /* Its shape: raid_disks (word 10), layout and chunk in bytes
         * (words 64, 65), this disk's slot if active and in sync (the
         * descriptor at word 992: raid_disk, state). */
        put32(sb + 7 * 4, 5);
        put32(sb + 10 * 4, 3);
        put32(sb + 64 * 4, 2);
        put32(sb + 65 * 4, 65536);
        put32(sb + 995 * 4, 2);
        put32(sb + 996 * 4, 6);
        CHECK_EQ(read_at(sb, DISK_SECTORS - 128, &m), 0);
        CHECK(m.level == 5 && m.raid_disks == 3 && m.layout == 2 && m.chunk == 128 && m.role == 2 &&
              m.data_size == DISK_SECTORS - 128);
        put32(sb + 996 * 4, 7);         /* faulty */
        CHECK_EQ(read_at(sb, DISK_SECTORS - 128, &m), 0);
        CHECK(m.role == MD_ROLE_NONE);
        put32(sb + 8 * 4, DISK_SECTORS);        /* its data would cover its own superblock */
        CHECK_EQ(read_at(sb, DISK_SECTORS - 128, &m), -EBADMSG);

        plans();
        char cmd[64];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
        return system(cmd) == 0 ? 0 : 1;
}
