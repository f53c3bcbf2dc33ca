/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The agent's md superblock reader, on loop devices holding superblocks
 * laid out as the kernel's md_p.h and mdadm write them: 1.2 at 4 KiB, 1.1
 * at 0, 1.0 near the end, 0.90 in the last 64 KiB; and the ones it must
 * refuse (a size past the member's end, a reshape in progress) or not
 * take for md at all.  The mapping itself (device-mapper) runs in the
 * appliance: tests/integration.sh's md scenarios.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/md.h"
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
        memset(sb, 0, 1024);
        put32(sb, 0xa92b4efc);
        put32(sb + 4, 1);
        memset(sb + 16, 0x5a, 16);
        memcpy(sb + 32, "guest:md0", 9);
        put32(sb + 72, level);
        put64(sb + 80, size);
        put64(sb + 128, data_offset);
        put64(sb + 200, events);
}

static int read_at(const uint8_t *sb, uint64_t sector, MdMember *m) {
        int fd = disk_with(sb, 1024, sector), r;
        if (fd < 0) {
                fprintf(stderr, "SKIP: no loop device\n");
                exit(EXIT_TEST_SKIP);
        }
        r = md_member_read(fd, m);
        close(fd);
        return r;
}

int main(void) {
        uint8_t sb[1024];
        MdMember m;
        char t[128];

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
        CHECK_EQ(md_table(&m, t, sizeof(t)), 0);
        char want[64];
        snprintf(want, sizeof(want), "0 4096 linear %u:%u 2048", m.major, m.minor);
        CHECK_STREQ(t, want);
        /* 1.1 at 0; 1.0 8-12 KiB before the end, data from 0. */
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
              m.events == (UINT64_C(1) << 32 | 3) && m.name[0] == 0);
        put32(sb + 8 * 4, DISK_SECTORS);        /* its data would cover its own superblock */
        CHECK_EQ(read_at(sb, DISK_SECTORS - 128, &m), -EBADMSG);

        char cmd[64];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
        return system(cmd) == 0 ? 0 : 1;
}
