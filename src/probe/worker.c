/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The inspection child and its parent's side of the socket (see worker.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/prctl.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shared/fd-util.h"
#include "probe/inspect.h"
#include "probe/sandbox.h"
#include "probe/worker.h"

#define WORKER_MAGIC UINT32_C(0x4b525750)       /* "PWRK" */

struct Worker {
        pid_t pid;
        int sock;
        int uid_lock;           /* holds our clone uid while we live (clone-uid.h) */
        bool sent;
        char workdir[64];
};

/* parent -> worker, with the disk descriptor */
typedef struct WorkerRequest {
        uint32_t magic;
        uint32_t mode;
        uint32_t force_arch;
        uint32_t prefer;
        uint32_t host_known;
        uint32_t host_source;           /* index into host_sources[] */
        char host_caps[HOST_CAPS_MAX];  /* NUL-terminated */
} WorkerRequest;

/* worker -> parent */
typedef struct WorkerMessage {
        uint32_t magic;
        uint32_t kind;
        InspectReport report;           /* WORKER_REPORT only */
} WorkerMessage;

#define READY_LEN offsetof(WorkerMessage, report)

/* HostCaps.source is a pointer; across the socket it is an index. */
static const char *const host_sources[] = { "libxenlight", "sysfs", "--host-caps", "caller" };
#define N_HOST_SOURCES (sizeof(host_sources) / sizeof(host_sources[0]))

static volatile pid_t current_worker = -1;

/*
 * The worker ends itself when its parent hangs up.  A parent that is not
 * root (pvboot-selectd) cannot signal a worker running as a clone uid, so
 * closing the socket is how it cancels, times out or frees one: the
 * socket is O_ASYNC, and on SIGIO the worker exits if the peer is gone
 * (its qemu follows through PDEATHSIG).  Data alone (the request) is not
 * a hang-up.
 */
static int parent_sock = -1;

static void on_sigio(int sig) {
        struct pollfd p = { .fd = parent_sock };
        (void) sig;
        if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)))
                _exit(3);
}

static void exit_on_hangup(int sock) {
        struct sigaction sa = { .sa_handler = on_sigio };
        int fl = fcntl(sock, F_GETFL);

        parent_sock = sock;
        sigemptyset(&sa.sa_mask);
        (void) sigaction(SIGIO, &sa, NULL);
        /* After the uid change: SIGIO is only sent if the owner set here
         * may signal us. */
        (void) fcntl(sock, F_SETOWN, getpid());
        if (fl >= 0)
                (void) fcntl(sock, F_SETFL, fl | O_ASYNC);
        on_sigio(SIGIO);        /* gone already? */
}

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
 * PID 1 does not reap (containers).  Bounded: they were sent SIGKILL, by
 * us or, when we may not signal their uid, by PDEATHSIG.
 */
static bool group_exists(pid_t pid) {
        /* EPERM: there, but running as a clone uid we may not signal. */
        return kill(-pid, 0) == 0 || errno == EPERM;
}

static void reap_worker_group(pid_t pid) {
        for (int i = 0; i < 200 && group_exists(pid); i++) {
                while (waitpid(-pid, NULL, WNOHANG) > 0)
                        ;
                if (!group_exists(pid))
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

/*
 * Become uid:gid for good.  A daemon that was given CAP_SETUID/CAP_SETGID
 * to hand out clone uids keeps them across a change between non-root
 * uids, so every capability set is emptied too: a clone's uid must not be
 * able to become another clone's.
 */
static int drop_privileges(uid_t uid, gid_t gid) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };

        if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                return -errno;
        (void) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        if (syscall(SYS_capset, &h, d) < 0)
                return -errno;
        if (getuid() != uid || geteuid() != uid || geteuid() == 0)
                return -EPERM;
        return 0;
}

/* Keep only the descriptors the worker needs (negative ones are ignored):
 * a daemon's bus connection, other workers' sockets and disks must not
 * reach qemu. */
static void close_all_but(int *keep, size_t n) {
        int prev = 2;

        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++)
                        if (keep[j] < keep[i]) {
                                int t = keep[i];
                                keep[i] = keep[j];
                                keep[j] = t;
                        }
        for (size_t i = 0; i < n; i++) {
                if (keep[i] <= prev)
                        continue;
                if (keep[i] > prev + 1)
                        (void) close_range((unsigned) prev + 1, (unsigned) keep[i] - 1, 0);
                prev = keep[i];
        }
        (void) close_range((unsigned) prev + 1, ~0U, 0);
}

