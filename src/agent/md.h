/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * md RAID in the agent, without mdadm or the md driver.
 *
 * The guest's disk reaches the appliance read-only, and both mdadm and
 * the kernel's md open an array's members for writing: neither assembles
 * anything from it.  device-mapper maps read-only, so each array the
 * stage 1's mdraid09/mdraid1x + diskfilter would read is mapped from its
 * members' superblocks with one table:
 *
 *   RAID1        the freshest member's data area, "linear" (degraded too:
 *                every member holds the whole array);
 *   RAID0        "striped" over the members in role order (equal sizes
 *                only: md's zones for unequal members are not mapped);
 *   RAID10       "striped" over one member of each set of copies (near
 *                layouts, members a multiple of the copies; degraded
 *                too, while a set has a survivor);
 *   RAID4/5      dm-raid ("raid" target, md's own raid456 code) over
 *                read-only views of the members' data areas, no metadata
 *                devices, "nosync" so nothing is resynced or written;
 *                one member missing at most;
 *   RAID6        not mapped: dm-raid has no type for md's raid6 layouts
 *                (mdadm's default, left-symmetric, included) and refuses
 *                "nosync" for raid6, so it would resync.  (Nor RAID10
 *                through dm-raid: without metadata devices it runs md's
 *                raid10 with layout 0, which md refuses: seen on 6.1.)
 *
 * What cannot be mapped is not evidence: its reason is returned, one line,
 * for the host to show.  Superblocks are guest bytes: read at fixed
 * offsets, every field bounded before it sizes a table.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MD_MAX_MEMBERS 16
#define MD_ROLE_NONE UINT32_MAX         /* spare, faulty, recovering, journal, or no slot */
#define MD_DEV_NAME 24                  /* "MAJ:MIN" */

typedef struct MdMember {
        unsigned major, minor;          /* the member device */
        unsigned version;               /* 0: metadata 0.90, 1: 1.x */
        uint8_t uuid[16];               /* the array's */
        char name[33];                  /* 1.x's set name, NUL-terminated; "" for 0.90 */
        int32_t level;
        uint32_t layout;
        uint32_t chunk;                 /* sectors; 0 for levels without */
        uint32_t raid_disks;            /* as the superblock says: bounded by md_plan, not here */
        uint32_t role;                  /* this member's slot, or MD_ROLE_NONE */
        uint64_t events;
        uint64_t data_offset;           /* sectors into the member */
        uint64_t size;                  /* sectors of array data per member (md's dev_sectors) */
        uint64_t data_size;             /* sectors usable from data_offset (RAID0 uses it all) */
} MdMember;

/* Is the open block device fd an md member?  0 with *ret filled, -ENOENT
 * when it is not one, -EBADMSG for a superblock that cannot be right. */
int md_member_read(int fd, MdMember *ret);

/* How one array (the members given, all of one UUID) maps: the target,
 * and which member fills each slot. */
typedef struct MdPlan {
        int32_t level;
        const char *target;             /* "linear", "striped" or "raid" */
        const char *raid_type;          /* dm-raid's name of the layout, "raid" only */
        uint32_t slots;                 /* raid_disks; RAID10: its sets of copies */
        int member[MD_MAX_MEMBERS];     /* index into the members, by slot; -1: missing */
        uint32_t chunk;                 /* sectors */
        uint64_t per_member;            /* sectors each slot contributes */
        uint64_t length;                /* sectors of the array */
} MdPlan;

/* Plan the array of m[0..n): 0, or -EOPNOTSUPP / -EBADMSG with a one-line
 * reason in why. */
int md_plan(const MdMember *m, size_t n, MdPlan *ret, char *why, size_t why_size);

/* The table for a plan; dev[slot] is the "MAJ:MIN" device of each slot
 * and off[slot] the sector its data starts at (dm-raid: a view, at 0).
 * 0, or -E2BIG. */
int md_table(const MdPlan *p, const char (*dev)[MD_DEV_NAME], const uint64_t *off, char *buf, size_t size);

typedef struct MdArray {
        char display[64];               /* /dev/md/NAME, NAME made safe */
        bool mapped;
        unsigned major, minor;          /* the device-mapper device, when mapped */
        size_t member;                  /* index of a member (the freshest) */
        char why[48];                   /* when not mapped: why, one line */
} MdArray;

/* One group per array UUID, each planned and mapped (md_plan).  Returns
 * how many arrays were found (into ret, at most max), mapped or not. */
int md_activate(const MdMember *m, size_t n, MdArray *ret, size_t max);
