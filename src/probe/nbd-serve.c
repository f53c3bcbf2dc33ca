/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The plugin's request path (see nbd-serve.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nbd-serve.h"

int nbd_serve_read(int disk_fd, uint64_t disk_size, void *buf, uint32_t count, uint64_t offset) {
        char *p = buf;
        uint64_t end;

        if (__builtin_add_overflow(offset, (uint64_t) count, &end))
                return -EINVAL;
        if (disk_fd < 0 || offset >= disk_size) {
                memset(p, 0, count);
                return 0;
        }
        /* The part past the disk's end is zeros, never stale buffer bytes. */
        if (end > disk_size) {
                uint32_t inside = (uint32_t) (disk_size - offset);
                memset(p + inside, 0, count - inside);
                count = inside;
        }
        while (count > 0) {
                ssize_t n = pread(disk_fd, p, count, (off_t) offset);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -EIO;    /* the disk shrank under us */
                p += n;
                count -= (uint32_t) n;
                offset += (uint64_t) n;
        }
        return 0;
}

int nbd_bind_check(int fd, uint64_t limit, uint64_t *ret_size, char *err, size_t errlen) {
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
                snprintf(err, errlen, "the disk (%" PRIu64 " bytes) is larger than the served drive", size);
                return -EFBIG;
        }
        *ret_size = size;
        return 0;
}
