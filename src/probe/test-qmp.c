/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The QMP client against a qemu that misbehaves: a child process plays
 * qemu's monitor on a socketpair with a scripted transcript.  Events
 * between replies are skipped, an "error" reply is reported with its
 * (escaped) description, and garbage, an over-long line, a reply that
 * never comes or a closed monitor each end the command with a clear error.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared/fd-util.h"
#include "probe/qmp.h"
#include "shared/test-util.h"

#define GREETING "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n"
#define OK "{\"return\": {}}\n"

/* qemu's side: the greeting, then for each command line it reads, the
 * next scripted answer (NULL: read it and say nothing more). */
static _Noreturn void monitor(int fd, const char *const *answers) {
        char c;
        if (loop_write(fd, GREETING, strlen(GREETING)) < 0)
                _exit(4);
        for (const char *const *a = answers; *a; a++) {
                do
                        if (read(fd, &c, 1) != 1)
                                _exit(0);
                while (c != '\n');
                if (loop_write(fd, *a, strlen(*a)) < 0)
                        _exit(4);
        }
        pause();
        _exit(0);
}

/* qmp_new, then one command: its result, the error text in err. */
static void serve_monitor(int fd, const void *arg) {
        monitor(fd, arg);
}

static int one(const char *const *answers, yajl_val *ret, char *err, size_t errsz) {
        int r, status;
        Qmp *q = NULL;
        pid_t pid;
        int fd = test_peer(serve_monitor, answers, &pid);

        r = qmp_new(fd, 300, &q);
        if (r == 0)
                r = qmp_execute(q, "{\"execute\":\"query-status\"}", -1, 300, ret);
        snprintf(err, errsz, "%s", qmp_last_error(q));
        qmp_free(q);
        kill(pid, SIGKILL);
        CHECK_EQ(waitpid(pid, &status, 0), pid);
        return r;
}

int main(void) {
        char err[256];
        yajl_val doc = NULL;
        static const char *path[] = { "status", NULL };

        signal(SIGPIPE, SIG_IGN);

        /* Capabilities, then a reply behind two events. */
        const char *const good[] = {
                OK,
                "{\"event\": \"RESUME\"}\n{\"event\": \"STOP\", \"data\": {}}\n"
                "{\"return\": {\"status\": \"running\", \"running\": true}}\n",
                NULL };
        CHECK_EQ(one(good, &doc, err, sizeof(err)), 0);
        yajl_val s = yajl_tree_get(qmp_return(doc), path, yajl_t_string);
        const char *v = s ? YAJL_GET_STRING(s) : NULL;
        CHECK(v && strcmp(v, "running") == 0);
        yajl_tree_free(doc);

        /* An error reply: its description, escaped. */
        const char *const error[] = {
                OK, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no \\u001b[31mway\"}}\n", NULL };
        CHECK_EQ(one(error, NULL, err, sizeof(err)), -EREMOTEIO);
        CHECK(strstr(err, "no ") && !strchr(err, '\033'));

        /* Garbage, a JSON non-object, a reply with neither member. */
        const char *const garbage[] = { OK, "not json at all\n", NULL };
        CHECK_EQ(one(garbage, NULL, err, sizeof(err)), -EBADMSG);
        const char *const array[] = { OK, "[1, 2, 3]\n", NULL };
        CHECK_EQ(one(array, NULL, err, sizeof(err)), -EBADMSG);
        const char *const neither[] = { OK, "{\"surprise\": 1}\n", NULL };
        CHECK_EQ(one(neither, NULL, err, sizeof(err)), -EBADMSG);

        /* No greeting-shaped greeting: qmp_new fails. */
        const char *const none[] = { NULL };
        CHECK_EQ(one(none, NULL, err, sizeof(err)), -ETIMEDOUT);     /* capabilities never answered */

        /* A line longer than QMP_MAX_LINE, without a newline. */
        static char huge[QMP_MAX_LINE + 100];
        memset(huge, ' ', sizeof(huge) - 1);
        huge[0] = '{';
        huge[sizeof(huge) - 1] = 0;
        const char *const longline[] = { OK, huge, NULL };
        CHECK_EQ(one(longline, NULL, err, sizeof(err)), -EBADMSG);

        /* Capabilities answered, the command never. */
        const char *const silent[] = { OK, NULL };
        CHECK_EQ(one(silent, NULL, err, sizeof(err)), -ETIMEDOUT);

        /* A monitor that hangs up after the greeting. */
        int sv[2];
        Qmp *q = NULL;
        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        CHECK_EQ(loop_write(sv[1], GREETING, strlen(GREETING)), 0);
        close(sv[1]);
        int r = qmp_new(sv[0], 300, &q);
        CHECK(r == -EPIPE || r == -ECONNRESET);
        CHECK(q == NULL);
        return 0;
}
