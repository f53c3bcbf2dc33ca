/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * For the manager's tests: the real bus object on a direct (socketpair)
 * connection, driven by a client in a child process while this process
 * runs the daemon's loop.  The child makes the connection after taking
 * its uid, so the server sees that uid as its peer (SO_PEERCRED).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/manager.h"
#include "pvboot-select-bus.h"
#include "shared/test-util.h"

#define CHILD_CHECK(cond)                                                                        \
        do {                                                                                     \
                if (!(cond)) {                                                                   \
                        fprintf(stderr, "%s:%d: client check failed: %s\n", __FILE__, __LINE__, #cond); \
                        _exit(1);                                                                \
                }                                                                                \
        } while (0)

static inline sd_bus *client_bus(int fd) {
        sd_bus *b = NULL;
        CHILD_CHECK(sd_bus_new(&b) >= 0);
        CHILD_CHECK(sd_bus_set_fd(b, fd, fd) >= 0);
        CHILD_CHECK(sd_bus_start(b) >= 0);
        return b;
}

static inline uint64_t get_t(sd_bus *b, const char *prop) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        uint64_t v = 0;
        CHILD_CHECK(sd_bus_get_property_trivial(b, NULL, PVBOOT_BUS_PATH, PVBOOT_BUS_INTERFACE, prop, &e, 't', &v) >= 0);
        return v;
}

static inline uint32_t get_u(sd_bus *b, const char *prop) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        uint32_t v = 0;
        CHILD_CHECK(sd_bus_get_property_trivial(b, NULL, PVBOOT_BUS_PATH, PVBOOT_BUS_INTERFACE, prop, &e, 'u', &v) >= 0);
        return v;
}

/* Inspect with NoCache (the default), or asking the cache too. */
static bool harness_no_cache = true;

/* Inspect(fd, {key: value}) with one string or uint option (sig "s"/"u"),
 * or none (key NULL).  The error's name and message into e. */
static inline int inspect(sd_bus *b, int fd, const char *key, char sig, const void *value, sd_bus_error *e) {
        sd_bus_message *m = NULL, *reply = NULL;
        int k;

        CHILD_CHECK(sd_bus_message_new_method_call(b, &m, NULL, PVBOOT_BUS_PATH, PVBOOT_BUS_INTERFACE, "Inspect") >= 0);
        CHILD_CHECK(sd_bus_message_append(m, "h", fd) >= 0);
        CHILD_CHECK(sd_bus_message_open_container(m, 'a', "{sv}") >= 0);
        if (harness_no_cache)
                CHILD_CHECK(sd_bus_message_append(m, "{sv}", "NoCache", "b", 1) >= 0);
        if (key && sig == 's')
                CHILD_CHECK(sd_bus_message_append(m, "{sv}", key, "s", (const char *) value) >= 0);
        else if (key)
                CHILD_CHECK(sd_bus_message_append(m, "{sv}", key, "u", *(const uint32_t *) value) >= 0);
        CHILD_CHECK(sd_bus_message_close_container(m) >= 0);
        k = sd_bus_call(b, m, 10 * 1000000, e, &reply);
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        return k;
}

/* The client's end, through a pidfd: the manager takes SIGCHLD for its
 * workers, so no child source of sd-event's may compete for it. */
typedef struct ClientEnd {
        pid_t pid;
        int status;
} ClientEnd;

static inline int on_client_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        ClientEnd *c = userdata;
        int st;

        (void) fd;
        (void) revents;
        CHECK_EQ(waitpid(c->pid, &st, 0), c->pid);
        c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

/* Serve one client (fn, in a child, as uid) with a fresh manager of cfg;
 * the client's exit status. */
static inline int serve(void (*fn)(int), uid_t uid, const ManagerConfig *cfg) {
        int carrier[2], fd = -1, status = -1;
        sd_event *event = NULL;
        sd_bus *bus = NULL;
        Manager *m = NULL;
        sd_id128_t id;

        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, carrier), 0);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                int sv[2];
                char c = 0;
                struct iovec iov = { &c, 1 };
                union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u = { 0 };
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                                     .msg_controllen = sizeof(u.buf) };
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                CHILD_CHECK(uid == 0 || (setgroups(0, NULL) == 0 && setresgid(uid, uid, uid) == 0 &&
                                         setresuid(uid, uid, uid) == 0));
                CHILD_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
                CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
                CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
                CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &sv[1], sizeof(int));
                CHILD_CHECK(sendmsg(carrier[1], &mh, 0) == 1);
                close(sv[1]);
                fn(sv[0]);
        }
        close(carrier[1]);
        {
                char c;
                struct iovec iov = { &c, 1 };
                union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
                struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                                     .msg_controllen = sizeof(u.buf) };
                CHECK_EQ(recvmsg(carrier[0], &mh, MSG_CMSG_CLOEXEC), 1);
                memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
        }
        close(carrier[0]);

        CHECK(sd_event_new(&event) >= 0);
        CHECK(sd_bus_new(&bus) >= 0);
        CHECK(sd_bus_set_fd(bus, fd, fd) >= 0);
        CHECK(sd_id128_randomize(&id) >= 0);
        CHECK(sd_bus_set_server(bus, 1, id) >= 0);
        CHECK(sd_bus_negotiate_creds(bus, 1, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS) >= 0);
        CHECK(sd_bus_start(bus) >= 0);
        CHECK(sd_bus_attach_event(bus, event, 0) >= 0);
        CHECK_EQ(manager_new(cfg, NULL, event, bus, &m), 0);
        manager_start(m);
        ClientEnd end = { .pid = pid, .status = -1 };
        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        CHECK(pidfd >= 0);
        CHECK(sd_event_add_io(event, NULL, pidfd, EPOLLIN, on_client_exit, &end) >= 0);
        CHECK(sd_event_loop(event) >= 0);
        status = end.status;
        manager_free(m);
        sd_bus_flush_close_unref(bus);
        sd_event_unref(event);
        close(pidfd);
        return status;
}


/* SIGCHLD blocked, as pvboot-selectd blocks it (the manager's SIGCHLD
 * source); -1 when the test cannot run. */
static inline int harness_init(void) {
        sigset_t ss;

        if (geteuid() != 0) {
                fprintf(stderr, "SKIP: needs root (a client as another uid)\n");
                return -1;
        }
        sigemptyset(&ss);
        sigaddset(&ss, SIGCHLD);
        CHECK_EQ(sigprocmask(SIG_BLOCK, &ss, NULL), 0);
        return 0;
}
