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

static uint32_t be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p) {
        return (uint64_t) be32(p) << 32 | be32(p + 4);
}

int disk_fd_check_format(int fd, const char *format, char *err, size_t errlen) {
        /* qemu's docs/interop/qcow2.txt: the header's first 104 bytes. */
        uint8_t h[104];

        if (strcmp(format, "raw") == 0)
                return 0;
        if (strcmp(format, "qcow2") != 0) {
                snprintf(err, errlen, "disk format %s is not supported (raw, or qcow2 for inspect)", format);
                return -EOPNOTSUPP;
        }
        if (pread(fd, h, sizeof(h), 0) != (ssize_t) sizeof(h) || be32(h) != UINT32_C(0x514649fb)) {
                snprintf(err, errlen, "not a qcow2 image");
                return -EBADMSG;
        }
        if (be32(h + 4) < 2 || be32(h + 4) > 3) {
                snprintf(err, errlen, "qcow2 version %" PRIu32 " is not supported", be32(h + 4));
                return -EOPNOTSUPP;
        }
        if (be64(h + 8) != 0) {
                snprintf(err, errlen, "the qcow2 image has a backing file: its path would be followed on the host; "
                         "convert it first (qemu-img convert -O raw)");
                return -EPERM;
        }
        if (be32(h + 4) == 3 && (be64(h + 72) & (UINT64_C(1) << 2))) {
                snprintf(err, errlen, "the qcow2 image keeps its data in an external file: its path would be "
                         "followed on the host; convert it first (qemu-img convert -O raw)");
                return -EPERM;
        }
        return 0;
}
