/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The worker, from fork to _exit: sandbox itself, drop to its uid, wait
 * for the disk, run the clone and the inspection, report once.  (The
 * parent's side is worker.c; the messages are worker-wire.h.)
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
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
#include <unistd.h>

#include "shared/fd-util.h"
#include "probe/inspect.h"
#include "probe/sandbox.h"
#include "probe/worker-wire.h"
#include "selector/policy.h"

/* How long before its parent's deadline the worker's clone gives up: time
 * for the report to cross the socket. */
#define REPORT_MARGIN_USEC (500 * 1000)

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

static _Noreturn void fail(int sock, int status, const Policy *policy, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static _Noreturn void fail(int sock, int status, const Policy *policy, const char *fmt, ...) {
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
static int receive_request(int sock, Policy *policy, int *ret_fds, size_t *ret_n, uint64_t *ret_deadline) {
        int fds[PROBE_MAX_DISKS];
        size_t n_fds = 0;
        static WorkerRequest req;
        ssize_t n;

        n = recv_with_fds(sock, &req, sizeof(req), fds, PROBE_MAX_DISKS, &n_fds);
        if (n == -EPIPE)
                return -EPIPE;
        if (n < 0)
                return -EBADMSG;
        /* Held until they are ours, closed on every refusal. */
        _cleanup_(close_manyp) CloseMany held = { .fds = fds, .n = n_fds };
        if ((size_t) n != sizeof(req) || req.n_disks != n_fds ||
            req.magic != WORKER_MAGIC || req.mode >= _MODE_MAX || req.force_arch >= _PV_ARCH_MAX ||
            req.prefer >= _PV_ARCH_MAX || req.host_source >= N_HOST_SOURCES || req.deadline == 0 ||
            memchr(req.host_caps, 0, sizeof(req.host_caps)) == NULL)
                return -EBADMSG;
        policy_init(policy);
        policy->mode = (DecisionMode) req.mode;
        policy->force_arch = (PvArch) req.force_arch;
        policy->prefer = (PvArch) req.prefer;
        if (req.host_known &&
            host_caps_parse(req.host_caps, host_sources[req.host_source], &policy->host) < 0)
                return -EBADMSG;
        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++)
                if (policy_set_search(policy, k, &req.search[k]) < 0)
                        return -EBADMSG;
        memcpy(ret_fds, fds, sizeof(int) * n_fds);
        *ret_n = n_fds;
        /* Our steps end a little before the parent gives up, so that
         * what timed out is reported, not just the kill. */
        *ret_deadline = req.deadline > REPORT_MARGIN_USEC ? req.deadline - REPORT_MARGIN_USEC : 1;
        held.n = 0;
        return 0;
}

_Noreturn void worker_child_main(const WorkerConfig *cfg, const char *workdir, int sock, pid_t parent) {
        static Inspection in;   /* ~250 KiB: keep it off the stack */
        Policy policy;
        InspectReport rep;
        Probe *p = NULL;
        int disk_fds[PROBE_MAX_DISKS];
        size_t n_disks = 0;
        uint64_t deadline;
        int r;

        /* If the parent dies (libxl's timeout SIGKILLs it, or the
         * daemon stops), take the appliance down too; qemu
         * follow us. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                _exit(2);
        /* Our own process group, inherited by qemu: the parent
         * can take the whole inspection down with one kill(-pid). */
        (void) setpgid(0, 0);
        policy_init(&policy);
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
        int keep[] = { sock, cfg->template->ram_fd, cfg->template->state_fd };
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
                /* Restored ahead, with no request yet: its restore may take
                 * what one inspection may; the request's deadline then
                 * replaces this.  A cold clone starts after its request. */
                .deadline = now_usec() + (uint64_t) TIMEOUT_DEFAULT * 1000000,
                .tcg_cache_mb = cfg->tcg_cache_mb,
                .debug = cfg->debug,
        };
        r = probe_new(&pc, &p);
        if (r < 0)
                fail(sock, r, &policy, "%s", strerror(-r));

        if (cfg->pooled) {
                r = probe_launch(p);
                if (r < 0)
                        fail(sock, r, &policy, "appliance failed to start: %s", probe_last_error(p));
                send_message(sock, WORKER_READY, NULL);
        }
        r = receive_request(sock, &policy, disk_fds, &n_disks, &deadline);
        if (r < 0)
                _exit(r == -EPIPE ? 0 : 1);     /* nothing to report to */
        probe_set_deadline(p, deadline);
        r = probe_bind(p, disk_fds, n_disks);
        for (size_t i = 0; i < n_disks; i++)
                close(disk_fds[i]);
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
        r = inspect_disk(p, &policy, &in);
        if (cfg->pooled)
                in.stage_us[STAGE_LAUNCH] = 0;  /* before the guest was known: not this decision's time */
        inspect_report(&in, r, &policy, &rep);
        rep.worker_uid = (uint32_t) getuid();
        send_message(sock, WORKER_REPORT, &rep);
        /* No orderly shutdown: the parent kills our group (qemu)
         * and removes our directory; answering first is what matters. */
        _exit(0);
}
