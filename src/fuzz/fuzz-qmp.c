/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QMP client against whatever a compromised qemu says (qmp.h): a
 * command succeeds only with an object that has "return", fails with a
 * printable error for "error", and fails cleanly otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "probe/qmp.h"
#include "shared/test-util.h"
#include "shared/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        int sv[2];
        Qmp *q = NULL;

        CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
        (void) fcntl(sv[1], F_SETFL, O_NONBLOCK);
        for (size_t off = 0; off < size;) {
                ssize_t n = write(sv[1], data + off, size - off);
                if (n <= 0)
                        break;
                off += (size_t) n;
        }
        CHECK(shutdown(sv[1], SHUT_WR) == 0);
        if (qmp_new(sv[0], 50, &q) == 0) {
                for (int i = 0; i < 3; i++) {
                        yajl_val doc = NULL;
                        int r = qmp_execute(q, "{\"execute\":\"query-status\"}", -1, 50, &doc);
                        const char *e = qmp_last_error(q);
                        CHECK(text_is_printable(e, strlen(e) + 1));
                        if (r < 0) {
                                CHECK(r == -EREMOTEIO || r == -EBADMSG || r == -ETIMEDOUT || r == -EPIPE ||
                                      r == -ECONNRESET);
                                break;
                        }
                        CHECK(doc && qmp_return(doc));
                        yajl_tree_free(doc);
                }
                qmp_free(q);
        }
        close(sv[1]);
        return 0;
}
