/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The worker's sandbox, applied for real in forked children: what the
 * filter lets through, what it refuses, and that the private /tmp is
 * private. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>

#include "probe/sandbox.h"
#include "shared/fd-util.h"
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

/* Descriptors and processes opened before the filter, as the worker's are. */
typedef struct Held {
        int sock[2];    /* the worker's sockets to its parent and qemu */
        int dir;        /* a directory descriptor: "/" */
        pid_t victim;   /* a process of our uid, leading its group, that must survive */
        int victim_pidfd;
        pid_t sibling;  /* another thread of the filtered process */
} Held;

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig) {
        (void) sig;
        got_usr1++;
}

static void *sibling_thread(void *arg) {
        Held *h = arg;
        h->sibling = gettid();
        for (;;)
                pause();
        return NULL;
}

static int filtered(void *arg) {
        Held *h = arg;
        char buf[16] = "report", path[64];
        struct pollfd pfd;
        struct timespec ts;
        struct statx stx;
        struct stat st;
        int fds[2];
        void *p;

        /* A second thread (unfiltered: the filter is the caller's), to be
         * refused a signal. */
        pthread_t t;
        h->sibling = 0;
        if (signal(SIGUSR1, on_usr1) == SIG_ERR || pthread_create(&t, NULL, sibling_thread, h) != 0)
                return 7;
        while (__atomic_load_n(&h->sibling, __ATOMIC_SEQ_CST) == 0)
                sched_yield();

        /* The number a received descriptor would get. */
        int next_fd = fcntl(h->sock[0], F_DUPFD_CLOEXEC, 0);
        if (next_fd < 0)
                return 7;
        close(next_fd);

        if (sandbox_parser() < 0)
                return 1;
        /* The byte the parent sent with a descriptor: read() takes the
         * byte and the kernel drops the descriptor. */
        char c;
        if (read(h->sock[0], &c, 1) != 1 || c != 'F')
                return 9;
        errno = 0;
        if (fcntl(next_fd, F_GETFD) != -1 || errno != EBADF)
                return 9;
        /* Allowed: I/O on descriptors we hold, memory, time, our pid. */
        if (write(h->sock[1], buf, 6) != 6 || read(h->sock[0], buf, sizeof(buf)) != 6 ||
            memcmp(buf, "report", 6) != 0)
                return 2;
        if (send(h->sock[1], buf, 6, MSG_NOSIGNAL) != 6)
                return 90;
        pfd = (struct pollfd) { .fd = h->sock[0], .events = POLLIN };
        if (poll(&pfd, 1, 1000) != 1 || recv(h->sock[0], buf, sizeof(buf), 0) != 6)
                return 91;
        p = malloc(8u << 20);
        if (!p)
                return 3;
        memset(p, 1, 8u << 20);
        free(p);
        if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0 || syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) < 0)
                return 4;
        if (getpid() <= 0)
                return 5;
        /* A signal to this very thread: raise() and abort(). */
        if (raise(SIGUSR1) != 0 || syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1) != 0 || got_usr1 != 2)
                return 8;

        /* Refused: every call that resolves a path, whatever its flags and
         * dirfd.  seccomp cannot see the string, so AT_EMPTY_PATH or a real
         * dirfd must not let one through: an absolute path ignores both. */
        REFUSED(10, open("/etc/shadow", O_RDONLY));
        REFUSED(11, openat(AT_FDCWD, "/etc/shadow", O_RDONLY));
        REFUSED(12, openat(h->dir, "etc/shadow", O_RDONLY));
        REFUSED(13, syscall(SYS_openat2, AT_FDCWD, "/etc/shadow",
                            &(struct open_how) { .flags = O_RDONLY }, sizeof(struct open_how)));
        REFUSED(14, syscall(SYS_newfstatat, AT_FDCWD, "/etc/shadow", &st, AT_EMPTY_PATH));
        REFUSED(15, syscall(SYS_newfstatat, h->dir, "/etc/shadow", &st, AT_EMPTY_PATH));
        REFUSED(16, syscall(SYS_newfstatat, h->dir, "etc/shadow", &st, AT_EMPTY_PATH));
        /* fstat() is the same call with "": refused too, not needed. */
        REFUSED(17, syscall(SYS_newfstatat, h->sock[0], "", &st, AT_EMPTY_PATH));
        REFUSED(18, fstat(h->sock[0], &st));
        REFUSED(19, stat("/etc/shadow", &st));
        REFUSED(20, lstat("/etc/shadow", &st));
        REFUSED(21, syscall(SYS_statx, AT_FDCWD, "/etc/shadow", 0, STATX_BASIC_STATS, &stx));
        REFUSED(22, syscall(SYS_statx, h->dir, "/etc/shadow", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx));
        REFUSED(23, syscall(SYS_statx, h->dir, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx));
        REFUSED(24, access("/etc/shadow", R_OK));
        REFUSED(25, syscall(SYS_faccessat, AT_FDCWD, "/etc/shadow", R_OK));
        REFUSED(26, syscall(SYS_faccessat2, h->dir, "/etc/shadow", R_OK, AT_EMPTY_PATH));
        REFUSED(27, readlink("/proc/self/exe", path, sizeof(path)));
        REFUSED(28, readlinkat(h->dir, "proc/self/exe", path, sizeof(path)));
        REFUSED(29, execve("/bin/true", (char *[]) { "true", NULL }, (char *[]) { NULL }));
        REFUSED(30, syscall(SYS_execveat, h->dir, "bin/true", (char *[]) { "true", NULL },
                            (char *[]) { NULL }, 0));
        REFUSED(31, chdir("/"));
        REFUSED(32, fchdir(h->dir));
        REFUSED(33, mkdir("/tmp/pvboot-sandbox-test", 0700));
        REFUSED(34, unlink("/etc/passwd"));
        REFUSED(35, rename("/etc/passwd", "/etc/passwd-"));
        REFUSED(36, link("/etc/passwd", "/tmp/pvboot-sandbox-link"));
        REFUSED(37, symlink("/etc/shadow", "/tmp/pvboot-sandbox-link"));
        REFUSED(38, truncate("/etc/passwd", 0));
        REFUSED(39, chmod("/etc/shadow", 0644));
        REFUSED(40, chown("/etc/shadow", getuid(), getgid()));
        REFUSED(41, mknod("/tmp/pvboot-sandbox-node", S_IFIFO | 0600, 0));
        REFUSED(42, mount("none", "/tmp", "tmpfs", 0, NULL));
        REFUSED(43, utimensat(AT_FDCWD, "/etc/passwd", NULL, 0));
        REFUSED(44, syscall(SYS_getdents64, h->dir, path, sizeof(path)));

        /* fcntl only reads flags: no signal owner or signal number, no
         * O_ASYNC (by F_SETFL or ioctl), no lease or dnotify signal, no
         * new descriptor. */
        if (fcntl(h->sock[0], F_GETFL) < 0 || fcntl(h->sock[0], F_GETFD) < 0)
                return 6;
        REFUSED(45, fcntl(h->sock[0], F_SETOWN, h->victim));
        REFUSED(46, fcntl(h->sock[0], F_SETOWN, -h->victim));
        REFUSED(47, fcntl(h->sock[0], F_SETOWN_EX, &(struct f_owner_ex) { F_OWNER_PID, h->victim }));
        REFUSED(48, fcntl(h->sock[0], F_SETSIG, SIGTERM));
        REFUSED(49, fcntl(h->sock[0], F_SETFL, O_ASYNC | O_RDWR));
        REFUSED(60, fcntl(h->sock[0], F_SETFL, O_NONBLOCK));
        REFUSED(61, fcntl(h->dir, F_NOTIFY, DN_ACCESS | DN_MULTISHOT));
        REFUSED(62, fcntl(h->dir, F_SETLEASE, F_RDLCK));
        REFUSED(63, fcntl(h->sock[0], F_DUPFD_CLOEXEC, 0));
        REFUSED(64, fcntl(h->sock[0], F_SETFD, 0));
        /* The kernel reads cmd as 32 bits: high bits must not smuggle one. */
        REFUSED(65, syscall(SYS_fcntl, h->sock[0], (1L << 32) | F_SETOWN, (long) h->victim));
        REFUSED(66, ioctl(h->sock[0], FIOSETOWN, &h->victim));
        REFUSED(67, ioctl(h->sock[0], FIOASYNC, &(int) { 1 }));
        REFUSED(68, ioctl(STDIN_FILENO, TCGETS, &(struct termios) { 0 }));
        /* Were any of those let through, this would signal the victim. */
        if (write(h->sock[1], "x", 1) != 1 || read(h->sock[0], buf, 1) != 1)
                return 69;

        /* Refused: network, new processes and descriptors, other processes,
         * executable memory. */
        REFUSED(50, socket(AF_UNIX, SOCK_STREAM, 0));
        REFUSED(51, fork());
        /* No signal to anything but this thread, by any call.  The
         * target must survive (checked by the parent). */
        REFUSED(52, kill(getppid(), 0));
        REFUSED(70, kill(h->victim, SIGTERM));
        REFUSED(71, kill(-h->victim, SIGTERM));
        REFUSED(72, kill(getpid(), SIGUSR1));
        REFUSED(73, syscall(SYS_tkill, h->victim, SIGTERM));
        REFUSED(74, syscall(SYS_tgkill, h->victim, h->victim, SIGTERM));
        /* Another thread of ours: the kernel would say ESRCH for a tid
         * outside our group, EPERM shows the filter said no first. */
        REFUSED(75, syscall(SYS_tgkill, getpid(), h->sibling, SIGTERM));
        REFUSED(76, syscall(SYS_tgkill, getpid(), h->victim, SIGTERM));
        REFUSED(77, syscall(SYS_tkill, h->sibling, SIGTERM));
        siginfo_t si = { .si_signo = SIGTERM, .si_code = SI_QUEUE, .si_pid = getpid(), .si_uid = getuid() };
        REFUSED(78, syscall(SYS_rt_sigqueueinfo, h->victim, SIGTERM, &si));
        REFUSED(79, syscall(SYS_rt_tgsigqueueinfo, h->victim, h->victim, SIGTERM, &si));
        REFUSED(80, syscall(SYS_rt_tgsigqueueinfo, getpid(), h->sibling, SIGTERM, &si));
        REFUSED(81, syscall(SYS_pidfd_send_signal, h->victim_pidfd, SIGTERM, NULL, 0));
        REFUSED(82, syscall(SYS_pidfd_open, h->victim, 0));
        REFUSED(83, sigqueue(h->victim, SIGTERM, (union sigval) { 0 }));
        REFUSED(53, pipe(fds));
        REFUSED(54, dup(h->sock[0]));
        /* No descriptor comes in or goes out over the sockets. */
        struct iovec iov = { .iov_base = buf, .iov_len = 1 };
        REFUSED(59, recvmsg(h->sock[0], &(struct msghdr) { .msg_iov = &iov, .msg_iovlen = 1 }, MSG_DONTWAIT));
        REFUSED(84, sendmsg(h->sock[1], &(struct msghdr) { .msg_iov = &iov, .msg_iovlen = 1 }, MSG_NOSIGNAL));
        errno = 0;
        if (mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != EPERM)
                return 55;
        p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return 56;
        REFUSED(57, mprotect(p, 4096, PROT_READ | PROT_EXEC));
        /* The address-space cap: far more than the headroom fails. */
        errno = 0;
        if (mmap(NULL, (size_t) SANDBOX_AS_HEADROOM_MB * 4u << 20, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != ENOMEM)
                return 58;
        return 0;
}

