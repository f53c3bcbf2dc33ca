/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for options.c: pvboot-selectd's defaults, the config file over
 * them, the command line over both, and what it refuses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/options.h"
#include "shared/test-util.h"

#define ARGV(...) ((char *[]) { (char *) "pvboot-selectd", __VA_ARGS__, NULL })

static int parse(const Config *conf, DaemonOptions *o, int argc, char **argv) {
        return daemon_options_parse(argc, argv, conf, o);
}

static void load(const char *text, Config *ret) {
        char path[] = "/tmp/test-options.XXXXXX", err[256];
        int fd = mkstemp(path);
        CHECK(fd >= 0);
        CHECK_EQ(write(fd, text, strlen(text)), (long long) strlen(text));
        close(fd);
        CHECK_EQ(config_load(path, ret, err, sizeof(err)), 0);
        unlink(path);
}

int main(void) {
        DaemonOptions o;
        Config conf;

        /* The shipped defaults. */
        char *none[] = { (char *) "pvboot-selectd", NULL };
        CHECK_EQ(parse(NULL, &o, 1, none), 0);
        CHECK(o.manager.pool_size == 2 && o.manager.max_busy == 4 && o.manager.queue_limit == 32);
        CHECK(o.manager.cache_size == 64 && !o.manager.cache_block_devices && !o.manager.allow_gid_set);
        CHECK_EQ(o.manager.clone_uids.base, PVBOOT_CLONE_UID_BASE_DEFAULT);
        CHECK_EQ(o.manager.clone_uids.count, PVBOOT_CLONE_UID_COUNT_DEFAULT);
        CHECK_EQ(o.manager.tcg_cache_mb, PVBOOT_TCG_CACHE_MB_DEFAULT);
        CHECK(!o.janitor && !o.help && !o.manager.cachedir);

        /* The file over the defaults, the command line over the file. */
        load("pool_size = 5\nmax_busy = 3\ncache_size = 0\nallow_group = \"nogroup\"\n"
             "appliance_cache = \"/var/cache/elsewhere\"\nclone_uid_count = 0\nlog_level = \"debug\"\n", &conf);
        char **a = ARGV("--pool-size=1", "--cache-block-devices");
        CHECK_EQ(parse(&conf, &o, 3, a), 0);
        CHECK(o.manager.pool_size == 1 && o.manager.max_busy == 3 && o.manager.cache_size == 0);
        CHECK(o.manager.cache_block_devices && o.manager.debug);
        CHECK(o.manager.allow_gid_set && o.manager.allow_gid == 65534);
        CHECK_STREQ(o.manager.cachedir, "/var/cache/elsewhere");
        CHECK_EQ(o.manager.clone_uids.count, 0);

        /* Each number by the config key's own rule; the same word as the file. */
        char **b = ARGV("--pool-size=x");
        CHECK_EQ(parse(NULL, &o, 2, b), -EINVAL);
        char **c = ARGV("--memsize=100");
        CHECK_EQ(parse(NULL, &o, 2, c), -EINVAL);
        char **d = ARGV("--clone-uid-base=1000");
        CHECK_EQ(parse(NULL, &o, 2, d), -EINVAL);
        char **e = ARGV("--allow-group=no-such-group-here");
        CHECK_EQ(parse(NULL, &o, 2, e), -EINVAL);
        char **f = ARGV("--appliance-cache=/tmp/cache");         /* each inspection has a private /tmp */
        CHECK_EQ(parse(NULL, &o, 2, f), -EINVAL);
        char **g = ARGV("stray");
        CHECK_EQ(parse(NULL, &o, 2, g), -EINVAL);
        char **h = ARGV("--bogus");
        CHECK_EQ(parse(NULL, &o, 2, h), -EINVAL);
        /* A bad allow_group in the file stops it too. */
        Config bad;
        load("allow_group = \"no-such-group-here\"\n", &bad);
        CHECK_EQ(parse(&bad, &o, 1, none), -EINVAL);

        char **j = ARGV("--xenstore-janitor", "--debug", "--tcg-cache=0", "--clone-uid-base=262144", "--clone-uid-count=16");
        CHECK_EQ(parse(NULL, &o, 6, j), 0);
        CHECK(o.janitor && o.manager.debug && o.manager.tcg_cache_mb == 0);
        CHECK(o.manager.clone_uids.base == 262144 && o.manager.clone_uids.count == 16);
        char **k = ARGV("--help");
        CHECK_EQ(parse(NULL, &o, 2, k), 0);
        CHECK(o.help);
        CHECK(strstr(daemon_usage, "--pool-size=N"));
        config_free(&conf);
        config_free(&bad);
        return 0;
}
