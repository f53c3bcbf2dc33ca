/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* loop_write(): whole buffers through a pipe that takes them in pieces.
 * fd_read_full(): to the deadline, or with none (USEC_INFINITY) as long
 * as the writer takes.  loop_pread(): whole, or short only at the end.
 * send_with_fd()/recv_with_fd(): exactly one descriptor per message. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared/fd-util.h"
#include "pvboot-select.h"
#include "shared/test-util.h"

static bool same_file(int a, int b) {
        struct stat x, y;
        return fstat(a, &x) == 0 && fstat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static void test_fd_passing(void) {
        int sv[2], fd, got = -1, two[2];
        char buf[8];

        CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0);

        /* The descriptor arrives, close-on-exec, with the whole message. */
        CHECK_EQ(send_with_fd(sv[0], "hello", 5, fd), 0);
        CHECK_EQ(recv_with_fd(sv[1], buf, sizeof(buf), &got), 5);
        CHECK(memcmp(buf, "hello", 5) == 0);
        CHECK(got >= 0 && got != fd && same_file(fd, got));
        CHECK(fcntl(got, F_GETFD) & FD_CLOEXEC);
        close(got);

        /* No descriptor: refused. */
        CHECK_EQ(send(sv[0], "x", 1, 0), 1);
        got = -1;
        CHECK_EQ(recv_with_fd(sv[1], buf, sizeof(buf), &got), -EBADMSG);
        CHECK_EQ(got, -1);

        /* Two descriptors: refused, and neither is leaked to us. */
        two[0] = fd;
        two[1] = fd;
        union {
                struct cmsghdr align;
                char b[CMSG_SPACE(sizeof(two))];
        } u;
        memset(&u, 0, sizeof(u));
        struct iovec iov = { .iov_base = "y", .iov_len = 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(two));
        memcpy(CMSG_DATA(c), two, sizeof(two));
        CHECK_EQ(sendmsg(sv[0], &mh, 0), 1);
        int before = open("/dev/null", O_RDONLY | O_CLOEXEC);
        close(before);
        CHECK_EQ(recv_with_fd(sv[1], buf, sizeof(buf), &got), -EBADMSG);
        int after = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK_EQ(after, before);        /* the lowest free number: nothing left open */
        close(after);

        /* A message longer than the buffer: refused, descriptor closed. */
        CHECK_EQ(send_with_fd(sv[0], "0123456789", 10, fd), 0);
        before = open("/dev/null", O_RDONLY | O_CLOEXEC);
        close(before);
        CHECK_EQ(recv_with_fd(sv[1], buf, 4, &got), -EBADMSG);
        after = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK_EQ(after, before);
        close(after);

        /* Several (a guest's disks): all of them, in order; more than the
         * receiver takes: refused, none left open. */
        int three[3] = { fd, sv[0], fd }, got3[3] = { -1, -1, -1 };
        size_t n3 = 0;
        CHECK_EQ(send_with_fds(sv[0], "abc", 3, three, 3), 0);
        CHECK_EQ(recv_with_fds(sv[1], buf, sizeof(buf), got3, 3, &n3), 3);
        CHECK(n3 == 3 && same_file(got3[0], fd) && same_file(got3[1], sv[0]) && same_file(got3[2], fd));
        for (size_t i = 0; i < 3; i++)
                close(got3[i]);
        CHECK_EQ(send_with_fds(sv[0], "abc", 3, three, 3), 0);
        before = open("/dev/null", O_RDONLY | O_CLOEXEC);
        close(before);
        CHECK_EQ(recv_with_fds(sv[1], buf, sizeof(buf), got3, 2, &n3), -EBADMSG);
        after = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK_EQ(after, before);
        close(after);
        CHECK_EQ(send_with_fds(sv[0], "x", 1, three, 0), -EINVAL);
        CHECK_EQ(send_with_fds(sv[0], "x", 1, three, FD_PASS_MAX + 1), -EINVAL);

        /* The peer gone. */
        CHECK_EQ(send_with_fd(sv[0], "x", 1, -1), -EBADF);
        close(sv[0]);
        CHECK_EQ(recv_with_fd(sv[1], buf, sizeof(buf), &got), -EPIPE);
        close(sv[1]);
        close(fd);
}

