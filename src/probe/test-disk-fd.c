/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The disk check refuses every descriptor that is not a readable,
 * non-empty regular file or block device within the limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe/disk-fd.h"
#include "shared/test-util.h"

static void test_disk_fd_check(void) {
        char path[] = "/tmp/test-disk-fd.XXXXXX", err[256];
        uint64_t size;
        int fd = mkstemp(path), p[2], s[2], ro, wo, op, dir, dn;

        CHECK(fd >= 0);
        CHECK_EQ(disk_fd_check(fd, 0, &size, err, sizeof(err)), -ENODATA);
        CHECK_EQ(write(fd, "0123456789", 10), 10);
        ro = open(path, O_RDONLY | O_CLOEXEC);
        wo = open(path, O_WRONLY | O_CLOEXEC);
        op = open(path, O_PATH | O_CLOEXEC);
        dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        dn = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK(ro >= 0 && wo >= 0 && op >= 0 && dir >= 0 && dn >= 0);
        CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0);

        CHECK_EQ(disk_fd_check(ro, 0, &size, err, sizeof(err)), 0);
        CHECK_EQ(size, 10u);
        CHECK_EQ(disk_fd_check(fd, 10, &size, err, sizeof(err)), 0);  /* O_RDWR is readable */
        CHECK_EQ(disk_fd_check(ro, 9, &size, err, sizeof(err)), -EFBIG);
        CHECK(strstr(err, "larger than the limit"));
        CHECK_EQ(disk_fd_check(wo, 0, &size, err, sizeof(err)), -EBADF);
        CHECK(strstr(err, "not open for reading"));
        CHECK_EQ(disk_fd_check(op, 0, &size, err, sizeof(err)), -EBADF);
        CHECK(strstr(err, "O_PATH"));
        CHECK_EQ(disk_fd_check(dir, 0, &size, err, sizeof(err)), -EINVAL);
        CHECK_EQ(disk_fd_check(dn, 0, &size, err, sizeof(err)), -EINVAL);
        CHECK_EQ(disk_fd_check(p[0], 0, &size, err, sizeof(err)), -EINVAL);
        CHECK_EQ(disk_fd_check(s[0], 0, &size, err, sizeof(err)), -EINVAL);
        CHECK(strstr(err, "neither a regular file nor a block device"));
        CHECK_EQ(disk_fd_check(999, 0, &size, err, sizeof(err)), -EBADF);
        unlink(path);
}

/* Opening by path: the same rule, and nothing left open on failure. */
static void test_disk_fd_open(void) {
        char path[] = "/tmp/test-disk-fd.XXXXXX", err[256];
        int fd = mkstemp(path), got = -1, before;

        CHECK(fd >= 0);
        before = dup(0);
        close(before);
        CHECK_EQ(disk_fd_open(path, &got, err, sizeof(err)), -ENODATA);        /* empty */
        CHECK_EQ(got, -1);
        CHECK_EQ(disk_fd_open("/nonexistent/disk", &got, err, sizeof(err)), -ENOENT);
        CHECK(strstr(err, "No such file"));
        CHECK_EQ(disk_fd_open("/dev/null", &got, err, sizeof(err)), -EINVAL);
        CHECK_EQ(dup(0), before);       /* the refused descriptors were closed */
        close(before);
        CHECK_EQ(write(fd, "disk", 4), 4);
        CHECK_EQ(disk_fd_open(path, &got, err, sizeof(err)), 0);
        CHECK(got >= 0 && (fcntl(got, F_GETFD) & FD_CLOEXEC) && (fcntl(got, F_GETFL) & O_ACCMODE) == O_RDONLY);
        close(got);
        close(fd);
        unlink(path);
}

/* Images qemu-img really writes: a plain qcow2 is read; one that names
 * another file (backing, external data) is refused with the reason. */
static void test_format(void) {
        char dir[] = "/tmp/test-disk-fd-fmt.XXXXXX", cmd[1024], path[256], err[256];
        int fd;

        CHECK(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/raw", dir);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        CHECK(fd >= 0 && write(fd, "not qcow2, just bytes, long enough for a header read ............................................................", 110) == 110);
        CHECK_EQ(disk_fd_check_format(fd, "raw", err, sizeof(err)), 0);
        CHECK_EQ(disk_fd_check_format(fd, "qcow2", err, sizeof(err)), -EBADMSG);
        CHECK(strstr(err, "not a qcow2 image"));
        CHECK_EQ(disk_fd_check_format(fd, "vmdk", err, sizeof(err)), -EOPNOTSUPP);
        CHECK(strstr(err, "vmdk is not supported"));
        close(fd);

        if (system("command -v qemu-img >/dev/null") != 0) {
                fprintf(stderr, "qemu-img missing: the qcow2 cases are skipped\n");
                return;
        }
        snprintf(cmd, sizeof(cmd),
                 "cd %s && qemu-img create -q -f qcow2 plain.qcow2 1M && "
                 "qemu-img create -q -f qcow2 -b raw -F raw backed.qcow2 1M && "
                 "qemu-img create -q -f qcow2 -o data_file=data.raw external.qcow2 1M", dir);
        CHECK_EQ(system(cmd), 0);
        static const struct { const char *name; int want; const char *says; } cases[] = {
                { "plain.qcow2", 0, NULL },
                { "backed.qcow2", -EPERM, "has a backing file" },
                { "external.qcow2", -EPERM, "external file" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, cases[i].name);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                CHECK(fd >= 0);
                CHECK_EQ(disk_fd_check_format(fd, "qcow2", err, sizeof(err)), cases[i].want);
                CHECK(!cases[i].says || strstr(err, cases[i].says));
                close(fd);
        }
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        CHECK_EQ(system(cmd), 0);
}

int main(void) {
        srandom(1);
        test_disk_fd_check();
        test_disk_fd_open();
        test_format();
        return 0;
}
