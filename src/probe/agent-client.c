/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host side of the agent's protocol (see agent-client.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/agent-client.h"
#include "shared/fd-util.h"
#include "pvboot-select.h"

int agent_call(int fd, unsigned timeout_ms, AgentOp op, uint32_t arg, uint64_t offset, const char *payload,
               void *buf, size_t bufsz, size_t *ret_len, bool *ret_failed) {
        size_t plen = payload ? strlen(payload) : 0;
        AgentRequest q = { .magic = AGENT_MAGIC_REQUEST, .op = op, .arg = arg, .len = (uint32_t) plen,
                           .offset = offset };
        AgentReply a;
        uint64_t deadline = now_usec() + (uint64_t) timeout_ms * 1000;
        int r;

        *ret_len = 0;
        *ret_failed = false;
        if (plen > AGENT_MAX_REQUEST)
                return -ENAMETOOLONG;
        r = loop_write(fd, &q, sizeof(q));
        if (r >= 0 && plen > 0)
                r = loop_write(fd, payload, plen);
        if (r >= 0)
                r = fd_read_full(fd, &a, sizeof(a), deadline);
        if (r >= 0 && (a.magic != AGENT_MAGIC_REPLY || a.len > bufsz || a.len > AGENT_MAX_REPLY ||
                       a.status > 0 || a.status < -4095 || (a.status < 0 && a.len > 0)))
                r = -EBADMSG;
        if (r >= 0 && a.len > 0)
                r = fd_read_full(fd, buf, a.len, deadline);
        if (r < 0) {
                *ret_failed = true;
                return r;
        }
        *ret_len = a.len;
        return a.status;
}

int agent_reply_names(const char *buf, size_t len, const char **ret, size_t max) {
        size_t n = 0;

        if (len > 0 && buf[len - 1] != 0)
                return -EBADMSG;
        for (size_t off = 0; off < len; off += strlen(buf + off) + 1) {
                if (buf[off] == 0)
                        return -EBADMSG;
                if (n < max)
                        ret[n++] = buf + off;
        }
        return (int) n;
}

int agent_reply_stat(const void *buf, size_t len, AgentStat *ret) {
        AgentStat st;

        if (len != sizeof(st))
                return -EBADMSG;
        memcpy(&st, buf, sizeof(st));
        if (st.type < AGENT_TYPE_REGULAR || st.type > AGENT_TYPE_OTHER || st.size > INT64_MAX)
                return -EBADMSG;
        *ret = st;
        return 0;
}

int agent_reply_link(const char *buf, size_t len, char **ret) {
        char *t;

        if (len == 0 || memchr(buf, 0, len))
                return -EBADMSG;
        t = strndup(buf, len);
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}
