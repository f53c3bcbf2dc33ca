/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client: domid from libxl's output name, "no daemon" is a fallback,
 * and a signal while the daemon works cancels the request at once. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/stop.h"
#include "pvboot-select-bus.h"
#include "shared/test-util.h"

#define SERVER_CHECK(cond)                                                                       \
        do {                                                                                     \
                if (!(cond)) {                                                                   \
                        fprintf(stderr, "%s:%d: server check failed: %s\n", __FILE__, __LINE__, #cond); \
                        _exit(1);                                                                \
                }                                                                                \
        } while (0)

/* The Cookie option of an Inspect call. */
static uint64_t read_cookie(sd_bus_message *m) {
        uint64_t cookie = 0;
        const char *key;
        int fd;

        SERVER_CHECK(sd_bus_message_read(m, "h", &fd) >= 0);
        SERVER_CHECK(sd_bus_message_enter_container(m, 'a', "{sv}") >= 0);
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                SERVER_CHECK(sd_bus_message_read(m, "s", &key) >= 0);
                if (strcmp(key, "Cookie") == 0)
                        SERVER_CHECK(sd_bus_message_read(m, "v", "t", &cookie) >= 0);
                else
                        SERVER_CHECK(sd_bus_message_skip(m, "v") >= 0);
                SERVER_CHECK(sd_bus_message_exit_container(m) >= 0);
        }
        return cookie;
}

/*
 * A daemon that never answers Inspect: on one, it sends the client
 * SIGTERM (libxl's xl destroy) and waits for Cancel; exit 0 when Cancel
 * names the Inspect's cookie (answered 1), 2 when it names another, 3
 * when the client left without one.
 */
static void silent_daemon(int fd, pid_t client, bool signal_it) {
        sd_bus_message *inspect = NULL;
        uint64_t cookie = 0, cancelled;
        sd_bus *b = NULL;
        sd_id128_t id;

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        SERVER_CHECK(sd_bus_new(&b) >= 0 && sd_bus_set_fd(b, fd, fd) >= 0 && sd_id128_randomize(&id) >= 0 &&
                     sd_bus_set_server(b, 1, id) >= 0 && sd_bus_start(b) >= 0);
        for (;;) {
                sd_bus_message *m = NULL;
                int k = sd_bus_process(b, &m);
                if (k == -ECONNRESET || k == -ENOTCONN)
                        _exit(3);
                SERVER_CHECK(k >= 0);
                if (k == 0) {
                        SERVER_CHECK(sd_bus_wait(b, UINT64_MAX) >= 0 || errno == EINTR);
                        continue;
                }
                if (m && sd_bus_message_is_method_call(m, PVBOOT_BUS_INTERFACE, "Inspect")) {
                        cookie = read_cookie(m);
                        SERVER_CHECK(cookie != 0);
                        inspect = m;    /* held, never answered */
                        if (signal_it)
                                kill(client, SIGTERM);
                        continue;
                }
                if (m && sd_bus_message_is_method_call(m, PVBOOT_BUS_INTERFACE, "Cancel")) {
                        SERVER_CHECK(inspect && sd_bus_message_read(m, "t", &cancelled) >= 0);
                        SERVER_CHECK(sd_bus_reply_method_return(m, "u", (uint32_t) (cancelled == cookie)) >= 0);
                        SERVER_CHECK(sd_bus_flush(b) >= 0);
                        _exit(cancelled == cookie ? 0 : 2);
                }
                sd_bus_message_unref(m);
        }
}

static long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One Inspect against silent_daemon; the server's exit status, the call's
 * outcome and time in *r and *ms. */
static int call_silent(bool signal_it, const ClientRequest *req, int *r, long long *ms, char *err, size_t errlen) {
        sd_bus *b = NULL;
        InspectReport rep;
        BusDetails d;
        int sv[2], status;

        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        pid_t client = getpid(), pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                close(sv[0]);
                silent_daemon(sv[1], client, signal_it);
        }
        close(sv[1]);
        CHECK(sd_bus_new(&b) >= 0 && sd_bus_set_fd(b, sv[0], sv[0]) >= 0 && sd_bus_start(b) >= 0);
        long long start = now_ms();
        *r = client_inspect_on(b, NULL, STDIN_FILENO, req, &rep, &d, err, errlen);
        *ms = now_ms() - start;
        sd_bus_flush_close_unref(b);
        CHECK_EQ(waitpid(pid, &status, 0), pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void) {
        CHECK_EQ(client_domid_from_output("/var/lib/xen/bootloader.5.out"), 5u);
        CHECK_EQ(client_domid_from_output("bootloader.32751.out"), 32751u);
        static const char *const bad[] = {
                "/var/lib/xen/bootloader.0.out", "/var/lib/xen/bootloader.05.out", "/x/bootloader.5.outx",
                "/x/bootloader..out", "/x/bootloader.32752.out", "/x/bootloader.5", "/x/xbootloader.5.out",
                "/x/bootloader.5.out/", "-", "", "/x/bootloader.99999999999999999999.out", NULL
        };
        for (const char *const *b = bad; *b; b++)
                CHECK_EQ(client_domid_from_output(*b), 0u);
        CHECK_EQ(client_domid_from_output(NULL), 0u);

        /* A bus with no daemon on it (here: none at all) is "unreachable",
         * the one answer that sends pvboot-select down the cold path. */
        char err[256];
        InspectReport rep;
        BusDetails d;
        Policy policy;
        policy_init(&policy);
        ClientRequest req = { .policy = &policy, .stop_fd = -1 };
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0);
        CHECK_EQ(setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/pvboot-test-bus", 1), 0);
        CHECK_EQ(client_inspect(fd, &req, &rep, &d, err, sizeof(err)), CLIENT_NO_DAEMON);
        CHECK(strstr(err, "no system bus") || strstr(err, "not reachable"));
        CHECK_EQ(client_status(stdout, false, err, sizeof(err)), CLIENT_NO_DAEMON);
        CHECK(strstr(err, "no system bus") || strstr(err, "not running"));
        close(fd);

        /* SIGTERM while the daemon works (it never answers): the wait
         * ends at once, not at the call's timeout (the policy's 100 s +
         * 5), and the daemon is told, with the request's own cookie. */
        long long ms;
        int r;
        stop_catch_signals();
        req.stop_fd = stop_fd();
        CHECK_EQ(call_silent(true, &req, &r, &ms, err, sizeof(err)), 0);
        CHECK_EQ(r, -ECANCELED);
        CHECK_EQ(stop_signal(), SIGTERM);
        CHECK(strstr(err, "the request was cancelled"));
        fprintf(stderr, "stopped %lld ms after the call began\n", ms);
        CHECK(ms < 1000);
        /* A stop that came before the call: the request goes, and is
         * cancelled straight away. */
        CHECK_EQ(call_silent(false, &req, &r, &ms, err, sizeof(err)), 0);
        CHECK_EQ(r, -ECANCELED);
        CHECK(ms < 1000);
        return 0;
}