static void send_message(int sock, uint32_t kind, const InspectReport *rep) {
        static WorkerMessage m;
        m = (WorkerMessage) { .magic = WORKER_MAGIC, .kind = kind };
        if (rep)
                m.report = *rep;
        (void) send(sock, &m, rep ? sizeof(m) : READY_LEN, MSG_NOSIGNAL);
}

static _Noreturn void fail(int sock, int status, const DecisionInput *policy, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static _Noreturn void fail(int sock, int status, const DecisionInput *policy, const char *fmt, ...) {
        static Inspection in;
        InspectReport rep;
        va_list ap;

        memset(&in, 0, sizeof(in));
        va_start(ap, fmt);
        vsnprintf(in.error, sizeof(in.error), fmt, ap);
        va_end(ap);
        inspect_report(&in, status, policy, &rep);
        rep.worker_uid = (uint32_t) getuid();
        send_message(sock, WORKER_REPORT, &rep);
        _exit(1);
}

/* Wait for the request; -errno if the parent went away or sent garbage. */
static int receive_request(int sock, DecisionInput *policy, int *ret_fd) {
        WorkerRequest req;
        int fd = -1;
        ssize_t n;

        n = recv_with_fd(sock, &req, sizeof(req), &fd);
        if (n == -EPIPE)
                return -EPIPE;
        if (n < 0)
                return -EBADMSG;
        if ((size_t) n != sizeof(req) ||
            req.magic != WORKER_MAGIC || req.mode >= _MODE_MAX || req.force_arch >= _PV_ARCH_MAX ||
            req.prefer >= _PV_ARCH_MAX || req.host_source >= N_HOST_SOURCES ||
            memchr(req.host_caps, 0, sizeof(req.host_caps)) == NULL) {
                close(fd);
                return -EBADMSG;
        }
        *policy = (DecisionInput) {
                .mode = (DecisionMode) req.mode,
                .force_arch = (PvArch) req.force_arch,
                .prefer = (PvArch) req.prefer,
        };
        if (req.host_known &&
            host_caps_parse(req.host_caps, host_sources[req.host_source], &policy->host) < 0) {
                close(fd);
                return -EBADMSG;
        }
        *ret_fd = fd;
        return 0;
}

static _Noreturn void worker_main(const WorkerConfig *cfg, const char *workdir, int sock, pid_t parent) {
        static Inspection in;   /* ~250 KiB: keep it off the stack */
        DecisionInput policy = { 0 };
        InspectReport rep;
        Probe *p = NULL;
        int disk_fd = -1, r;

        /* If the parent dies (libxl's timeout sends SIGTERM to it, or the
         * daemon stops), take the appliance down too; qemu
         * follow us. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(2);
        /* Our own process group, inherited by qemu: the parent
         * can take the whole inspection down with one kill(-pid). */
        (void) setpgid(0, 0);
        umask(077);
        /* A mask and ignored signals survive exec: the daemon blocks
         * SIGTERM for its event loop and ignores SIGPIPE: qemu must get
         * neither. */
        sigset_t none;
        sigemptyset(&none);
        (void) sigprocmask(SIG_SETMASK, &none, NULL);
        (void) signal(SIGPIPE, SIG_DFL);
        (void) signal(SIGTERM, SIG_DFL);
        (void) signal(SIGINT, SIG_DFL);
        (void) signal(SIGHUP, SIG_DFL);
        int keep[] = { sock, cfg->record_fd, cfg->replay_fd, cfg->template ? cfg->template->ram_fd : -1,
                       cfg->template ? cfg->template->state_fd : -1 };
        close_all_but(keep, sizeof(keep) / sizeof(keep[0]));

        /* Nothing below needs a network or System V IPC: the clone talks
         * over socketpairs.  Best effort: an unprivileged daemon has its
         * namespaces from systemd instead. */
        (void) unshare(CLONE_NEWNET | CLONE_NEWIPC);
        /* A /tmp of our own, for us and qemu: the clone's root-disk
         * snapshot, all a clone ever writes, dies with the inspection and
         * is bounded by the tmpfs's size (SANDBOX_TMP_SIZE_MB). */
        r = sandbox_private_tmp(workdir, cfg->runas_set ? cfg->runas : getuid(),
                                cfg->runas_set ? cfg->runas_gid : getgid(), NULL);
        if (r < 0 && r != -EPERM)
                fail(sock, r, &policy, "cannot make a private /tmp: %s", strerror(-r));
        /* No core file of a process that held guest bytes. */
        (void) setrlimit(RLIMIT_CORE, &(struct rlimit) { 0, 0 });
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* Only what we set: no inherited TMPDIR, LD_* from xl's
         * environment reaches qemu. */
        clearenv();
        (void) setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);

        if (cfg->runas_set) {
                r = drop_privileges(cfg->runas, cfg->runas_gid);
                if (r < 0)
                        fail(sock, r, &policy, "cannot switch to uid %lu: %s",
                             (unsigned long) cfg->runas, strerror(-r));
        }
        (void) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        /* A change of uid cleared these: the parent's death, or its
         * hang-up, still ends us. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(2);
        exit_on_hangup(sock);

        ProbeConfig pc = {
                .format = cfg->pooled ? "raw" : cfg->format,
                .template = cfg->template,
                .tcg_cache_mb = cfg->tcg_cache_mb,
                .debug = cfg->debug,
                .record_fd = cfg->record_fd,
                .replay_fd = cfg->replay_fd,
        };
        r = probe_new(&pc, &p);
        if (r < 0)
                fail(sock, r, &policy, "%s", r == -EOPNOTSUPP ? "record/replay is not built into this binary"
                                              : strerror(-r));

        if (cfg->pooled) {
                r = probe_launch(p);
                if (r < 0)
                        fail(sock, r, &policy, "appliance failed to start: %s", probe_last_error(p));
                send_message(sock, WORKER_READY, NULL);
        }
        r = receive_request(sock, &policy, &disk_fd);
        if (r < 0)
                _exit(r == -EPIPE ? 0 : 1);     /* nothing to report to */
        r = probe_bind(p, disk_fd);
        close(disk_fd);
        if (r < 0)
                fail(sock, r, &policy, "cannot serve the disk to the appliance: %s", probe_last_error(p));
        if (!cfg->pooled) {
                r = probe_launch(p);
                if (r < 0)
                        fail(sock, r, &policy, "appliance failed to start: %s", probe_last_error(p));
        }
        /* From here on the worker parses what the appliance returns, and
         * needs nothing but the descriptors it has. */
        r = sandbox_parser();
        if (r < 0)
                fail(sock, r, &policy, "cannot confine the inspection: %s", strerror(-r));
        r = inspect_disk(p, &in);
        if (cfg->pooled)
                in.stage_us[STAGE_LAUNCH] = 0;  /* before the guest was known: not this decision's time */
        inspect_report(&in, r, &policy, &rep);
        rep.worker_uid = (uint32_t) getuid();
        send_message(sock, WORKER_REPORT, &rep);
        /* No orderly shutdown: the parent kills our group (qemu)
         * and removes our directory; answering first is what matters. */
        _exit(0);
}

