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
#define GUARD 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static unsigned char buf[MAXREAD + GUARD];
        static int fd = -1;
        uint64_t off, bound;
        uint32_t count;
        size_t len;
        int r;

        if (size < 20)
                return 0;
        memcpy(&off, data, 8);
        memcpy(&bound, data + 8, 8);
        memcpy(&count, data + 16, 4);
        data += 20;
        size -= 20;
        len = size;
        /* Keep it small: offsets within twice the disk (or a bound a
         * little past it, a disk that shrank), lengths within MAXREAD and
         * within reach of the disk's end, where the cases are. */
        bound = bound % (len * 2 + 2);
        off = off % (bound * 2 + 2);
        count %= (len * 2 + 2 < MAXREAD ? (uint32_t) len * 2 + 2 : MAXREAD) + 1;

        /* One disk, rewritten per input: a memfd per input costs more
         * than the read under test. */
        if (fd < 0)
                fd = memfd_create("disk", MFD_CLOEXEC);
        CHECK(fd >= 0);
        CHECK(ftruncate(fd, 0) == 0);
        CHECK(len == 0 || pwrite(fd, data, len, 0) == (ssize_t) len);
        memset(buf, 0xAA, count + GUARD);
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
        /* Never a byte past the request, success or not. */
        for (uint32_t k = count; k < count + GUARD; k++)
                CHECK(buf[k] == 0xAA);
        return 0;
}
