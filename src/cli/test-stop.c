/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Being told to stop: the first signal counts, the self-pipe wakes a
 * poll, a forked child's inherited handler does nothing of ours, and no
 * cold worker starts afterwards. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/stop.h"
#include "probe/worker.h"
#include "shared/test-util.h"

static bool readable(int fd) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

int main(void) {
        WorkerConfig none = { .format = "raw" };
        Policy policy;
        InspectReport rep;
        int status;

        policy_init(&policy);
        CHECK_EQ(stop_fd(), -1);
        CHECK_EQ(stop_signal(), 0);
        stop_catch_signals();
        CHECK(stop_fd() >= 0);
        CHECK(!readable(stop_fd()));
        /* No template: refused as such while nobody stopped us. */
        CHECK_EQ(worker_run(&none, &(int) { 0 }, 1, &policy, 5, &rep), -EINVAL);

        /* A child between fork and its own handlers (a worker) that gets
         * the signal: its handler is ours, its stop is not. */
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                raise(SIGTERM);
                _exit(stop_signal() == 0 ? 0 : 1);
        }
        CHECK_EQ(waitpid(pid, &status, 0), pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK(!readable(stop_fd()));
        CHECK_EQ(stop_signal(), 0);

        raise(SIGHUP);
        CHECK_EQ(stop_signal(), SIGHUP);
        CHECK_STREQ(stop_signal_name(), "SIGHUP");
        CHECK(readable(stop_fd()));
        raise(SIGTERM);                 /* the first one is the one said */
        CHECK_EQ(stop_signal(), SIGHUP);
        CHECK(readable(stop_fd()));     /* and it stays readable for every later wait */

        /* Stopped before a cold worker existed: none starts. */
        CHECK_EQ(worker_run(&none, &(int) { 0 }, 1, &policy, 5, &rep), -ECANCELED);
        return 0;
}
