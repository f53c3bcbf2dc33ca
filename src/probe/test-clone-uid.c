/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Clone uids: the range rules, exclusive reservation (within a process and
 * across processes, given back when the holder goes), and the seccomp
 * confinement of setuid and friends to the range, tried for real in
 * children (root for the last part, else exit 77 after the rest).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe/clone-uid.h"
#include "shared/test-util.h"

static void test_range(void) {
        char err[256];
        CloneUidRange ok = { 196608, 256 };
        CHECK_EQ(clone_uid_range_check(&ok, err, sizeof(err)), 0);
        static const CloneUidRange bad[] = {
                { 196608, 0 }, { 196608, 1 }, { 196608, 3 }, { 196608, 131072 },  /* counts */
                { 196609, 256 }, { 196608 + 128, 256 },                            /* alignment */
                { 0, 256 }, { 256, 256 }, { 65280, 256 },                          /* below 65536 */
                { 2147483648u, 256 }, { 2147483648u - 65536, 65536 * 2 },         /* 2^31 */
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                CHECK_EQ(clone_uid_range_check(&bad[i], err, sizeof(err)), -EINVAL);
                CHECK(strstr(err, "power of two"));
        }
}

static void test_reserve(void) {
        char dir[] = "/tmp/test-clone-uid.XXXXXX", lockdir[64];
        CloneUidRange r = { 196608, 2 };
        uid_t a, b, c;
        int la, lb, lc;

        CHECK(mkdtemp(dir));
        snprintf(lockdir, sizeof(lockdir), "%s/locks", dir);    /* made on first use */
        CHECK_EQ(clone_uid_reserve(lockdir, &r, &a, &la), 0);
        CHECK_EQ(clone_uid_reserve(lockdir, &r, &b, &lb), 0);
        CHECK(a != b);
        CHECK(a >= r.base && a < r.base + r.count && b >= r.base && b < r.base + r.count);
        CHECK_EQ(clone_uid_reserve(lockdir, &r, &c, &lc), -EBUSY);
        CHECK(fcntl(la, F_GETFD) & FD_CLOEXEC);

        /* Given back when its holder closes it, and only then. */
        close(la);
        CHECK_EQ(clone_uid_reserve(lockdir, &r, &c, &lc), 0);
        CHECK_EQ(c, a);

        /* Another process's reservation counts, and dies with it. */
        close(lb);
        close(lc);
        int p[2];
        CHECK_EQ(pipe(p), 0);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                uid_t x, y;
                int lx, ly;
                if (clone_uid_reserve(lockdir, &r, &x, &lx) < 0 || clone_uid_reserve(lockdir, &r, &y, &ly) < 0)
                        _exit(1);
                (void) !write(p[1], "x", 1);
                pause();
                _exit(0);
        }
        char ch;
        CHECK_EQ(read(p[0], &ch, 1), 1);
        CHECK_EQ(clone_uid_reserve(lockdir, &r, &c, &lc), -EBUSY);
        kill(pid, SIGKILL);
        CHECK_EQ(waitpid(pid, NULL, 0), pid);
        CHECK_EQ(clone_uid_reserve(lockdir, &r, &c, &lc), 0);
        close(lc);

        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        CHECK_EQ(system(cmd), 0);
}

/* In a child: confine, then try each call; exit 0 when all went as they must. */
static int confined_child(void) {
        CloneUidRange r = { 196608, 256 };
        if (clone_uid_confine(&r) < 0)
                return 10;
        /* Out of the range: refused, whoever we are. */
        if (setresuid(0, 0, 0) == 0 || errno != EPERM)
                return 11;
        if (setuid(65534) == 0 || errno != EPERM)
                return 12;
        if (setresgid(196608, 196608, (gid_t) -1) == 0 || errno != EPERM)
                return 13;
        if (setuid(196608 + 256) == 0 || errno != EPERM)
                return 14;
        gid_t g = 0;
        if (setgroups(1, &g) == 0 || errno != EPERM)
                return 15;
        /* Into it: allowed (as root, who may). */
        if (setgroups(0, NULL) < 0)
                return 16;
        if (setresgid(196700, 196700, 196700) < 0)
                return 17;
        if (setresuid(196700, 196700, 196700) < 0)
                return 18;
        /* And from there, never back. */
        if (setresuid(0, 0, 0) == 0)
                return 19;
        return getuid() == 196700 && getgid() == 196700 ? 0 : 20;
}

int main(void) {
        test_range();
        test_reserve();
        if (geteuid() != 0) {
                printf("SKIP: the confinement test needs root (setuid for real)\n");
                return EXIT_TEST_SKIP;
        }
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0)
                _exit(confined_child());
        int status;
        CHECK_EQ(waitpid(pid, &status, 0), pid);
        CHECK(WIFEXITED(status));
        CHECK_EQ(WEXITSTATUS(status), 0);
        return 0;
}
