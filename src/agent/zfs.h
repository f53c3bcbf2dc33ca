/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * ZFS in the agent, read by GRUB's own driver.
 *
 * The stage 1 reads ZFS with GRUB 2.06's zfs module; OpenZFS reads more
 * pools than that, and is no Debian main package anyway.  grub-fstest
 * (grub-common, already in libguestfs's appliance) runs the same driver
 * code on a file or block device, so a pool is looked at by exec'ing it,
 * with an argv and a C locale, on the agent's own node of the read-only
 * device: what it finds is what the stage 1 finds, by GRUB's own path
 * rules.  Those rules (grub-core/fs/zfs/zfs.c, dnode_get_fullpath): a
 * path is split at its first '@'; before it, the dataset, by name from
 * the pool's root dataset ("/BOOT/debian"); after it an optional snapshot
 * name, then the file's path inside that dataset.  A path with no '@'
 * names a dataset, never a file: GRUB's search -f /boot/xen/... finds
 * nothing on ZFS, whatever the pool's bootfs property says.  Symlinks are
 * followed by the driver itself, so nothing is a symlink in its view.
 *
 * grub-fstest's output is guest-influenced text (names from the pool):
 * every exec has a byte cap and a deadline and is killed past either;
 * listings are parsed strictly, and a file's size taken from its
 * directory's listing is checked against the file itself before it is
 * believed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pvboot-agent.h"

#define ZFS_GRUB_FSTEST "/usr/bin/grub-fstest"
#define ZFS_EXEC_TIMEOUT_MS 5000        /* one exec; an LSTAT makes up to 3, within the host's 20 s per call */
#define ZFS_MAX_LISTING (256u << 10)    /* bytes of one directory listing */
#define ZFS_MAX_NAME 255

/* Does the block device fd hold a ZFS vdev label (an uberblock in label 0)? */
bool zfs_is_member(int fd);

typedef struct ZfsEntry {
        bool dir;
        uint64_t size;                  /* files only */
        char name[ZFS_MAX_NAME + 1];
} ZfsEntry;

/* Parse the output of GRUB's `ls -l DIR/` (grub-core/commands/ls.c): one
 * line per entry, "DIR" or the size left-justified in 12 columns, an
 * optional " YYYYMMDDhhmmss " mtime, the name ("/" after a directory's),
 * and an empty line at the end.  Up to max entries in ret; the count, or
 * -ENOENT for no output (GRUB's ls says nothing when it cannot list),
 * -EBADMSG for anything else, -E2BIG for more than max. */
int zfs_parse_listing(const char *buf, size_t len, ZfsEntry *ret, size_t max);

/* What a failed grub-fstest cat says, by the fixed tail GRUB puts after the
 * (our, variable) path: 1 if it names an existing non-file (a directory,
 * or a dataset), else -ENOENT, -ENOTDIR or -EIO. */
int zfs_parse_error(const char *err, size_t len);

/* The agent's operations on the pool on device node (agent.c's MOUNT
 * makes it current).  Replies as pvboot-agent.h defines them. */
bool zfs_available(void);
int zfs_lstat(const char *node, const char *path, AgentStat *ret);
int zfs_glob(const char *node, const char *pattern, uint8_t *buf, size_t size, uint32_t *ret_len);
int zfs_pread(const char *node, const char *path, uint64_t offset, uint32_t size, uint8_t *buf,
              uint32_t *ret_len);
