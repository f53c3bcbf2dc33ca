/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Which partition table a disk's partitions come from.
 *
 * The kernel found the partitions (BLKRRPART, sysfs) but does not say
 * from which kind of table; the stage 1 needs the GRUB module of that
 * kind (part_gpt, part_msdos) to reach anything inside one.  Read as
 * GRUB's partmaps read it (grub-core/partmap/gpt.c, msdos.c): a GPT is
 * the "EFI PART" header at LBA 1 behind an MBR with the 0xAA55 signature
 * and a protective (type 0xEE) entry; any other MBR with the signature
 * is an msdos table, its logical partitions included.
 *
 * A fact for the host, as an AGENT_VIA_* bit; the disk is guest bytes,
 * so only two fixed sectors are read.
 */

#include <stddef.h>
#include <stdint.h>

/* The table in the first two logical sectors (sector0, lba1, each of
 * sector_size bytes, >= 512): AGENT_VIA_PART_GPT, AGENT_VIA_PART_MSDOS,
 * or 0 for none we know. */
uint32_t partition_table_of(const uint8_t *sector0, const uint8_t *lba1, size_t sector_size);

/* The same, read from the open disk fd (its logical sector size when it
 * is a block device, 512 otherwise): 0 also when it cannot be read. */
uint32_t partition_table_read(int fd);
