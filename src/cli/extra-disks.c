/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The domain's other disks, from --disk (see extra-disks.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/extra-disks.h"
#include "probe/disk-fd.h"
#include "shared/macro.h"

/* One disk under two names: the same block device (whatever node names
 * it), or the same file. */
static bool same_disk(const struct stat *a, const struct stat *b) {
        if (S_ISBLK(a->st_mode) && S_ISBLK(b->st_mode))
                return a->st_rdev == b->st_rdev;
        return S_ISREG(a->st_mode) && S_ISREG(b->st_mode) && a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

size_t extra_disks_all(const ExtraDisks *d, int disk_fd, int fds[1 + OPTIONS_EXTRA_DISKS_MAX]) {
        fds[0] = disk_fd;
        for (unsigned i = 0; i < d->n && i < OPTIONS_EXTRA_DISKS_MAX; i++)
                fds[1 + i] = d->disk[i].fd;
        return 1 + (d->n < OPTIONS_EXTRA_DISKS_MAX ? d->n : OPTIONS_EXTRA_DISKS_MAX);
}

void extra_disks_close(ExtraDisks *d) {
        for (unsigned i = 0; i < d->n; i++)
                if (d->disk[i].fd >= 0)
                        close(d->disk[i].fd);
        d->n = 0;
}

int extra_disks_open(const Options *o, int disk_fd, ExtraDisks *ret, char *err, size_t errsz) {
        ExtraDisks d = { .n = 0 };
        struct stat st[OPTIONS_EXTRA_DISKS_MAX + 1];
        char why[256];
        int r = 0;

        if (o->n_extra_disks > OPTIONS_EXTRA_DISKS_MAX)
                return -E2BIG;
        if (fstat(disk_fd, &st[0]) < 0)
                return -errno;
        for (unsigned i = 0; i < o->n_extra_disks && r == 0; i++) {
                const char *path = o->extra_disks[i];
                int fd;

                r = disk_fd_open(path, &fd, why, sizeof(why));
                if (r < 0) {
                        snprintf(err, errsz, "cannot use --disk=%s: %s", path, why);
                        break;
                }
                d.disk[d.n++] = (ExtraDisk) { .path = path, .fd = fd };
                if (fstat(fd, &st[d.n]) < 0) {
                        r = -errno;
                        snprintf(err, errsz, "cannot use --disk=%s: %s", path, strerror(-r));
                        break;
                }
                for (unsigned j = 0; j < d.n && r == 0; j++)
                        if (same_disk(&st[d.n], &st[j])) {
                                r = -EEXIST;
                                snprintf(err, errsz, "--disk=%s is %s%s again: name each disk of the domain once",
                                         path, j == 0 ? "DISK " : "--disk=", j == 0 ? o->disk : o->extra_disks[j - 1]);
                        }
        }
        if (r < 0) {
                extra_disks_close(&d);
                return r;
        }
        *ret = d;
        return 0;
}
