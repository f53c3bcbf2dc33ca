/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A uid of its own for every live clone (see clone-uid.h). */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "probe/clone-uid.h"

int clone_uid_range_check(const CloneUidRange *r, char *err, size_t errsz) {
        struct passwd *pw;
        uint64_t end = (uint64_t) r->base + r->count;

        if (r->count < 2 || r->count > 65536 || (r->count & (r->count - 1)) != 0 || r->base % r->count != 0 ||
            r->base < 65536 || end > (UINT64_C(1) << 31)) {
                snprintf(err, errsz, "clone uid range %lu+%u: the count must be a power of two from 2 to 65536, "
                         "the base a multiple of it, at least 65536, and the range below 2^31",
                         (unsigned long) r->base, r->count);
                return -EINVAL;
        }
        /* The range must be nobody's: a clone must not be anyone. */
        setpwent();
        while ((pw = getpwent()))
                if (pw->pw_uid >= r->base && pw->pw_uid < end) {
                        snprintf(err, errsz, "clone uid range %lu-%lu holds user %.64s (uid %lu); "
                                 "choose another clone_uid_base", (unsigned long) r->base, (unsigned long) end - 1,
                                 pw->pw_name, (unsigned long) pw->pw_uid);
                        endpwent();
                        return -EEXIST;
                }
        endpwent();
        return 0;
}

int clone_uid_reserve(const char *lockdir, const CloneUidRange *r, uid_t *ret_uid, int *ret_lock) {
        char path[256];
        struct timespec ts;
        int dfd;

        if (!lockdir)
                lockdir = CLONE_UID_LOCK_DIR;
        if (r->count == 0)
                return -EINVAL;
        dfd = open(lockdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0 && errno == ENOENT) {
                /* /run/pvboot-select (tmpfiles.d makes both, owned by the
                 * daemon's user, so that it can take uids too). */
                snprintf(path, sizeof(path), "%s", lockdir);
                char *slash = strrchr(path, '/');
                if (slash && slash != path) {
                        *slash = 0;
                        (void) mkdir(path, 0755);
                }
                if (mkdir(lockdir, 0755) < 0 && errno != EEXIST)
                        return -errno;
                /* Made by root (a cold run before the daemon ever ran):
                 * the daemon's user must be able to add locks there too. */
                struct passwd *pw = geteuid() == 0 ? getpwnam(PVBOOT_WORKER_USER) : NULL;
                if (pw && pw->pw_uid != 0) {
                        if (slash && slash != path && chown(path, pw->pw_uid, pw->pw_gid) < 0)
                                return -errno;
                        if (chown(lockdir, pw->pw_uid, pw->pw_gid) < 0)
                                return -errno;
                }
                dfd = open(lockdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        }
        if (dfd < 0)
                return -errno;
        /* Start anywhere, so that uids are not reused in lockstep. */
        clock_gettime(CLOCK_MONOTONIC, &ts);
        unsigned start = (unsigned) (ts.tv_nsec ^ getpid()) % r->count;
        for (unsigned i = 0; i < r->count; i++) {
                uid_t uid = r->base + (start + i) % r->count;
                snprintf(path, sizeof(path), "%lu", (unsigned long) uid);
                /* Read-only: whoever made the file, anyone may lock it. */
                int fd = openat(dfd, path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
                if (fd < 0)
                        continue;
                if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
                        close(dfd);
                        *ret_uid = uid;
                        *ret_lock = fd;
                        return 0;
                }
                close(fd);
        }
        close(dfd);
        return -EBUSY;
}

int clone_uid_confine(const CloneUidRange *r) {
        static const char *const calls[] = {
                "setuid", "setreuid", "setresuid", "setfsuid", "setgid", "setregid", "setresgid", "setfsgid",
        };
        scmp_datum_t lo = r->base, hi = (scmp_datum_t) r->base + r->count;
        scmp_filter_ctx ctx;
        int rc = 0;

        if (r->count == 0)
                return -EINVAL;
        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        /* Every id argument below or above the range (root, our own uid,
         * -1 for "unchanged", anything with high bits set) is EPERM.  The
         * comparisons are on the whole 64-bit register, so high bits
         * cannot smuggle a low uid past them. */
        for (size_t i = 0; rc == 0 && i < sizeof(calls) / sizeof(calls[0]); i++) {
                int nr = seccomp_syscall_resolve_name(calls[i]);
                unsigned nargs = strstr(calls[i], "res") ? 3 : strstr(calls[i], "re") ? 2 : 1;
                if (nr == __NR_SCMP_ERROR)
                        continue;
                for (unsigned a = 0; rc == 0 && a < nargs; a++) {
                        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1, SCMP_CMP(a, SCMP_CMP_LT, lo));
                        if (rc == 0)
                                rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1, SCMP_CMP(a, SCMP_CMP_GE, hi));
                }
        }
        /* Groups may only be dropped, never set. */
        if (rc == 0)
                rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setgroups), 1,
                                      SCMP_A0(SCMP_CMP_NE, 0));
        if (rc == 0)
                rc = seccomp_load(ctx);
        seccomp_release(ctx);
        return rc;
}
