/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NBD plugin's read path: whatever the disk, offset, length and bound
 * size, a successful read returns the disk's bytes below the bound size
 * and zeros past it, and a read of bytes the disk no longer has fails. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "nbd-serve.h"
#include "test-util.h"

#define MAXREAD (1u << 17)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static unsigned char buf[MAXREAD];
        uint64_t off, bound;
        uint32_t count;
        size_t len;
        int fd, r;

        if (size < 20)
                return 0;
        memcpy(&off, data, 8);
        memcpy(&bound, data + 8, 8);
        memcpy(&count, data + 16, 4);
        data += 20;
        size -= 20;
        len = size;
        /* Keep it small: offsets within twice the disk (or a bound a
         * little past it, a disk that shrank), lengths within MAXREAD. */
        bound = bound % (len * 2 + 2);
        off = off % (bound * 2 + 2);
        count %= MAXREAD + 1;

        fd = memfd_create("disk", MFD_CLOEXEC);
        CHECK(fd >= 0);
        CHECK(len == 0 || write(fd, data, len) == (ssize_t) len);
        memset(buf, 0xAA, sizeof(buf));
        r = nbd_serve_read(fd, bound, buf, count, off);
        if (r == 0) {
                for (uint32_t k = 0; k < count; k++) {
                        uint64_t at = off + k;
                        CHECK(buf[k] == (at < bound ? data[at] : 0));
                }
        } else {
                /* Only a read reaching bytes the disk does not have fails. */
                CHECK(r == -EIO);
                CHECK(bound > len && off + count > len && off < bound);
        }
        close(fd);
        return 0;
}
