/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Cleanup the systemd way: a variable declared with _cleanup_free_ or
 * _cleanup_close_ is released when it goes out of scope, on every path;
 * TAKE_PTR / TAKE_FD hand it on and leave nothing to release.  So an
 * error path is one line, `return r;`, and cannot forget a descriptor.
 *
 *   _cleanup_close_ int fd = open(...);
 *   if (fd < 0)
 *           return -errno;
 *   ...
 *   *ret = TAKE_FD(fd);
 *
 * _cleanup_(f) calls f(&var): write f as foop(Foo **p) { foo_free(*p); },
 * or use DEFINE_TRIVIAL_CLEANUP_FUNC(Foo *, foo_free).
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

/* close() that keeps errno, for cleanup: nothing is left to report to. */
static inline int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}
static inline void closep(int *fd) {
        *fd = safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

/* Both ends of a socketpair(2) or pipe(2), each closed unless taken:
 *   _cleanup_close_pair_ int sv[2] = { -EBADF, -EBADF };  */
static inline void close_pairp(int (*p)[2]) {
        (*p)[0] = safe_close((*p)[0]);
        (*p)[1] = safe_close((*p)[1]);
}
#define _cleanup_close_pair_ _cleanup_(close_pairp)

/* The first n of fds, closed at scope exit unless n is set to 0 (taken):
 *   _cleanup_(close_manyp) CloseMany held = { .fds = fds, .n = n }; */
typedef struct CloseMany {
        int *fds;
        size_t n;
} CloseMany;
static inline void close_manyp(CloseMany *c) {
        for (size_t i = 0; i < c->n; i++)
                c->fds[i] = safe_close(c->fds[i]);
        c->n = 0;
}

/* The value, and the variable emptied: ownership moves to the caller. */
#define TAKE_GENERIC(var, empty)                         \
        ({                                               \
                __typeof__(var) *_pvar = &(var);         \
                __typeof__(var) _val = *_pvar;           \
                *_pvar = (empty);                        \
                _val;                                    \
        })
#define TAKE_PTR(p) TAKE_GENERIC(p, NULL)
#define TAKE_FD(fd) TAKE_GENERIC(fd, -EBADF)

/* foop(&x) calls foo_free(x): the cleanup for `_cleanup_(foop) Foo *x`. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)          \
        static inline void func##p(type *p) {            \
                if (*p)                                  \
                        func(*p);                        \
        }

/* libc's own handles: _cleanup_(fclosep) FILE *f, _cleanup_(closedirp) DIR *d. */
DEFINE_TRIVIAL_CLEANUP_FUNC(FILE *, fclose);
DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* A number macro as a string literal, for usage texts built from the
 * one definition: "(" STRINGIFY(TIMEOUT_MIN) "-" ... ")". */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
