/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for macro.h: cleanups run on every way out of a scope, and TAKE_*
 * hands a value on so that nothing is released twice. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/macro.h"
#include "shared/test-util.h"

static int freed;
typedef struct Thing { int n; } Thing;
static Thing *thing_free(Thing *t) {
        freed++;
        free(t);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Thing *, thing_free);

static bool fd_open(int fd) {
        struct stat st;
        return fstat(fd, &st) == 0;
}

/* The stdio and dirent handles go with their scope, and NULL is left alone. */
static void test_libc_handles(void) {
        int f_fd, d_fd;

        {
                _cleanup_(fclosep) FILE *f = fopen("/dev/null", "re");
                _cleanup_(fclosep) FILE *none = NULL;
                CHECK(f);
                f_fd = fileno(f);
                CHECK(fd_open(f_fd));
                (void) none;
        }
        CHECK(!fd_open(f_fd));
        {
                _cleanup_(closedirp) DIR *d = opendir("/");
                _cleanup_(closedirp) DIR *none = NULL;
                CHECK(d);
                d_fd = dirfd(d);
                CHECK(fd_open(d_fd));
                (void) none;
        }
        CHECK(!fd_open(d_fd));
}

static int opens_and_fails(int *seen) {
        _cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *s = strdup("x");
        *seen = fd;
        if (fd < 0 || !s)
                return -ENOMEM;
        return -EIO;            /* both released here */
}

static int opens_and_hands_on(int *ret_fd, char **ret_s) {
        _cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *s = strdup("kept");
        if (fd < 0 || !s)
                return -ENOMEM;
        *ret_fd = TAKE_FD(fd);
        *ret_s = TAKE_PTR(s);
        CHECK_EQ(fd, -EBADF);
        CHECK(s == NULL);
        return 0;
}

/* A pair goes as a whole; an end taken with TAKE_FD stays open. */
static void test_close_pair(void) {
        int sv[2], kept;

        {
                _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
                CHECK_EQ(pipe2(pair, O_CLOEXEC), 0);
                sv[0] = pair[0];
                sv[1] = pair[1];
        }
        CHECK(!fd_open(sv[0]) && !fd_open(sv[1]));
        {
                _cleanup_close_pair_ int pair[2] = { -EBADF, -EBADF };
                CHECK_EQ(pipe2(pair, O_CLOEXEC), 0);
                sv[1] = pair[1];
                kept = TAKE_FD(pair[0]);
        }
        CHECK(fd_open(kept) && !fd_open(sv[1]));
        safe_close(kept);
        {
                _cleanup_close_pair_ int none[2] = { -EBADF, -EBADF };
                (void) none;
        }
}

int main(void) {
        int fd = -1;
        char *s = NULL;

        CHECK_EQ(opens_and_fails(&fd), -EIO);
        CHECK(fd >= 0 && !fd_open(fd));

        CHECK_EQ(opens_and_hands_on(&fd, &s), 0);
        CHECK(fd_open(fd));
        CHECK_STREQ(s, "kept");
        free(s);
        CHECK_EQ(safe_close(fd), -EBADF);
        CHECK(!fd_open(fd));

        {
                _cleanup_(thing_freep) Thing *t = calloc(1, sizeof(Thing));
                _cleanup_(thing_freep) Thing *none = NULL;
                CHECK(t);
                (void) none;
        }
        CHECK_EQ(freed, 1);     /* NULL is not passed to the free function */

        test_libc_handles();
        test_close_pair();

        errno = ENOENT;
        CHECK_EQ(safe_close(-1), -EBADF);
        fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        safe_close(fd);
        CHECK_EQ(errno, ENOENT);        /* cleanup keeps errno for the caller's message */
        return 0;
}
