/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* device-mapper without libdevmapper (see dm.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "agent/dm.h"
#include "shared/fd-util.h"
#include "shared/macro.h"

#define CONTROL_NODE "/run/pvboot-agent/dm-control"

static void dm_init(struct dm_ioctl *io, size_t size, const char *name) {
        memset(io, 0, size);
        io->version[0] = DM_VERSION_MAJOR;
        io->data_size = (uint32_t) size;
        io->data_start = sizeof(*io);
        snprintf(io->name, sizeof(io->name), "%s", name);
}

int dm_create(int control, const char *name, const char *table, size_t n_lines, unsigned *ret_major,
              unsigned *ret_minor) {
        static union {
                struct dm_ioctl io;
                uint8_t buf[16384];
        } u;

        dm_init(&u.io, sizeof(u.io), name);
        if (ioctl(control, DM_DEV_CREATE, &u.io) < 0)
                return -errno;
        unsigned ma = major((dev_t) u.io.dev), mi = minor((dev_t) u.io.dev);

        dm_init(&u.io, sizeof(u.buf), name);
        u.io.flags = DM_READONLY_FLAG;
        size_t off = sizeof(struct dm_ioctl);
        const char *line = table;
        for (size_t i = 0; i < n_lines; i++, line += strlen(line) + 1) {
                unsigned long long start, length;
                char target[DM_MAX_TYPE_NAME];
                int consumed = 0;
                if (sscanf(line, "%llu %llu %15s %n", &start, &length, target, &consumed) != 3)
                        return -EINVAL;
                const char *params = line + consumed;
                size_t need = sizeof(struct dm_target_spec) + strlen(params) + 1;
                need = (need + 7) & ~(size_t) 7;
                if (off + need > sizeof(u.buf))
                        return -E2BIG;
                struct dm_target_spec *t = (struct dm_target_spec *) (u.buf + off);
                memset(t, 0, need);
                t->sector_start = start;
                t->length = length;
                snprintf(t->target_type, sizeof(t->target_type), "%s", target);
                memcpy(t + 1, params, strlen(params) + 1);
                t->next = (uint32_t) need;
                off += need;
                u.io.target_count++;
        }
        u.io.data_size = (uint32_t) off;
        if (ioctl(control, DM_TABLE_LOAD, &u.io) < 0)
                return -errno;
        dm_init(&u.io, sizeof(u.io), name);
        if (ioctl(control, DM_DEV_SUSPEND, &u.io) < 0)  /* no SUSPEND flag: resume, making the table live */
                return -errno;
        *ret_major = ma;
        *ret_minor = mi;
        return 0;
}

/* device-mapper's "MAJOR:MINOR", as read(2) returns it. */
static ssize_t read_dm_dev(char *dev, size_t size) {
        _cleanup_close_ int fd = open("/sys/class/misc/device-mapper/dev", O_RDONLY | O_CLOEXEC);
        return fd >= 0 ? read(fd, dev, size - 1) : -1;
}

int dm_open_control(void) {
        char dev[32];
        unsigned ma, mi;
        int fd;
        ssize_t n = read_dm_dev(dev, sizeof(dev));
        if (n <= 0)
                return -ENODEV;
        dev[n] = 0;
        if (sscanf(dev, "%u:%u", &ma, &mi) != 2)
                return -ENODEV;
        (void) unlink(CONTROL_NODE);
        if (mknod(CONTROL_NODE, S_IFCHR | 0600, makedev(ma, mi)) < 0)
                return -errno;
        fd = open(CONTROL_NODE, O_RDWR | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}
