/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stage 1 image read whole, with its digest (see stage1-file.h). */
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selector/stage1-file.h"
#include "selector/stage1.h"
#include "shared/fd-util.h"
#include "shared/macro.h"

_Static_assert(STAGE1_DIGEST_SIZE == SHA256_DIGEST_SIZE, "a SHA-256 digest");

int stage1_file_load(const char *path, uint8_t **ret_bytes, size_t *ret_size, Stage1Digest *ret_digest) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ uint8_t *buf = NULL;
        struct sha256_ctx ctx;
        size_t have = 0, cap;
        struct stat st;

        *ret_digest = (Stage1Digest) { .known = false };
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((uint64_t) st.st_size > STAGE1_MAX_IMAGE)
                return -EFBIG;
        /* Until the end of the file, whatever its size said: a file that
         * grows while it is read is read as far as it went, bounded. */
        cap = (size_t) st.st_size + 1;
        for (;;) {
                if (have == cap) {
                        uint8_t *n;
                        if (cap > STAGE1_MAX_IMAGE)
                                return -EFBIG;
                        cap = cap * 2 > (size_t) STAGE1_MAX_IMAGE + 1 ? (size_t) STAGE1_MAX_IMAGE + 1 : cap * 2;
                        n = realloc(buf, cap);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                }
                if (!buf && !(buf = malloc(cap)))
                        return -ENOMEM;
                ssize_t r = loop_pread(fd, buf + have, cap - have, have);
                if (r < 0)
                        return (int) r;
                if (r == 0)
                        break;
                have += (size_t) r;
        }
        if (have > STAGE1_MAX_IMAGE)
                return -EFBIG;
        sha256_init(&ctx);
        sha256_update(&ctx, have, buf);
        sha256_digest(&ctx, sizeof(ret_digest->sha256), ret_digest->sha256);
        ret_digest->size = have;
        ret_digest->known = true;
        *ret_size = have;
        *ret_bytes = have ? TAKE_PTR(buf) : NULL;
        return 0;
}

bool stage1_digest_equal(const Stage1Digest *a, const Stage1Digest *b) {
        return a->known && b->known && a->size == b->size && memcmp(a->sha256, b->sha256, sizeof(a->sha256)) == 0;
}

void stage1_digest_short(const Stage1Digest *d, char *buf, size_t size) {
        if (!d->known) {
                snprintf(buf, size, "unread");
                return;
        }
        snprintf(buf, size, "sha256:%02x%02x%02x%02x%02x%02x...", d->sha256[0], d->sha256[1], d->sha256[2],
                 d->sha256[3], d->sha256[4], d->sha256[5]);
}
