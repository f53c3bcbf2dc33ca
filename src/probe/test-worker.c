/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Workers for real, without an appliance: the parent's half (worker.c)
 * and what of the worker's (worker-child.c) runs before a clone would
 * start.  Spawn refusals; a worker whose inspection ends at the e2e seam
 * (refused where it is not built, a recorded launch failure where it is),
 * as root, as a given uid and as a clone uid; a worker that may not
 * switch uid; malformed requests and a hang-up, fed to a real worker over
 * its socket; worker_receive()'s checks on messages we write ourselves;
 * and that worker_free() leaves no process, directory or uid behind.
 *
 * Root (77 if not), in a mount namespace of its own with a private /tmp
 * and /run, so that workdirs and clone-uid locks are only ours.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe/inspect.h"
#include "probe/transcript.h"
#include "probe/worker-wire.h"
#include "shared/fd-util.h"
#include "shared/test-util.h"

#define RANGE ((CloneUidRange) { 1u << 24, 2 })

/* Never started: a cold worker only needs one to exist until its request. */
static const Template fake_template = { .ram_fd = -1, .state_fd = -1 };
static int disk;

/* The worker ends at the seam: refused here, or a recorded launch failure. */
static WorkerConfig seam_config(void) {
        WorkerConfig wc = { .format = "raw", .record_fd = -1, .replay_fd = -1 };

        if (PVBOOT_E2E_REPLAY) {
                Transcript *t = NULL;
                char path[] = "/tmp/test-worker-tx.XXXXXX";
                int fd = mkostemp(path, O_CLOEXEC);

                CHECK(fd >= 0);
                unlink(path);
                CHECK_EQ(transcript_record(fd, disk, &t), 0);
                CHECK_EQ(transcript_put(t, "launch", (TxField[]) { TX_INT(-ETIMEDOUT) }, 1), 0);
                transcript_free(t);
                wc.replay_fd = fd;
        } else
                wc.replay_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK(wc.replay_fd >= 0);
        return wc;
}

static void check_seam_report(const InspectReport *rep) {
        CHECK_EQ(report_validate(rep), 0);
        if (PVBOOT_E2E_REPLAY) {
                CHECK_EQ(rep->status, -ETIMEDOUT);
                CHECK_STREQ(rep->message, "appliance failed to start: replay: recorded launch failure");
        } else {
                CHECK_EQ(rep->status, -EOPNOTSUPP);
                CHECK_STREQ(rep->message, "record/replay is not built into this binary");
        }
}

/*
 * worker_run() for a worker that may end before its request: without the
 * seam, it reports at once, and worker_run()'s send could then meet a
 * closed socket (-EPIPE) instead of reading that report.  So: spawn,
 * send only to a worker that waits (the e2e seam's, when send is true),
 * and read its one report.
 */
static int run_early(const WorkerConfig *wc, bool send, InspectReport *ret) {
        Worker *w = NULL;
        Policy policy;
        int r;

        policy_init(&policy);
        r = worker_spawn(wc, &w);
        if (r < 0)
                return r;
        if (send)
                r = worker_send(w, disk, &policy);
        for (int i = 0; r >= 0 && i < 6000; i++) {
                r = worker_receive(w, ret);
                if (r == -EAGAIN) {
                        r = 0;
                        usleep(10000);
                } else if (r == WORKER_REPORT) {
                        worker_free(w);
                        return 0;
                } else if (r >= 0)
                        r = -EBADMSG;
        }
        worker_free(w);
        return r < 0 ? r : -ETIMEDOUT;
}

static unsigned count_workdirs(void) {
        DIR *d = opendir("/tmp");
        struct dirent *de;
        unsigned n = 0;

        CHECK(d);
        while ((de = readdir(d)))
                n += strncmp(de->d_name, "pvboot-select.", 14) == 0;
        closedir(d);
        return n;
}

static bool gone(pid_t pid) {
        return kill(pid, 0) < 0 && errno == ESRCH && kill(-pid, 0) < 0 && errno == ESRCH;
}

static void test_refusals(void) {
        WorkerConfig wc = { .format = "raw", .record_fd = -1, .replay_fd = -1 };
        Worker *w = NULL;
        InspectReport rep;
        Policy policy;
        int locks[2];
        uid_t uid;

        policy_init(&policy);
        /* Neither a template nor a transcript: nothing to inspect with. */
        CHECK_EQ(worker_spawn(&wc, &w), -EINVAL);
        CHECK(!w);
        /* worker_run is the cold path only. */
        wc.template = &fake_template;
        wc.pooled = true;
        CHECK_EQ(worker_run(&wc, disk, &policy, 10, &rep), -EINVAL);
        wc.pooled = false;
        /* Every clone uid taken. */
        CHECK_EQ(clone_uid_reserve(NULL, &RANGE, &uid, &locks[0]), 0);
        CHECK_EQ(clone_uid_reserve(NULL, &RANGE, &uid, &locks[1]), 0);
        wc.uids = RANGE;
        CHECK_EQ(worker_spawn(&wc, &w), -EBUSY);
        CHECK_EQ(count_workdirs(), 0);
        close(locks[0]);
        close(locks[1]);
}

