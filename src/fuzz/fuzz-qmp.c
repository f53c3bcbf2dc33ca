/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The QMP client against whatever a compromised qemu says (qmp.h): a
 * command succeeds only with an object that has "return", fails with a
 * printable error for "error", and fails cleanly otherwise. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/fuzz.h"
#include "probe/qmp.h"
#include "shared/test-util.h"
#include "shared/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        int sv[2];
        Qmp *q = NULL;

        fuzz_peer_said(data, size, sv);
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
