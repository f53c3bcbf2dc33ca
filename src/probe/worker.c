/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parent's side of a worker (see worker.h): fork it, hand it the
 * disk, read its one report, and leave nothing of it behind.  The worker
 * itself is worker-child.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shared/fd-util.h"
#include "probe/probe.h"
#include "probe/worker-wire.h"

struct Worker {
        pid_t pid;
        int sock;
        int uid_lock;           /* holds our clone uid while we live (clone-uid.h) */
        bool uid_given;         /* it must report this uid with a decision */
        uid_t uid;
        bool sent;
        bool killed;            /* worker_kill(): its group was sent SIGKILL */
        bool leader_reaped;     /* pid is waited for; its group may linger */
        char workdir[64];
};

static volatile pid_t current_worker = -1;
/* Set by worker_kill_current(): no worker_run() goes on after it. */
static volatile sig_atomic_t stopped;


/* The worker leads a process group holding its qemu too. */
static void kill_worker_group(pid_t pid) {
        if (pid > 0) {
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
        }
}

/*
 * Our parent side is a child subreaper (worker_spawn), so the worker's
 * orphans (its qemu) become our children when it dies: reap the whole
 * group, so that no process of this inspection outlives it, even where
 * PID 1 does not reap (containers).  They were sent SIGKILL, by us or,
 * when we may not signal their uid, by PDEATHSIG; but a process stuck in
 * uninterruptible sleep (a read from a hung NFS or iSCSI disk) dies only
 * when its I/O ends, which may be never.
 */
static bool group_exists(pid_t pid) {
        /* EPERM: there, but running as a clone uid we may not signal. */
        return kill(-pid, 0) == 0 || errno == EPERM;
}

void worker_kill(Worker *w) {
        w->sock = safe_close(w->sock);
        if (w->pid > 0 && !w->killed) {
                kill_worker_group(w->pid);
                w->killed = true;
        }
}

int worker_reap(Worker *w) {
        if (w->pid <= 0)
                return 1;
        if (!w->killed)
                return -EINVAL;
        if (!w->leader_reaped) {
                pid_t k = waitpid(w->pid, NULL, WNOHANG);
                if (k == w->pid || (k < 0 && errno == ECHILD))
                        w->leader_reaped = true;
        }
        while (waitpid(-w->pid, NULL, WNOHANG) > 0)
                ;
        return w->leader_reaped && !group_exists(w->pid);
}

void worker_kill_current(void) {
        stopped = 1;
        kill_worker_group(current_worker);
}

/* Remove what the worker left in its directory without following any
 * symlink it may have planted there (it may run as another uid). */
static void remove_tree_at(int parentfd, const char *name, unsigned depth) {
        if (unlinkat(parentfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM))
                return;
        if (depth > 8)
                return;
        {
                _cleanup_close_ int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return;
                _cleanup_(closedirp) DIR *d = fdopendir(fd);
                if (!d)
                        return;
                TAKE_FD(fd);    /* d's now */
                for (struct dirent *de; (de = readdir(d));)
                        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                                remove_tree_at(dirfd(d), de->d_name, depth + 1);
        }       /* closed before the directory goes */
        (void) unlinkat(parentfd, name, AT_REMOVEDIR);
}

int worker_spawn(const WorkerConfig *cfg, Worker **ret) {
        _cleanup_(worker_freep) Worker *w = NULL;
        int sv[2], r;
        pid_t pid, self = getpid();

        if (!cfg->template)
                return -EINVAL;
        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->pid = -1;
        w->sock = -1;
        w->uid_lock = -1;

        /* A uid of its own for this clone, unless libxl gave one. */
        WorkerConfig own = *cfg;
        if (!cfg->runas_set && cfg->uids.count > 0) {
                uid_t uid;
                r = clone_uid_reserve(NULL, &cfg->uids, &uid, &w->uid_lock);
                if (r < 0)
                        return r;
                own.runas_set = true;
                own.runas = uid;
                own.runas_gid = (gid_t) uid;
        }
        cfg = &own;
        w->uid_given = own.runas_set;
        w->uid = own.runas;

        /* Orphans of the worker come to us, to be reaped (see above). */
        (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        snprintf(w->workdir, sizeof(w->workdir), "/tmp/pvboot-select.XXXXXX");
        if (!mkdtemp(w->workdir)) {
                w->workdir[0] = 0;
                return -errno;
        }
        /* (Only root may give it away; an unprivileged daemon's workers
         * write to the unit's PrivateTmp= /tmp instead.) */
        if (cfg->runas_set && geteuid() == 0 && chown(w->workdir, cfg->runas, cfg->runas_gid) < 0)
                return -errno;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                r = -errno;
                safe_close(sv[0]);
                safe_close(sv[1]);
                return r;
        }
        if (pid == 0) {
                close(sv[0]);
                worker_child_main(cfg, w->workdir, sv[1], self);
        }
        close(sv[1]);
        w->sock = sv[0];
        w->pid = pid;
        /* Set it from this side too, so there is no window in which a
         * kill(-pid) would miss. */
        (void) setpgid(pid, pid);
        *ret = TAKE_PTR(w);
        return 0;
}

int worker_fd(const Worker *w) {
        return w->sock;
}

pid_t worker_pid(const Worker *w) {
        return w->pid;
}

