/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Being told to stop (see stop.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "cli/stop.h"
#include "probe/worker.h"

static volatile sig_atomic_t stop_sig;
static pid_t owner = -1;
static int pipe_fds[2] = { -1, -1 };

void stop_request(int sig) {
        int saved = errno;

        /* A worker between its fork and its own handlers is not us. */
        if (owner > 0 && getpid() != owner)
                return;
        if (stop_sig == 0)
                stop_sig = sig;
        worker_kill_current();
        if (pipe_fds[1] >= 0)
                (void) !write(pipe_fds[1], "x", 1);     /* full: readable already */
        errno = saved;
}

static void on_signal(int sig) {
        stop_request(sig);
}

void stop_catch_signals(void) {
        /* No SA_RESTART: a blocking call returns EINTR and its loop looks. */
        struct sigaction sa = { .sa_handler = on_signal };

        owner = getpid();
        if (pipe_fds[0] < 0 && pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
                pipe_fds[0] = pipe_fds[1] = -1;         /* the flag still works; waits are bounded */
        sigemptyset(&sa.sa_mask);
        sigaddset(&sa.sa_mask, SIGTERM);
        sigaddset(&sa.sa_mask, SIGINT);
        sigaddset(&sa.sa_mask, SIGHUP);
        (void) sigaction(SIGTERM, &sa, NULL);
        (void) sigaction(SIGINT, &sa, NULL);
        (void) sigaction(SIGHUP, &sa, NULL);
}

int stop_signal(void) {
        return stop_sig;
}

const char *stop_signal_name(void) {
        switch (stop_sig) {
        case SIGTERM: return "SIGTERM";
        case SIGINT: return "SIGINT";
        case SIGHUP: return "SIGHUP";
        default: return "a signal";
        }
}

int stop_fd(void) {
        return pipe_fds[0];
}
