/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Privilege-separated inspection (see worker.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fd-util.h"
#include "inspect.h"
#include "worker.h"

static volatile pid_t current_worker = -1;

/* The worker leads a process group holding nbdkit and qemu too. */
static void kill_worker_group(pid_t pid) {
        if (pid > 0) {
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
        }
}

/*
 * We are a child subreaper (worker_run), so the worker's orphans (nbdkit,
 * qemu, libguestfs's recovery process) become our children when it dies:
 * reap the whole group, so that no process of this inspection outlives us,
 * even where PID 1 does not reap (containers).  Bounded: they were sent
 * SIGKILL.
 */
static void reap_worker_group(pid_t pid) {
        for (int i = 0; i < 200 && kill(-pid, 0) == 0; i++) {
                while (waitpid(-pid, NULL, WNOHANG) > 0)
                        ;
                if (kill(-pid, 0) < 0)
                        break;
                usleep(10000);
        }
}

void worker_kill_current(void) {
        kill_worker_group(current_worker);
}

/* Remove what the worker left in its directory without following any
 * symlink it may have planted there (it may run as another uid). */
static void remove_tree_at(int parentfd, const char *name, unsigned depth) {
        struct dirent *de;
        DIR *d;
        int fd;

        if (unlinkat(parentfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM))
                return;
        if (depth > 8)
                return;
        fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return;
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return;
        }
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        remove_tree_at(dirfd(d), de->d_name, depth + 1);
        closedir(d);
        (void) unlinkat(parentfd, name, AT_REMOVEDIR);
}

static void remove_tree(const char *path) {
        remove_tree_at(AT_FDCWD, path, 0);
}

static int drop_privileges(uid_t uid, gid_t gid) {
        if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                return -errno;
        if (getuid() != uid || geteuid() != uid || geteuid() == 0)
                return -EPERM;
        return 0;
}

static _Noreturn void worker_main(const WorkerConfig *cfg, const char *workdir, int out_fd, pid_t parent) {
        static Inspection in;   /* ~250 KiB: keep it off the stack */
        InspectReport rep;
        int r;

        /* If the parent is killed (libxl's timeout sends SIGTERM to it),
         * take the appliance down too; nbdkit and qemu follow us. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(2);
        /* Our own process group, inherited by nbdkit and qemu: the parent
         * can take the whole inspection down with one kill(-pid). */
        (void) setpgid(0, 0);
        umask(077);

        /* Nothing below needs a network or System V IPC: the appliance
         * talks over unix sockets in our private directory.  Best effort:
         * a kernel or container without user/namespace rights still runs. */
        (void) unshare(CLONE_NEWNET | CLONE_NEWIPC);
        /* No core file of a process that held guest bytes. */
        (void) setrlimit(RLIMIT_CORE, &(struct rlimit) { 0, 0 });
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* Only what we set: no inherited LIBGUESTFS_*, TMPDIR, LD_* from
         * xl's environment reaches nbdkit, supermin or qemu. */
        clearenv();
        (void) setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);

        if (cfg->runas_set) {
                r = drop_privileges(cfg->runas, cfg->runas_gid);
                if (r < 0) {
                        memset(&in, 0, sizeof(in));
                        snprintf(in.error, sizeof(in.error), "cannot switch to uid %lu: %s",
                                 (unsigned long) cfg->runas, strerror(-r));
                        inspect_report(&in, r, &cfg->policy, &rep);
                        (void) loop_write(out_fd, &rep, sizeof(rep));
                        _exit(1);
                }
        }
        (void) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);

        ProbeConfig pc = {
                .disk_fd = cfg->disk_fd,
                .format = cfg->format,
                .workdir = workdir,
                .nbdkit = cfg->nbdkit,
                .plugin = cfg->plugin,
                .debug = cfg->debug,
                .record_fd = cfg->record_fd,
                .replay_fd = cfg->replay_fd,
        };
        r = inspect_disk(&pc, &in);
        inspect_report(&in, r, &cfg->policy, &rep);
        rep.worker_uid = (uint32_t) getuid();
        _exit(loop_write(out_fd, &rep, sizeof(rep)) < 0 ? 1 : 0);
}

static long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read exactly one report, or fail; never more than one record's bytes. */
static int read_report(int fd, pid_t pid, unsigned deadline_sec, InspectReport *ret) {
        unsigned char buf[sizeof(InspectReport) + 1];
        long long deadline = now_ms() + (long long) deadline_sec * 1000;
        size_t got = 0;

        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                long long left = deadline - now_ms();
                ssize_t n;
                int r;

                if (left <= 0) {
                        kill_worker_group(pid);
                        return -ETIMEDOUT;
                }
                r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int) left);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (r == 0)
                        continue;
                n = read(fd, buf + got, sizeof(buf) - got);
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                got += (size_t) n;
                if (got > sizeof(InspectReport))
                        return -EBADMSG;
        }
        if (got != sizeof(InspectReport))
                return -EBADMSG;
        memcpy(ret, buf, sizeof(*ret));
        return report_validate(ret);
}

int worker_run(const WorkerConfig *cfg, InspectReport *ret) {
        char workdir[] = "/tmp/pvboot-select.XXXXXX";
        int pipefd[2], status, r;
        pid_t pid, self = getpid();

        /* Orphans of the worker come to us, to be reaped (see above). */
        (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        if (!mkdtemp(workdir))
                return -errno;
        if (cfg->runas_set && chown(workdir, cfg->runas, cfg->runas_gid) < 0) {
                r = -errno;
                goto out_dir;
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0) {
                r = -errno;
                goto out_dir;
        }

        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(pipefd[0]);
                close(pipefd[1]);
                goto out_dir;
        }
        if (pid == 0) {
                close(pipefd[0]);
                worker_main(cfg, workdir, pipefd[1], self);
        }
        current_worker = pid;
        close(pipefd[1]);

        /* Set it from this side too, so there is no window in which a
         * kill(-pid) would miss. */
        (void) setpgid(pid, pid);
        r = read_report(pipefd[0], pid, cfg->deadline_sec, ret);
        close(pipefd[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        /* Whatever the outcome, nothing of this inspection outlives it. */
        kill_worker_group(pid);
        reap_worker_group(pid);
        current_worker = -1;
        /* A worker that died by a signal after writing is still suspect. */
        if (r == 0 && !(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || ret->status < 0)))
                r = -EBADMSG;
out_dir:
        remove_tree(workdir);
        return r;
}
