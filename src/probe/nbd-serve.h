/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The request path of our nbdkit plugin, kept apart from nbdkit so the
 * unit test and the fuzzer drive exactly the code that serves guest disks.
 *
 * A served export has a fixed size (what qemu saw when it connected) and,
 * once bound, a disk of its own size behind it.  Bytes below the disk's
 * size come from the disk; bytes at or past it are zeros; nothing else is
 * ever returned.  A disk that shrinks while bound makes reads of the lost
 * range fail with EIO instead of inventing data.
 */

#include <stddef.h>
#include <stdint.h>

/* Fill buf with count bytes of the export at offset.  disk_fd < 0 means
 * "not bound yet": all zeros.  0 or -errno. */
int nbd_serve_read(int disk_fd, uint64_t disk_size, void *buf, uint32_t count, uint64_t offset);

/* May this descriptor be bound?  It must be a readable regular file or
 * block device, not an O_PATH descriptor, not empty, and no larger than
 * limit (when limit > 0: the export size qemu already saw).  0 and its
 * size, or -errno with a message for the binder.  The one statement of
 * what a guest disk descriptor must be: pvboot-select checks the disk it
 * opened with it, pvboot-selectd a caller's descriptor, the plugin the
 * one it is handed. */
int nbd_bind_check(int fd, uint64_t limit, uint64_t *ret_size, char *err, size_t errlen);
