/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What a guest disk descriptor must be, stated once: pvboot-select checks
 * the disk it opened with it, pvboot-selectd a caller's descriptor.  Only
 * such a descriptor is ever hot-plugged into a clone (clone.h).
 */

#include <stddef.h>
#include <stdint.h>

/* May this descriptor be inspected?  It must be a readable regular file or
 * block device, not an O_PATH descriptor, not empty, and no larger than
 * limit (when limit > 0).  0 and its size, or -errno with a message. */
int disk_fd_check(int fd, uint64_t limit, uint64_t *ret_size, char *err, size_t errlen);

/* Open path read-only and check it by the rule above: 0 and the
 * descriptor, or -errno with the reason in err. */
int disk_fd_open(const char *path, int *ret_fd, char *err, size_t errlen);

/*
 * May a disk in this format be attached?  raw always.  qcow2 only when it
 * names no other file: no backing file (qemu would follow the path in its
 * header) and no external data file (incompatible feature bit 2); a clone
 * attaches qcow2 with backing:null besides.  Any other format: refused.
 * 0, or -errno with the reason in err.
 */
int disk_fd_check_format(int fd, const char *format, char *err, size_t errlen);