static void test_parser_filter(void) {
        Held h;
        int st;

        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, h.sock), 0);
        h.dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CHECK(h.dir >= 0);
        /* Same uid as the filtered child, SIGTERM and SIGIO deadly. */
        h.victim = fork();
        CHECK(h.victim >= 0);
        if (h.victim == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                for (;;)
                        pause();
        }
        /* Its own group, so that kill(-victim) reaches it and nothing else. */
        CHECK_EQ(setpgid(h.victim, h.victim), 0);
        h.victim_pidfd = (int) syscall(SYS_pidfd_open, h.victim, 0);
        CHECK(h.victim_pidfd >= 0);
        /* What a qemu taken over by the guest could send the parser. */
        CHECK_EQ(send_with_fd(h.sock[1], "F", 1, h.dir), 0);
        CHECK_EQ(in_child(filtered, &h), 0);
        /* Alive until we end it: nothing the filtered child tried reached it. */
        CHECK_EQ(waitpid(h.victim, &st, WNOHANG), 0);
        CHECK_EQ(kill(h.victim, SIGKILL), 0);
        CHECK_EQ(waitpid(h.victim, &st, 0), h.victim);
        CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
        close(h.sock[0]);
        close(h.sock[1]);
        close(h.dir);
        close(h.victim_pidfd);
}

