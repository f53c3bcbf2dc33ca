/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A stage 1 image as bytes that stay the same from the decision to the
 * copy.
 *
 * The decision is made for what policy_read_search() read of each image
 * (its search list and modules, stage1.h); the image of the width chosen
 * is copied into libxl's output directory later, after the inspection.
 * An admin or a package upgrade may rewrite or replace the image between
 * the two, and then the guest would be booted by bytes nobody decided
 * for.  So an image is read once, whole and bounded, into memory; the
 * reader parses those bytes, and their SHA-256 is kept.  The copy reads
 * the image again the same way and writes those bytes only when their
 * digest is the one the decision was made with.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STAGE1_DIGEST_SIZE 32   /* SHA-256 */

typedef struct Stage1Digest {
        bool known;             /* the image was read; size and sha256 are its */
        uint64_t size;
        uint8_t sha256[STAGE1_DIGEST_SIZE];
} Stage1Digest;

/*
 * Read the image at path whole: 0 with its bytes (malloc'd, the caller
 * frees them; NULL when it is empty), their number and their digest;
 * -EINVAL (not a regular file), -EFBIG (more than STAGE1_MAX_IMAGE
 * bytes), or the -errno of open/read.  *ret_digest is unknown on failure.
 */
int stage1_file_load(const char *path, uint8_t **ret_bytes, size_t *ret_size, Stage1Digest *ret_digest);

/* Do the bytes read now (b) hold what was read before (a)?  false when
 * either is unknown. */
bool stage1_digest_equal(const Stage1Digest *a, const Stage1Digest *b);

/* "sha256:0123...ef" (the first 12 hex digits), for a message. */
void stage1_digest_short(const Stage1Digest *d, char *buf, size_t size);