/* No deadline: wait for a writer that takes its time, through pieces. */
static void test_no_deadline(void) {
        char buf[8];
        int p[2], status;
        pid_t pid;

        CHECK(pipe(p) == 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                usleep(100 * 1000);
                if (write(p[1], "abc", 3) != 3)
                        _exit(1);
                usleep(100 * 1000);
                if (write(p[1], "defg", 4) != 4)
                        _exit(1);
                _exit(0);
        }
        close(p[1]);
        uint64_t start = now_usec();
        CHECK_EQ(fd_read_full(p[0], buf, 7, USEC_INFINITY), 0);
        CHECK(now_usec() - start >= 150 * 1000);       /* it waited for both pieces */
        CHECK(memcmp(buf, "abcdefg", 7) == 0);
        CHECK_EQ(fd_read_full(p[0], buf, 1, USEC_INFINITY), -EPIPE);       /* then the end */
        CHECK_EQ(fd_wait_readable(p[0], USEC_INFINITY), 0);
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(p[0]);
}

static void test_loop_pread(void) {
        char buf[16];
        int fd = memfd_create("test-fd-util", MFD_CLOEXEC);

        CHECK(fd >= 0);
        CHECK_EQ(write(fd, "0123456789", 10), 10);
        CHECK_EQ(loop_pread(fd, buf, 4, 3), 4);
        CHECK(memcmp(buf, "3456", 4) == 0);
        CHECK_EQ(loop_pread(fd, buf, sizeof(buf), 6), 4);       /* short at the end of the file */
        CHECK(memcmp(buf, "6789", 4) == 0);
        CHECK_EQ(loop_pread(fd, buf, sizeof(buf), 10), 0);
        CHECK_EQ(loop_pread(fd, buf, sizeof(buf), 1 << 20), 0);
        CHECK_EQ(loop_pread(fd, buf, 0, 0), 0);
        close(fd);
        CHECK_EQ(loop_pread(fd, buf, 1, 0), -EBADF);

        int p[2];
        CHECK(pipe(p) == 0);
        CHECK_EQ(loop_pread(p[0], buf, 1, 0), -ESPIPE);        /* the error, not a count */
        close(p[0]);
        close(p[1]);
}

/* fd_read_some: what is there, at once; then the deadline or the end. */
static void test_read_some(void) {
        char buf[16];
        int p[2];

        CHECK(pipe(p) == 0);
        CHECK_EQ(write(p[1], "abc", 3), 3);
        CHECK_EQ(fd_read_some(p[0], buf, sizeof(buf), now_usec() + 50000), 3);   /* not waiting for 16 */
        CHECK(memcmp(buf, "abc", 3) == 0);
        CHECK_EQ(write(p[1], "defg", 4), 4);
        CHECK_EQ(fd_read_some(p[0], buf, 2, USEC_INFINITY), 2);                   /* no more than asked */
        CHECK_EQ(fd_read_some(p[0], buf, sizeof(buf), now_usec() + 50000), 2);
        uint64_t t0 = now_usec();
        CHECK_EQ(fd_read_some(p[0], buf, sizeof(buf), t0 + 50000), -ETIMEDOUT);
        CHECK(now_usec() - t0 >= 50000);
        close(p[1]);
        CHECK_EQ(fd_read_some(p[0], buf, sizeof(buf), now_usec() + 50000), -EPIPE);
        close(p[0]);
}

int main(void) {
        static unsigned char big[1 << 20], back[1 << 20];
        int p[2];
        pid_t pid;

        for (size_t i = 0; i < sizeof(big); i++)
                big[i] = (unsigned char) (i * 131 + 7);
        test_read_some();

        /* fd_read_full reads through many short writes (below), and
         * otherwise ends at the deadline or the end of the stream. */
        CHECK(pipe(p) == 0);
        CHECK_EQ(write(p[1], "abc", 3), 3);
        CHECK_EQ(fd_read_full(p[0], back, 4, now_usec() + 50000), -ETIMEDOUT);
        close(p[1]);
        CHECK_EQ(fd_read_full(p[0], back, 1, now_usec() + 50000), -EPIPE);
        CHECK_EQ(fd_wait_readable(p[0], now_usec() + 50000), 0);       /* EOF is readable */
        close(p[0]);

        /* 1 MiB through a 64 KiB pipe: many short writes. */
        CHECK(pipe(p) == 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                _exit(loop_write(p[1], big, sizeof(big)) == 0 ? 0 : 1);
        }
        close(p[1]);
        CHECK_EQ(fd_read_full(p[0], back, sizeof(back), now_usec() + 60 * 1000000ULL), 0);
        int status;
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK(memcmp(big, back, sizeof(big)) == 0);
        close(p[0]);

        CHECK_EQ(loop_write(-1, big, 1), -EBADF);
        CHECK_EQ(loop_write(-1, big, 0), 0);
        test_no_deadline();
        test_loop_pread();
        test_fd_passing();
        return 0;
}
