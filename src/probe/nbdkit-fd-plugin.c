/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nbdkit plugin: serve one inherited file descriptor, read-only.
 *
 *   nbdkit --readonly nbdkit-pvboot-fd-plugin.so fd=N
 *
 * nbdkit 1.32 (Debian 12) has no fd= in its file plugin, and opening
 * /proc/self/fd/N would re-check permissions on the inode, which an
 * unprivileged worker fails for a root-only disk.  So the privileged side
 * opens the disk once and this plugin serves exactly that descriptor.
 * nbdkit itself does the protocol and rejects requests beyond get_size();
 * we additionally refuse short reads (a disk that shrank while served)
 * instead of returning stale or zero bytes silently.
 */
#define NBDKIT_API_VERSION 2
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nbdkit-plugin.h>

static int disk_fd = -1;
static int64_t disk_size = -1;

static int fd_config(const char *key, const char *value) {
        char *end;
        long v;

        if (strcmp(key, "fd") != 0) {
                nbdkit_error("unknown parameter '%s'", key);
                return -1;
        }
        errno = 0;
        v = strtol(value, &end, 10);
        if (errno != 0 || *end != 0 || v < 3 || v > 65535) {
                nbdkit_error("fd= needs a descriptor number >= 3");
                return -1;
        }
        disk_fd = (int) v;
        return 0;
}

static int fd_config_complete(void) {
        struct stat st;
        int fl;

        if (disk_fd < 0) {
                nbdkit_error("fd= is required");
                return -1;
        }
        fl = fcntl(disk_fd, F_GETFL);
        if (fl < 0 || fstat(disk_fd, &st) < 0) {
                nbdkit_error("fd %d: %m", disk_fd);
                return -1;
        }
        if ((fl & O_ACCMODE) == O_WRONLY) {
                nbdkit_error("fd %d is not readable", disk_fd);
                return -1;
        }
        if (S_ISREG(st.st_mode))
                disk_size = st.st_size;
        else if (S_ISBLK(st.st_mode)) {
                uint64_t sz;
                if (ioctl(disk_fd, BLKGETSIZE64, &sz) < 0) {
                        nbdkit_error("fd %d: BLKGETSIZE64: %m", disk_fd);
                        return -1;
                }
                disk_size = (int64_t) sz;
        } else {
                nbdkit_error("fd %d is neither a regular file nor a block device", disk_fd);
                return -1;
        }
        return 0;
}

static void *fd_open(int readonly) {
        (void) readonly;
        return NBDKIT_HANDLE_NOT_NEEDED;
}

static int64_t fd_get_size(void *handle) {
        (void) handle;
        return disk_size;
}

static int fd_can_write(void *handle) {
        (void) handle;
        return 0;
}

static int fd_pread(void *handle, void *buf, uint32_t count, uint64_t offset, uint32_t flags) {
        char *p = buf;
        (void) handle;
        (void) flags;

        while (count > 0) {
                ssize_t n = pread(disk_fd, p, count, (off_t) offset);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        nbdkit_error("pread: %m");
                        return -1;
                }
                if (n == 0) {
                        /* The disk shrank after we sized it. */
                        nbdkit_set_error(EIO);
                        nbdkit_error("short read at %" PRIu64 ": disk shrank", offset);
                        return -1;
                }
                p += n;
                count -= (uint32_t) n;
                offset += (uint64_t) n;
        }
        return 0;
}

#define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL

static struct nbdkit_plugin plugin = {
        .name = "pvboot-fd",
        .version = "1",
        .longname = "pvboot-select read-only fd server",
        .config = fd_config,
        .config_complete = fd_config_complete,
        .config_help = "fd=<N>   inherited descriptor to serve (required)",
        .open = fd_open,
        .get_size = fd_get_size,
        .can_write = fd_can_write,
        .pread = fd_pread,
};

NBDKIT_REGISTER_PLUGIN(plugin)
