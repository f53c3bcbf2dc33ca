/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kind of a disk's partition table (see partition.h). */
#include <linux/fs.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "agent/partition.h"
#include "pvboot-agent.h"
#include "shared/fd-util.h"

#define MBR_TYPE_GPT_PROTECTIVE 0xee
#define SECTOR_MAX 4096

uint32_t partition_table_of(const uint8_t *sector0, const uint8_t *lba1, size_t sector_size) {
        bool protective = false;

        if (sector_size < 512 || sector0[510] != 0x55 || sector0[511] != 0xaa)
                return 0;
        /* Four entries of 16 bytes from offset 446; the type at 4. */
        for (unsigned i = 0; i < 4; i++)
                protective = protective || sector0[446 + 16 * i + 4] == MBR_TYPE_GPT_PROTECTIVE;
        if (protective && memcmp(lba1, "EFI PART", 8) == 0)
                return AGENT_VIA_PART_GPT;
        return AGENT_VIA_PART_MSDOS;
}

uint32_t partition_table_read(int fd) {
        static uint8_t buf[2 * SECTOR_MAX];
        struct stat st;
        int ssz = 512;

        if (fstat(fd, &st) < 0)
                return 0;
        if (S_ISBLK(st.st_mode) && (ioctl(fd, BLKSSZGET, &ssz) < 0 || ssz < 512 || ssz > SECTOR_MAX))
                return 0;
        if (loop_pread(fd, buf, 2 * (size_t) ssz, 0) != 2 * (ssize_t) ssz)
                return 0;
        return partition_table_of(buf, buf + ssz, (size_t) ssz);
}
