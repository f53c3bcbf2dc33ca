/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Resolving a path inside one guest filesystem the way GRUB does.
 *
 * The stage 1 opens /boot/xen/pvboot-<arch>.elf with GRUB's own filesystem
 * drivers: symlinks are followed inside the same filesystem (an absolute
 * target restarts at that filesystem's root, ".." never climbs above it),
 * nesting stops at 8, and only a regular file at the end can be loaded.
 * We resolve component by component ourselves, never handing the appliance
 * a path with a symlink or a ".." in it, so a hostile link cannot point the
 * appliance daemon outside the mounted filesystem either.
 *
 * The filesystem is reached through two callbacks so that the algorithm is
 * tested on its own; the probe backs them with guestfs_lstatns and
 * guestfs_readlink.
 */

#include <stdint.h>

typedef enum GuestFileType {
        GUEST_FILE_REGULAR,
        GUEST_FILE_DIRECTORY,
        GUEST_FILE_SYMLINK,
        GUEST_FILE_OTHER,       /* device, FIFO, socket */
} GuestFileType;

typedef struct GuestStat {
        GuestFileType type;
        uint64_t size;
} GuestStat;

typedef struct GuestFsOps {
        /* 0, -ENOENT, or another -errno. */
        int (*lstat)(void *userdata, const char *path, GuestStat *ret);
        /* 0 with a malloc'd target, or -errno. */
        int (*readlink)(void *userdata, const char *path, char **ret);
        void *userdata;
} GuestFsOps;

/*
 * Resolve path (absolute).  On success returns 0, stores the malloc'd
 * symlink-free path in *ret_path and what is there in *ret_st (any type:
 * the caller decides what a non-regular file means).
 * -ENOENT: nothing there (or a dangling link); -ELOOP: more than
 * PVBOOT_MAX_SYMLINKS links; -ENAMETOOLONG: a path or link target over
 * PVBOOT_MAX_GUEST_PATH; -ENOTDIR: a non-directory in the middle.
 */
int guest_path_resolve(const GuestFsOps *ops, const char *path, char **ret_path, GuestStat *ret_st);
