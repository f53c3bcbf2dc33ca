/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Minimal assertions for the per-module test programs (exit 77 = skip). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_TEST_SKIP 77

#define CHECK(cond)                                                              \
        do {                                                                     \
                if (!(cond)) {                                                   \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,   \
                                __LINE__, #cond);                                \
                        exit(EXIT_FAILURE);                                      \
                }                                                                \
        } while (0)

#define CHECK_EQ(a, b)                                                           \
        do {                                                                     \
                long long _a = (long long) (a), _b = (long long) (b);            \
                if (_a != _b) {                                                  \
                        fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", \
                                __FILE__, __LINE__, #a, _a, #b, _b);             \
                        exit(EXIT_FAILURE);                                      \
                }                                                                \
        } while (0)

#define CHECK_STREQ(a, b)                                                        \
        do {                                                                     \
                const char *_a = (a), *_b = (b);                                 \
                if (strcmp(_a, _b) != 0) {                                       \
                        fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__,   \
                                __LINE__, _a, _b);                               \
                        exit(EXIT_FAILURE);                                      \
                }                                                                \
        } while (0)

/* How many descriptors this process has open: a test of "nothing left
 * open" compares it before and after. */
#include <dirent.h>
static inline unsigned test_count_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        unsigned n = 0;

        CHECK(d);
        while (readdir(d))
                n++;
        closedir(d);
        return n;
}

/* A peer for protocol tests: a socketpair whose other end a forked child
 * serves with serve(fd, arg) (which must not return).  Our end, and the
 * child's pid in *ret_pid for the caller to kill and reap. */
#include <sys/socket.h>
#include <unistd.h>
static inline int test_peer(void (*serve)(int fd, const void *arg), const void *arg, pid_t *ret_pid) {
        int sv[2];
        pid_t pid;

        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                close(sv[0]);
                serve(sv[1], arg);
                _exit(0);
        }
        close(sv[1]);
        *ret_pid = pid;
        return sv[0];
}

/* dir/name with data in it, open read-write. */
#include <fcntl.h>
static inline int test_mkfile(const char *dir, const char *name, const void *data, size_t len) {
        char path[256];
        int fd;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        CHECK(fd >= 0);
        CHECK(write(fd, data, len) == (ssize_t) len);
        return fd;
}
