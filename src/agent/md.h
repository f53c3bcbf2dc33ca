/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * md RAID in the agent, without mdadm or the md driver.
 *
 * The guest's disk reaches the appliance read-only, and both mdadm and
 * the kernel's md open an array's members for writing: neither assembles
 * anything from it.  What the stage 1's mdraid09/mdraid1x modules do for a
 * mirror needs no assembly, though: every member of a RAID1 holds the
 * whole array, so the freshest member's data area, mapped read-only with
 * device-mapper, is the array as GRUB reads it (degraded ones included).
 * Other levels are recognised and left out: what we cannot read is not
 * evidence, and the host says so.
 *
 * Superblocks are guest bytes: read at fixed offsets, bounded, checked
 * against the member's size.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MD_MAX_MEMBERS 16

typedef struct MdMember {
        unsigned major, minor;          /* the member device */
        unsigned version;               /* 0: metadata 0.90, 1: 1.x */
        uint8_t uuid[16];               /* the array's */
        char name[33];                  /* 1.x's set name, NUL-terminated; "" for 0.90 */
        int32_t level;
        uint64_t events;
        uint64_t data_offset;           /* sectors into the member */
        uint64_t size;                  /* sectors of array data on the member */
} MdMember;

/* Is the open block device fd an md member?  0 with *ret filled, -ENOENT
 * when it is not one, -EBADMSG for a superblock that cannot be right. */
int md_member_read(int fd, MdMember *ret);

typedef struct MdArray {
        char display[64];               /* /dev/md/NAME, NAME made safe */
        unsigned major, minor;          /* the device-mapper device */
        size_t member;                  /* index of the member mapped */
} MdArray;

/* One group per array UUID: each RAID1 mapped from its freshest member.
 * Returns how many arrays were mapped (into ret, at most max); *ret_skipped
 * counts arrays of other levels. */
int md_activate(const MdMember *m, size_t n, MdArray *ret, size_t max, unsigned *ret_skipped);

/* The table md_activate loads for member m: "0 SIZE linear MAJ:MIN OFFSET". */
int md_table(const MdMember *m, char *buf, size_t size);