int worker_spawn(const WorkerConfig *cfg, Worker **ret) {
        Worker *w;
        int sv[2], r;
        pid_t pid, self = getpid();

        if (!cfg->template && cfg->replay_fd < 0)
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
                        goto fail;
                own.runas_set = true;
                own.runas = uid;
                own.runas_gid = (gid_t) uid;
        }
        cfg = &own;

        /* Orphans of the worker come to us, to be reaped (see above). */
        (void) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        snprintf(w->workdir, sizeof(w->workdir), "/tmp/pvboot-select.XXXXXX");
        if (!mkdtemp(w->workdir)) {
                r = -errno;
                w->workdir[0] = 0;
                goto fail;
        }
        /* (Only root may give it away; an unprivileged daemon's workers
         * write to the unit's PrivateTmp= /tmp instead.) */
        if (cfg->runas_set && geteuid() == 0 && chown(w->workdir, cfg->runas, cfg->runas_gid) < 0) {
                r = -errno;
                goto fail;
        }
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                r = -errno;
                goto fail;
        }
        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(sv[0]);
                close(sv[1]);
                goto fail;
        }
        if (pid == 0) {
                close(sv[0]);
                worker_main(cfg, w->workdir, sv[1], self);
        }
        close(sv[1]);
        w->sock = sv[0];
        w->pid = pid;
        /* Set it from this side too, so there is no window in which a
         * kill(-pid) would miss. */
        (void) setpgid(pid, pid);
        *ret = w;
        return 0;
fail:
        worker_free(w);
        return r;
}

int worker_fd(const Worker *w) {
        return w->sock;
}

pid_t worker_pid(const Worker *w) {
        return w->pid;
}

