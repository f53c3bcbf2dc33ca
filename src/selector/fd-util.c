/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one full-write loop shared by the output writer and the worker. */
#include <errno.h>
#include <unistd.h>

#include "fd-util.h"

int loop_write(int fd, const void *buf, size_t len) {
        const char *p = buf;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -EIO;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}
