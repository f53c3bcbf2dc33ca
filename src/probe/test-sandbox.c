/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The worker's sandbox, applied for real in forked children: what the
 * filter lets through, what it refuses, and that the private /tmp is
 * private. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/magic.h>

#include "probe/sandbox.h"
#include "shared/test-util.h"

/* Run fn in a child; return its exit status (or 128 + signal). */
static int in_child(int (*fn)(void *), void *arg) {
        pid_t pid = fork();
        int st;

        CHECK(pid >= 0);
        if (pid == 0)
                _exit(fn(arg));
        CHECK_EQ(waitpid(pid, &st, 0), pid);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Each refused call is a distinct exit code, so a failure names it. */
#define REFUSED(n, call) do { errno = 0; if ((call) != -1 || errno != EPERM) return (n); } while (0)

static int filtered(void *arg) {
        int *fds = arg, pfd[2];
        char buf[16] = "report";
        void *p;

        if (sandbox_parser() < 0)
                return 1;
        /* Allowed: I/O on descriptors we hold, memory, time, our pid. */
        if (write(fds[1], buf, 6) != 6 || read(fds[0], buf, sizeof(buf)) != 6 || memcmp(buf, "report", 6) != 0)
                return 2;
        p = malloc(8u << 20);
        if (!p)
                return 3;
        memset(p, 1, 8u << 20);
        free(p);
        struct stat st;
        if (fstat(fds[0], &st) < 0)
                return 4;
        if (getpid() <= 0)
                return 5;

        /* Refused: the host's files, programs, network, other processes,
         * new processes, executable memory. */
        REFUSED(10, open("/etc/passwd", O_RDONLY));
        REFUSED(11, openat(AT_FDCWD, "/etc/passwd", O_RDONLY));
        REFUSED(12, stat("/etc/passwd", &st));
        REFUSED(13, socket(AF_UNIX, SOCK_STREAM, 0));
        REFUSED(14, execve("/bin/true", (char *[]) { "true", NULL }, (char *[]) { NULL }));
        REFUSED(15, fork());
        REFUSED(16, kill(getppid(), 0));
        REFUSED(17, pipe(pfd));
        REFUSED(18, mkdir("/tmp/pvboot-sandbox-test", 0700));
        REFUSED(19, unlink("/etc/passwd"));
        REFUSED(20, dup(fds[0]));
        errno = 0;
        if (mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != EPERM)
                return 21;
        p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return 22;
        REFUSED(23, mprotect(p, 4096, PROT_READ | PROT_EXEC));
        /* The address-space cap: far more than the headroom fails. */
        errno = 0;
        if (mmap(NULL, (size_t) SANDBOX_AS_HEADROOM_MB * 4u << 20, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != ENOMEM)
                return 24;
        return 0;
}

static void test_parser_filter(void) {
        int fds[2];

        CHECK_EQ(pipe(fds), 0);
        CHECK_EQ(in_child(filtered, fds), 0);
        close(fds[0]);
        close(fds[1]);
}

/* abort() in the filtered process still ends in SIGABRT, not a hang. */
static int aborts(void *arg) {
        (void) arg;
        if (sandbox_parser() < 0)
                return 1;
        abort();
}

static void test_abort_still_works(void) {
        CHECK_EQ(in_child(aborts, NULL), 128 + SIGABRT);
}

static char workdir[] = "/tmp/pvboot-sandbox.XXXXXX";
static char leak[64], big[64];  /* beside workdir, named after it */
static char kept[80], kept_file[96];

static int private_tmp(void *arg) {
        struct statfs fs;
        struct stat st;
        int fd;

        const char *keep[] = { kept_file, "/usr/bin/true", "/tmp/pvboot-no-such-file", kept_file, NULL };

        (void) arg;
        umask(077);     /* the worker's */
        if (sandbox_private_tmp(workdir, 65534, 65534, keep) < 0)
                return 1;
        /* Every directory down to a kept one can be traversed by the uid
         * the worker drops to. */
        {
                char up[96];
                snprintf(up, sizeof(up), "%s-build", workdir);
                if (stat(up, &st) < 0 || (st.st_mode & 0755) != 0755)
                        return 10;
        }
        /* A file the worker needs under /tmp (a build tree's plugin) is
         * still there, read-only. */
        fd = open(kept_file, O_RDONLY);
        if (fd < 0)
                return 8;
        close(fd);
        errno = 0;
        if (open(kept_file, O_WRONLY) >= 0 || errno != EROFS)
                return 9;
        if (statfs("/tmp", &fs) < 0 || fs.f_type != TMPFS_MAGIC)
                return 2;
        if (stat(workdir, &st) < 0 || st.st_uid != 65534 || st.st_gid != 65534 || (st.st_mode & 07777) != 0700)
                return 3;
        /* What libguestfs leaves behind. */
        if (mkdir(leak, 0700) < 0)
                return 4;
        fd = openat(AT_FDCWD, leak, O_RDONLY | O_DIRECTORY);
        if (fd < 0 || mkfifoat(fd, "guestfsd.sock", 0600) < 0)
                return 5;
        close(fd);
        /* The tmpfs is bounded. */
        fd = open(big, O_CREAT | O_WRONLY, 0600);
        if (fd < 0 || ftruncate(fd, 0) < 0)
                return 6;
        if (posix_fallocate(fd, 0, ((off_t) SANDBOX_TMP_SIZE_MB + 1) << 20) == 0)
                return 7;
        close(fd);
        return 0;
}

static void test_private_tmp(void) {
        struct stat st;

        CHECK(mkdtemp(workdir));
        snprintf(leak, sizeof(leak), "%s-leak", workdir);
        snprintf(big, sizeof(big), "%s-big", workdir);
        snprintf(kept, sizeof(kept), "%s-build/src", workdir);
        snprintf(kept_file, sizeof(kept_file), "%s/plugin.so", kept);
        if (geteuid() != 0) {
                /* Without CAP_SYS_ADMIN: refused, nothing changed. */
                CHECK_EQ(sandbox_private_tmp(workdir, getuid(), getgid(), NULL), -EPERM);
                CHECK_EQ(rmdir(workdir), 0);
                return;
        }
        {
                char top[80];
                int fd;
                snprintf(top, sizeof(top), "%s-build", workdir);
                CHECK_EQ(mkdir(top, 0755), 0);
                CHECK_EQ(mkdir(kept, 0755), 0);
                fd = open(kept_file, O_CREAT | O_WRONLY, 0644);
                CHECK(fd >= 0);
                close(fd);
        }
        CHECK_EQ(in_child(private_tmp, NULL), 0);
        /* The host's copy is untouched and still writable. */
        CHECK_EQ(unlink(kept_file), 0);
        CHECK_EQ(rmdir(kept), 0);
        {
                char top[80];
                snprintf(top, sizeof(top), "%s-build", workdir);
                CHECK_EQ(rmdir(top), 0);
        }
        /* Nothing of it reached the host's /tmp. */
        CHECK(stat(leak, &st) < 0 && errno == ENOENT);
        CHECK(stat(big, &st) < 0 && errno == ENOENT);
        CHECK_EQ(stat(workdir, &st), 0);
        CHECK_EQ(st.st_uid, 0);
        CHECK_EQ(rmdir(workdir), 0);
}

int main(void) {
        test_parser_filter();
        test_abort_still_works();
        test_private_tmp();
        return 0;
}
