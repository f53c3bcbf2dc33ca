/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --disk: each held to DISK's rule, in the order given, a disk named
 * twice refused, and nothing left open by a refusal.  Real files (and a
 * real block device when this machine lets us read one). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cli/extra-disks.h"
#include "probe/disk-fd.h"
#include "shared/fd-util.h"
#include "shared/macro.h"
#include "test-options.h"

static char dir[] = "/tmp/test-extra-disks.XXXXXX";
static char path_a[PATH_MAX], path_b[PATH_MAX], path_c[PATH_MAX], link_a[PATH_MAX], sym_b[PATH_MAX],
        empty[PATH_MAX], missing[PATH_MAX];
static char err[512];

static void mkfile(char *buf, const char *name, size_t size) {
        int fd;

        snprintf(buf, PATH_MAX, "%s/%s", dir, name);
        fd = open(buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        CHECK(fd >= 0);
        CHECK_EQ(ftruncate(fd, (off_t) size), 0);
        close(fd);
}

/* extra_disks_open() for DISK path_a and these --disk paths (NULL-ended). */
static int run(ExtraDisks *ret, const char *const *paths) {
        Options o = test_options("-v");
        _cleanup_close_ int disk_fd = -EBADF;
        char why[256];

        CHECK_EQ(disk_fd_open(path_a, &disk_fd, why, sizeof(why)), 0);
        o.disk = path_a;
        o.n_extra_disks = 0;
        for (; *paths; paths++)
                o.extra_disks[o.n_extra_disks++] = *paths;
        memset(err, 0, sizeof(err));
        return extra_disks_open(&o, disk_fd, ret, err, sizeof(err));
}

static void expect_refused(int want, const char *needle, const char *const *paths) {
        ExtraDisks d;
        unsigned before = test_count_fds();

        memset(&d, 0xa5, sizeof(d));
        CHECK_EQ(run(&d, paths), want);
        if (!strstr(err, needle)) {
                fprintf(stderr, "\"%s\" lacks \"%s\"\n", err, needle);
                exit(EXIT_FAILURE);
        }
        CHECK_EQ(test_count_fds(), before);
}

static void test_order(void) {
        ExtraDisks d;
        struct stat st, want;
        unsigned before = test_count_fds();

        CHECK_EQ(run(&d, (const char *const[]) { NULL }), 0);
        CHECK_EQ(d.n, 0u);
        CHECK_EQ(run(&d, (const char *const[]) { path_c, path_b, NULL }), 0);
        CHECK_EQ(d.n, 2u);
        CHECK_STREQ(d.disk[0].path, path_c);
        CHECK_STREQ(d.disk[1].path, path_b);
        CHECK(fstat(d.disk[0].fd, &st) == 0 && stat(path_c, &want) == 0 && st.st_ino == want.st_ino);
        CHECK(fstat(d.disk[1].fd, &st) == 0 && stat(path_b, &want) == 0 && st.st_ino == want.st_ino);
        /* Read-only, and not inherited by what we exec. */
        CHECK_EQ(fcntl(d.disk[0].fd, F_GETFL) & O_ACCMODE, O_RDONLY);
        CHECK(fcntl(d.disk[1].fd, F_GETFD) & FD_CLOEXEC);
        /* For inspection_run(): DISK first, then the --disk ones in order. */
        int all[1 + OPTIONS_EXTRA_DISKS_MAX];
        CHECK_EQ(extra_disks_all(&d, 42, all), 3u);
        CHECK(all[0] == 42 && all[1] == d.disk[0].fd && all[2] == d.disk[1].fd);
        extra_disks_close(&d);
        CHECK_EQ(extra_disks_all(&d, 42, all), 1u);
        CHECK_EQ(d.n, 0u);
        extra_disks_close(&d);  /* again: nothing */
        CHECK_EQ(test_count_fds(), before);
}

static void test_refused(void) {
        /* DISK's own rule. */
        expect_refused(-ENOENT, "cannot use --disk=", (const char *const[]) { path_b, missing, NULL });
        expect_refused(-ENODATA, "empty", (const char *const[]) { empty, NULL });
        expect_refused(-EINVAL, "cannot use --disk=/dev/null: the disk is neither", (const char *const[]) { "/dev/null", NULL });
        expect_refused(-EINVAL, "neither a regular file", (const char *const[]) { dir, NULL });
        /* One disk under two names: DISK by a hard link, a --disk by a
         * symlink, or simply twice. */
        expect_refused(-EEXIST, "is DISK ", (const char *const[]) { link_a, NULL });
        expect_refused(-EEXIST, "again", (const char *const[]) { path_a, NULL });
        expect_refused(-EEXIST, "is --disk=", (const char *const[]) { path_b, path_c, sym_b, NULL });
        expect_refused(-EEXIST, "is --disk=", (const char *const[]) { path_c, path_c, NULL });
}

/* Two nodes of one block device, made here for a device of this machine
 * that DISK's rule accepts (root only: mknod). */
static void test_block(void) {
        DIR *d = opendir("/sys/dev/block");
        struct dirent *e;
        bool tested = false;

        if (!d)
                return;
        while (!tested && (e = readdir(d))) {
                char n1[PATH_MAX], n2[PATH_MAX], why[256];
                unsigned maj, min;
                ExtraDisks x;
                int fd;

                if (sscanf(e->d_name, "%u:%u", &maj, &min) != 2)
                        continue;
                snprintf(n1, sizeof(n1), "%s/blk-1", dir);
                snprintf(n2, sizeof(n2), "%s/blk-2", dir);
                if (mknod(n1, S_IFBLK | 0400, makedev(maj, min)) < 0 || mknod(n2, S_IFBLK | 0400, makedev(maj, min)) < 0) {
                        unlink(n1);
                        break;  /* not root: nothing to test with */
                }
                if (disk_fd_open(n1, &fd, why, sizeof(why)) == 0) {
                        close(fd);
                        CHECK_EQ(run(&x, (const char *const[]) { n1, NULL }), 0);
                        extra_disks_close(&x);
                        expect_refused(-EEXIST, "blk-1 again", (const char *const[]) { n1, n2, NULL });
                        tested = true;
                }
                unlink(n1);
                unlink(n2);
        }
        closedir(d);
        if (!tested)
                fprintf(stderr, "no readable block device: two nodes of one not tested\n");
}

int main(void) {
        CHECK(mkdtemp(dir));
        mkfile(path_a, "a.img", 1 << 20);
        mkfile(path_b, "b.img", 1 << 20);
        mkfile(path_c, "c.img", 4096);
        mkfile(empty, "empty.img", 0);
        snprintf(link_a, sizeof(link_a), "%s/a-link.img", dir);
        CHECK_EQ(link(path_a, link_a), 0);
        snprintf(sym_b, sizeof(sym_b), "%s/b-sym.img", dir);
        CHECK_EQ(symlink(path_b, sym_b), 0);
        snprintf(missing, sizeof(missing), "%s/missing.img", dir);

        test_order();
        test_refused();
        test_block();

        unlink(link_a);
        unlink(sym_b);
        unlink(path_a);
        unlink(path_b);
        unlink(path_c);
        unlink(empty);
        rmdir(dir);
        return 0;
}
