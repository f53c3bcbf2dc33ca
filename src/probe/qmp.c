/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bounded QMP client (see qmp.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/fd-util.h"
#include "pvboot-select.h"
#include "probe/qmp.h"
#include "shared/text.h"

#define QMP_MAX_EVENTS 4096     /* dropped between two replies before we give up */

struct Qmp {
        int fd;
        size_t have;
        char buf[QMP_MAX_LINE + 1];
        char error[256];
};

const char *qmp_last_error(const Qmp *q) {
        return q ? q->error : "";
}

yajl_val qmp_return(yajl_val doc) {
        static const char *path[] = { "return", NULL };
        return doc ? yajl_tree_get(doc, path, yajl_t_any) : NULL;
}

Qmp *qmp_free(Qmp *q) {
        if (!q)
                return NULL;
        if (q->fd >= 0)
                close(q->fd);
        free(q);
        return NULL;
}

/* One line (without its newline) into *ret, NUL-terminated in q->buf. */
static int read_line(Qmp *q, uint64_t deadline, char **ret, size_t *ret_len) {
        for (;;) {
                char *nl = memchr(q->buf, '\n', q->have);
                if (nl) {
                        /* yajl would stop at a NUL: a line with one inside
                         * would be read as its prefix. */
                        if (memchr(q->buf, 0, (size_t) (nl - q->buf)))
                                return -EBADMSG;
                        *nl = 0;
                        *ret = q->buf;
                        *ret_len = (size_t) (nl - q->buf);
                        return 0;
                }
                if (q->have >= QMP_MAX_LINE)
                        return -EBADMSG;
                ssize_t n = fd_read_some(q->fd, q->buf + q->have, QMP_MAX_LINE - q->have, deadline);
                if (n < 0)
                        return (int) n;
                q->have += (size_t) n;
        }
}

static void consume_line(Qmp *q, size_t len) {
        memmove(q->buf, q->buf + len + 1, q->have - len - 1);
        q->have -= len + 1;
}

/* The next reply: skips events, returns the parsed document. */
static int read_reply(Qmp *q, uint64_t deadline, bool greeting, yajl_val *ret) {
        static const char *p_return[] = { "return", NULL }, *p_error[] = { "error", NULL },
                                 *p_desc[] = { "error", "desc", NULL }, *p_event[] = { "event", NULL },
                                 *p_qmp[] = { "QMP", NULL };

        for (unsigned events = 0; events < QMP_MAX_EVENTS; events++) {
                char *line = NULL, perr[128];
                size_t len = 0;
                int r = read_line(q, deadline, &line, &len);
                if (r < 0)
                        return r;
                yajl_val doc = yajl_tree_parse(line, perr, sizeof(perr));
                consume_line(q, len);
                if (!doc || !YAJL_IS_OBJECT(doc)) {
                        yajl_tree_free(doc);
                        return -EBADMSG;
                }
                if (yajl_tree_get(doc, p_event, yajl_t_any)) {
                        yajl_tree_free(doc);
                        continue;
                }
                if (greeting ? yajl_tree_get(doc, p_qmp, yajl_t_object) != NULL
                             : yajl_tree_get(doc, p_return, yajl_t_any) != NULL) {
                        *ret = doc;
                        return 0;
                }
                if (!greeting && yajl_tree_get(doc, p_error, yajl_t_object)) {
                        yajl_val d = yajl_tree_get(doc, p_desc, yajl_t_string);
                        const char *s = d ? YAJL_GET_STRING(d) : "(no description)";
                        text_escape(s, strlen(s), q->error, sizeof(q->error));
                        yajl_tree_free(doc);
                        return -EREMOTEIO;
                }
                yajl_tree_free(doc);
                return -EBADMSG;
        }
        return -EBADMSG;
}

int qmp_execute(Qmp *q, const char *cmd, int pass_fd, unsigned timeout_ms, yajl_val *ret) {
        uint64_t deadline = now_usec() + (uint64_t) timeout_ms * 1000;
        size_t len = strlen(cmd);
        char *line;
        yajl_val doc = NULL;
        int r;

        q->error[0] = 0;
        line = malloc(len + 2);
        if (!line)
                return -ENOMEM;
        memcpy(line, cmd, len);
        line[len] = '\n';
        line[len + 1] = 0;
        r = pass_fd >= 0 ? send_with_fd(q->fd, line, len + 1, pass_fd) : loop_write(q->fd, line, len + 1);
        free(line);
        if (r < 0)
                return r;
        r = read_reply(q, deadline, false, &doc);
        if (r < 0)
                return r;
        if (ret)
                *ret = doc;
        else
                yajl_tree_free(doc);
        return 0;
}

int qmp_new(int fd, unsigned timeout_ms, Qmp **ret) {
        Qmp *q = calloc(1, sizeof(*q));
        yajl_val doc = NULL;
        int r;

        if (!q) {
                close(fd);
                return -ENOMEM;
        }
        q->fd = fd;
        r = read_reply(q, now_usec() + (uint64_t) timeout_ms * 1000, true, &doc);
        yajl_tree_free(doc);
        if (r >= 0)
                r = qmp_execute(q, "{\"execute\":\"qmp_capabilities\"}", -1, timeout_ms, NULL);
        if (r < 0) {
                qmp_free(q);
                return r;
        }
        *ret = q;
        return 0;
}