int worker_send(Worker *w, int disk_fd, const DecisionInput *policy) {
        WorkerRequest req = {
                .magic = WORKER_MAGIC,
                .mode = policy->mode,
                .force_arch = policy->force_arch,
                .prefer = policy->prefer,
                .host_known = policy->host.known,
        };
        int r;

        if (w->sent || disk_fd < 0)
                return -EINVAL;
        if (policy->host.known) {
                size_t i = 0;
                while (i < N_HOST_SOURCES - 1 &&
                       !(policy->host.source && strcmp(policy->host.source, host_sources[i]) == 0))
                        i++;
                req.host_source = (uint32_t) i;
                snprintf(req.host_caps, sizeof(req.host_caps), "%s", policy->host.text);
        }
        r = send_with_fd(w->sock, &req, sizeof(req), disk_fd);
        if (r < 0)
                return r;
        w->sent = true;
        return 0;
}

int worker_receive(Worker *w, InspectReport *ret) {
        static WorkerMessage m;
        ssize_t n;

        do
                n = recv(w->sock, &m, sizeof(m), MSG_DONTWAIT | MSG_TRUNC);
        while (n < 0 && errno == EINTR);
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
                *ret = m.report;
                return WORKER_REPORT;
        }
        return -EBADMSG;
}

Worker *worker_free(Worker *w) {
        if (!w)
                return NULL;
        if (w->sock >= 0)
                close(w->sock);
        if (w->pid > 0) {
                /* Whatever the outcome, nothing of this inspection outlives it. */
                kill_worker_group(w->pid);
                while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                reap_worker_group(w->pid);
        }
        if (w->workdir[0])
                remove_tree_at(AT_FDCWD, w->workdir, 0);
        /* Only now, with every process of it reaped, may its uid serve
         * another clone. */
        if (w->uid_lock >= 0)
                close(w->uid_lock);
        free(w);
        return NULL;
}

static long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int worker_run(const WorkerConfig *cfg, int disk_fd, const DecisionInput *policy,
               unsigned deadline_sec, InspectReport *ret) {
        long long deadline = now_ms() + (long long) deadline_sec * 1000;
        Worker *w = NULL;
        int r;

        if (cfg->pooled)
                return -EINVAL;
        r = worker_spawn(cfg, &w);
        if (r < 0)
                return r;
        current_worker = w->pid;
        r = worker_send(w, disk_fd, policy);
        while (r >= 0) {
                struct pollfd pfd = { .fd = w->sock, .events = POLLIN };
                long long left = deadline - now_ms();

                if (left <= 0) {
                        r = -ETIMEDOUT;
                        break;
                }
                r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int) left);
                if (r < 0 && errno == EINTR)
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

const char *worker_helper_path(const char *name) {
        static char bufs[2][PATH_MAX];
        static unsigned next;
        char *buf = bufs[next++ % 2];
        ssize_t n = readlink("/proc/self/exe", buf, PATH_MAX - 64);

        if (n > 0 && strlen(name) < 64) {
                char *slash;
                buf[n] = 0;
                slash = strrchr(buf, '/');
                if (slash) {
                        strcpy(slash + 1, name);
                        if (access(buf, R_OK) == 0)
                                return buf;
                }
        }
        snprintf(buf, PATH_MAX, "%s/%s", PVBOOT_HELPER_DIR, name);
        return buf;
}

void worker_template_config(const char *cachedir, int memsize_mb, bool debug, TemplateConfig *ret) {
        static char agent[PATH_MAX], wrapper[PATH_MAX];
        snprintf(agent, sizeof(agent), "%s", worker_helper_path(PVBOOT_AGENT_NAME));
        snprintf(wrapper, sizeof(wrapper), "%s", worker_helper_path(PVBOOT_TEMPLATE_WRAPPER_NAME));
        *ret = (TemplateConfig) {
                .dir = cachedir ? cachedir : PVBOOT_APPLIANCE_CACHE,
                .agent = agent,
                .wrapper = wrapper,
                .memsize_mb = memsize_mb > 0 ? memsize_mb : PVBOOT_APPLIANCE_MEMSIZE_MB,
                .debug = debug,
        };
}

int worker_default_user(uid_t *ret_uid, gid_t *ret_gid) {
        struct passwd *pw = getpwnam(PVBOOT_WORKER_USER);
        if (!pw || pw->pw_uid == 0)
                return -ENOENT;
        *ret_uid = pw->pw_uid;
        *ret_gid = pw->pw_gid;
        return 0;
}