#if defined(__x86_64__)
/* The other ABIs' numbers mean other calls (i386's 5 is open): the filter
 * kills a process that uses them rather than read them as x86_64's. */
static int other_abi(void *arg) {
        static const char shadow[] = "/etc/shadow";
        long ret;

        if (sandbox_parser() < 0)
                return 1;
        if (arg) {
                /* x32: x86_64's openat with bit 30 set.  seccomp sees it
                 * before the kernel asks whether it has x32 at all. */
                ret = syscall(0x40000000L | SYS_openat, AT_FDCWD, shadow, O_RDONLY);
                return ret >= 0 ? 2 : 0;
        }
        /* i386's open(2), through int 0x80. */
        __asm__ volatile ("int $0x80" : "=a" (ret) : "0" (5L), "b" (shadow), "c" (0L) : "memory");
        return ret >= 0 ? 3 : 0;
}
#endif

static void test_other_abis_killed(void) {
#if defined(__x86_64__)
        int st = in_child(other_abi, NULL);
        /* SIGSEGV: a kernel without i386 emulation faults before the filter. */
        CHECK(st == 128 + SIGSYS || st == 128 + SIGSEGV);
        CHECK_EQ(in_child(other_abi, (void *) 1), 128 + SIGSYS);
#endif
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
        test_other_abis_killed();
        test_abort_still_works();
        test_private_tmp();
        return 0;
}
