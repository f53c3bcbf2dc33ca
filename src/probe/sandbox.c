/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The worker's private /tmp and the seccomp filter around its parsing
 * (see sandbox.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/sandbox.h"

static bool under_tmp(const char *path) {
        return strncmp(path, "/tmp/", 5) == 0 && path[5] != 0;
}

/* mkdir -p inside the fresh tmpfs, for a bind mount's target. */
static int make_dirs(char *path) {
        for (char *s = path + 1; ; s++) {
                if (*s != '/' && *s != 0)
                        continue;
                char c = *s;
                *s = 0;
                /* chmod: the worker's umask is 077, and a dropped uid
                 * must still traverse to the bound directory. */
                int r = mkdir(path, 0755) < 0 ? (errno == EEXIST ? 0 : -errno)
                                              : (chmod(path, 0755) < 0 ? -errno : 0);
                *s = c;
                if (r < 0 || c == 0)
                        return r;
        }
}

int sandbox_private_tmp(const char *workdir, uid_t uid, gid_t gid, const char *const *keep) {
        char opts[64], dirs[SANDBOX_MAX_KEEP][PATH_MAX];
        int fds[SANDBOX_MAX_KEEP], r = 0;
        size_t n = 0;

        if (unshare(CLONE_NEWNS) < 0)
                return -errno;
        /* Nothing we mount may propagate back to the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -errno;

        /* What must stay visible, held open before /tmp is covered (in
         * this namespace: a bind mount's source must be one of ours). */
        for (; keep && *keep && n < SANDBOX_MAX_KEEP; keep++) {
                struct stat st;
                bool seen = false;

                if (!under_tmp(*keep) || strlen(*keep) >= PATH_MAX || stat(*keep, &st) < 0)
                        continue;
                strcpy(dirs[n], *keep);
                if (!S_ISDIR(st.st_mode))
                        *strrchr(dirs[n], '/') = 0;
                for (size_t i = 0; i < n; i++)
                        seen = seen || strcmp(dirs[i], dirs[n]) == 0;
                if (seen || !under_tmp(dirs[n]))
                        continue;
                fds[n] = open(dirs[n], O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fds[n] >= 0)
                        n++;
        }

        snprintf(opts, sizeof(opts), "mode=01777,size=%um,nr_inodes=4096", SANDBOX_TMP_SIZE_MB);
        if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
                r = -errno;
        for (size_t i = 0; i < n; i++) {
                char src[32];

                /* The kernel follows /proc/self/fd/N to the directory
                 * the path no longer reaches. */
                snprintf(src, sizeof(src), "/proc/self/fd/%d", fds[i]);
                if (r == 0 && (r = make_dirs(dirs[i])) == 0 &&
                    (mount(src, dirs[i], NULL, MS_BIND, NULL) < 0 ||
                     mount(NULL, dirs[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0))
                        r = -errno;
                close(fds[i]);
        }
        if (r == 0 && (mkdir(workdir, 0700) < 0 || chown(workdir, uid, gid) < 0))
                r = -errno;
        return r;
}

static long mapped_bytes(void) {
        unsigned long pages = 0;
        FILE *f = fopen("/proc/self/statm", "re");

        if (!f)
                return -errno;
        if (fscanf(f, "%lu", &pages) != 1)
                pages = 0;
        fclose(f);
        return pages ? (long) (pages * (unsigned long) sysconf(_SC_PAGESIZE)) : -EIO;
}

/* Everything the worker does between "the appliance holds the disk" and
 * "the report is sent" (strace of a real inspection: read, write, poll,
 * sendto, wait4(WNOHANG) on qemu, getuid, exit_group; malloc's brk/mmap on
 * bigger disks): protocol I/O on descriptors it has, memory, time, exit.
 * None of these takes a path.  No recvmsg or sendmsg: read() and recv()
 * drop SCM_RIGHTS, so a qemu that a hostile disk took over cannot hand the
 * parser a descriptor (nor it one out); the descriptors are the ones it
 * has.  Anything else fails with EPERM. */
static const char *const allowed[] = {
        "read", "readv", "write", "writev", "recvfrom", "sendto",
        "poll", "ppoll", "select", "pselect6", "close", "lseek", "shutdown",
        "brk", "munmap", "mremap", "madvise", "futex",
        "clock_gettime", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
        "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid",
        "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
        "getrandom", "sched_yield", "wait4", "waitid", "exit", "exit_group",
};

int sandbox_parser(void) {
        scmp_filter_ctx ctx;
        long mapped;
        int r = 0;

        mapped = mapped_bytes();
        if (mapped < 0)
                return (int) mapped;
        if (setrlimit(RLIMIT_AS, &(struct rlimit) {
                        (rlim_t) mapped + ((rlim_t) SANDBOX_AS_HEADROOM_MB << 20),
                        (rlim_t) mapped + ((rlim_t) SANDBOX_AS_HEADROOM_MB << 20) }) < 0)
                return -errno;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;

        ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
        if (!ctx)
                return -ENOMEM;
        /* The rules below name x86_64 numbers: an i386 (int 0x80) or x32
         * call, whose numbers mean other things, kills outright. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        for (size_t i = 0; r == 0 && i < sizeof(allowed) / sizeof(allowed[0]); i++) {
                int nr = seccomp_syscall_resolve_name(allowed[i]);
                if (nr != __NR_SCMP_ERROR)
                        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
        }
        /* Memory, but never executable: a parser bug cannot make code. */
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                                     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                                     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
        /* No stat of any kind: seccomp cannot read the path string, and
         * newfstatat(fd, "/etc/shadow", AT_EMPTY_PATH) resolves the absolute
         * path whatever the dirfd and flags (AT_EMPTY_PATH only matters for
         * ""), so the descriptor form glibc's fstat() uses cannot be told
         * apart from a lookup.  The parser never stats after this point, and
         * stdio, which would (and then ioctl(TCGETS)), is not used: a failed
         * fstat only costs it its buffer size guess. */
        /* fcntl only asks: F_SETOWN/F_SETOWN_EX and F_SETSIG with O_ASYNC
         * (F_SETFL) would have the kernel send any signal to any process of
         * our uid, F_SETLEASE and F_NOTIFY signal too, F_DUPFD makes
         * descriptors.  Nothing after the filter calls fcntl: the parent
         * socket got its O_ASYNC and owner (us) before it.  EQ on the whole
         * 64-bit argument: a cmd with high bits set, which the kernel would
         * truncate to F_SETOWN, matches nothing. */
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
                                     SCMP_A1(SCMP_CMP_EQ, F_GETFD));
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1,
                                     SCMP_A1(SCMP_CMP_EQ, F_GETFL));
        /* Signals go to this thread only: abort() and raise() are
         * tgkill(getpid(), gettid()).  kill, tkill, rt_sigqueueinfo,
         * rt_tgsigqueueinfo, pidfd_send_signal stay refused: the worker
         * never signals its qemu after this (the parent kills the group). */
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 2,
                                     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t) getpid()),
                                     SCMP_A1(SCMP_CMP_EQ, (scmp_datum_t) gettid()));
        if (r == 0)
                r = seccomp_load(ctx);
        seccomp_release(ctx);
        return r;
}
