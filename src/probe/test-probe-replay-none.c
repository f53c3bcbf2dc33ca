/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for probe-replay-none.c, the seam where it is not built: the live
 * backend, and a record or replay descriptor refused, never ignored. */
#include <errno.h>

#include "probe/probe-internal.h"
#include "shared/test-util.h"

int main(void) {
        const ProbeBackend *b = NULL;
        ProbeConfig cfg = { .format = "raw", .record_fd = -1, .replay_fd = -1 };

        CHECK_EQ(probe_backend_select(&cfg, &b), 0);
        CHECK(b == &probe_live);

        b = NULL;
        cfg.record_fd = 0;
        CHECK_EQ(probe_backend_select(&cfg, &b), -EOPNOTSUPP);
        CHECK(b == NULL);
        cfg.record_fd = -1;
        cfg.replay_fd = 7;
        CHECK_EQ(probe_backend_select(&cfg, &b), -EOPNOTSUPP);
        CHECK(b == NULL);
        return 0;
}
