/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host side of the agent protocol against an agent that lies: a child
 * process plays the agent on a socketpair, checks the request it gets, and
 * answers right, with garbage, too much, a non-errno status, half a reply,
 * nothing at all, or hangs up.  Each lie ends the conversation with a
 * clear error, and nothing is read past what the caller asked for.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe/agent-client.h"
#include "shared/fd-util.h"
#include "shared/test-util.h"

typedef enum Lie {
        TRUTH,
        ERRNO,
        BAD_MAGIC,
        TOO_LONG_FOR_BUFFER,
        TOO_LONG_FOR_PROTOCOL,
        POSITIVE_STATUS,
        NOT_AN_ERRNO,
        ERROR_WITH_PAYLOAD,
        SILENCE,
        HALF_REPLY,
        HANG_UP,
} Lie;

/* The fake agent: read one request, check it is the one main() sends,
 * answer as told. */
static _Noreturn void agent(int fd, Lie lie) {
        AgentRequest q;
        char payload[64];
        AgentReply a = { .magic = AGENT_MAGIC_REPLY };

        if (recv(fd, &q, sizeof(q), MSG_WAITALL) != sizeof(q) || q.magic != AGENT_MAGIC_REQUEST ||
            q.op != AGENT_OP_PREAD || q.arg != 3 || q.offset != 4096 || q.len != 10 ||
            recv(fd, payload, q.len, MSG_WAITALL) != (ssize_t) q.len || memcmp(payload, "/boot/file", 10) != 0)
                _exit(3);
        switch (lie) {
        case TRUTH:                     a.len = 3; break;
        case ERRNO:                     a.status = -ENOENT; break;
        case BAD_MAGIC:                 a.magic = 0x41414141; a.len = 3; break;
        case TOO_LONG_FOR_BUFFER:       a.len = 65; break;
        case TOO_LONG_FOR_PROTOCOL:     a.len = AGENT_MAX_REPLY + 1; break;
        case POSITIVE_STATUS:           a.status = 5; break;
        case NOT_AN_ERRNO:              a.status = -5000; break;
        case ERROR_WITH_PAYLOAD:        a.status = -EIO; a.len = 3; break;
        case HALF_REPLY:                a.len = 30; break;
        case SILENCE:
                pause();
                _exit(0);
        case HANG_UP:
                _exit(0);
        }
        if (loop_write(fd, &a, sizeof(a)) < 0 || loop_write(fd, "abc", 3) < 0)
                _exit(4);
        pause();        /* the rest of a long reply never comes */
        _exit(0);
}

static void serve_agent(int fd, const void *arg) {
        agent(fd, *(const Lie *) arg);
}

static int call(Lie lie, size_t *ret_len, bool *ret_failed, char *buf) {
        pid_t pid;
        int fd = test_peer(serve_agent, &lie, &pid), r;

        r = agent_call(fd, 300, AGENT_OP_PREAD, 3, 4096, "/boot/file", buf, 64, ret_len, ret_failed);
        close(fd);
        kill(pid, SIGKILL);
        int status;
        CHECK_EQ(waitpid(pid, &status, 0), pid);
        /* The fake agent saw exactly the request we meant. */
        CHECK(!WIFEXITED(status) || WEXITSTATUS(status) == 0);
        return r;
}

/* The payloads of answers that arrived whole: only a real agent's shapes
 * pass. */
