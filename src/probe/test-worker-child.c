/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for worker-child.c, the worker, on real workers without an
 * appliance: its inspection ending where its clone would start, for a
 * request whose deadline has passed or a clone it cannot start, as root,
 * as a given uid and as a clone uid; a uid switch it may not make;
 * malformed requests and a hang-up fed to it over its socket.
 */
#include "probe/test-worker-harness.h"

/* The deadline crosses the socket: one already past starts no clone, and
 * the report says which step ran out of time. */
static void check_past_deadline(const InspectReport *rep) {
        CHECK_EQ(report_validate(rep), 0);
        CHECK_EQ(rep->status, -ETIMEDOUT);
        CHECK_STREQ(rep->message, "appliance failed to start: no time left to restore the appliance");
}

static void test_early_worker(void) {
        WorkerConfig wc = early_config();
        InspectReport rep;

        CHECK_EQ(run_early(&wc, true, 1, &rep), 0);
        check_past_deadline(&rep);
        CHECK_EQ(rep.worker_uid, 0);
        /* With time left, the clone that cannot start says why. */
        CHECK_EQ(run_early(&wc, true, now_usec() + 60 * 1000000, &rep), 0);
        check_early_report(&rep);
        CHECK(!strstr(rep.message, "no time left"));

        /* Switched to the given uid before touching anything. */
        wc.runas_set = true;
        wc.runas = 65534;
        wc.runas_gid = 65534;
        CHECK_EQ(run_early(&wc, true, 1, &rep), 0);
        check_past_deadline(&rep);
        CHECK_EQ(rep.worker_uid, 65534);

        /* A clone uid of its own, given back when it is gone. */
        wc.runas_set = false;
        wc.uids = RANGE;
        CHECK_EQ(run_early(&wc, true, 1, &rep), 0);
        check_past_deadline(&rep);
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
}

/* A parent that is not root cannot make its worker anyone else: the
 * worker says so and ends. */
static int uid_drop_refused(void) {
        WorkerConfig wc = early_config();
        InspectReport rep;

        if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                return 90;
        wc.runas_set = true;
        wc.runas = 12345;
        wc.runas_gid = 12345;
        if (run_early(&wc, false, 0, &rep) != 0)
                return 1;
        if (report_validate(&rep) < 0 || rep.status != -EPERM || rep.worker_uid != 65534)
                return 2;
        if (strcmp(rep.message, "cannot switch to uid 12345: Operation not permitted") != 0)
                return 3;
        return 0;
}

static WorkerRequest good_request(void) {
        return (WorkerRequest) { .magic = WORKER_MAGIC, .mode = MODE_PV, .n_disks = 1, .host_caps = "",
                                 .deadline = now_usec() + 60 * 1000000 };
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
        req.deadline = 0;                       /* no bound at all */
        feed(&req, sizeof(req), true, 1);
        req = good_request();
        req.n_disks = 2;                        /* one descriptor came */
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

int main(void) {
        if (!worker_test_setup())
                return EXIT_TEST_SKIP;
        test_early_worker();
        in_child(uid_drop_refused);
        test_requests();
        return 0;
}
