/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A deadline that never passes: wait as long as a blocking read(2) would. */
#define USEC_INFINITY UINT64_MAX

/* write(2) until all of buf is written: 0, or -errno (EINTR retried). */
int loop_write(int fd, const void *buf, size_t len);

/* pread(2) from offset until len bytes are read or the file ends: the
 * count read (short only at end of file), or -errno (EINTR retried). */
ssize_t loop_pread(int fd, void *buf, size_t len, uint64_t offset);

/* Wait until fd is readable or the CLOCK_MONOTONIC deadline (now_usec()
 * microseconds) passes: 0, -ETIMEDOUT or -errno.  USEC_INFINITY: no
 * deadline, never -ETIMEDOUT. */
int fd_wait_readable(int fd, uint64_t deadline_usec);

/* One read(2) of at most len bytes once fd is readable, before the
 * deadline: the count (> 0), -ETIMEDOUT, -EPIPE (end of stream) or
 * -errno; EINTR and EAGAIN are retried.  For a stream read as it comes. */
ssize_t fd_read_some(int fd, void *buf, size_t len, uint64_t deadline_usec);

/* read(2) exactly len bytes before the deadline: 0, -ETIMEDOUT, -EPIPE
 * (end of stream first) or -errno; EINTR and EAGAIN are retried, short
 * reads continued.  For a peer we do not trust to answer at all, let
 * alone in time; with USEC_INFINITY, for one we wait on (the agent). */
int fd_read_full(int fd, void *buf, size_t len, uint64_t deadline_usec);

/* One message carrying exactly one descriptor (SCM_RIGHTS), as a whole:
 * 0, -EPIPE (the peer is gone) or -errno. */
int send_with_fd(int sock, const void *buf, size_t len, int fd);

/* Receive one such message: its length and the descriptor (close-on-exec)
 * in *ret_fd; -EPIPE at end of stream; -EBADMSG when it carried no
 * descriptor, more than one (the extra ones are closed) or was truncated. */
ssize_t recv_with_fd(int sock, void *buf, size_t len, int *ret_fd);

/* The same with 1..n descriptors (at most FD_PASS_MAX): a guest's disks.
 * recv_with_fds() takes at most max of them; more than that is -EBADMSG,
 * everything received closed. */
#define FD_PASS_MAX 16
int send_with_fds(int sock, const void *buf, size_t len, const int *fds, size_t n_fds);
ssize_t recv_with_fds(int sock, void *buf, size_t len, int *ret_fds, size_t max, size_t *ret_n);
