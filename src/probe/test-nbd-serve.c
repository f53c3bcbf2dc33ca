/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plugin's request path, by property: for any offset and length, bytes
 * below the disk's size are the disk's, bytes past it are zeros, nothing
 * else is ever returned; a disk that shrank fails reads of the lost range.
 * And the bind check refuses every descriptor that is not a readable,
 * non-empty regular file or block device within the served size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nbd-serve.h"
#include "test-util.h"

#define MAXREAD 70000

static uint64_t rnd(uint64_t n) {
        return n ? ((uint64_t) random() << 31 ^ (uint64_t) random()) % n : 0;
}

static void test_reads(void) {
        static unsigned char disk[100000], buf[MAXREAD];
        char path[] = "/tmp/test-nbd-serve.XXXXXX";
        int fd = mkstemp(path);

        CHECK(fd >= 0);
        unlink(path);
        for (int round = 0; round < 20; round++) {
                uint64_t size = 1 + rnd(sizeof(disk));
                for (uint64_t i = 0; i < size; i++)
                        disk[i] = (unsigned char) (1 + rnd(255));       /* never 0: zeros are ours */
                CHECK_EQ(ftruncate(fd, 0), 0);
                CHECK_EQ(pwrite(fd, disk, size, 0), (ssize_t) size);
                for (int i = 0; i < 500; i++) {
                        uint64_t off = rnd(size * 2);
                        uint32_t count = (uint32_t) rnd(MAXREAD + 1);
                        memset(buf, 0xAA, sizeof(buf));
                        CHECK_EQ(nbd_serve_read(fd, size, buf, count, off), 0);
                        for (uint32_t k = 0; k < count; k++)
                                CHECK_EQ(buf[k], off + k < size ? disk[off + k] : 0);
                        CHECK_EQ(buf[count < MAXREAD ? count : MAXREAD - 1], count < MAXREAD ? 0xAA : buf[MAXREAD - 1]);
                }
        }

        /* Unbound: zeros whatever the offset. */
        memset(buf, 0xAA, sizeof(buf));
        CHECK_EQ(nbd_serve_read(-1, 0, buf, 4096, UINT64_C(1) << 40), 0);
        for (int k = 0; k < 4096; k++)
                CHECK_EQ(buf[k], 0);

        /* offset + count wrapping around is refused, not served. */
        CHECK_EQ(nbd_serve_read(fd, 10, buf, 100, UINT64_MAX - 10), -EINVAL);

        /* The disk shrinks under a bound size of 8192. */
        CHECK_EQ(ftruncate(fd, 0), 0);
        CHECK_EQ(pwrite(fd, disk, 8192, 0), 8192);
        CHECK_EQ(ftruncate(fd, 4096), 0);
        CHECK_EQ(nbd_serve_read(fd, 8192, buf, 1024, 0), 0);           /* still there */
        CHECK_EQ(nbd_serve_read(fd, 8192, buf, 1024, 4000), -EIO);     /* crosses the lost range */
        CHECK_EQ(nbd_serve_read(fd, 8192, buf, 1024, 5000), -EIO);
        CHECK_EQ(nbd_serve_read(fd, 8192, buf, 1024, 9000), 0);        /* past the bound size: zeros */
        close(fd);
}

static void test_bind_check(void) {
        char path[] = "/tmp/test-nbd-serve.XXXXXX", err[256];
        uint64_t size;
        int fd = mkstemp(path), p[2], s[2], ro, wo, op, dir, dn;

        CHECK(fd >= 0);
        CHECK_EQ(nbd_bind_check(fd, 0, &size, err, sizeof(err)), -ENODATA);
        CHECK_EQ(write(fd, "0123456789", 10), 10);
        ro = open(path, O_RDONLY | O_CLOEXEC);
        wo = open(path, O_WRONLY | O_CLOEXEC);
        op = open(path, O_PATH | O_CLOEXEC);
        dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        dn = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK(ro >= 0 && wo >= 0 && op >= 0 && dir >= 0 && dn >= 0);
        CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);

        CHECK_EQ(nbd_bind_check(ro, 0, &size, err, sizeof(err)), 0);
        CHECK_EQ(size, 10u);
        CHECK_EQ(nbd_bind_check(fd, 10, &size, err, sizeof(err)), 0);  /* O_RDWR is readable */
        CHECK_EQ(nbd_bind_check(ro, 9, &size, err, sizeof(err)), -EFBIG);
        CHECK(strstr(err, "larger than the served drive"));
        CHECK_EQ(nbd_bind_check(wo, 0, &size, err, sizeof(err)), -EBADF);
        CHECK(strstr(err, "not open for reading"));
        CHECK_EQ(nbd_bind_check(op, 0, &size, err, sizeof(err)), -EBADF);
        CHECK(strstr(err, "O_PATH"));
        CHECK_EQ(nbd_bind_check(dir, 0, &size, err, sizeof(err)), -EINVAL);
        CHECK_EQ(nbd_bind_check(dn, 0, &size, err, sizeof(err)), -EINVAL);
        CHECK_EQ(nbd_bind_check(p[0], 0, &size, err, sizeof(err)), -EINVAL);
        CHECK_EQ(nbd_bind_check(s[0], 0, &size, err, sizeof(err)), -EINVAL);
        CHECK(strstr(err, "neither a regular file nor a block device"));
        CHECK_EQ(nbd_bind_check(999, 0, &size, err, sizeof(err)), -EBADF);
        unlink(path);
}

int main(void) {
        srandom(1);
        test_reads();
        test_bind_check();
        return 0;
}
