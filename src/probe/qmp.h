/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A minimal QMP client for the clones' qemu (qemu-qmp-ref(7)).
 *
 * qemu runs guest code, so everything it says is bounded like any other
 * untrusted answer: a line is at most QMP_MAX_LINE bytes, a command waits
 * at most its timeout, events in between are counted and dropped, and a
 * reply is only ever a JSON object with "return" or "error".
 */

#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "shared/macro.h"

#define QMP_MAX_LINE (64u << 10)

typedef struct Qmp Qmp;

/* Take fd (a connected stream socket to qemu's monitor), read the
 * greeting and negotiate capabilities.  fd is owned from here on, even
 * on failure. */
int qmp_new(int fd, unsigned timeout_ms, Qmp **ret);
Qmp *qmp_free(Qmp *q);
DEFINE_TRIVIAL_CLEANUP_FUNC(Qmp *, qmp_free);

/* Send one command (a complete JSON object, no newline), passing pass_fd
 * along with it (SCM_RIGHTS) when >= 0.  0 and, if ret is non-NULL, the
 * parsed "return" value's document (free with yajl_tree_free; the value
 * is its "return" member); -EREMOTEIO when qemu answered with "error"
 * (qmp_last_error() says what), -ETIMEDOUT, -EPIPE, -EBADMSG. */
int qmp_execute(Qmp *q, const char *cmd, int pass_fd, unsigned timeout_ms, yajl_val *ret);

/* The "desc" of the last error, printable and bounded, or "". */
const char *qmp_last_error(const Qmp *q);

/* The "return" member of a document from qmp_execute(), or NULL. */
yajl_val qmp_return(yajl_val doc);

/* A document from qmp_execute(): _cleanup_(yajl_tree_freep) yajl_val doc = NULL. */
DEFINE_TRIVIAL_CLEANUP_FUNC(yajl_val, yajl_tree_free);
