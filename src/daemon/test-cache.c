/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The decision cache never answers for a changed disk or another request. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/cache.h"
#include "shared/test-util.h"

static InspectReport report(PvArch a) {
        InspectReport r = { .magic = REPORT_MAGIC, .version = REPORT_VERSION, .outcome = DECISION_OK,
                            .arch = a, .source = SOURCE_GRUBCFG };
        snprintf(r.message, sizeof(r.message), "%s", pv_arch_to_string(a));
        return r;
}

static void key_of(Cache *c, int fd, const Policy *pol, CacheKey *k) {
        struct stat st;
        CHECK_EQ(fstat(fd, &st), 0);
        CHECK_EQ(cache_key(c, &st, pol, k), 0);
}

static void test_file_changes(void) {
        char path[] = "/tmp/test-cache.XXXXXX";
        int fd = mkstemp(path);
        Policy pol;
        policy_init(&pol);
        CacheKey k1, k2;
        InspectReport got, r64 = report(PV_ARCH_X86_64);
        Cache *c;

        CHECK(fd >= 0);
        CHECK_EQ(write(fd, "disk", 4), 4);
        CHECK_EQ(cache_new(4, false, &c), 0);
        key_of(c, fd, &pol, &k1);
        CHECK_EQ(cache_lookup(c, &k1, &got), -ENOENT);
        cache_store(c, &k1, &r64);
        key_of(c, fd, &pol, &k2);
        CHECK_EQ(cache_lookup(c, &k2, &got), 0);
        CHECK_EQ(got.arch, PV_ARCH_X86_64);

        /* Same size, same bytes count: a rewrite still moves the times. */
        usleep(2000);
        CHECK_EQ(pwrite(fd, "DISK", 4, 0), 4);
        key_of(c, fd, &pol, &k2);
        CHECK_EQ(cache_lookup(c, &k2, &got), -ENOENT);

        /* mtime put back by hand: ctime still differs. */
        struct stat st;
        CHECK_EQ(fstat(fd, &st), 0);
        struct timespec ts[2] = { { .tv_sec = k1.mtime_sec, .tv_nsec = k1.mtime_nsec },
                                  { .tv_sec = k1.mtime_sec, .tv_nsec = k1.mtime_nsec } };
        CHECK_EQ(futimens(fd, ts), 0);
        key_of(c, fd, &pol, &k2);
        CHECK_EQ(k2.mtime_nsec, k1.mtime_nsec);
        CHECK_EQ(cache_lookup(c, &k2, &got), -ENOENT);

        /* Another file, even a copy: another inode. */
        cache_free(c);
        close(fd);
        unlink(path);
}

static void test_request_matters(void) {
        char path[] = "/tmp/test-cache.XXXXXX";
        int fd = mkstemp(path);
        Policy pol, other;
        policy_init(&pol);
        CacheKey k, k2;
        InspectReport got, r64 = report(PV_ARCH_X86_64);
        struct stat st;
        Cache *c;

        CHECK(fd >= 0);
        CHECK_EQ(write(fd, "x", 1), 1);
        CHECK_EQ(cache_new(4, false, &c), 0);
        key_of(c, fd, &pol, &k);
        cache_store(c, &k, &r64);
        CHECK_EQ(fstat(fd, &st), 0);

        other = pol;
        other.force_arch = PV_ARCH_I386;
        CHECK_EQ(cache_key(c, &st, &other, &k2), 0);
        CHECK_EQ(cache_lookup(c, &k2, &got), -ENOENT);
        other = pol;
        other.prefer = PV_ARCH_I386;
        CHECK_EQ(cache_key(c, &st, &other, &k2), 0);
        CHECK_EQ(cache_lookup(c, &k2, &got), -ENOENT);
        other = pol;
        other.mode = MODE_PVH;
        CHECK_EQ(cache_key(c, &st, &other, &k2), 0);
        CHECK_EQ(cache_lookup(c, &k2, &got), -ENOENT);
        other = pol;
        CHECK_EQ(host_caps_parse("xen-3.0-x86_64", "--host-caps", &other.host), 0);
        CHECK_EQ(cache_key(c, &st, &other, &k2), 0);
        CHECK_EQ(cache_lookup(c, &k2, &got), -ENOENT);
        other = pol;
        CHECK_EQ(policy_set_format(&other, "qcow2"), 0);
        CHECK_EQ(cache_key(c, &st, &other, &k2), 0);
        CHECK_EQ(cache_lookup(c, &k2, &got), -ENOENT);
        CHECK_EQ(cache_key(c, &st, &pol, &k2), 0);
        CHECK_EQ(cache_lookup(c, &k2, &got), 0);

        /* Failures are not remembered. */
        InspectReport bad = r64;
        bad.status = -EIO;
        other = pol;
        other.force_arch = PV_ARCH_X86_64;
        CHECK_EQ(cache_key(c, &st, &other, &k2), 0);
        cache_store(c, &k2, &bad);
        CHECK_EQ(cache_lookup(c, &k2, &got), -ENOENT);
        cache_free(c);
        close(fd);
        unlink(path);
}

static void test_kinds_and_eviction(void) {
        struct stat st = { .st_mode = S_IFBLK | 0600, .st_rdev = 0x800 };
        Policy pol;
        policy_init(&pol);
        InspectReport got, r32 = report(PV_ARCH_I386);
        CacheKey k;
        Cache *c;

        CHECK_EQ(cache_new(2, false, &c), 0);
        CHECK_EQ(cache_key(c, &st, &pol, &k), -ENOTSUP);
        st.st_mode = S_IFCHR | 0600;
        CHECK_EQ(cache_key(c, &st, &pol, &k), -ENOTSUP);
        cache_free(c);

        CHECK_EQ(cache_new(2, true, &c), 0);
        st.st_mode = S_IFBLK | 0600;
        CHECK_EQ(cache_key(c, &st, &pol, &k), 0);
        st.st_mode = S_IFDIR | 0700;
        CacheKey kd;
        CHECK_EQ(cache_key(c, &st, &pol, &kd), -ENOTSUP);

        /* Least recently used goes first. */
        CacheKey ks[3];
        st.st_mode = S_IFREG | 0600;
        for (int i = 0; i < 3; i++) {
                st.st_ino = (ino_t) (100 + i);
                CHECK_EQ(cache_key(c, &st, &pol, &ks[i]), 0);
        }
        cache_store(c, &ks[0], &r32);
        cache_store(c, &ks[1], &r32);
        CHECK_EQ(cache_lookup(c, &ks[0], &got), 0);    /* 0 is now newer than 1 */
        cache_store(c, &ks[2], &r32);
        CHECK_EQ(cache_size(c), 2u);
        CHECK_EQ(cache_lookup(c, &ks[1], &got), -ENOENT);
        CHECK_EQ(cache_lookup(c, &ks[0], &got), 0);
        CHECK_EQ(cache_lookup(c, &ks[2], &got), 0);
        cache_free(c);

        /* Size 0: never stores. */
        CHECK_EQ(cache_new(0, false, &c), 0);
        cache_store(c, &ks[0], &r32);
        CHECK_EQ(cache_lookup(c, &ks[0], &got), -ENOENT);
        cache_free(c);
}

int main(void) {
        test_file_changes();
        test_request_matters();
        test_kinds_and_eviction();
        return 0;
}