static void test_payloads(void) {
        const char *names[3];
        AgentStat st;
        char *link = NULL;

        CHECK_EQ(agent_reply_names("", 0, names, 3), 0);
        CHECK_EQ(agent_reply_names("/a\0/bb\0", 7, names, 3), 2);
        CHECK_STREQ(names[0], "/a");
        CHECK_STREQ(names[1], "/bb");
        /* More names than kept: the first few, the rest dropped. */
        CHECK_EQ(agent_reply_names("/1\0/2\0/3\0/4\0", 12, names, 3), 3);
        CHECK_STREQ(names[2], "/3");
        CHECK_EQ(agent_reply_names("/a\0/b", 5, names, 3), -EBADMSG);        /* the last one cut */
        CHECK_EQ(agent_reply_names("/a\0\0/b\0", 7, names, 3), -EBADMSG);  /* an empty name */
        CHECK_EQ(agent_reply_names("\0", 1, names, 3), -EBADMSG);

        AgentStat good = { .type = AGENT_TYPE_SYMLINK, .size = 17 };
        CHECK_EQ(agent_reply_stat(&good, sizeof(good), &st), 0);
        CHECK_EQ(st.type, (uint32_t) AGENT_TYPE_SYMLINK);
        CHECK_EQ(st.size, 17u);
        CHECK_EQ(agent_reply_stat(&good, sizeof(good) - 1, &st), -EBADMSG);
        AgentStat bad = { .type = AGENT_TYPE_OTHER + 1 };
        CHECK_EQ(agent_reply_stat(&bad, sizeof(bad), &st), -EBADMSG);
        bad = (AgentStat) { .type = 0 };
        CHECK_EQ(agent_reply_stat(&bad, sizeof(bad), &st), -EBADMSG);
        bad = (AgentStat) { .type = AGENT_TYPE_REGULAR, .size = UINT64_MAX };      /* no file is that big */
        CHECK_EQ(agent_reply_stat(&bad, sizeof(bad), &st), -EBADMSG);

        CHECK_EQ(agent_reply_link("boot/vmlinuz", 12, &link), 0);
        CHECK_STREQ(link, "boot/vmlinuz");
        free(link);
        link = NULL;
        CHECK_EQ(agent_reply_link("a\0b", 3, &link), -EBADMSG);     /* a NUL in a target */
        CHECK_EQ(agent_reply_link("", 0, &link), -EBADMSG);         /* no target at all */
        CHECK(!link);
}

int main(void) {
        char buf[64];
        size_t len;
        bool failed;

        signal(SIGPIPE, SIG_IGN);
        test_payloads();
        memset(buf, 0, sizeof(buf));
        CHECK_EQ(call(TRUTH, &len, &failed, buf), 0);
        CHECK(!failed);
        CHECK_EQ(len, 3);
        CHECK(memcmp(buf, "abc", 3) == 0);

        /* The agent's own error is an answer, not a failure. */
        CHECK_EQ(call(ERRNO, &len, &failed, buf), -ENOENT);
        CHECK(!failed);
        CHECK_EQ(len, 0);

        static const Lie garbage[] = { BAD_MAGIC, TOO_LONG_FOR_BUFFER, TOO_LONG_FOR_PROTOCOL, POSITIVE_STATUS,
                                       NOT_AN_ERRNO, ERROR_WITH_PAYLOAD };
        for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
                memset(buf, 'x', sizeof(buf));
                CHECK_EQ(call(garbage[i], &len, &failed, buf), -EBADMSG);
                CHECK(failed);
                CHECK_EQ(len, 0);
                /* Nothing of a refused reply reached the caller's buffer. */
                CHECK(buf[0] == 'x' && buf[63] == 'x');
        }
        CHECK_EQ(call(SILENCE, &len, &failed, buf), -ETIMEDOUT);
        CHECK(failed);
        CHECK_EQ(call(HALF_REPLY, &len, &failed, buf), -ETIMEDOUT);
        CHECK(failed);
        CHECK_EQ(call(HANG_UP, &len, &failed, buf), -EPIPE);
        CHECK(failed);

        /* A payload over the protocol's bound is never sent. */
        char long_path[AGENT_MAX_REQUEST + 2];
        memset(long_path, 'a', sizeof(long_path) - 1);
        long_path[sizeof(long_path) - 1] = 0;
        int sv[2];
        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
        CHECK_EQ(agent_call(sv[0], 100, AGENT_OP_LSTAT, 0, 0, long_path, buf, sizeof(buf), &len, &failed),
                 -ENAMETOOLONG);
        CHECK(recv(sv[1], buf, sizeof(buf), 0) < 0 && errno == EAGAIN);
        close(sv[0]);
        close(sv[1]);
        return 0;
}
