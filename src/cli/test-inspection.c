/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for inspection.c's rules: who may answer, and the time left for
 * the cold path.  (The inspections themselves, warm and cold, run for
 * real in tests/integration.sh and tests/daemon.sh.) */
#include <stdio.h>
#include <string.h>

#include "cli/inspection.h"
#include "cli/test-options.h"
#include "shared/test-util.h"

int main(void) {
        Options o = test_options("-v");
        CHECK(inspection_may_use_daemon(&o));
        o = test_options("--no-daemon");
        CHECK(!inspection_may_use_daemon(&o));
        /* libxl's restrict mode names the uid that must read the disk. */
        o = test_options("--runas=131079");
        CHECK(!inspection_may_use_daemon(&o));
        o.record = "/tmp/tx";
        o.runas_set = false;
        CHECK(!inspection_may_use_daemon(&o));

        /* Time spent on the daemon counts, rounded up. */
        CHECK_EQ(inspection_cold_deadline(100, 0), 99u);
        CHECK_EQ(inspection_cold_deadline(100, 999999), 99u);
        CHECK_EQ(inspection_cold_deadline(100, 1000000), 98u);
        CHECK_EQ(inspection_cold_deadline(100, 99000000), 0u);
        CHECK_EQ(inspection_cold_deadline(100, 500000000), 0u);
        CHECK(inspection_cold_deadline(TIMEOUT_MAX, 2000000) < TIMEOUT_MAX);

        /* A clone uid range in the system's uids is refused before any
         * appliance starts. */
        o = test_options("--no-daemon");
        o.clone_uid_base = 100;         /* inside the system range: refused before anything runs */
        Inspected in;
        char err[512];
        CHECK(inspection_run(&o, &(int) { -1 }, 1, -1, -1, &in, err, sizeof(err)) < 0);
        if (!strstr(err, "inspection failed: clone uid range 100+256"))
                fprintf(stderr, "got: %s\n", err);
        CHECK(strstr(err, "inspection failed: clone uid range 100+256"));
        return 0;
}