static void test_seam_worker(void) {
        WorkerConfig wc = seam_config();
        InspectReport rep;
        Policy policy;

        policy_init(&policy);
        CHECK_EQ(run_early(&wc, PVBOOT_E2E_REPLAY, &rep), 0);
        check_seam_report(&rep);
        CHECK_EQ(rep.worker_uid, 0);

        if (PVBOOT_E2E_REPLAY) {
                /* The whole cold path in one call ... */
                CHECK_EQ(worker_run(&wc, disk, &policy, 60, &rep), 0);
                check_seam_report(&rep);
                /* ... and out of time before any answer. */
                CHECK_EQ(worker_run(&wc, disk, &policy, 0, &rep), -ETIMEDOUT);
        } else
                /* A worker that reports and leaves before its request: its
                 * report is the answer, never the broken pipe, whoever wins
                 * the race between its exit and our send. */
                for (int i = 0; i < 20; i++) {
                        CHECK_EQ(worker_run(&wc, disk, &policy, 60, &rep), 0);
                        check_seam_report(&rep);
                }

        /* Switched to the given uid before touching anything. */
        wc.runas_set = true;
        wc.runas = 65534;
        wc.runas_gid = 65534;
        CHECK_EQ(run_early(&wc, PVBOOT_E2E_REPLAY, &rep), 0);
        check_seam_report(&rep);
        CHECK_EQ(rep.worker_uid, 65534);

        /* A clone uid of its own, given back when it is gone. */
        wc.runas_set = false;
        wc.uids = RANGE;
        CHECK_EQ(run_early(&wc, PVBOOT_E2E_REPLAY, &rep), 0);
        check_seam_report(&rep);
        CHECK(rep.worker_uid == RANGE.base || rep.worker_uid == RANGE.base + 1);
        {
                int locks[2];
                uid_t uid;
                CHECK_EQ(clone_uid_reserve(NULL, &RANGE, &uid, &locks[0]), 0);
                CHECK_EQ(clone_uid_reserve(NULL, &RANGE, &uid, &locks[1]), 0);
                close(locks[0]);
                close(locks[1]);
        }
        CHECK_EQ(count_workdirs(), 0);
        close(wc.replay_fd);
}

/* A parent that is not root cannot make its worker anyone else: the
 * worker says so and ends. */
static int uid_drop_refused(void) {
        WorkerConfig wc = seam_config();
        InspectReport rep;

        if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                return 90;
        wc.runas_set = true;
        wc.runas = 12345;
        wc.runas_gid = 12345;
        if (run_early(&wc, false, &rep) != 0)
                return 1;
        if (report_validate(&rep) < 0 || rep.status != -EPERM || rep.worker_uid != 65534)
                return 2;
        if (strcmp(rep.message, "cannot switch to uid 12345: Operation not permitted") != 0)
                return 3;
        return 0;
}

static void test_uid_drop_refused(void) {
        pid_t pid = fork();
        int st;

        CHECK(pid >= 0);
        if (pid == 0)
                _exit(uid_drop_refused());
        CHECK_EQ(waitpid(pid, &st, 0), pid);
        CHECK(WIFEXITED(st));
        CHECK_EQ(WEXITSTATUS(st), 0);
}

/* A cold worker waiting for its request. */
static Worker *waiting_worker(void) {
        WorkerConfig wc = { .format = "raw", .template = &fake_template, .record_fd = -1, .replay_fd = -1 };
        Worker *w = NULL;

        CHECK_EQ(worker_spawn(&wc, &w), 0);
        CHECK(worker_fd(w) >= 0);
        CHECK(worker_pid(w) > 0);
        return w;
}

static WorkerRequest good_request(void) {
        return (WorkerRequest) { .magic = WORKER_MAGIC, .mode = MODE_PV, .host_caps = "" };
}

/* Feed a real worker one message; it must end without a report, with
 * the given exit status (-1: either 0 or 3, a hang-up). */
static void feed(const void *msg, size_t len, bool with_fd, int expect_exit) {
        Worker *w = waiting_worker();
        InspectReport rep;
        pid_t pid = worker_pid(w);
        int st;

        if (!msg)
                CHECK_EQ(shutdown(worker_fd(w), SHUT_RDWR), 0);
        else if (with_fd)
                CHECK_EQ(send_with_fd(worker_fd(w), msg, len, disk), 0);
        else
                CHECK_EQ(send(worker_fd(w), msg, len, MSG_NOSIGNAL), (ssize_t) len);
        CHECK_EQ(waitpid(pid, &st, 0), pid);
        CHECK(WIFEXITED(st));
        if (expect_exit < 0)
                CHECK(WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 3);
        else
                CHECK_EQ(WEXITSTATUS(st), expect_exit);
        if (msg)
                CHECK_EQ(worker_receive(w, &rep), -EPIPE);     /* nothing said */
        worker_free(w);
}

