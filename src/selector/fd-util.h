/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* write(2) until all of buf is written: 0, or -errno (EINTR retried). */
int loop_write(int fd, const void *buf, size_t len);

/* One message carrying exactly one descriptor (SCM_RIGHTS), as a whole:
 * 0, -EPIPE (the peer is gone) or -errno. */
int send_with_fd(int sock, const void *buf, size_t len, int fd);

/* Receive one such message: its length and the descriptor (close-on-exec)
 * in *ret_fd; -EPIPE at end of stream; -EBADMSG when it carried no
 * descriptor, more than one (the extra ones are closed) or was truncated. */
ssize_t recv_with_fd(int sock, void *buf, size_t len, int *ret_fd);
