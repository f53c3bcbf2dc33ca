/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kind of a partition table, on tables sfdisk writes (msdos with
 * primary and logical partitions, GPT with its protective MBR) and on
 * the sectors that must not pass for one: no signature, a protective
 * entry without a GPT header, a GPT header behind no MBR.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/partition.h"
#include "pvboot-agent.h"
#include "shared/test-util.h"

static char work[] = "/tmp/test-partition-XXXXXX";

static void cleanup(void) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
        (void) !system(cmd);
}

/* A 16 MiB image with the table script given to sfdisk: its kind. */
static uint32_t table_of(const char *script) {
        char cmd[512], img[64];
        uint32_t via;
        int fd;

        snprintf(img, sizeof(img), "%s/disk", work);
        snprintf(cmd, sizeof(cmd), "rm -f %s && truncate -s 16M %s && printf '%s' | sfdisk -q %s", img, img, script,
                 img);
        CHECK_EQ(system(cmd), 0);
        fd = open(img, O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0);
        via = partition_table_read(fd);
        close(fd);
        return via;
}

static void test_sectors(void) {
        static uint8_t s0[512], s1[512];

        CHECK_EQ(partition_table_of(s0, s1, 512), 0);          /* no signature */
        memcpy(s1, "EFI PART", 8);
        CHECK_EQ(partition_table_of(s0, s1, 512), 0);          /* a GPT header behind no MBR */
        s0[510] = 0x55;
        s0[511] = 0xaa;
        CHECK_EQ(partition_table_of(s0, s1, 512), AGENT_VIA_PART_MSDOS);
        s0[446 + 16 * 3 + 4] = 0xee;                            /* protective, in any slot */
        CHECK_EQ(partition_table_of(s0, s1, 512), AGENT_VIA_PART_GPT);
        memset(s1, 0, 8);
        CHECK_EQ(partition_table_of(s0, s1, 512), AGENT_VIA_PART_MSDOS);       /* no header: not a GPT */
        CHECK_EQ(partition_table_of(s0, s1, 256), 0);
}

int main(void) {
        test_sectors();
        if (system("command -v sfdisk >/dev/null") != 0) {
                fprintf(stderr, "SKIP: no sfdisk\n");
                return EXIT_TEST_SKIP;
        }
        CHECK(mkdtemp(work));
        atexit(cleanup);
        CHECK_EQ(table_of("label: dos\\nstart=2048, type=L\\n"), AGENT_VIA_PART_MSDOS);
        CHECK_EQ(table_of("label: dos\\nstart=2048, size=4096, type=L\\nstart=8192, type=5\\n"
                          "start=10240, size=2048, type=L\\n"), AGENT_VIA_PART_MSDOS);
        CHECK_EQ(table_of("label: gpt\\nstart=2048, type=L\\n"), AGENT_VIA_PART_GPT);
        /* Nothing there at all. */
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0);
        CHECK_EQ(partition_table_read(fd), 0);
        close(fd);
        return 0;
}
