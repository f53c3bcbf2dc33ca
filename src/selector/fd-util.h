/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* write(2) until all of buf is written: 0, or -errno (EINTR retried). */
int loop_write(int fd, const void *buf, size_t len);
