/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * device-mapper in the agent: one way to make a read-only mapping from a
 * table, shared by LVM's logical volumes (lvm.c) and md RAID mirrors
 * (md.c).  No libdevmapper, no udev: the ioctls, and a control node of
 * our own under /run/pvboot-agent.
 */

#include <stddef.h>

/* The control device, opened: a descriptor, or -errno. */
int dm_open_control(void);

/* Create NAME from TABLE (n_lines NUL-separated "START LENGTH TARGET
 * PARAMS" lines), read-only, and make it live; 0 with its device numbers,
 * or -errno (nothing is left half made that a later name could collide
 * with: the name is ours and unique per attach). */
int dm_create(int control, const char *name, const char *table, size_t n_lines, unsigned *ret_major,
              unsigned *ret_minor);
