/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for worker.c, the parent's half, on real workers without an
 * appliance: spawn refusals; worker_run() on workers whose clone cannot
 * start, or that end before their request (the report wins over a broken
 * pipe); what
 * worker_receive() accepts of messages we write ourselves; and that
 * worker_free() leaves no process, directory or uid behind; the
 * daemon's worker_kill() and worker_reap(), which never wait.
 */
#include "probe/test-worker-harness.h"

static void test_refusals(void) {
        WorkerConfig wc = { .format = "raw" };
        Worker *w = NULL;
        InspectReport rep;
        Policy policy;
        int locks[2];
        uid_t uid;

        policy_init(&policy);
        /* No template: nothing to inspect with. */
        CHECK_EQ(worker_spawn(&wc, &w), -EINVAL);
        CHECK(!w);
        /* worker_run is the cold path only. */
        wc.template = &fake_template;
        wc.pooled = true;
        CHECK_EQ(worker_run(&wc, &(int) { disk }, 1, &policy, 10, &rep), -EINVAL);
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

        /* A worker given a uid: its decision must come from that uid. */
        WorkerConfig wc = { .format = "raw", .template = &fake_template,
                            .runas_set = true, .runas = 65534, .runas_gid = 65534 };
        CHECK_EQ(worker_spawn(&wc, &w), 0);
        CHECK_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        CHECK_EQ(dup2(sv[0], worker_fd(w)), worker_fd(w));
        close(sv[0]);
        in = (Inspection) { 0 };
        inspect_report(&in, 0, &policy, &rep);
        m = (WorkerMessage) { .magic = WORKER_MAGIC, .kind = WORKER_REPORT, .report = rep };
        m.report.worker_uid = 0;                                        /* root: refused */
        CHECK_EQ(send(sv[1], &m, sizeof(m), 0), (ssize_t) sizeof(m));
        CHECK_EQ(worker_receive(w, &got), -EPERM);
        m.report.worker_uid = 65533;                                    /* another uid: refused */
        CHECK_EQ(send(sv[1], &m, sizeof(m), 0), (ssize_t) sizeof(m));
        CHECK_EQ(worker_receive(w, &got), -EPERM);
        m.report.worker_uid = 65534;
        CHECK_EQ(send(sv[1], &m, sizeof(m), 0), (ssize_t) sizeof(m));
        CHECK_EQ(worker_receive(w, &got), WORKER_REPORT);
        snprintf(in.error, sizeof(in.error), "cannot switch to uid 65534");  /* a failure, before the switch */
        inspect_report(&in, -EPERM, &policy, &rep);
        m.report = rep;
        m.report.worker_uid = 0;
        CHECK_EQ(send(sv[1], &m, sizeof(m), 0), (ssize_t) sizeof(m));
        CHECK_EQ(worker_receive(w, &got), WORKER_REPORT);
        CHECK_EQ(got.status, -EPERM);
        close(sv[1]);
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

/* The daemon's way: kill, then reap without waiting.  A process of its
 * group that does not die (here: one that joined after the SIGKILL,
 * standing in for a qemu stuck in uninterruptible sleep) keeps
 * worker_reap() at 0, and it returns at once; its directory and uid stay
 * held until it is gone. */
static void test_kill_reap(void) {
        Worker *w = waiting_worker();
        pid_t pid = worker_pid(w), straggler;
        int r = 0;

        CHECK_EQ(worker_reap(w), -EINVAL);      /* not killed yet */
        worker_kill(w);
        straggler = fork();
        CHECK(straggler >= 0);
        if (straggler == 0) {
                for (;;)
                        pause();
        }
        CHECK_EQ(setpgid(straggler, pid), 0);   /* the group lives while its dead leader is not reaped */
        for (int i = 0; i < 500 && kill(pid, 0) == 0; i++) {
                r = worker_reap(w);
                CHECK_EQ(r, 0);
                usleep(10000);
        }
        CHECK_EQ(worker_reap(w), 0);            /* leader reaped, the straggler lives */
        CHECK_EQ(kill(pid, 0), -1);
        CHECK_EQ(count_workdirs(), 1);
        CHECK_EQ(kill(straggler, SIGKILL), 0);
        for (int i = 0; i < 500 && (r = worker_reap(w)) == 0; i++)
                usleep(10000);
        CHECK_EQ(r, 1);
        CHECK(gone(pid) && gone(straggler));
        CHECK(!worker_free(w));                 /* at once: nothing left to wait for */
        CHECK_EQ(count_workdirs(), 0);

        /* worker_abandon() waits for nothing, and frees what it held. */
        w = waiting_worker();
        pid = worker_pid(w);
        CHECK(!worker_abandon(w));
        CHECK_EQ(count_workdirs(), 0);
        CHECK_EQ(waitpid(pid, NULL, 0), pid);   /* (ours to reap now) */
}

/* A worker that reports and leaves before its request (a parent that is
 * not root cannot give it another uid): its report is the answer, never
 * the broken pipe, whoever wins the race between its exit and our send. */
static int run_before_request(void) {
        WorkerConfig wc = early_config();
        InspectReport rep;
        Policy policy;

        policy_init(&policy);
        if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                return 90;
        wc.runas_set = true;
        wc.runas = 12345;
        wc.runas_gid = 12345;
        for (int i = 0; i < 20; i++)
                if (worker_run(&wc, &(int) { disk }, 1, &policy, 60, &rep) != 0 || report_validate(&rep) < 0 ||
                    rep.status != -EPERM)
                        return 1 + i;
        return 0;
}

/* worker_run(), the cold path in one call. */
static void test_run(void) {
        WorkerConfig wc = early_config();
        InspectReport rep;
        Policy policy;

        policy_init(&policy);
        /* The whole cold path, to a clone that cannot start ... */
        CHECK_EQ(worker_run(&wc, &(int) { disk }, 1, &policy, 60, &rep), 0);
        check_early_report(&rep);
        /* ... and out of time before any answer. */
        CHECK_EQ(worker_run(&wc, &(int) { disk }, 1, &policy, 0, &rep), -ETIMEDOUT);
        CHECK_EQ(count_workdirs(), 0);
        in_child(run_before_request);
        CHECK_EQ(count_workdirs(), 0);
}

int main(void) {
        if (!worker_test_setup())
                return EXIT_TEST_SKIP;
        test_refusals();
        test_run();
        test_receive();
        test_free();
        test_kill_reap();
        return 0;
}
