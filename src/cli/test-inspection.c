/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for inspection.c's rules: who may answer, and the time left for
 * the cold path.  (The inspections themselves, warm and cold, run for
 * real in tests/integration.sh and tests/daemon.sh.) */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/client.h"
#include "cli/inspection.h"
#include "cli/test-options.h"
#include "shared/test-util.h"

int main(void) {
        char err[512];
        Options o = test_options("-v");
        CHECK(inspection_may_use_daemon(&o));
        o = test_options("--no-daemon");
        CHECK(!inspection_may_use_daemon(&o));
        /* libxl's restrict mode names the uid that must read the disk. */
        o = test_options("--runas=131079");
        CHECK(!inspection_may_use_daemon(&o));

        /* Time spent on the daemon counts, rounded up. */
        CHECK_EQ(inspection_cold_deadline(100, 0), 99u);
        CHECK_EQ(inspection_cold_deadline(100, 999999), 99u);
        CHECK_EQ(inspection_cold_deadline(100, 1000000), 98u);
        CHECK_EQ(inspection_cold_deadline(100, 99000000), 0u);
        CHECK_EQ(inspection_cold_deadline(100, 500000000), 0u);
        CHECK(inspection_cold_deadline(TIMEOUT_MAX, 2000000) < TIMEOUT_MAX);

        /* libxl's timeout (args.h, inspection.h): what is kept after the
         * inspection's deadline, cold and through the daemon. */
        o = test_options("--runas=131079");
        CHECK_EQ(inspection_margin(&o), (unsigned) (MARGIN_START + MARGIN_KILL + MARGIN_WRITE));
        o = test_options("-v");
        CHECK_EQ(inspection_margin(&o), (unsigned) (MARGIN_START + MARGIN_KILL + MARGIN_WRITE + CLIENT_REPLY_GRACE_SEC));
        /* libxl's default leaves our own default whole on either path,
         * and in restrict mode (the only mode libxl times out, and a cold
         * one) our largest --timeout too. */
        CHECK(LIBXL_TIMEOUT_DEFAULT - MARGIN_START - MARGIN_KILL - MARGIN_WRITE - CLIENT_REPLY_GRACE_SEC >= TIMEOUT_DEFAULT);
        CHECK(LIBXL_TIMEOUT_DEFAULT - MARGIN_START - MARGIN_KILL - MARGIN_WRITE >= TIMEOUT_MAX);
        {
                static const struct {
                        const char *restrict_env, *timeout, *opt;
                        uint64_t spent_usec;
                        int r;
                        unsigned timeout_sec;   /* after the fit */
                        const char *note;       /* in the note (or err), NULL: none */
                } fit[] = {
                        /* Not restrict mode: libxl never kills; a value is said to be unused. */
                        { NULL, NULL, "--runas=5", 0, 0, TIMEOUT_DEFAULT, NULL },
                        { NULL, "10", "--runas=5", 0, 0, TIMEOUT_DEFAULT, "is not used" },
                        /* libxl's default, 120: our 100 s fit; 110 only on the cold
                         * path (restrict mode's, below). */
                        { "1", NULL, "--runas=5", 0, 0, TIMEOUT_DEFAULT, NULL },
                        { "1", NULL, "--timeout=110", 0, 0, 109, "the inspection gets 109 s" },
                        { "1", NULL, "--timeout=110", 500000, 0, 108, "and 11 s are kept" },
                        { "1", NULL, "--timeout=110", 0, 0, 110, NULL },
                        { "1", NULL, "--timeout=110", 3999999, 0, 110, NULL },
                        /* 0, -1, text: no timeout in libxl; ours stays. */
                        { "1", "0", "--runas=5", 0, 0, TIMEOUT_DEFAULT, "libxl sets no timeout" },
                        { "1", "-1", "--runas=5", 0, 0, TIMEOUT_DEFAULT, "read as -1 by libxl's atoi()" },
                        { "1", "text", "--runas=5", 0, 0, TIMEOUT_DEFAULT, "read as 0 by libxl's atoi()" },
                        /* Larger than ours: ours stays, said. */
                        { "1", "99999", "--runas=5", 0, 0, TIMEOUT_DEFAULT, "keeps its own 100 s" },
                        /* Smaller: the inspection gets what is left after the margin
                         * (6 s cold, 11 s when the daemon may answer), the time
                         * already spent rounded up. */
                        { "1", "60", "--runas=5", 0, 0, 54, "the inspection gets 54 s" },
                        { "1", "60", "-v", 0, 0, 49, "the inspection gets 49 s" },
                        { "1", "60", "--runas=5", 1, 0, 53, "the inspection gets 53 s" },
                        { "1", "60", "--runas=5", 2000000, 0, 52, "the inspection gets 52 s" },
                        { "1", "11", "--runas=5", 0, 0, 5, "the inspection gets 5 s" },
                        { "1", "12abc", "--runas=5", 0, 0, 6, "read as 12" },
                        /* Too short for an inspection: not started. */
                        { "1", "10", "--runas=5", 1, -ETIME, TIMEOUT_DEFAULT, "leaves 3 s" },
                        { "1", "10", "-v", 0, -ETIME, TIMEOUT_DEFAULT, "an inspection needs 5 s" },
                        { "1", "1", "--runas=5", 0, -ETIME, TIMEOUT_DEFAULT, "leaves 0 s" },
                        { "1", "60", "--runas=5", 60000000, -ETIME, TIMEOUT_DEFAULT, "not starting one" },
                };
                for (size_t i = 0; i < sizeof(fit) / sizeof(fit[0]); i++) {
                        LibxlTimeout t;
                        char note[700];
                        o = test_options(fit[i].opt);
                        if (strcmp(fit[i].opt, "--timeout=110") == 0 && fit[i].timeout_sec == 110)
                                o.runas_set = true;     /* --runas too, as libxl passes it */
                        CHECK_EQ(libxl_timeout_parse(fit[i].restrict_env, NULL, fit[i].timeout, &t, err, sizeof(err)), 0);
                        int r = inspection_fit_libxl(&o, &t, fit[i].spent_usec, note, sizeof(note), err, sizeof(err));
                        const char *said = r < 0 ? err : note;
                        if (r != fit[i].r || o.policy.timeout_sec != fit[i].timeout_sec ||
                            (fit[i].note ? !strstr(said, fit[i].note) : said[0] != 0)) {
                                fprintf(stderr, "fit %zu: r=%d timeout=%u said \"%s\"\n", i, r, o.policy.timeout_sec, said);
                                return 1;
                        }
                }
        }
        /* What is left before libxl's kill, its fork counted. */
        {
                LibxlTimeout t;
                CHECK_EQ(libxl_timeout_parse("1", NULL, "20", &t, err, sizeof(err)), 0);
                CHECK_EQ(inspection_libxl_left_usec(&t, 0), (int64_t) (20 - MARGIN_START) * 1000000);
                CHECK_EQ(inspection_libxl_left_usec(&t, 19500000), -500000);
                CHECK_EQ(libxl_timeout_parse(NULL, NULL, "20", &t, err, sizeof(err)), 0);
                CHECK_EQ(inspection_libxl_left_usec(&t, UINT64_C(1) << 40), INT64_MAX);
        }

        /* A clone uid range in the system's uids is refused before any
         * appliance starts. */
        o = test_options("--no-daemon");
        o.clone_uid_base = 100;         /* inside the system range: refused before anything runs */
        Inspected in;
        CHECK(inspection_run(&o, &(int) { -1 }, 1, &in, err, sizeof(err)) < 0);
        if (!strstr(err, "inspection failed: clone uid range 100+256"))
                fprintf(stderr, "got: %s\n", err);
        CHECK(strstr(err, "inspection failed: clone uid range 100+256"));
        return 0;
}
