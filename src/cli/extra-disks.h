/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The domain's other disks.  libxl hands its bootloader only disks[0]
 * (make_bootloader_args(): the locally attached path of the boot disk,
 * last in argv), and before the bootloader runs it exposes nothing of the
 * others: the saved configuration and the disks' backends are written
 * after it exits (record/domain-type.h, tests/e2e/README.md).  Yet the
 * stage 1's `search -s -f` looks at every disk of the domain.  So the
 * admin names them with --disk=PATH (bootloader_args), in the domain's
 * disk order: DISK is xvda, the first --disk the next disk the stage 1's
 * device iteration sees, and so on.
 *
 * Each is held to DISK's rule: opened read-only here, by the privileged
 * parent, and accepted only as a readable, non-empty regular file or
 * block device (disk_fd_open()).  Like DISK it is raw: libxl's own paths
 * are raw devices, and a qcow2 header's paths are not followed.  A disk
 * named twice (DISK again, or two --disk of one file or device) is
 * refused: it would be one disk seen as two.
 */

#include <stddef.h>

#include "cli/args.h"

typedef struct ExtraDisk {
        const char *path;       /* as given (argv) */
        int fd;                 /* read-only, close-on-exec */
} ExtraDisk;

typedef struct ExtraDisks {
        ExtraDisk disk[OPTIONS_EXTRA_DISKS_MAX];
        unsigned n;             /* in the domain's order, after DISK */
} ExtraDisks;

/* Open and check o->extra_disks against each other and DISK (disk_fd, as
 * main opened it).  0 and *ret in order; or -errno with the reason in err
 * and nothing left open. */
int extra_disks_open(const Options *o, int disk_fd, ExtraDisks *ret, char *err, size_t errsz);

/* All of the guest's disks for inspection_run(), in the domain's order:
 * disk_fd, then d's.  Returns how many (at most 1 + OPTIONS_EXTRA_DISKS_MAX). */
size_t extra_disks_all(const ExtraDisks *d, int disk_fd, int fds[1 + OPTIONS_EXTRA_DISKS_MAX]);

/* Close them all; safe on a zeroed or already closed set. */
void extra_disks_close(ExtraDisks *d);
