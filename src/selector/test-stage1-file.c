/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stage 1 read whole, with its digest: the same bytes give the same
 * digest, a rewrite in place or a replacement by rename gives another,
 * and what is no regular file of a bounded size is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "selector/stage1-file.h"
#include "selector/stage1.h"
#include "shared/test-util.h"

static char dir[] = "/tmp/test-stage1-file-XXXXXX";

static void cleanup(void) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        (void) !system(cmd);
}

static void put(const char *path, const void *data, size_t len) {
        FILE *f = fopen(path, "w");
        CHECK(f);
        CHECK_EQ(fwrite(data, 1, len, f), len);
        CHECK_EQ(fclose(f), 0);
}

static Stage1Digest load(const char *path, size_t want_size) {
        uint8_t *bytes = NULL;
        size_t size = 0;
        Stage1Digest d;

        CHECK_EQ(stage1_file_load(path, &bytes, &size, &d), 0);
        CHECK(d.known);
        CHECK_EQ(size, want_size);
        CHECK_EQ(d.size, want_size);
        free(bytes);
        return d;
}

int main(void) {
        static uint8_t img[300000];
        char path[96], other[96], msg[64];
        uint8_t *bytes = NULL;
        size_t size = 0;
        Stage1Digest a, b;

        CHECK(mkdtemp(dir));
        atexit(cleanup);
        snprintf(path, sizeof(path), "%s/stage1.bin", dir);
        snprintf(other, sizeof(other), "%s/new.bin", dir);
        for (size_t i = 0; i < sizeof(img); i++)
                img[i] = (uint8_t) (i * 131 + 7);

        /* The bytes, all of them, and a digest of exactly those. */
        put(path, img, sizeof(img));
        CHECK_EQ(stage1_file_load(path, &bytes, &size, &a), 0);
        CHECK(size == sizeof(img) && memcmp(bytes, img, size) == 0);
        free(bytes);
        b = load(path, sizeof(img));
        CHECK(stage1_digest_equal(&a, &b));
        stage1_digest_short(&a, msg, sizeof(msg));
        CHECK(strncmp(msg, "sha256:", 7) == 0 && strlen(msg) == 7 + 12 + 3);

        /* Rewritten in place, one byte, same size and all: another digest. */
        img[123456] ^= 1;
        put(path, img, sizeof(img));
        b = load(path, sizeof(img));
        CHECK(!stage1_digest_equal(&a, &b));
        /* Rewritten back: the bytes decided for again. */
        img[123456] ^= 1;
        put(path, img, sizeof(img));
        b = load(path, sizeof(img));
        CHECK(stage1_digest_equal(&a, &b));
        /* Replaced by rename (dpkg's way), other bytes: another digest. */
        put(other, img, sizeof(img) - 1);
        CHECK_EQ(rename(other, path), 0);
        b = load(path, sizeof(img) - 1);
        CHECK(!stage1_digest_equal(&a, &b));

        /* Unknown is never equal, not even to itself. */
        Stage1Digest unknown = { .known = false };
        CHECK(!stage1_digest_equal(&unknown, &unknown));
        CHECK(!stage1_digest_equal(&a, &unknown) && !stage1_digest_equal(&unknown, &a));
        stage1_digest_short(&unknown, msg, sizeof(msg));
        CHECK_STREQ(msg, "unread");

        /* Empty: read, no bytes; the SHA-256 of nothing. */
        put(path, "", 0);
        CHECK_EQ(stage1_file_load(path, &bytes, &size, &b), 0);
        CHECK(bytes == NULL && size == 0 && b.known);
        CHECK(b.sha256[0] == 0xe3 && b.sha256[1] == 0xb0 && b.sha256[31] == 0x55);

        /* Not a regular file, missing, too large: refused, unknown. */
        CHECK_EQ(stage1_file_load(dir, &bytes, &size, &b), -EINVAL);
        CHECK(!b.known);
        CHECK_EQ(stage1_file_load("/dev/null", &bytes, &size, &b), -EINVAL);
        snprintf(other, sizeof(other), "%s/missing", dir);
        CHECK_EQ(stage1_file_load(other, &bytes, &size, &b), -ENOENT);
        CHECK(truncate(path, (off_t) STAGE1_MAX_IMAGE + 1) == 0);
        CHECK_EQ(stage1_file_load(path, &bytes, &size, &b), -EFBIG);
        CHECK(!b.known);
        CHECK(truncate(path, (off_t) STAGE1_MAX_IMAGE) == 0);   /* the bound itself is fine */
        b = load(path, STAGE1_MAX_IMAGE);
        return 0;
}
