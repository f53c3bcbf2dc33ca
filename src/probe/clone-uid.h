/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A uid of its own for every live clone.
 *
 * Clones of different guests must not share a uid: one that escaped its
 * qemu could otherwise signal or ptrace another live clone and read that
 * guest's disk.  Like libxl's xen-qemuuser-range-base, the admin reserves a
 * range of uids that belong to nobody else (clone_uid_base and
 * clone_uid_count in pvboot-select.conf(5); default 196608, 256 uids); each
 * inspection takes a free one (its gid is the same number, as libxl's
 * restrict mode does), holding an flock(2) on a lock file named after it
 * for as long as the clone lives.  The lock dies with its holder, so no
 * uid is ever leaked, and two programs (the daemon and a cold-path run)
 * never hand out the same one.
 *
 * The range is a power of two in size and aligned to it, so that a
 * seccomp filter can confine setuid(2) and friends to it with one masked
 * comparison (clone_uid_confine()): the daemon, which may change its uid
 * only to hand one to a worker, can then never become root or anyone else.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pvboot-select.h"

#define CLONE_UID_LOCK_DIR "/run/pvboot-select/clone-uids"

typedef struct CloneUidRange {
        uid_t base;
        unsigned count;         /* 0: off, clones run as the worker user */
} CloneUidRange;

/* Is the range usable: a power of two from 2 to 65536, base aligned to it,
 * at least 65536 and below 2^31, and no user in the password database
 * inside it?  0, or -EINVAL / -EEXIST with the reason in err. */
int clone_uid_range_check(const CloneUidRange *r, char *err, size_t errsz);

/* Take a free uid of the range: 0 with it in *ret_uid and the lock's
 * descriptor (close-on-exec; close it when the clone is gone) in
 * *ret_lock; -EBUSY when every uid is taken, or -errno for the lock
 * directory (created 0755 when missing; lockdir NULL: CLONE_UID_LOCK_DIR). */
int clone_uid_reserve(const char *lockdir, const CloneUidRange *r, uid_t *ret_uid, int *ret_lock);

/* Allow setuid/setgid-family calls only into the range, and setgroups only
 * to drop every group, for this process and its children (seccomp,
 * irreversible).  What else the process may do is unchanged. */
int clone_uid_confine(const CloneUidRange *r);