int worker_send(Worker *w, const int *disk_fds, size_t n_disks, const Policy *policy, uint64_t deadline) {
        static WorkerRequest req;       /* ~8 KiB with the search lists */
        int r;

        req = (WorkerRequest) {
                .magic = WORKER_MAGIC,
                .n_disks = (uint32_t) n_disks,
                .deadline = deadline,
                .mode = policy->mode,
                .force_arch = policy->force_arch,
                .prefer = policy->prefer,
                .host_known = policy->host.known,
        };
        memcpy(req.search, policy->search, sizeof(req.search));

        if (w->sent || n_disks == 0 || n_disks > PROBE_MAX_DISKS)
                return -EINVAL;
        if (policy->host.known) {
                size_t i = 0;
                while (i < N_HOST_SOURCES - 1 &&
                       !(policy->host.source && strcmp(policy->host.source, host_sources[i]) == 0))
                        i++;
                req.host_source = (uint32_t) i;
                snprintf(req.host_caps, sizeof(req.host_caps), "%s", policy->host.text);
        }
        r = send_with_fds(w->sock, &req, sizeof(req), disk_fds, n_disks);
        if (r < 0)
                return r;
        w->sent = true;
        return 0;
}

int worker_receive(Worker *w, InspectReport *ret) {
        static WorkerMessage m;
        ssize_t n;

        /* A worker that exits without reading our request (it failed
         * first) makes the kernel report ECONNRESET once, ahead of what it
         * sent before it went: read on, its report is still queued. */
        bool reset = false;
        do {
                n = recv(w->sock, &m, sizeof(m), MSG_DONTWAIT | MSG_TRUNC);
                if (n < 0 && errno == ECONNRESET && !reset) {
                        reset = true;
                        errno = EINTR;
                }
        } while (n < 0 && errno == EINTR);
        if (n < 0)
                return errno == EAGAIN ? -EAGAIN : errno == ECONNRESET ? -EPIPE : -errno;
        if (n == 0)
                return -EPIPE;
        if (m.magic != WORKER_MAGIC)
                return -EBADMSG;
        if (m.kind == WORKER_READY && (size_t) n == READY_LEN)
                return WORKER_READY;
        if (m.kind == WORKER_REPORT && (size_t) n == sizeof(m)) {
                if (report_validate(&m.report) < 0)
                        return -EBADMSG;
                /* A decision counts only from the identity the worker was
                 * given (libxl's uid, a clone uid, our system user), for
                 * the cold path and the daemon's pool alike.  (A failure
                 * may come before the switch: it decides nothing.) */
                if (w->uid_given && m.report.status == 0 && m.report.worker_uid != (uint32_t) w->uid)
                        return -EPERM;
                *ret = m.report;
                return WORKER_REPORT;
        }
        return -EBADMSG;
}

/* What is left once every process of it is gone (or given up on). */
static Worker *worker_release(Worker *w) {
        if (w->workdir[0])
                remove_tree_at(AT_FDCWD, w->workdir, 0);
        /* Only now, with every process of it reaped, may its uid serve
         * another clone. */
        safe_close(w->uid_lock);
        free(w);
        return NULL;
}

Worker *worker_free(Worker *w) {
        if (!w)
                return NULL;
        /* Whatever the outcome, nothing of this inspection outlives it.
         * Blocking, for the cold path's one worker: the leader (which
         * never reads the disk) dies at once; the rest of its group gets
         * 2 s, after which a process stuck in the kernel is left to die
         * with its I/O.  The daemon waits for nothing: worker_reap(). */
        worker_kill(w);
        for (int i = 0; i < 200 && worker_reap(w) == 0; i++) {
                if (!w->leader_reaped && waitpid(w->pid, NULL, 0) == w->pid) {
                        w->leader_reaped = true;
                        continue;
                }
                usleep(10000);
        }
        return worker_release(w);
}

Worker *worker_abandon(Worker *w) {
        if (!w)
                return NULL;
        worker_kill(w);
        (void) worker_reap(w);
        return worker_release(w);
}

int worker_run(const WorkerConfig *cfg, const int *disk_fds, size_t n_disks, const Policy *policy,
               unsigned deadline_sec, InspectReport *ret) {
        uint64_t deadline = now_usec() + (uint64_t) deadline_sec * 1000000;
        Worker *w = NULL;
        int r;

        if (cfg->pooled)
                return -EINVAL;
        if (stopped)
                return -ECANCELED;
        r = worker_spawn(cfg, &w);
        if (r < 0)
                return r;
        current_worker = w->pid;
        /* A stop that came while we forked found no worker to kill. */
        r = stopped ? -ECANCELED : worker_send(w, disk_fds, n_disks, policy, deadline);
        /* A worker that failed before it took the request (its sandbox,
         * its uid) said why and left: that report, not the broken pipe,
         * is the answer. */
        if (r < 0 && r != -ECANCELED && worker_receive(w, ret) == WORKER_REPORT) {
                current_worker = -1;
                worker_free(w);
                return 0;
        }
        while (r >= 0) {
                struct pollfd pfd = { .fd = w->sock, .events = POLLIN };
                long long left = (long long) (deadline / 1000) - (long long) (now_usec() / 1000);

                if (stopped) {
                        r = -ECANCELED;
                        break;
                }
                if (left <= 0) {
                        r = -ETIMEDOUT;
                        break;
                }
                r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int) left);
                /* Killed by worker_kill_current(): its hang-up is no
                 * malformed report, and a report that raced it is not
                 * wanted any more. */
                if (stopped)
                        r = -ECANCELED;
                else if (r < 0 && errno == EINTR)
                        r = 0;
                else if (r < 0)
                        r = -errno;
                else if (r > 0) {
                        r = worker_receive(w, ret);
                        if (r == -EAGAIN)
                                r = 0;
                        else if (r == WORKER_REPORT) {
                                r = 0;
                                break;
                        } else if (r >= 0 || r == -EPIPE)
                                r = -EBADMSG;   /* a cold worker has nothing else to say */
                }
        }
        current_worker = -1;
        worker_free(w);
        return r;
}
