/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a guest disk descriptor must be (see disk-fd.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/disk-fd.h"
#include "shared/macro.h"

int disk_fd_check(int fd, uint64_t limit, uint64_t *ret_size, char *err, size_t errlen) {
        struct stat st;
        uint64_t size;
        int fl;

        fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fstat(fd, &st) < 0) {
                snprintf(err, errlen, "not a usable descriptor: %s", strerror(errno));
                return -EBADF;
        }
        if (fl & O_PATH) {
                snprintf(err, errlen, "the disk descriptor is an O_PATH descriptor");
                return -EBADF;
        }
        if ((fl & O_ACCMODE) == O_WRONLY) {
                snprintf(err, errlen, "the disk descriptor is not open for reading");
                return -EBADF;
        }
        if (S_ISREG(st.st_mode))
                size = (uint64_t) st.st_size;
        else if (S_ISBLK(st.st_mode)) {
                if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
                        snprintf(err, errlen, "cannot size the block device: %s", strerror(errno));
                        return -errno;
                }
        } else {
                snprintf(err, errlen, "the disk is neither a regular file nor a block device");
                return -EINVAL;
        }
        if (size == 0) {
                snprintf(err, errlen, "the disk is empty");
                return -ENODATA;
        }
        if (size > INT64_MAX || (limit > 0 && size > limit)) {
                snprintf(err, errlen, "the disk (%" PRIu64 " bytes) is larger than the limit", size);
                return -EFBIG;
        }
        *ret_size = size;
        return 0;
}

int disk_fd_open(const char *path, int *ret_fd, char *err, size_t errlen) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        uint64_t size;
        int r;

        if (fd < 0) {
                r = -errno;
                snprintf(err, errlen, "%s", strerror(-r));
                return r;
        }
        r = disk_fd_check(fd, 0, &size, err, errlen);
        if (r < 0)
                return r;
        *ret_fd = TAKE_FD(fd);
        return 0;
}
