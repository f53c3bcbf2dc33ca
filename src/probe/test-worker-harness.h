/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * For the worker's tests (test-worker.c, the parent's half;
 * test-worker-child.c, the worker's): real workers without an appliance,
 * as root, in a mount namespace of their own with a private /tmp and
 * /run, so that workdirs and clone-uid locks are only the test's.
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
#include "probe/worker-wire.h"
#include "shared/fd-util.h"
#include "shared/test-util.h"


#define RANGE ((CloneUidRange) { 1u << 24, 2 })

/* Never started: a cold worker only needs one to exist until its request. */
static const Template fake_template = { .ram_fd = -1, .state_fd = -1 };
static int disk;

/* A cold worker whose clone cannot start: the fake template has no
 * command line, RAM or state (a request whose deadline has passed does
 * not even get that far). */
static inline WorkerConfig early_config(void) {
        return (WorkerConfig) { .format = "raw", .template = &fake_template };
}

/* Its report: the launch failed, and it said so. */
static inline void check_early_report(const InspectReport *rep) {
        CHECK_EQ(report_validate(rep), 0);
        CHECK(rep->status < 0);
        CHECK(strncmp(rep->message, "appliance failed to start: ", 27) == 0);
}

/*
 * worker_run() for a worker that may end before its request (one that
 * cannot take its uid reports at once, and worker_run()'s send could then
 * meet a closed socket, -EPIPE, instead of reading that report).  So:
 * spawn, send (when send is true) with that deadline, and read its one
 * report.
 */
static inline int run_early(const WorkerConfig *wc, bool send, uint64_t deadline, InspectReport *ret) {
        Worker *w = NULL;
        Policy policy;
        int r;

        policy_init(&policy);
        r = worker_spawn(wc, &w);
        if (r < 0)
                return r;
        if (send)
                r = worker_send(w, &disk, 1, &policy, deadline);
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

/* Run f in a child and check that it exited 0 (f drops privileges, or
 * does what only a child may). */
static inline void in_child(int (*f)(void)) {
        pid_t pid = fork();
        int st;

        CHECK(pid >= 0);
        if (pid == 0)
                _exit(f());
        CHECK_EQ(waitpid(pid, &st, 0), pid);
        CHECK(WIFEXITED(st));
        CHECK_EQ(WEXITSTATUS(st), 0);
}

static inline unsigned count_workdirs(void) {
        DIR *d = opendir("/tmp");
        struct dirent *de;
        unsigned n = 0;

        CHECK(d);
        while ((de = readdir(d)))
                n += strncmp(de->d_name, "pvboot-select.", 14) == 0;
        closedir(d);
        return n;
}

static inline bool gone(pid_t pid) {
        return kill(pid, 0) < 0 && errno == ESRCH && kill(-pid, 0) < 0 && errno == ESRCH;
}

/* A cold worker waiting for its request. */
static inline Worker *waiting_worker(void) {
        WorkerConfig wc = early_config();
        Worker *w = NULL;

        CHECK_EQ(worker_spawn(&wc, &w), 0);
        CHECK(worker_fd(w) >= 0);
        CHECK(worker_pid(w) > 0);
        return w;
}

/* Root, the private /tmp and /run, and the disk: false to skip. */
static inline bool worker_test_setup(void) {
        if (geteuid() != 0) {
                fprintf(stderr, "needs root\n");
                return false;
        }
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777") < 0 || mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0) {
                fprintf(stderr, "no private /tmp and /run: %m\n");
                return false;
        }
        disk = open("/tmp/disk", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        CHECK(disk >= 0);
        CHECK_EQ(write(disk, "0123456789", 10), 10);
        unlink("/tmp/disk");

        return true;
}