static void test_requests(void) {
        WorkerRequest req;

        req = good_request();
        req.magic++;
        feed(&req, sizeof(req), true, 1);
        req = good_request();
        feed(&req, sizeof(req) - 1, true, 1);
        feed(&req, sizeof(req), false, 1);      /* no disk */
        req.mode = _MODE_MAX;
        feed(&req, sizeof(req), true, 1);
        req = good_request();
        req.force_arch = _PV_ARCH_MAX;
        feed(&req, sizeof(req), true, 1);
        req = good_request();
        req.prefer = _PV_ARCH_MAX;
        feed(&req, sizeof(req), true, 1);
        req = good_request();
        req.host_source = N_HOST_SOURCES;
        feed(&req, sizeof(req), true, 1);
        req = good_request();
        memset(req.host_caps, 'x', sizeof(req.host_caps));     /* no NUL */
        feed(&req, sizeof(req), true, 1);
        req = good_request();
        req.host_known = 1;
        snprintf(req.host_caps, sizeof(req.host_caps), "xen-3.0-x86_64\x01");
        feed(&req, sizeof(req), true, 1);
        /* The parent hangs up instead: the worker ends, quietly. */
        feed(NULL, 0, false, -1);
}

/* worker_receive on messages we write: the worker's socket is swapped
 * for one of ours (the worker, its peer gone, ends itself). */
static void test_receive(void) {
        static WorkerMessage m;
        static char big[sizeof(WorkerMessage) + 1];
        Worker *w = waiting_worker();
        InspectReport rep, got;
        static Inspection in;
        Policy policy;
        int sv[2];

        CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        CHECK_EQ(dup2(sv[0], worker_fd(w)), worker_fd(w));
        close(sv[0]);

        CHECK_EQ(worker_receive(w, &got), -EAGAIN);
        m = (WorkerMessage) { .magic = WORKER_MAGIC, .kind = WORKER_READY };
        CHECK_EQ(send(sv[1], &m, READY_LEN, 0), (ssize_t) READY_LEN);
        CHECK_EQ(worker_receive(w, &got), WORKER_READY);
        CHECK_EQ(send(sv[1], &m, sizeof(m), 0), (ssize_t) sizeof(m));  /* READY of a report's size */
        CHECK_EQ(worker_receive(w, &got), -EBADMSG);
        m.magic = 0;
        CHECK_EQ(send(sv[1], &m, READY_LEN, 0), (ssize_t) READY_LEN);
        CHECK_EQ(worker_receive(w, &got), -EBADMSG);
        m = (WorkerMessage) { .magic = WORKER_MAGIC, .kind = 7 };
        CHECK_EQ(send(sv[1], &m, READY_LEN, 0), (ssize_t) READY_LEN);
        CHECK_EQ(worker_receive(w, &got), -EBADMSG);

        /* A report: it must be whole, exact, and valid. */
        policy_init(&policy);
        snprintf(in.error, sizeof(in.error), "it broke");
        inspect_report(&in, -EIO, &policy, &rep);
        m = (WorkerMessage) { .magic = WORKER_MAGIC, .kind = WORKER_REPORT, .report = rep };
        CHECK_EQ(send(sv[1], &m, sizeof(m) - 1, 0), (ssize_t) sizeof(m) - 1);
        CHECK_EQ(worker_receive(w, &got), -EBADMSG);
        memcpy(big, &m, sizeof(m));
        CHECK_EQ(send(sv[1], big, sizeof(big), 0), (ssize_t) sizeof(big));
        CHECK_EQ(worker_receive(w, &got), -EBADMSG);
        m.report.message[0] = '\x1b';   /* not printable: report_validate */
        CHECK_EQ(send(sv[1], &m, sizeof(m), 0), (ssize_t) sizeof(m));
        CHECK_EQ(worker_receive(w, &got), -EBADMSG);
        m.report = rep;
        CHECK_EQ(send(sv[1], &m, sizeof(m), 0), (ssize_t) sizeof(m));
        memset(&got, 0, sizeof(got));
        CHECK_EQ(worker_receive(w, &got), WORKER_REPORT);
        CHECK(memcmp(&got, &rep, sizeof(rep)) == 0);
        CHECK_EQ(worker_receive(w, &got), -EAGAIN);

        close(sv[1]);
        CHECK_EQ(worker_receive(w, &got), -EPIPE);
        worker_free(w);
}

static void test_free(void) {
        Worker *w = waiting_worker();
        pid_t pid = worker_pid(w);

        CHECK_EQ(count_workdirs(), 1);
        CHECK(!gone(pid));
        CHECK(!worker_free(w));
        CHECK(gone(pid));
        CHECK_EQ(count_workdirs(), 0);
        CHECK(!worker_free(NULL));
}

int main(void) {
        if (geteuid() != 0) {
                fprintf(stderr, "needs root\n");
                return EXIT_TEST_SKIP;
        }
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777") < 0 || mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0) {
                fprintf(stderr, "no private /tmp and /run: %m\n");
                return EXIT_TEST_SKIP;
        }
        disk = open("/tmp/disk", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        CHECK(disk >= 0);
        CHECK_EQ(write(disk, "0123456789", 10), 10);
        unlink("/tmp/disk");

        test_refusals();
        test_seam_worker();
        test_uid_drop_refused();
        test_requests();
        test_receive();
        test_free();
        return 0;
}
