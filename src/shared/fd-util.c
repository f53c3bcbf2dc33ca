/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Descriptor helpers shared by the output writer, the worker, the probe,
 * its QMP client and the agent (which links only libc: keep it so). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shared/fd-util.h"
#include "shared/macro.h"
#include "pvboot-select.h"

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

ssize_t loop_pread(int fd, void *buf, size_t len, uint64_t offset) {
        size_t got = 0;

        while (got < len) {
                ssize_t n = pread(fd, (uint8_t *) buf + got, len - got, (off_t) (offset + got));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                got += (size_t) n;
        }
        return (ssize_t) got;
}

int fd_wait_readable(int fd, uint64_t deadline_usec) {
        for (;;) {
                int timeout = -1;
                if (deadline_usec != USEC_INFINITY) {
                        uint64_t now = now_usec();
                        if (now >= deadline_usec)
                                return -ETIMEDOUT;
                        uint64_t ms = (deadline_usec - now + 999) / 1000;
                        timeout = ms > INT32_MAX ? INT32_MAX : (int) ms;
                }
                struct pollfd p = { .fd = fd, .events = POLLIN };
                int r = poll(&p, 1, timeout);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r > 0)
                        return 0;
        }
}

ssize_t fd_read_some(int fd, void *buf, size_t len, uint64_t deadline_usec) {
        for (;;) {
                int r = fd_wait_readable(fd, deadline_usec);
                if (r < 0)
                        return r;
                ssize_t n = read(fd, buf, len);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n < 0)
                        return -errno;
                return n == 0 ? -EPIPE : n;
        }
}

int fd_read_full(int fd, void *buf, size_t len, uint64_t deadline_usec) {
        uint8_t *p = buf;

        while (len > 0) {
                ssize_t n = fd_read_some(fd, p, len, deadline_usec);
                if (n < 0)
                        return (int) n;
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

int send_with_fds(int sock, const void *buf, size_t len, const int *fds, size_t n_fds) {
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * FD_PASS_MAX)];
        } u;
        struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                             .msg_controllen = CMSG_SPACE(sizeof(int) * n_fds) };
        struct cmsghdr *c;
        ssize_t n;

        if (n_fds == 0 || n_fds > FD_PASS_MAX)
                return -EINVAL;
        for (size_t i = 0; i < n_fds; i++)
                if (fds[i] < 0)
                        return -EBADF;
        memset(&u, 0, sizeof(u));
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
        do
                n = sendmsg(sock, &mh, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == ECONNRESET ? -EPIPE : -errno;
        return (size_t) n == len ? 0 : -EIO;
}

int send_with_fd(int sock, const void *buf, size_t len, int fd) {
        return send_with_fds(sock, buf, len, &fd, 1);
}

ssize_t recv_with_fds(int sock, void *buf, size_t len, int *ret_fds, size_t max, size_t *ret_n) {
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int) * FD_PASS_MAX)];
        } u;
        struct iovec iov = { .iov_base = buf, .iov_len = len };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                             .msg_controllen = sizeof(u.buf) };
        int fds[FD_PASS_MAX];
        size_t n_fds = 0, extra = 0;
        ssize_t n;

        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == ECONNRESET ? -EPIPE : -errno;
        if (n == 0)
                return -EPIPE;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
                        int f;
                        memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (n_fds < max && n_fds < FD_PASS_MAX)
                                fds[n_fds++] = f;
                        else {
                                close(f);
                                extra++;
                        }
                }
        }
        /* Between one and max descriptors and the whole message, or nothing. */
        if (n_fds == 0 || extra > 0 || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
                for (size_t i = 0; i < n_fds; i++)
                        close(fds[i]);
                return -EBADMSG;
        }
        memcpy(ret_fds, fds, sizeof(int) * n_fds);
        *ret_n = n_fds;
        return n;
}

ssize_t recv_with_fd(int sock, void *buf, size_t len, int *ret_fd) {
        size_t n_fds;
        return recv_with_fds(sock, buf, len, ret_fd, 1, &n_fds);
}
